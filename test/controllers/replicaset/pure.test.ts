import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Expectations } from '../../../src/controllers/replicaset/expectations.js';
import {
  deleteFirst,
  deletionCost,
  maxContainerRestarts,
  podsToDelete,
  rankByRelatedOnSameNode,
} from '../../../src/controllers/replicaset/ranking.js';
import { claimAction, claimObjects, recheckOwner } from '../../../src/controllers/replicaset/refmanager.js';
import {
  calculateReplicaSetStatus,
  replicaSetStatusUnchanged,
} from '../../../src/controllers/replicaset/status.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

interface PodOpts {
  name: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  readySince?: number;
  created?: number;
  restarts?: number;
  cost?: string;
  uid?: string;
}
function pod(o: PodOpts): Pod {
  return {
    metadata: {
      name: o.name,
      namespace: 'default',
      uid: o.uid ?? o.name,
      creationTimestamp: o.created === undefined ? undefined : ago(o.created),
      annotations:
        o.cost === undefined ? undefined : { 'controller.kubernetes.io/pod-deletion-cost': o.cost },
    },
    spec: { nodeName: o.node, containers: [] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [
        { type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: ago(o.readySince ?? 100) },
      ],
      containerStatuses: [
        { name: 'c', restartCount: o.restarts ?? 0, image: '', imageID: '', ready: !!o.ready },
      ],
    },
  };
}

describe('deletion ranking (ActivePodsWithRanks)', () => {
  const base = { node: 'n1', phase: 'Running', ready: true, created: 1000 };
  const table: [string, PodOpts, PodOpts, number, number][] = [
    // name, a, b, rank a, rank b — a must be deleted first
    ['unassigned before assigned', { ...base, name: 'a', node: undefined }, { ...base, name: 'b' }, 0, 0],
    ['pending before running', { ...base, name: 'a', phase: 'Pending' }, { ...base, name: 'b' }, 0, 0],
    [
      'pending before unknown',
      { ...base, name: 'a', phase: 'Pending' },
      { ...base, name: 'b', phase: 'Unknown' },
      0,
      0,
    ],
    ['unknown before running', { ...base, name: 'a', phase: 'Unknown' }, { ...base, name: 'b' }, 0, 0],
    ['not ready before ready', { ...base, name: 'a', ready: false }, { ...base, name: 'b' }, 0, 0],
    [
      'lower deletion cost first',
      { ...base, name: 'a', cost: '-5' },
      { ...base, name: 'b', cost: '10' },
      0,
      0,
    ],
    ['doubled up before not', { ...base, name: 'a' }, { ...base, name: 'b' }, 3, 1],
    [
      'ready for less time first (different log2 buckets)',
      { ...base, name: 'a', readySince: 10 },
      { ...base, name: 'b', readySince: 1000 },
      0,
      0,
    ],
    [
      'same log2 bucket of readiness: lower UID first',
      { ...base, name: 'b2', uid: 'a', readySince: 100 },
      { ...base, name: 'a2', uid: 'b', readySince: 101 },
      0,
      0,
    ],
    ['more restarts first', { ...base, name: 'a', restarts: 3 }, { ...base, name: 'b', restarts: 1 }, 0, 0],
    [
      'newer before older',
      { ...base, name: 'a', created: 10 },
      { ...base, name: 'b', created: 10_000 },
      0,
      0,
    ],
    ['no creation time before any', { ...base, name: 'a', created: undefined }, { ...base, name: 'b' }, 0, 0],
  ];
  for (const [name, a, b, ra, rb] of table) {
    it(name, () => {
      const pa = { pod: pod(a), rank: ra };
      const pb = { pod: pod(b), rank: rb };
      assert.equal(deleteFirst(pa, pb, NOW), true);
      assert.equal(deleteFirst(pb, pa, NOW), false);
    });
  }
  it('equal pods: neither first', () => {
    const p = { pod: pod({ ...base, name: 'a' }), rank: 0 };
    assert.equal(deleteFirst(p, p, NOW), false);
  });
  it('deletion cost parses int32 only', () => {
    assert.equal(deletionCost(pod({ name: 'a', cost: '42' })), 42);
    assert.equal(deletionCost(pod({ name: 'a', cost: 'x' })), 0);
    assert.equal(deletionCost(pod({ name: 'a', cost: '99999999999' })), 0);
  });
  it('restarts count sidecars but not plain init containers', () => {
    const p = pod({ name: 'a', restarts: 1 });
    p.spec!.initContainers = [
      { name: 'side', restartPolicy: 'Always' },
      { name: 'init', image: 'x' },
    ];
    p.status!.initContainerStatuses = [
      { name: 'side', restartCount: 5, image: '', imageID: '', ready: true },
      { name: 'init', restartCount: 9, image: '', imageID: '', ready: true },
    ];
    assert.equal(maxContainerRestarts(p), 5);
  });
  it('ranks by active related pods on the same node', () => {
    const mine = [pod({ name: 'a', node: 'n1' }), pod({ name: 'b', node: 'n2' })];
    const related = [
      ...mine,
      pod({ name: 'c', node: 'n1' }),
      pod({ name: 'd', node: 'n1', phase: 'Failed' }),
    ];
    assert.deepEqual(
      rankByRelatedOnSameNode(mine, related).map((r) => r.rank),
      [2, 1],
    );
  });
  it('podsToDelete picks the least useful pods', () => {
    const pods = [
      pod({ name: 'old-ready', node: 'n1', ready: true, created: 5000 }),
      pod({ name: 'pending', node: 'n1', phase: 'Pending', created: 10 }),
      pod({ name: 'unscheduled', phase: 'Pending', created: 20 }),
      pod({ name: 'not-ready', node: 'n1', ready: false, created: 30 }),
    ];
    assert.deepEqual(
      podsToDelete(pods, pods, 3, NOW).map((p) => p.metadata?.name),
      ['unscheduled', 'pending', 'not-ready'],
    );
    assert.equal(podsToDelete(pods, pods, 9, NOW).length, 4);
  });
});

