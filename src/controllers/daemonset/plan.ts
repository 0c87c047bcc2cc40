/**
 * One DaemonSet sync pass as a pure plan (upstream daemon controller's
 * manage, podsShouldBeOnNode, rollingUpdate and updateDaemonSetStatus): which
 * nodes get a new pod, which pods go, and the status the pods show now.
 */
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../podutil.js';
import { HASH_LABEL, isPodUpdated, nodeShouldRunDaemonPod, targetNodeName } from './placement.js';

export interface DaemonSetPlan {
  /** Nodes to create a daemon pod on. */
  createOn: string[];
  /** Pods to delete, each with why (for events and logs). */
  delete: { pod: Pod; failed: boolean }[];
  status: DaemonSetStatus;
}

const created = (p: Pod) => p.metadata?.creationTimestamp ?? '';
/** podByCreationTimestampAndPhase: running pods first, then oldest first, then by name. */
function byAge(a: Pod, b: Pod): number {
  const ra = a.status?.phase === 'Running' ? 0 : 1;
  const rb = b.status?.phase === 'Running' ? 0 : 1;
  if (ra !== rb) return ra - rb;
  if (created(a) !== created(b)) return created(a) < created(b) ? -1 : 1;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

/** Pods by the node they are on (or pinned to); pods for no node at all are under ''. */
export function podsByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const m = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = targetNodeName(p) ?? '';
    m.set(n, [...(m.get(n) ?? []), p]);
  }
  return m;
}

/** intstr.GetScaledValueFromIntOrPercent rounding up, as SurgeCount and UnavailableCount use it. */
export function scaled(v: number | string | undefined, total: number): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number.parseInt(v, 10) || 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

const allowsSurge = (ds: DaemonSet) =>
  ds.spec?.updateStrategy?.type === 'RollingUpdate' &&
  scaled(ds.spec.updateStrategy.rollingUpdate?.maxSurge, 1) > 0;

/** podsShouldBeOnNode: what the node needs so it runs exactly the pods it should. */
function manageNode(ds: DaemonSet, node: Node, pods: Pod[], hash: string, plan: DaemonSetPlan): void {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const name = node.metadata?.name ?? '';
  if (shouldRun && pods.length === 0) {
    plan.createOn.push(name);
    return;
  }
  if (!shouldContinueRunning) {
    for (const pod of pods) if (!pod.metadata?.deletionTimestamp) plan.delete.push({ pod, failed: false });
    return;
  }
  const running: Pod[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    // A failed pod is deleted; the next pass, seeing the node empty, creates its replacement.
    if (pod.status?.phase === 'Failed') plan.delete.push({ pod, failed: true });
    else running.push(pod);
  }
  if (running.length <= 1) return;
  running.sort(byAge);
  if (!allowsSurge(ds)) {
    for (const pod of running.slice(1)) plan.delete.push({ pod, failed: false });
    return;
  }
  // Surging: an old and a new pod may share a node while the new one is not ready yet.
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    const isNew = pod.metadata?.labels?.[HASH_LABEL] === hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else plan.delete.push({ pod, failed: false });
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodReady(oldestNew)))
    plan.delete.push({ pod: oldestOld, failed: false });
}

