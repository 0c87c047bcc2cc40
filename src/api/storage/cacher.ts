/**
 * The watch cache of one resource, as upstream's cacher: one store watch
 * keeps an in-memory copy of every object (parsed once, serialised once) and
 * a window of recent events. Gets and lists at the latest revision, and every
 * API watch, are served from here, so N watchers cost one store watch and a
 * list of 10,000 objects is a string join.
 *
 * Consistency: before serving "latest" reads the caller waits until the cache
 * has caught up with the store's current revision (upstream's consistent
 * reads from cache).
 */

import { statusErrors } from '../../k8s/status.js';
import { SvcnetError } from '../../lib/errors.js';
import type { KeyValue, Store, StoreError, WatchEvent, Watcher } from '../../store/store.js';
import type { KubeObject } from '../registry/strategy.js';

/** Ends watches when the server shuts down: streams close without an ERROR event. */
export class ShutdownError extends SvcnetError {
  constructor() {
    super('SHUTTING_DOWN', 'the server is shutting down');
  }
}

/** One object as the cache holds it: parsed (frozen, shared) and as JSON text. */
export interface CachedObject {
  key: string;
  obj: Readonly<KubeObject>;
  json: string;
  revision: number;
  namespace: string;
  name: string;
}

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  revision: number;
  /** For DELETED: the last state, with resourceVersion set to the delete's revision. */
  object: CachedObject;
  prev?: CachedObject;
}

/** A watch on the cache. */
export interface CacheWatch extends Watcher {
  /**
   * The revision a bookmark sent now may carry: every event up to it has
   * reached this watcher already (events still waiting for the next turn's
   * fan-out have not), so a client resuming from it misses nothing.
   */
  revision(): number;
}

/** Decides whether an object is visible to a watcher/list. */
export type CacheFilter = (o: CachedObject) => boolean;

export interface CacheWatchHandlers {
  /** Called in revision order; never concurrently. */
  onEvent(e: CacheEvent): void;
  /** The watch can't continue (too old, cache stopped); nothing follows. */
  onError(err: Error): void;
}

/** Decodes a stored value, stamping resourceVersion with its revision. */
export function decodeStored(kv: KeyValue, revision = kv.modRevision): CachedObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
  return {
    key: kv.key,
    obj: deepFreeze(obj),
    json: JSON.stringify(obj),
    revision,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
  };
}

/**
 * An object's content stamped with another revision: what a watcher whose
 * selector the object leaves gets in its DELETED event (upstream's cache
 * watcher sends the previous object at the event's resourceVersion).
 */
