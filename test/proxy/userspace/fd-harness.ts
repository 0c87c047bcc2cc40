/**
 * The child process of fdlimit.test.ts, run under `prlimit --nofile=N:N` so
 * the descriptor limit is small and the same on every machine: a Service
 * with many ports beside a one-port Service, on the real userspace backend.
 * It prints one JSON line (a HarnessReport) and exits.
 *
 * argv: scenario (`cap` | `reserve` | `emfile`), the huge Service's port count.
 * - cap: default options, both Services in one apply;
 * - reserve: no per-Service cap, both Services in one apply;
 * - emfile: no cap and no descriptor accounting (as without /proc), a reserve
 *   of 32; the small Service is served first, then the huge one arrives and
 *   runs into EMFILE for real.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { silentLogger } from '../../../src/lib/log.js';
import type { Endpoint, Frontend, NodeState, ServicePortState } from '../../../src/proxy/model/types.js';
import { UserspaceBackend, type UserspaceBackendOptions } from '../../../src/proxy/userspace/backend.js';

// Addresses private to this harness: services 127.97.206.x, the pod 127.245.206.1.
const HUGE_IP = '127.97.206.1';
const SMALL_IP = '127.97.206.2';
const POD_IP = '127.245.206.1';
const FIRST_PORT = 20000;

export interface HarnessReport {
  limit: string;
  listening: number;
  /** A connection through the small Service reached the pod. */
  smallServed: boolean;
  /** The huge Service's listeners open. */
  hugeListening: number;
  /** result.failed by code. */
  codes: Record<string, number>;
  /** onServiceFrontendsLimited calls. */
  limited: { service: string; reason: string; message: string }[];
}

const scenario = process.argv[2] ?? 'cap';
const hugePorts = Number(process.argv[3] ?? 600);

function servicePort(name: string, ip: string, port: number, endpoint: Endpoint): ServicePortState {
  const fe: Frontend = {
    kind: 'ClusterIP',
    ip,
    port,
    protocol: 'TCP',
    action: 'serve',
    endpoints: [endpoint],
  };
  return {
    key: `default/${name}:p${port}/TCP`,
    namespace: 'default',
    name,
    portName: `p${port}`,
    protocol: 'TCP',
    frontends: [fe],
    localEndpointCount: 0,
  };
}

const nodeState = (ports: ServicePortState[]): NodeState => ({
  services: new Map(ports.map((p) => [p.key, p])),
  problems: [],
});

/** Connects, reads what the pod says; false on any error or after 5 s. */
function reaches(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port });
    let got = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 5000);
    s.setEncoding('utf8');
    s.on('data', (d) => {
      got += d;
      if (got.includes('pod\n')) done(true);
    });
    s.on('error', () => done(false));
    s.on('close', () => done(got.includes('pod\n')));
  });
}

async function main(): Promise<void> {
  // Read first: once descriptors run out, nothing more can be opened, not even this.
  const limit = /Max open files.*/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[0] ?? '';
  const pod = net.createServer((c) => c.end('pod\n'));
  await new Promise<void>((r) => pod.listen(0, POD_IP, r));
  const endpoint: Endpoint = {
    ip: POD_IP,
    port: (pod.address() as net.AddressInfo).port,
    ready: true,
    serving: true,
    terminating: false,
    isLocal: true,
  };
  const small = servicePort('small', SMALL_IP, FIRST_PORT, endpoint);
  const huge = Array.from({ length: hugePorts }, (_, i) =>
    servicePort('huge', HUGE_IP, FIRST_PORT + i, endpoint),
  );

  const limited: HarnessReport['limited'] = [];
  const opts: UserspaceBackendOptions = {
    log: silentLogger,
    defaultScheduler: 'random',
    onServiceFrontendsLimited: (svc, reason, message) =>
      limited.push({ service: `${svc.namespace}/${svc.name}`, reason, message }),
  };
  if (scenario !== 'cap') opts.maxFrontendsPerService = 1_000_000;
  if (scenario === 'emfile') {
    opts.descriptors = () => undefined;
    opts.reserveDescriptors = 32;
  }
  const backend = new UserspaceBackend(opts);
  if (scenario === 'emfile') await backend.apply(nodeState([small]));
  // The huge Service first, as the model's order would have it for a name sorting first.
  const result = await backend.apply(nodeState([...huge, small]));
  const codes: Record<string, number> = {};
  for (const f of result.failed) codes[f.code ?? ''] = (codes[f.code ?? ''] ?? 0) + 1;
  const report: HarnessReport = {
    limit,
    listening: result.listening,
    smallServed: await reaches(SMALL_IP, FIRST_PORT),
    hugeListening: backend.listenerKeys().filter((k) => k.includes(`${HUGE_IP}:`)).length,
    codes,
    limited,
  };
  await backend.stop();
  pod.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
