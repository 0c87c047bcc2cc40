/**
 * The Job controller (upstream pkg/controller/job, 1.32): runs a Job's pods
 * until `.spec.completions` succeed (or, without completions, one succeeds and
 * the rest end), at most `.spec.parallelism` at a time, replacing failed
 * pods after a doubling back-off until `.spec.backoffLimit` is passed.
 *
 * Pods are tracked with finalizers as upstream does: each pod carries
 * `batch.kubernetes.io/job-tracking`; a finished pod's UID first goes into
 * `status.uncountedTerminatedPods`, then its finalizer is removed, then the
 * UID moves into the succeeded/failed counters. A pod is counted once even if
 * it is deleted right after finishing, and a crash between steps only delays.
 *
 * Terminal conditions come in two steps as in 1.32: SuccessCriteriaMet or
 * FailureTarget (reasons CompletionsReached, BackoffLimitExceeded,
 * DeadlineExceeded) when decided, then Complete or Failed once no pod is
 * left running. Suspend deletes active pods and stops the clock of
 * activeDeadlineSeconds. Indexed jobs get one successful pod per index.
 * podFailurePolicy rules FailJob (reason PodFailurePolicy), Ignore (not
 * counted, replaced) and Count apply to Failed pods; FailIndex counts as
 * Count. An Indexed Job's successPolicy ends it early (reason SuccessPolicy).
 * Not implemented: backoffLimitPerIndex (validated, then treated as
 * absent), adoption of orphan pods.
 */
import type { Job, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isConflict, isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { Jobs, Pods } from '../../client/resources.js';
import { type Informer, keyOf } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import { backgroundClock, type Clock } from '../../lib/clock.js';
import { errText } from '../../lib/errors.js';
import {
  apiReason,
  getControllerOf,
  isNamespaceTerminating,
  isPodReady,
  newControllerRef,
  parseTime,
  podFromTemplate,
} from '../podutil.js';
import { Expectations } from '../replicaset/expectations.js';
import {
  COMPLETION_INDEX_ANNOTATION,
  completionIndex,
  conditionTrue,
  failureBackoffMs,
  finishTime,
  formatIndexes,
  hasTrackingFinalizer,
  isActive,
  isFailed,
  isFinished,
  isSucceeded,
  isTerminating,
  JOB_TRACKING_FINALIZER,
  matchPodFailurePolicy,
  matchSuccessPolicy,
  onlyReplaceFailedPods,
  parseIndexes,
  pastBackoffLimitOnFailure,
  setCondition,
} from './state.js';

export interface JobControllerOptions {
  workers?: number;
  /** Time and delayed re-syncs (deadlines, schedules, TTLs); a manual one in tests. */
  clock?: Clock;
  /** First delay before a failed pod is replaced (upstream DefaultJobPodFailureBackOff, 10s). */
  podFailureBackoffMs?: number;
  /** Longest replacement delay (upstream MaxJobPodFailureBackOff, 6 minutes). */
  maxPodFailureBackoffMs?: number;
}

const KIND = 'Job';
const API_VERSION = 'batch/v1';
const MANAGED_BY_US = 'kubernetes.io/job-controller';
const FINALIZER_PATCH = { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } };

