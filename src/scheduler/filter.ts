/**
 * The scheduler's filters (upstream pkg/scheduler/framework/plugins, in the
 * default profile's order): NodeUnschedulable, TaintToleration, NodeAffinity
 * (nodeSelector + required node affinity), NodePorts, and the pod count part
 * of NodeResourcesFit. A node fails on the first filter that rejects it,
 * with upstream's reason text; "unresolvable" failures are ones preemption
 * could not fix.
 */
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { matchesNodeAffinity, tolerates } from '../k8s/nodeaffinity.js';

export { matchesNodeAffinity, termMatches, tolerates } from '../k8s/nodeaffinity.js';

export interface NodeInfo {
  node: Node;
  /** Non-terminal pods bound (or assumed bound) to the node. */
  pods: Pod[];
}

export type FilterResult = { ok: true } | { ok: false; reason: string; unresolvable: boolean };

const OK: FilterResult = { ok: true };
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';

/**
 * The taints the filter considers: the node's own, plus the not-ready /
 * unreachable NoSchedule taint the node lifecycle controller is about to
 * add when the Ready condition is not True (so a scheduler racing the
 * controller never binds to a dead node).
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const implied =
    ready === 'False'
      ? 'node.kubernetes.io/not-ready'
      : ready !== 'True'
        ? 'node.kubernetes.io/unreachable'
        : undefined;
  if (implied && !taints.some((t) => t.key === implied && t.effect === 'NoSchedule')) {
    taints.push({ key: implied, effect: 'NoSchedule' });
  }
  return taints;
}

function hostPorts(pod: Pod): { port: number; protocol: string; ip: string }[] {
  const out: { port: number; protocol: string; ip: string }[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort)
        out.push({ port: p.hostPort, protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0' });
    }
  }
  return out;
}

function portsConflict(want: ReturnType<typeof hostPorts>, used: ReturnType<typeof hostPorts>): boolean {
  return want.some((w) =>
    used.some(
      (u) =>
        u.port === w.port &&
        u.protocol === w.protocol &&
        (u.ip === w.ip || u.ip === '0.0.0.0' || w.ip === '0.0.0.0'),
    ),
  );
}

export function filterNode(pod: Pod, info: NodeInfo): FilterResult {
  const node = info.node;
  const tolerations = pod.spec?.tolerations ?? [];
  // NodeUnschedulable: a cordoned node, unless the pod tolerates the unschedulable taint.
  if (node.spec?.unschedulable) {
    const taint: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
    if (!tolerations.some((t) => tolerates(t, taint))) {
      return { ok: false, reason: REASON_UNSCHEDULABLE, unresolvable: true };
    }
  }
  // TaintToleration: the first NoSchedule/NoExecute taint no toleration matches.
  for (const taint of effectiveTaints(node)) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerations.some((t) => tolerates(t, taint))) {
      return {
        ok: false,
        reason: `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
        unresolvable: true,
      };
    }
  }
  if (!matchesNodeAffinity(pod, node)) return { ok: false, reason: REASON_AFFINITY, unresolvable: true };
  const want = hostPorts(pod);
  if (want.length && portsConflict(want, info.pods.flatMap(hostPorts))) {
    return { ok: false, reason: REASON_PORTS, unresolvable: false };
  }
  const maxPods = Number(node.status?.allocatable?.pods ?? Number.POSITIVE_INFINITY);
  if (info.pods.length + 1 > maxPods) return { ok: false, reason: REASON_TOO_MANY_PODS, unresolvable: false };
  return OK;
}
