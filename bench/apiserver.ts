/**
 * API server benchmark: Services through the real HTTPS API (a child process
 * running ApiServer, clients in this process over keep-alive TLS with the
 * admin token) against the raw Store doing the same work in the same run, for
 * both storage backends (sqlite: the default, durable; memory: the API's own
 * overhead alone). Prints api/raw ratios.
 *
 * Run: npm run bench -- apiserver   (or: node --import tsx bench/apiserver.ts [--storage=sqlite|memory])
 *
 * a. creates/s with 1 and with 50 concurrent clients, Service bodies of mixed
 *    types (ClusterIP, multi-port, headless, NodePort, LoadBalancer,
 *    ExternalName: cluster IPs and node ports get allocated). Reference: the
 *    raw store creating the same number of keys, at the same concurrency,
 *    with values that are the JSON the API server actually stored.
 * b. list latency (p50/p99) at 10,000 Services: `GET /api/v1/services` as
 *    JSON, as a Table (kubectl's Accept header), and as kubectl really lists
 *    (Table, `limit=500`, following `continue`). Reference: store.list of the
 *    same 10,000 keys. Times are to the last byte of the body (the client
 *    does not parse it).
 * c. watch fan-out: 50 watch streams on services while one writer patches
 *    Services: latency from the write's acknowledgement to each watcher's
 *    receipt (1 write in flight), and events/s delivered to all watchers with
 *    50 writes in flight. Reference: 50 store.watch watchers on the same
 *    prefix, the writer doing store.update with the same values. Both sides
 *    find the change in each event the same way (a regex over the JSON text).
 * d. request body decoding, in this process: decodeBody (parse, schema
 *    check, strict field validation) of a realistic NodePort Service body,
 *    per body. Reference: JSON.parse of the same body.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBody } from '../src/api/schema/decode.js';
import { schemaForKind } from '../src/api/schema/index.js';
import type { KeyValue, Store } from '../src/store/store.js';

type Storage = 'sqlite' | 'memory';

const NAMESPACES = 10;
const WARMUP = 200;
/** Creates with one client, then with 50: together the 10,000 Services the list and watch phases use. */
const CREATES_1 = 1000;
const CREATES_50 = 9000;
const TOTAL = CREATES_1 + CREATES_50;
/** List timings per shape: p99 of 25 samples is the slowest one. */
const LIST_ITERATIONS = 25;
const WATCHERS = 50;
/** Changes written one at a time (latency), then with BURST_IN_FLIGHT in flight (throughput). */
const LATENCY_CHANGES = 300;
const BURST_CHANGES = 1000;
const BURST_IN_FLIGHT = 50;
const WATCH_TIMEOUT_MS = 30_000;
/** The whole run, both backends, is killed after this. */
const RUN_TIMEOUT_MS = 300_000;
const PREFIX = '/registry/services/specs/';
const KUBECTL_TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const SEQ = /"bench\/seq":"(\d+)"/;
const CONTINUE = /^\{"kind":"Table","apiVersion":"[^"]*","metadata":\{[^{}]*"continue":"([^"]+)"/;

const now = () => performance.now();
const percentile = (sorted: readonly number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : Number.NaN;
const sortNum = (xs: number[]) => xs.sort((a, b) => a - b);

// --- the server side: `apiserver.js --serve <storage> <dataDir>` in a child process ---

async function serve(storage: Storage, dataDir: string): Promise<void> {
  const { ApiServer } = await import('../src/api/apiserver.js');
  const server = await ApiServer.start({ dataDir, securePort: 0, storage });
  let stopping = false;
  const stop = async (orphaned: boolean) => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    if (orphaned) rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('message', (m) => {
    if (m === 'stop') void stop(false);
  });
  // The parent is gone (killed, crashed): don't outlive it, nor leave its data behind.
  process.on('disconnect', () => void stop(true));
  // Ctrl-C reaches the whole process group: the parent decides.
  process.on('SIGINT', () => {});
  process.send!({ url: server.url });
}

interface ServerProcess {
  url: URL;
  dataDir: string;
  stop(): Promise<void>;
}

let liveChild: ChildProcess | undefined;
const tempDirs = new Set<string>();

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Ends the run at once: the server process killed, temp dirs removed. */
function abort(code: number, message: string): never {
  console.error(`apiserver benchmark: ${message}`);
  liveChild?.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

async function startServer(storage: Storage): Promise<ServerProcess> {
  const dataDir = tempDir('svcnet-bench-api-');
  // SVCNET_BENCH_PROFILE=<dir>: a CPU profile of the API server process, for finding where the time goes.
  const profile = process.env.SVCNET_BENCH_PROFILE;
  const child = fork(fileURLToPath(import.meta.url), ['--serve', storage, dataDir], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
  });
  liveChild = child;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { url: string }).url));
      child.once('exit', (code) => reject(new Error(`API server exited (code ${code}) before it served`)));
    });
    return {
      url: new URL(url),
      dataDir,
      stop: async () => {
        if (child.connected) child.send('stop');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
        liveChild = undefined;
        removeDir(dataDir);
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    removeDir(dataDir);
    throw err;
  }
}

