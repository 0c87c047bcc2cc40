/**
 * Watch and list semantics over HTTP: list-then-watch from the list's
 * resourceVersion, resourceVersion=0 with synthetic ADDED events, label and
 * field selector watches (an object leaving the selector is DELETED with its
 * previous content), watch-list bookmarks, `limit`/`continue` over 1,000
 * Services with a snapshot that survives later writes, and the 410 Expired
 * paths once history is compacted (`--etcd-compaction-interval`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, pool, service, type WatchEvent } from './api.js';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import { restart } from './procs.js';

const skip = skipReason();

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON
type Obj = any;

const summary = (events: WatchEvent[]) =>
  events.map((e) => `${e.type} ${e.object?.metadata?.name ?? e.object?.reason ?? ''}`);

async function createNamespace(api: Api, name: string): Promise<void> {
  const r = await api.request('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  assert.equal(r.status, 201, r.body);
}

const mergePatch = { 'Content-Type': 'application/merge-patch+json' };

/** A merge patch that must succeed; returns the object. */
async function patch(api: Api, path: string, body: unknown): Promise<Obj> {
  const r = await api.request('PATCH', path, body, mergePatch);
  assert.equal(r.status, 200, `PATCH ${path}: ${r.body}`);
  return JSON.parse(r.body);
}

/** The resourceVersion of a list of `path` now: a watch from it sees exactly what follows. */
async function listRV(api: Api, path: string): Promise<string> {
  return (await api.json('GET', path, undefined, 200)).metadata.resourceVersion;
}