describe('expectations', () => {
  it('blocks until creations are observed, counts each deletion once, expires', () => {
    let now = 0;
    const e = new Expectations(() => now, 1000);
    assert.equal(e.satisfied('ns/rs'), true);
    e.expectCreations('ns/rs', 2);
    assert.equal(e.satisfied('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfied('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfied('ns/rs'), true);

    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a'); // the same pod again: no effect
    e.deletionObserved('ns/rs', 'ns/zzz'); // not expected: no effect
    assert.deepEqual(e.pending('ns/rs'), { add: 0, del: 1 });
    assert.equal(e.satisfied('ns/rs'), false);
    now = 1001;
    assert.equal(e.satisfied('ns/rs'), true, 'expired records no longer block');
    e.delete('ns/rs');
    assert.equal(e.pending('ns/rs'), undefined);
  });
});

describe('claiming (ControllerRefManager)', () => {
  const owner = { metadata: { uid: 'rs1', name: 'rs', namespace: 'ns' } };
  const deleting = { metadata: { uid: 'rs1', deletionTimestamp: ago(1) } };
  const ours = {
    metadata: {
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs1', controller: true },
      ],
    },
  };
  const theirs = {
    metadata: {
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'x', controller: true }],
    },
  };
  const orphan = { metadata: {} };
  const orphanGoing = { metadata: { deletionTimestamp: ago(1) } };
  const table: [string, typeof owner | typeof deleting, object, boolean, string][] = [
    ['ours and matching: keep', owner, ours, true, 'keep'],
    ['ours, not matching: release', owner, ours, false, 'release'],
    ['ours, not matching, owner deleting: ignore', deleting, ours, false, 'ignore'],
    ['someone else’s: ignore', owner, theirs, true, 'ignore'],
    ['orphan matching: adopt', owner, orphan, true, 'adopt'],
    ['orphan not matching: ignore', owner, orphan, false, 'ignore'],
    ['orphan, owner deleting: ignore', deleting, orphan, true, 'ignore'],
    ['orphan being deleted: ignore', owner, orphanGoing, true, 'ignore'],
  ];
  for (const [name, o, obj, matches, want] of table) {
    it(name, () => assert.equal(claimAction(o, obj, matches), want));
  }

  it('claimObjects adopts once-checked, tolerates vanished objects, reports other errors', async () => {
    const objs: { metadata: { name: string; labels?: Record<string, string> } }[] = [
      { metadata: { name: 'keep', ...ours.metadata } },
      { metadata: { name: 'adopt' } },
      { metadata: { name: 'gone' } },
      { metadata: { name: 'release', ...ours.metadata, labels: { no: 'match' } } },
      { metadata: { name: 'bad' } },
    ];
    let checks = 0;
    const released: string[] = [];
    const r = await claimObjects(objs, {
      owner,
      controllerRef: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs1' },
      matches: (o) => !o.metadata.labels,
      canAdopt: async () => {
        checks++;
      },
      adopt: async (o) => {
        if (o.metadata.name === 'gone') throw Object.assign(new Error('gone'), { reason: 'NotFound' });
        if (o.metadata.name === 'bad') throw Object.assign(new Error('denied'), { reason: 'Forbidden' });
      },
      release: async (o) => {
        released.push(o.metadata.name!);
        throw Object.assign(new Error('gone'), { reason: 'NotFound' });
      },
    });
    assert.deepEqual(
      r.claimed.map((o) => o.metadata.name),
      ['keep', 'adopt'],
    );
    assert.deepEqual(released, ['release']);
    assert.equal(checks, 1);
    assert.equal(r.errors.length, 1);
    assert.equal((r.errors[0] as Error).message, 'denied');
  });

  it('recheckOwner refuses a replaced or deleting owner', async () => {
    const cached = { metadata: { uid: 'u1', name: 'rs', namespace: 'ns' } };
    await recheckOwner('ReplicaSet', cached, async () => ({ metadata: { uid: 'u1' } }));
    await assert.rejects(
      recheckOwner('ReplicaSet', cached, async () => ({ metadata: { uid: 'u2' } })),
      /can't recheck DeletionTimestamp: original ReplicaSet ns\/rs is gone: got uid u2, wanted u1/,
    );
    await assert.rejects(
      recheckOwner('ReplicaSet', cached, async () => ({ metadata: { uid: 'u1', deletionTimestamp: 'T' } })),
      /ns\/rs has just been deleted at T/,
    );
  });
});

