import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import {
  desiredTaints,
  expireConditions,
  observeHealth,
  podNotReadyStatus,
  reconcileTaints,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
} from '../../../src/controllers/nodelifecycle/health.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const GRACE = 50_000;

function node(ready?: 'True' | 'False' | 'Unknown', heartbeat = '2025-01-01T00:00:00Z'): Node {
  return {
    metadata: { name: 'n1', creationTimestamp: '2024-12-31T23:59:00Z' },
    spec: {},
    status: {
      conditions: ready
        ? [
            {
              type: 'MemoryPressure',
              status: 'False',
              lastHeartbeatTime: heartbeat,
              lastTransitionTime: heartbeat,
            },
            { type: 'Ready', status: ready, lastHeartbeatTime: heartbeat, lastTransitionTime: heartbeat },
          ]
        : [],
    },
  };
}

describe('observeHealth', () => {
  it('follows Ready heartbeats and lease renewals', () => {
    let h = observeHealth(undefined, node('True'), undefined, T0);
    assert.equal(h.probeTimestamp, T0);
    // Nothing new: the probe time stays.
    h = observeHealth(h, node('True'), undefined, T0 + 10_000);
    assert.equal(h.probeTimestamp, T0);
    // A new heartbeat.
    h = observeHealth(h, node('True', '2025-01-01T00:00:20Z'), undefined, T0 + 20_000);
    assert.equal(h.probeTimestamp, T0 + 20_000);
    // A lease renewal counts as well.
    const lease = { spec: { renewTime: '2025-01-01T00:00:30.000000Z' } };
    h = observeHealth(h, node('True', '2025-01-01T00:00:20Z'), lease, T0 + 30_000);
    assert.equal(h.probeTimestamp, T0 + 30_000);
    h = observeHealth(h, node('True', '2025-01-01T00:00:20Z'), lease, T0 + 40_000);
    assert.equal(h.probeTimestamp, T0 + 30_000);
  });

  it('counts a node that never posted Ready from its creation', () => {
    const h = observeHealth(undefined, node(), undefined, T0);
    assert.equal(h.probeTimestamp, Date.parse('2024-12-31T23:59:00Z'));
  });
});

describe('expireConditions', () => {
  it('leaves a node alone within the grace period', () => {
    const h = observeHealth(undefined, node('True'), undefined, T0);
    assert.equal(expireConditions(node('True'), h, GRACE, T0 + GRACE), undefined);
  });

  it('turns conditions Unknown after the grace period and adds missing ones', () => {
    const n = node('True');
    const h = observeHealth(undefined, n, undefined, T0);
    const got = expireConditions(n, h, GRACE, T0 + GRACE + 1)!;
    const byType = Object.fromEntries(got.map((c) => [c.type, c]));
    assert.deepEqual(byType.Ready, {
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: '2025-01-01T00:00:00Z',
      lastTransitionTime: '2025-01-01T00:00:50Z',
    });
    assert.equal(byType.MemoryPressure?.status, 'Unknown');
    assert.equal(byType.DiskPressure?.reason, 'NodeStatusNeverUpdated');
    assert.equal(byType.DiskPressure?.message, 'Kubelet never posted node status.');
    assert.equal(byType.PIDPressure?.status, 'Unknown');
  });

  it('does not rewrite a node already Unknown', () => {
    const n = node('Unknown');
    const h = observeHealth(undefined, n, undefined, T0);
    assert.equal(expireConditions(n, h, GRACE, T0 + 2 * GRACE), undefined);
  });
});

describe('taints', () => {
  const keys = (ts: Taint[]) => ts.map((t) => `${t.key}:${t.effect}`).sort();
  const cases: [string, Node, string[]][] = [
    ['ready', node('True'), []],
    ['not ready', node('False'), [`${TAINT_NOT_READY}:NoExecute`, `${TAINT_NOT_READY}:NoSchedule`]],
    ['unreachable', node('Unknown'), [`${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`]],
    ['cordoned', { ...node('True'), spec: { unschedulable: true } }, [`${TAINT_UNSCHEDULABLE}:NoSchedule`]],
  ];
  for (const [name, n, want] of cases)
    it(`desired taints: ${name}`, () => assert.deepEqual(keys(desiredTaints(n)), want));

  it('adds, keeps and removes only the controller-owned taints', () => {
    const user: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    const old: Taint = { key: TAINT_UNREACHABLE, effect: 'NoSchedule', timeAdded: '2024-01-01T00:00:00Z' };
    const got = reconcileTaints([user, old], desiredTaints(node('Unknown')), T0)!;
    assert.deepEqual(got, [
      user,
      old,
      { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2025-01-01T00:00:00Z' },
    ]);
    assert.equal(reconcileTaints(got, desiredTaints(node('Unknown')), T0), undefined);
    assert.deepEqual(reconcileTaints(got, desiredTaints(node('True')), T0), [user]);
  });
});

describe('podNotReadyStatus', () => {
  const pod = (ready: string): Pod => ({
    metadata: { name: 'p' },
    spec: { containers: [], nodeName: 'n1' },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: ready, lastTransitionTime: '2024-01-01T00:00:00Z' },
      ],
    },
  });
  it('sets Ready False with a new transition time', () => {
    const s = podNotReadyStatus(pod('True'), T0)!;
    assert.deepEqual(s.conditions![1], {
      type: 'Ready',
      status: 'False',
      lastTransitionTime: '2025-01-01T00:00:00Z',
    });
    assert.deepEqual(s.conditions![0], { type: 'PodScheduled', status: 'True' });
  });
  it('leaves a pod already not ready', () => assert.equal(podNotReadyStatus(pod('False'), T0), undefined));
});