/** findUpdatedPodsOnNode: the node's one new and one old pod; `ok` false when it has several of either. */
function updatedPodsOnNode(
  ds: DaemonSet,
  pods: Pod[],
  hash: string,
): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(pod, ds, hash)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/** rollingUpdate: replace old pods within maxUnavailable, or surge new ones within maxSurge. */
function rollingUpdate(
  ds: DaemonSet,
  byNode: Map<string, Pod[]>,
  desired: number,
  hash: string,
  now: number,
  plan: DaemonSetPlan,
): void {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaled(ru?.maxSurge, desired);
  let maxUnavailable = scaled(ru?.maxUnavailable, desired);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: Pod | undefined) => !!p && isPodAvailable(p, minReady, now);
  const nodes = [...byNode.keys()].filter((n) => n !== '').sort();
  if (maxSurge === 0) {
    let unavailable = 0;
    const replace: Pod[] = [];
    const candidates: Pod[] = [];
    for (const n of nodes) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(ds, byNode.get(n)!, hash);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) unavailable++;
      else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (!available(oldPod)) replace.push(oldPod!);
      else if (unavailable < maxUnavailable) candidates.push(oldPod!);
    }
    const room = Math.min(Math.max(maxUnavailable - unavailable, 0), candidates.length);
    for (const pod of [...replace, ...candidates.slice(0, room)]) plan.delete.push({ pod, failed: false });
    return;
  }
  let surging = 0;
  const allowed: string[] = [];
  const candidates: string[] = [];
  for (const n of nodes) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(ds, byNode.get(n)!, hash);
    if (!ok || !oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) allowed.push(n);
      else if (surging < maxSurge) candidates.push(n);
    } else if (!available(newPod)) surging++;
    else plan.delete.push({ pod: oldPod, failed: false });
  }
  const room = Math.min(Math.max(maxSurge - surging, 0), candidates.length);
  plan.createOn.push(...allowed, ...candidates.slice(0, room));
}

/** updateDaemonSetStatus's counts, from the oldest pod on each node. */
function statusOf(
  ds: DaemonSet,
  nodes: readonly Node[],
  byNode: Map<string, Pod[]>,
  hash: string,
  now: number,
): DaemonSetStatus {
  const s = {
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
  };
  for (const node of nodes) {
    const pods = (byNode.get(node.metadata?.name ?? '') ?? []).filter(
      (p) =>
        !(p.metadata?.deletionTimestamp && (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded')),
    );
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    if (!shouldRun) {
      if (pods.length) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (!pods.length) continue;
    s.currentNumberScheduled++;
    const pod = [...pods].sort(byAge)[0]!;
    if (isPodReady(pod)) {
      s.numberReady++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) s.numberAvailable++;
    }
    if (isPodUpdated(pod, ds, hash)) s.updatedNumberScheduled++;
  }
  const unavailable = s.desiredNumberScheduled - s.numberAvailable;
  return {
    ...ds.status,
    ...s,
    ...(unavailable > 0 ? { numberUnavailable: unavailable } : { numberUnavailable: undefined }),
    observedGeneration: ds.metadata?.generation ?? 0,
  } as DaemonSetStatus;
}

/**
 * The plan for one pass. `manage` is false while earlier creates and deletes
 * are not yet seen in the cache (expectations): then only the status is computed.
 */
export function planDaemonSet(opts: {
  ds: DaemonSet;
  nodes: readonly Node[];
  pods: readonly Pod[];
  hash: string;
  now: number;
  manage: boolean;
}): DaemonSetPlan {
  const { ds, nodes, pods, hash, now } = opts;
  const byNode = podsByNode(pods);
  const plan: DaemonSetPlan = { createOn: [], delete: [], status: statusOf(ds, nodes, byNode, hash, now) };
  if (!opts.manage || ds.metadata?.deletionTimestamp) return plan;
  const known = new Set(nodes.map((n) => n.metadata?.name ?? ''));
  for (const node of nodes) manageNode(ds, node, byNode.get(node.metadata?.name ?? '') ?? [], hash, plan);
  // Unbound pods pinned to a node that no longer exists can never run.
  for (const [n, list] of byNode)
    if (!known.has(n))
      for (const pod of list)
        if (!pod.spec?.nodeName && !pod.metadata?.deletionTimestamp) plan.delete.push({ pod, failed: false });
  if (ds.spec?.updateStrategy?.type === 'RollingUpdate')
    rollingUpdate(ds, byNode, plan.status.desiredNumberScheduled, hash, now, plan);
  const seen = new Set<string>();
  plan.delete = plan.delete.filter((d) => {
    const k = d.pod.metadata?.name ?? '';
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  plan.createOn = [...new Set(plan.createOn)];
  return plan;
}
