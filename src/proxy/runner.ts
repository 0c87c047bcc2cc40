/**
 * The proxy's sync loop, as kube-proxy's BoundedFrequencyRunner
 * (pkg/proxy/runner): run() asks for a sync as soon as allowed; requests
 * made while a sync runs or during the cool-down are coalesced into one;
 * syncs are rate-limited by a token bucket of `burst` tokens refilled one per
 * minInterval (kube-proxy passes burstSyncs = 2: two syncs may start back to
 * back, then one per minInterval); a sync happens at least every maxInterval
 * without any request;
 * a failed sync is retried, here with exponential backoff, and any success
 * cancels the retry. Runs never overlap. One addition: runPromptly() asks
 * for a sync that does not wait for a token (see model/prompt.ts for when).
 */

import { type Clock, realClock } from '../lib/clock.js';
import { type Logger, silentLogger } from '../lib/log.js';

export interface BoundedFrequencyRunnerOptions {
  clock?: Clock;
  /** First retry delay after a failed sync (default: minInterval, at least 1 s); doubles per failure up to maxInterval. */
  retryBackoffMs?: number;
  log?: Logger;
  /** Called with each failure of fn (after which a retry is scheduled). */
  onError?: (err: unknown) => void;
  /** Syncs that may start back to back before minInterval spacing applies (default 1; kube-proxy's burstSyncs is 2). */
  burst?: number;
}

export class BoundedFrequencyRunner {
  private readonly clock: Clock;
  private readonly retryBaseMs: number;
  private readonly log: Logger;
  private started = false;
  private stopped = false;
  private running: Promise<void> | undefined;
  private requested = false;
  /** The requested sync may start without a token. */
  private prompt = false;
  private readonly burst: number;
  /**
   * The token bucket, counted in ms of credit so the arithmetic stays exact: a
   * sync costs minInterval; credit grows with the clock up to burst × minInterval.
   */
  private credit: number;
  private creditAt: number;
  private periodicAt = Number.POSITIVE_INFINITY;
  private retryAt: number | undefined;
  private failures = 0;
  private timer: unknown;
  private timerAt: number | undefined;

  constructor(
    readonly name: string,
    private readonly fn: () => Promise<void>,
    readonly minIntervalMs: number,
    readonly maxIntervalMs: number,
    private readonly opts: BoundedFrequencyRunnerOptions = {},
  ) {
    if (maxIntervalMs < minIntervalMs) {
      throw new Error(
        `${name}: maxInterval (${maxIntervalMs}ms) must be >= minInterval (${minIntervalMs}ms)`,
      );
    }
    this.clock = opts.clock ?? realClock;
    this.retryBaseMs = opts.retryBackoffMs ?? Math.max(minIntervalMs, 1000);
    this.log = opts.log ?? silentLogger;
    this.burst = Math.max(1, opts.burst ?? 1);
    this.credit = this.burst * minIntervalMs;
    this.creditAt = this.clock.now();
  }

  /** Starts the loop: the periodic sync is due maxInterval from now. run() before start() is remembered. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.periodicAt = this.clock.now() + this.maxIntervalMs;
    this.schedule();
  }

  /** Requests a sync as soon as the minimum interval allows. */
  run(): void {
    if (this.stopped) return;
    this.requested = true;
    this.schedule();
  }

  /**
   * Requests a sync as soon as possible, token or not: after the one in
   * progress, if any, else at once.
   */
  runPromptly(): void {
    if (this.stopped) return;
    this.prompt = true;
    this.run();
  }

  /** Stops the loop and waits for a sync in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer();
    await this.running;
  }

  /** Consecutive failed syncs (0 after a success). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** The next time a sync is due (ms on the clock), if one is scheduled. */
  get nextRunAt(): number | undefined {
    return this.timerAt;
  }

  private schedule(): void {
    if (!this.started || this.stopped || this.running) return;
    let due = this.periodicAt;
    if (this.retryAt !== undefined) due = Math.min(due, this.retryAt);
    if (this.requested) due = Math.min(due, this.clock.now());
    // Nothing starts before the bucket holds a token, unless asked for promptly.
    if (!(this.requested && this.prompt)) due = Math.max(due, this.tokenAt());
    if (this.timerAt === due) return;
    this.cancelTimer();
    this.timerAt = due;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, due - this.clock.now()));
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    if (this.stopped || this.running) return;
    this.requested = false;
    this.prompt = false;
    const now = this.clock.now();
    // A prompt run may find the bucket short: it empties it, and the next token is minInterval away.
    this.credit = Math.max(0, this.creditOn(now) - this.minIntervalMs);
    this.creditAt = now;
    this.running = this.runOnce().finally(() => {
      // The bucket refills from the end of a run: a slow sync never gets its successor early.
      this.creditAt = Math.max(this.creditAt, this.clock.now());
      this.running = undefined;
      this.schedule();
    });
  }

  private creditOn(now: number): number {
    return Math.min(this.burst * this.minIntervalMs, this.credit + (now - this.creditAt));
  }

  /** When the bucket next holds the price of a sync. */
  private tokenAt(): number {
    const now = this.clock.now();
    return now + Math.max(0, this.minIntervalMs - this.creditOn(now));
  }

  private async runOnce(): Promise<void> {
    try {
      await this.fn();
      this.failures = 0;
      this.retryAt = undefined;
    } catch (err) {
      this.failures++;
      const delay = Math.min(this.retryBaseMs * 2 ** (this.failures - 1), this.maxIntervalMs);
      this.retryAt = this.clock.now() + delay;
      this.log.error(err, 'Sync failed, retrying', { runner: this.name, retryInMs: delay });
      this.opts.onError?.(err);
    } finally {
      this.periodicAt = this.clock.now() + this.maxIntervalMs;
    }
  }
}
