/**
 * What a Deployment sync scales, computed before anything is written
 * (upstream rolling.go, recreate.go and sync.go's scale): each function
 * answers an ordered list of ReplicaSet resizes; the controller applies them
 * in order and stops at the first failure, as upstream does.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import {
  availableReplicaCount,
  byCreationTimestamp,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  filterActive,
  findActiveOrLatest,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportion,
  replicaCount,
  replicasOf,
} from './util.js';

export interface ScaleOp {
  rs: ReplicaSet;
  to: number;
  /** The event's verb: "up", "down", or "" (proportional scaling that only refreshes annotations). */
  verb: 'up' | 'down' | '';
  /**
   * Write even when the size stays, to refresh the desired/max-replicas
   * annotations (proportional scaling uses upstream scaleReplicaSet, the
   * others scaleReplicaSetAndRecordEvent, which skips same-size scales).
   */
  refresh?: boolean;
}

const op = (rs: ReplicaSet, to: number): ScaleOp => ({ rs, to, verb: replicasOf(rs) < to ? 'up' : 'down' });

/** Rolling update, step 1: how the new ReplicaSet is resized (upstream reconcileNewReplicaSet). */
export function planNewReplicaSet(
  d: Deployment,
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
): ScaleOp[] {
  const want = replicasOf(d);
  const have = replicasOf(newRS);
  if (have === want) return [];
  if (have > want) return [op(newRS, want)];
  const to = newRSNewReplicas(d, allRSs, newRS);
  return to === have ? [] : [op(newRS, to)];
}

/**
 * Rolling update, step 2 (upstream reconcileOldReplicaSets): first scale old
 * ReplicaSets down by their unavailable replicas (they add nothing to
 * availability), then take more from the oldest while availability stays at
 * least replicas - maxUnavailable, counting the new ReplicaSet's unavailable
 * pods against the budget.
 */
export function planOldReplicaSets(
  d: Deployment,
  allRSs: readonly ReplicaSet[],
  oldRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
): ScaleOp[] {
  const active = filterActive(oldRSs);
  if (replicaCount(active) === 0) return [];
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = replicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const size = new Map<ReplicaSet, number>(active.map((rs) => [rs, replicasOf(rs)]));
  const ops: ScaleOp[] = [];
  const sorted = [...active].sort(byCreationTimestamp);

  // Clean up unhealthy replicas first, or they block the rollout until it times out.
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const replicas = size.get(rs)!;
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const n = Math.min(maxScaledDown - cleaned, replicas - available);
    ops.push({ rs, to: replicas - n, verb: 'down' });
    size.set(rs, replicas - n);
    cleaned += n;
  }

  // Then scale down as far as availability allows.
  const availableNow = availableReplicaCount([...active, newRS]);
  if (availableNow <= minAvailable) return ops;
  const budget = availableNow - minAvailable;
  let scaled = 0;
  for (const rs of sorted) {
    if (scaled >= budget) break;
    const replicas = size.get(rs)!;
    if (replicas === 0) continue;
    const n = Math.min(replicas, budget - scaled);
    ops.push({ rs, to: replicas - n, verb: 'down' });
    size.set(rs, replicas - n);
    scaled += n;
  }
  return ops;
}

/**
 * A scaling event or a paused deployment (upstream scale): one active
 * ReplicaSet takes the new size; a saturated new one means old ones go to 0;
 * otherwise, for rolling updates, the difference to replicas + maxSurge is
 * spread over the active ReplicaSets in proportion to their size, leftovers
 * to the largest. Every active ReplicaSet gets an op (annotations refresh
 * even when the size stays).
 */
export function planScale(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): ScaleOp[] {
  const want = replicasOf(d);
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) return replicasOf(single) === want ? [] : [op(single, want)];
  if (isSaturated(d, newRS)) return filterActive(oldRSs).map((rs) => op(rs, 0));
  if (!isRollingUpdate(d)) return [];

  const all = filterActive([...oldRSs, newRS]);
  const allowed = want > 0 ? want + maxSurge(d) : 0;
  const toAdd = allowed - replicaCount(all);
  let verb: ScaleOp['verb'] = '';
  if (toAdd > 0) {
    all.sort(bySizeNewer);
    verb = 'up';
  } else if (toAdd < 0) {
    all.sort(bySizeOlder);
    verb = 'down';
  }
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return replicasOf(rs);
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return replicasOf(rs) + p;
  });
  if (toAdd !== 0 && sizes.length) sizes[0] = Math.max(0, sizes[0]! + toAdd - added);
  return all.map((rs, i) => ({ rs, to: sizes[i]!, verb, refresh: true }));
}

/** Recreate, step 1: every active old ReplicaSet to zero. */
export function planRecreateScaleDown(oldRSs: readonly ReplicaSet[]): ScaleOp[] {
  return filterActive(oldRSs).map((rs) => op(rs, 0));
}

/**
 * The old ReplicaSets revisionHistoryLimit lets go (upstream cleanupDeployment):
 * the lowest revisions beyond the limit, skipping any that still have pods,
 * are not at zero, have an unobserved generation or are being deleted.
 */
export function planCleanup(d: Deployment, oldRSs: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null || limit === 2147483647) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  return [...alive]
    .sort(byRevision)
    .slice(0, diff)
    .filter(
      (rs) =>
        (rs.status?.replicas ?? 0) === 0 &&
        replicasOf(rs) === 0 &&
        (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    );
}
