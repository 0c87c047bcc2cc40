/**
 * One scheduling decision as a pure function: filter every node, score the
 * feasible ones, pick the best; or explain the failure the way upstream's
 * FitError and DefaultPreemption do ("0/3 nodes are available: ...
 * preemption: 0/3 nodes are available: ...").
 *
 * Scoring is simpler than upstream's default plugins: it spreads a
 * controller's replicas (fewest pods with the same controller on the node),
 * then balances load (fewest pods), then takes the node name order so
 * decisions are reproducible where upstream picks at random among ties.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { type FilterResult, filterNode, type NodeInfo } from './filter.js';

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

export type ScheduleResult =
  | { ok: true; node: string; feasible: number }
  | { ok: false; message: string; failures: Map<string, FilterResult> };

const controllerUid = (p: Pod) => p.metadata?.ownerReferences?.find((r) => r.controller)?.uid;

/** sortReasonsHistogram: "<count> <reason>" strings, sorted as Go's sort.Strings. */
function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .map(([r, n]) => `${n} ${r}`)
    .sort()
    .join(', ');
}

export function fitErrorMessage(pod: Pod, total: number, failures: Map<string, FilterResult>): string {
  const reasons: string[] = [];
  const preemption: string[] = [];
  for (const f of failures.values()) {
    if (f.ok) continue;
    reasons.push(f.reason);
    preemption.push(
      f.unresolvable
        ? 'Preemption is not helpful for scheduling'
        : 'No preemption victims found for incoming pod',
    );
  }
  const post =
    pod.spec?.preemptionPolicy === 'Never'
      ? 'preemption: not eligible due to preemptionPolicy=Never.'
      : `preemption: 0/${total} nodes are available: ${histogram(preemption)}.`;
  return `0/${total} nodes are available: ${histogram(reasons)}. ${post}`;
}

export function schedulePod(pod: Pod, nodes: readonly NodeInfo[]): ScheduleResult {
  if (nodes.length === 0) return { ok: false, message: NO_NODES_MESSAGE, failures: new Map() };
  const failures = new Map<string, FilterResult>();
  const feasible: NodeInfo[] = [];
  for (const info of nodes) {
    const r = filterNode(pod, info);
    if (r.ok) feasible.push(info);
    else failures.set(info.node.metadata?.name ?? '', r);
  }
  if (feasible.length === 0)
    return { ok: false, message: fitErrorMessage(pod, nodes.length, failures), failures };
  const owner = controllerUid(pod);
  const score = (info: NodeInfo) => [
    owner ? info.pods.filter((p) => controllerUid(p) === owner).length : 0,
    info.pods.length,
  ];
  let best = feasible[0]!;
  let bestScore = score(best);
  for (const info of feasible.slice(1)) {
    const s = score(info);
    const better =
      s[0]! < bestScore[0]! ||
      (s[0] === bestScore[0] &&
        (s[1]! < bestScore[1]! ||
          (s[1] === bestScore[1] && (info.node.metadata?.name ?? '') < (best.node.metadata?.name ?? ''))));
    if (better) {
      best = info;
      bestScore = s;
    }
  }
  return { ok: true, node: best.node.metadata?.name ?? '', feasible: feasible.length };
}
