import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  identityMatches,
  newStatefulSetPod,
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  parentAndOrdinal,
  REVISION_LABEL,
} from '../../../src/controllers/statefulset/identity.js';
import {
  completeRollingUpdate,
  planStatefulSet,
  statusChanged,
} from '../../../src/controllers/statefulset/plan.js';
import { newRevision } from '../../../src/controllers/statefulset/revision.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

function mkSet(over: Partial<StatefulSet['spec']> = {}, status?: StatefulSet['status']): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'mysql', namespace: 'default', uid: 'set-uid', generation: 1 },
    spec: {
      replicas: 3,
      serviceName: 'mysql',
      selector: { matchLabels: { app: 'mysql' } },
      template: {
        metadata: { labels: { app: 'mysql' } },
        spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      podManagementPolicy: 'OrderedReady',
      ...over,
    },
    ...(status ? { status } : {}),
  };
}

type PodState = 'ready' | 'running' | 'pending' | 'failed' | 'terminating';
function mkPod(set: StatefulSet, ordinal: number, state: PodState, rev: string): Pod {
  const base = newStatefulSetPod(set, ordinal, rev);
  const ready = state === 'ready' || state === 'terminating';
  const deleting = state === 'terminating' ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {};
  return {
    ...base,
    metadata: { ...base.metadata, ...deleting },
    status: {
      phase: state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running',
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2024-12-31T00:00:00Z' },
      ],
    },
  };
}

function revs(set: StatefulSet, image2?: string): { r1: ControllerRevision; r2: ControllerRevision } {
  const r1 = newRevision(set, 1, 0);
  const changed = structuredClone(set);
  changed.spec!.template.spec!.containers[0]!.image = image2 ?? 'nginx:2';
  const r2 = newRevision(changed, 2, 0);
  return { r1, r2 };
}

const summary = (actions: ReturnType<typeof planStatefulSet>['actions']) =>
  actions.map((a) => `${a.type}${a.type === 'delete' ? `(${a.why})` : ''} ${a.pod.metadata?.name}`);

