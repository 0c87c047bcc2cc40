/**
 * Watch fan-out for the in-process backends (memory, SQLite): many watchers
 * per store, each fed after commit, asynchronously, in revision order.
 *
 * The store calls publish() synchronously right after each commit, in the
 * same tick that it advances its revision. That invariant is what makes a
 * watch from an old revision gap-free: the watcher is registered and the
 * current revision read in one synchronous step, so every revision up to it
 * comes from history and every later one arrives through publish(). Live
 * events that land while history is being replayed are held back and
 * released, minus anything the replay already covered, once it catches up.
 */
import { storeErrors } from './errors.js';
import { StoreError, type WatchEvent, type Watcher, type WatchHandlers } from './store.js';

/** A slice of history: the events found, and the last revision it covers. */
export interface HistoryChunk {
  events: WatchEvent[];
  through: number;
}

/** What the hub needs from its store. */
export interface HistorySource {
  /** The last committed revision; every revision up to it has been published. */
  currentRevision(): number;
  compactRevision(): number;
  /**
   * Events under `prefix` with `after` < revision <= `upTo`, in revision order.
   * May stop early at a revision boundary (to bound the work per call); `through`
   * is the last revision covered and must be > `after`. Throws StoreError
   * Compacted when `after` < compactRevision().
   */
  readHistory(prefix: string, after: number, upTo: number): HistoryChunk | Promise<HistoryChunk>;
}

/** The revision an event happened at. */
export function eventRevision(e: WatchEvent): number {
  return e.type === 'put' ? e.kv.modRevision : e.revision;
}

/** The key an event is about. */
export function eventKey(e: WatchEvent): string {
  return e.type === 'put' ? e.kv.key : e.key;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

class Subscription implements Watcher {
  /** The highest revision handed to the watcher (delivered, or queued for delivery). */
  last: number;
  /** Live events waiting for the next delivery. */
  queue: WatchEvent[] = [];
  /** While replaying history: live events that arrived meanwhile. */
  held: WatchEvent[] | undefined;
  flushScheduled = false;
  closed = false;
  /** The last revision to report through onProgress (0: nothing to report). */
  progress = 0;

  constructor(
    private readonly hub: WatchHub,
    readonly prefix: string,
    after: number,
    readonly handlers: WatchHandlers,
  ) {
    this.last = after;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.held = undefined;
    this.hub.remove(this);
  }
}

export class WatchHub {
  readonly #subs = new Set<Subscription>();
  #closedWith: StoreError | undefined;

  constructor(private readonly source: HistorySource) {}

  /** Number of open watchers. */
  get size(): number {
    return this.#subs.size;
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watcher {
    const sub = new Subscription(this, prefix, afterRevision, handlers);
    if (this.#closedWith) {
      this.#fail(sub, this.#closedWith);
      return sub;
    }
    const compactRev = this.source.compactRevision();
    if (afterRevision < compactRev) {
      this.#fail(sub, storeErrors.compacted(afterRevision, compactRev));
      return sub;
    }
    this.#subs.add(sub);
    const current = this.source.currentRevision();
    if (afterRevision < current) {
      sub.held = [];
      void this.#replay(sub, current);
    }
    return sub;
  }

  /** Hands the events of freshly committed revisions (in revision order) to the watchers. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    const through = eventRevision(events[events.length - 1]!);
    for (const sub of this.#subs) {
      let matched = false;
      for (const e of events) {
        if (!eventKey(e).startsWith(sub.prefix)) continue;
        if (sub.held) {
          sub.held.push(e);
        } else if (eventRevision(e) > sub.last) {
          sub.queue.push(e);
          sub.last = eventRevision(e);
          matched = true;
        }
      }
      // Progress: everything under the prefix up to `through` has now been handed over.
      if (!sub.held && sub.handlers.onProgress && through > sub.last) {
        sub.last = through;
        sub.progress = through;
        matched = true;
      }
      if (matched) this.#schedule(sub);
    }
  }

  /** Ends every watch with `err` (after delivering what was already queued); later watches fail with it too. */
  closeAll(err: StoreError): void {
    this.#closedWith = err;
    for (const sub of [...this.#subs]) this.#fail(sub, err);
  }

  remove(sub: Subscription): void {
    this.#subs.delete(sub);
  }

  #schedule(sub: Subscription): void {
    if (sub.flushScheduled) return;
    sub.flushScheduled = true;
    queueMicrotask(() => {
      sub.flushScheduled = false;
      if (sub.closed) return;
      if (sub.queue.length > 0) {
        const batch = sub.queue;
        sub.queue = [];
        sub.handlers.onEvents(batch);
      }
      if (sub.progress > 0 && !sub.closed) {
        const rev = sub.progress;
        sub.progress = 0;
        sub.handlers.onProgress?.(rev);
      }
    });
  }

  #fail(sub: Subscription, err: StoreError): void {
    const rest = sub.held ? [] : sub.queue;
    sub.close();
    queueMicrotask(() => {
      if (rest.length > 0) sub.handlers.onEvents(rest);
      sub.handlers.onError?.(err);
    });
  }

  async #replay(sub: Subscription, target: number): Promise<void> {
    while (sub.last < target) {
      // Yield between chunks so a long replay doesn't starve I/O; the first
      // turn also keeps delivery out of the watch() call.
      await nextTurn();
      if (sub.closed) return;
      let chunk: HistoryChunk;
      try {
        chunk = await this.source.readHistory(sub.prefix, sub.last, target);
      } catch (err) {
        if (sub.closed) return;
        // Compaction overtook the replay: the watcher must relist. Anything
        // else is a broken store and is left to crash loudly.
        if (err instanceof StoreError) return this.#fail(sub, err);
        throw err;
      }
      if (sub.closed) return;
      if (chunk.through <= sub.last)
        throw new Error(`history read made no progress after revision ${sub.last}`);
      sub.last = chunk.through;
      if (chunk.events.length > 0) sub.handlers.onEvents(chunk.events);
      if (sub.closed) return;
    }
    const held = sub.held ?? [];
    sub.held = undefined;
    for (const e of held) {
      if (eventRevision(e) > sub.last) {
        sub.queue.push(e);
        sub.last = eventRevision(e);
      }
    }
    // History through `target` has been replayed, and held events after it queued.
    if (sub.handlers.onProgress) {
      const current = this.source.currentRevision();
      if (current > sub.last) sub.last = current;
      sub.progress = sub.last;
    }
    if (sub.queue.length > 0 || sub.progress > 0) this.#schedule(sub);
  }
}
