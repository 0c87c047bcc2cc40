/**
 * A Deployment's status from its ReplicaSets (upstream calculateStatus and
 * syncRolloutStatus): the counts `kubectl rollout status` reads, and the
 * Available / Progressing / ReplicaFailure conditions.
 */
import type {
  Deployment,
  DeploymentCondition,
  DeploymentStatus,
  ReplicaSet,
} from 'kubernetes-types/apps/v1.js';
import { canonicalJson } from './hash.js';
import {
  actualReplicaCount,
  availableReplicaCount,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getCondition,
  hasProgressDeadline,
  MinimumReplicasAvailable,
  MinimumReplicasUnavailable,
  maxUnavailable,
  NewRSAvailableReason,
  newCondition,
  ReplicaSetUpdatedReason,
  readyReplicaCount,
  removeCondition,
  replicaCount,
  replicaSetToDeploymentCondition,
  replicasOf,
  setCondition,
  TimedOutReason,
} from './util.js';

/** Counts and the Available condition (upstream calculateStatus). */
export function calculateStatus(
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  now: number,
): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = replicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    // More available than desired (while scaling down) is not negative unavailability.
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(
      status,
      newCondition(
        'Available',
        'True',
        MinimumReplicasAvailable,
        'Deployment has minimum availability.',
        now,
      ),
    );
  } else {
    setCondition(
      status,
      newCondition(
        'Available',
        'False',
        MinimumReplicasUnavailable,
        'Deployment does not have minimum availability.',
        now,
      ),
    );
  }
  return status;
}

/** ReplicaFailure conditions of the new ReplicaSet, else of any ReplicaSet (upstream getReplicaFailures). */
export function replicaFailures(
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): DeploymentCondition[] {
  const from = (rs: ReplicaSet | undefined) =>
    (rs?.status?.conditions ?? [])
      .filter((c) => c.type === 'ReplicaFailure')
      .map(replicaSetToDeploymentCondition);
  const own = from(newRS);
  return own.length ? own : allRSs.flatMap(from);
}

/**
 * The status during a rollout (upstream syncRolloutStatus): the counts, then
 * Progressing — NewReplicaSetAvailable once complete, ReplicaSetUpdated
 * (lastUpdateTime refreshed) whenever something moved, ProgressDeadlineExceeded
 * once nothing moved for progressDeadlineSeconds — and ReplicaFailure copied
 * from the ReplicaSets.
 */
export function rolloutStatus(
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  now: number,
): DeploymentStatus {
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const isComplete =
    (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === NewRSAvailableReason;
  if (hasProgressDeadline(d) && !isComplete) {
    const name = d.metadata?.name ?? '';
    if (deploymentComplete(d, status)) {
      const msg = newRS
        ? `ReplicaSet "${newRS.metadata?.name}" has successfully progressed.`
        : `Deployment "${name}" has successfully progressed.`;
      setCondition(status, newCondition('Progressing', 'True', NewRSAvailableReason, msg, now));
    } else if (deploymentProgressing(d, status)) {
      const msg = newRS
        ? `ReplicaSet "${newRS.metadata?.name}" is progressing.`
        : `Deployment "${name}" is progressing.`;
      const cond = newCondition('Progressing', 'True', ReplicaSetUpdatedReason, msg, now);
      // Same reason, new lastUpdateTime: progress is recorded even without a reason change.
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      const msg = newRS
        ? `ReplicaSet "${newRS.metadata?.name}" has timed out progressing.`
        : `Deployment "${name}" has timed out progressing.`;
      setCondition(status, newCondition('Progressing', 'False', TimedOutReason, msg, now));
    }
  }
  const failures = replicaFailures(allRSs, newRS);
  if (failures.length) setCondition(status, failures[0]!);
  else removeCondition(status, 'ReplicaFailure');
  return status;
}

/** Semantic equality of two statuses (absent counts are 0, key order is irrelevant). */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const norm = (s: DeploymentStatus | undefined) => ({
    observedGeneration: s?.observedGeneration ?? 0,
    replicas: s?.replicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    unavailableReplicas: s?.unavailableReplicas ?? 0,
    collisionCount: s?.collisionCount,
    conditions: s?.conditions ?? [],
  });
  return canonicalJson(norm(a)) === canonicalJson(norm(b));
}

/**
 * When to look again for a stuck rollout (upstream requeueStuckDeployment):
 * ms until the Progressing condition would pass its deadline, or undefined
 * when no check is due (no deadline, complete, or already timed out).
 */
export function progressCheckDelay(d: Deployment, next: DeploymentStatus, now: number): number | undefined {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (deploymentComplete(d, next) || current.reason === TimedOutReason) return undefined;
  const last = Date.parse(current.lastUpdateTime ?? '') || 0;
  const after = last + d.spec!.progressDeadlineSeconds! * 1000 - now;
  // A second more avoids waking up a few ms before the deadline.
  return after < 1000 ? 0 : after + 1000;
}
