/**
 * The CronJob controller (upstream pkg/controller/cronjob, controllerv2):
 * creates a Job `<cronjob>-<minutes since the epoch>` for the most recent
 * schedule time that passed (in `.spec.timeZone`, else the process's zone),
 * honouring startingDeadlineSeconds, suspend and concurrencyPolicy (Forbid
 * skips while a Job runs, Replace deletes it first); keeps `.status.active`,
 * lastScheduleTime and lastSuccessfulTime; deletes finished Jobs beyond the
 * history limits, oldest first. Time comes from an injectable clock.
 */
import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { CronJobs, Jobs } from '../../client/resources.js';
import { type Informer, keyOf } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import {
  type CronSchedule,
  formatInZone,
  isKnownTimeZone,
  nextActivation,
  parseStandard,
} from '../../k8s/cron.js';
import { backgroundClock, type Clock } from '../../lib/clock.js';
import { errText } from '../../lib/errors.js';
import { CRONJOB_SCHEDULED_ANNOTATION } from '../job/state.js';
import { getControllerOf, newControllerRef, parseTime } from '../podutil.js';

export interface CronJobControllerOptions {
  workers?: number;
  /** Time and delayed re-syncs (deadlines, schedules, TTLs); a manual one in tests. */
  clock?: Clock;
}

const KIND = 'CronJob';
const API_VERSION = 'batch/v1';
/** Upstream gives up counting missed start times beyond this. */
const MAX_MISSED = 100;

const asRef = (cj: CronJob): CronJob => ({ apiVersion: API_VERSION, kind: KIND, metadata: cj.metadata });
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A finished Job's condition type (Complete or Failed), if it finished. */
export function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? [])
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  return undefined;
}

/** `<cronjob>-<scheduled minutes since the epoch>`: one name per schedule time. */
export const jobNameFor = (cj: CronJob, scheduled: number): string =>
  `${cj.metadata?.name}-${Math.floor(scheduled / 60_000)}`;

/**
 * The most recent schedule time in (earliest, now], where earliest is the last
 * schedule time (or creation), moved up to now - startingDeadlineSeconds;
 * `missed` counts the times in between, capped past MAX_MISSED.
 */
export function mostRecentScheduleTime(
  cj: CronJob,
  sched: CronSchedule,
  now: number,
  zone: string | undefined,
): { time?: number; missed: number } {
  let earliest = parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata?.creationTimestamp) ?? now;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (sds != null) earliest = Math.max(earliest, now - sds * 1000);
  let time: number | undefined;
  let missed = 0;
  for (let t = nextActivation(sched, earliest, zone); t !== undefined && t <= now; ) {
    time = t;
    missed++;
    // Far behind (e.g. a minutely schedule after a long stop): jump near now.
    if (missed > MAX_MISSED) {
      const near = nextActivation(sched, now - 60 * 60_000, zone);
      if (near !== undefined && near > t) {
        t = near;
        continue;
      }
    }
    t = nextActivation(sched, t, zone);
  }
  return { time, missed };
}

export class CronJobController implements Controller {
  readonly name = 'cronjob-controller';
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly queue: WorkQueue;
  private readonly now: () => number;
  private readonly clock: Clock;

  constructor(
    private readonly ctx: ControllerContext,
    opts: CronJobControllerOptions = {},
  ) {
    this.clock = opts.clock ?? backgroundClock;
    this.now = () => this.clock.now();
    this.queue = new WorkQueue(
      'cronjob',
      (key) => this.sync(key),
      { concurrency: opts.workers ?? 5, clock: this.clock },
      ctx.log,
    );
    this.cronJobs = ctx.informers.informer<CronJob>(CronJobs);
    this.jobs = ctx.informers.informer<Job>(Jobs);
    this.cronJobs.addHandlers({
      add: (cj) => this.queue.add(keyOf(cj)),
      update: (_o, cj) => this.queue.add(keyOf(cj)),
    });
    const jobChanged = (job: Job) => {
      const ref = getControllerOf(job);
      if (ref?.kind === KIND) this.queue.add(`${job.metadata?.namespace}/${ref.name}`);
    };
    this.jobs.addHandlers({ add: jobChanged, update: (_o, j) => jobChanged(j), delete: jobChanged });
  }

