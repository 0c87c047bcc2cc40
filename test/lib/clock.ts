/**
 * A manual clock for code that takes a Clock (src/lib/clock.ts): timers fire
 * only in advance(), in time order, with async work settled after each.
 */
import type { Clock } from '../../src/lib/clock.js';

interface Timer {
  at: number;
  fn: () => void;
}

/** Lets promise callbacks and setImmediate work run. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

export class ManualClock implements Clock {
  t = 0;
  private readonly timers = new Set<Timer>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.t + ms, fn };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as Timer);
  }

  /** How long each pending timer still has to wait, shortest first. */
  pending(): number[] {
    return [...this.timers].map((x) => x.at - this.t).sort((a, b) => a - b);
  }

  /** Like advance(), but synchronously: no async work runs between the timers it fires. */
  advanceNow(ms: number): void {
    const end = this.t + ms;
    for (let due = this.next(end); due; due = this.next(end)) {
      this.timers.delete(due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }

  /** Moves time forward by `ms`, firing each timer due on the way at its own time. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (let due = this.next(end); due; due = this.next(end)) {
      this.timers.delete(due);
      this.t = due.at;
      due.fn();
      await settle();
    }
    this.t = end;
  }

  /** The earliest timer due by `end`. */
  private next(end: number): Timer | undefined {
    let due: Timer | undefined;
    for (const x of this.timers) if (x.at <= end && (!due || x.at < due.at)) due = x;
    return due;
  }
}