export function atRevision(o: CachedObject, revision: number): CachedObject {
  const obj = { ...o.obj, metadata: { ...o.obj.metadata, resourceVersion: String(revision) } };
  return { ...o, obj: deepFreeze(obj), json: JSON.stringify(obj), revision };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

interface WatcherEntry {
  filter: CacheFilter;
  handlers: CacheWatchHandlers;
  closed: boolean;
  /** Events up to this revision reached the watcher already (by replay). */
  seen: number;
}

export class Cacher {
  private readonly items = new Map<string, CachedObject>();
  private readonly history: CacheEvent[] = [];
  private readonly watchers = new Set<WatcherEntry>();
  private readonly waiters: { revision: number; resolve: () => void }[] = [];
  private storeWatch?: Watcher;
  private rev = 0;
  /** Events with revision > oldest are in history (oldest is the revision the window starts after). */
  private oldest = 0;
  /** Events applied but not yet handed to the watchers (see apply). */
  private pending: CacheEvent[] = [];
  private fanOutScheduled = false;
  /** Every key in order, maintained incrementally so lists never sort. */
  private readonly sortedKeys: string[] = [];
  private failure?: Error;

  constructor(
    private readonly store: Store,
    readonly prefix: string,
    private readonly historySize = 10_000,
  ) {}

  /** Lists the prefix and starts following the store. */
  async start(): Promise<void> {
    const list = await this.store.list(this.prefix);
    for (const kv of list.items) {
      this.items.set(kv.key, decodeStored(kv));
      this.sortedKeys.push(kv.key);
    }
    this.rev = list.revision;
    this.oldest = list.revision;
    this.storeWatch = this.store.watch(this.prefix, list.revision, {
      onEvents: (events) => this.apply(events),
      onProgress: (revision) => this.advance(revision),
      onError: (err) => this.fail(err),
    });
  }

  stop(): void {
    this.storeWatch?.close();
    this.fail(new ShutdownError());
  }

  /** The revision the cache reflects. */
  get revision(): number {
    return this.rev;
  }

  get size(): number {
    return this.items.size;
  }

  /** Resolves once the cache reflects at least `revision`. */
  waitFor(revision: number, timeoutMs = 3000): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.rev >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(statusErrors.timeout(`Too large resource version: ${revision}, current: ${this.rev}`));
      }, timeoutMs);
      const w = {
        revision,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      };
      this.waiters.push(w);
    });
  }

  /** Waits until the cache is as fresh as the store is now. */
  async sync(): Promise<void> {
    await this.waitFor(await this.store.revision());
  }

  get(key: string): CachedObject | undefined {
    return this.items.get(key);
  }

  /** Objects under `prefix` in key order, from `startKey` (inclusive); at most `max` of them (0: all). */
  list(prefix: string, filter?: CacheFilter, startKey?: string, max = 0): CachedObject[] {
    const keys = this.sortedKeys;
    let i = lowerBound(keys, startKey && startKey > prefix ? startKey : prefix);
    const out: CachedObject[] = [];
    for (; i < keys.length; i++) {
      const k = keys[i]!;
      if (!k.startsWith(prefix)) break;
      const o = this.items.get(k)!;
      if (!filter || filter(o)) {
        out.push(o);
        if (out.length === max) break;
      }
    }
    return out;
  }

  /** How many objects are under `prefix` from `startKey` (inclusive) on, without visiting them. */
  count(prefix: string, startKey?: string): number {
    const keys = this.sortedKeys;
    const from = lowerBound(keys, startKey && startKey > prefix ? startKey : prefix);
    // The keys under the prefix are contiguous from `from`: find the first one past them.
    let lo = from;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]!.startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return lo - from;
  }

  /**
   * Follows changes after `afterRevision`. Returns undefined when that
   * revision is older than the cache's window (the caller may then watch
   * the store directly, or answer 410).
   */
  watch(afterRevision: number, filter: CacheFilter, handlers: CacheWatchHandlers): CacheWatch | undefined {
    if (afterRevision < this.oldest) return undefined;
    const w: WatcherEntry = { filter, handlers, closed: false, seen: afterRevision };
    // Replay what the window holds after the requested revision (including
    // events not yet fanned out), then go live from there.
    const start = lowerBoundRev(this.history, afterRevision + 1);
    for (let i = start; i < this.history.length; i++) this.deliver(w, this.history[i]!);
    w.seen = Math.max(afterRevision, this.history[this.history.length - 1]?.revision ?? 0);
    if (this.failure) {
      handlers.onError(this.failure);
      return { close() {}, revision: () => w.seen };
    }
    this.watchers.add(w);
    return {
      close: () => {
        w.closed = true;
        this.watchers.delete(w);
      },
      revision: () => Math.max(w.seen, this.dispatched),
    };
  }

  /** Every watcher has been handed the events up to this revision (pending ones go out on the next turn). */
  private get dispatched(): number {
    const first = this.pending[0];
    return first ? first.revision - 1 : this.rev;
  }

  /** The oldest revision a watch can start after. */
  get oldestRevision(): number {
    return this.oldest;
  }

  private apply(events: WatchEvent[]): void {
    for (const e of events) {
      let ev: CacheEvent;
      if (e.type === 'put') {
        const object = decodeStored(e.kv);
        const prev = this.items.get(e.kv.key);
        if (!prev) this.sortedKeys.splice(lowerBound(this.sortedKeys, e.kv.key), 0, e.kv.key);
        this.items.set(e.kv.key, object);
        ev = { type: prev ? 'MODIFIED' : 'ADDED', revision: e.kv.modRevision, object, prev };
      } else {
        const prev = this.items.get(e.key) ?? decodeStored(e.prev);
        if (this.items.delete(e.key)) this.sortedKeys.splice(lowerBound(this.sortedKeys, e.key), 1);
        ev = { type: 'DELETED', revision: e.revision, object: decodeStored(e.prev, e.revision), prev };
      }
      this.history.push(ev);
      this.pending.push(ev);
      this.rev = ev.revision;
    }
    if (!this.fanOutScheduled && this.pending.length > 0) {
      // Watchers are fed on the next turn, so the write that caused the event
      // answers its client first: a reply never waits for N watch streams.
      this.fanOutScheduled = true;
      setImmediate(() => this.fanOut());
    }
    if (this.history.length > this.historySize) {
      const drop = this.history.length - this.historySize;
      this.oldest = this.history[drop - 1]!.revision;
      this.history.splice(0, drop);
    }
    // Several events of one revision arrive together, so rev is final here.
    this.wake();
  }

  private fanOut(): void {
    this.fanOutScheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const ev of batch) for (const w of this.watchers) if (ev.revision > w.seen) this.deliver(w, ev);
  }

  /** The store is at `revision` and nothing under our prefix is pending. */
  private advance(revision: number): void {
    if (revision > this.rev) {
      this.rev = revision;
      this.wake();
    }
  }

  private wake(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.revision <= this.rev) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  /** Translates an event for one watcher: an object leaving its filter is DELETED for it. */
  private deliver(w: WatcherEntry, ev: CacheEvent): void {
    if (w.closed) return;
    const now = ev.type !== 'DELETED' && w.filter(ev.object);
    const before = ev.prev !== undefined && ev.type !== 'ADDED' && w.filter(ev.prev);
    let type: CacheEventType | undefined;
    if (ev.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else if (now && before) type = 'MODIFIED';
    else if (now) type = 'ADDED';
    else if (before) type = 'DELETED';
    if (!type) return;
    try {
      if (type === ev.type) w.handlers.onEvent(ev);
      else if (type === 'ADDED') w.handlers.onEvent({ ...ev, type });
      else w.handlers.onEvent({ ...ev, type, object: atRevision(ev.prev!, ev.revision) });
    } catch (err) {
      w.closed = true;
      this.watchers.delete(w);
      w.handlers.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private fail(err: Error | StoreError): void {
    this.failure = err;
    for (const w of this.watchers) {
      w.closed = true;
      w.handlers.onError(err);
    }
    this.watchers.clear();
    for (const w of this.waiters.splice(0)) w.resolve();
  }
}

function lowerBound(keys: readonly string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBoundRev(events: readonly CacheEvent[], revision: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.revision < revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