  async start(): Promise<void> {
    await Promise.all([this.cronJobs.synced(), this.jobs.synced()]);
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves once no sync is queued or running; delayed re-syncs may wait (tests). */
  quiet(): Promise<void> {
    return this.queue.quiet();
  }

  /** Queues every CronJob again (tests, after moving the clock). */
  resyncAll(): void {
    for (const cj of this.cronJobs.list()) this.queue.add(keyOf(cj));
  }

  private ownedJobs(cj: CronJob): Job[] {
    const uid = cj.metadata?.uid;
    return this.jobs.list(cj.metadata?.namespace ?? '').filter((j) => getControllerOf(j)?.uid === uid);
  }

  private event(cj: CronJob, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctx.events.event(asRef(cj), type, reason, message);
  }

  private async sync(key: string): Promise<void> {
    const cached = this.cronJobs.get(key);
    if (!cached) return;
    // Decide on the live object: a cached status one write behind would start a Job twice.
    const { namespace, name } = cached.metadata as { namespace: string; name: string };
    for (let attempt = 0; ; attempt++) {
      let live: CronJob;
      try {
        live = await this.ctx.client.get<CronJob>(CronJobs, namespace, name);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      try {
        await this.syncCronJob(live);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
      }
    }
  }

  private async syncCronJob(cj: CronJob): Promise<void> {
    const key = keyOf(cj);
    const status: CronJobStatus = structuredClone(cj.status ?? {});
    const jobs = this.ownedJobs(cj);
    await this.reconcileActive(cj, status, jobs);

    const requeue = await this.schedule(cj, status);
    const updated = await this.writeStatus(cj, status);
    await this.cleanupHistory(updated, this.ownedJobs(updated));
    if (requeue !== undefined) this.queue.addAfter(key, requeue);
  }

  /** Drops finished and vanished Jobs from `.status.active`, records the last success. */
  private async reconcileActive(cj: CronJob, status: CronJobStatus, jobs: Job[]): Promise<void> {
    const active = new Map((status.active ?? []).map((r) => [r.uid ?? '', r]));
    for (const job of jobs) {
      const uid = job.metadata?.uid ?? '';
      const done = finishedType(job);
      if (!done && !active.has(uid)) {
        // Ours but not recorded: made by hand (`create job --from`), or just before a crash. Upstream only tells.
        this.event(
          cj,
          'Warning',
          'UnexpectedJob',
          `Saw a job that the controller did not create or forgot: ${job.metadata?.name}`,
        );
      } else if (done && active.has(uid)) {
        active.delete(uid);
        this.event(
          cj,
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${job.metadata?.name}, condition: ${done}`,
        );
      }
      const completed = parseTime(job.status?.completionTime);
      if (done === 'Complete' && completed !== undefined) {
        const last = parseTime(status.lastSuccessfulTime);
        if (last === undefined || completed > last) status.lastSuccessfulTime = job.status!.completionTime;
      }
    }
    const known = new Set(jobs.map((j) => j.metadata?.uid));
    for (const [uid, ref] of [...active]) {
      if (known.has(uid)) continue;
      try {
        const live = await this.ctx.client.get<Job>(Jobs, ref.namespace ?? '', ref.name ?? '');
        if (live.metadata?.uid === uid && !finishedType(live)) continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      active.delete(uid);
      this.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
    }
    if (active.size) status.active = [...active.values()];
    else delete status.active;
  }

  /** Starts the Job due now, if any; answers when to look again (ms). */
  private async schedule(cj: CronJob, status: CronJobStatus): Promise<number | undefined> {
    if (cj.metadata?.deletionTimestamp) return undefined;
    const zone = cj.spec?.timeZone;
    if (zone != null && !isKnownTimeZone(zone)) {
      this.event(
        cj,
        'Warning',
        'UnknownTimeZone',
        `invalid timeZone: ${JSON.stringify(zone)}: unknown time zone ${zone}`,
      );
      return undefined;
    }
    if (cj.spec?.suspend) return undefined;
    let sched: CronSchedule;
    try {
      sched = parseStandard(cj.spec?.schedule ?? '');
    } catch (err) {
      this.event(
        cj,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${errText(err)}`,
      );
      return undefined;
    }
    const now = this.now();
    const tz = zone ?? undefined;
    const untilNext = () => {
      const next = nextActivation(sched, now, tz);
      return next === undefined ? undefined : next - now + 100;
    };
    const withState = { ...cj, status };
    const { time, missed } = mostRecentScheduleTime(withState, sched, now, tz);
    if (missed > MAX_MISSED)
      this.event(
        cj,
        'Warning',
        'TooManyMissedTimes',
        `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
      );
    if (time === undefined) return untilNext();
    const sds = cj.spec?.startingDeadlineSeconds;
    if (sds != null && time + sds * 1000 < now) {
      this.event(
        cj,
        'Warning',
        'MissSchedule',
        `Missed scheduled time to start a job: ${formatInZone(time, tz)}`,
      );
      return untilNext();
    }
    const name = jobNameFor(cj, time);
    if ((status.active ?? []).some((r) => r.name === name) || parseTime(status.lastScheduleTime) === time)
      return untilNext();
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && (status.active?.length ?? 0) > 0) {
      this.event(
        cj,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return untilNext();
    }
    if (policy === 'Replace') {
      for (const ref of status.active ?? []) {
        await this.deleteJob(cj, ref.namespace ?? '', ref.name ?? '');
      }
      delete status.active;
    }
    const job = jobFromTemplate(cj, time, tz);
    try {
      const created = await this.ctx.client.create<Job>(Jobs, cj.metadata?.namespace ?? '', job);
      this.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name}`);
      status.active = [...(status.active ?? []), jobRef(created)];
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${errText(err)}`);
        throw err;
      }
      // Created before (by us, before a restart, or by someone else): not ours to record again.
    }
    status.lastScheduleTime = iso(time);
    return untilNext();
  }

  private async deleteJob(cj: CronJob, namespace: string, name: string): Promise<void> {
    try {
      await this.ctx.client.delete(Jobs, namespace, name, { propagationPolicy: 'Background' });
      this.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${errText(err)}`);
      throw err;
    }
  }

  /** Keeps the newest successfulJobsHistoryLimit Complete and failedJobsHistoryLimit Failed Jobs. */
  private async cleanupHistory(cj: CronJob, jobs: Job[]): Promise<void> {
    const prune = async (type: 'Complete' | 'Failed', limit: number | undefined) => {
      if (limit == null) return;
      const done = jobs
        .filter((j) => finishedType(j) === type && !j.metadata?.deletionTimestamp)
        .sort((a, b) => startOf(a) - startOf(b));
      for (const j of done.slice(0, Math.max(0, done.length - limit)))
        await this.deleteJob(cj, j.metadata?.namespace ?? '', j.metadata?.name ?? '');
    };
    await prune('Complete', cj.spec?.successfulJobsHistoryLimit);
    await prune('Failed', cj.spec?.failedJobsHistoryLimit);
  }

  private async writeStatus(cj: CronJob, status: CronJobStatus): Promise<CronJob> {
    if (JSON.stringify(cj.status ?? {}) === JSON.stringify(status)) return cj;
    return this.ctx.client.update<CronJob>(CronJobs, { ...cj, status }, 'status');
  }
}

/** Sort key: the Job's start, else its creation (jobs that never started sort by when they were made). */
const startOf = (j: Job): number =>
  parseTime(j.status?.startTime) ?? parseTime(j.metadata?.creationTimestamp) ?? 0;

function jobRef(job: Job): ObjectReference {
  return {
    apiVersion: API_VERSION,
    kind: 'Job',
    name: job.metadata?.name,
    namespace: job.metadata?.namespace,
    uid: job.metadata?.uid,
    resourceVersion: job.metadata?.resourceVersion,
  };
}

/** getJobFromTemplate2: the template's labels, annotations and spec, the scheduled time, our reference. */
export function jobFromTemplate(cj: CronJob, scheduled: number, zone: string | undefined): Job {
  const t = structuredClone(cj.spec?.jobTemplate ?? {});
  return {
    apiVersion: API_VERSION,
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduled),
      namespace: cj.metadata?.namespace,
      labels: t.metadata?.labels,
      annotations: {
        ...t.metadata?.annotations,
        [CRONJOB_SCHEDULED_ANNOTATION]: formatInZone(scheduled, zone),
      },
      ownerReferences: [newControllerRef(cj, API_VERSION, KIND)],
    },
    spec: t.spec ?? { template: {} },
  } as Job;
}
