/**
 * The per-node backoff upstream's DaemonSet controller puts on deleting
 * failed daemon pods (flowcontrol.Backoff, 1 s doubling to 15 min), so a pod
 * that fails at once is not recreated in a hot loop.
 */
export const INITIAL_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 15 * 60 * 1000;

interface Entry {
  delay: number;
  last: number;
}

export class FailedPodBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initial = INITIAL_BACKOFF_MS,
    private readonly max = MAX_BACKOFF_MS,
  ) {}

  /** How long `key` must still wait, 0 when it may act now (IsInBackOffSinceUpdate). */
  remaining(key: string, now: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.last + e.delay - now);
  }

  /** Records an action: the next one waits twice as long (reset after 2 × max of quiet). */
  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || now - e.last > 2 * this.max) this.entries.set(key, { delay: this.initial, last: now });
    else this.entries.set(key, { delay: Math.min(e.delay * 2, this.max), last: now });
  }

  /** Forgets entries quiet for longer than 2 × max (upstream's GC of the backoff). */
  gc(now: number): void {
    for (const [k, e] of this.entries) if (now - e.last > 2 * this.max) this.entries.delete(k);
  }
}
