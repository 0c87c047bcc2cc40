import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Namespace, Service } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../src/client/client.js';
import { Namespaces, Services } from '../../src/client/resources.js';
import type { ApiClient } from '../../src/client/types.js';
import { deletionConditions } from '../../src/controllers/namespace.js';
import { startTestApi, type TestApi } from '../lib/testapi.js';

async function until<T>(fn: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('namespace deletion conditions', () => {
  it('formats what remains as upstream does', () => {
    const c = deletionConditions(
      new Map([
        ['services.', 1],
        ['deployments.apps', 2],
      ]),
      new Map([['example.com/hold', 1]]),
    );
    assert.deepEqual(
      c.map((x) => [x.type, x.status, x.reason]),
      [
        ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
        ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
        ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
        ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain'],
        ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain'],
      ],
    );
    assert.equal(
      c[3]!.message,
      'Some resources are remaining: deployments.apps has 2 resource instances, services. has 1 resource instances',
    );
    const done = deletionConditions(new Map(), new Map());
    assert.equal(done[3]!.message, 'All content successfully removed');
    assert.equal(done[4]!.message, 'All content-preserving finalizers finished');
  });

  describe('in an API server', () => {
    let testApi: TestApi | undefined;
    let client: ApiClient;
    before(async () => {
      testApi = await startTestApi('ns', 'test');
      ({ client } = testApi);
    });
    after(async () => {
      await testApi?.stop();
    });

    it('shows the finalizer that holds a Terminating namespace, then lets it go', async () => {
      await client.create(Namespaces, '', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'stuck' },
      });
      const svc: Service = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'held', finalizers: ['example.com/hold'] },
        spec: { ports: [{ port: 80 }] },
      };
      await client.create(Services, 'stuck', svc);
      await client.delete(Namespaces, '', 'stuck');
      const ns = await until(async () => {
        const n = await client.get<Namespace>(Namespaces, '', 'stuck');
        return n.status?.conditions?.some(
          (c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True',
        )
          ? n
          : undefined;
      });
      assert.equal(ns.status?.phase, 'Terminating');
      const byType = new Map(ns.status?.conditions?.map((c) => [c.type, c]));
      assert.equal(
        byType.get('NamespaceContentRemaining')?.message,
        'Some resources are remaining: services. has 1 resource instances',
      );
      assert.equal(
        byType.get('NamespaceFinalizersRemaining')?.message,
        'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
      );
      assert.ok(byType.get('NamespaceFinalizersRemaining')?.lastTransitionTime);
      await client.patch(Services, 'stuck', 'held', 'merge', { metadata: { finalizers: null } });
      await until(() =>
        client.get(Namespaces, '', 'stuck').then(
          () => undefined,
          (e) => isNotFound(e),
        ),
      );
    });
  });
});
