/**
 * The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished):
 * deletes a Job `.spec.ttlSecondsAfterFinished` after it finished (its
 * Complete or Failed condition's transition), in the foreground so its pods
 * go first. The Job is read again before deleting, and the delete carries
 * its UID as a precondition, so a changed TTL or a recreated Job is respected.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import { isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { Jobs } from '../../client/resources.js';
import { type Informer, keyOf } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import { backgroundClock, type Clock } from '../../lib/clock.js';
import { parseTime } from '../podutil.js';

export interface TTLAfterFinishedOptions {
  workers?: number;
  /** Time and delayed re-syncs (deadlines, schedules, TTLs); a manual one in tests. */
  clock?: Clock;
}

/** When the Job finished, if it did. */
export function finishedAt(job: Job): number | undefined {
  const c = job.status?.conditions?.find(
    (x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True',
  );
  return c ? parseTime(c.lastTransitionTime) : undefined;
}

/** Milliseconds until the Job expires (≤ 0: now), or undefined when it never does. */
export function timeLeft(job: Job, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  const done = finishedAt(job);
  if (ttl == null || done === undefined || job.metadata?.deletionTimestamp) return undefined;
  return done + ttl * 1000 - now;
}

export class TTLAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished-controller';
  private readonly jobs: Informer<Job>;
  private readonly queue: WorkQueue;
  private readonly now: () => number;
  private readonly clock: Clock;

  constructor(
    private readonly ctx: ControllerContext,
    opts: TTLAfterFinishedOptions = {},
  ) {
    this.clock = opts.clock ?? backgroundClock;
    this.now = () => this.clock.now();
    this.queue = new WorkQueue(
      'ttl_jobs_to_delete',
      (key) => this.sync(key),
      { concurrency: opts.workers ?? 5, clock: this.clock },
      ctx.log,
    );
    this.jobs = ctx.informers.informer<Job>(Jobs);
    const enqueue = (job: Job) => {
      if (timeLeft(job, this.now()) !== undefined) this.queue.add(keyOf(job));
    };
    this.jobs.addHandlers({ add: enqueue, update: (_o, cur) => enqueue(cur) });
  }

  async start(): Promise<void> {
    await this.jobs.synced();
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves once no sync is queued or running; delayed re-syncs may wait (tests). */
  quiet(): Promise<void> {
    return this.queue.quiet();
  }

  /** Queues every Job again (tests, after moving the clock). */
  resyncAll(): void {
    for (const job of this.jobs.list()) this.queue.add(keyOf(job));
  }

  private async sync(key: string): Promise<void> {
    const cached = this.jobs.get(key);
    if (!cached) return;
    const left = timeLeft(cached, this.now());
    if (left === undefined) return;
    if (left > 0) {
      this.queue.addAfter(key, left);
      return;
    }
    // The cache may lag: decide on the live object.
    const { namespace, name } = cached.metadata as { namespace: string; name: string };
    let job: Job;
    try {
      job = await this.ctx.client.get<Job>(Jobs, namespace, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const liveLeft = timeLeft(job, this.now());
    if (liveLeft === undefined) return;
    if (liveLeft > 0) {
      this.queue.addAfter(key, liveLeft);
      return;
    }
    this.ctx.log.info('Cleaning up Job', { job: key });
    try {
      await this.ctx.client.delete(Jobs, namespace, name, {
        propagationPolicy: 'Foreground',
        preconditions: { uid: job.metadata?.uid },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