// --- an HTTPS client with the admin token ---

interface Response {
  status: number;
  body: Buffer;
}

class Client {
  private readonly token: string;
  private readonly ca: Buffer;

  constructor(
    private readonly url: URL,
    dataDir: string,
  ) {
    this.token = readFileSync(join(dataDir, 'pki', 'admin-token'), 'utf8').trim();
    this.ca = readFileSync(join(dataDir, 'pki', 'ca.crt'));
  }

  agent(maxSockets: number): Agent {
    return new Agent({ keepAlive: true, maxSockets, ca: this.ca });
  }

  call(
    agent: Agent,
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            'User-Agent': 'svcnet-bench/0',
            ...(body !== undefined
              ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }
              : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Calls and checks the status. */
  async must(
    agent: Agent,
    want: number,
    method: string,
    path: string,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<Response> {
    const r = await this.call(agent, method, path, body, headers);
    if (r.status !== want)
      throw new Error(`${method} ${path}: ${r.status}, want ${want}: ${r.body.toString().slice(0, 500)}`);
    return r;
  }

  /**
   * A watch stream; `onLine` gets each JSON line with its arrival time.
   * Resolves once the response headers arrived (the watch is registered).
   */
  watch(agent: Agent, path: string, onLine: (line: string, t: number) => void): Promise<{ close(): void }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: this.url.hostname,
          port: this.url.port,
          method: 'GET',
          path,
          headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`watch ${path}: ${res.statusCode}`));
            res.resume();
            return;
          }
          let partial = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const t = now();
            const lines = (partial + chunk).split('\n');
            partial = lines.pop()!;
            for (const line of lines) if (line) onLine(line, t);
          });
          res.on('error', () => {});
          resolve({ close: () => req.destroy() });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
}

// --- the workload: Service bodies of mixed types ---

const nsOf = (i: number) => `bench-${i % NAMESPACES}`;
const nameOf = (i: number) => `svc-${i}`;
const keyOf = (i: number) => `${PREFIX}${nsOf(i)}/${nameOf(i)}`;

const MIX_TEXT =
  'ClusterIP 45% (1 port), 15% (2 ports), 15% (3 ports, ClientIP affinity); headless 10%; NodePort, LoadBalancer, ExternalName 5% each';
/** The mix over 20 slots (MIX_TEXT). */
const MIX = [
  'ClusterIP',
  'ClusterIP',
  'ClusterIP2',
  'ClusterIP',
  'ClusterIP',
  'ClusterIP2',
  'ClusterIP',
  'ClusterIP',
  'ClusterIP2',
  'ClusterIP',
  'ClusterIP',
  'ClusterIP',
  'Headless',
  'Headless',
  'NodePort',
  'LoadBalancer',
  'ExternalName',
  'ClusterIP3',
  'ClusterIP3',
  'ClusterIP3',
] as const;

