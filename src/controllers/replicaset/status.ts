/**
 * A ReplicaSet's status from the pods it owns (upstream calculateStatus and
 * the steady-state check of updateReplicaSetStatus).
 */
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { errText } from '../../lib/errors.js';
import { hasAllLabels, isPodAvailable, isPodReady } from '../podutil.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

/**
 * The new status: counts over the active owned pods, plus the ReplicaFailure
 * condition set when managing replicas failed (FailedCreate / FailedDelete,
 * the error as message) and removed once it succeeds. observedGeneration is
 * left as it was; the writer sets it.
 */
export function calculateReplicaSetStatus(
  rs: ReplicaSet,
  pods: readonly Pod[],
  manageErr: unknown,
  now: number,
): ReplicaSetStatus {
  const status: ReplicaSetStatus = structuredClone(rs.status ?? { replicas: 0 });
  const templateLabels = rs.spec?.template?.metadata?.labels;
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (hasAllLabels(templateLabels, pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  const failure = status.conditions?.find((c) => c.type === REPLICA_FAILURE);
  if (manageErr !== undefined && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: ReplicaSetCondition = {
      type: REPLICA_FAILURE,
      status: 'True',
      lastTransitionTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reason,
      message: errText(manageErr),
    };
    status.conditions = [...(status.conditions ?? []), cond];
  } else if (manageErr === undefined && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== REPLICA_FAILURE);
    if (status.conditions.length === 0) delete status.conditions;
  }
  status.replicas = pods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/** No status write needed: the counts and conditions match and the generation was observed. */
export function replicaSetStatusUnchanged(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur: Partial<ReplicaSetStatus> = rs.status ?? {};
  return (
    (cur.replicas ?? 0) === (next.replicas ?? 0) &&
    (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (rs.metadata?.generation ?? 0) === (cur.observedGeneration ?? 0) &&
    JSON.stringify(cur.conditions ?? []) === JSON.stringify(next.conditions ?? [])
  );
}