const asRef = (job: Job): Job => ({ apiVersion: API_VERSION, kind: KIND, metadata: job.metadata });
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export class JobController implements Controller {
  readonly name = 'job-controller';
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;
  private readonly queue: WorkQueue;
  /** Pods whose Job is gone, to release from the tracking finalizer. */
  private readonly orphans: WorkQueue;
  private readonly expectations: Expectations;
  private readonly now: () => number;
  private readonly clock: Clock;
  private readonly backoffBase: number;
  private readonly backoffMax: number;

  constructor(
    private readonly ctx: ControllerContext,
    opts: JobControllerOptions = {},
  ) {
    this.clock = opts.clock ?? backgroundClock;
    this.now = () => this.clock.now();
    this.backoffBase = opts.podFailureBackoffMs ?? 10_000;
    this.backoffMax = opts.maxPodFailureBackoffMs ?? 360_000;
    this.expectations = new Expectations(this.now);
    this.queue = new WorkQueue(
      'job',
      (key) => this.sync(key),
      { concurrency: opts.workers ?? 5, clock: this.clock },
      ctx.log,
    );
    this.orphans = new WorkQueue(
      'job-orphan-pod',
      (key) => this.releaseOrphan(key),
      { clock: this.clock },
      ctx.log,
    );
    this.jobs = ctx.informers.informer<Job>(Jobs);
    this.pods = ctx.informers.informer<Pod>(Pods);
    this.jobs.addHandlers({
      add: (job) => this.queue.add(keyOf(job)),
      update: (old, cur) => {
        if (old.metadata?.uid !== cur.metadata?.uid) this.expectations.delete(keyOf(old));
        this.queue.add(keyOf(cur));
      },
      delete: (job) => {
        this.expectations.delete(keyOf(job));
        for (const pod of this.pods.list(job.metadata?.namespace ?? ''))
          if (getControllerOf(pod)?.uid === job.metadata?.uid && hasTrackingFinalizer(pod))
            this.orphans.add(keyOf(pod));
      },
    });
    this.pods.addHandlers({
      add: (pod) => this.podChanged(pod, true),
      update: (_old, cur) => this.podChanged(cur, false),
      delete: (pod) => {
        const job = this.ownerOf(pod);
        if (!job) return;
        this.expectations.deletionObserved(keyOf(job), keyOf(pod));
        this.queue.add(keyOf(job));
      },
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.jobs.synced(), this.pods.synced()]);
  }

  stop(): void {
    this.queue.stop();
    this.orphans.stop();
  }

  /** Resolves once no sync is queued or running; delayed re-syncs may wait (tests). */
  async quiet(): Promise<void> {
    await Promise.all([this.queue.quiet(), this.orphans.quiet()]);
  }

  /** Queues every Job again (tests, after moving the clock). */
  resyncAll(): void {
    for (const job of this.jobs.list()) this.queue.add(keyOf(job));
  }

  // ---- event handlers ----------------------------------------------------------

  private ownerOf(pod: Pod): Job | undefined {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== KIND) return undefined;
    const job = this.jobs.get(`${pod.metadata?.namespace}/${ref.name}`);
    return job && job.metadata?.uid === ref.uid ? job : undefined;
  }

  private podChanged(pod: Pod, added: boolean): void {
    const job = this.ownerOf(pod);
    if (!job) {
      if (hasTrackingFinalizer(pod)) this.orphans.add(keyOf(pod));
      return;
    }
    if (added) this.expectations.creationObserved(keyOf(job));
    if (pod.metadata?.deletionTimestamp) this.expectations.deletionObserved(keyOf(job), keyOf(pod));
    this.queue.add(keyOf(job));
  }

  /** Removes the tracking finalizer of a pod whose Job no longer exists (checked live, not in the cache). */
  private async releaseOrphan(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = getControllerOf(pod);
    if (ref?.kind === KIND) {
      try {
        const job = await this.ctx.client.get<Job>(Jobs, pod.metadata!.namespace!, ref.name);
        if (job.metadata?.uid === ref.uid) return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await this.removeFinalizer(pod);
  }

  private async removeFinalizer(pod: Pod): Promise<void> {
    try {
      await this.ctx.client.patch(
        Pods,
        pod.metadata!.namespace!,
        pod.metadata!.name!,
        'strategic',
        FINALIZER_PATCH,
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ---- sync ----------------------------------------------------------------------

  private ownedPods(job: Job): Pod[] {
    const uid = job.metadata?.uid;
    return this.pods.list(job.metadata?.namespace ?? '').filter((p) => getControllerOf(p)?.uid === uid);
  }

  private async sync(key: string): Promise<void> {
    const cached = this.jobs.get(key);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    try {
      await this.syncJob(key, cached);
    } catch (err) {
      // The cache was behind: decide again on the live Job rather than overwrite newer status.
      if (!isConflict(err)) throw err;
      const live = await this.ctx.client.get<Job>(Jobs, cached.metadata!.namespace!, cached.metadata!.name!);
      await this.syncJob(key, live);
    }
  }

  private async syncJob(key: string, job: Job): Promise<void> {
    const managedBy = job.spec?.managedBy;
    if (managedBy && managedBy !== MANAGED_BY_US) return;
    const pods = this.ownedPods(job);
    if (isFinished(job)) {
      // The outcome is recorded: only finalizers remain to be released.
      await Promise.all(pods.filter(hasTrackingFinalizer).map((p) => this.removeFinalizer(p)));
      return;
    }
    const now = this.now();
    const nowText = iso(now);
    const status: JobStatus = structuredClone(job.status ?? {});
    const uncounted = {
      succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])],
      failed: [...(status.uncountedTerminatedPods?.failed ?? [])],
    };
    const suspended = job.spec?.suspend === true;
    const indexed = job.spec?.completionMode === 'Indexed';
    const completedIndexes = parseIndexes(status.completedIndexes);
    const completions = job.spec?.completions;

    // Step 1: finished pods that still hold the finalizer become uncounted.
    const seen = new Set([...uncounted.succeeded, ...uncounted.failed]);
    const ignored: Pod[] = [];
    let policyFailure: [string, string] | undefined;
    for (const p of pods) {
      const uid = p.metadata?.uid ?? '';
      if (!hasTrackingFinalizer(p) || seen.has(uid)) continue;
      if (isSucceeded(p)) {
        uncounted.succeeded.push(uid);
        const ix = completionIndex(p);
        if (indexed && ix !== undefined && completions != null && ix < completions) completedIndexes.add(ix);
      } else if (isFailed(p, job) && !suspended) {
        const match = matchPodFailurePolicy(job, p);
        if (match?.action === 'Ignore') {
          // Not a failure: released without counting, and replaced.
          ignored.push(p);
          continue;
        }
        if (match?.action === 'FailJob') policyFailure ??= ['PodFailurePolicy', match.message];
        uncounted.failed.push(uid);
      } else continue;
      seen.add(uid);
    }
    const succeeded = indexed ? completedIndexes.size : (status.succeeded ?? 0) + uncounted.succeeded.length;
    const failed = (status.failed ?? 0) + uncounted.failed.length;

    await Promise.all(ignored.map((p) => this.removeFinalizer(p)));

    const active = pods.filter(isActive);
    const terminating = pods.filter(isTerminating);
    let requeueMs: number | undefined;
    let failure: [string, string] | undefined;
    let success = conditionTrue(status, 'SuccessCriteriaMet');
    const targeted = conditionTrue(status, 'FailureTarget');

    if (suspended) {
      if (setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', nowText)) {
        delete status.startTime;
        this.ctx.events.event(asRef(job), 'Normal', 'Suspended', 'Job suspended');
      }
    } else {
      if (conditionTrue(status, 'Suspended')) {
        setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', nowText);
        status.startTime = nowText;
        this.ctx.events.event(asRef(job), 'Normal', 'Resumed', 'Job resumed');
      }
      status.startTime ??= nowText;
    }

    if (!targeted && !success && !suspended) {
      const limit = job.spec?.backoffLimit ?? 6;
      const deadline = job.spec?.activeDeadlineSeconds;
      const started = parseTime(status.startTime);
      if (policyFailure) {
        failure = policyFailure;
      } else if (failed > limit || pastBackoffLimitOnFailure(job, active)) {
        failure = ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
      } else if (deadline != null && started !== undefined) {
        const left = started + deadline * 1000 - now;
        if (left <= 0) failure = ['DeadlineExceeded', 'Job was active longer than specified deadline'];
        else requeueMs = left;
      }
      if (failure) {
        setCondition(status, 'FailureTarget', 'True', failure[0], failure[1], nowText);
        this.ctx.events.event(asRef(job), 'Warning', failure[0], failure[1]);
      } else {
        const reached = completions == null ? succeeded > 0 && active.length === 0 : succeeded >= completions;
        const rule = indexed ? matchSuccessPolicy(job, completedIndexes) : undefined;
        if (rule !== undefined && !reached) {
          setCondition(
            status,
            'SuccessCriteriaMet',
            'True',
            'SuccessPolicy',
            `Matched rules at index ${rule}`,
            nowText,
          );
          success = true;
        } else if (reached) {
          setCondition(
            status,
            'SuccessCriteriaMet',
            'True',
            'CompletionsReached',
            'Reached expected number of succeeded pods',
            nowText,
          );
          success = true;
        }
      }
    }

    // Manage pods: none for a decided or suspended job; otherwise toward parallelism.
    let manageErr: unknown;
    const key_ = keyOf(job);
    if (conditionTrue(status, 'FailureTarget') || success || suspended) {
      if (active.length) manageErr = await this.deletePods(job, active);
    } else if (this.expectations.satisfied(key_) && !job.metadata?.deletionTimestamp) {
      // A Job being deleted (in the foreground) gets no new pods.
      const r = await this.manage(job, active, terminating, succeeded, failed, completedIndexes, pods, now);
      manageErr = r.error;
      if (r.requeueMs !== undefined) requeueMs = Math.min(requeueMs ?? Infinity, r.requeueMs);
    }

    // Terminal condition once nothing runs any more, written with the last counts.
    const stillRunning = this.ownedPods(job).some((p) => isActive(p) || isTerminating(p));
    const target = findTrue(status, 'FailureTarget');
    const met = findTrue(status, 'SuccessCriteriaMet');
    const applyTerminal = (s: JobStatus): void => {
      if (stillRunning) return;
      if (target) {
        setCondition(s, 'Failed', 'True', target.reason ?? '', target.message ?? '', nowText);
      } else if (success && met) {
        setCondition(s, 'Complete', 'True', met.reason ?? '', met.message ?? '', nowText);
        s.completionTime = nowText;
        this.ctx.events.event(asRef(job), 'Normal', 'Completed', 'Job completed');
      }
    };
    const hasUncounted = uncounted.succeeded.length + uncounted.failed.length > 0;

    const live = this.ownedPods(job);
    status.active = live.filter(isActive).length;
    status.ready = live.filter((p) => isActive(p) && isPodReady(p)).length;
    status.terminating = live.filter(isTerminating).length;
    if (indexed) status.completedIndexes = formatIndexes(completedIndexes);
    status.uncountedTerminatedPods = {
      ...(uncounted.succeeded.length ? { succeeded: uncounted.succeeded } : {}),
      ...(uncounted.failed.length ? { failed: uncounted.failed } : {}),
    };
    if (!hasUncounted) applyTerminal(status);
    let cur = await this.writeStatus(job, status);

    // Steps 2 and 3: release the finalizers of uncounted pods, then count them.
    if (hasUncounted) {
      const byUid = new Map(pods.map((p) => [p.metadata?.uid ?? '', p]));
      await Promise.all(
        [...uncounted.succeeded, ...uncounted.failed].map(async (uid) => {
          const p = byUid.get(uid);
          if (p && hasTrackingFinalizer(p)) await this.removeFinalizer(p);
        }),
      );
      const next: JobStatus = structuredClone(cur.status ?? {});
      next.succeeded = indexed ? succeeded : (next.succeeded ?? 0) + uncounted.succeeded.length;
      next.failed = (next.failed ?? 0) + uncounted.failed.length;
      next.uncountedTerminatedPods = {};
      applyTerminal(next);
      cur = await this.writeStatus(cur, next);
    }
    if (!isFinished(cur) && (conditionTrue(cur.status, 'FailureTarget') || success))
      this.queue.addAfter(key, 1000);
    if (requeueMs !== undefined && !isFinished(cur)) this.queue.addAfter(key, requeueMs);
    if (manageErr !== undefined) throw manageErr;
  }

  /** Creates or deletes pods toward the wanted number of active ones. */
  private async manage(
    job: Job,
    active: Pod[],
    terminating: Pod[],
    succeeded: number,
    failed: number,
    completedIndexes: Set<number>,
    pods: Pod[],
    now: number,
  ): Promise<{ error?: unknown; requeueMs?: number }> {
    const parallelism = job.spec?.parallelism ?? 1;
    const completions = job.spec?.completions;
    let want: number;
    if (completions == null) want = succeeded > 0 ? active.length : parallelism;
    else want = Math.max(0, Math.min(parallelism, completions - succeeded));
    const counted = active.length + (onlyReplaceFailedPods(job) ? terminating.length : 0);
    if (active.length > want) {
      // Not-ready pods first, then the youngest.
      const victims = [...active]
        .sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)))
        .slice(0, active.length - want);
      return { error: await this.deletePods(job, victims) };
    }
    if (counted >= want) return {};
    // Replacements wait out the failure back-off since the last failure.
    if (failed > 0) {
      const lastFailure = Math.max(0, ...pods.filter((p) => isFailed(p, job)).map((p) => finishTime(p) ?? 0));
      const wait = lastFailure + failureBackoffMs(failed, this.backoffBase, this.backoffMax) - now;
      if (lastFailure > 0 && wait > 0) return { requeueMs: wait };
    }
    const indexes: (number | undefined)[] = [];
    if (job.spec?.completionMode === 'Indexed') {
      const busy = new Set(active.map(completionIndex));
      for (let i = 0; i < (completions ?? 0) && indexes.length < want - counted; i++)
        if (!completedIndexes.has(i) && !busy.has(i)) indexes.push(i);
    } else {
      for (let i = 0; i < want - counted; i++) indexes.push(undefined);
    }
    const key = keyOf(job);
    this.expectations.expectCreations(key, indexes.length);
    const results = await Promise.allSettled(indexes.map((ix) => this.createPod(job, ix)));
    let error: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      this.expectations.creationObserved(key);
      if (!isNamespaceTerminating(r.reason)) error ??= r.reason;
    }
    return { error };
  }

  private async createPod(job: Job, index: number | undefined): Promise<void> {
    const ns = job.metadata?.namespace ?? '';
    const name = job.metadata?.name ?? '';
    const ref: OwnerReference = newControllerRef(job, API_VERSION, KIND);
    const pod = podFromTemplate(job.spec?.template, ns, name, ref);
    const meta = pod.metadata!;
    meta.finalizers = [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER];
    if (index !== undefined) {
      meta.generateName = `${name}-${index}-`;
      meta.annotations = { ...meta.annotations, [COMPLETION_INDEX_ANNOTATION]: String(index) };
      meta.labels = { ...meta.labels, [COMPLETION_INDEX_ANNOTATION]: String(index) };
      const spec = pod.spec!;
      spec.hostname ??= `${name}-${index}`;
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        c.env = [
          ...(c.env ?? []),
          {
            name: 'JOB_COMPLETION_INDEX',
            valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX_ANNOTATION}']` } },
          },
        ];
      }
    }
    try {
      const created = await this.ctx.client.create<Pod>(Pods, ns, pod);
      this.ctx.events.event(
        asRef(job),
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${created.metadata?.name}`,
      );
    } catch (err) {
      if (!isNamespaceTerminating(err))
        this.ctx.events.event(asRef(job), 'Warning', 'FailedCreate', `Error creating: ${errText(err)}`);
      throw err;
    }
  }

  private async deletePods(job: Job, pods: Pod[]): Promise<unknown> {
    const key = keyOf(job);
    this.expectations.expectDeletions(key, pods.map(keyOf));
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        const name = pod.metadata?.name ?? '';
        try {
          await this.ctx.client.delete(Pods, pod.metadata?.namespace ?? '', name);
          this.ctx.events.event(asRef(job), 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, keyOf(pod));
          if (apiReason(err) === 'NotFound') return;
          this.ctx.events.event(asRef(job), 'Warning', 'FailedDelete', `Error deleting: ${errText(err)}`);
          error ??= err;
        }
      }),
    );
    return error;
  }

  /** Writes the status if it changed; a conflict means our view was old (the caller syncs again). */
  private async writeStatus(job: Job, status: JobStatus): Promise<Job> {
    if (JSON.stringify(job.status ?? {}) === JSON.stringify(status)) return job;
    return this.ctx.client.update<Job>(Jobs, { ...job, status }, 'status');
  }
}

function findTrue(status: JobStatus, type: string) {
  return status.conditions?.find((c) => c.type === type && c.status === 'True');
}
