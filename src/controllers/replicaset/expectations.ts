/**
 * Expectations (upstream ControllerExpectations + UIDTrackingControllerExpectations):
 * after a controller asks for N creations or deletions it waits to see them in
 * its pod cache before acting on that controller again, so a cache that lags
 * behind its own writes never leads to double creates or deletes. A record
 * older than the TTL no longer blocks, in case an event was missed.
 */

/** Upstream ExpectationsTimeout. */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Record_ {
  add: number;
  del: number;
  at: number;
  /** Keys of pods whose deletion we wait to observe. */
  deleting: Set<string>;
}

export class Expectations {
  private readonly records = new Map<string, Record_>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = EXPECTATIONS_TTL_MS,
  ) {}

  /** True when the controller may act: nothing pending, no record, or an expired one. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.now() - r.at > this.ttlMs;
  }

  /** Expects `adds` creations and the deletion of these pods at once (upstream SetExpectations). */
  expect(key: string, adds: number, podKeys: readonly string[]): void {
    this.records.set(key, { add: adds, del: podKeys.length, at: this.now(), deleting: new Set(podKeys) });
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { add: n, del: 0, at: this.now(), deleting: new Set() });
  }

  /** Expects the deletion of these pods (keys `namespace/name`). */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.records.set(key, { add: 0, del: podKeys.length, at: this.now(), deleting: new Set(podKeys) });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** Lowers the deletion count only for a pod we were waiting on (so each counts once). */
  deletionObserved(key: string, podKey: string): void {
    const r = this.records.get(key);
    if (r?.deleting.delete(podKey)) r.del--;
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  /** Pending counts, for logs and tests. */
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r && { add: r.add, del: r.del };
  }
}
