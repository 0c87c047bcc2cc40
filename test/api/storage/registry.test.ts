import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CacheEvent } from '../../../src/api/storage/cacher.js';
import { parseLabelSelector } from '../../../src/k8s/selectors.js';
import { StatusError } from '../../../src/k8s/status.js';
import { ctx, type Widget, widget, widgetRegistry } from './fixtures.js';

/** Polls until `cond` holds (watch events are delivered asynchronously); fails after 5 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const reason = (r: string, code: number) => (e: unknown) =>
  e instanceof StatusError && e.reason === r && e.code === code;

describe('registry create', () => {
  it('fills system metadata and persists', async () => {
    const { registry } = await widgetRegistry();
    const w = (await registry.create(widget('a'), ctx())) as Widget;
    assert.equal(w.metadata?.namespace, 'ns');
    assert.match(w.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.match(w.metadata?.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(w.metadata?.generation, 1);
    assert.equal((await registry.get('ns', 'a')).obj.metadata?.resourceVersion, w.metadata?.resourceVersion);
  });

  it('answers AlreadyExists, Invalid and a namespace mismatch as upstream', async () => {
    const { registry } = await widgetRegistry();
    await registry.create(widget('a'), ctx());
    await assert.rejects(registry.create(widget('a'), ctx()), (e: unknown) => {
      return (
        e instanceof StatusError && e.code === 409 && e.message === 'widgets.example.com "a" already exists'
      );
    });
    await assert.rejects(registry.create(widget('b', -1), ctx()), (e: unknown) => {
      return (
        e instanceof StatusError &&
        e.code === 422 &&
        e.message === 'Widget.example.com "b" is invalid: spec.size: Invalid value: -1: must be non-negative'
      );
    });
    const other = widget('c');
    other.metadata!.namespace = 'elsewhere';
    await assert.rejects(registry.create(other, ctx()), reason('BadRequest', 400));
  });

  it('generates names from generateName', async () => {
    const { registry } = await widgetRegistry();
    const w = (await registry.create({ ...widget(''), metadata: { generateName: 'web-' } }, ctx())) as Widget;
    assert.match(w.metadata?.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('persists nothing on a dry run', async () => {
    const { registry, store } = await widgetRegistry();
    const before = await store.revision();
    const w = (await registry.create(widget('a'), { dryRun: true, namespace: 'ns' })) as Widget;
    assert.equal(w.metadata?.name, 'a');
    assert.equal(await store.revision(), before);
    await assert.rejects(registry.get('ns', 'a'), reason('NotFound', 404));
  });
});

describe('registry update', () => {
  it('rejects a stale resourceVersion with 409 Conflict', async () => {
    const { registry } = await widgetRegistry();
    const w = (await registry.create(widget('a'), ctx())) as Widget;
    await registry.update('ns', 'a', (cur) => ({ ...(cur as Widget), spec: { size: 2 } }));
    await assert.rejects(
      registry.update('ns', 'a', () => ({ ...w, spec: { size: 3 } })),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 409 &&
        e.message ===
          'Operation cannot be fulfilled on widgets.example.com "a": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('keeps the resourceVersion on a no-op update and bumps generation on spec changes only', async () => {
    const { registry } = await widgetRegistry();
    const w = (await registry.create(widget('a'), ctx())) as Widget;
    const same = await registry.update('ns', 'a', (cur) => cur!);
    assert.equal(same.object.metadata?.resourceVersion, w.metadata?.resourceVersion);
    const bigger = await registry.update('ns', 'a', (cur) => ({ ...(cur as Widget), spec: { size: 5 } }));
    assert.equal(bigger.object.metadata?.generation, 2);
    const status = await registry.update(
      'ns',
      'a',
      (cur) => ({ ...(cur as Widget), status: { phase: 'Ready' } }),
      {
        subresource: 'status',
      },
    );
    assert.equal(status.object.metadata?.generation, 2);
    assert.deepEqual((status.object as Widget).status, { phase: 'Ready' });
  });

  it('never lets the main resource change status, nor /status change spec', async () => {
    const { registry } = await widgetRegistry();
    await registry.create(widget('a'), ctx());
    const r1 = await registry.update('ns', 'a', (cur) => ({
      ...(cur as Widget),
      status: { phase: 'Hacked' },
    }));
    assert.equal((r1.object as Widget).status, undefined);
    const r2 = await registry.update('ns', 'a', (cur) => ({ ...(cur as Widget), spec: { size: 9 } }), {
      subresource: 'status',
    });
    assert.equal((r2.object as Widget).spec?.size, 1);
  });

  it('retries unconditional updates on conflicts: no update is lost', async () => {
    const { registry } = await widgetRegistry();
    await registry.create(widget('a', 0), ctx());
    await Promise.all(
      Array.from({ length: 50 }, () =>
        registry.update('ns', 'a', (cur) => {
          const w = cur as Widget;
          const { resourceVersion: _, ...meta } = w.metadata!;
          return { ...w, metadata: meta, spec: { size: (w.spec?.size ?? 0) + 1 } };
        }),
      ),
    );
    assert.equal(((await registry.get('ns', 'a')).obj as Widget).spec?.size, 50);
  });

  it('is 404 for a missing object unless creation on update is allowed', async () => {
    const { registry } = await widgetRegistry();
    await assert.rejects(
      registry.update('ns', 'x', () => widget('x')),
      reason('NotFound', 404),
    );
    const r = await registry.update('ns', 'x', () => widget('x'), { allowCreate: true });
    assert.equal(r.created, true);
  });
});

describe('registry delete', () => {
  it('deletes, and checks preconditions', async () => {
    const { registry } = await widgetRegistry();
    const w = (await registry.create(widget('a'), ctx())) as Widget;
    await assert.rejects(
      registry.delete('ns', 'a', { preconditions: { uid: 'nope' } }),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 409 &&
        e.message.includes(
          `Precondition failed: UID in precondition: nope, UID in object meta: ${w.metadata?.uid}`,
        ),
    );
    const r = await registry.delete('ns', 'a');
    assert.equal(r.deleted, true);
    await assert.rejects(registry.get('ns', 'a'), reason('NotFound', 404));
    await assert.rejects(registry.delete('ns', 'a'), reason('NotFound', 404));
  });

  it('holds objects with finalizers until they are removed', async () => {
    const { registry } = await widgetRegistry();
    const w = widget('a');
    w.metadata!.finalizers = ['example.com/hold'];
    await registry.create(w, ctx());
    const r = await registry.delete('ns', 'a');
    assert.equal(r.deleted, false);
    assert.ok(r.object.metadata?.deletionTimestamp);
    const again = await registry.delete('ns', 'a');
    assert.equal(again.deleted, false);
    await registry.update('ns', 'a', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }));
    await assert.rejects(registry.get('ns', 'a'), reason('NotFound', 404));
  });

  it('deletes collections by selector', async () => {
    const { registry } = await widgetRegistry();
    await registry.create(widget('a', 1, { app: 'x' }), ctx());
    await registry.create(widget('b', 1, { app: 'y' }), ctx());
    await registry.create(widget('c', 1, { app: 'x' }), ctx('other'));
    const gone = await registry.deleteCollection('ns', { labelSelector: parseLabelSelector('app=x') });
    assert.deepEqual(
      gone.map((o) => o.metadata?.name),
      ['a'],
    );
    assert.deepEqual(
      (await registry.list('')).items.map((i) => `${i.namespace}/${i.name}`),
      ['ns/b', 'other/c'],
    );
  });
});

describe('registry list and watch', () => {
  it('pages with limit/continue, each item exactly once, from one snapshot', async () => {
    const { registry } = await widgetRegistry();
    for (let i = 0; i < 25; i++) await registry.create(widget(`w${String(i).padStart(2, '0')}`), ctx());
    const first = await registry.list('ns', { limit: 10 });
    assert.equal(first.items.length, 10);
    assert.equal(first.remainingItemCount, 15);
    // Writes after the first page must not show up in later pages of the same list.
    await registry.create(widget('w99'), ctx());
    await registry.delete('ns', 'w20');
    const names = first.items.map((i) => i.name);
    let token = first.continue;
    while (token) {
      const page = await registry.list('ns', { limit: 10, continue: token });
      assert.equal(page.revision, first.revision);
      names.push(...page.items.map((i) => i.name));
      token = page.continue;
    }
    assert.deepEqual(
      names,
      Array.from({ length: 25 }, (_, i) => `w${String(i).padStart(2, '0')}`),
    );
  });

  it('rejects a forged continue token', async () => {
    const { registry } = await widgetRegistry();
    await assert.rejects(registry.list('ns', { continue: 'bm90LWpzb24' }), reason('BadRequest', 400));
  });

  it('keeps namespaces apart even when one name prefixes another', async () => {
    const { registry } = await widgetRegistry();
    await registry.create(widget('a'), ctx('team'));
    await registry.create(widget('b'), ctx('team-a'));
    assert.deepEqual(
      (await registry.list('team')).items.map((i) => i.name),
      ['a'],
    );
  });

  it('watches from 0 with synthetic ADDED events, then live changes', async () => {
    const { registry } = await widgetRegistry();
    await registry.create(widget('a'), ctx());
    const events: string[] = [];
    const w = registry.watch(
      'ns',
      { resourceVersion: '0' },
      {
        onEvent: (e) =>
          events.push(e.type === 'BOOKMARK' ? 'BOOKMARK' : `${e.type} ${(e as CacheEvent).object.name}`),
        onError: (err) => events.push(`ERROR ${err.code}`),
        onEnd: () => events.push('END'),
      },
    );
    await until(() => events.length >= 1, 'the initial state');
    await registry.create(widget('b'), ctx());
    await registry.delete('ns', 'a');
    await until(() => events.length >= 3, 'the two changes');
    w.close();
    assert.deepEqual(events, ['ADDED a', 'ADDED b', 'DELETED a']);
  });

  it('shows an object leaving a label selector as DELETED', async () => {
    const { registry } = await widgetRegistry();
    await registry.create(widget('a', 1, { app: 'x' }), ctx());
    const { revision } = await registry.list('ns');
    const events: string[] = [];
    const w = registry.watch(
      'ns',
      { resourceVersion: String(revision), labelSelector: parseLabelSelector('app=x') },
      {
        onEvent: (e) => events.push(e.type),
        onError: (err) => events.push(`ERROR ${err.code}`),
        onEnd: () => {},
      },
    );
    await registry.update('ns', 'a', (cur) => ({
      ...cur!,
      metadata: { ...cur!.metadata, labels: { app: 'y' } },
    }));
    await registry.update('ns', 'a', (cur) => ({
      ...cur!,
      metadata: { ...cur!.metadata, labels: { app: 'x' } },
    }));
    await until(() => events.length >= 2, 'two events');
    w.close();
    assert.deepEqual(events, ['DELETED', 'ADDED']);
  });

  it('answers 410 for a revision older than the watch cache, though the store still holds it (as the cacher)', async () => {
    const { registry } = await widgetRegistry(2);
    for (let i = 0; i < 5; i++) await registry.create(widget(`w${i}`), ctx());
    const seen: string[] = [];
    const errors: string[] = [];
    const handlers = {
      onEvent: (e: { type: string; object?: { name: string } }) => seen.push(`${e.type} ${e.object?.name}`),
      onError: (e: StatusError) => errors.push(`${e.code} ${e.reason} ${e.message}`),
      onEnd: () => {},
    };
    // The cache keeps the last 2 events; revision 1 is older (the store, never compacted, has it).
    const w1 = registry.watch('ns', { resourceVersion: '1' }, handlers);
    await until(() => errors.length >= 1, 'the error');
    w1.close();
    assert.deepEqual(seen, []);
    const oldest = registry.cache.oldestRevision;
    assert.deepEqual(errors, [`410 Expired too old resource version: 1 (${oldest})`]);
    // From the window's start on, the watch replays what the window holds.
    const w2 = registry.watch('ns', { resourceVersion: String(oldest) }, handlers);
    await until(() => seen.length >= 2, 'the replay');
    w2.close();
    assert.deepEqual(seen, ['ADDED w3', 'ADDED w4']);
    assert.equal(errors.length, 1);
  });

  it('bookmarks at a revision whose events the watcher has all been handed', async () => {
    const { registry } = await widgetRegistry();
    const { revision } = await registry.list('ns');
    const seen: string[] = [];
    const w = registry.watch(
      'ns',
      { resourceVersion: String(revision) },
      {
        onEvent: (e) =>
          seen.push(e.type === 'BOOKMARK' ? `BOOKMARK ${e.revision}` : `${e.type} ${e.revision}`),
        onError: (e) => seen.push(`ERROR ${e.message}`),
        onEnd: () => {},
      },
    );
    // The watch goes live once its start has run (a turn later).
    await new Promise((resolve) => setImmediate(resolve));
    // The create's event reaches watchers on the next turn: a bookmark sent before that
    // must not claim its revision, or a client resuming from it would miss the event.
    const created = await registry.create(widget('b'), ctx());
    w.bookmark();
    await until(() => seen.some((s) => s.startsWith('ADDED')), 'the event');
    w.bookmark();
    w.close();
    const rv = Number(created.metadata?.resourceVersion);
    assert.deepEqual(seen, [`BOOKMARK ${revision}`, `ADDED ${rv}`, `BOOKMARK ${rv}`]);
  });
});
