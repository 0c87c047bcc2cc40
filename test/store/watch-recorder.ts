/**
 * Test helpers for watches: a WatchHandlers that records what it receives
 * and can be awaited until a condition holds.
 */
import assert from 'node:assert/strict';
import type { Store, StoreError, WatchEvent, Watcher, WatchHandlers } from '../../src/store/store.js';
import { eventRevision } from '../../src/store/watch-hub.js';

export class Recorder implements WatchHandlers {
  readonly batches: WatchEvent[][] = [];
  readonly errors: StoreError[] = [];
  /** Set while watch() runs, to catch deliveries from inside it. */
  inside = false;
  syncCalls = 0;

  onEvents(events: WatchEvent[]): void {
    if (this.inside) this.syncCalls++;
    this.batches.push(events);
  }

  onError(err: StoreError): void {
    if (this.inside) this.syncCalls++;
    this.errors.push(err);
  }

  get events(): WatchEvent[] {
    return this.batches.flat();
  }

  get revisions(): number[] {
    return this.events.map(eventRevision);
  }

  /** The highest revision received, or 0. */
  get last(): number {
    const b = this.batches.at(-1);
    return b && b.length > 0 ? eventRevision(b.at(-1)!) : 0;
  }

  /** Resolves once `cond` holds; fails after `ms` with what was received. */
  async until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) {
        assert.fail(
          `timed out waiting for ${what}: got ${this.events.length} events (last revision ${this.last}), ` +
            `errors: ${this.errors.map((e) => e.message).join('; ') || 'none'}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Waits until an event at or past `revision` arrived. */
  untilRevision(revision: number, ms?: number): Promise<void> {
    return this.until(() => this.last >= revision, `revision ${revision}`, ms);
  }

  untilError(ms?: number): Promise<void> {
    return this.until(() => this.errors.length > 0, 'an error', ms);
  }
}

/** Starts a watch with a fresh Recorder, checking nothing is delivered from inside watch(). */
export function record(
  store: Pick<Store, 'watch'>,
  prefix: string,
  afterRevision: number,
): { rec: Recorder; watcher: Watcher } {
  const rec = new Recorder();
  rec.inside = true;
  const watcher = store.watch(prefix, afterRevision, rec);
  rec.inside = false;
  assert.equal(rec.syncCalls, 0, 'watch() delivered synchronously');
  return { rec, watcher };
}

/** Lets queued deliveries happen (a few turns of the event loop). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 10));
}