function serviceBody(name: string, namespace: string, i: number): string {
  const kind = MIX[i % MIX.length]!;
  const app = `app-${i % 97}`;
  const labels = { app, tier: i % 3 === 0 ? 'frontend' : 'backend', team: `team-${i % 7}` };
  const http = { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' };
  let spec: Record<string, unknown>;
  switch (kind) {
    case 'ClusterIP':
      spec = { selector: { app }, ports: [http] };
      break;
    case 'ClusterIP2':
      spec = {
        selector: { app },
        ports: [http, { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }],
      };
      break;
    case 'ClusterIP3':
      spec = {
        selector: { app, tier: labels.tier },
        sessionAffinity: 'ClientIP',
        ports: [
          { name: 'grpc', port: 9090, targetPort: 9090, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
          { name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' },
          { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' },
        ],
      };
      break;
    case 'Headless':
      spec = { clusterIP: 'None', selector: { app }, ports: [{ name: 'db', port: 5432, protocol: 'TCP' }] };
      break;
    case 'NodePort':
      spec = { type: 'NodePort', selector: { app }, ports: [http], externalTrafficPolicy: 'Local' };
      break;
    case 'LoadBalancer':
      spec = { type: 'LoadBalancer', selector: { app }, ports: [http] };
      break;
    case 'ExternalName':
      spec = { type: 'ExternalName', externalName: `db-${i}.example.com` };
      break;
  }
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      labels,
      annotations: { 'bench.svcnet.dev/owner': `${labels.team}@example.com` },
    },
    spec,
  });
}

const patchBody = (seq: number) =>
  JSON.stringify({ metadata: { annotations: { 'bench/seq': String(seq) } } });

/** The JSON the API server stored for each mix slot (from the warm-up creates), for the raw store's values. */
type Templates = { json: string; name: string; namespace: string }[];

function rawValue(templates: Templates, i: number, seq?: number): string {
  const t = templates[i % MIX.length]!;
  let v = t.json
    .replace(`"name":"${t.name}"`, `"name":"${nameOf(i)}"`)
    .replace(`"namespace":"${t.namespace}"`, `"namespace":"${nsOf(i)}"`);
  if (seq !== undefined) v = v.replace('"annotations":{', `"annotations":{"bench/seq":"${seq}",`);
  return v;
}

// --- measurements ---

interface Result {
  creates1: number;
  creates50: number;
  listJsonP50: number;
  listJsonP99: number;
  listTableP50: number;
  listTableP99: number;
  listPagedP50: number;
  listPagedP99: number;
  watchWriteP50: number;
  watchAckP50: number;
  watchAckP99: number;
  watchSendP50: number;
  watchSendP99: number;
  watchEventsPerSec: number;
  /** Receipts that came before the writer saw its acknowledgement (counted as 0 ms). */
  beforeAck: number;
  listItems: number;
}

/** Runs `count` operations over `concurrency` loops; returns operations per second. */
async function rate(
  from: number,
  count: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = from;
  const end = from + count;
  const t0 = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < end) await op(next++);
    }),
  );
  return count / ((now() - t0) / 1000);
}

async function timesOf(n: number, fn: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = now();
    await fn();
    out.push(now() - t);
  }
  return sortNum(out);
}

/** Tracks, per watcher, when each change (by sequence number) arrived. */
class Receipts {
  readonly at: Float64Array[];
  private remaining = 0;
  private done?: () => void;

  constructor(watchers: number, changes: number) {
    this.at = Array.from({ length: watchers }, () => new Float64Array(changes).fill(Number.NaN));
  }

  expect(count: number): Promise<void> {
    this.remaining += count * this.at.length;
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`watch: ${this.remaining} events not delivered in ${WATCH_TIMEOUT_MS} ms`)),
        WATCH_TIMEOUT_MS,
      );
      this.done = () => {
        clearTimeout(t);
        resolve();
      };
      if (this.remaining === 0) this.done();
    });
  }

  record(watcher: number, text: string, t: number): void {
    const m = SEQ.exec(text);
    if (!m) return;
    const seq = Number(m[1]);
    const row = this.at[watcher]!;
    if (!Number.isNaN(row[seq]!)) return;
    row[seq] = t;
    if (--this.remaining === 0) this.done?.();
  }
}

interface WatchStats {
  writeP50: number;
  ackP50: number;
  ackP99: number;
  sendP50: number;
  sendP99: number;
  eventsPerSec: number;
  beforeAck: number;
}

/**
 * The watch workload against either side: `write(i, seq)` changes object i
 * (resolving on acknowledgement); watchers feed `receipts`.
 */