describe('watch semantics', { skip }, () => {
  let c: Cluster;
  let api: Api;
  before(async () => {
    c = await startCluster();
    api = Api.of(c, { maxSockets: 32 });
  });
  after(() => {
    api?.close();
    stopCluster(c);
  });

  it('list, then watch from the list resourceVersion: exactly the later changes, in order', async () => {
    await createNamespace(api, 'lw');
    const svcs = '/api/v1/namespaces/lw/services';
    for (const n of ['one', 'two']) assert.equal((await api.request('POST', svcs, service(n))).status, 201);
    const list = await api.json('GET', svcs, undefined, 200);
    assert.deepEqual(
      list.items.map((s: Obj) => s.metadata.name),
      ['one', 'two'],
    );
    const w = api.watch(`${svcs}?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
    try {
      const three = await api.json('POST', svcs, service('three'), 201);
      await patch(api, `${svcs}/one`, { metadata: { labels: { a: 'b' } } });
      await patch(api, `${svcs}/one`, { metadata: { labels: { a: 'b' } } }); // a no-op: no event
      const two = await api.json('DELETE', `${svcs}/two`, undefined, 200);
      await api.json('POST', svcs, service('sentinel'), 201);
      await w.count(4);
      assert.deepEqual(summary(w.events), ['ADDED three', 'MODIFIED one', 'DELETED two', 'ADDED sentinel']);
      const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
      assert.ok(
        rvs.every((rv, i) => i === 0 || rv > rvs[i - 1]!),
        `increasing resourceVersions: ${rvs}`,
      );
      assert.ok(rvs[0]! > Number(list.metadata.resourceVersion));
      assert.equal(w.events[0]!.object.metadata.uid, three.metadata.uid);
      assert.equal(w.events[1]!.object.metadata.labels.a, 'b');
      // A deleted object arrives with its last state.
      assert.equal(w.events[2]!.object.metadata.uid, two.metadata.uid);
      assert.deepEqual(w.events[2]!.object.spec, two.spec);
    } finally {
      await w.close();
    }
  });

  it('resourceVersion=0 and unset start with synthetic ADDED events for what exists', async () => {
    const svcs = '/api/v1/namespaces/lw/services';
    for (const rv of ['&resourceVersion=0', '']) {
      const w = api.watch(`${svcs}?watch=true${rv}`);
      try {
        await w.count(3);
        assert.deepEqual(summary(w.events).sort(), ['ADDED one', 'ADDED sentinel', 'ADDED three']);
        await patch(api, `${svcs}/three`, { metadata: { labels: { rv: rv ? 'zero' : 'unset' } } });
        await w.count(4);
        assert.equal(summary(w.events)[3], 'MODIFIED three');
      } finally {
        await w.close();
      }
    }
    // A single object: kubectl's get -w watches by name from resourceVersion 0.
    const one = api.watch(`${svcs}?watch=true&fieldSelector=metadata.name%3Done&resourceVersion=0`);
    try {
      await one.count(1);
      assert.deepEqual(summary(one.events), ['ADDED one']);
    } finally {
      await one.close();
    }
  });

  it('label selector watches: objects entering are ADDED, leaving are DELETED with their previous content', async () => {
    await createNamespace(api, 'sel');
    const svcs = '/api/v1/namespaces/sel/services';
    const rv = await listRV(api, '/api/v1/services');
    const w = api.watch(`${svcs}?watch=true&labelSelector=app%3Dweb&resourceVersion=${rv}`);
    const all = api.watch(
      `/api/v1/services?watch=true&labelSelector=app+in+(web,db),tier!%3Dcache&resourceVersion=${rv}`,
    );
    try {
      await api.json('POST', svcs, service('web', {}, { labels: { app: 'web' } }), 201);
      await api.json('POST', svcs, service('db', {}, { labels: { app: 'db' } }), 201);
      await api.json('POST', svcs, service('cache', {}, { labels: { app: 'web', tier: 'cache' } }), 201);
      await patch(api, `${svcs}/db`, { metadata: { labels: { app: 'web' } } });
      const left = await patch(api, `${svcs}/web`, { metadata: { labels: { app: 'api' } } });
      await api.json('DELETE', `${svcs}/db`, undefined, 200);
      await api.json('POST', svcs, service('end', {}, { labels: { app: 'web' } }), 201);
      await w.count(6);
      assert.deepEqual(summary(w.events), [
        'ADDED web',
        'ADDED cache',
        'ADDED db',
        'DELETED web',
        'DELETED db',
        'ADDED end',
      ]);
      // Leaving: the previous content (still matching), at the update's resourceVersion.
      const gone = w.events[3]!.object;
      assert.equal(gone.metadata.labels.app, 'web');
      assert.equal(gone.metadata.resourceVersion, left.metadata.resourceVersion);

      await all.until((e) => summary(e).includes('ADDED end'));
      assert.deepEqual(summary(all.events), [
        'ADDED web',
        'ADDED db',
        'MODIFIED db',
        'DELETED web',
        'DELETED db',
        'ADDED end',
      ]);
    } finally {
      await w.close();
      await all.close();
    }
  });

  it('field selector watches: spec.type and metadata.name', async () => {
    const svcs = '/api/v1/namespaces/sel/services';
    const rv = await listRV(api, svcs);
    const np = api.watch(`${svcs}?watch=true&fieldSelector=spec.type%3DNodePort&resourceVersion=${rv}`);
    const byName = api.watch(
      `/api/v1/services?watch=true&fieldSelector=metadata.name%3Dflip,metadata.namespace%3Dsel&resourceVersion=${rv}`,
    );
    try {
      await api.json('POST', svcs, service('flip'), 201);
      await patch(api, `${svcs}/flip`, { spec: { type: 'NodePort' } });
      const back = await api.request(
        'PATCH',
        `${svcs}/flip`,
        { spec: { type: 'ClusterIP' } },
        {
          'Content-Type': 'application/strategic-merge-patch+json',
        },
      );
      assert.equal(back.status, 200, back.body);
      await api.json('POST', svcs, service('np-end', { type: 'NodePort' }), 201);
      await np.count(3);
      assert.deepEqual(summary(np.events), ['ADDED flip', 'DELETED flip', 'ADDED np-end']);
      assert.equal(np.events[1]!.object.spec.type, 'NodePort', 'previous content');
      assert.ok(np.events[1]!.object.spec.ports[0].nodePort > 0);
      await byName.count(3);
      assert.deepEqual(summary(byName.events), ['ADDED flip', 'MODIFIED flip', 'MODIFIED flip']);
    } finally {
      await np.close();
      await byName.close();
    }
  });

  it('watch-list: initial events, then a bookmark marking their end', async () => {
    const w = api.watch(
      '/api/v1/namespaces/lw/services?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
    );
    try {
      await w.until((e) => e.some((x) => x.type === 'BOOKMARK'));
      const types = w.events.map((e) => e.type);
      assert.deepEqual(types, ['ADDED', 'ADDED', 'ADDED', 'BOOKMARK']);
      assert.equal(w.events[3]!.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    } finally {
      await w.close();
    }
    const bad = await api.request('GET', '/api/v1/services?watch=true&sendInitialEvents=true');
    assert.equal(bad.status, 400, bad.body);
  });

  it('pages through 1,000 services with limit/continue: every item exactly once', async () => {
    await createNamespace(api, 'pages');
    const svcs = '/api/v1/namespaces/pages/services';
    const names = Array.from({ length: 1000 }, (_, i) => `s-${String(i).padStart(4, '0')}`);
    const created = await pool(names, 32, (n) => api.request('POST', svcs, service(n)));
    for (const r of created) assert.equal(r.status, 201, r.body);

    const seen: string[] = [];
    let token = '';
    let pages = 0;
    let listRV = '';
    for (;;) {
      const page = await api.json(
        'GET',
        `${svcs}?limit=100${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
        undefined,
        200,
      );
      pages++;
      if (pages === 1) {
        listRV = page.metadata.resourceVersion;
        assert.equal(page.metadata.remainingItemCount, 900);
      } else assert.equal(page.metadata.resourceVersion, listRV, 'one snapshot');
      seen.push(...page.items.map((s: Obj) => s.metadata.name));
      token = page.metadata.continue ?? '';
      if (!token) break;
      assert.ok(pages < 20, 'bounded');
    }
    assert.equal(pages, 10);
    assert.deepEqual(seen, names);
  });

  it('a continue token from before many writes still yields the snapshot it started', async () => {
    const svcs = '/api/v1/namespaces/pages/services';
    const first = await api.json('GET', `${svcs}?limit=250`, undefined, 200);
    const snapshot = new Map<string, string>();
    const full = await api.json('GET', svcs, undefined, 200);
    for (const s of full.items) snapshot.set(s.metadata.name, s.metadata.resourceVersion);
    assert.equal(full.metadata.resourceVersion, first.metadata.resourceVersion);

    // Many writes: deletes past the first page, new names, updates.
    const del = Array.from({ length: 200 }, (_, i) => `s-${String(500 + i).padStart(4, '0')}`);
    const upd = Array.from({ length: 100 }, (_, i) => `s-${String(300 + i).padStart(4, '0')}`);
    const add = Array.from({ length: 100 }, (_, i) => `t-${i}`);
    await pool(del, 32, async (n) => assert.equal((await api.request('DELETE', `${svcs}/${n}`)).status, 200));
    await pool(upd, 32, (n) => patch(api, `${svcs}/${n}`, { metadata: { labels: { later: 'yes' } } }));
    await pool(add, 32, async (n) => assert.equal((await api.request('POST', svcs, service(n))).status, 201));

    const got = new Map<string, string>(
      first.items.map((s: Obj) => [s.metadata.name, s.metadata.resourceVersion] as [string, string]),
    );
    let token: string = first.metadata.continue;
    for (let pages = 0; token; pages++) {
      assert.ok(pages < 20, 'bounded');
      const page = await api.json(
        'GET',
        `${svcs}?limit=250&continue=${encodeURIComponent(token)}`,
        undefined,
        200,
      );
      assert.equal(page.metadata.resourceVersion, first.metadata.resourceVersion);
      for (const s of page.items) {
        assert.ok(!got.has(s.metadata.name), `${s.metadata.name} twice`);
        assert.equal(s.metadata.labels?.later, undefined, `${s.metadata.name} as of the snapshot`);
        got.set(s.metadata.name, s.metadata.resourceVersion);
      }
      token = page.metadata.continue ?? '';
    }
    assert.deepEqual(got, snapshot);
    // A fresh list sees the writes.
    const now = await api.json('GET', svcs, undefined, 200);
    assert.equal(now.items.length, 1000 - 200 + 100);
  });

  it('a malformed continue token is a 400', async () => {
    const r = await api.request('GET', '/api/v1/namespaces/pages/services?limit=10&continue=not-a-token');
    assert.equal(r.status, 400, r.body);
    assert.equal(JSON.parse(r.body).reason, 'BadRequest');
  });
});