describe('identity', () => {
  it('parses parent and ordinal from pod names', () => {
    const cases: [string, string, number][] = [
      ['mysql-0', 'mysql', 0],
      ['my-sql-12', 'my-sql', 12],
      ['web', '', -1],
      ['web-', '', -1],
      ['web-99999999999', 'web', -1],
    ];
    for (const [name, parent, ordinal] of cases) {
      assert.deepEqual(
        parentAndOrdinal(name),
        { parent: ordinal < 0 && !parent ? '' : parent, ordinal },
        name,
      );
    }
  });

  it('builds a pod with identity, hostname, subdomain, owner and revision', () => {
    const set = mkSet({ ordinals: { start: 5 } });
    const pod = newStatefulSetPod(set, 5, 'mysql-abc');
    assert.equal(pod.metadata?.name, 'mysql-5');
    assert.deepEqual(pod.metadata?.labels, {
      app: 'mysql',
      [POD_NAME_LABEL]: 'mysql-5',
      [POD_INDEX_LABEL]: '5',
      [REVISION_LABEL]: 'mysql-abc',
    });
    assert.equal(pod.spec?.hostname, 'mysql-5');
    assert.equal(pod.spec?.subdomain, 'mysql');
    assert.deepEqual(pod.metadata?.ownerReferences, [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'mysql',
        uid: 'set-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.ok(identityMatches(set, pod));
  });

  it('replaces volumeClaimTemplates with emptyDir volumes of the same name', () => {
    const set = mkSet({ volumeClaimTemplates: [{ metadata: { name: 'data' } }] });
    const pod = newStatefulSetPod(set, 0, 'r');
    assert.deepEqual(pod.spec?.volumes, [{ name: 'data', emptyDir: {} }]);
  });
});

describe('planStatefulSet', () => {
  const set = mkSet();
  const { r1, r2 } = revs(set);
  const R1 = r1.metadata!.name!;
  const R2 = r2.metadata!.name!;

  const cases: {
    name: string;
    set?: StatefulSet;
    pods: [number, PodState, 'r1' | 'r2'][];
    update?: 'r1' | 'r2';
    want: string[];
  }[] = [
    { name: 'OrderedReady creates ordinal 0 first', pods: [], want: ['create mysql-0'] },
    { name: 'waits while 0 is not ready', pods: [[0, 'running', 'r1']], want: [] },
    { name: 'waits while 0 is pending', pods: [[0, 'pending', 'r1']], want: [] },
    { name: 'creates 1 once 0 is ready', pods: [[0, 'ready', 'r1']], want: ['create mysql-1'] },
    {
      name: 'fills a gap below a ready pod first',
      pods: [
        [0, 'ready', 'r1'],
        [2, 'ready', 'r1'],
      ],
      want: ['create mysql-1'],
    },
    {
      name: 'replaces a failed pod and waits',
      pods: [
        [0, 'failed', 'r1'],
        [1, 'ready', 'r1'],
      ],
      want: ['delete(failed) mysql-0'],
    },
    {
      name: 'Parallel creates every missing pod at once',
      set: mkSet({ podManagementPolicy: 'Parallel' }),
      pods: [[1, 'pending', 'r1']],
      want: ['create mysql-0', 'create mysql-2'],
    },
    {
      name: 'scale down deletes the highest ordinal only',
      set: mkSet({ replicas: 1 }),
      pods: [
        [0, 'ready', 'r1'],
        [1, 'ready', 'r1'],
        [2, 'ready', 'r1'],
      ],
      want: ['delete(condemned) mysql-2'],
    },
    {
      name: 'scale down waits for the terminating pod',
      set: mkSet({ replicas: 1 }),
      pods: [
        [0, 'ready', 'r1'],
        [1, 'ready', 'r1'],
        [2, 'terminating', 'r1'],
      ],
      want: [],
    },
    {
      name: 'Parallel scale down deletes all condemned',
      set: mkSet({ replicas: 1, podManagementPolicy: 'Parallel' }),
      pods: [
        [0, 'ready', 'r1'],
        [1, 'ready', 'r1'],
        [2, 'ready', 'r1'],
      ],
      want: ['delete(condemned) mysql-2', 'delete(condemned) mysql-1'],
    },
    {
      name: 'rolling update deletes the highest ordinal at the old revision',
      update: 'r2',
      pods: [
        [0, 'ready', 'r1'],
        [1, 'ready', 'r1'],
        [2, 'ready', 'r1'],
      ],
      want: ['delete(update) mysql-2'],
    },
    {
      name: 'rolling update waits for the updated pod to be ready',
      update: 'r2',
      pods: [
        [0, 'ready', 'r1'],
        [1, 'ready', 'r1'],
        [2, 'running', 'r2'],
      ],
      want: [],
    },
    {
      name: 'rolling update continues downwards',
      update: 'r2',
      pods: [
        [0, 'ready', 'r1'],
        [1, 'ready', 'r1'],
        [2, 'ready', 'r2'],
      ],
      want: ['delete(update) mysql-1'],
    },
    {
      name: 'partition keeps lower ordinals',
      set: mkSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }),
      update: 'r2',
      pods: [
        [0, 'ready', 'r1'],
        [1, 'ready', 'r1'],
        [2, 'ready', 'r2'],
      ],
      want: [],
    },
    {
      name: 'OnDelete never deletes for an update',
      set: mkSet({ updateStrategy: { type: 'OnDelete' } }),
      update: 'r2',
      pods: [
        [0, 'ready', 'r1'],
        [1, 'ready', 'r1'],
        [2, 'ready', 'r1'],
      ],
      want: [],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const s = c.set ?? set;
      const pods = c.pods.map(([o, st, r]) => mkPod(s, o, st, r === 'r1' ? R1 : R2));
      const plan = planStatefulSet({
        set: s,
        pods,
        currentRevision: r1,
        updateRevision: c.update === 'r2' ? r2 : r1,
        collisionCount: 0,
        now: NOW,
      });
      assert.deepEqual(summary(plan.actions), c.want);
    });
  }

  it('creates new pods at the update revision, below the partition at the current one', () => {
    const s = mkSet({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
      podManagementPolicy: 'Parallel',
    });
    const plan = planStatefulSet({
      set: s,
      pods: [],
      currentRevision: r1,
      updateRevision: r2,
      collisionCount: 0,
      now: NOW,
    });
    const byName = Object.fromEntries(plan.actions.map((a) => [a.pod.metadata!.name!, a.pod]));
    assert.equal(byName['mysql-0']!.metadata!.labels![REVISION_LABEL], R1);
    assert.equal(byName['mysql-0']!.spec!.containers[0]!.image, 'nginx:1');
    assert.equal(byName['mysql-1']!.metadata!.labels![REVISION_LABEL], R2);
    assert.equal(byName['mysql-1']!.spec!.containers[0]!.image, 'nginx:2');
  });

  it('counts status and completes a rolling update', () => {
    const pods = [0, 1, 2].map((o) => mkPod(set, o, 'ready', R2));
    const plan = planStatefulSet({
      set,
      pods,
      currentRevision: r1,
      updateRevision: r2,
      collisionCount: 0,
      now: NOW,
    });
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.status.replicas, 3);
    assert.equal(plan.status.readyReplicas, 3);
    assert.equal(plan.status.availableReplicas, 3);
    assert.equal(plan.status.updatedReplicas, 3);
    assert.equal(plan.status.currentReplicas, 0);
    assert.equal(plan.status.observedGeneration, 1);
    const done = completeRollingUpdate(set, plan.status);
    assert.equal(done.currentRevision, R2);
    assert.equal(done.currentReplicas, 3);
    assert.ok(statusChanged(set, done));
    assert.ok(!statusChanged({ ...set, status: done }, done));
  });

  it('minReadySeconds holds back the next pod until the ready one is available', () => {
    const s = mkSet({ minReadySeconds: 30 });
    const pod = mkPod(s, 0, 'ready', R1);
    pod.status!.conditions![0]!.lastTransitionTime = new Date(NOW - 10_000).toISOString();
    const plan = planStatefulSet({
      set: s,
      pods: [pod],
      currentRevision: r1,
      updateRevision: r1,
      collisionCount: 0,
      now: NOW,
    });
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.status.availableReplicas, 0);
    const later = planStatefulSet({
      set: s,
      pods: [pod],
      currentRevision: r1,
      updateRevision: r1,
      collisionCount: 0,
      now: NOW + 25_000,
    });
    assert.deepEqual(summary(later.actions), ['create mysql-1']);
  });

  it('restores missing identity labels', () => {
    const pod = mkPod(set, 0, 'ready', R1);
    delete pod.metadata!.labels![POD_INDEX_LABEL];
    const plan = planStatefulSet({
      set: mkSet({ replicas: 1 }),
      pods: [pod],
      currentRevision: r1,
      updateRevision: r1,
      collisionCount: 0,
      now: NOW,
    });
    assert.deepEqual(summary(plan.actions), ['update mysql-0']);
    assert.equal(plan.actions[0]!.pod.metadata!.labels![POD_INDEX_LABEL], '0');
  });

  it('does nothing but status for a set being deleted', () => {
    const s = { ...mkSet(), metadata: { ...mkSet().metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } };
    const plan = planStatefulSet({
      set: s,
      pods: [],
      currentRevision: r1,
      updateRevision: r1,
      collisionCount: 0,
      now: NOW,
    });
    assert.deepEqual(plan.actions, []);
  });
});
