/**
 * The Store contract as a test suite, run against every backend (memory,
 * SQLite, later etcd): `runStoreConformance('memory', async () => new MemoryStore())`.
 * Each test gets a fresh store from the factory and closes it afterwards. The
 * store must hold no keys and see no other writers, but may start at any
 * revision (etcd starts at 1): revisions are checked relative to the start.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type KeyValue,
  type Store,
  StoreError,
  type StoreErrorCode,
  type WatchEvent,
} from '../../src/store/store.js';
import { eventKey, eventRevision } from '../../src/store/watch-hub.js';
import { record, settle } from './watch-recorder.js';

/** Awaits a rejection with a StoreError of `code` and returns it. */
export async function expectStoreError(p: Promise<unknown>, code: StoreErrorCode): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, `expected a StoreError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected StoreError ${code}, but the call succeeded`);
}

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byKey = (a: KeyValue, b: KeyValue) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** What a sequence of writes produced: the state after every revision, and its events. */
interface History {
  /** The revision before the first write. */
  base: number;
  /** snapshots[i]: the keys and values at revision base + i (index 0: empty). */
  snapshots: Map<string, KeyValue>[];
  events: WatchEvent[];
}

/**
 * Applies `n` random creates, updates and deletes (some re-creating deleted
 * keys) under a few neighbouring prefixes, modelling what each must do.
 */
async function randomHistory(store: Store, n: number, seed = 7): Promise<History> {
  const rand = rng(seed);
  const base = await store.revision();
  const keys = ['/a', '/a/', '/a/1', '/a/2', '/a/3', '/a/3/x', '/ab/1', '/ab/2', '/b/1', '/b/2', '/c'];
  const model = new Map<string, KeyValue>();
  const snapshots: Map<string, KeyValue>[] = [new Map()];
  const events: WatchEvent[] = [];
  for (let i = 0; i < n; i++) {
    const key = keys[Math.floor(rand() * keys.length)]!;
    const cur = model.get(key);
    const value = `{"i":${i}}`;
    if (!cur) {
      const kv = await store.create(key, value);
      assert.deepEqual(kv, { key, value, createRevision: base + i + 1, modRevision: base + i + 1 });
      model.set(key, kv);
      events.push({ type: 'put', kv });
    } else if (rand() < 0.7) {
      const kv = await store.update(key, value, cur.modRevision);
      assert.deepEqual(kv, { key, value, createRevision: cur.createRevision, modRevision: base + i + 1 });
      model.set(key, kv);
      events.push({ type: 'put', kv, prev: cur });
    } else {
      const res = await store.delete(key, cur.modRevision);
      assert.deepEqual(res, { prev: cur, revision: base + i + 1 });
      model.delete(key);
      events.push({ type: 'delete', key, revision: base + i + 1, prev: cur });
    }
    snapshots.push(new Map(model));
  }
  return { base, snapshots, events };
}

function expectedList(snapshot: Map<string, KeyValue>, prefix: string): KeyValue[] {
  return [...snapshot.values()].filter((kv) => kv.key.startsWith(prefix)).sort(byKey);
}

/** Reads a whole prefix at `revision` in pages of `limit`, checking each page's bookkeeping. */
async function listPaged(store: Store, prefix: string, revision: number, limit: number): Promise<KeyValue[]> {
  const out: KeyValue[] = [];
  let startKey: string | undefined;
  for (;;) {
    const page = await store.list(prefix, { revision, limit, startKey });
    assert.equal(page.revision, revision);
    assert.ok(page.items.length <= limit);
    out.push(...page.items);
    if (!page.more) {
      assert.equal(page.remaining, 0);
      return out;
    }
    assert.equal(page.items.length, limit);
    const rest = await store.list(prefix, { revision, startKey: `${page.items.at(-1)!.key}\0` });
    assert.equal(page.remaining, rest.items.length, 'remaining counts the items after the page');
    startKey = `${page.items.at(-1)!.key}\0`;
  }
}

