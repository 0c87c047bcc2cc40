/**
 * A durable Store in one SQLite file (better-sqlite3), laid out like kine: a
 * log with one row per revision (the row id is the revision; a delete is a
 * tombstone row), plus a `current` table that maps each live key to its
 * latest row, kept in the same transaction, so gets, CAS checks, counts and
 * lists at the current revision are primary-key lookups and range scans.
 *
 * Durability: WAL journal with synchronous=FULL, so every commit is fsynced
 * before any write of it is acknowledged. Writes are group-committed (see
 * group-commit.ts). The file is opened in exclusive locking mode: one process
 * owns it, which keeps the in-memory revision counter authoritative.
 *
 * Compaction records the compact revision first, then deletes superseded
 * rows and tombstones below it in short transactions, so reads at compacted
 * revisions fail at once and the event loop is never blocked for long.
 */
import Database from 'better-sqlite3';
import { storeErrors } from './errors.js';
import { GroupCommit, type Outcome } from './group-commit.js';
import { compareKeys, prefixEnd } from './keys.js';
import type {
  KeyValue,
  ListOptions,
  ListResult,
  Store,
  WatchEvent,
  Watcher,
  WatchHandlers,
} from './store.js';
import { type HistoryChunk, WatchHub } from './watch-hub.js';

export interface SqliteStoreOptions {
  /**
   * SQLite `synchronous`. FULL (default): every commit is fsynced, so an
   * acknowledged write survives power loss. NORMAL: survives a crash of the
   * process but not of the machine.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long open() waits for another process to release the file, in ms (default 5000). */
  busyTimeoutMs?: number;
}

