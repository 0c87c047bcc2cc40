/**
 * Store benchmark: the same workload against MemoryStore (the reference) and
 * SqliteStore (WAL, synchronous=FULL, in a temp dir), printing sqlite/memory
 * ratios. Run: node --import tsx bench/store.ts
 *
 * - creates/s, one writer awaiting each create (one fsync per write)
 * - creates/s, 100 concurrent writers (group commit: one fsync per batch)
 * - get latency (p50/p99) over 10,000 keys
 * - list latency of a 10,000-key prefix, at the current and at a past revision
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../src/store/memory.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';

/** About the size of a Service or EndpointSlice as the API server stores it. */
const VALUE = JSON.stringify({ kind: 'Service', apiVersion: 'v1', pad: 'x'.repeat(900) });
const WRITE_SECONDS = 1;
const KEYS = 10_000;

interface Result {
  seqCreatesPerSec: number;
  concCreatesPerSec: number;
  getP50us: number;
  getP99us: number;
  list10kMs: number;
  list10kPastMs: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/** Runs `writers` loops of creates for WRITE_SECONDS; returns creates per second. */
async function createsPerSec(store: Store, tag: string, writers: number): Promise<number> {
  const deadline = performance.now() + WRITE_SECONDS * 1000;
  const start = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await store.create(`/bench/${tag}/${w}/${i}`, VALUE);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

async function run(store: Store): Promise<Result> {
  const seqCreatesPerSec = await createsPerSec(store, 'seq', 1);
  const concCreatesPerSec = await createsPerSec(store, 'conc', 100);

  const keys = Array.from({ length: KEYS }, (_, i) => `/registry/services/specs/ns${i % 10}/svc-${i}`);
  for (let i = 0; i < keys.length; i += 1000) {
    await Promise.all(keys.slice(i, i + 1000).map((k) => store.create(k, VALUE)));
  }
  const past = await store.revision();
  // Some churn after `past`, so the past list has something to undo.
  await Promise.all(
    keys.slice(0, 500).map(async (k) => {
      const kv = (await store.get(k))!;
      await store.update(k, VALUE, kv.modRevision);
    }),
  );

  const lat: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const k = keys[(i * 7919) % keys.length]!;
    const t = performance.now();
    await store.get(k);
    lat.push((performance.now() - t) * 1000);
  }
  lat.sort((a, b) => a - b);

  const listTimes = async (revision?: number) => {
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      const r = await store.list('/registry/services/specs/', { revision });
      times.push(performance.now() - t);
      if (r.items.length !== KEYS) throw new Error(`listed ${r.items.length} keys, want ${KEYS}`);
    }
    return median(times);
  };

  return {
    seqCreatesPerSec,
    concCreatesPerSec,
    getP50us: percentile(lat, 0.5),
    getP99us: percentile(lat, 0.99),
    list10kMs: await listTimes(),
    list10kPastMs: await listTimes(past),
  };
}

const rows: [keyof Result, string][] = [
  ['seqCreatesPerSec', 'creates/s, 1 writer'],
  ['concCreatesPerSec', 'creates/s, 100 writers'],
  ['getP50us', 'get p50 (µs)'],
  ['getP99us', 'get p99 (µs)'],
  ['list10kMs', 'list 10k keys (ms)'],
  ['list10kPastMs', 'list 10k keys, past rev (ms)'],
];

const memory = new MemoryStore();
const mem = await run(memory);
await memory.close();

const dir = mkdtempSync(join(tmpdir(), 'svcnet-bench-store-'));
let sql: Result;
let stats: ReturnType<SqliteStore['stats']>;
try {
  const sqlite = await SqliteStore.open(join(dir, 'bench.db'));
  try {
    sql = await run(sqlite);
    stats = sqlite.stats();
  } finally {
    await sqlite.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
console.log(`store benchmark (value ${VALUE.length} bytes; sqlite: WAL, synchronous=FULL)`);
console.log('ratio = sqlite / memory: below 1 is slower for rates, above 1 is slower for latencies');
console.log(
  `${'metric'.padEnd(30)}${'memory'.padStart(12)}${'sqlite'.padStart(12)}${'sqlite/memory'.padStart(16)}`,
);
for (const [k, label] of rows) {
  console.log(
    `${label.padEnd(30)}${fmt(mem[k]).padStart(12)}${fmt(sql[k]).padStart(12)}${(sql[k] / mem[k]).toFixed(3).padStart(16)}`,
  );
}
console.log(`sqlite group commit: ${stats.writes} writes in ${stats.commits} commits`);
