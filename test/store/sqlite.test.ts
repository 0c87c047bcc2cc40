import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { KeyValue, Store, WatchEvent } from '../../src/store/store.js';
import { eventKey } from '../../src/store/watch-hub.js';
import { expectStoreError, runStoreConformance } from './conformance.js';
import { record } from './watch-recorder.js';

const dir = mkdtempSync(join(tmpdir(), 'svcnet-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const freshPath = () => join(dir, `store-${n++}.db`);

runStoreConformance('SqliteStore', () => SqliteStore.open(freshPath()));

/** Opens `path`, runs `fn`, and closes the store however `fn` ends. */
async function withOpen<T>(path: string, fn: (s: SqliteStore) => Promise<T>): Promise<T> {
  const s = await SqliteStore.open(path);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** Reads the raw log of a closed store file. */
function logRows(path: string): { rev: number; key: string; deleted: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT rev, key, deleted FROM log ORDER BY rev').all() as {
      rev: number;
      key: string;
      deleted: number;
    }[];
  } finally {
    db.close();
  }
}

/**
 * Checks a store's log is whole: a watch from `after` replays revisions
 * after..current without a gap, each event consistent with the one before it
 * for its key, and folding them onto `base` gives the current list.
 * Returns the events.
 */
async function assertConsistent(s: Store, after = 0, base: KeyValue[] = []): Promise<WatchEvent[]> {
  const current = await s.revision();
  const { rec, watcher } = record(s, '', after);
  try {
    if (current > after) await rec.untilRevision(current, 20_000);
  } finally {
    watcher.close();
  }
  assert.deepEqual(
    rec.revisions,
    Array.from({ length: current - after }, (_, i) => after + i + 1),
    'no revision gaps',
  );
  const model = new Map(base.map((kv) => [kv.key, kv]));
  for (const e of rec.events) {
    const key = eventKey(e);
    if (e.type === 'put') {
      if (e.prev) assert.deepEqual(model.get(key), e.prev, `prev of ${key} at ${e.kv.modRevision}`);
      else {
        assert.equal(model.has(key), false, `create of existing ${key}`);
        assert.equal(e.kv.createRevision, e.kv.modRevision);
      }
      model.set(key, e.kv);
    } else {
      assert.deepEqual(model.get(key), e.prev, `prev of deleted ${key}`);
      model.delete(key);
    }
  }
  const list = await s.list('');
  assert.deepEqual(
    list.items,
    [...model.values()].sort((a, b) => (a.key < b.key ? -1 : 1)),
  );
  return rec.events;
}

describe('SqliteStore', () => {
  it('reopens with its data, revision and compact revision', async () => {
    const path = freshPath();
    const before = await withOpen(path, async (s) => {
      const a = await s.create('/a', '1');
      await s.update('/a', '2', a.modRevision);
      await s.create('/b', '1');
      await s.delete('/b');
      await s.create('/c', '1');
      await s.compact(3);
      return (await s.list('')).items;
    });
    await withOpen(path, async (s) => {
      assert.equal(await s.revision(), 5);
      assert.equal(await s.compactRevision(), 3);
      assert.deepEqual((await s.list('')).items, before);
      await expectStoreError(s.list('', { revision: 2 }), 'Compacted');
      assert.deepEqual(
        (await s.list('', { revision: 3 })).items.map((kv) => kv.key),
        ['/a', '/b'],
      );
      await assertConsistent(s, 3, (await s.list('', { revision: 3 })).items);
      const d = await s.create('/d', '1');
      assert.equal(d.modRevision, 6);
    });
  });

  it('keeps the revision when compaction removed the newest rows', async () => {
    const path = freshPath();
    await withOpen(path, async (s) => {
      await s.create('/a', '1');
      await s.create('/b', '1');
      await s.delete('/b');
      await s.compact(3);
    });
    assert.deepEqual(
      logRows(path).map((r) => r.rev),
      [1],
    );
    await withOpen(path, async (s) => {
      assert.equal(await s.revision(), 3);
      assert.equal((await s.create('/b', '2')).modRevision, 4);
    });
  });

  it('compaction deletes superseded rows and tombstones, in chunks, and nothing still needed', async () => {
    const path = freshPath();
    await withOpen(path, async (s) => {
      // 12,000 revisions: more than two sweep chunks.
      for (let batch = 0; batch < 6; batch++) {
        await Promise.all(Array.from({ length: 1000 }, (_, i) => s.create(`/k/${batch}/${i}`, 'v')));
      }
      for (let batch = 0; batch < 5; batch++) {
        await Promise.all(Array.from({ length: 1000 }, (_, i) => s.delete(`/k/${batch}/${i}`)));
      }
      const kvs = (await s.list('/k/5/')).items;
      await Promise.all(kvs.map((kv) => s.update(kv.key, 'w', kv.modRevision)));
      assert.equal(await s.revision(), 12_000);
      await s.compact(11_500);
      assert.equal(await s.count(''), 1000);
    });
    const rows = logRows(path);
    // Left: the newest row at or below 11,500 of each of the 1000 live keys, and every row above it.
    assert.equal(rows.filter((r) => r.rev <= 11_500).length, 1000);
    assert.equal(rows.filter((r) => r.rev > 11_500).length, 500);
    assert.equal(rows.filter((r) => r.deleted).length, 0);
    await withOpen(path, async (s) => {
      await assertConsistent(s, 11_500, (await s.list('', { revision: 11_500 })).items);
    });
  });

  it('commits the writes of one tick in one transaction, checking them in order', async () => {
    await withOpen(freshPath(), async (s) => {
      const a = await s.create('/a', '0');
      const before = s.stats().commits;
      const results = await Promise.allSettled([
        s.update('/a', '1', a.modRevision),
        s.update('/a', '1b', a.modRevision),
        s.delete('/a', 2),
        s.create('/a', 'again'),
        s.create('/a', 'twice'),
        ...Array.from({ length: 100 }, (_, i) => s.create(`/b/${i}`, 'v')),
      ]);
      assert.equal(s.stats().commits, before + 1);
      const codes = results
        .slice(0, 5)
        .map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error & { code: string }).code));
      assert.deepEqual(codes, ['ok', 'Conflict', 'ok', 'ok', 'KeyExists']);
      const conflict = results[1] as PromiseRejectedResult;
      assert.equal(
        conflict.reason.current.value,
        '1',
        'Conflict carries the value written earlier in the batch',
      );
      assert.deepEqual(await s.get('/a'), { key: '/a', value: 'again', createRevision: 4, modRevision: 4 });
      assert.equal(await s.revision(), 104);
      assert.equal(s.stats().pendingWrites, 0);
    });
  });

  it('refuses a file another process or store holds', async () => {
    const path = freshPath();
    await withOpen(path, async () => {
      await assert.rejects(SqliteStore.open(path, { busyTimeoutMs: 0 }), /in use by another process/);
    });
  });

  it('keeps every acknowledged write through kill -9, and continues after it', async () => {
    const path = freshPath();
    const acks: { op: string; key: string; rev: number }[] = [];
    for (const tag of ['first', 'second']) {
      const lines = await runAndKill(path, tag, 150 + Math.floor(Math.random() * 250));
      assert.ok(lines.length > 0, `the ${tag} writer acknowledged nothing`);
      for (const line of lines) {
        const [op, key, rev] = line.split(' ');
        acks.push({ op: op!, key: key!, rev: Number(rev) });
      }
    }
    await withOpen(path, async (s) => {
      const current = await s.revision();
      // The log is whole, and every acknowledged write is in it at its revision.
      // (A write may also have committed without its ack being printed.)
      const events = await assertConsistent(s);
      for (const { op, key, rev } of acks) {
        assert.ok(rev <= current, `acknowledged revision ${rev} is past the store's ${current}`);
        const e = events[rev - 1]!;
        assert.equal(eventKey(e), key, `revision ${rev}`);
        assert.equal(e.type, op === 'put' ? 'put' : 'delete', `revision ${rev}`);
      }
    });
  });
});

/** Runs crash-writer.ts against `path`, SIGKILLs it `ms` after its first ack, and returns its complete lines. */
async function runAndKill(path: string, tag: string, ms: number): Promise<string[]> {
  // Under tsx this file is .ts; compiled into dist it is .js and needs no loader.
  const ts = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(`./crash-writer.${ts ? 'ts' : 'js'}`, import.meta.url));
  const child = spawn(process.execPath, [...(ts ? ['--import', 'tsx'] : []), script, path, tag], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      timer ??= setTimeout(() => child.kill('SIGKILL'), ms);
    });
    const giveUp = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(giveUp);
    // Drain what the pipe still holds.
    await new Promise((resolve) =>
      child.stdout.readableEnded ? resolve(null) : child.stdout.once('end', resolve),
    );
    assert.equal(child.signalCode, 'SIGKILL', `writer exited on its own: ${err}`);
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
  // The last line may have been cut short by the kill.
  return out.split('\n').slice(0, -1);
}