async function watchWorkload(
  receipts: Receipts,
  write: (i: number, seq: number) => Promise<void>,
): Promise<WatchStats> {
  const sent = new Float64Array(LATENCY_CHANGES);
  const acked = new Float64Array(LATENCY_CHANGES);
  // Latency: one write in flight.
  const latencyDone = receipts.expect(LATENCY_CHANGES);
  for (let seq = 0; seq < LATENCY_CHANGES; seq++) {
    sent[seq] = now();
    await write(seq, seq);
    acked[seq] = now();
  }
  await latencyDone;
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  let beforeAck = 0;
  for (const row of receipts.at) {
    for (let seq = 0; seq < LATENCY_CHANGES; seq++) {
      const d = row[seq]! - acked[seq]!;
      if (d < 0) beforeAck++;
      fromAck.push(Math.max(0, d));
      fromSend.push(row[seq]! - sent[seq]!);
    }
  }
  sortNum(fromAck);
  sortNum(fromSend);
  const writes = sortNum(Array.from(sent, (t, seq) => acked[seq]! - t));

  // Throughput: BURST_IN_FLIGHT writes in flight, each to a different object.
  const burstDone = receipts.expect(BURST_CHANGES);
  const t0 = now();
  await rate(LATENCY_CHANGES, BURST_CHANGES, BURST_IN_FLIGHT, (seq) => write(seq, seq));
  await burstDone;
  let last = t0;
  for (const row of receipts.at) {
    for (let seq = LATENCY_CHANGES; seq < LATENCY_CHANGES + BURST_CHANGES; seq++)
      last = Math.max(last, row[seq]!);
  }
  return {
    writeP50: percentile(writes, 0.5),
    ackP50: percentile(fromAck, 0.5),
    ackP99: percentile(fromAck, 0.99),
    sendP50: percentile(fromSend, 0.5),
    sendP99: percentile(fromSend, 0.99),
    eventsPerSec: (BURST_CHANGES * receipts.at.length) / ((last - t0) / 1000),
    beforeAck: beforeAck / fromAck.length,
  };
}

function result(
  creates1: number,
  creates50: number,
  json: number[],
  table: number[],
  paged: number[],
  w: WatchStats,
  listItems: number,
): Result {
  return {
    creates1,
    creates50,
    listJsonP50: percentile(json, 0.5),
    listJsonP99: percentile(json, 0.99),
    listTableP50: percentile(table, 0.5),
    listTableP99: percentile(table, 0.99),
    listPagedP50: percentile(paged, 0.5),
    listPagedP99: percentile(paged, 0.99),
    watchWriteP50: w.writeP50,
    watchAckP50: w.ackP50,
    watchAckP99: w.ackP99,
    watchSendP50: w.sendP50,
    watchSendP99: w.sendP99,
    watchEventsPerSec: w.eventsPerSec,
    beforeAck: w.beforeAck,
    listItems,
  };
}

