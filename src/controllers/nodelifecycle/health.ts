/**
 * Node health decisions as pure functions (upstream
 * pkg/controller/nodelifecycle tryUpdateNodeHealth, the NoSchedule/NoExecute
 * tainting passes, and controller/util/node MarkPodsNotReady).
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Pod, PodStatus, Taint } from 'kubernetes-types/core/v1.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
/** NoSchedule taints that follow node conditions (nodeConditionToTaintKeyStatusMap). */
const conditionTaints: { type: string; status: string; key: string }[] = [
  { type: 'Ready', status: 'False', key: TAINT_NOT_READY },
  { type: 'Ready', status: 'Unknown', key: TAINT_UNREACHABLE },
  { type: 'MemoryPressure', status: 'True', key: 'node.kubernetes.io/memory-pressure' },
  { type: 'DiskPressure', status: 'True', key: 'node.kubernetes.io/disk-pressure' },
  { type: 'NetworkUnavailable', status: 'True', key: 'node.kubernetes.io/network-unavailable' },
  { type: 'PIDPressure', status: 'True', key: 'node.kubernetes.io/pid-pressure' },
];
/** Conditions the controller turns Unknown when the kubelet goes silent (NetworkUnavailable is left alone). */
const monitoredConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** What the controller remembers about a node between passes (nodeHealthData). */
export interface NodeHealth {
  /** Last time (ms) the kubelet was heard from: a new Ready heartbeat or a lease renewal. */
  probeTimestamp: number;
  readyHeartbeat?: string;
  readyTransition?: string;
  leaseRenewTime?: string;
}

export const readyCondition = (n: Node): NodeCondition | undefined =>
  n.status?.conditions?.find((c) => c.type === 'Ready');

const micro = (t: string | undefined) => (t ? Date.parse(t) : Number.NaN);

/**
 * Folds what the node and its lease show now into the saved health record.
 * A node never seen before counts from now; one that never posted Ready
 * counts from its creation.
 */
export function observeHealth(
  saved: NodeHealth | undefined,
  node: Node,
  lease: Lease | undefined,
  now: number,
): NodeHealth {
  const ready = readyCondition(node);
  let h: NodeHealth;
  if (!ready) {
    h = saved ?? { probeTimestamp: micro(node.metadata?.creationTimestamp) || now };
  } else if (!saved || saved.readyHeartbeat === undefined) {
    h = {
      probeTimestamp: now,
      readyHeartbeat: ready.lastHeartbeatTime,
      readyTransition: ready.lastTransitionTime,
    };
  } else if (saved.readyHeartbeat !== ready.lastHeartbeatTime) {
    h = {
      probeTimestamp: now,
      readyHeartbeat: ready.lastHeartbeatTime,
      readyTransition: ready.lastTransitionTime,
    };
  } else {
    h = { ...saved };
  }
  const renew = lease?.spec?.renewTime;
  if (renew && renew !== saved?.leaseRenewTime && !(micro(renew) < micro(saved?.leaseRenewTime))) {
    h.leaseRenewTime = renew;
    h.probeTimestamp = now;
  } else if (saved?.leaseRenewTime) {
    h.leaseRenewTime = saved.leaseRenewTime;
  }
  return h;
}

/**
 * The node's conditions once its grace period has passed without word from
 * the kubelet: every monitored condition Unknown ("Kubelet stopped posting
 * node status."), missing ones added as never updated. Undefined when the
 * node is still within its grace period or nothing changes.
 */
export function expireConditions(
  node: Node,
  h: NodeHealth,
  gracePeriodMs: number,
  now: number,
): NodeCondition[] | undefined {
  if (!(now > h.probeTimestamp + gracePeriodMs)) return undefined;
  const stamp = rfc3339(now);
  const conditions = structuredClone(node.status?.conditions ?? []);
  for (const type of monitoredConditions) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp,
        lastTransitionTime: stamp,
      });
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = stamp;
    }
  }
  const before = readyCondition(node);
  const after = conditions.find((c) => c.type === 'Ready');
  // Upstream writes only when the Ready condition changed.
  if (JSON.stringify(before) === JSON.stringify(after)) return undefined;
  return conditions;
}

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
const managed = (t: Taint) =>
  (t.effect === 'NoSchedule' &&
    (t.key === TAINT_UNSCHEDULABLE || conditionTaints.some((c) => c.key === t.key))) ||
  (t.effect === 'NoExecute' && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE));

/** The controller-owned taints a node should carry, from its conditions and spec.unschedulable. */
export function desiredTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    for (const m of conditionTaints) {
      if (m.type === c.type && m.status === c.status) out.push({ key: m.key, effect: 'NoSchedule' });
    }
  }
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = readyCondition(node)?.status;
  if (ready === 'False') out.push({ key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') out.push({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  return out;
}

/**
 * The node's taint list with the controller-owned taints made to match
 * `desired` (others untouched, kept ones keep their timeAdded, new ones get
 * now). Undefined when nothing changes.
 */
export function reconcileTaints(
  current: readonly Taint[],
  desired: readonly Taint[],
  now: number,
): Taint[] | undefined {
  const kept = current.filter((t) => !managed(t) || desired.some((d) => sameTaint(d, t)));
  const added = desired
    .filter((d) => !current.some((t) => sameTaint(d, t)))
    .map((d) => ({ ...d, timeAdded: rfc3339(now) }));
  if (kept.length === current.length && added.length === 0) return undefined;
  return [...kept, ...added];
}

/**
 * The pod's status with its Ready condition False (MarkPodsNotReady, with
 * podutil.UpdatePodCondition's transition time); undefined when it already is.
 */
export function podNotReadyStatus(pod: Pod, now: number): PodStatus | undefined {
  const conditions = pod.status?.conditions ?? [];
  const i = conditions.findIndex((c) => c.type === 'Ready');
  if (i < 0 || conditions[i]!.status === 'False') return undefined;
  const next = structuredClone(pod.status!);
  next.conditions![i] = { ...conditions[i]!, status: 'False', lastTransitionTime: rfc3339(now) };
  return next;
}

export const rfc3339 = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
