import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../../src/client/client.js';
import { Pods, ReplicaSets } from '../../../src/client/resources.js';
import type { Obj, ResourceType } from '../../../src/client/types.js';
import { GarbageCollector } from '../../../src/controllers/gc/controller.js';
import { startEnv, type TestEnv, waitFor } from '../../scheduler/env.js';

const NS = 'default';

async function exists(env: TestEnv, rt: ResourceType, name: string): Promise<Obj | undefined> {
  try {
    return await env.client.get<Obj>(rt, NS, name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A ReplicaSet (nothing runs its controller here) and `n` pods it owns. */
async function family(env: TestEnv, name: string, n: number, block = true): Promise<ReplicaSet> {
  const rs = await env.client.create<ReplicaSet>(ReplicaSets, NS, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
    },
  });
  for (let i = 0; i < n; i++) {
    await env.client.create<Pod>(Pods, NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${name}-${i}`,
        labels: { app: name },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name,
            uid: rs.metadata!.uid!,
            controller: true,
            blockOwnerDeletion: block,
          },
        ],
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
  }
  return rs;
}

describe('GarbageCollector against an API server', () => {
  let env: TestEnv;
  let gc: GarbageCollector;
  before(async () => {
    env = await startEnv('garbage-collector');
    gc = new GarbageCollector(env.ctx, { recheckMs: 200 });
    await env.run(gc);
  });
  after(async () => {
    await env.stop();
  });

  it('deletes the dependents of a deleted owner (background)', async () => {
    await family(env, 'bg', 2);
    await env.client.delete(ReplicaSets, NS, 'bg', { propagationPolicy: 'Background' });
    await waitFor(
      'pods gone',
      async () => !(await exists(env, Pods, 'bg-0')) && !(await exists(env, Pods, 'bg-1')),
    );
  });

  it('orphans the dependents of an owner deleted with propagationPolicy Orphan', async () => {
    await family(env, 'orph', 2);
    await env.client.delete(ReplicaSets, NS, 'orph', { propagationPolicy: 'Orphan' });
    await waitFor('owner gone', async () => !(await exists(env, ReplicaSets, 'orph')));
    for (const name of ['orph-0', 'orph-1']) {
      const pod = await exists(env, Pods, name);
      assert.ok(pod, `${name} kept`);
      assert.equal(pod.metadata?.ownerReferences, undefined);
    }
  });

  it('deletes dependents before the owner in the foreground', async () => {
    await family(env, 'fg', 2);
    const seen: string[] = [];
    await env.client.delete(ReplicaSets, NS, 'fg', { propagationPolicy: 'Foreground' });
    // The owner stays (with its finalizer) until the blocking pods are gone.
    await waitFor('all gone', async () => {
      const [rs, p0, p1] = await Promise.all([
        exists(env, ReplicaSets, 'fg'),
        exists(env, Pods, 'fg-0'),
        exists(env, Pods, 'fg-1'),
      ]);
      if (rs && !p0 && !p1) seen.push('owner-after-pods');
      if (!rs && (p0 || p1)) seen.push('owner-before-pods');
      return !rs && !p0 && !p1;
    });
    assert.ok(!seen.includes('owner-before-pods'), seen.join());
  });

  it('removes only the reference to a gone owner when another owner remains', async () => {
    const a = await family(env, 'own-a', 0);
    const b = await family(env, 'own-b', 0);
    const ref = (rs: ReplicaSet, controller: boolean) => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: rs.metadata!.name!,
      uid: rs.metadata!.uid!,
      controller,
    });
    await env.client.create<Pod>(Pods, NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'shared', ownerReferences: [ref(a, true), ref(b, false)] },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await env.client.delete(ReplicaSets, NS, 'own-a', { propagationPolicy: 'Background' });
    const pod = await waitFor('reference dropped', async () => {
      const p = await exists(env, Pods, 'shared');
      return p?.metadata?.ownerReferences?.length === 1 ? p : undefined;
    });
    assert.equal(pod.metadata?.ownerReferences?.[0]?.name, 'own-b');
  });

  it('collects dependents whose owner vanished while it was not running', async () => {
    // A pod naming an owner uid that never existed: found dangling by a live read at once.
    await env.client.create<Pod>(Pods, NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'stray',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: 'no-such-uid' }],
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await waitFor('stray gone', async () => !(await exists(env, Pods, 'stray')));
  });

  it('leaves dependents of an owner of a kind it does not know alone', async () => {
    await env.client.create<Pod>(Pods, NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'custom',
        ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'widget-uid' }],
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    // A later pod whose owner (of a kind it knows) never existed, as the barrier: once the collector
    // has deleted it, it has seen 'custom' too (one watch, in order), and idle() waits out its work.
    await env.client.create<Pod>(Pods, NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'custom-barrier',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: 'no-such-uid-2' }],
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await waitFor('the barrier collected', async () => !(await exists(env, Pods, 'custom-barrier')));
    await gc.idle();
    assert.ok(await exists(env, Pods, 'custom'));
  });
});
