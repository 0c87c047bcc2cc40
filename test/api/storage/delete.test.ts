/** The generic registry's delete: graceful deletion (pods) and the garbage collector's propagation finalizers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podStrategy } from '../../../src/api/registry/pod.js';
import type { Strategy } from '../../../src/api/registry/strategy.js';
import type { ResourceInfo } from '../../../src/api/resource.js';
import { type DeleteOptions, deletionFinalizers, Registry } from '../../../src/api/storage/registry.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { ctx, type Widget, widget, widgetRegistry, widgets } from './fixtures.js';

describe('deletionFinalizers (propagation policy → GC finalizers)', () => {
  const cases: { name: string; have: string[]; opts: DeleteOptions; want: string[] | undefined }[] = [
    { name: 'background, none held', have: [], opts: { propagationPolicy: 'Background' }, want: undefined },
    { name: 'unset, none held', have: [], opts: {}, want: undefined },
    {
      name: 'foreground adds',
      have: [],
      opts: { propagationPolicy: 'Foreground' },
      want: ['foregroundDeletion'],
    },
    { name: 'orphan adds', have: ['x'], opts: { propagationPolicy: 'Orphan' }, want: ['x', 'orphan'] },
    { name: 'orphanDependents=true', have: [], opts: { orphanDependents: true }, want: ['orphan'] },
    {
      name: 'orphanDependents=false drops both',
      have: ['orphan'],
      opts: { orphanDependents: false },
      want: [],
    },
    {
      name: 'background drops held GC finalizers',
      have: ['foregroundDeletion', 'x'],
      opts: { propagationPolicy: 'Background' },
      want: ['x'],
    },
    {
      name: 'orphan replaces foreground',
      have: ['foregroundDeletion'],
      opts: { propagationPolicy: 'Orphan' },
      want: ['orphan'],
    },
    { name: 'unset keeps what is held', have: ['orphan'], opts: {}, want: undefined },
    {
      name: 'foreground when already foreground',
      have: ['foregroundDeletion'],
      opts: { propagationPolicy: 'Foreground' },
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(deletionFinalizers(c.have, c.opts), c.want));
  }
  // batch/v1 Jobs: a delete without a policy orphans (upstream's DefaultGarbageCollectionPolicy).
  const orphanDefault: [string, string[], DeleteOptions, string[] | undefined][] = [
    ['kind default orphan, unset', [], {}, ['orphan']],
    ['kind default orphan, held foreground wins', ['foregroundDeletion'], {}, undefined],
    ['kind default orphan, background asked', [], { propagationPolicy: 'Background' }, undefined],
    ['kind default orphan, orphanDependents=false', [], { orphanDependents: false }, undefined],
  ];
  for (const [name, have, opts, want] of orphanDefault) {
    it(name, () => assert.deepEqual(deletionFinalizers(have, opts, true), want));
  }
});

describe('registry delete with propagation', () => {
  it('foreground: marks with foregroundDeletion and a deletionTimestamp, bumps generation, keeps the object', async () => {
    const { registry } = await widgetRegistry();
    await registry.create(widget('a'), ctx());
    const r = await registry.delete('ns', 'a', { propagationPolicy: 'Foreground' });
    assert.equal(r.deleted, false);
    const got = (await registry.get('ns', 'a')).obj as Widget;
    assert.deepEqual(got.metadata?.finalizers, ['foregroundDeletion']);
    assert.ok(got.metadata?.deletionTimestamp);
    assert.equal(got.metadata?.deletionGracePeriodSeconds, 0);
    assert.equal(got.metadata?.generation, 2);
    // A background delete of an object being deleted in the foreground drops the finalizer: it goes.
    const again = await registry.delete('ns', 'a', { propagationPolicy: 'Background' });
    assert.equal(again.deleted, true);
    await assert.rejects(registry.get('ns', 'a'));
  });

  it('orphan: held by the orphan finalizer until the GC removes it', async () => {
    const { registry } = await widgetRegistry();
    await registry.create(widget('a'), ctx());
    await registry.delete('ns', 'a', { propagationPolicy: 'Orphan' });
    const held = (await registry.get('ns', 'a')).obj as Widget;
    assert.deepEqual(held.metadata?.finalizers, ['orphan']);
    // A repeated orphan delete writes nothing.
    const rv = held.metadata?.resourceVersion;
    await registry.delete('ns', 'a', { propagationPolicy: 'Orphan' });
    assert.equal(((await registry.get('ns', 'a')).obj as Widget).metadata?.resourceVersion, rv);
    await registry.update('ns', 'a', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }));
    await assert.rejects(registry.get('ns', 'a'));
  });

  it('background or unset: deleted at once; dry run deletes nothing', async () => {
    const { registry } = await widgetRegistry();
    await registry.create(widget('a'), ctx());
    const dry = await registry.delete('ns', 'a', { propagationPolicy: 'Foreground', dryRun: true });
    assert.equal(dry.deleted, false);
    assert.equal(((await registry.get('ns', 'a')).obj as Widget).metadata?.finalizers, undefined);
    assert.equal((await registry.delete('ns', 'a', {})).deleted, true);
  });
});

const pods: ResourceInfo = {
  ...widgets,
  group: '',
  resource: 'pods',
  kind: 'Pod',
  storagePrefix: '/registry/pods',
  strategy: podStrategy as Strategy,
};

async function podRegistry(): Promise<Registry> {
  const registry = new Registry(pods, new MemoryStore());
  await registry.start();
  return registry;
}

function newPod(name: string, nodeName?: string, grace?: number): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}),
      containers: [{ name: 'c', image: 'i:1' }],
    },
  };
  podStrategy.defaults!(p);
  return p;
}

/**
 * Asserts that `ts` (RFC 3339, whole seconds) is `seconds` after some instant between t0 and t1,
 * the clock read just before and just after the call that set it.
 */
