/**
 * DNS benchmark, side by side: the real API server and the real `svcnet dns`
 * (child processes) with 10,000 ClusterIP Services, against unbound from
 * Debian serving the same 10,000 A records as local data, both measured by
 * dnsperf (Debian) with the same query file and settings.
 *
 * a. queries/s and average latency, dnsperf 5 s, printed as svcnet/unbound.
 * b. DNS programming latency at 10,000 services: a Service is created and we
 *    time until the DNS server answers its name (polling over UDP), p50/p99.
 *    Reference in the same run: the API's own create → watch event latency.
 * c. The record index, in this process: building it for 10,000 Services
 *    (half headless, two endpoints each) and answering A/SRV lookups.
 *    Reference: a Map from each Service's name to its address, built and
 *    read for the same names.
 * d. DNS over TCP under slow clients: 1,000 connections each trickling one
 *    byte every 2 s (and reconnecting at once when closed, as an attacker
 *    would) while a new TCP query is sent every 100 ms on a new connection:
 *    how many are answered, and their latency. Reference: the same queries
 *    with no slow clients.
 *
 * Run: npm run bench -- dns   (or: node --import tsx bench/dns.ts [--quick])
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import packet from 'dns-packet';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createClient } from '../src/client/client.js';
import { SharedInformerFactory } from '../src/client/informer.js';
import { Namespaces, Services } from '../src/client/resources.js';
import { buildIndex, type IndexInput } from '../src/dns/index/build.js';
import { slowClients, tcpQueryOnce } from '../test/dns/server/helpers.js';
import {
  abort as abortRun,
  cleanup,
  fmtMs,
  freePort,
  now,
  percentile,
  sleep,
  startApiServer,
  svcnetMain,
  tempDir,
  track,
} from './lib/common.js';

const QUICK = process.argv.includes('--quick');
const SERVICES = QUICK ? 1000 : 10_000;
const SAMPLES = QUICK ? 20 : 100;
const PERF_SECONDS = QUICK ? 2 : 5;
const RUN_TIMEOUT_MS = 9 * 60_000;
const abort = (code: number, message: string): never => abortRun('dns', code, message);

/** One A query over UDP; the answer's addresses (empty on NXDOMAIN or timeout). */
function queryA(port: number, name: string): Promise<string[]> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      res([]);
    }, 500);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      const p = packet.decode(m);
      res((p.answers ?? []).flatMap((a) => (a.type === 'A' ? [a.data as string] : [])));
    });
    s.send(packet.encode({ type: 'query', id: 1, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  });
}

interface Perf {
  qps: number;
  avgMs: number;
  lost: number;
}

function dnsperf(port: number, file: string): Perf {
  const r = spawnSync(
    'dnsperf',
    ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(PERF_SECONDS), '-c', '8', '-q', '200'],
    {
      encoding: 'utf8',
    },
  );
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const avg = Number(/Average Latency \(s\):\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const lost = Number(/Queries lost:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0);
  if (Number.isNaN(qps)) throw new Error(`dnsperf failed: ${r.stdout}${r.stderr}`);
  return { qps, avgMs: avg * 1000, lost };
}

