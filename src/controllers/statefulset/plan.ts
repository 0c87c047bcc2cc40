/**
 * One StatefulSet sync pass as a pure function (upstream
 * stateful_set_control.go updateStatefulSet): which pods to create, fix or
 * delete, in which order, and the status to record.
 *
 * OrderedReady ("monotonic") stops at the first thing it must wait for: a
 * pod just created, one terminating, one not Running and Ready (or not yet
 * available for minReadySeconds). Parallel ("burst") does everything at once.
 * Scale-down takes the highest ordinal first; a RollingUpdate deletes the
 * highest-ordinal pod not at the update revision (down to the partition) and
 * waits for it to come back healthy before the next.
 */
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  identityMatches,
  inOrdinalRange,
  isCreated,
  isFailed,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  isUnavailable,
  newStatefulSetPod,
  ordinalOf,
  podRevision,
  replicasOf,
  startOrdinal,
} from './identity.js';
import { applyRevision } from './revision.js';

export type SetAction =
  | { type: 'create'; pod: Pod }
  /** `why`: a Failed/Succeeded pod to replace, a pod beyond the replica count, or one at an old revision. */
  | { type: 'delete'; pod: Pod; why: 'failed' | 'condemned' | 'update' }
  /** The pod with its identity labels restored (upstream UpdateStatefulPod). */
  | { type: 'update'; pod: Pod };

export interface PlanInput {
  set: StatefulSet;
  /** The set's pods (claimed, members by name). */
  pods: Pod[];
  currentRevision: ControllerRevision;
  updateRevision: ControllerRevision;
  collisionCount: number;
  now: number;
}

export interface SyncPlan {
  /** In order. With `burst` false they are applied one after another, with `burst` true in slow-start batches. */
  actions: SetAction[];
  burst: boolean;
  status: StatefulSetStatus;
}

const minReady = (set: StatefulSet) => set.spec?.minReadySeconds ?? 0;

function countInto(
  status: StatefulSetStatus,
  set: StatefulSet,
  cur: string,
  upd: string,
  now: number,
  pods: Pod[],
) {
  status.replicas = 0;
  status.readyReplicas = 0;
  status.availableReplicas = 0;
  status.currentReplicas = 0;
  status.updatedReplicas = 0;
  for (const pod of pods) {
    if (isCreated(pod)) status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      if (isRunningAndAvailable(pod, minReady(set), now)) status.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const rev = podRevision(pod);
      if (rev === cur) status.currentReplicas++;
      if (rev === upd) status.updatedReplicas++;
    }
  }
}

/** newVersionedStatefulSetPod: ordinals below the partition stay at the current revision. */
function versionedPod(
  set: StatefulSet,
  currentSet: StatefulSet,
  updateSet: StatefulSet,
  cur: string,
  upd: string,
  ordinal: number,
): Pod {
  const strategy = set.spec?.updateStrategy;
  const start = startOrdinal(set);
  const useCurrent =
    (strategy?.type !== 'OnDelete' &&
      strategy?.rollingUpdate === undefined &&
      ordinal < start + (set.status?.currentReplicas ?? 0)) ||
    (strategy?.rollingUpdate !== undefined && ordinal < start + (strategy.rollingUpdate.partition ?? 0));
  return useCurrent
    ? newStatefulSetPod(currentSet, ordinal, cur)
    : newStatefulSetPod(updateSet, ordinal, upd);
}