describe('ReplicaSet status', () => {
  const rs = (replicas: number, minReady = 0): ReplicaSet => ({
    metadata: { name: 'rs', generation: 2 },
    spec: {
      replicas,
      minReadySeconds: minReady,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'fe' } } },
    },
    status: { replicas: 0, observedGeneration: 1 },
  });
  const p = (ready: boolean, since: number, labels: Record<string, string>) => {
    const x = pod({ name: 'p', ready, readySince: since });
    x.metadata!.labels = labels;
    return x;
  };
  it('counts replicas, fully labeled, ready and available pods', () => {
    const pods = [
      p(true, 100, { app: 'web', tier: 'fe' }),
      p(true, 5, { app: 'web', tier: 'fe' }),
      p(false, 100, { app: 'web' }),
    ];
    const s = calculateReplicaSetStatus(rs(3, 10), pods, undefined, NOW);
    assert.deepEqual(
      [s.replicas, s.fullyLabeledReplicas, s.readyReplicas, s.availableReplicas],
      [3, 2, 2, 1],
    );
    assert.equal(s.observedGeneration, 1, 'left to the writer');
  });
  it('sets ReplicaFailure on create errors and clears it on success', () => {
    const failing = calculateReplicaSetStatus(rs(3), [], new Error('pods "x" is forbidden: quota'), NOW);
    assert.deepEqual(failing.conditions, [
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: '2026-01-01T12:00:00Z',
        reason: 'FailedCreate',
        message: 'pods "x" is forbidden: quota',
      },
    ]);
    const withCond = { ...rs(3), status: failing };
    assert.equal(
      calculateReplicaSetStatus(withCond, [], new Error('again'), NOW).conditions?.[0]?.message,
      failing.conditions![0]!.message,
    );
    assert.equal(calculateReplicaSetStatus(withCond, [], undefined, NOW).conditions, undefined);
    const deleteFail = calculateReplicaSetStatus(rs(0), [p(true, 1, {})], new Error('x'), NOW);
    assert.equal(deleteFail.conditions?.[0]?.reason, 'FailedDelete');
  });
  it('skips the write when nothing changed and the generation is observed', () => {
    const r = {
      ...rs(1),
      status: {
        replicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        fullyLabeledReplicas: 1,
        observedGeneration: 2,
      },
    };
    assert.equal(replicaSetStatusUnchanged(r, { ...r.status }), true);
    assert.equal(replicaSetStatusUnchanged(r, { ...r.status, readyReplicas: 0 }), false);
    assert.equal(replicaSetStatusUnchanged({ ...r, metadata: { generation: 3 } }, { ...r.status }), false);
  });
});
