/**
 * Informers: list + watch against the real API server (and through a proxy
 * that decides when watches end and reconnect, and across a restart that
 * compacts history so the resume answers 410), and exact watch-protocol
 * sequences against a scripted fake server (pages, BOOKMARK, ERROR 410,
 * failures).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Namespace, Service } from 'kubernetes-types/core/v1.js';
import { isGone } from '../../src/client/client.js';
import { SharedInformerFactory } from '../../src/client/informer.js';
import { Namespaces, Services } from '../../src/client/resources.js';
import {
  type ApiClient,
  type Informer,
  type InformerHandlers,
  keyOf,
  type Obj,
} from '../../src/client/types.js';
import { createLogger } from '../../src/lib/log.js';
import { startTestApi, type TestApi } from '../lib/testapi.js';
import { ApiProxy, FakeApi, type FakeRequest, reply, status, stream, until } from './harness.js';

/**
 * Records handler calls as `add name@rv`, `update name@oldRv->newRv`,
 * `delete name@rv`, and checks each call comes after the cache changed.
 */
function recorder<T extends Obj>(inf: Informer<T>) {
  const seen: string[] = [];
  const objects: { type: string; obj: T; old?: T }[] = [];
  const id = (o: T) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`;
  // (Handler exceptions are caught and logged by the informer, so a broken order shows up in `seen`.)
  const cached = (o: T) => {
    if (inf.get(keyOf(o)) !== o) seen.push(`NOT CACHED YET ${keyOf(o)}`);
  };
  const h: InformerHandlers<T> = {
    add: (o) => {
      cached(o);
      seen.push(`add ${id(o)}`);
      objects.push({ type: 'add', obj: o });
    },
    update: (old, o) => {
      cached(o);
      seen.push(`update ${id(old)}->${o.metadata?.resourceVersion}`);
      objects.push({ type: 'update', obj: o, old });
    },
    delete: (o) => {
      if (inf.get(keyOf(o))) seen.push(`STILL CACHED ${keyOf(o)}`);
      seen.push(`delete ${id(o)}`);
      objects.push({ type: 'delete', obj: o });
    },
  };
  inf.addHandlers(h);
  return { seen, objects };
}

const svc = (name: string, labels: Record<string, string> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels },
  spec: { ports: [{ port: 80 }] },
});

const rvOf = (o: Obj | undefined) => o?.metadata?.resourceVersion ?? '';
const names = (os: Obj[]) => os.map((o) => o.metadata?.name).sort();

describe('informers against the API server', () => {
  let api: TestApi | undefined;
  let client: ApiClient;
  before(async () => {
    api = await startTestApi('client-informer');
    ({ client } = api);
  });
  after(async () => {
    await api?.stop();
  });

  it('lists, syncs, then follows adds, updates and deletes with the right objects; the cache follows', async () => {
    await client.create(Namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inf-a' } });
    const s1 = await client.create(Services, 'default', svc('s1', { suite: 'a' }));
    const s2 = await client.create(Services, 'inf-a', svc('s2', { suite: 'a' }));
    const outside = await client.create(Services, 'default', svc('outside'));
    const factory = new SharedInformerFactory(client);
    try {
      const inf = factory.informer<Service>(Services, { labelSelector: 'suite=a' });
      const { seen, objects } = recorder(inf);
      assert.equal(inf.hasSynced(), false);
      factory.start();
      await factory.synced();
      assert.equal(inf.hasSynced(), true);
      // The list's objects, as the server has them.
      assert.deepEqual([...seen].sort(), [`add s1@${rvOf(s1)}`, `add s2@${rvOf(s2)}`]);
      assert.equal(inf.get('default/s1')?.metadata?.uid, s1.metadata?.uid);
      assert.equal(inf.get('default/s1')?.kind, 'Service');
      assert.equal(inf.get('inf-a/s2')?.metadata?.uid, s2.metadata?.uid);
      assert.equal(inf.get('default/outside'), undefined);
      assert.deepEqual(names(inf.list()), ['s1', 's2']);
      assert.deepEqual(names(inf.list('inf-a')), ['s2']);
      assert.deepEqual(inf.list('nope'), []);
      assert.deepEqual(names(inf.byLabels('default', { suite: 'a' })), ['s1']);
      assert.deepEqual(inf.byLabels('default', { suite: 'b' }), []);

      seen.length = 0;
      objects.length = 0;
      const p1 = await client.patch<Service>(Services, 'default', 's1', 'merge', {
        metadata: { annotations: { note: 'x' } },
      });
      // s2 leaves the selector (a delete for this informer), `outside` enters it (an add).
      const p2 = await client.patch<Service>(Services, 'inf-a', 's2', 'merge', {
        metadata: { labels: { suite: 'b' } },
      });
      const p3 = await client.patch<Service>(Services, 'default', 'outside', 'merge', {
        metadata: { labels: { suite: 'a' } },
      });
      const d1 = (await client.delete(Services, 'default', 's1')) as Service;
      await until(() => seen.length >= 4, 'four events');
      assert.deepEqual(seen, [
        `update s1@${rvOf(s1)}->${rvOf(p1)}`,
        `delete s2@${rvOf(p2)}`,
        `add outside@${rvOf(p3)}`,
        `delete s1@${rvOf(d1)}`,
      ]);
      const [upd, del2, add3, del1] = objects;
      assert.equal(upd?.old?.metadata?.annotations?.note, undefined);
      assert.equal(upd?.obj.metadata?.annotations?.note, 'x');
      assert.equal(upd?.obj.spec?.clusterIP, s1.spec?.clusterIP);
      // An object that left the selector is deleted as the selector last saw it, at the revision it left.
      assert.equal(del2?.obj.metadata?.uid, s2.metadata?.uid);
      assert.equal(del2?.obj.metadata?.labels?.suite, 'a');
      assert.equal(add3?.obj.metadata?.uid, outside.metadata?.uid);
      assert.equal(del1?.obj.metadata?.annotations?.note, 'x');
      // Handlers run after the cache changed.
      assert.deepEqual(names(inf.list()), ['outside']);
      assert.equal(inf.get('default/s1'), undefined);
      assert.equal(inf.get('inf-a/s2'), undefined);
      assert.deepEqual(names(inf.byLabels('default', { suite: 'a' })), ['outside']);
    } finally {
      factory.stop();
    }
  });

  it('keys cluster-scoped objects by name; informers are shared per resource and selectors', async () => {
    const factory = new SharedInformerFactory(client);
    try {
      const inf = factory.informer<Namespace>(Namespaces, { labelSelector: 'suite=ns' });
      assert.equal(factory.informer(Namespaces, { labelSelector: 'suite=ns' }), inf);
      assert.notEqual(factory.informer(Namespaces), inf);
      assert.notEqual(factory.informer(Services, { labelSelector: 'suite=ns' }), inf);
      const { seen } = recorder(inf);
      factory.start();
      await factory.synced();
      // An informer asked for after start starts at once.
      const late = factory.informer<Namespace>(Namespaces, { fieldSelector: 'metadata.name=kube-system' });
      await late.synced();
      assert.deepEqual(names(late.list()), ['kube-system']);
      const ns = await client.create<Namespace>(Namespaces, '', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'inf-ns', labels: { suite: 'ns' } },
      });
      await until(() => seen.length >= 1, 'the add');
      assert.deepEqual(seen, [`add inf-ns@${rvOf(ns)}`]);
      assert.equal(inf.get('inf-ns')?.metadata?.uid, ns.metadata?.uid);
      assert.deepEqual(names(inf.list('')), ['inf-ns']);
    } finally {
      factory.stop();
    }
  });

  it('a handler that throws does not stop the others; late handlers get the cache as adds', async () => {
    const lines: string[] = [];
    const log = createLogger({ format: 'json', write: (l) => lines.push(l) });
    const factory = new SharedInformerFactory(client, log);
    try {
      const inf = factory.informer<Service>(Services, { labelSelector: 'suite=throw' });
      inf.addHandlers({
        add: () => {
          throw new Error('handler bug');
        },
      });
      const { seen } = recorder(inf);
      factory.start();
      await inf.synced();
      const t1 = await client.create(Services, 'default', svc('t1', { suite: 'throw' }));
      await until(() => seen.length >= 1, 'the add');
      assert.deepEqual(seen, [`add t1@${rvOf(t1)}`]);
      assert.ok(inf.get('default/t1'));
      assert.ok(lines.some((l) => l.includes('Informer handler failed') && l.includes('handler bug')));
      const late = recorder(inf);
      assert.deepEqual(late.seen, [`add t1@${rvOf(t1)}`]);
    } finally {
      factory.stop();
    }
  });

  it('resumes a watch that ended from the last resourceVersion: nothing replayed, nothing lost', async () => {
    const proxy = await ApiProxy.start(api!.dir, api!.server.url);
    const factory = new SharedInformerFactory(proxy.client());
    try {
      const r0 = await client.create(Services, 'default', svc('r0', { suite: 'resume' }));
      const inf = factory.informer<Service>(Services, {
        namespace: 'default',
        labelSelector: 'suite=resume',
      });
      const { seen } = recorder(inf);
      factory.start();
      await inf.synced();
      const r1 = await client.create(Services, 'default', svc('r1', { suite: 'resume' }));
      await until(() => seen.length === 2, 'r1 through the watch');
      assert.deepEqual(seen, [`add r0@${rvOf(r0)}`, `add r1@${rvOf(r1)}`]);
      await until(() => proxy.openWatches === 1, 'the watch');

      // The server ends the stream; the informer's next watch waits at the proxy while objects change.
      proxy.hold = true;
      proxy.endWatches();
      await until(() => proxy.heldCount === 1, 'the informer to watch again');
      const r2 = await client.create(Services, 'default', svc('r2', { suite: 'resume' }));
      const r1b = await client.patch<Service>(Services, 'default', 'r1', 'merge', {
        metadata: { annotations: { v: '2' } },
      });
      const r0d = (await client.delete(Services, 'default', 'r0')) as Service;
      proxy.release();
      await until(() => seen.length === 5, 'the changes made while reconnecting');
      const r3 = await client.create(Services, 'default', svc('r3', { suite: 'resume' }));
      await until(() => seen.length === 6, 'r3');
      assert.deepEqual(seen.slice(2), [
        `add r2@${rvOf(r2)}`,
        `update r1@${rvOf(r1)}->${rvOf(r1b)}`,
        `delete r0@${rvOf(r0d)}`,
        `add r3@${rvOf(r3)}`,
      ]);
      // One list, then watches, each from the resourceVersion the last one reached.
      const calls = proxy.requests.map((r) =>
        r.query.get('watch') === 'true' ? `watch ${r.query.get('resourceVersion')}` : 'list',
      );
      assert.equal(calls.length, 3, calls.join(', '));
      assert.equal(calls[0], 'list');
      assert.match(calls[1]!, /^watch \d+$/);
      assert.ok(Number(calls[1]!.split(' ')[1]) >= Number(rvOf(r0)));
      assert.equal(calls[2], `watch ${rvOf(r1)}`);
      assert.deepEqual(names(inf.list()), ['r1', 'r2', 'r3']);
    } finally {
      factory.stop();
      await proxy.close();
    }
  });
});

describe('informers across an API server restart with compacted history', () => {
  let api: TestApi | undefined;
  before(async () => {
    // SQLite keeps the objects across the restart; compaction every 50 ms ages the informer's revision out.
    api = await startTestApi('client-informer-410', 'svcnet-test', {
      storage: 'sqlite',
      compactionIntervalMs: 50,
    });
  });
  after(async () => {
    await api?.stop();
  });

  it('relists after 410 Expired and hands the handlers exactly the difference', async () => {
    const a = api!;
    const keep = await a.client.create(Services, 'default', svc('keep', { suite: 'gone' }));
    const mod = await a.client.create(Services, 'default', svc('mod', { suite: 'gone' }));
    const gone = await a.client.create(Services, 'default', svc('gone', { suite: 'gone' }));
    const proxy = await ApiProxy.start(a.dir, a.server.url);
    const factory = new SharedInformerFactory(proxy.client());
    try {
      const inf = factory.informer<Service>(Services, { namespace: 'default', labelSelector: 'suite=gone' });
      const { seen, objects } = recorder(inf);
      factory.start();
      await inf.synced();
      assert.equal(seen.length, 3);
      await until(() => proxy.openWatches === 1, 'the watch');
      seen.length = 0;
      objects.length = 0;

      proxy.hold = true;
      proxy.endWatches();
      await until(() => proxy.heldCount === 1, 'the informer to watch again');
      const heldRv = proxy.requests.at(-1)!.query.get('resourceVersion')!;
      assert.ok(Number(heldRv) >= Number(rvOf(gone)));
      // Missed while disconnected: two updates of one object, a delete, an add, and an add + delete.
      await a.client.patch(Services, 'default', 'mod', 'merge', { metadata: { annotations: { v: '1' } } });
      const mod2 = await a.client.patch<Service>(Services, 'default', 'mod', 'merge', {
        metadata: { annotations: { v: '2' } },
      });
      await a.client.delete(Services, 'default', 'gone');
      const fresh = await a.client.create(Services, 'default', svc('fresh', { suite: 'gone' }));
      await a.client.create(Services, 'default', svc('temp', { suite: 'gone' }));
      await a.client.delete(Services, 'default', 'temp');

      await a.restart();
      // The new server's watch cache starts after the restart, and compaction removes the
      // history before it: a watch from the held revision must now answer 410.
      await until(
        async () => isGone(await watchError(a.client, heldRv)),
        'compaction past the held revision',
      );
      proxy.release(a.server.url);

      await until(() => seen.length >= 3, 'the relist');
      await until(() => proxy.openWatches === 1, 'the new watch');
      // Deletes first, then the list in key order; nothing for `keep`, nothing for `temp`, one update for `mod`.
      assert.deepEqual(seen, [
        `delete gone@${rvOf(gone)}`,
        `add fresh@${rvOf(fresh)}`,
        `update mod@${rvOf(mod)}->${rvOf(mod2)}`,
      ]);
      assert.equal(objects[2]?.old?.metadata?.annotations?.v, undefined);
      assert.equal(objects[2]?.obj.metadata?.annotations?.v, '2');
      assert.deepEqual(names(inf.list()), ['fresh', 'keep', 'mod']);
      assert.equal(rvOf(inf.get('default/keep')), rvOf(keep));
      // The held watch (410), a fresh list, and a watch from that list's revision.
      const calls = proxy.requests.map((r) =>
        r.query.get('watch') === 'true' ? `watch ${r.query.get('resourceVersion')}` : 'list',
      );
      const relistAt = calls.lastIndexOf(`watch ${heldRv}`);
      assert.equal(calls.slice(relistAt + 1).length, 2, calls.join(', '));
      assert.equal(calls[relistAt + 1], 'list');
      assert.match(calls[relistAt + 2]!, /^watch \d+$/);
      assert.ok(Number(calls[relistAt + 2]!.split(' ')[1]) >= Number(rvOf(fresh)));
      // A change after the relist arrives through the new watch.
      const keep2 = await a.client.patch<Service>(Services, 'default', 'keep', 'merge', {
        metadata: { annotations: { v: 'after' } },
      });
      await until(() => seen.length === 4, 'the change after the relist');
      assert.equal(seen[3], `update keep@${rvOf(keep)}->${rvOf(keep2)}`);
    } finally {
      factory.stop();
      await proxy.close();
    }
  });
});

/** Opens a watch from `rv` and answers its error (undefined when it delivers events instead). */
function watchError(client: ApiClient, rv: string): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const w = client.watch(
      Services,
      'default',
      { resourceVersion: rv, labelSelector: 'suite=gone' },
      () => {
        w.stop();
        resolve(undefined);
      },
      (err) => resolve(err),
    );
  });
}

/** A Service as the fake server holds it. */
const fsvc = (name: string, rv: string, labels: Record<string, string> = {}): Service => ({
  metadata: { namespace: 'default', name, uid: `uid-${name}`, resourceVersion: rv, labels },
  spec: { clusterIP: '10.0.0.1' },
});

const list = (rv: string, items: Service[], cont?: string) => ({
  kind: 'ServiceList',
  apiVersion: 'v1',
  metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) },
  items,
});

const SVCS = '/api/v1/namespaces/default/services';

describe('informers against a scripted server', () => {
  // A server per test, so no request of one test is left for the next.
  let fake: FakeApi;
  beforeEach(async () => {
    fake = await FakeApi.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  /** The requests so far, as `list` or `watch <rv>`. */
  const calls = () =>
    fake.log.map((l) => {
      const q = new URL(l.split(' ')[1]!, 'https://x').searchParams;
      return q.get('watch') === 'true' ? `watch ${q.get('resourceVersion')}` : 'list';
    });

  /** Starts an informer on default/services and answers its first list with `items` at `rv`. */
  async function started(items: Service[], rv: string, log = createLogger({ write: () => {} })) {
    const factory = new SharedInformerFactory(fake.client(), log);
    const inf = factory.informer<Service>(Services, { namespace: 'default' });
    const rec = recorder(inf);
    factory.start();
    reply(await fake.expect('GET', SVCS), 200, list(rv, items));
    const w = await expectWatch(rv);
    await inf.synced();
    return { factory, inf, ...rec, w };
  }

  /** The next request must be a watch from `rv`; starts its stream. */
  async function expectWatch(rv: string) {
    const r = await fake.expect('GET', SVCS);
    assert.equal(r.query.get('watch'), 'true', `a watch, not ${r.method} ${r.path}?${r.query}`);
    assert.equal(r.query.get('resourceVersion'), rv);
    return { r, ...stream(r) };
  }

  /** The next request must be a list (no watch, no resourceVersion: the latest). */
  async function expectList(): Promise<FakeRequest> {
    const r = await fake.expect('GET', SVCS);
    assert.equal(r.query.get('watch'), null, `a list, not a watch from ${r.query.get('resourceVersion')}`);
    assert.equal(r.query.get('resourceVersion'), null);
    return r;
  }

  it('pages the first list, syncs only after the last page, then watches from its revision with bookmarks', async () => {
    const factory = new SharedInformerFactory(fake.client());
    try {
      const inf = factory.informer<Service>(Services, {
        namespace: 'default',
        labelSelector: 'app=x',
        fieldSelector: 'metadata.name!=z',
      });
      const { seen } = recorder(inf);
      let synced = false;
      void inf.synced().then(() => {
        synced = true;
      });
      factory.start();
      const p1 = await expectList();
      assert.equal(p1.query.get('limit'), '500');
      assert.equal(p1.query.get('labelSelector'), 'app=x');
      assert.equal(p1.query.get('fieldSelector'), 'metadata.name!=z');
      assert.equal(p1.query.get('continue'), null);
      reply(p1, 200, list('9', [fsvc('a', '5'), fsvc('b', '6')], 'token-1'));
      const p2 = await expectList();
      assert.equal(p2.query.get('continue'), 'token-1');
      // Half a list is not a cache.
      assert.equal(inf.hasSynced(), false);
      assert.equal(synced, false);
      assert.deepEqual(inf.list(), []);
      assert.deepEqual(seen, []);
      reply(p2, 200, list('10', [fsvc('c', '7')]));
      const w = await expectWatch('10');
      assert.equal(w.r.query.get('allowWatchBookmarks'), 'true');
      assert.equal(w.r.query.get('labelSelector'), 'app=x');
      assert.equal(w.r.query.get('fieldSelector'), 'metadata.name!=z');
      const timeout = Number(w.r.query.get('timeoutSeconds'));
      assert.ok(timeout >= 300 && timeout < 600, `timeoutSeconds=${timeout}`);
      await inf.synced();
      assert.equal(synced, true);
      assert.deepEqual(seen, ['add a@5', 'add b@6', 'add c@7']);
      // Lists carry apiVersion/kind once; the client puts them on each item.
      assert.equal(inf.get('default/a')?.kind, 'Service');
      assert.equal(inf.get('default/a')?.apiVersion, 'v1');
    } finally {
      factory.stop();
    }
  });

  it('applies watch events in order and ignores ones that change nothing', async () => {
    const { factory, inf, seen, objects, w } = await started([fsvc('a', '5'), fsvc('b', '6')], '10');
    try {
      seen.length = 0;
      objects.length = 0;
      w.event('ADDED', fsvc('c', '11'));
      w.event('MODIFIED', fsvc('a', '12', { v: '2' }));
      // The same revision again (a replay) and a delete of something never seen: nothing to tell.
      w.event('MODIFIED', fsvc('a', '12', { v: '2' }));
      w.event('DELETED', fsvc('nobody', '13'));
      w.event('DELETED', fsvc('b', '14'));
      w.event('MODIFIED', fsvc('c', '15', { v: '3' }));
      await until(() => seen.length >= 4, 'four events');
      assert.deepEqual(seen, ['add c@11', 'update a@5->12', 'delete b@14', 'update c@11->15']);
      assert.deepEqual(objects[1]?.old?.metadata?.labels, {});
      assert.deepEqual(objects[1]?.obj.metadata?.labels, { v: '2' });
      assert.deepEqual(names(inf.list()), ['a', 'c']);
      assert.equal(rvOf(inf.get('default/c')), '15');
      assert.equal(inf.get('default/nobody'), undefined);
      assert.deepEqual(inf.byLabels('default', { v: '3' }).map(rvOf), ['15']);
    } finally {
      factory.stop();
    }
  });

  it('a BOOKMARK moves the resourceVersion on without calling handlers or touching the cache', async () => {
    const { factory, inf, seen, w } = await started([fsvc('a', '5')], '10');
    try {
      w.event('ADDED', fsvc('b', '11'));
      w.event('BOOKMARK', { kind: 'Service', apiVersion: 'v1', metadata: { resourceVersion: '20' } });
      w.end();
      // The watch resumes from the bookmark's revision, not the last object's.
      const w2 = await expectWatch('20');
      assert.deepEqual(seen, ['add a@5', 'add b@11']);
      assert.deepEqual(names(inf.list()), ['a', 'b']);
      assert.equal(inf.get(''), undefined);
      // Bookmarks keep coming; only real events reach handlers.
      w2.event('BOOKMARK', { kind: 'Service', apiVersion: 'v1', metadata: { resourceVersion: '25' } });
      w2.event('MODIFIED', fsvc('a', '26'));
      w2.event('BOOKMARK', { kind: 'Service', apiVersion: 'v1', metadata: { resourceVersion: '30' } });
      w2.end();
      await expectWatch('30');
      assert.deepEqual(seen, ['add a@5', 'add b@11', 'update a@5->26']);
      assert.equal(rvOf(inf.get('default/a')), '26');
    } finally {
      factory.stop();
    }
  });

  it('a stream that ends is resumed from the last event without a relist', async () => {
    const { factory, seen, w } = await started([fsvc('a', '5')], '10');
    try {
      w.event('MODIFIED', fsvc('a', '11'));
      w.end();
      const w2 = await expectWatch('11');
      w2.event('DELETED', fsvc('a', '12'));
      w2.event('ADDED', fsvc('b', '13'));
      w2.end();
      const w3 = await expectWatch('13');
      w3.event('ADDED', fsvc('c', '14'));
      await until(() => seen.length === 5, 'c');
      assert.deepEqual(seen, ['add a@5', 'update a@5->11', 'delete a@12', 'add b@13', 'add c@14']);
      assert.deepEqual(calls(), ['list', 'watch 10', 'watch 11', 'watch 13']);
    } finally {
      factory.stop();
    }
  });

  for (const [how, send410] of [
    [
      'an ERROR event with a 410 Status',
      (r: FakeRequest) => {
        const s = stream(r);
        s.event('ERROR', status(410, 'Expired', 'too old resource version: 11 (40)'));
      },
    ],
    ['an HTTP 410 answer', (r: FakeRequest) => reply(r, 410, status(410, 'Gone', 'too old'))],
  ] as const) {
    it(`relists after ${how} and hands handlers exactly the difference`, async () => {
      const before = [fsvc('same', '5'), fsvc('changed', '6'), fsvc('removed', '7')];
      const { factory, inf, seen, objects, w } = await started(before, '10');
      try {
        w.event('MODIFIED', fsvc('changed', '11'));
        w.end();
        await until(() => seen.length === 4, 'the update');
        seen.length = 0;
        objects.length = 0;
        const again = await fake.expect('GET', SVCS);
        assert.equal(again.query.get('resourceVersion'), '11');
        send410(again);
        const l = await expectList();
        reply(
          l,
          200,
          list('50', [fsvc('added', '45'), fsvc('changed', '44', { v: '2' }), fsvc('same', '5')]),
        );
        const w2 = await expectWatch('50');
        assert.deepEqual(seen, ['delete removed@7', 'add added@45', 'update changed@11->44']);
        assert.deepEqual(objects[0]?.obj, { ...before[2], apiVersion: 'v1', kind: 'Service' });
        assert.deepEqual(objects[2]?.obj.metadata?.labels, { v: '2' });
        assert.deepEqual(names(inf.list()), ['added', 'changed', 'same']);
        w2.event('MODIFIED', fsvc('same', '51'));
        await until(() => seen.length === 4, 'the next event');
        assert.equal(seen[3], 'update same@5->51');
      } finally {
        factory.stop();
      }
    });
  }

  it('relists after other watch failures, with a backoff, and retries a failed list before syncing', async () => {
    const lines: string[] = [];
    const log = createLogger({ format: 'json', write: (l) => lines.push(l) });
    const factory = new SharedInformerFactory(fake.client(), log);
    try {
      const inf = factory.informer<Service>(Services, { namespace: 'default' });
      const { seen } = recorder(inf);
      factory.start();
      reply(await expectList(), 500, status(500, 'InternalError', 'etcd is sad'));
      // Retried (after a backoff); synced only once a list succeeded.
      const l = await expectList();
      assert.equal(inf.hasSynced(), false);
      reply(l, 200, list('10', [fsvc('a', '5')]));
      const w = await expectWatch('10');
      await inf.synced();

      // An ERROR that is not 410: relist (not a resume), then diff.
      w.event('ERROR', status(500, 'InternalError', 'boom'));
      reply(await expectList(), 200, list('20', [fsvc('a', '15')]));
      const w2 = await expectWatch('20');
      // (An event resets the backoff, so each failure below waits the shortest time.)
      w2.event('ADDED', fsvc('b', '21'));
      // A line that is not JSON: the stream can't be trusted, relist.
      w2.raw('{"type":"ADDED","object":\n');
      reply(await expectList(), 200, list('30', [fsvc('a', '15'), fsvc('b', '21'), fsvc('c', '25')]));
      const w3 = await expectWatch('30');
      w3.event('MODIFIED', fsvc('c', '31'));
      await until(() => seen.length === 5, 'c modified');
      // A cut connection: relist.
      w3.r.res.destroy();
      reply(await expectList(), 200, list('40', [fsvc('c', '31')]));
      await expectWatch('40');
      assert.deepEqual(seen, [
        'add a@5',
        'update a@5->15',
        'add b@21',
        'add c@25',
        'update c@25->31',
        'delete a@15',
        'delete b@21',
      ]);
      assert.deepEqual(calls(), [
        'list',
        'list',
        'watch 10',
        'list',
        'watch 20',
        'list',
        'watch 30',
        'list',
        'watch 40',
      ]);
      const warnings = lines.map((x) => (JSON.parse(x) as { msg: string }).msg);
      assert.deepEqual(warnings, [
        'List failed; retrying',
        'Watch failed; resuming',
        'Watch failed; resuming',
        'Watch failed; resuming',
      ]);
    } finally {
      factory.stop();
    }
  });

  it('stop() closes the watch connection', async () => {
    const { factory, w } = await started([fsvc('a', '5')], '10');
    const closed = new Promise<void>((resolve) => w.r.res.on('close', () => resolve()));
    factory.stop();
    await closed;
    assert.deepEqual(calls(), ['list', 'watch 10']);
  });
});