export function planStatefulSet(input: PlanInput): SyncPlan {
  const { set, pods, now } = input;
  const cur = input.currentRevision.metadata?.name ?? '';
  const upd = input.updateRevision.metadata?.name ?? '';
  const currentSet = applyRevision(set, input.currentRevision);
  const updateSet = applyRevision(set, input.updateRevision);
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation,
    currentRevision: cur,
    updateRevision: upd,
    collisionCount: input.collisionCount,
    replicas: 0,
  };
  countInto(status, set, cur, upd, now, pods);

  const count = replicasOf(set);
  const start = startOrdinal(set);
  const replicas: (Pod | undefined)[] = new Array(count).fill(undefined);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    if (inOrdinalRange(set, pod)) replicas[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  const fresh = new Set<Pod>();
  for (let i = 0; i < count; i++) {
    if (!replicas[i]) {
      const pod = versionedPod(set, currentSet, updateSet, cur, upd, start + i);
      replicas[i] = pod;
      fresh.add(pod);
    }
  }
  const live = replicas as Pod[];
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

  const mrs = minReady(set);
  let firstUnavailable: Pod | undefined;
  for (const p of live) if (!firstUnavailable && isUnavailable(p, mrs, now)) firstUnavailable = p;
  for (let i = condemned.length - 1; i >= 0 && !firstUnavailable; i--) {
    if (isUnavailable(condemned[i]!, mrs, now)) firstUnavailable = condemned[i];
  }

  const burst = set.spec?.podManagementPolicy === 'Parallel';
  const actions: SetAction[] = [];
  const finish = (): SyncPlan => {
    countInto(status, set, cur, upd, now, [...live, ...condemned]);
    return { actions, burst, status };
  };
  if (set.metadata?.deletionTimestamp) return { actions, burst, status };
  const monotonic = !burst;

  // Living replicas, lowest ordinal first.
  for (const pod of live) {
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!isTerminating(pod)) actions.push({ type: 'delete', pod, why: 'failed' });
      if (monotonic) return finish();
      continue;
    }
    if (fresh.has(pod)) {
      actions.push({ type: 'create', pod });
      if (monotonic) return finish();
      continue;
    }
    if (
      monotonic &&
      (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, mrs, now))
    ) {
      return finish();
    }
    if (!identityMatches(updateSet, pod)) {
      const fixed = structuredClone(pod);
      // Only labels are fixed here: hostname and subdomain are immutable after creation.
      const labels = newStatefulSetPod(updateSet, ordinalOf(pod), podRevision(pod)).metadata!.labels!;
      fixed.metadata!.labels = {
        ...fixed.metadata!.labels,
        'statefulset.kubernetes.io/pod-name': labels['statefulset.kubernetes.io/pod-name']!,
        'apps.kubernetes.io/pod-index': labels['apps.kubernetes.io/pod-index']!,
      };
      actions.push({ type: 'update', pod: fixed });
    }
  }

  // Pods beyond the replica count, highest ordinal first.
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return finish();
      continue;
    }
    if (monotonic && pod !== firstUnavailable) {
      if (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, mrs, now)) return finish();
    }
    actions.push({ type: 'delete', pod, why: 'condemned' });
    if (monotonic) return finish();
  }

  countInto(status, set, cur, upd, now, [...live, ...condemned]);
  if (set.spec?.updateStrategy?.type === 'OnDelete') return { actions, burst, status };

  // Rolling update: the highest ordinal not at the update revision, one at a time.
  const updateMin = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = live.length - 1; target >= updateMin; target--) {
    const pod = live[target]!;
    if (podRevision(pod) !== upd && !isTerminating(pod)) {
      actions.push({ type: 'delete', pod, why: 'update' });
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return { actions, burst, status };
    }
    if (isUnavailable(pod, mrs, now)) break;
  }
  return { actions, burst, status };
}

/** completeRollingUpdate: once every replica is updated and ready, the update revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): StatefulSetStatus {
  const n = replicasOf(set);
  if (
    set.spec?.updateStrategy?.type !== 'OnDelete' &&
    status.updatedReplicas === n &&
    status.readyReplicas === n &&
    status.replicas === n
  ) {
    return { ...status, currentReplicas: status.updatedReplicas, currentRevision: status.updateRevision };
  }
  return status;
}

/** inconsistentStatus: whether the computed status differs from the recorded one. */
export function statusChanged(set: StatefulSet, status: StatefulSetStatus): boolean {
  const old = set.status ?? { replicas: 0 };
  return (
    (status.observedGeneration ?? 0) > (old.observedGeneration ?? 0) ||
    status.replicas !== old.replicas ||
    (status.currentReplicas ?? 0) !== (old.currentReplicas ?? 0) ||
    (status.readyReplicas ?? 0) !== (old.readyReplicas ?? 0) ||
    (status.updatedReplicas ?? 0) !== (old.updatedReplicas ?? 0) ||
    (status.availableReplicas ?? 0) !== (old.availableReplicas ?? 0) ||
    (status.currentRevision ?? '') !== (old.currentRevision ?? '') ||
    (status.updateRevision ?? '') !== (old.updateRevision ?? '') ||
    (status.collisionCount ?? 0) !== (old.collisionCount ?? 0)
  );
}
