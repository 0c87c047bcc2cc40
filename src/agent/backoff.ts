/**
 * Container restart back-off as kubelet's (client-go flowcontrol.Backoff with
 * 10s initial, 300s max): the first restart is immediate, then each crash
 * doubles the wait; an entry not updated for twice the maximum (a container
 * that ran 10 minutes) starts over.
 */

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly initialMs = BACKOFF_INITIAL_MS,
    readonly maxMs = BACKOFF_MAX_MS,
  ) {}

  /** The current back-off of `key` in ms (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Records a restart caused by an event (a container exit) at `eventTime`. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    const backoffMs =
      !e || this.expired(eventTime, e) ? this.initialMs : Math.min(e.backoffMs * 2, this.maxMs);
    this.entries.set(key, { backoffMs, lastUpdate: this.now() });
  }

  /** True while a restart for an event at `eventTime` must still wait. */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) return false;
    return this.now() - eventTime < e.backoffMs;
  }

  /** Ms left until a restart for an event at `eventTime` may happen (0 when none). */
  remaining(key: string, eventTime: number): number {
    if (!this.isInBackOffSince(key, eventTime)) return 0;
    return Math.max(0, eventTime + this.get(key) - this.now());
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Drops entries of keys starting with `prefix` (a pod's containers). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > this.maxMs * 2;
  }
}
