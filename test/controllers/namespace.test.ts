/**
 * The namespace controller: its conditions (pure) and the controller itself
 * against a real in-process API server, through the client only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  Endpoints,
  Event,
  Namespace,
  NamespaceCondition,
  Pod,
  Service,
} from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isNotFound } from '../../src/client/client.js';
import { GroupDiscoveryError } from '../../src/client/discovery.js';
import { SharedInformerFactory } from '../../src/client/informer.js';
import {
  EndpointSlices,
  Endpoints as EndpointsRT,
  Events,
  Namespaces,
  Pods,
  Services,
} from '../../src/client/resources.js';
import type { ApiClient, ResourceType, WatchEvent } from '../../src/client/types.js';
import { deletionConditions, updateConditions } from '../../src/controllers/namespace/conditions.js';
import { NamespaceController } from '../../src/controllers/namespace/controller.js';
import { silentLogger } from '../../src/lib/log.js';
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

const gone = (client: ApiClient, name: string) =>
  until(() =>
    client.get(Namespaces, '', name).then(
      () => undefined,
      (e) => isNotFound(e),
    ),
  );

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

  it('reports discovery and content failures as upstream does', () => {
    const c = deletionConditions(new Map(), new Map(), {
      discovery: new GroupDiscoveryError(
        new Map([
          ['example.com/v1', 'the server is currently unable to handle the request'],
          ['apps/v1', 'timed out'],
        ]),
      ),
      content: ['b failed', 'a failed'],
    });
    assert.deepEqual(c[0], {
      type: 'NamespaceDeletionDiscoveryFailure',
      status: 'True',
      reason: 'DiscoveryFailed',
      message:
        'Discovery failed for some groups, 2 failing: unable to retrieve the complete list of server APIs: apps/v1: timed out, example.com/v1: the server is currently unable to handle the request',
    });
    assert.deepEqual(c[2], {
      type: 'NamespaceDeletionContentFailure',
      status: 'True',
      reason: 'ContentDeletionFailed',
      message: 'Failed to delete all resource types, 2 remaining: a failed, b failed',
    });
    assert.equal(
      deletionConditions(new Map(), new Map(), { discovery: new Error('connection refused') })[0]!.message,
      'connection refused',
    );
  });

  it('merges conditions, moving lastTransitionTime only when a status changes', () => {
    const t0 = '2024-01-01T00:00:00Z';
    const t1 = '2024-01-01T00:01:00Z';
    const other: NamespaceCondition = { type: 'Other', status: 'True', lastTransitionTime: t0 };
    const held = deletionConditions(new Map([['services.', 1]]), new Map([['example.com/hold', 1]]));
    const first = updateConditions([other], held, t0)!;
    assert.deepEqual(
      first.map((c) => [c.type, c.lastTransitionTime]),
      [['Other', t0], ...held.map((c) => [c.type, t0])],
    );
    assert.equal(updateConditions(first, held, t1), undefined, 'nothing changed');
    // Two services now: the message changes, the status does not.
    const more = deletionConditions(new Map([['services.', 2]]), new Map([['example.com/hold', 2]]));
    const second = updateConditions(first, more, t1)!;
    const remaining = second.find((c) => c.type === 'NamespaceContentRemaining')!;
    assert.equal(remaining.message, 'Some resources are remaining: services. has 2 resource instances');
    assert.equal(remaining.lastTransitionTime, t0);
    // Content gone: True → False moves the time.
    const third = updateConditions(second, deletionConditions(new Map(), new Map()), t1)!;
    const removed = third.find((c) => c.type === 'NamespaceContentRemaining')!;
    assert.deepEqual(
      [removed.status, removed.reason, removed.lastTransitionTime],
      ['False', 'ContentRemoved', t1],
    );
    assert.equal(third.find((c) => c.type === 'NamespaceDeletionDiscoveryFailure')!.lastTransitionTime, t0);
    assert.deepEqual(third[0], other);
  });

  describe('in an API server', () => {
    let testApi: TestApi | undefined;
    let client: ApiClient;
    let informers: SharedInformerFactory | undefined;
    let controller: NamespaceController | undefined;
    before(async () => {
      testApi = await startTestApi('ns', 'test');
      ({ client } = testApi);
      // Namespace deletion is the controller manager's job: run its namespace controller here.
      informers = new SharedInformerFactory(client, silentLogger);
      controller = new NamespaceController({
        client,
        informers,
        events: { event() {} },
        log: silentLogger,
      });
      informers.start();
      await controller.start();
    });
    after(async () => {
      controller?.stop();
      informers?.stop();
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
      await gone(client, 'stuck');
    });

    it('empties a namespace of services, pods, endpoints, slices and events, reports it, then lets it go', async () => {
      const ns = 'team';
      await client.create(Namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      const svc = await client.create<Service>(Services, ns, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      });
      const pod = (name: string, nodeName?: string): Pod => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { app: 'web' } },
        spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'svcnet/netexec' }] },
      });
      await client.create(Pods, ns, pod('pending'));
      // On a node: its deletion is graceful, and only the node's agent ends it.
      await client.create(Pods, ns, pod('running', 'node-a'));
      await client.create<Endpoints>(EndpointsRT, ns, {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'manual' },
        subsets: [{ addresses: [{ ip: '127.244.0.10' }], ports: [{ port: 8080 }] }],
      });
      await client.create<EndpointSlice>(EndpointSlices, ns, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['127.244.0.10'] }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      });
      await client.create<Event>(Events, ns, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'web.1' },
        involvedObject: {
          apiVersion: 'v1',
          kind: 'Service',
          namespace: ns,
          name: 'web',
          uid: svc.metadata?.uid,
        },
        reason: 'Testing',
        message: 'hello',
        type: 'Normal',
      });

      const seen: WatchEvent<Namespace>[] = [];
      const watch = client.watch<Namespace>(
        Namespaces,
        '',
        { fieldSelector: `metadata.name=${ns}` },
        (e) => seen.push(e),
        () => {},
      );
      try {
        await client.delete(Namespaces, '', ns);
        // Everything but the pod shutting down goes; the namespace waits for it.
        const waiting = await until(async () => {
          const n = await client.get<Namespace>(Namespaces, '', ns);
          const c = n.status?.conditions?.find((x) => x.type === 'NamespaceContentRemaining');
          return c?.status === 'True' ? n : undefined;
        });
        assert.equal(waiting.status?.phase, 'Terminating');
        const byType = new Map(waiting.status?.conditions?.map((c) => [c.type, c]));
        assert.equal(
          byType.get('NamespaceContentRemaining')?.message,
          'Some resources are remaining: pods. has 1 resource instances',
        );
        // Within the pod's grace period a pod still there is no failure.
        assert.equal(byType.get('NamespaceDeletionContentFailure')?.status, 'False');
        assert.equal(byType.get('NamespaceFinalizersRemaining')?.status, 'False');
        const left = async (rt: ResourceType) =>
          (await client.list(rt, ns)).items.map((i) => i.metadata?.name);
        assert.deepEqual(await left(Pods), ['running']);
        const running = await client.get<Pod>(Pods, ns, 'running');
        assert.ok(running.metadata?.deletionTimestamp, 'the running pod is shutting down');
        for (const rt of [Services, EndpointsRT, EndpointSlices, Events])
          assert.deepEqual(await left(rt), [], rt.resource);

        // The agent would end the pod so: then nothing remains and the namespace goes.
        await client.delete(Pods, ns, 'running', { gracePeriodSeconds: 0 });
        await gone(client, ns);
        await until(async () => (seen.some((e) => e.type === 'DELETED') ? true : undefined));
      } finally {
        watch.stop();
      }
      const last = seen.filter((e) => e.type === 'MODIFIED').at(-1)?.object;
      assert.deepEqual(
        last?.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
        [
          ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
          ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
          ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
          ['NamespaceContentRemaining', 'False', 'ContentRemoved'],
          ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers'],
        ],
      );
    });
  });
});
