/**
 * An in-memory Store with the full contract: history kept until compact(),
 * lists at past revisions, watch replay. For tests and `--storage=memory`;
 * nothing survives the process.
 *
 * Layout: the current values (a map plus a sorted key set for range scans)
 * and a log holding one event per revision above the compact revision. A list
 * at a past revision starts from the current values and undoes the log back
 * to that revision, so its cost grows with the writes since, not with history.
 */
import { storeErrors } from './errors.js';
import { compareKeys } from './keys.js';
import { SortedKeys } from './sorted-keys.js';
import type {
  KeyValue,
  ListOptions,
  ListResult,
  Store,
  WatchEvent,
  Watcher,
  WatchHandlers,
} from './store.js';
import { eventKey, type HistoryChunk, WatchHub } from './watch-hub.js';

/** How many revisions one replay step scans, to keep each step short. */
const HISTORY_CHUNK = 10_000;

export class MemoryStore implements Store {
  #rev = 0;
  #compactRev = 0;
  readonly #current = new Map<string, KeyValue>();
  /** The keys of #current, in key order. */
  readonly #keys = new SortedKeys();
  /** The event of every revision in (#compactRev, #rev]: #log[i] is revision #compactRev + 1 + i. */
  #log: WatchEvent[] = [];
  #closed = false;
  readonly #hub = new WatchHub({
    currentRevision: () => this.#rev,
    compactRevision: () => this.#compactRev,
    readHistory: (prefix, after, upTo) => this.#readHistory(prefix, after, upTo),
  });

  async revision(): Promise<number> {
    this.#checkOpen();
    return this.#rev;
  }

  async compactRevision(): Promise<number> {
    this.#checkOpen();
    return this.#compactRev;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#checkOpen();
    return this.#current.get(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    const revision = opts.revision && opts.revision > 0 ? opts.revision : this.#rev;
    if (revision > this.#rev) throw storeErrors.futureRevision(revision, this.#rev);
    if (revision < this.#compactRev) throw storeErrors.compacted(revision, this.#compactRev);
    const from = opts.startKey && compareKeys(opts.startKey, prefix) > 0 ? opts.startKey : prefix;
    const all = revision === this.#rev ? this.#rangeNow(prefix, from) : this.#rangeAt(prefix, from, revision);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Number.POSITIVE_INFINITY;
    const more = all.length > limit;
    return {
      items: more ? all.slice(0, limit) : all,
      revision,
      more,
      remaining: more ? all.length - limit : 0,
    };
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    let n = 0;
    for (const key of this.#keys.from(prefix)) {
      if (!key.startsWith(prefix)) break;
      n++;
    }
    return n;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.#checkOpen();
    if (this.#current.has(key)) throw storeErrors.keyExists(key);
    const rev = this.#rev + 1;
    const kv = Object.freeze({ key, value, createRevision: rev, modRevision: rev });
    this.#current.set(key, kv);
    this.#keys.insert(key);
    this.#commit({ type: 'put', kv });
    return kv;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.#checkOpen();
    const prev = this.#current.get(key);
    if (!prev) throw storeErrors.keyNotFound(key);
    if (prev.modRevision !== expectedModRevision) throw storeErrors.conflict(key, expectedModRevision, prev);
    const kv = Object.freeze({ key, value, createRevision: prev.createRevision, modRevision: this.#rev + 1 });
    this.#current.set(key, kv);
    this.#commit({ type: 'put', kv, prev });
    return kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ prev: KeyValue; revision: number }> {
    this.#checkOpen();
    const prev = this.#current.get(key);
    if (!prev) throw storeErrors.keyNotFound(key);
    if (expectedModRevision !== undefined && prev.modRevision !== expectedModRevision) {
      throw storeErrors.conflict(key, expectedModRevision, prev);
    }
    const revision = this.#rev + 1;
    this.#current.delete(key);
    this.#keys.delete(key);
    this.#commit({ type: 'delete', key, revision, prev });
    return { prev, revision };
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watcher {
    return this.#hub.watch(prefix, afterRevision, handlers);
  }

  async check(): Promise<void> {
    this.#checkOpen();
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    if (revision > this.#rev) throw storeErrors.futureRevision(revision, this.#rev);
    if (revision <= this.#compactRev) return;
    this.#log = this.#log.slice(revision - this.#compactRev);
    this.#compactRev = revision;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.closeAll(storeErrors.closed());
  }

  #checkOpen(): void {
    if (this.#closed) throw storeErrors.closed();
  }

  #commit(e: WatchEvent): void {
    this.#rev++;
    this.#log.push(e);
    this.#hub.publish([e]);
  }

  #rangeNow(prefix: string, from: string): KeyValue[] {
    const out: KeyValue[] = [];
    for (const key of this.#keys.from(from)) {
      if (!key.startsWith(prefix)) break;
      out.push(this.#current.get(key)!);
    }
    return out;
  }

  /** The keys under `prefix` from `from` on, as they were at `revision`. */
  #rangeAt(prefix: string, from: string, revision: number): KeyValue[] {
    // Walk back from the newest event: the last value seen for a key is its
    // value just before the oldest write after `revision`, i.e. at `revision`.
    const then = new Map<string, KeyValue | undefined>();
    for (let i = this.#log.length - 1; i >= revision - this.#compactRev; i--) {
      const e = this.#log[i]!;
      const key = eventKey(e);
      if (key.startsWith(prefix) && compareKeys(key, from) >= 0) then.set(key, e.prev);
    }
    const out: KeyValue[] = [];
    for (const kv of this.#rangeNow(prefix, from)) if (!then.has(kv.key)) out.push(kv);
    for (const kv of then.values()) if (kv) out.push(kv);
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  #readHistory(prefix: string, after: number, upTo: number): HistoryChunk {
    if (after < this.#compactRev) throw storeErrors.compacted(after, this.#compactRev);
    const through = Math.min(upTo, after + HISTORY_CHUNK);
    const events: WatchEvent[] = [];
    for (let rev = after + 1; rev <= through; rev++) {
      const e = this.#log[rev - this.#compactRev - 1]!;
      if (eventKey(e).startsWith(prefix)) events.push(e);
    }
    return { events, through };
  }
}
