/** The ReplicaSet controller against a real in-process API server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../../src/client/client.js';
import { Pods, ReplicaSets } from '../../../src/client/resources.js';
import type { ApiClient } from '../../../src/client/types.js';
import {
  activePods,
  type Harness,
  isReady,
  setPodReady,
  startHarness,
  waitFor,
} from '../deployment/harness.js';

const NS = 'default';

function replicaSet(name: string, replicas: number, app: string): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app, tier: 'web' }, annotations: { note: 'x' } },
        spec: { containers: [{ name: 'c', image: 'svcnet/netexec' }] },
      },
    },
  };
}

describe('ReplicaSet controller against the API server', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      deployments: false,
      // Pods of ReplicaSet "bad" are refused, as a quota would.
      wrap: (c) => {
        const w = Object.create(c) as ApiClient;
        w.create = (rt, ns, obj, o) => {
          if (rt.resource === 'pods' && obj.metadata?.generateName === 'bad-') {
            const status = {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              reason: 'Forbidden',
              code: 403,
            };
            return Promise.reject(
              new ApiError(403, 'Forbidden', {
                ...status,
                message: 'pods "bad-" is forbidden: exceeded quota',
              }),
            );
          }
          return c.create(rt, ns, obj, o);
        };
        return w;
      },
    });
  });
  after(async () => {
    await h?.stop();
  });

  it('creates pods from the template, owned by the ReplicaSet, and reports status', async () => {
    const rs = await h.client.create<ReplicaSet>(ReplicaSets, NS, replicaSet('web', 3, 'web'));
    const pods = await waitFor('3 pods', async () => {
      const p = await activePods(h.client, NS, 'app=web');
      return p.length === 3 ? p : undefined;
    });
    for (const p of pods) {
      assert.match(p.metadata!.name!, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata?.labels, { app: 'web', tier: 'web' });
      assert.deepEqual(p.metadata?.annotations, { note: 'x' });
      assert.deepEqual(p.metadata?.ownerReferences, [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web',
          uid: rs.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    await waitFor('status', async () => {
      const cur = await h.client.get<ReplicaSet>(ReplicaSets, NS, 'web');
      return (
        cur.status?.replicas === 3 &&
        cur.status.fullyLabeledReplicas === 3 &&
        cur.status.observedGeneration === 1
      );
    });
    const created = h.events.filter((e) => e.reason === 'SuccessfulCreate' && e.name === 'web');
    assert.equal(created.length, 3);
    assert.ok(
      created.every((e) => /^Created pod: web-[a-z0-9]{5}$/.test(e.message) && e.kind === 'ReplicaSet'),
    );

    // Two pods become ready: readyReplicas and availableReplicas follow.
    await setPodReady(h.client, pods[0]!, true);
    await setPodReady(h.client, pods[1]!, true);
    await waitFor('ready 2', async () => {
      const cur = await h.client.get<ReplicaSet>(ReplicaSets, NS, 'web');
      return cur.status?.readyReplicas === 2 && cur.status.availableReplicas === 2;
    });

    // Scaling to 2 deletes the pod that is not ready.
    await h.client.patch(ReplicaSets, NS, 'web', 'merge', { spec: { replicas: 2 } });
    const left = await waitFor('2 pods', async () => {
      const p = await activePods(h.client, NS, 'app=web');
      return p.length === 2 ? p : undefined;
    });
    assert.ok(left.every(isReady), 'the not-ready pod went first');
    await waitFor('SuccessfulDelete event', async () =>
      h.events.some(
        (e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted pod: ${pods[2]!.metadata?.name}`,
      ),
    );
  });

  it('replaces a deleted pod', async () => {
    const [victim] = await activePods(h.client, NS, 'app=web');
    await h.client.delete(Pods, NS, victim!.metadata!.name!);
    await waitFor('replacement', async () => {
      const p = await activePods(h.client, NS, 'app=web');
      return p.length === 2 && p.every((x) => x.metadata?.uid !== victim!.metadata?.uid);
    });
  });

  it('adopts a matching orphan and releases a pod that stops matching', async () => {
    const rs = await h.client.create<ReplicaSet>(ReplicaSets, NS, replicaSet('api', 1, 'api'));
    await waitFor('1 pod', async () => (await activePods(h.client, NS, 'app=api')).length === 1);
    // An orphan with matching labels: adopted, and then one is surplus.
    const orphan: Pod = {
      metadata: { name: 'stray', namespace: NS, labels: { app: 'api' } },
      spec: { containers: [{ name: 'c', image: 'svcnet/netexec' }] },
    };
    await h.client.create(Pods, NS, orphan);
    await waitFor('back to 1 owned pod', async () => {
      const p = await activePods(h.client, NS, 'app=api');
      return p.length === 1 && p[0]!.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid;
    });
    // Relabel the owned pod: released (owner reference removed) and replaced.
    const [owned] = await activePods(h.client, NS, 'app=api');
    await h.client.patch(Pods, NS, owned!.metadata!.name!, 'merge', {
      metadata: { labels: { app: 'other' } },
    });
    await waitFor('released and replaced', async () => {
      const released = await h.client.get<Pod>(Pods, NS, owned!.metadata!.name!);
      const p = await activePods(h.client, NS, 'app=api');
      return (released.metadata?.ownerReferences ?? []).length === 0 && p.length === 1;
    });
  });

  it('reports ReplicaFailure and FailedCreate when pods cannot be created', async () => {
    await h.client.create<ReplicaSet>(ReplicaSets, NS, replicaSet('bad', 2, 'bad'));
    const cur = await waitFor('ReplicaFailure', async () => {
      const r = await h.client.get<ReplicaSet>(ReplicaSets, NS, 'bad');
      return r.status?.conditions?.find((c) => c.type === 'ReplicaFailure') ? r : undefined;
    });
    const cond = cur.status!.conditions!.find((c) => c.type === 'ReplicaFailure')!;
    assert.equal(cond.reason, 'FailedCreate');
    assert.equal(cond.status, 'True');
    assert.equal(cond.message, 'pods "bad-" is forbidden: exceeded quota');
    const failed = h.events.filter((e) => e.reason === 'FailedCreate' && e.name === 'bad');
    assert.ok(failed.length >= 1);
    assert.equal(failed[0]!.message, 'Error creating: pods "bad-" is forbidden: exceeded quota');
  });
});
