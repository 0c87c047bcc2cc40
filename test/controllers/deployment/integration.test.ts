/**
 * The Deployment and ReplicaSet controllers together against a real
 * in-process API server: deployment → ReplicaSet → pods, scaling, a rolling
 * update checked at every step, rollback, Recreate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Deployment, DeploymentStrategy, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { Deployments, ReplicaSets } from '../../../src/client/resources.js';
import { activePods, type Harness, isReady, setPodReady, startHarness, waitFor } from './harness.js';

const NS = 'default';

function deployment(name: string, replicas: number, image: string, strategy: DeploymentStrategy): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy,
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image }] },
      },
    },
  };
}

const ownedReplicaSets = async (h: Harness, d: string): Promise<ReplicaSet[]> =>
  (await h.client.list<ReplicaSet>(ReplicaSets, NS, { labelSelector: `app=${d}` })).items;

/** Marks every not-ready pod of `app` ready, as kubelet would after a probe. */
async function readyAll(h: Harness, app: string): Promise<void> {
  for (const p of await activePods(h.client, NS, `app=${app}`))
    if (!isReady(p)) await setPodReady(h.client, p, true);
}

describe('Deployment controller against the API server', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ deployments: true });
  });
  after(async () => {
    await h?.stop();
  });

  it('creates a ReplicaSet <name>-<hash> with revision annotations, its pods, and status', async () => {
    await h.client.create(
      Deployments,
      NS,
      deployment('web', 3, 'v1', {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      }),
    );
    const [rs] = await waitFor('ReplicaSet', async () => {
      const l = await ownedReplicaSets(h, 'web');
      return l.length === 1 ? l : undefined;
    });
    const hash = rs!.metadata!.labels!['pod-template-hash']!;
    assert.match(hash, /^[456789bcdf]+$/);
    assert.equal(rs!.metadata?.name, `web-${hash}`);
    assert.deepEqual(rs!.spec?.selector?.matchLabels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(rs!.spec?.template?.metadata?.labels?.['pod-template-hash'], hash);
    assert.equal(rs!.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs!.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(rs!.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
    assert.equal(rs!.metadata?.ownerReferences?.[0]?.kind, 'Deployment');

    await waitFor('3 pods', async () => (await activePods(h.client, NS, 'app=web')).length === 3);
    await readyAll(h, 'web');
    const d = await waitFor('complete', async () => {
      const x = await h.client.get<Deployment>(Deployments, NS, 'web');
      const p = x.status?.conditions?.find((c) => c.type === 'Progressing');
      return x.status?.availableReplicas === 3 && p?.reason === 'NewReplicaSetAvailable' ? x : undefined;
    });
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(
      [
        d.status?.replicas,
        d.status?.updatedReplicas,
        d.status?.readyReplicas,
        d.status?.unavailableReplicas ?? 0,
      ],
      [3, 3, 3, 0],
    );
    assert.equal(d.status?.observedGeneration, d.metadata?.generation);
    const avail = d.status?.conditions?.find((c) => c.type === 'Available');
    assert.equal(avail?.status, 'True');
    assert.equal(avail?.message, 'Deployment has minimum availability.');
    const prog = d.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(prog?.message, `ReplicaSet "web-${hash}" has successfully progressed.`);
    assert.ok(
      h.events.some(
        (e) =>
          e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} from 0 to 3`,
      ),
    );
  });

  it('scales the ReplicaSet when replicas change', async () => {
    await h.client.patch(Deployments, NS, 'web', 'merge', { spec: { replicas: 5 } });
    await waitFor('5 pods', async () => (await activePods(h.client, NS, 'app=web')).length === 5);
    const [rs] = await ownedReplicaSets(h, 'web');
    assert.equal(rs!.spec?.replicas, 5);
    assert.ok(h.events.some((e) => e.message === `Scaled up replica set ${rs!.metadata?.name} from 3 to 5`));
    await readyAll(h, 'web');
    await h.client.patch(Deployments, NS, 'web', 'merge', { spec: { replicas: 3 } });
    await waitFor('3 pods', async () => (await activePods(h.client, NS, 'app=web')).length === 3);
    assert.ok(
      h.events.some((e) => e.message === `Scaled down replica set ${rs!.metadata?.name} from 5 to 3`),
    );
  });

  it('rolls out a template change within maxSurge 1 / maxUnavailable 0 at every step', async () => {
    await waitFor('settled', async () => {
      const x = await h.client.get<Deployment>(Deployments, NS, 'web');
      return x.status?.availableReplicas === 3 && x.status.replicas === 3;
    });
    const [oldRS] = await ownedReplicaSets(h, 'web');
    await h.client.patch(Deployments, NS, 'web', 'merge', {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'v2' }] } } },
    });
    let minReady = Number.POSITIVE_INFINITY;
    let maxSpec = 0;
    const done = await waitFor(
      'rollout',
      async () => {
        const rss = await ownedReplicaSets(h, 'web');
        maxSpec = Math.max(
          maxSpec,
          rss.reduce((n, r) => n + (r.spec?.replicas ?? 0), 0),
        );
        const pods = await activePods(h.client, NS, 'app=web');
        minReady = Math.min(minReady, pods.filter(isReady).length);
        // Kubelet: new pods turn ready one poll after they appear.
        await readyAll(h, 'web');
        const d = await h.client.get<Deployment>(Deployments, NS, 'web');
        const p = d.status?.conditions?.find((c) => c.type === 'Progressing');
        return d.status?.updatedReplicas === 3 &&
          d.status.replicas === 3 &&
          d.status.availableReplicas === 3 &&
          p?.reason === 'NewReplicaSetAvailable'
          ? d
          : undefined;
      },
      20_000,
    );
    assert.ok(minReady >= 3, `ready pods dropped to ${minReady}`);
    assert.ok(maxSpec <= 4, `replica sets asked for ${maxSpec} pods`);
    assert.equal(done.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    const rss = await ownedReplicaSets(h, 'web');
    assert.equal(rss.length, 2);
    const old = rss.find((r) => r.metadata?.uid === oldRS!.metadata?.uid)!;
    const neu = rss.find((r) => r.metadata?.uid !== oldRS!.metadata?.uid)!;
    assert.equal(old.spec?.replicas, 0);
    assert.equal(neu.spec?.replicas, 3);
    assert.equal(neu.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.ok(h.events.some((e) => e.message === `Scaled up replica set ${neu.metadata?.name} from 0 to 1`));
    assert.ok(
      h.events.some((e) => e.message === `Scaled down replica set ${old.metadata?.name} from 3 to 2`),
    );
    const pods = await activePods(h.client, NS, 'app=web');
    assert.ok(pods.every((p) => p.spec?.containers[0]?.image === 'v2'));
  });

  it('rolls back (kubectl rollout undo patches the old template back): the old ReplicaSet gets revision 3', async () => {
    const rss = await ownedReplicaSets(h, 'web');
    const rev1 = rss.find((r) => r.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1')!;
    const template = structuredClone(rev1.spec!.template!);
    delete template.metadata!.labels!['pod-template-hash'];
    await h.client.patch(Deployments, NS, 'web', 'strategic', { spec: { template } });
    const back = await waitFor(
      'rollback',
      async () => {
        await readyAll(h, 'web');
        const r = await h.client.get<ReplicaSet>(ReplicaSets, NS, rev1.metadata!.name!);
        const d = await h.client.get<Deployment>(Deployments, NS, 'web');
        return r.spec?.replicas === 3 && d.status?.availableReplicas === 3 && d.status.updatedReplicas === 3
          ? r
          : undefined;
      },
      20_000,
    );
    assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal((await ownedReplicaSets(h, 'web')).length, 2, 'no third ReplicaSet');
  });

  it('Recreate scales the old ReplicaSet to zero before creating the new one', async () => {
    await h.client.create(Deployments, NS, deployment('batch', 2, 'v1', { type: 'Recreate' }));
    await waitFor('2 pods', async () => (await activePods(h.client, NS, 'app=batch')).length === 2);
    await readyAll(h, 'batch');
    await h.client.patch(Deployments, NS, 'batch', 'merge', {
      spec: { template: { spec: { containers: [{ name: 'c', image: 'v2' }] } } },
    });
    let mixed = false;
    await waitFor('recreated', async () => {
      const pods = await activePods(h.client, NS, 'app=batch');
      const images = new Set(pods.map((p) => p.spec?.containers[0]?.image));
      if (images.size > 1) mixed = true;
      return pods.length === 2 && images.size === 1 && images.has('v2');
    });
    assert.equal(mixed, false, 'old and new pods never ran together');
  });
});
