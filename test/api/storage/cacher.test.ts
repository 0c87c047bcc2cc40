import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cacher } from '../../../src/api/storage/cacher.js';
import { MemoryStore } from '../../../src/store/memory.js';

const obj = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'Thing', metadata: { name, namespace: 'ns' }, ...extra });

describe('watch cache', () => {
  it('starts from the store, stamps resourceVersion, and lists in key order', async () => {
    const store = new MemoryStore();
    await store.create('/r/things/ns/b', obj('b'));
    await store.create('/r/things/ns/a', obj('a'));
    await store.create('/r/other/ns/z', obj('z'));
    const c = new Cacher(store, '/r/things/');
    await c.start();
    assert.deepEqual(
      c.list('/r/things/').map((o) => o.name),
      ['a', 'b'],
    );
    assert.equal(c.get('/r/things/ns/a')?.obj.metadata?.resourceVersion, '2');
    assert.equal(JSON.parse(c.get('/r/things/ns/b')!.json).metadata.resourceVersion, '1');
    c.stop();
  });

  it('catches up with writes elsewhere in the store through progress notifications', async () => {
    const store = new MemoryStore();
    const c = new Cacher(store, '/r/things/');
    await c.start();
    await store.create('/r/other/x', obj('x'));
    await store.create('/r/other/y', obj('y'));
    // Nothing under our prefix changed, yet a consistent read must not wait forever.
    await c.sync();
    assert.equal(c.revision, 2);
    c.stop();
  });

  it('keeps lists sorted as objects come and go', async () => {
    const store = new MemoryStore();
    const c = new Cacher(store, '/r/things/');
    await c.start();
    for (const n of ['m', 'c', 'x', 'a']) await store.create(`/r/things/ns/${n}`, obj(n));
    await store.delete('/r/things/ns/c');
    await c.sync();
    assert.deepEqual(
      c.list('/r/things/').map((o) => o.name),
      ['a', 'm', 'x'],
    );
    assert.deepEqual(
      c.list('/r/things/', undefined, '/r/things/ns/m').map((o) => o.name),
      ['m', 'x'],
    );
    c.stop();
  });

  it('replays its window to new watchers and refuses revisions before it', async () => {
    const store = new MemoryStore();
    const c = new Cacher(store, '/r/things/', 2);
    await c.start();
    for (const n of ['a', 'b', 'c']) await store.create(`/r/things/ns/${n}`, obj(n));
    await c.sync();
    const seen: string[] = [];
    const w = c.watch(2, () => true, {
      onEvent: (e) => seen.push(`${e.type} ${e.object.name}`),
      onError: () => {},
    });
    assert.ok(w);
    assert.deepEqual(seen, ['ADDED c']);
    assert.equal(
      c.watch(0, () => true, { onEvent: () => {}, onError: () => {} }),
      undefined,
    );
    await store.update('/r/things/ns/c', obj('c', { spec: 1 }), 3);
    await c.sync();
    // Reads see the change at once; watchers get it on the next turn.
    assert.equal(c.get('/r/things/ns/c')?.revision, 4);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['ADDED c', 'MODIFIED c']);
    w!.close();
    c.stop();
  });

  it('never delivers an event twice to a watcher that joins before the fan-out', async () => {
    const store = new MemoryStore();
    const c = new Cacher(store, '/r/things/');
    await c.start();
    await store.create('/r/things/ns/a', obj('a'));
    await c.sync();
    // The event is applied but not fanned out yet: a watcher from revision 0 replays it...
    const seen: string[] = [];
    const w = c.watch(0, () => true, {
      onEvent: (e) => seen.push(`${e.type} ${e.object.name}`),
      onError: () => {},
    });
    await new Promise((r) => setImmediate(r));
    // ...and the fan-out does not repeat it.
    assert.deepEqual(seen, ['ADDED a']);
    w!.close();
    c.stop();
  });

  it('freezes cached objects so no caller can corrupt the cache', async () => {
    const store = new MemoryStore();
    await store.create('/r/things/ns/a', obj('a'));
    const c = new Cacher(store, '/r/things/');
    await c.start();
    const o = c.get('/r/things/ns/a')!.obj as { metadata: { name: string } };
    assert.throws(() => {
      o.metadata.name = 'changed';
    });
    c.stop();
  });
});