/** The API side; returns its results and the stored JSON of each mix slot. */
async function benchApi(storage: Storage): Promise<{ result: Result; templates: Templates }> {
  const server = await startServer(storage);
  const client = new Client(server.url, server.dataDir);
  const one = client.agent(1);
  const many = client.agent(50);
  const watchAgent = client.agent(WATCHERS);
  const watches: { close(): void }[] = [];
  try {
    for (let n = 0; n < NAMESPACES; n++) {
      await client.must(
        one,
        201,
        'POST',
        '/api/v1/namespaces',
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}` } }),
      );
    }
    await client.must(
      one,
      201,
      'POST',
      '/api/v1/namespaces',
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-warmup' } }),
    );
    const bodies = Array.from({ length: TOTAL }, (_, i) => serviceBody(nameOf(i), nsOf(i), i));
    const create = (i: number) =>
      client.must(many, 201, 'POST', `/api/v1/namespaces/${nsOf(i)}/services`, bodies[i]);

    // Warm up: creates (opening the 50 connections), gets, lists, deletes.
    const templates: Templates = [];
    await rate(0, WARMUP, 50, async (i) => {
      const name = `warm-${i}`;
      const r = await client.must(
        many,
        201,
        'POST',
        '/api/v1/namespaces/bench-warmup/services',
        serviceBody(name, 'bench-warmup', i),
      );
      if (i < MIX.length) {
        const obj = JSON.parse(r.body.toString()) as { metadata: Record<string, unknown> };
        delete obj.metadata.resourceVersion; // not stored
        templates[i] = { json: JSON.stringify(obj), name, namespace: 'bench-warmup' };
      }
    });
    await client.must(
      one,
      201,
      'POST',
      '/api/v1/namespaces/bench-warmup/services',
      serviceBody('w', 'bench-warmup', 0),
    );
    for (let i = 0; i < 20; i++) {
      await client.must(one, 200, 'GET', '/api/v1/services');
      await client.must(one, 200, 'GET', '/api/v1/services', undefined, { Accept: KUBECTL_TABLE_ACCEPT });
    }
    await rate(0, WARMUP, 50, (i) =>
      client.must(many, 200, 'DELETE', `/api/v1/namespaces/bench-warmup/services/warm-${i}`),
    );
    await client.must(one, 200, 'DELETE', '/api/v1/namespaces/bench-warmup/services/w');

    // a. creates
    const creates1 = await rate(0, CREATES_1, 1, (i) =>
      client.must(one, 201, 'POST', `/api/v1/namespaces/${nsOf(i)}/services`, bodies[i]),
    );
    const creates50 = await rate(CREATES_1, CREATES_50, 50, create);

    // b. lists at 10,000 Services (+ default/kubernetes)
    const first = await client.must(one, 200, 'GET', '/api/v1/services');
    const listed = JSON.parse(first.body.toString()) as {
      items: unknown[];
      metadata: { resourceVersion: string };
    };
    const listItems = listed.items.length;
    const json = await timesOf(LIST_ITERATIONS, async () => {
      await client.must(one, 200, 'GET', '/api/v1/services');
    });
    const table = await timesOf(LIST_ITERATIONS, async () => {
      await client.must(one, 200, 'GET', '/api/v1/services', undefined, { Accept: KUBECTL_TABLE_ACCEPT });
    });
    /** A full list as `kubectl get services -A` makes it: Table pages of 500, following `continue`. */
    const pagedList = async (verify: boolean): Promise<number> => {
      let cont = '';
      let rows = 0;
      do {
        const r = await client.must(
          one,
          200,
          'GET',
          `/api/v1/services?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
          undefined,
          { Accept: KUBECTL_TABLE_ACCEPT },
        );
        if (verify) {
          const t = JSON.parse(r.body.toString()) as { rows: unknown[]; metadata: { continue?: string } };
          rows += t.rows.length;
          cont = t.metadata.continue ?? '';
        } else {
          // The list metadata comes first: no need to parse the page (the timed runs don't parse bodies).
          cont = CONTINUE.exec(r.body.subarray(0, 4096).toString())?.[1] ?? '';
        }
      } while (cont);
      return rows;
    };
    const pagedRows = await pagedList(true);
    if (pagedRows !== listItems) throw new Error(`paged Table list: ${pagedRows} rows, want ${listItems}`);
    const paged = await timesOf(LIST_ITERATIONS, async () => {
      await pagedList(false);
    });

    // c. watch fan-out
    const rv = (
      JSON.parse(
        (await client.must(one, 200, 'GET', '/api/v1/namespaces/bench-0/services?limit=1')).body.toString(),
      ) as {
        metadata: { resourceVersion: string };
      }
    ).metadata.resourceVersion;
    const receipts = new Receipts(WATCHERS, LATENCY_CHANGES + BURST_CHANGES);
    for (let w = 0; w < WATCHERS; w++) {
      watches.push(
        await client.watch(watchAgent, `/api/v1/services?watch=true&resourceVersion=${rv}`, (line, t) =>
          receipts.record(w, line, t),
        ),
      );
    }
    const stats = await watchWorkload(receipts, async (i, seq) => {
      await client.must(
        many,
        200,
        'PATCH',
        `/api/v1/namespaces/${nsOf(i)}/services/${nameOf(i)}`,
        patchBody(seq),
        {
          'Content-Type': 'application/merge-patch+json',
        },
      );
    });
    return { result: result(creates1, creates50, json, table, paged, stats, listItems), templates };
  } finally {
    for (const w of watches) w.close();
    one.destroy();
    many.destroy();
    watchAgent.destroy();
    await server.stop();
  }
}

