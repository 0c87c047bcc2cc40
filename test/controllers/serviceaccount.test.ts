/**
 * The service account controller: which accounts a namespace lacks (pure),
 * and the controller against a real in-process API server, through the
 * client only: `default` appears in every namespace, comes back when
 * deleted, and other accounts are left alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../src/client/client.js';
import { SharedInformerFactory } from '../../src/client/informer.js';
import { Namespaces, ServiceAccounts } from '../../src/client/resources.js';
import type { ApiClient } from '../../src/client/types.js';
import {
  missingServiceAccounts,
  ServiceAccountController,
} from '../../src/controllers/serviceaccount/controller.js';
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

describe('missingServiceAccounts', () => {
  const ns = (extra: Partial<Namespace> = {}): Namespace => ({ metadata: { name: 'a' }, ...extra });
  const none = () => false;
  it('an active namespace lacks what it has not', () => {
    assert.deepEqual(missingServiceAccounts(ns(), none, ['default']), ['default']);
    assert.deepEqual(missingServiceAccounts(ns({ status: { phase: 'Active' } }), none, ['default', 'x']), [
      'default',
      'x',
    ]);
    assert.deepEqual(
      missingServiceAccounts(ns(), (n) => n === 'default', ['default']),
      [],
    );
  });
  it('namespaces that are gone or going get nothing', () => {
    assert.deepEqual(missingServiceAccounts(undefined, none, ['default']), []);
    assert.deepEqual(missingServiceAccounts(ns({ status: { phase: 'Terminating' } }), none, ['default']), []);
    assert.deepEqual(
      missingServiceAccounts({ metadata: { name: 'a', deletionTimestamp: '2024-01-01T00:00:00Z' } }, none, [
        'default',
      ]),
      [],
    );
  });
});

describe('ServiceAccountController in an API server', () => {
  let testApi: TestApi | undefined;
  let client: ApiClient;
  let informers: SharedInformerFactory | undefined;
  let controller: ServiceAccountController | undefined;
  before(async () => {
    testApi = await startTestApi('sa', 'test');
    ({ client } = testApi);
    informers = new SharedInformerFactory(client, silentLogger);
    controller = new ServiceAccountController({
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

  const defaultSA = (ns: string) =>
    until(() => client.get<ServiceAccount>(ServiceAccounts, ns, 'default').catch(() => undefined));

  it('creates default in the system namespaces and in new ones', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) await defaultSA(ns);
    await client.create(Namespaces, '', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a' },
    });
    const sa = await defaultSA('team-a');
    assert.equal(sa.metadata?.namespace, 'team-a');
  });

  it('creates it again when it is deleted, and leaves other accounts alone', async () => {
    await client.create<ServiceAccount>(ServiceAccounts, 'default', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'builder' },
    });
    const before = await defaultSA('default');
    await client.delete(ServiceAccounts, 'default', 'default');
    const again = await until(async () => {
      const sa = await client.get<ServiceAccount>(ServiceAccounts, 'default', 'default');
      return sa.metadata?.uid !== before.metadata?.uid ? sa : undefined;
    });
    assert.ok(again.metadata?.uid);
    await client.delete(ServiceAccounts, 'default', 'builder');
    // `builder` is not managed: it stays gone once deleted (checked after default came back, above).
    await assert.rejects(client.get(ServiceAccounts, 'default', 'builder'), (e) => isNotFound(e));
  });
});
