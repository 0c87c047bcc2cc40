/**
 * The Job controller's pure parts (upstream pkg/controller/job): which pods
 * count as active, terminating, succeeded or failed; conditions; completion
 * indexes and their compressed text form; the failure back-off.
 */
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseTime } from '../podutil.js';

/** Pods the controller created carry it until their outcome is in the Job's status. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const CRONJOB_SCHEDULED_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export const hasTrackingFinalizer = (p: Pod): boolean =>
  (p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

const phase = (p: Pod) => p.status?.phase;

/** Replacement waits for a terminating pod's end under podReplacementPolicy Failed. */
export const onlyReplaceFailedPods = (job: Job): boolean =>
  job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy != null;

/** Not finished and not being deleted. */
export const isActive = (p: Pod): boolean =>
  phase(p) !== 'Succeeded' && phase(p) !== 'Failed' && !p.metadata?.deletionTimestamp;

/** Being deleted but not finished yet. */
export const isTerminating = (p: Pod): boolean =>
  phase(p) !== 'Succeeded' && phase(p) !== 'Failed' && !!p.metadata?.deletionTimestamp;

/**
 * isPodFailed: Failed, or (unless only failed pods are replaced) deleted
 * before succeeding, so orphans that never reach a phase still count.
 */
export function isFailed(p: Pod, job: Job): boolean {
  if (phase(p) === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!p.metadata?.deletionTimestamp && phase(p) !== 'Succeeded';
}

export const isSucceeded = (p: Pod): boolean => phase(p) === 'Succeeded';

export function findCondition(status: JobStatus | undefined, type: string): JobCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export const conditionTrue = (status: JobStatus | undefined, type: string): boolean =>
  findCondition(status, type)?.status === 'True';

/** Complete or Failed: nothing more to do but release finalizers. */
export const isFinished = (job: Job): boolean =>
  conditionTrue(job.status, 'Complete') || conditionTrue(job.status, 'Failed');

/**
 * Sets a condition: a changed status moves lastTransitionTime; the same
 * status with the same reason and message is left alone. Answers whether it changed.
 */
export function setCondition(
  status: JobStatus,
  type: string,
  value: 'True' | 'False',
  reason: string,
  message: string,
  now: string,
): boolean {
  status.conditions ??= [];
  const conds = status.conditions;
  const cur = conds.find((c) => c.type === type);
  if (cur) {
    if (cur.status === value && cur.reason === reason && cur.message === message) return false;
    if (cur.status !== value) cur.lastTransitionTime = now;
    cur.status = value;
    cur.reason = reason;
    cur.message = message;
    cur.lastProbeTime = now;
    return true;
  }
  conds.push({ type, status: value, reason, message, lastProbeTime: now, lastTransitionTime: now });
  return true;
}

/** Container restarts of active pods, against backoffLimit under restartPolicy OnFailure. */
export function pastBackoffLimitOnFailure(job: Job, active: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of active) {
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])])
      restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** When a finished pod finished: its last container's end, else its deletion, else its start. */
export function finishTime(p: Pod): number | undefined {
  let latest: number | undefined;
  for (const s of p.status?.containerStatuses ?? []) {
    const t = parseTime(s.state?.terminated?.finishedAt);
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest ?? parseTime(p.metadata?.deletionTimestamp) ?? parseTime(p.status?.startTime);
}

/** Upstream's pod failure back-off: 10s doubling per failure, at most 6 minutes. */
export function failureBackoffMs(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
}

// ---- completion indexes ------------------------------------------------------

export function completionIndex(p: Pod): number | undefined {
  const v = p.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** "1,3-5,7" → {1,3,4,5,7}; bad parts are skipped. */
export function parseIndexes(text: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return out;
}

/** Sorted, with three or more consecutive numbers written `first-last`. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${sorted[i]}-${sorted[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(sorted[k]));
    i = j + 1;
  }
  return parts.join(',');
}

// ---- pod failure policy ---------------------------------------------------------

export interface PolicyMatch {
  action: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
  /** Upstream's message for a FailJob match (the FailureTarget condition's). */
  message: string;
}

/**
 * matchPodFailurePolicy: the first rule a Failed pod matches, by the exit
 * codes of its terminated containers (non-zero only) or by its conditions.
 * Undefined: no rule matched, the failure counts as usual.
 */
export function matchPodFailurePolicy(job: Job, pod: Pod): PolicyMatch | undefined {
  const rules = job.spec?.podFailurePolicy?.rules ?? [];
  const where = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const [i, rule] of rules.entries()) {
    const action = rule.action as PolicyMatch['action'];
    if (!['FailJob', 'FailIndex', 'Ignore', 'Count'].includes(action)) continue;
    const req = rule.onExitCodes;
    if (req) {
      for (const s of statuses) {
        const code = s.state?.terminated?.exitCode;
        if (code === undefined || code === 0) continue;
        if (req.containerName != null && req.containerName !== s.name) continue;
        const listed = req.values.includes(code);
        if (req.operator === 'In' ? listed : req.operator === 'NotIn' ? !listed : false)
          return {
            action,
            message: `Container ${s.name} for pod ${where} failed with exit code ${code} matching ${action} rule at index ${i}`,
          };
      }
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const hit = (pod.status?.conditions ?? []).find(
        (c) => c.type === pattern.type && c.status === (pattern.status || 'True'),
      );
      if (hit)
        return {
          action,
          message: `Pod ${where} has condition ${hit.type} matching ${action} rule at index ${i}`,
        };
    }
  }
  return undefined;
}

/**
 * matchSuccessPolicy: the index of the first rule the completed indexes
 * satisfy: all of succeededIndexes, or succeededCount of them (of all
 * indexes when succeededIndexes is unset).
 */
export function matchSuccessPolicy(job: Job, completed: ReadonlySet<number>): number | undefined {
  const rules = job.spec?.successPolicy?.rules ?? [];
  for (const [i, rule] of rules.entries()) {
    const wanted = rule.succeededIndexes == null ? undefined : parseIndexes(rule.succeededIndexes);
    const done = wanted ? [...wanted].filter((x) => completed.has(x)).length : completed.size;
    if (rule.succeededCount != null ? done >= rule.succeededCount : wanted && done === wanted.size) return i;
  }
  return undefined;
}
