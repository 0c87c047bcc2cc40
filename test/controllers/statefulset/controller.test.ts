import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../../src/client/client.js';
import { ControllerRevisions, Pods, StatefulSets } from '../../../src/client/resources.js';
import { StatefulSetController } from '../../../src/controllers/statefulset/controller.js';
import { startEnv, type TestEnv, waitFor } from '../../scheduler/env.js';

const NS = 'default';

function mysql(
  replicas: number,
  image = 'nginx:1',
  policy: 'OrderedReady' | 'Parallel' = 'OrderedReady',
): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'mysql', namespace: NS },
    spec: {
      replicas,
      serviceName: 'mysql',
      podManagementPolicy: policy,
      selector: { matchLabels: { app: 'mysql' } },
      template: {
        metadata: { labels: { app: 'mysql' } },
        spec: { containers: [{ name: 'mysql', image }] },
      },
    },
  };
}

/** Plays the kubelet: the pod is Running and Ready. */
async function makeReady(env: TestEnv, name: string): Promise<void> {
  const pod = await env.client.get<Pod>(Pods, NS, name);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await env.client.update(
    Pods,
    {
      ...pod,
      status: {
        ...pod.status,
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      },
    },
    'status',
  );
}

const podNames = async (env: TestEnv) =>
  (await env.client.list<Pod>(Pods, NS)).items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata!.name!)
    .sort();

describe('StatefulSetController against an API server', () => {
  let env: TestEnv;
  let ctrl: StatefulSetController;
  before(async () => {
    env = await startEnv('statefulset-controller');
    ctrl = new StatefulSetController(env.ctx);
    await env.run(ctrl);
  });
  after(async () => {
    await env.stop();
  });

  it('starts pods in order, each only when its predecessors are Running and Ready', async () => {
    await env.client.create(StatefulSets, NS, mysql(3));
    await waitFor('mysql-0', async () => (await podNames(env)).includes('mysql-0'));
    await ctrl.idle();
    assert.deepEqual(await podNames(env), ['mysql-0']);

    const pod0 = await env.client.get<Pod>(Pods, NS, 'mysql-0');
    assert.equal(pod0.spec?.hostname, 'mysql-0');
    assert.equal(pod0.spec?.subdomain, 'mysql');
    assert.equal(pod0.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], 'mysql-0');
    assert.equal(pod0.metadata?.labels?.['apps.kubernetes.io/pod-index'], '0');
    const set = await env.client.get<StatefulSet>(StatefulSets, NS, 'mysql');
    assert.deepEqual(
      pod0.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [['StatefulSet', 'mysql', set.metadata?.uid, true]],
    );
    const revs = (await env.client.list<ControllerRevision>(ControllerRevisions, NS)).items;
    assert.equal(revs.length, 1);
    assert.equal(pod0.metadata?.labels?.['controller-revision-hash'], revs[0]!.metadata?.name);
    assert.match(revs[0]!.metadata!.name!, /^mysql-[bcdfghjklmnpqrstvwxz2456789]+$/);

    await makeReady(env, 'mysql-0');
    await waitFor('mysql-1', async () => (await podNames(env)).includes('mysql-1'));
    await ctrl.idle();
    assert.deepEqual(await podNames(env), ['mysql-0', 'mysql-1']);
    await makeReady(env, 'mysql-1');
    await waitFor('mysql-2', async () => (await podNames(env)).includes('mysql-2'));
    await makeReady(env, 'mysql-2');

    const status = await waitFor('status', async () => {
      const s = (await env.client.get<StatefulSet>(StatefulSets, NS, 'mysql')).status;
      return s?.readyReplicas === 3 ? s : undefined;
    });
    assert.equal(status.replicas, 3);
    assert.equal(status.availableReplicas, 3);
    assert.equal(status.currentReplicas, 3);
    assert.equal(status.updatedReplicas, 3);
    assert.equal(status.currentRevision, revs[0]!.metadata?.name);
    assert.equal(status.updateRevision, revs[0]!.metadata?.name);
    assert.equal(status.observedGeneration, 1);

    await waitFor('SuccessfulCreate event', async () =>
      (await env.events(NS)).some(
        (e) =>
          e.reason === 'SuccessfulCreate' &&
          e.message === 'create Pod mysql-0 in StatefulSet mysql successful',
      ),
    );
  });

  it('scales down from the highest ordinal', async () => {
    const set = await env.client.get<StatefulSet>(StatefulSets, NS, 'mysql');
    await env.client.update(StatefulSets, { ...set, spec: { ...set.spec!, replicas: 1 } });
    await waitFor('scale down', async () => (await podNames(env)).join() === 'mysql-0', 8000);
    const deleted = await waitFor('SuccessfulDelete events', async () => {
      const d = (await env.events(NS)).filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message);
      return d.length >= 2 ? d : undefined;
    });
    assert.deepEqual(deleted, [
      'delete Pod mysql-2 in StatefulSet mysql successful',
      'delete Pod mysql-1 in StatefulSet mysql successful',
    ]);
  });

  it('rolls out a new template with a new revision and recreates deleted pods', async () => {
    const set = await env.client.get<StatefulSet>(StatefulSets, NS, 'mysql');
    const oldRev = set.status?.currentRevision;
    // A merge patch, as `kubectl set image` sends: no resourceVersion to race the controller's status writes.
    await env.client.patch(StatefulSets, NS, 'mysql', 'merge', {
      spec: { template: { spec: { containers: [{ name: 'mysql', image: 'nginx:2' }] } } },
    });
    const pod = await waitFor(
      'updated pod',
      async () => {
        try {
          const p = await env.client.get<Pod>(Pods, NS, 'mysql-0');
          return p.spec?.containers[0]?.image === 'nginx:2' && !p.metadata?.deletionTimestamp ? p : undefined;
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      },
      8000,
    );
    const newRev = pod.metadata?.labels?.['controller-revision-hash'];
    assert.notEqual(newRev, oldRev);
    const revs = (await env.client.list<ControllerRevision>(ControllerRevisions, NS)).items;
    assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 2]);
    await makeReady(env, 'mysql-0');
    const status = await waitFor('rollout complete', async () => {
      const s = (await env.client.get<StatefulSet>(StatefulSets, NS, 'mysql')).status;
      return s?.currentRevision === newRev && s?.readyReplicas === 1 ? s : undefined;
    });
    assert.equal(status.updateRevision, newRev);
  });

  it('Parallel creates all pods at once', async () => {
    const s = mysql(3, 'nginx:1', 'Parallel');
    await env.client.create(StatefulSets, NS, { ...s, metadata: { ...s.metadata, name: 'web' } });
    const names = await waitFor('all web pods', async () => {
      const n = (await podNames(env)).filter((x) => x.startsWith('web-'));
      return n.length === 3 ? n : undefined;
    });
    assert.deepEqual(names, ['web-0', 'web-1', 'web-2']);
  });
});