export interface SqliteStoreStats {
  /** Write transactions committed (each one fsync). */
  commits: number;
  /** Writes submitted to those transactions, including ones that failed a check. */
  writes: number;
  /** Writes waiting for the next commit. */
  pendingWrites: number;
  /** Open watchers. */
  watchers: number;
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  rev        INTEGER PRIMARY KEY,  -- the revision of this write
  key        TEXT    NOT NULL,
  deleted    INTEGER NOT NULL,     -- 1: a tombstone
  create_rev INTEGER NOT NULL,     -- for a tombstone: that of the deleted value
  prev_rev   INTEGER NOT NULL,     -- the key's previous row, 0 for a create
  value      TEXT    NOT NULL      -- '' for a tombstone
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
CREATE TABLE IF NOT EXISTS current (
  key        TEXT    PRIMARY KEY,
  rev        INTEGER NOT NULL,
  create_rev INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Binds as a BLOB, which SQLite sorts after every TEXT: "no upper bound". */
const NO_END = Buffer.alloc(0);

/** Revisions one replay step or one compaction transaction covers. */
const HISTORY_CHUNK = 5000;
const SWEEP_CHUNK = 5000;

type Write =
  | { op: 'create'; key: string; value: string }
  | { op: 'update'; key: string; value: string; expected: number }
  | { op: 'delete'; key: string; expected: number | undefined };

type DeleteResult = { prev: KeyValue; revision: number };

/** What a batch did inside its transaction. */
interface Applied {
  outcomes: Outcome<KeyValue | DeleteResult>[];
  events: WatchEvent[];
  rev: number;
}

interface HistoryRow {
  rev: number;
  key: string;
  deleted: number;
  create_rev: number;
  value: string;
  prev_rev: number;
  p_create: number | null;
  p_value: string | null;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function statements(db: Database.Database) {
  const kvCols = 'c.key AS key, l.value AS value, c.create_rev AS createRevision, c.rev AS modRevision';
  // Rows that are their key's latest at or below @rev, unless tombstones: the state at @rev.
  const latestAt = (
    from: '>=' | '>',
  ) => `l.key ${from} @start AND l.key < @end AND l.rev <= @rev AND l.deleted = 0
    AND NOT EXISTS (SELECT 1 FROM log n WHERE n.key = l.key AND n.rev > l.rev AND n.rev <= @rev)`;
  return {
    get: db.prepare<[string], KeyValue>(
      `SELECT ${kvCols} FROM current c JOIN log l ON l.rev = c.rev WHERE c.key = ?`,
    ),
    listNow: db.prepare<{ start: string; end: string | Buffer; limit: number }, KeyValue>(
      `SELECT ${kvCols} FROM current c JOIN log l ON l.rev = c.rev
       WHERE c.key >= @start AND c.key < @end ORDER BY c.key LIMIT @limit`,
    ),
    countNow: db
      .prepare<[string, string | Buffer], number>('SELECT count(*) FROM current WHERE key >= ? AND key < ?')
      .pluck(),
    countAfterNow: db
      .prepare<[string, string | Buffer], number>('SELECT count(*) FROM current WHERE key > ? AND key < ?')
      .pluck(),
    listAt: db.prepare<{ start: string; end: string | Buffer; rev: number; limit: number }, KeyValue>(
      `SELECT l.key AS key, l.value AS value, l.create_rev AS createRevision, l.rev AS modRevision
       FROM log l INDEXED BY log_key_rev WHERE ${latestAt('>=')} ORDER BY l.key LIMIT @limit`,
    ),
    countAfterAt: db
      .prepare<{ start: string; end: string | Buffer; rev: number }, number>(
        `SELECT count(*) FROM log l INDEXED BY log_key_rev WHERE ${latestAt('>')}`,
      )
      .pluck(),
    // Walks the log by revision (NOT INDEXED keeps the planner off the key index).
    history: db.prepare<{ after: number; through: number; start: string; end: string | Buffer }, HistoryRow>(
      `SELECT l.rev, l.key, l.deleted, l.create_rev, l.value, l.prev_rev,
              p.create_rev AS p_create, p.value AS p_value
       FROM log l NOT INDEXED LEFT JOIN log p ON p.rev = l.prev_rev
       WHERE l.rev > @after AND l.rev <= @through AND l.key >= @start AND l.key < @end
       ORDER BY l.rev`,
    ),
    insertLog: db.prepare<[number, string, number, number, number, string]>(
      'INSERT INTO log (rev, key, deleted, create_rev, prev_rev, value) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertCurrent: db.prepare<[string, number, number]>(
      'INSERT INTO current (key, rev, create_rev) VALUES (?, ?, ?)',
    ),
    updateCurrent: db.prepare<[number, string]>('UPDATE current SET rev = ? WHERE key = ?'),
    deleteCurrent: db.prepare<[string]>('DELETE FROM current WHERE key = ?'),
    maxRev: db.prepare<[], number | null>('SELECT max(rev) FROM log').pluck(),
    getMeta: db.prepare<[string], number>('SELECT value FROM meta WHERE name = ?').pluck(),
    setMeta: db.prepare<[string, number]>(
      'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    ),
    // Rows in (@lo, @hi] that a later row of the same key at or below @compact supersedes, and tombstones.
    sweep: db.prepare<{ lo: number; hi: number; compact: number }>(
      `DELETE FROM log WHERE rev > @lo AND rev <= @hi AND (deleted = 1 OR EXISTS
         (SELECT 1 FROM log n WHERE n.key = log.key AND n.rev > log.rev AND n.rev <= @compact))`,
    ),
  };
}

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #s: ReturnType<typeof statements>;
  #rev: number;
  #compactRev: number;
  /** Compaction has deleted everything it can up to here. */
  #sweptThrough: number;
  #sweeps: Promise<void> = Promise.resolve();
  #closed = false;
  #lastCommitError: unknown;
  #closing: Promise<void> | undefined;
  #commitCount = 0;
  #writeCount = 0;
  readonly #hub: WatchHub;
  readonly #commits: GroupCommit<Write, KeyValue | DeleteResult>;
  readonly #applyTxn: Database.Transaction<(writes: Write[]) => Applied>;

  /** Opens (creating if needed) the store in the file at `path`. */
  static async open(path: string, opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const db = new Database(path, { timeout: opts.busyTimeoutMs ?? 5000 });
    try {
      // Exclusive before WAL: the lock is taken on first access, and WAL then
      // needs no shared-memory index.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
      // Up to 64 MiB of page cache (the default 2 MiB thrashes on a 10,000-object list).
      db.pragma('cache_size = -65536');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== 0 && version !== SCHEMA_VERSION) {
        throw new Error(`${path}: store schema version ${version}, this build reads ${SCHEMA_VERSION}`);
      }
      db.transaction(() => {
        db.exec(SCHEMA);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }).immediate();
      return new SqliteStore(db);
    } catch (err) {
      db.close();
      if (err instanceof Database.SqliteError && err.code === 'SQLITE_BUSY') {
        throw new Error(`${path}: the store is in use by another process`, { cause: err });
      }
      throw err;
    }
  }

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#s = statements(db);
    this.#compactRev = this.#s.getMeta.get('compact_rev') ?? 0;
    this.#sweptThrough = this.#s.getMeta.get('swept_through') ?? 0;
    // Compaction may have removed the newest rows (tombstones), never past compact_rev.
    this.#rev = Math.max(this.#s.maxRev.get() ?? 0, this.#compactRev);
    this.#hub = new WatchHub({
      currentRevision: () => this.#rev,
      compactRevision: () => this.#compactRev,
      readHistory: (prefix, after, upTo) => this.#readHistory(prefix, after, upTo),
    });
    this.#applyTxn = db.transaction((writes: Write[]) => this.#apply(writes));
    this.#commits = new GroupCommit((writes) => this.#commitBatch(writes));
  }

  async revision(): Promise<number> {
    this.#checkOpen();
    return this.#rev;
  }

  async check(): Promise<void> {
    this.#checkOpen();
    if (this.#lastCommitError) throw this.#lastCommitError;
    this.#s.get.get('/health');
  }

  async compactRevision(): Promise<number> {
    this.#checkOpen();
    return this.#compactRev;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#checkOpen();
    return this.#s.get.get(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    const revision = opts.revision && opts.revision > 0 ? opts.revision : this.#rev;
    if (revision > this.#rev) throw storeErrors.futureRevision(revision, this.#rev);
    if (revision < this.#compactRev) throw storeErrors.compacted(revision, this.#compactRev);
    const start = opts.startKey && compareKeys(opts.startKey, prefix) > 0 ? opts.startKey : prefix;
    const end = prefixEnd(prefix) ?? NO_END;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const now = revision === this.#rev;
    const items = now
      ? this.#s.listNow.all({ start, end, limit })
      : this.#s.listAt.all({ start, end, rev: revision, limit });
    let remaining = 0;
    if (limit > 0 && items.length === limit) {
      const last = items[items.length - 1]!.key;
      remaining = now
        ? this.#s.countAfterNow.get(last, end)!
        : this.#s.countAfterAt.get({ start: last, end, rev: revision })!;
    }
    return { items, revision, more: remaining > 0, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    return this.#s.countNow.get(prefix, prefixEnd(prefix) ?? NO_END)!;
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.#submit({ op: 'create', key, value }) as Promise<KeyValue>;
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.#submit({ op: 'update', key, value, expected: expectedModRevision }) as Promise<KeyValue>;
  }

  delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    return this.#submit({ op: 'delete', key, expected: expectedModRevision }) as Promise<DeleteResult>;
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watcher {
    return this.#hub.watch(prefix, afterRevision, handlers);
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    if (revision > this.#rev) throw storeErrors.futureRevision(revision, this.#rev);
    if (revision > this.#compactRev) {
      // Durable before any row goes, so a crash mid-sweep can't expose a
      // half-compacted revision as readable.
      this.#s.setMeta.run('compact_rev', revision);
      this.#compactRev = revision;
    }
    const sweep = this.#sweeps.then(() => this.#sweep());
    this.#sweeps = sweep.catch(() => {});
    return sweep;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      // Writes already accepted are committed, and their watchers told, first.
      this.#commits.flush();
      this.#hub.closeAll(storeErrors.closed());
      await this.#sweeps;
      this.#db.close();
    })();
    return this.#closing;
  }

  /** Commit counters, e.g. to see how well writes are batched. */
  stats(): SqliteStoreStats {
    return {
      commits: this.#commitCount,
      writes: this.#writeCount,
      pendingWrites: this.#commits.pending,
      watchers: this.#hub.size,
    };
  }

  #checkOpen(): void {
    if (this.#closed) throw storeErrors.closed();
  }

  #submit(w: Write): Promise<KeyValue | DeleteResult> {
    if (this.#closed) return Promise.reject(storeErrors.closed());
    return this.#commits.submit(w);
  }

  #commitBatch(writes: Write[]): Outcome<KeyValue | DeleteResult>[] {
    let applied: Applied;
    try {
      applied = this.#applyTxn.immediate(writes);
    } catch (err) {
      // A commit that fails (disk full, I/O error) makes the store unhealthy until one succeeds.
      this.#lastCommitError = err;
      throw err;
    }
    this.#lastCommitError = undefined;
    const { outcomes, events, rev } = applied;
    this.#commitCount++;
    this.#writeCount += writes.length;
    // Committed: advance the revision and publish in the same tick (WatchHub's invariant).
    this.#rev = rev;
    if (events.length > 0) this.#hub.publish(events);
    return outcomes;
  }

  /** Runs inside the transaction; CAS checks see the earlier writes of the batch. */
  #apply(writes: Write[]): Applied {
    const s = this.#s;
    const outcomes: Outcome<KeyValue | DeleteResult>[] = [];
    const events: WatchEvent[] = [];
    let rev = this.#rev;
    for (const w of writes) {
      const cur = s.get.get(w.key);
      if (w.op === 'create') {
        if (cur) {
          outcomes.push({ ok: false, error: storeErrors.keyExists(w.key) });
          continue;
        }
        rev++;
        s.insertLog.run(rev, w.key, 0, rev, 0, w.value);
        s.insertCurrent.run(w.key, rev, rev);
        const kv: KeyValue = { key: w.key, value: w.value, createRevision: rev, modRevision: rev };
        events.push({ type: 'put', kv });
        outcomes.push({ ok: true, value: kv });
        continue;
      }
      if (!cur) {
        outcomes.push({ ok: false, error: storeErrors.keyNotFound(w.key) });
        continue;
      }
      if (w.expected !== undefined && cur.modRevision !== w.expected) {
        outcomes.push({ ok: false, error: storeErrors.conflict(w.key, w.expected, cur) });
        continue;
      }
      rev++;
      if (w.op === 'update') {
        s.insertLog.run(rev, w.key, 0, cur.createRevision, cur.modRevision, w.value);
        s.updateCurrent.run(rev, w.key);
        const kv: KeyValue = {
          key: w.key,
          value: w.value,
          createRevision: cur.createRevision,
          modRevision: rev,
        };
        events.push({ type: 'put', kv, prev: cur });
        outcomes.push({ ok: true, value: kv });
      } else {
        s.insertLog.run(rev, w.key, 1, cur.createRevision, cur.modRevision, '');
        s.deleteCurrent.run(w.key);
        events.push({ type: 'delete', key: w.key, revision: rev, prev: cur });
        outcomes.push({ ok: true, value: { prev: cur, revision: rev } });
      }
    }
    return { outcomes, events, rev };
  }

  #readHistory(prefix: string, after: number, upTo: number): HistoryChunk {
    if (after < this.#compactRev) throw storeErrors.compacted(after, this.#compactRev);
    const through = Math.min(upTo, after + HISTORY_CHUNK);
    const rows = this.#s.history.all({ after, through, start: prefix, end: prefixEnd(prefix) ?? NO_END });
    return { events: rows.map(toEvent), through };
  }

  /** Deletes what compaction made unreachable, a chunk of revisions per transaction. */
  async #sweep(): Promise<void> {
    while (this.#sweptThrough < this.#compactRev && !this.#closed) {
      const lo = this.#sweptThrough;
      const hi = Math.min(this.#compactRev, lo + SWEEP_CHUNK);
      const compact = this.#compactRev;
      this.#db
        .transaction(() => {
          this.#s.sweep.run({ lo, hi, compact });
          this.#s.setMeta.run('swept_through', hi);
        })
        .immediate();
      this.#sweptThrough = hi;
      if (hi < this.#compactRev) await nextTurn();
    }
  }
}

function toEvent(r: HistoryRow): WatchEvent {
  let prev: KeyValue | undefined;
  if (r.prev_rev > 0) {
    // Compaction keeps the row before any retained revision, so this is corruption.
    if (r.p_value === null || r.p_create === null) {
      throw new Error(
        `store log: revision ${r.rev} of ${JSON.stringify(r.key)} lost its previous row ${r.prev_rev}`,
      );
    }
    prev = { key: r.key, value: r.p_value, createRevision: r.p_create, modRevision: r.prev_rev };
  }
  if (r.deleted) {
    if (!prev) throw new Error(`store log: tombstone at revision ${r.rev} has no previous row`);
    return { type: 'delete', key: r.key, revision: r.rev, prev };
  }
  const kv: KeyValue = { key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.rev };
  return prev ? { type: 'put', kv, prev } : { type: 'put', kv };
}