/** The same work against the raw store. */
async function benchRaw(storage: Storage, templates: Templates): Promise<Result> {
  const dir = tempDir('svcnet-bench-raw-');
  let store: Store | undefined;
  const watches: { close(): void }[] = [];
  try {
    if (storage === 'sqlite') {
      const { SqliteStore } = await import('../src/store/sqlite.js');
      store = await SqliteStore.open(join(dir, 'state.db'));
    } else {
      const { MemoryStore } = await import('../src/store/memory.js');
      store = new MemoryStore();
    }
    const s = store;
    const values = Array.from({ length: TOTAL }, (_, i) => rawValue(templates, i));
    const modRevision = new Float64Array(TOTAL);
    const create = async (i: number) => {
      const kv: KeyValue = await s.create(keyOf(i), values[i]!);
      modRevision[i] = kv.modRevision;
    };

    // Warm up: creates, gets, lists, deletes.
    await rate(0, WARMUP, 50, (i) => s.create(`${PREFIX}bench-warmup/warm-${i}`, rawValue(templates, i)));
    for (let i = 0; i < 20; i++) await s.list(PREFIX);
    await rate(0, WARMUP, 50, (i) => s.delete(`${PREFIX}bench-warmup/warm-${i}`));

    // a. creates
    const creates1 = await rate(0, CREATES_1, 1, create);
    const creates50 = await rate(CREATES_1, CREATES_50, 50, create);

    // b. list
    const listItems = (await s.list(PREFIX)).items.length;
    if (listItems !== TOTAL) throw new Error(`raw list: ${listItems} keys, want ${TOTAL}`);
    const list = await timesOf(LIST_ITERATIONS, async () => {
      await s.list(PREFIX);
    });
    const paged = await timesOf(LIST_ITERATIONS, async () => {
      let startKey: string | undefined;
      for (;;) {
        const page = await s.list(PREFIX, { limit: 500, startKey });
        if (!page.more) break;
        startKey = `${page.items[page.items.length - 1]!.key}\x00`;
      }
    });

    // c. watch fan-out
    const rev = await s.revision();
    const receipts = new Receipts(WATCHERS, LATENCY_CHANGES + BURST_CHANGES);
    for (let w = 0; w < WATCHERS; w++) {
      watches.push(
        s.watch(PREFIX, rev, {
          onEvents: (events) => {
            const t = now();
            for (const e of events) if (e.type === 'put') receipts.record(w, e.kv.value, t);
          },
        }),
      );
    }
    const stats = await watchWorkload(receipts, async (i, seq) => {
      const kv = await s.update(keyOf(i), rawValue(templates, i, seq), modRevision[i]!);
      modRevision[i] = kv.modRevision;
    });
    return result(creates1, creates50, list, list, paged, stats, listItems);
  } finally {
    for (const w of watches) w.close();
    await store?.close();
    removeDir(dir);
  }
}

// --- the report ---

const rows: [keyof Result, string][] = [
  ['creates1', 'creates/s, 1 client'],
  ['creates50', 'creates/s, 50 clients'],
  ['listJsonP50', 'list 10k JSON p50 (ms)'],
  ['listJsonP99', 'list 10k JSON p99 (ms)'],
  ['listTableP50', 'list 10k Table p50 (ms)'],
  ['listTableP99', 'list 10k Table p99 (ms)'],
  ['listPagedP50', 'kubectl get -A: Table, limit=500, p50'],
  ['listPagedP99', 'kubectl get -A: Table, limit=500, p99'],
  ['watchWriteP50', 'watch: write→ack p50 (ms)'],
  ['watchAckP50', 'watch: ack→event p50 (ms)'],
  ['watchAckP99', 'watch: ack→event p99 (ms)'],
  ['watchSendP50', 'watch: write→event p50 (ms)'],
  ['watchSendP99', 'watch: write→event p99 (ms)'],
  ['watchEventsPerSec', `watch: events/s to ${WATCHERS} watchers`],
];

const fmt = (x: number) =>
  Number.isNaN(x) ? '-' : x >= 1000 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);

/** api/raw; '-' when the raw side measured nothing (0 ms). */
function ratio(api: number, raw: number): string {
  const r = api / raw;
  if (!Number.isFinite(r)) return '-';
  return r < 0.1 ? r.toPrecision(2) : r.toFixed(2);
}