describe('compacted history: 410 Expired', { skip }, () => {
  let c: Cluster;
  let api: Api;
  const flags = ['--etcd-compaction-interval=1s'];
  before(async () => {
    c = await startCluster(flags);
    api = Api.of(c);
  });
  after(() => {
    api?.close();
    stopCluster(c);
  });

  it('watches and continue tokens from before the compaction get 410 Expired', async () => {
    const svcs = '/api/v1/namespaces/default/services';
    for (let i = 0; i < 5; i++) await api.json('POST', svcs, service(`old-${i}`), 201);
    const list = await api.json('GET', svcs, undefined, 200);
    const rv = list.metadata.resourceVersion;
    const page = await api.json('GET', `${svcs}?limit=2`, undefined, 200);
    assert.ok(page.metadata.continue);
    await api.json('POST', svcs, service('after-list'), 201);

    // A restart empties the watch cache's window: older watches are replayed from the store.
    api.close();
    c.stop();
    restart(c, flags);
    api = Api.of(c);

    // Writes move the store on; the compactor then passes the list's revision.
    await api.json('POST', svcs, service('after-restart'), 201);
    await eventually(
      async () => {
        await patch(api, `${svcs}/after-restart`, { metadata: { labels: { t: String(Date.now()) } } });
        const r = await api.request('GET', `${svcs}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
        return r.status === 410 ? r : undefined;
      },
      20_000,
      `compaction past ${rv}`,
    );
    const exact = await api.request('GET', `${svcs}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    assert.deepEqual(JSON.parse(exact.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'The resourceVersion for the provided list is too old.',
      reason: 'Expired',
      code: 410,
    });

    const w = api.watch(`${svcs}?watch=true&resourceVersion=${rv}`);
    await w.done;
    assert.equal(w.status, 200);
    assert.equal(w.ending, 'end');
    assert.equal(w.events.length, 1, JSON.stringify(w.events));
    const ev = w.events[0]!;
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.object.kind, 'Status');
    assert.equal(ev.object.status, 'Failure');
    assert.equal(ev.object.code, 410);
    assert.equal(ev.object.reason, 'Expired');
    assert.match(ev.object.message, new RegExp(`^too old resource version: ${rv} \\(\\d+\\)$`));

    const cont = await api.request(
      'GET',
      `${svcs}?limit=2&continue=${encodeURIComponent(page.metadata.continue)}`,
    );
    assert.equal(cont.status, 410, cont.body);
    const s = JSON.parse(cont.body);
    assert.equal(s.reason, 'Expired');
    assert.equal(
      s.message,
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    );
    // As upstream, the 410 carries a token that goes on at the latest revision.
    assert.deepEqual(
      page.items.map((x: Obj) => x.metadata.name),
      ['kubernetes', 'old-0'],
    );
    const rest: string[] = [];
    let token: string = s.metadata.continue;
    for (let pages = 0; token; pages++) {
      assert.ok(pages < 10, 'bounded');
      const next = await api.json(
        'GET',
        `${svcs}?limit=2&continue=${encodeURIComponent(token)}`,
        undefined,
        200,
      );
      rest.push(...next.items.map((x: Obj) => x.metadata.name));
      token = next.metadata.continue ?? '';
    }
    assert.deepEqual(rest, ['old-1', 'old-2', 'old-3', 'old-4']);

    // A fresh list and watch work.
    const fresh = await api.json('GET', svcs, undefined, 200);
    const w2 = api.watch(`${svcs}?watch=true&resourceVersion=${fresh.metadata.resourceVersion}`);
    try {
      await api.json('POST', svcs, service('fresh'), 201);
      await w2.until((e) => summary(e).includes('ADDED fresh'));
      assert.ok(w2.events.every((e) => e.type !== 'ERROR'));
    } finally {
      await w2.close();
    }
  });
});
