/**
 * @kubernetes/client-node 1.4's makeInformer (list, then watch from the
 * list's resourceVersion) against the svcnet API server: add, update and
 * delete events as objects change; and, after its watch ends with the
 * connection (the informer reports an error and is started again, as the
 * library's docs do it) across an API server restart, a resync: the watch
 * from its old resourceVersion gets 410, it re-lists, and reports what
 * changed meanwhile as adds and deletes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CoreV1Api,
  type Informer,
  makeInformer,
  type ObjectCache,
  type V1Service,
} from '@kubernetes/client-node';
import { type ClientNodeApi, startClientNodeApi, until } from './inprocess.js';

const svc = (name: string): V1Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { app: 'informed' } },
  spec: { ports: [{ port: 80 }] },
});

describe('client-node informer', () => {
  let c: ClientNodeApi;
  let core: CoreV1Api;
  let informer: (Informer<V1Service> & ObjectCache<V1Service>) | undefined;
  const log: string[] = [];
  const errors: unknown[] = [];
  let connects = 0;
  const names = () =>
    informer!
      .list('default')
      .map((s) => s.metadata!.name!)
      .filter((n) => n !== 'kubernetes')
      .sort();

  before(async () => {
    c = await startClientNodeApi('cn-informer');
    core = c.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedService({ namespace: 'default', body: svc('before') });
    informer = makeInformer(c.kc, '/api/v1/namespaces/default/services', () =>
      core.listNamespacedService({ namespace: 'default' }),
    );
    // The API server's own `kubernetes` Service (reconciled at each start) is left out.
    const note = (what: string, s: V1Service) => {
      if (s.metadata!.name !== 'kubernetes') log.push(what);
    };
    informer.on('add', (s) => note(`add ${s.metadata!.name}`, s));
    informer.on('update', (s) => note(`update ${s.metadata!.name} ${s.metadata!.labels?.v ?? ''}`, s));
    informer.on('delete', (s) => note(`delete ${s.metadata!.name}`, s));
    informer.on('error', (err) => errors.push(err));
    informer.on('connect', () => connects++);
    await informer.start();
  });
  after(async () => {
    await informer?.stop();
    await c?.stop();
  });

  it('lists what exists, then sees adds, updates and deletes', async () => {
    assert.ok(log.includes('add before'), String(log));
    log.length = 0;
    await core.createNamespacedService({ namespace: 'default', body: svc('one') });
    await core.createNamespacedService({ namespace: 'default', body: svc('two') });
    await core.patchNamespacedService({
      name: 'one',
      namespace: 'default',
      body: [{ op: 'add', path: '/metadata/labels/v', value: '2' }],
    });
    await core.deleteNamespacedService({ name: 'two', namespace: 'default' });
    await until(() => log.length >= 4, 'four events');
    assert.deepEqual(log, ['add one', 'add two', 'update one 2', 'delete two']);
    assert.deepEqual(names(), ['before', 'one']);
    assert.equal(informer!.get('one', 'default')?.metadata?.labels?.v, '2');
  });

  it('after its watch ends and the server restarts, re-lists on 410 and reports what changed', async () => {
    log.length = 0;
    // The connection drops: the informer reports it and waits to be started again.
    c.cut();
    await until(() => errors.length > 0, 'the informer to report the dropped watch');
    // Meanwhile the cluster moves on, and the API server restarts (its watch cache starts anew).
    await core.deleteNamespacedService({ name: 'before', namespace: 'default' });
    await core.createNamespacedService({ namespace: 'default', body: svc('while-away') });
    await c.restart();
    const connectsBefore = connects;
    await informer!.start();
    await until(() => names().join() === 'one,while-away', `a resync (have ${names()})`);
    assert.deepEqual(log.sort(), ['add while-away', 'delete before']);
    // The watch from the old resourceVersion was answered 410, then the informer listed again.
    assert.ok(connects >= connectsBefore + 2, `${connects} connects`);

    // And it keeps watching.
    await core.createNamespacedService({ namespace: 'default', body: svc('after') });
    await until(() => log.includes('add after'), 'the add after the resync');
  });

  it('informs on a cluster-scoped kind (namespaces)', async () => {
    const ns = makeInformer(c.kc, '/api/v1/namespaces', () => core.listNamespace());
    try {
      await ns.start();
      await until(() => ns.list().some((n) => n.metadata?.name === 'default'), 'the default namespace');
    } finally {
      await ns.stop();
    }
  });
});
