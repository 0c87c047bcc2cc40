/**
 * A rate-limited work queue (client-go's workqueue): keys are deduplicated
 * while queued, a key is never worked on twice at once (re-adding it while
 * it runs queues it once more for after), a worker that throws requeues its
 * key with per-key exponential backoff, and success forgets the backoff.
 */

import { backgroundClock, type Clock } from '../lib/clock.js';
import { SvcnetError } from '../lib/errors.js';
import { type Logger, silentLogger } from '../lib/log.js';

export interface WorkQueueOptions {
  /** Keys worked on at once (default 1). */
  concurrency?: number;
  /** First retry delay (default 5 ms, as client-go); doubles per failure. */
  baseDelayMs?: number;
  /** Longest retry delay (default 1000 s, as client-go). */
  maxDelayMs?: number;
  clock?: Clock;
}

/**
 * Thrown by a worker whose key is waiting on something else rather than
 * failing (a namespace whose content is still going): requeued with the same
 * per-key backoff as a failure, capped at `maxDelayMs` when given, and never
 * logged above V(2).
 */
export class Requeue extends SvcnetError {
  constructor(
    message: string,
    /** The longest this wait backs off to (default: the queue's maxDelayMs). */
    readonly maxDelayMs?: number,
  ) {
    super('REQUEUE', message);
  }
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  /** Keys re-added while active: run again when the current run ends. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  /** Delayed adds waiting: when each is due and its timer. */
  private readonly timers = new Map<string, { at: number; handle: unknown }>();
  private readonly concurrency: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: Clock;
  private running = 0;
  private stopped = false;
  private scheduled = false;

  constructor(
    readonly name: string,
    private readonly worker: (key: string) => Promise<void>,
    opts: WorkQueueOptions = {},
    private readonly log: Logger = silentLogger,
  ) {
    this.concurrency = opts.concurrency ?? 1;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
    this.clock = opts.clock ?? backgroundClock;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Adds the key after `ms`; a key already waiting keeps the sooner of the two times (as client-go). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = this.clock.now() + ms;
    const existing = this.timers.get(key);
    if (existing) {
      if (existing.at <= at) return;
      this.clock.clearTimeout(existing.handle);
    }
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    this.timers.set(key, { at, handle });
  }

  /** Keys waiting (not counting those being worked on). */
  len(): number {
    return this.queue.length;
  }

  /** Resolves when nothing is queued, running or waiting for a retry (for tests and benchmarks). */
  /** Resolves once nothing is queued or running; delayed adds may still be waiting (manual-clock tests). */
  async quiet(): Promise<void> {
    while (this.queue.length || this.running) await new Promise((r) => setTimeout(r, 5));
  }

  async idle(): Promise<void> {
    while (this.queue.length || this.running || this.timers.size) await new Promise((r) => setTimeout(r, 5));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.clearTimeout(t.handle);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    this.dirty.clear();
  }

  private pump(): void {
    // Batch wake-ups: many adds in one tick start workers once.
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      while (!this.stopped && this.running < this.concurrency && this.queue.length) {
        const key = this.queue.shift()!;
        this.queued.delete(key);
        void this.run(key);
      }
    });
  }

  private async run(key: string): Promise<void> {
    this.running++;
    this.active.add(key);
    try {
      await this.worker(key);
      this.failures.delete(key);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      const cap =
        err instanceof Requeue ? Math.min(this.maxDelayMs, err.maxDelayMs ?? Infinity) : this.maxDelayMs;
      const delay = Math.min(cap, this.baseDelayMs * 2 ** (n - 1));
      // First failures are mostly expected races (a cache behind our own write, a conflict): quiet until they repeat.
      const kv = { queue: this.name, key, attempt: n, delayMs: delay, err: String(err) };
      if (n >= 3 && !(err instanceof Requeue)) this.log.warn('Sync failed; requeued', kv);
      else this.log.v(2).info('Sync failed; requeued', kv);
      this.addAfter(key, delay);
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