function report(results: Map<Storage, { api: Result; raw: Result }>, storedBytes: number): void {
  const storages = [...results.keys()];
  console.log(
    `apiserver benchmark: ${TOTAL} Services in ${NAMESPACES} namespaces (mixed types, stored JSON avg ${storedBytes} bytes), ` +
      `${WATCHERS} watchers; node ${process.version}, ${cpus().length} CPUs`,
  );
  console.log(
    'api: HTTPS to an ApiServer in a child process (keep-alive, bearer token); raw: the Store in this process doing the same work',
  );
  console.log(
    'ratio = api / raw (rates: below 1 is slower; times: above 1 is slower). The raw Table rows are the raw full list.',
  );
  console.log(
    `mix: ${MIX_TEXT}; lists: ${LIST_ITERATIONS} runs each, to the last byte; watch latencies: ${LATENCY_CHANGES} patches, ` +
      `1 in flight (write = request sent / store.update called, ack = response / promise resolved); ` +
      `events/s: ${BURST_CHANGES} patches, ${BURST_IN_FLIGHT} in flight`,
  );
  let head = 'metric'.padEnd(40);
  for (const s of storages)
    head += `${`${s} api`.padStart(12)}${`${s} raw`.padStart(12)}${'api/raw'.padStart(10)}`;
  console.log(head);
  for (const [k, label] of rows) {
    let line = label.padEnd(40);
    for (const s of storages) {
      const { api, raw } = results.get(s)!;
      line += `${fmt(api[k]).padStart(12)}${fmt(raw[k]).padStart(12)}${ratio(api[k], raw[k]).padStart(10)}`;
    }
    console.log(line);
  }
  for (const s of storages) {
    const { api, raw } = results.get(s)!;
    console.log(
      `${s}: listed ${api.listItems} Services (api, incl. default/kubernetes) / ${raw.listItems} keys (raw); ` +
        `events that reached a watcher before the writer's ack (counted as 0 ms): api ${(api.beforeAck * 100).toFixed(0)}%, raw ${(raw.beforeAck * 100).toFixed(0)}%`,
    );
  }
}

/** d: µs per decodeBody of one Service body, and per JSON.parse of it (the reference). */
function decodeFigures(): { decode: number; parse: number } {
  const body =
    '{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default","labels":{"app":"web"},' +
    '"annotations":{"note":"a fairly long annotation value to make the body realistic"}},"spec":{"type":"NodePort",' +
    '"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"},{"name":"https","port":443,"targetPort":"https"}],' +
    '"selector":{"app":"web","tier":"frontend"},"sessionAffinity":"None","externalTrafficPolicy":"Cluster"}}';
  const schema = schemaForKind({ group: '', version: 'v1', kind: 'Service' });
  if (!schema) throw new Error('no schema for v1 Service (run gen-schemas)');
  const opts = { group: '', version: 'v1', kind: 'Service', fieldValidation: 'Strict' as const };
  const perBody = (n: number, fn: () => void) => {
    for (let i = 0; i < n / 5; i++) fn(); // warm up the JIT
    const t = now();
    for (let i = 0; i < n; i++) fn();
    return ((now() - t) * 1000) / n;
  };
  return {
    decode: perBody(20_000, () => decodeBody(body, 'json', schema, opts)),
    parse: perBody(20_000, () => JSON.parse(body)),
  };
}

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith('--storage='))?.slice('--storage='.length);
  const storages = (['sqlite', 'memory'] as const).filter((s) => !only || s === only);
  if (storages.length === 0) throw new Error(`--storage=${only}: want sqlite or memory`);
  const watchdog = setTimeout(
    () => abort(2, `still running after ${RUN_TIMEOUT_MS / 1000}s, giving up`),
    RUN_TIMEOUT_MS,
  );
  watchdog.unref();
  process.on('SIGINT', () => abort(130, 'interrupted'));
  process.on('SIGTERM', () => abort(143, 'terminated'));
  const results = new Map<Storage, { api: Result; raw: Result }>();
  let storedBytes = 0;
  for (const storage of storages) {
    const t = now();
    const { result: api, templates } = await benchApi(storage);
    const raw = await benchRaw(storage, templates);
    results.set(storage, { api, raw });
    storedBytes = Math.round(
      Array.from({ length: TOTAL }, (_, i) => rawValue(templates, i).length).reduce((a, b) => a + b, 0) /
        TOTAL,
    );
    console.error(`apiserver benchmark: ${storage} done in ${((now() - t) / 1000).toFixed(1)} s`);
  }
  clearTimeout(watchdog);
  report(results, storedBytes);
  const d = decodeFigures();
  console.log(
    `d. decodeBody of a NodePort Service body: ${d.decode.toFixed(1)} µs; reference JSON.parse: ${d.parse.toFixed(1)} µs; ` +
      `ratio ${(d.decode / d.parse).toFixed(1)}`,
  );
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3] as Storage, process.argv[4]!);
} else {
  try {
    await main();
  } catch (err) {
    console.error(err);
    abort(1, 'failed');
  }
}
