/**
 * Proxy benchmark, side by side in one process tree: three HTTP backends (a
 * child process, standing in for pods), the real API server and the real
 * `svcnet proxy` (child processes), and HAProxy from Debian (a child, TCP mode,
 * one thread, round robin over the same three backends).
 *
 * a. requests/s and latency p50/p99 over 3 s each, 32 concurrent clients, for
 *    (a) direct to one backend, (b) through svcnet proxy (a ClusterIP),
 *    (c) through HAProxy — with a new connection per request, and with
 *    keep-alive connections; printed as ratios b/a and b/c.
 * b. network programming latency at 1,000 Services: an EndpointSlice's
 *    endpoint moves from one backend to another and we time until new
 *    connections to the Service reach the new backend (polling), p50/p99, with
 *    the default --min-sync-period (1 s, as kube-proxy) and with 0. Reference
 *    in the same run: the API's own write→watch latency for the same slice
 *    writes (the floor every proxy sits on).
 *
 * Run: npm run bench -- proxy   (or: node --import tsx bench/proxy.ts [--quick])
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createClient } from '../src/client/client.js';
import { SharedInformerFactory } from '../src/client/informer.js';
import { EndpointSlices, Services } from '../src/client/resources.js';
import type { ApiClient } from '../src/client/types.js';
import {
  abort as abortRun,
  cleanup,
  fmtMs,
  freePort,
  now,
  percentile,
  pool,
  sleep,
  startApiServer,
  svcnetMain,
  tempDir,
  track,
} from './lib/common.js';

const QUICK = process.argv.includes('--quick');
const BACKENDS = ['127.251.0.1', '127.251.0.2', '127.251.0.3'];
const BACKEND_PORT = 8080;
const HAPROXY = { ip: '127.252.0.1', port: 80 };
const LOAD_MS = QUICK ? 1000 : 3000;
const CLIENTS = 32;
const SERVICES = QUICK ? 100 : 1000;
const SAMPLES = QUICK ? 10 : 40;
const RUN_TIMEOUT_MS = 9 * 60_000;
const abort = (code: number, message: string): never => abortRun('proxy', code, message);

// --- the backends' child: `proxy.js --backends` ---

async function serveBackends(): Promise<void> {
  for (const ip of BACKENDS) {
    const body = Buffer.from(ip);
    const s = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
      res.end(body);
    });
    s.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => s.listen(BACKEND_PORT, ip, r));
  }
  process.on('disconnect', () => process.exit(0));
  process.send!('ready');
}

function forkChild(args: string[]): Promise<{ child: ChildProcess; message: unknown }> {
  const child = fork(fileURLToPath(import.meta.url), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  track(child);
  return new Promise((res, rej) => {
    child.once('message', (message) => res({ child, message }));
    child.once('exit', (code) => rej(new Error(`${args[0]} child exited (code ${code})`)));
  });
}

async function startProxy(kubeconfig: string, minSync: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      svcnetMain(),
      'proxy',
      `--kubeconfig=${kubeconfig}`,
      '--hostname-override=bench-node',
      '--node-ip=127.0.0.1',
      `--healthz-bind-address=127.0.0.1:${await freePort()}`,
      `--metrics-bind-address=127.0.0.1:${await freePort()}`,
      `--min-sync-period=${minSync}`,
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SVCNET_PARENT_PID: String(process.pid) },
    },
  );
  track(child);
  return child;
}

function startHaproxy(): ChildProcess {
  const dir = tempDir('svcnet-bench-haproxy-');
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    [
      'global',
      '  nbthread 1',
      '  maxconn 2000',
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 60s',
      '  timeout server 60s',
      'frontend svc',
      `  bind ${HAPROXY.ip}:${HAPROXY.port}`,
      '  default_backend pods',
      'backend pods',
      '  balance roundrobin',
      ...BACKENDS.map((ip, i) => `  server pod${i} ${ip}:${BACKEND_PORT}`),
      '',
    ].join('\n'),
  );
  const child = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  track(child);
  return child;
}

/** One GET; resolves with the body. */
function get(host: string, port: number, agent: Agent | false): Promise<string> {
  return new Promise((res, rej) => {
    const req = request(
      { host, port, path: '/', agent, headers: agent ? {} : { Connection: 'close' } },
      (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c) => {
          body += c;
        });
        r.on('end', () => res(body));
      },
    );
    req.on('error', rej);
    req.end();
  });
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(host: string, port: number, keepAlive: boolean, durationMs = LOAD_MS): Promise<Load> {
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: CLIENTS }) : false;
  const lat: number[] = [];
  let errors = 0;
  const end = now() + durationMs;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (now() < end) {
        const t = now();
        try {
          await get(host, port, agent);
          lat.push(now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  if (agent) agent.destroy();
  return {
    rps: (lat.length / durationMs) * 1000,
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
    errors,
  };
}

async function untilServes(host: string, port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await get(host, port, false);
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${host}:${port} never answered`);
}

const slice = (name: string, ip: string): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name,
    labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'bench' },
  },
  addressType: 'IPv4',
  endpoints: [{ addresses: [ip], conditions: { ready: true } }],
  ports: [{ name: '', port: BACKEND_PORT, protocol: 'TCP' }],
});

/** Moves service `sN`'s endpoint between backends; times until new connections follow, and the API's watch floor. */
async function programming(
  client: ApiClient,
  ips: string[],
  spacingMs: number,
): Promise<{ proxy: number[]; watch: number[] }> {
  const factory = new SharedInformerFactory(client);
  const seen = new Map<string, string>();
  const inf = factory.informer<EndpointSlice>(EndpointSlices);
  const record = (s: EndpointSlice) => seen.set(s.metadata!.name!, s.endpoints?.[0]?.addresses[0] ?? '');
  inf.addHandlers({ add: record, update: (_o, s) => record(s) });
  factory.start();
  await inf.synced();
  const proxy: number[] = [];
  const watch: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const i = Math.floor(Math.random() * SERVICES);
    const name = `s${i}`;
    const cur = await client.get<EndpointSlice>(EndpointSlices, 'default', name);
    const from = cur.endpoints?.[0]?.addresses[0];
    const to = BACKENDS.find((b) => b !== from)!;
    const start = now();
    let watchAt = 0;
    const watched = (async () => {
      while (seen.get(name) !== to) await sleep(0.5);
      watchAt = now();
    })();
    await client.update(EndpointSlices, {
      ...cur,
      endpoints: [{ addresses: [to], conditions: { ready: true } }],
    });
    for (;;) {
      const body = await get(ips[i]!, 80, false).catch(() => '');
      if (body === to) break;
      await sleep(1);
    }
    proxy.push(now() - start);
    await watched;
    watch.push(watchAt - start);
    await sleep(spacingMs);
  }
  factory.stop();
  return { proxy, watch };
}

async function main(): Promise<void> {
  const watchdog = setTimeout(
    () => abort(2, `still running after ${RUN_TIMEOUT_MS / 1000}s`),
    RUN_TIMEOUT_MS,
  );
  watchdog.unref();
  process.on('SIGINT', () => abort(130, 'interrupted'));
  if (spawnSync('haproxy', ['-v']).status !== 0) abort(1, 'haproxy is not installed (./setup installs it)');

  await forkChild(['--backends']);
  const kubeconfig = await startApiServer('memory', 'svcnet-bench-proxy-');
  const client = createClient({ kubeconfig, userAgent: 'svcnet-bench' });

  // The benchmark's Service, selector-less with a slice of its own over the three backends.
  const svc = await client.create<Service>(Services, 'default', {
    metadata: { name: 'web' },
    spec: { ports: [{ port: 80, targetPort: BACKEND_PORT }] },
  });
  await client.create(EndpointSlices, 'default', {
    ...slice('web', BACKENDS[0]!),
    endpoints: BACKENDS.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  });
  const clusterIP = svc.spec!.clusterIP!;
  let proxyChild = await startProxy(kubeconfig, '1s');
  startHaproxy();
  await untilServes(clusterIP, 80);
  await untilServes(HAPROXY.ip, HAPROXY.port);

  // Warm up JITs, connection paths and the backends before anything is measured.
  for (const [h, p] of [
    [BACKENDS[0]!, BACKEND_PORT],
    [clusterIP, 80],
    [HAPROXY.ip, HAPROXY.port],
  ] as const) {
    await load(h, p, false, 500);
    await load(h, p, true, 500);
  }
  const rows: [string, Load, Load, Load][] = [];
  for (const keepAlive of [false, true]) {
    const direct = await load(BACKENDS[0]!, BACKEND_PORT, keepAlive);
    const svcnet = await load(clusterIP, 80, keepAlive);
    const haproxy = await load(HAPROXY.ip, HAPROXY.port, keepAlive);
    rows.push([keepAlive ? 'keep-alive' : 'new connection per request', direct, svcnet, haproxy]);
  }

  // Network programming at SERVICES services, each with one endpoint.
  const idx = Array.from({ length: SERVICES }, (_, i) => i);
  const ips: string[] = [];
  await pool(idx, 50, async (i) => {
    const s = await client.create<Service>(Services, 'default', {
      metadata: { name: `s${i}` },
      spec: { ports: [{ port: 80, targetPort: BACKEND_PORT }] },
    });
    ips[i] = s.spec!.clusterIP!;
    await client.create(EndpointSlices, 'default', slice(`s${i}`, BACKENDS[i % 3]!));
  });
  await untilServes(ips[SERVICES - 1]!, 80);
  const withDefault = await programming(client, ips, 1100);
  proxyChild.kill('SIGTERM');
  await new Promise((r) => proxyChild.once('exit', r));
  proxyChild = await startProxy(kubeconfig, '0s');
  await untilServes(ips[0]!, 80);
  await sleep(1000);
  const withZero = await programming(client, ips, 50);
  client.close();
  clearTimeout(watchdog);

  console.log('');
  console.log(
    `a. HTTP GETs, ${CLIENTS} clients, ${LOAD_MS / 1000} s each; 3 backends (HAProxy: TCP mode, 1 thread, roundrobin)`,
  );
  for (const [mode, a, b, c] of rows) {
    console.log(`   ${mode}:`);
    const line = (n: string, l: Load) =>
      console.log(
        `     ${n.padEnd(14)} ${l.rps.toFixed(0).padStart(7)} req/s  p50 ${fmtMs(l.p50)}  p99 ${fmtMs(l.p99)}${l.errors ? `  (${l.errors} errors)` : ''}`,
      );
    line('(a) direct', a);
    line('(b) svcnet', b);
    line('(c) haproxy', c);
    console.log(
      `     ratios req/s: b/a ${(b.rps / a.rps).toFixed(2)}  b/c ${(b.rps / c.rps).toFixed(2)};  p50: b/a ${(b.p50 / a.p50).toFixed(2)}  b/c ${(b.p50 / c.p50).toFixed(2)}`,
    );
  }
  const prog = (name: string, r: { proxy: number[]; watch: number[] }) => {
    console.log(`   ${name}:`);
    console.log(
      `     new connections follow:  p50 ${fmtMs(percentile(r.proxy, 0.5))}  p99 ${fmtMs(percentile(r.proxy, 0.99))}`,
    );
    console.log(
      `     reference, slice watch:  p50 ${fmtMs(percentile(r.watch, 0.5))}  p99 ${fmtMs(percentile(r.watch, 0.99))}`,
    );
    console.log(
      `     ratio: p50 ${(percentile(r.proxy, 0.5) / percentile(r.watch, 0.5)).toFixed(1)}  p99 ${(percentile(r.proxy, 0.99) / percentile(r.watch, 0.99)).toFixed(1)}`,
    );
  };
  console.log(`b. network programming latency, ${SERVICES} services, ${SAMPLES} endpoint moves`);
  prog('--min-sync-period=1s (the default; moves 1.1 s apart)', withDefault);
  prog('--min-sync-period=0s', withZero);
}

if (process.argv[2] === '--backends') {
  await serveBackends();
} else {
  try {
    await main();
    cleanup();
  } catch (err) {
    console.error(err);
    abort(1, 'failed');
  }
}
