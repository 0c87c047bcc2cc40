/**
 * Which pods a ReplicaSet deletes first when it has too many (upstream
 * ActivePodsWithRanks with the PodDeletionCost and LogarithmicScaleDown
 * features on, as in Kubernetes 1.32): the least useful pods first.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive, isPodReady, parseTime, podReadyCondition } from '../podutil.js';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal = (phase: string | undefined): number => {
  switch (phase) {
    case 'Pending':
      return 0;
    case 'Unknown':
      return 1;
    case 'Running':
      return 2;
    default:
      // Upstream's map lookup yields 0 for anything else (e.g. no phase yet).
      return 0;
  }
};

/** The pod-deletion-cost annotation as an int32; absent or invalid is 0. */
export function deletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[POD_DELETION_COST];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

export function maxContainerRestarts(pod: Pod): number {
  let max = 0;
  for (const c of pod.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  // Restartable init containers (sidecars) count too.
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  for (const c of pod.status?.initContainerStatuses ?? []) {
    if (sidecars.has(c.name)) max = Math.max(max, c.restartCount ?? 0);
  }
  return max;
}

/** Go's afterOrZero: a zero time sorts first, otherwise the later time first. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** floor(log2(age in nanoseconds)), -1 for no age: pods within a power of two of each other tie. */
function logRank(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Compares two timestamps as upstream (logarithmic buckets, ties broken by UID). */
function timeLess(a: Pod, b: Pod, ta: number | undefined, tb: number | undefined, now: number): boolean {
  if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
  const diff = logRank(ta, now) - logRank(tb, now);
  if (diff === 0) return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '');
  return diff < 0;
}

export interface RankedPod {
  pod: Pod;
  /** Active related pods on the same node (more means "doubled up"). */
  rank: number;
}

/** True when `a` should be deleted before `b`. */
export function deleteFirst(a: RankedPod, b: RankedPod, now: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  // 1. Unassigned before assigned.
  if (na !== nb && (na === '' || nb === '')) return na === '';
  // 2. Pending before Unknown before Running.
  const oa = phaseOrdinal(pa.status?.phase);
  const ob = phaseOrdinal(pb.status?.phase);
  if (oa !== ob) return oa < ob;
  // 3. Not ready before ready.
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return !ra;
  // 4. Lower deletion cost before higher.
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca < cb;
  // 5. Doubled up before not.
  if (a.rank !== b.rank) return a.rank > b.rank;
  // 6. Ready for less time before ready for longer.
  if (ra && rb) {
    const ta = parseTime(podReadyCondition(pa)?.lastTransitionTime);
    const tb = parseTime(podReadyCondition(pb)?.lastTransitionTime);
    if (ta !== tb) return timeLess(pa, pb, ta, tb, now);
  }
  // 7. More restarts before fewer.
  const xa = maxContainerRestarts(pa);
  const xb = maxContainerRestarts(pb);
  if (xa !== xb) return xa > xb;
  // 8. Newer before older.
  const ta = parseTime(pa.metadata?.creationTimestamp);
  const tb = parseTime(pb.metadata?.creationTimestamp);
  if (ta !== tb) return timeLess(pa, pb, ta, tb, now);
  return false;
}

/**
 * Ranks `pods` by how many active `related` pods (the same owner's pods,
 * including those of sibling ReplicaSets) share their node.
 */
export function rankByRelatedOnSameNode(pods: readonly Pod[], related: readonly Pod[]): RankedPod[] {
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  return pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
}

/** The `diff` pods to delete out of `pods` (upstream getPodsToDelete). */
export function podsToDelete(
  pods: readonly Pod[],
  related: readonly Pod[],
  diff: number,
  now: number,
): Pod[] {
  if (diff >= pods.length) return [...pods];
  const ranked = rankByRelatedOnSameNode(pods, related);
  // Pods that compare equal keep their cache order; upstream leaves their order unspecified too.
  ranked.sort((a, b) => (deleteFirst(a, b, now) ? -1 : deleteFirst(b, a, now) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