export function runStoreConformance(name: string, factory: () => Promise<Store>): void {
  /** Runs `fn` against a fresh store and its starting revision `b`, closing it however the test ends. */
  const withStore = (fn: (s: Store, b: number) => Promise<void>) => async () => {
    const s = await factory();
    try {
      await fn(s, await s.revision());
    } finally {
      await s.close();
    }
  };

  describe(`Store conformance: ${name}`, () => {
    describe('reads and writes', () => {
      it(
        'starts empty',
        withStore(async (s, b) => {
          assert.ok(b >= 0);
          assert.ok((await s.compactRevision()) <= b);
          assert.equal(await s.get('/a'), undefined);
          assert.deepEqual(await s.list(''), { items: [], revision: b, more: false, remaining: 0 });
          assert.equal(await s.count(''), 0);
        }),
      );

      it(
        'passes its health check while open',
        withStore(async (s) => {
          await s.check();
          await s.create('/a', '1');
          await s.check();
        }),
      );

      it(
        'create stores the value at a new revision and get reads it back',
        withStore(async (s, b) => {
          const kv = await s.create('/registry/services/default/a', '{"x":1}');
          assert.deepEqual(kv, {
            key: '/registry/services/default/a',
            value: '{"x":1}',
            createRevision: b + 1,
            modRevision: b + 1,
          });
          assert.deepEqual(await s.get('/registry/services/default/a'), kv);
          assert.equal(await s.get('/registry/services/default/b'), undefined);
          assert.equal(await s.revision(), b + 1);
        }),
      );

      it(
        'create of an existing key fails with KeyExists and changes nothing',
        withStore(async (s, b) => {
          const kv = await s.create('/a', 'one');
          await expectStoreError(s.create('/a', 'two'), 'KeyExists');
          assert.deepEqual(await s.get('/a'), kv);
          assert.equal(await s.revision(), b + 1);
        }),
      );

      it(
        'update replaces the value when the modRevision matches, keeping createRevision',
        withStore(async (s, b) => {
          await s.create('/x', 'filler');
          const a = await s.create('/a', 'one');
          const two = await s.update('/a', 'two', a.modRevision);
          assert.deepEqual(two, { key: '/a', value: 'two', createRevision: b + 2, modRevision: b + 3 });
          const three = await s.update('/a', 'three', two.modRevision);
          assert.deepEqual(three, { key: '/a', value: 'three', createRevision: b + 2, modRevision: b + 4 });
          assert.deepEqual(await s.get('/a'), three);
        }),
      );

      it(
        'update with a stale modRevision fails with Conflict carrying the current value',
        withStore(async (s, b) => {
          const a = await s.create('/a', 'one');
          const two = await s.update('/a', 'two', a.modRevision);
          const err = await expectStoreError(s.update('/a', 'three', a.modRevision), 'Conflict');
          assert.deepEqual(err.current, two);
          assert.deepEqual(await s.get('/a'), two);
          assert.equal(await s.revision(), b + 2);
        }),
      );

      it(
        'update of a missing key fails with KeyNotFound',
        withStore(async (s, b) => {
          await expectStoreError(s.update('/a', 'x', b + 1), 'KeyNotFound');
          const a = await s.create('/a', 'one');
          await s.delete('/a');
          await expectStoreError(s.update('/a', 'x', a.modRevision), 'KeyNotFound');
          assert.equal(await s.revision(), b + 2);
        }),
      );

      it(
        'delete returns the deleted value and the revision of the delete',
        withStore(async (s, b) => {
          const a = await s.create('/a', 'one');
          await s.create('/b', 'two');
          assert.deepEqual(await s.delete('/a'), { prev: a, revision: b + 3 });
          assert.equal(await s.get('/a'), undefined);
          assert.equal(await s.revision(), b + 3);
          await expectStoreError(s.delete('/a'), 'KeyNotFound');
          await expectStoreError(s.delete('/never'), 'KeyNotFound');
          assert.equal(await s.revision(), b + 3);
        }),
      );

      it(
        'delete with a stale modRevision fails with Conflict; with the current one it succeeds',
        withStore(async (s, b) => {
          const a = await s.create('/a', 'one');
          const two = await s.update('/a', 'two', a.modRevision);
          const err = await expectStoreError(s.delete('/a', a.modRevision), 'Conflict');
          assert.deepEqual(err.current, two);
          assert.deepEqual(await s.get('/a'), two);
          assert.deepEqual(await s.delete('/a', two.modRevision), { prev: two, revision: b + 3 });
        }),
      );

      it(
        'every successful write increments the revision by exactly one; failed writes do not',
        withStore(async (s, b) => {
          const seen: number[] = [];
          const a = await s.create('/a', '1');
          seen.push(a.modRevision);
          await expectStoreError(s.create('/a', '1'), 'KeyExists');
          const a2 = await s.update('/a', '2', a.modRevision);
          seen.push(a2.modRevision);
          await expectStoreError(s.update('/a', '3', a.modRevision), 'Conflict');
          seen.push((await s.create('/b', '1')).modRevision);
          seen.push((await s.delete('/b')).revision);
          await expectStoreError(s.delete('/b'), 'KeyNotFound');
          seen.push((await s.create('/b', '2')).modRevision);
          assert.deepEqual(seen, [b + 1, b + 2, b + 3, b + 4, b + 5]);
          assert.equal(await s.revision(), b + 5);
        }),
      );

      it(
        'a key re-created after a delete gets a new createRevision',
        withStore(async (s, b) => {
          const a = await s.create('/a', 'one');
          await s.update('/a', 'two', a.modRevision);
          await s.delete('/a');
          const again = await s.create('/a', 'three');
          assert.deepEqual(again, { key: '/a', value: 'three', createRevision: b + 4, modRevision: b + 4 });
          const upd = await s.update('/a', 'four', b + 4);
          assert.equal(upd.createRevision, b + 4);
        }),
      );

      it(
        'values are stored verbatim',
        withStore(async (s) => {
          const values = ['', ' ', 'ü 日本 🙂 \u0000 \uffff', '{\n  "a": [1, 2]\n}\n', 'x'.repeat(300_000)];
          for (const [i, v] of values.entries()) {
            await s.create(`/v/${i}`, v);
            assert.equal((await s.get(`/v/${i}`))?.value, v);
          }
          const all = await s.list('/v/');
          assert.deepEqual(
            all.items.map((kv) => kv.value),
            values,
          );
        }),
      );
    });

    describe('lists', () => {
      it(
        'lists exactly the keys under the prefix, in key order',
        withStore(async (s, b) => {
          const keys = [
            '/registry/services/default/b',
            '/registry/servicesx/default/a',
            '/registry/services',
            '/registry/services/',
            '/registry/service/a',
            '/registry/services/default/a',
            '/registry/services/kube-system/a',
            '/registry/services/default/a/b',
            '/registry/services0',
            '/registry/pods/default/a',
          ];
          for (const k of keys) await s.create(k, k);
          const want = [
            '/registry/services/',
            '/registry/services/default/a',
            '/registry/services/default/a/b',
            '/registry/services/default/b',
            '/registry/services/kube-system/a',
          ];
          const got = await s.list('/registry/services/');
          assert.deepEqual(
            got.items.map((kv) => kv.key),
            want,
          );
          assert.deepEqual(got.items[1], {
            key: want[1],
            value: want[1],
            createRevision: b + 6,
            modRevision: b + 6,
          });
          assert.equal(got.revision, b + 10);
          assert.equal(got.more, false);
          assert.equal(await s.count('/registry/services/'), 5);
          assert.equal(await s.count('/registry/services'), 8);
          assert.equal(await s.count('/registry/'), 10);
          assert.equal(await s.count(''), 10);
          assert.deepEqual(
            (await s.list('')).items.map((kv) => kv.key),
            [...keys].sort(),
          );
          assert.deepEqual((await s.list('/registry/services/default/a/b/')).items, []);
        }),
      );

      it(
        'orders keys by code point (UTF-8 bytes), as etcd does',
        withStore(async (s, b) => {
          // JavaScript's `<` would put the surrogate pair of U+1F600 before U+E000.
          const want = ['/k/a', '/k/é', '/k/\ue000', '/k/\u{1f600}', '/k/\u{1f600}a'];
          for (const k of [...want].reverse()) await s.create(k, 'v');
          assert.deepEqual(
            (await s.list('/k/')).items.map((kv) => kv.key),
            want,
          );
          assert.deepEqual(
            (await s.list('/k/', { revision: b + 3 })).items.map((kv) => kv.key),
            want.slice(2),
          );
          assert.deepEqual(
            (await s.list('/k/\u{1f600}')).items.map((kv) => kv.key),
            want.slice(3),
          );
          assert.equal(await s.count('/k/\ue000'), 1);
        }),
      );

      it(
        'pages with limit and startKey, reporting more and remaining',
        withStore(async (s, b) => {
          const keys = Array.from({ length: 25 }, (_, i) => `/p/${String(i).padStart(2, '0')}`);
          for (const k of keys) await s.create(k, k);
          await s.create('/q/0', 'outside');
          const first = await s.list('/p/', { limit: 10 });
          assert.deepEqual(
            first.items.map((kv) => kv.key),
            keys.slice(0, 10),
          );
          assert.equal(first.more, true);
          assert.equal(first.remaining, 15);
          assert.equal(first.revision, b + 26);
          const second = await s.list('/p/', { limit: 10, startKey: '/p/09\0' });
          assert.deepEqual(
            second.items.map((kv) => kv.key),
            keys.slice(10, 20),
          );
          assert.equal(second.remaining, 5);
          const last = await s.list('/p/', { limit: 10, startKey: '/p/19\0' });
          assert.deepEqual(
            last.items.map((kv) => kv.key),
            keys.slice(20),
          );
          assert.equal(last.more, false);
          assert.equal(last.remaining, 0);
          // startKey is inclusive; before the prefix it is the prefix, past it nothing.
          assert.deepEqual(
            (await s.list('/p/', { limit: 2, startKey: '/p/05' })).items.map((kv) => kv.key),
            ['/p/05', '/p/06'],
          );
          assert.deepEqual(
            (await s.list('/p/', { limit: 2, startKey: '/a' })).items.map((kv) => kv.key),
            ['/p/00', '/p/01'],
          );
          assert.deepEqual((await s.list('/p/', { startKey: '/q' })).items, []);
          // A limit equal to the number of items is not cut short.
          const exact = await s.list('/p/', { limit: 25 });
          assert.equal(exact.items.length, 25);
          assert.equal(exact.more, false);
          assert.equal(exact.remaining, 0);
          assert.deepEqual(
            (await listPaged(s, '/p/', b + 26, 7)).map((kv) => kv.key),
            keys,
          );
        }),
      );

      it(
        'lists at every past revision see the state as of that revision',
        withStore(async (s, b) => {
          const h = await randomHistory(s, 120);
          const current = await s.revision();
          assert.equal(current, b + 120);
          for (let i = 1; i <= 120; i++) {
            const r = b + i;
            for (const prefix of ['', '/a', '/a/', '/b/']) {
              const got = await s.list(prefix, { revision: r });
              assert.equal(got.revision, r);
              assert.deepEqual(got.items, expectedList(h.snapshots[i]!, prefix), `list ${prefix} at ${r}`);
            }
            assert.deepEqual(await listPaged(s, '/a', r, 2), expectedList(h.snapshots[i]!, '/a'));
          }
          // Revision 0 or absent means "now".
          assert.deepEqual((await s.list('', { revision: 0 })).items, expectedList(h.snapshots[120]!, ''));
          assert.equal((await s.list('')).revision, current);
        }),
      );

      it(
        'a paged list keeps reading at its revision while writes land',
        withStore(async (s, b) => {
          for (let i = 0; i < 6; i++) await s.create(`/l/${i}`, 'old');
          const page1 = await s.list('/l/', { limit: 3 });
          await s.update('/l/4', 'new', b + 5);
          await s.delete('/l/5');
          await s.create('/l/45', 'new');
          const page2 = await s.list('/l/', { limit: 3, startKey: '/l/2\0', revision: page1.revision });
          assert.deepEqual(
            page2.items.map((kv) => [kv.key, kv.value]),
            [
              ['/l/3', 'old'],
              ['/l/4', 'old'],
              ['/l/5', 'old'],
            ],
          );
          assert.equal(page2.more, false);
          const now = await s.list('/l/', { startKey: '/l/2\0' });
          assert.deepEqual(
            now.items.map((kv) => [kv.key, kv.value]),
            [
              ['/l/3', 'old'],
              ['/l/4', 'new'],
              ['/l/45', 'new'],
            ],
          );
        }),
      );

      it(
        'a list at a future revision fails with FutureRevision',
        withStore(async (s, b) => {
          await s.create('/a', '1');
          await expectStoreError(s.list('', { revision: b + 2 }), 'FutureRevision');
          await expectStoreError(s.list('/a', { revision: b + 100 }), 'FutureRevision');
        }),
      );
    });

    describe('watch', () => {
      it(
        'from 0 replays every event, with prev values, then continues live',
        withStore(async (s, b) => {
          const h = await randomHistory(s, 60);
          const { rec, watcher } = record(s, '', b);
          try {
            await rec.untilRevision(b + 60);
            assert.deepEqual(rec.events, h.events);
            const kv = await s.create('/live', 'x');
            await rec.untilRevision(b + 61);
            assert.deepEqual(rec.events.slice(60), [{ type: 'put', kv }]);
            assert.deepEqual(rec.errors, []);
          } finally {
            watcher.close();
          }
        }),
      );

      it(
        'from a middle revision delivers only later events, filtered by prefix',
        withStore(async (s, b) => {
          const h = await randomHistory(s, 80);
          const all = [...h.events];
          for (const [prefix, offset] of [
            ['', 40],
            ['/a/', 10],
            ['/a', 55],
            ['/b/', 79],
          ] as const) {
            const after = b + offset;
            const { rec, watcher } = record(s, prefix, after);
            try {
              const want = all.filter((e) => eventRevision(e) > after && eventKey(e).startsWith(prefix));
              const marker = await s.create(`${prefix}~marker${offset}`, 'm');
              await rec.untilRevision(marker.modRevision);
              assert.deepEqual(
                rec.events,
                [...want, { type: 'put', kv: marker }],
                `${prefix} after ${after}`,
              );
              const del = await s.delete(marker.key);
              all.push(
                { type: 'put', kv: marker },
                { type: 'delete', key: marker.key, revision: del.revision, prev: marker },
              );
            } finally {
              watcher.close();
            }
          }
        }),
      );

      it(
        'from the current revision delivers only new writes, puts and deletes with prev',
        withStore(async (s, b) => {
          const a = await s.create('/a', '1');
          const { rec, watcher } = record(s, '/', await s.revision());
          try {
            const a2 = await s.update('/a', '2', a.modRevision);
            const kvB = await s.create('/b', '1');
            const del = await s.delete('/a');
            await rec.untilRevision(del.revision);
            assert.deepEqual(rec.events, [
              { type: 'put', kv: a2, prev: a },
              { type: 'put', kv: kvB },
              { type: 'delete', key: '/a', revision: b + 4, prev: a2 },
            ]);
          } finally {
            watcher.close();
          }
        }),
      );

      it(
        'uses the same prefix boundary as list',
        withStore(async (s, b) => {
          const { rec, watcher } = record(s, '/registry/services/', b);
          try {
            await s.create('/registry/servicesx/a', 'no');
            await s.create('/registry/services', 'no');
            await s.create('/registry/service/a', 'no');
            const yes = await s.create('/registry/services/a', 'yes');
            await rec.untilRevision(yes.modRevision);
            await settle();
            assert.deepEqual(rec.events, [{ type: 'put', kv: yes }]);
          } finally {
            watcher.close();
          }
        }),
      );

      it(
        'from a future revision delivers nothing until past it',
        withStore(async (s, b) => {
          await s.create('/a', '0');
          const { rec, watcher } = record(s, '', b + 4);
          try {
            for (let i = 1; i <= 5; i++) await s.create(`/k${i}`, String(i));
            await rec.untilRevision(b + 6);
            assert.deepEqual(rec.revisions, [b + 5, b + 6]);
          } finally {
            watcher.close();
          }
        }),
      );

      it(
        'a watcher replaying history while writes land sees every revision once, in order',
        withStore(async (s, b) => {
          await Promise.all(Array.from({ length: 300 }, (_, i) => s.create(`/r/${i}`, 'v')));
          const { rec, watcher } = record(s, '', b);
          const late = record(s, '/r/', b + 150);
          try {
            // Writes issued while the replay is in flight, some sequential, some concurrent.
            const writes: Promise<unknown>[] = [];
            for (let i = 0; i < 100; i++) writes.push(s.create(`/r/late${i}`, 'v'));
            await Promise.all(writes);
            for (let i = 0; i < 20; i++) {
              const kv = (await s.get(`/r/${i}`))!;
              await s.update(kv.key, 'w', kv.modRevision);
            }
            await Promise.all(Array.from({ length: 50 }, (_, i) => s.delete(`/r/${i + 100}`)));
            const end = await s.revision();
            assert.equal(end, b + 470);
            await rec.untilRevision(end);
            await late.rec.untilRevision(end);
            await settle();
            const all = Array.from({ length: 470 }, (_, i) => b + i + 1);
            assert.deepEqual(rec.revisions, all);
            assert.deepEqual(late.rec.revisions, all.slice(150));
            // Never split within a revision: each batch is ascending and starts past the previous one.
            for (const r of [rec, late.rec]) {
              let last = b;
              for (const b of r.batches) {
                assert.ok(b.length > 0, 'empty batch');
                for (const e of b) {
                  assert.ok(eventRevision(e) > last);
                  last = eventRevision(e);
                }
              }
            }
          } finally {
            watcher.close();
            late.watcher.close();
          }
        }),
      );

      it(
        'many watchers each receive the whole stream',
        withStore(async (s, b) => {
          await s.create('/m/seed', 'x');
          const watches = Array.from({ length: 25 }, (_, i) =>
            record(s, i % 2 ? '/m/' : '', i % 5 === 0 ? b : b + 1),
          );
          try {
            await Promise.all(Array.from({ length: 60 }, (_, i) => s.create(`/m/${i}`, String(i))));
            for (const { rec } of watches) await rec.untilRevision(b + 61);
            for (const [i, { rec }] of watches.entries()) {
              const from = i % 5 === 0 ? 1 : 2;
              assert.deepEqual(
                rec.revisions,
                Array.from({ length: 62 - from }, (_, j) => b + j + from),
              );
            }
          } finally {
            for (const { watcher } of watches) watcher.close();
          }
        }),
      );

      it(
        'close() stops delivery and can be called twice',
        withStore(async (s, b) => {
          const { rec, watcher } = record(s, '', b);
          await s.create('/a', '1');
          await rec.untilRevision(b + 1);
          watcher.close();
          watcher.close();
          await s.create('/b', '1');
          await settle();
          assert.deepEqual(rec.revisions, [b + 1]);
          assert.deepEqual(rec.errors, []);
          // Closing during a replay delivers nothing more either.
          const second = record(s, '', b);
          second.watcher.close();
          await settle();
          assert.deepEqual(second.rec.events, []);
          assert.deepEqual(second.rec.errors, []);
        }),
      );
    });

    describe('compaction', () => {
      it(
        'drops history below the revision, keeping current values and later history',
        withStore(async (s, b) => {
          const h = await randomHistory(s, 100, 11);
          await s.compact(b + 60);
          assert.equal(await s.compactRevision(), b + 60);
          assert.equal(await s.revision(), b + 100);
          const err = await expectStoreError(s.list('', { revision: b + 59 }), 'Compacted');
          assert.equal(err.compactRevision, b + 60);
          await expectStoreError(s.list('/a/', { revision: b + 1 }), 'Compacted');
          for (let i = 60; i <= 100; i++) {
            const r = b + i;
            assert.deepEqual(
              (await s.list('', { revision: r })).items,
              expectedList(h.snapshots[i]!, ''),
              `at ${r}`,
            );
            assert.deepEqual(await listPaged(s, '/a/', r, 2), expectedList(h.snapshots[i]!, '/a/'));
          }
          for (const kv of h.snapshots[100]!.values()) assert.deepEqual(await s.get(kv.key), kv);
          // Watching from the compact revision replays the rest, prev values included.
          const { rec, watcher } = record(s, '', b + 60);
          try {
            await rec.untilRevision(b + 100);
            assert.deepEqual(rec.events, h.events.slice(60));
          } finally {
            watcher.close();
          }
          // And writes continue from the same revision, with prev values from before compaction.
          const some = [...h.snapshots[100]!.values()][0]!;
          const upd = await s.update(some.key, 'after', some.modRevision);
          assert.equal(upd.modRevision, b + 101);
          assert.equal(upd.createRevision, some.createRevision);
        }),
      );

      it(
        'a watch below the compact revision reports Compacted asynchronously and delivers nothing',
        withStore(async (s, b) => {
          for (let i = 0; i < 10; i++) await s.create(`/c/${i}`, 'v');
          await s.compact(b + 5);
          const { rec, watcher } = record(s, '/c/', b + 4);
          try {
            await rec.untilError();
            assert.equal(rec.errors.length, 1);
            assert.equal(rec.errors[0]!.code, 'Compacted');
            assert.equal(rec.errors[0]!.compactRevision, b + 5);
            await s.create('/c/x', 'v');
            await settle();
            assert.deepEqual(rec.events, []);
            assert.equal(rec.errors.length, 1);
          } finally {
            watcher.close();
          }
          const ok = record(s, '/c/', b + 5);
          try {
            await ok.rec.untilRevision(b + 11);
            assert.deepEqual(
              ok.rec.revisions,
              [6, 7, 8, 9, 10, 11].map((r) => b + r),
            );
          } finally {
            ok.watcher.close();
          }
        }),
      );

      it(
        'deleted keys stay deleted in lists at and after the compact revision',
        withStore(async (s, b) => {
          const a = await s.create('/a', '1');
          await s.update('/a', '2', a.modRevision);
          await s.delete('/a');
          await s.create('/b', '1');
          await s.compact(b + 4);
          assert.deepEqual(
            (await s.list('', { revision: b + 4 })).items.map((kv) => kv.key),
            ['/b'],
          );
          const again = await s.create('/a', '3');
          assert.equal(again.createRevision, b + 5);
          await s.compact(b + 5);
          assert.deepEqual(
            (await s.list('')).items.map((kv) => [kv.key, kv.value]),
            [
              ['/a', '3'],
              ['/b', '1'],
            ],
          );
        }),
      );

      it(
        'rejects a future revision and treats an old one as done',
        withStore(async (s, b) => {
          await s.create('/a', '1');
          await s.create('/b', '1');
          await expectStoreError(s.compact(b + 3), 'FutureRevision');
          await s.compact(b + 2);
          await s.compact(b + 1);
          await s.compact(b + 2);
          assert.equal(await s.compactRevision(), b + 2);
          assert.equal(await s.revision(), b + 2);
          // Compacting everything keeps the revision and every value.
          await s.delete('/b');
          await s.compact(b + 3);
          assert.equal(await s.revision(), b + 3);
          assert.deepEqual(
            (await s.list('')).items.map((kv) => kv.key),
            ['/a'],
          );
          assert.equal((await s.create('/c', '1')).modRevision, b + 4);
        }),
      );

      it(
        'a watch overtaken by compaction ends with Compacted, never with a gap',
        withStore(async (s, b) => {
          for (let i = 0; i < 50; i++) await s.create(`/o/${i}`, 'v');
          const { rec, watcher } = record(s, '', b);
          try {
            await s.compact(b + 40);
            await rec.until(() => rec.errors.length > 0 || rec.last >= b + 50, 'the end of the watch');
            await settle();
            const got = rec.revisions;
            assert.deepEqual(
              got,
              Array.from({ length: got.length }, (_, i) => b + i + 1),
            );
            if (rec.errors.length > 0) assert.equal(rec.errors[0]!.code, 'Compacted');
          } finally {
            watcher.close();
          }
        }),
      );
    });

    describe('concurrency', () => {
      it(
        'hundreds of parallel creates get distinct, consecutive revisions',
        withStore(async (s, b) => {
          const kvs = await Promise.all(
            Array.from({ length: 300 }, (_, i) => s.create(`/n/${i}`, String(i))),
          );
          assert.deepEqual(
            kvs.map((kv) => kv.modRevision).sort((a, b) => a - b),
            Array.from({ length: 300 }, (_, i) => b + i + 1),
          );
          for (const kv of kvs) assert.equal(kv.createRevision, kv.modRevision);
          assert.equal(await s.revision(), b + 300);
          assert.deepEqual((await s.list('/n/')).items, [...kvs].sort(byKey));
        }),
      );

      it(
        'of parallel creates of one key exactly one wins',
        withStore(async (s, b) => {
          const results = await Promise.allSettled(
            Array.from({ length: 100 }, (_, i) => s.create('/one', String(i))),
          );
          const won = results.filter((r) => r.status === 'fulfilled');
          assert.equal(won.length, 1);
          for (const r of results) {
            if (r.status === 'rejected') assert.equal((r.reason as StoreError).code, 'KeyExists');
          }
          assert.equal(await s.revision(), b + 1);
          assert.deepEqual(await s.get('/one'), (won[0] as PromiseFulfilledResult<KeyValue>).value);
        }),
      );

      it(
        'of parallel deletes at one modRevision exactly one wins',
        withStore(async (s, b) => {
          const kv = await s.create('/one', 'v');
          const results = await Promise.allSettled(
            Array.from({ length: 50 }, () => s.delete('/one', kv.modRevision)),
          );
          assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
          for (const r of results) {
            if (r.status === 'rejected') assert.equal((r.reason as StoreError).code, 'KeyNotFound');
          }
          assert.equal(await s.revision(), b + 2);
        }),
      );

      it(
        'read-modify-write loops with CAS lose no update',
        withStore(async (s, b) => {
          await s.create('/counter', '0');
          const { rec, watcher } = record(s, '/counter', b + 1);
          try {
            const workers = 20;
            const perWorker = 10;
            let conflicts = 0;
            const increment = async () => {
              let kv = (await s.get('/counter'))!;
              for (;;) {
                try {
                  return await s.update('/counter', String(Number(kv.value) + 1), kv.modRevision);
                } catch (err) {
                  if (!(err instanceof StoreError) || err.code !== 'Conflict') throw err;
                  conflicts++;
                  kv = err.current!;
                }
              }
            };
            await Promise.all(
              Array.from({ length: workers }, async () => {
                for (let i = 0; i < perWorker; i++) await increment();
              }),
            );
            const total = workers * perWorker;
            const final = (await s.get('/counter'))!;
            assert.equal(final.value, String(total));
            assert.equal(final.modRevision, b + total + 1);
            assert.ok(conflicts > 0, 'the workers should have raced');
            // Each update saw the one before it: the watch shows 1, 2, ..., total.
            await rec.untilRevision(b + total + 1);
            assert.deepEqual(
              rec.events.map((e) => (e.type === 'put' ? Number(e.kv.value) : -1)),
              Array.from({ length: total }, (_, i) => i + 1),
            );
          } finally {
            watcher.close();
          }
        }),
      );
    });

    describe('close', () => {
      it('ends watches with Closed and makes every call fail with Closed', async () => {
        const s = await factory();
        const b = await s.revision();
        const kv = await s.create('/a', '1');
        const live = record(s, '', b + 1);
        const replaying = record(s, '', b);
        const pending = s.create('/b', '1').then(
          () => 'committed',
          (err: unknown) => (err instanceof StoreError ? err.code : String(err)),
        );
        await s.close();
        await s.close();
        // A write in flight when close() began either committed or failed with Closed; it never hangs.
        assert.ok(['committed', 'Closed'].includes(await pending));
        await live.rec.untilError();
        await replaying.rec.untilError();
        for (const { rec } of [live, replaying]) {
          assert.equal(rec.errors.length, 1);
          assert.equal(rec.errors[0]!.code, 'Closed');
        }
        await expectStoreError(s.revision(), 'Closed');
        await expectStoreError(s.compactRevision(), 'Closed');
        await expectStoreError(s.get('/a'), 'Closed');
        await expectStoreError(s.list(''), 'Closed');
        await expectStoreError(s.count(''), 'Closed');
        await expectStoreError(s.create('/c', '1'), 'Closed');
        await expectStoreError(s.update('/a', '2', kv.modRevision), 'Closed');
        await expectStoreError(s.delete('/a'), 'Closed');
        await expectStoreError(s.compact(b), 'Closed');
        await expectStoreError(s.check(), 'Closed');
        const after = record(s, '', b);
        await after.rec.untilError();
        assert.equal(after.rec.errors[0]!.code, 'Closed');
        assert.deepEqual(after.rec.events, []);
        after.watcher.close();
      });
    });
  });
}
