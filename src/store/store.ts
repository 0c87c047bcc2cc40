/**
 * The storage contract under the API server, shaped like etcd's so that an
 * etcd backend is just another implementation: a flat, ordered key space;
 * one cluster-wide revision that every write increments by exactly one;
 * compare-and-swap writes; watches that replay history from any retained
 * revision; compaction that drops history older than a revision.
 *
 * Values are opaque strings (the API server stores JSON). The API's
 * `resourceVersion` is a key's `modRevision`; a list's is the store revision
 * the list was read at.
 *
 * Keys are ordered by their UTF-8 bytes, as etcd orders them (Unicode code
 * point order; JavaScript's `<` differs for characters above U+FFFF).
 */
import { SvcnetError } from '../lib/errors.js';

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to this key. */
  modRevision: number;
}

export type WatchEvent =
  /** A create (kv.createRevision === kv.modRevision) or an update (prev is the old value). */
  | { type: 'put'; kv: KeyValue; prev?: KeyValue }
  /** A delete at `revision`; prev is the value that was deleted. */
  | { type: 'delete'; key: string; revision: number; prev: KeyValue };

export interface ListOptions {
  /** Read as of this revision (must be retained); default: the current revision. */
  revision?: number;
  /** At most this many items (0 or absent: all). */
  limit?: number;
  /** Start at this key (inclusive), for continuing a paged list. */
  startKey?: string;
}

export interface ListResult {
  /** Items in key order. */
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when `limit` cut the list short. */
  more: boolean;
  /** Number of items after the last one returned (when `more`). */
  remaining: number;
}

export interface Watcher {
  /** Stop delivering events; idempotent. */
  close(): void;
}

export interface WatchHandlers {
  /**
   * Events in revision order, each exactly once and without gaps. Events of
   * one revision are never split across calls. Called asynchronously, never
   * from inside the watch() call itself.
   */
  onEvents(events: WatchEvent[]): void;
  /**
   * The watch ended abnormally: Compacted (the start revision, or history a
   * replay still needed, was compacted away) or Closed (the store closed).
   * No more events follow. Called asynchronously.
   */
  onError?(err: StoreError): void;
  /**
   * Optional progress notifications (etcd's progress notify): every event
   * under the prefix with revision <= `revision` has been delivered; the
   * writes after the last event were elsewhere in the key space. Lets a cache
   * of one prefix know it is as fresh as the whole store.
   */
  onProgress?(revision: number): void;
}

export type StoreErrorCode =
  /** create: the key exists. */
  | 'KeyExists'
  /** update/delete: the key does not exist. */
  | 'KeyNotFound'
  /** update/delete: the key's modRevision is not the expected one. */
  | 'Conflict'
  /** list/watch: the requested revision was compacted away. */
  | 'Compacted'
  /** list: the requested revision is in the future. */
  | 'FutureRevision'
  /** The store is closed. */
  | 'Closed';

export class StoreError extends SvcnetError<StoreErrorCode> {
  constructor(
    code: StoreErrorCode,
    message: string,
    /** For Conflict: the current value, so callers can retry without a read. */
    readonly current?: KeyValue,
    /** For Compacted: the oldest revision still available. */
    readonly compactRevision?: number,
  ) {
    super(code, message);
  }
}

export interface Store {
  /**
   * The current revision: the revision of the last committed write (0 for a
   * new memory or SQLite store; a new etcd is at 1).
   */
  revision(): Promise<number>;
  /** The revision below which history is gone (0 when nothing was compacted). */
  compactRevision(): Promise<number>;

  get(key: string): Promise<KeyValue | undefined>;
  /** Keys that start with `prefix`, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of keys that start with `prefix`, at the current revision. */
  count(prefix: string): Promise<number>;

  /** Creates `key`; fails with KeyExists. Resolves once durable. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Replaces `key` if its modRevision is `expectedModRevision`; fails with
   * KeyNotFound or Conflict (carrying the current value). Resolves once durable.
   */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /**
   * Deletes `key` (only if its modRevision matches, when given); resolves to
   * the deleted value and the revision of the delete. Fails with KeyNotFound or Conflict.
   */
  delete(key: string, expectedModRevision?: number): Promise<{ prev: KeyValue; revision: number }>;

  /**
   * Delivers every event under `prefix` with revision > `afterRevision`
   * (which may be in the future: the watch then waits for it).
   * When `afterRevision` < compactRevision(), reports StoreError Compacted
   * through onError (asynchronously) and delivers nothing. Handlers must not
   * throw.
   */
  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watcher;

  /**
   * Drops history below `revision` (current values are always kept): lists
   * at a lower revision, and watches after one, then fail with Compacted.
   * Fails with FutureRevision past the current revision; compacting at or
   * below compactRevision() does nothing.
   */
  compact(revision: number): Promise<void>;

  /**
   * Proves the backend answers (the API server's `etcd` health check): a real
   * read, and for a local file that its last commit did not fail. Rejects
   * with the reason.
   */
  check(): Promise<void>;

  /**
   * Ends every watch (onError Closed); later calls fail with Closed. A write
   * still in flight either commits or fails with Closed. Idempotent.
   */
  close(): Promise<void>;
}