function assertSecondsAfter(ts: string | undefined, seconds: number, t0: number, t1: number): void {
  const at = Date.parse(ts ?? '');
  const lo = Math.floor((t0 + seconds * 1000) / 1000) * 1000;
  const hi = Math.ceil((t1 + seconds * 1000) / 1000) * 1000;
  assert.ok(at >= lo && at <= hi, `${ts} is not ${seconds}s after the delete`);
}

describe('graceful pod deletion', () => {
  it('unscheduled pods are deleted at once', async () => {
    const reg = await podRegistry();
    await reg.create(newPod('p'), ctx());
    assert.equal((await reg.delete('ns', 'p')).deleted, true);
  });

  it('scheduled pods get deletionTimestamp = now + grace; later deletes may only shorten it; 0 removes', async () => {
    const reg = await podRegistry();
    await reg.create(newPod('p', 'node-a'), ctx());
    let t0 = Date.now();
    const r = await reg.delete('ns', 'p');
    assertSecondsAfter(r.object.metadata?.deletionTimestamp, 30, t0, Date.now());
    assert.equal(r.deleted, false);
    assert.equal(r.object.metadata?.deletionGracePeriodSeconds, 30);
    const longer = await reg.delete('ns', 'p', { gracePeriodSeconds: 100 });
    assert.equal(longer.deleted, false);
    assert.equal(longer.object.metadata?.deletionGracePeriodSeconds, 30);
    t0 = Date.now();
    const shorter = await reg.delete('ns', 'p', { gracePeriodSeconds: 5 });
    assertSecondsAfter(shorter.object.metadata?.deletionTimestamp, 5, t0, Date.now());
    assert.equal(shorter.object.metadata?.deletionGracePeriodSeconds, 5);
    assert.equal((await reg.delete('ns', 'p', { gracePeriodSeconds: 0 })).deleted, true);
  });

  it('grace from the request, else the spec; negative counts as 1; finished pods go at once', async () => {
    const reg = await podRegistry();
    await reg.create(newPod('a', 'n', 7), ctx());
    assert.equal((await reg.delete('ns', 'a')).object.metadata?.deletionGracePeriodSeconds, 7);
    await reg.create(newPod('b', 'n'), ctx());
    assert.equal(
      (await reg.delete('ns', 'b', { gracePeriodSeconds: -5 })).object.metadata?.deletionGracePeriodSeconds,
      1,
    );
    await reg.create(newPod('c', 'n'), ctx());
    await reg.update('ns', 'c', (cur) => ({ ...cur!, status: { phase: 'Succeeded' } }) as Pod, {
      subresource: 'status',
    });
    assert.equal((await reg.delete('ns', 'c')).deleted, true);
    await reg.create(newPod('d', 'n'), ctx());
    assert.equal((await reg.delete('ns', 'd', { gracePeriodSeconds: 0 })).deleted, true);
  });

  it('a terminating pod with finalizers stays after grace 0 until they are gone', async () => {
    const reg = await podRegistry();
    const p = newPod('p', 'n');
    p.metadata!.finalizers = ['example.com/hold'];
    await reg.create(p, ctx());
    await reg.delete('ns', 'p');
    const r = await reg.delete('ns', 'p', { gracePeriodSeconds: 0 });
    assert.equal(r.deleted, false);
    assert.equal(((await reg.get('ns', 'p')).obj as Pod).metadata?.deletionGracePeriodSeconds, 0);
    await reg.update('ns', 'p', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }));
    await assert.rejects(reg.get('ns', 'p'));
  });

  it('status updates of a terminating pod do not delete it', async () => {
    const reg = await podRegistry();
    await reg.create(newPod('p', 'n'), ctx());
    await reg.delete('ns', 'p');
    await reg.update('ns', 'p', (cur) => ({ ...cur!, status: { phase: 'Running' } }) as Pod, {
      subresource: 'status',
    });
    assert.equal(((await reg.get('ns', 'p')).obj as Pod).status?.phase, 'Running');
  });
});
