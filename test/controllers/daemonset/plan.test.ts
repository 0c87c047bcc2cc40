import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { FailedPodBackoff } from '../../../src/controllers/daemonset/backoff.js';
import { nodeShouldRunDaemonPod, pinToNode } from '../../../src/controllers/daemonset/placement.js';
import { planDaemonSet, scaled } from '../../../src/controllers/daemonset/plan.js';

const ds = (extra: Partial<NonNullable<DaemonSet['spec']>> = {}): DaemonSet => ({
  metadata: {
    name: 'd',
    namespace: 'default',
    uid: 'u',
    generation: 1,
    annotations: { 'deprecated.daemonset.template.generation': '1' },
  },
  spec: {
    selector: { matchLabels: { app: 'd' } },
    template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c' }] } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    ...extra,
  },
});
const node = (name: string, taints: Taint[] = []): Node => ({
  metadata: { name, labels: {} },
  spec: { taints },
});
const now = Date.parse('2024-01-01T00:10:00Z');
const pod = (name: string, nodeName: string, hash: string, ready = true): Pod => ({
  metadata: {
    name,
    labels: { app: 'd', 'controller-revision-hash': hash },
    creationTimestamp: '2024-01-01T00:00:00Z',
  },
  spec: { containers: [], affinity: pinToNode(undefined, nodeName) },
  status: {
    phase: 'Running',
    conditions: [
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2024-01-01T00:00:00Z' },
    ],
  },
});

describe('nodeShouldRunDaemonPod', () => {
  it('taints: NoSchedule keeps new pods off but lets a running one stay; NoExecute evicts', () => {
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', [{ key: 'k', effect: 'NoSchedule' }]), ds()), {
      shouldRun: false,
      shouldContinueRunning: true,
    });
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', [{ key: 'k', effect: 'NoExecute' }]), ds()), {
      shouldRun: false,
      shouldContinueRunning: false,
    });
    // The daemon tolerations cover node conditions, cordoning included.
    for (const key of ['node.kubernetes.io/unschedulable', 'node.kubernetes.io/not-ready'])
      assert.equal(
        nodeShouldRunDaemonPod(
          node('a', [{ key, effect: key.endsWith('ready') ? 'NoExecute' : 'NoSchedule' }]),
          ds(),
        ).shouldRun,
        true,
      );
  });
  it('required node affinity and a fixed nodeName', () => {
    const d = ds();
    d.spec!.template.spec!.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }],
        },
      },
    };
    const z1: Node = { metadata: { name: 'a', labels: { zone: 'z1' } } };
    assert.equal(nodeShouldRunDaemonPod(z1, d).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('b'), d).shouldRun, false);
    const fixed = ds();
    fixed.spec!.template.spec!.nodeName = 'b';
    assert.equal(nodeShouldRunDaemonPod(node('a'), fixed).shouldRun, false);
  });
});

describe('planDaemonSet', () => {
  const nodes = ['a', 'b', 'c'].map((n) => node(n));
  it('creates on nodes without a pod and reports status', () => {
    const p = planDaemonSet({ ds: ds(), nodes, pods: [pod('p1', 'a', 'h1')], hash: 'h1', now, manage: true });
    assert.deepEqual(p.createOn, ['b', 'c']);
    assert.equal(p.status.desiredNumberScheduled, 3);
    assert.equal(p.status.currentNumberScheduled, 1);
    assert.equal(p.status.numberUnavailable, 2);
  });
  it('maxUnavailable 1 replaces one available old pod at a time; unavailable old ones go at once', () => {
    const old = [pod('p1', 'a', 'h0'), pod('p2', 'b', 'h0'), pod('p3', 'c', 'h0')];
    const p = planDaemonSet({ ds: ds(), nodes, pods: old, hash: 'h1', now, manage: true });
    assert.deepEqual(
      p.delete.map((d) => d.pod.metadata?.name),
      ['p1'],
    );
    const withBroken = [pod('p1', 'a', 'h0'), pod('p2', 'b', 'h0', false), pod('p3', 'c', 'h0')];
    const q = planDaemonSet({ ds: ds(), nodes, pods: withBroken, hash: 'h1', now, manage: true });
    assert.deepEqual(q.delete.map((d) => d.pod.metadata?.name).sort(), ['p1', 'p2']);
  });
  it('maxUnavailable 2 with a percentage rounds up', () => {
    assert.equal(scaled('34%', 3), 2);
    const d = ds({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '34%', maxSurge: 0 } },
    });
    const old = [pod('p1', 'a', 'h0'), pod('p2', 'b', 'h0'), pod('p3', 'c', 'h0')];
    assert.equal(planDaemonSet({ ds: d, nodes, pods: old, hash: 'h1', now, manage: true }).delete.length, 2);
  });
  it('OnDelete never replaces; duplicates on a node keep the oldest; nothing is done while expectations wait', () => {
    const d = ds({ updateStrategy: { type: 'OnDelete' } });
    const old = [pod('p1', 'a', 'h0'), pod('p2', 'b', 'h0'), pod('p3', 'c', 'h0')];
    assert.deepEqual(planDaemonSet({ ds: d, nodes, pods: old, hash: 'h1', now, manage: true }).delete, []);
    const dup = {
      ...pod('p4', 'a', 'h0'),
      metadata: { ...pod('p4', 'a', 'h0').metadata, creationTimestamp: '2024-01-01T00:05:00Z' },
    };
    assert.deepEqual(
      planDaemonSet({ ds: d, nodes, pods: [...old, dup], hash: 'h1', now, manage: true }).delete.map(
        (x) => x.pod.metadata?.name,
      ),
      ['p4'],
    );
    const waiting = planDaemonSet({ ds: ds(), nodes, pods: [], hash: 'h1', now, manage: false });
    assert.deepEqual(waiting.createOn, []);
    assert.equal(waiting.status.desiredNumberScheduled, 3);
  });
  it('failed pods are deleted', () => {
    const failed = { ...pod('p1', 'a', 'h1'), status: { phase: 'Failed' } };
    const p = planDaemonSet({ ds: ds(), nodes: [node('a')], pods: [failed], hash: 'h1', now, manage: true });
    assert.deepEqual(
      p.delete.map((d) => [d.pod.metadata?.name, d.failed]),
      [['p1', true]],
    );
    assert.deepEqual(p.createOn, []);
  });
});

describe('FailedPodBackoff', () => {
  it('1 s, doubling to the cap, reset after a long quiet', () => {
    const b = new FailedPodBackoff(1000, 4000);
    assert.equal(b.remaining('k', 0), 0);
    b.next('k', 0);
    assert.equal(b.remaining('k', 500), 500);
    assert.equal(b.remaining('k', 1000), 0);
    b.next('k', 1000);
    assert.equal(b.remaining('k', 1000), 2000);
    b.next('k', 3000);
    b.next('k', 7000);
    assert.equal(b.remaining('k', 7000), 4000);
    b.next('k', 7000 + 8001);
    assert.equal(b.remaining('k', 15001), 1000);
    b.gc(15001 + 8001);
    assert.equal(b.remaining('k', 15001), 0);
  });
});