/** c: the index for n Services (every other one headless), with two endpoints each. */
function indexInput(n: number): IndexInput {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < n; i++) {
    const ip = `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    services.push({
      metadata: { namespace: 'default', name: `s${i}` },
      spec: {
        type: 'ClusterIP',
        clusterIP: i % 2 ? 'None' : ip,
        clusterIPs: [i % 2 ? 'None' : ip],
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      },
    });
    const base = [(i >> 14) & 63, (i >> 6) & 255, (i & 63) * 4];
    slices.push({
      metadata: { namespace: 'default', name: `s${i}-x`, labels: { 'kubernetes.io/service-name': `s${i}` } },
      addressType: 'IPv4',
      endpoints: [0, 1].map((k) => ({
        addresses: [`10.${base[0]}.${base[1]}.${base[2]! + k}`],
        hostname: `p${k}`,
        conditions: { ready: true },
      })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  }
  return { namespaces: [{ metadata: { name: 'default' } }], services, slices };
}

function indexFigures(): { buildMs: number; mapBuildMs: number; lookupUs: number; mapLookupUs: number } {
  const input = indexInput(SERVICES);
  const names = input.services.map((s) => `${s.metadata!.name}.default.svc.cluster.local`);
  let t = now();
  const index = buildIndex(input);
  const buildMs = now() - t;
  t = now();
  const map = new Map(input.services.map((s, i) => [names[i]!, s.spec!.clusterIP!]));
  const mapBuildMs = now() - t;
  const queries = 20 * SERVICES;
  t = now();
  for (let i = 0; i < queries; i++) {
    const a = index.lookup({ name: names[i % SERVICES]!, type: i % 3 === 0 ? 'SRV' : 'A' });
    if (a.rcode !== 'NOERROR') throw new Error(`${names[i % SERVICES]}: ${a.rcode}`);
  }
  const lookupUs = ((now() - t) * 1000) / queries;
  t = now();
  for (let i = 0; i < queries; i++) {
    if (map.get(names[i % SERVICES]!.toLowerCase()) === undefined) throw new Error('map miss');
  }
  const mapLookupUs = ((now() - t) * 1000) / queries;
  return { buildMs, mapBuildMs, lookupUs, mapLookupUs };
}

interface Probes {
  asked: number;
  /** Latencies of the answered ones (ms). */
  answered: number[];
}

/** A query on a new TCP connection every `everyMs` for `forMs`, one at a time; unanswered after 5 s counts as lost. */
async function probeTcp(
  port: number,
  name: string,
  want: string,
  forMs: number,
  everyMs = 100,
): Promise<Probes> {
  const out: Probes = { asked: 0, answered: [] };
  for (const end = now() + forMs; now() < end; ) {
    const t = now();
    out.asked++;
    const r = await tcpQueryOnce(
      port,
      { type: 'query', id: out.asked & 0xffff, questions: [{ type: 'A', name }] },
      5000,
    );
    if (r?.answers?.some((a) => a.type === 'A' && a.data === want)) out.answered.push(now() - t);
    await sleep(Math.max(0, everyMs - (now() - t)));
  }
  return out;
}

/** d: new TCP queries with and without 1,000 slow clients holding connections. */
async function slowClientFigures(port: number, name: string, want: string) {
  const seconds = QUICK ? 5 : 20;
  const baseline = await probeTcp(port, name, want, seconds * 1000);
  const slow = slowClients(port, 1000, { intervalMs: 2000, lifetimeMs: (seconds + 60) * 1000 });
  try {
    for (const end = now() + 30_000; slow.open() < 1000; await sleep(10))
      if (now() > end) throw new Error(`only ${slow.open()} of 1000 slow clients connected`);
    const during = await probeTcp(port, name, want, seconds * 1000);
    return { seconds, baseline, during, connects: slow.connects(), closed: slow.closedByServer() };
  } finally {
    slow.stop();
  }
}

async function main(): Promise<void> {
  const index = indexFigures();
  const watchdog = setTimeout(
    () => abort(2, `still running after ${RUN_TIMEOUT_MS / 1000}s`),
    RUN_TIMEOUT_MS,
  );
  watchdog.unref();
  process.on('SIGINT', () => abort(130, 'interrupted'));
  process.on('SIGTERM', () => abort(143, 'terminated'));
  for (const tool of ['dnsperf', 'unbound'])
    if (spawnSync('which', [tool]).status !== 0) abort(1, `${tool} is not installed (./setup installs it)`);

  const kubeconfig = await startApiServer('memory', 'svcnet-bench-dns-');
  const client = createClient({ kubeconfig, userAgent: 'svcnet-bench' });

  const t0 = now();
  const ips: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < SERVICES) {
        const i = next++;
        const s = await client.create<Service>(Services, 'default', {
          metadata: { name: `s${i}` },
          spec: { ports: [{ name: 'http', port: 80 }] },
        });
        ips[i] = s.spec!.clusterIP!;
      }
    }),
  );
  console.log(`created ${SERVICES} services in ${((now() - t0) / 1000).toFixed(1)} s`);

  const dnsPort = await freePort();
  const dns = spawn(
    process.execPath,
    [
      svcnetMain(),
      'dns',
      `--kubeconfig=${kubeconfig}`,
      `--port=${dnsPort}`,
      '--health-address=',
      '--upstream=127.0.0.1:9',
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SVCNET_PARENT_PID: String(process.pid) },
    },
  );
  track(dns);
  const last = `s${SERVICES - 1}.default.svc.cluster.local`;
  for (let i = 0; (await queryA(dnsPort, last))[0] !== ips[SERVICES - 1]; i++) {
    if (i > 600) throw new Error('svcnet dns never answered');
    await sleep(50);
  }

  // unbound with the same records as local data.
  const ubDir = tempDir('svcnet-bench-unbound-');
  const ubPort = await freePort();
  writeFileSync(
    join(ubDir, 'unbound.conf'),
    [
      'server:',
      `  interface: 127.0.0.1@${ubPort}`,
      '  num-threads: 1',
      '  do-daemonize: no',
      '  username: ""',
      '  chroot: ""',
      `  directory: "${ubDir}"`,
      `  pidfile: "${join(ubDir, 'unbound.pid')}"`,
      '  use-syslog: no',
      '  verbosity: 0',
      '  access-control: 127.0.0.0/8 allow',
      '  local-zone: "cluster.local." static',
      ...ips.map((ip, i) => `  local-data: "s${i}.default.svc.cluster.local. 5 IN A ${ip}"`),
      'remote-control:',
      '  control-enable: no',
      '',
    ].join('\n'),
  );
  const ub = spawn('unbound', ['-d', '-c', join(ubDir, 'unbound.conf')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  track(ub);
  for (let i = 0; (await queryA(ubPort, last))[0] !== ips[SERVICES - 1]; i++) {
    if (i > 200) throw new Error('unbound never answered');
    await sleep(50);
  }

  // The same random query file for both.
  const qfile = join(ubDir, 'queries.txt');
  writeFileSync(
    qfile,
    `${Array.from({ length: 20_000 }, () => `s${Math.floor(Math.random() * SERVICES)}.default.svc.cluster.local A`).join('\n')}\n`,
  );
  dnsperf(dnsPort, qfile); // warm-up
  const svcnet = dnsperf(dnsPort, qfile);
  const unbound = dnsperf(ubPort, qfile);

  // Programming latency: create → the name answers; reference: create → watch event.
  const factory = new SharedInformerFactory(client);
  const seen = new Set<string>();
  const inf = factory.informer<Service>(Services, { namespace: 'lat' });
  inf.addHandlers({ add: (s) => seen.add(s.metadata!.name!) });
  await client.create(Namespaces, '', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'lat' },
  });
  factory.start();
  await inf.synced();
  await sleep(1000);
  const prog: number[] = [];
  const watch: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const name = `p${k}`;
    const start = now();
    let watchAt = 0;
    const watched = (async () => {
      while (!seen.has(name)) await sleep(0.5);
      watchAt = now();
    })();
    const s = await client.create<Service>(Services, 'lat', {
      metadata: { name },
      spec: { ports: [{ port: 80 }] },
    });
    while ((await queryA(dnsPort, `${name}.lat.svc.cluster.local`))[0] !== s.spec!.clusterIP) await sleep(1);
    prog.push(now() - start);
    await watched;
    watch.push(watchAt - start);
    await sleep(20);
  }
  factory.stop();
  client.close();
  const tcp = await slowClientFigures(dnsPort, 's0.default.svc.cluster.local', ips[0]!);
  clearTimeout(watchdog);

  console.log('');
  console.log(`a. dnsperf, ${PERF_SECONDS} s, 8 clients, 200 outstanding, A queries over ${SERVICES} names`);
  console.log(
    `   svcnet dns: ${svcnet.qps.toFixed(0)} queries/s, average ${fmtMs(svcnet.avgMs)}, lost ${svcnet.lost}`,
  );
  console.log(
    `   unbound:    ${unbound.qps.toFixed(0)} queries/s, average ${fmtMs(unbound.avgMs)}, lost ${unbound.lost}`,
  );
  console.log(
    `   ratio svcnet/unbound: queries/s ${(svcnet.qps / unbound.qps).toFixed(2)}, latency ${(svcnet.avgMs / unbound.avgMs).toFixed(2)}`,
  );
  console.log(
    `b. DNS programming latency at ${SERVICES} services (service created → its name answers), ${SAMPLES} samples`,
  );
  console.log(
    `   svcnet dns:              p50 ${fmtMs(percentile(prog, 0.5))}  p99 ${fmtMs(percentile(prog, 0.99))}`,
  );
  console.log(
    `   reference, API watch:    p50 ${fmtMs(percentile(watch, 0.5))}  p99 ${fmtMs(percentile(watch, 0.99))}`,
  );
  console.log(
    `   ratio: p50 ${(percentile(prog, 0.5) / percentile(watch, 0.5)).toFixed(1)}  p99 ${(percentile(prog, 0.99) / percentile(watch, 0.99)).toFixed(1)}`,
  );
  console.log(`c. the record index in process, ${SERVICES} services (half headless, 2 endpoints each)`);
  console.log(
    `   build: ${fmtMs(index.buildMs, 1)} (reference, a Map of the names: ${fmtMs(index.mapBuildMs, 1)}; ratio ${(index.buildMs / index.mapBuildMs).toFixed(0)})`,
  );
  console.log(
    `   lookup (A and SRV): ${index.lookupUs.toFixed(2)} µs (reference, Map.get: ${index.mapLookupUs.toFixed(2)} µs; ratio ${(index.lookupUs / index.mapLookupUs).toFixed(0)})`,
  );
  const line = (p: Probes) =>
    `answered ${p.answered.length} of ${p.asked}${
      p.answered.length
        ? `, p50 ${fmtMs(percentile(p.answered, 0.5))}  p99 ${fmtMs(percentile(p.answered, 0.99))}  max ${fmtMs(Math.max(...p.answered))}`
        : ''
    }`;
  console.log(
    `d. new TCP queries (one per new connection, every 100 ms for ${tcp.seconds} s) while 1,000 slow clients send one byte every 2 s`,
  );
  console.log(`   with 1,000 slow clients: ${line(tcp.during)}`);
  console.log(`   reference, none:         ${line(tcp.baseline)}`);
  console.log(
    `   the slow clients: ${tcp.connects} connections made, ${tcp.closed} closed by the server (read timeout or eviction)`,
  );
}

try {
  await main();
  cleanup();
} catch (err) {
  console.error(err);
  abort(1, 'failed');
}
