/**
 * Drives the real binaries the way a user does: `bin/svcnet up --detach` in
 * a temporary data dir on a free port, and the real `kubectl` with a
 * temporary HOME (so its discovery cache starts empty). Everything started is
 * stopped and removed in `stop()`.
 */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlPath } from '../lib/kubectl.js';

/** The repository root, from dist/test/e2e or test/e2e. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'svcnet') return dir;
    } catch {}
    dir = resolve(dir, '..');
  }
  throw new Error('repository root not found');
})();

export const svcnetBin = join(repoRoot, 'bin', 'svcnet');

export { hasKubectl, isCI, kubectlPath, skipReason, toolSkipReason } from '../lib/kubectl.js';

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
    s.on('error', reject);
  });
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const result = (r: SpawnSyncReturns<string>): Result => ({
  code: r.status ?? -1,
  stdout: r.stdout ?? '',
  stderr: r.stderr ?? '',
});

export class Cluster {
  readonly home: string;
  readonly kubeconfig: string;

  constructor(
    readonly dataDir: string,
    readonly port: number,
    /** `up --node-ip`: where its DNS, NodePorts and node health and metrics servers listen. */
    readonly nodeIP = '127.0.0.1',
    /** The `up` flags it was started with (its addresses, ...): a restart passes them again. */
    readonly flags: string[] = [],
  ) {
    this.home = join(dataDir, 'home');
    this.kubeconfig = join(dataDir, 'kubeconfig');
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, HOME: this.home, KUBECONFIG: this.kubeconfig, ...extra };
  }

  /** Runs kubectl synchronously; `input` goes to its stdin. */
  kubectl(
    args: string[],
    opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
  ): Result {
    return result(
      spawnSync(kubectlPath(), args, {
        env: this.env(opts.env),
        input: opts.input,
        encoding: 'utf8',
        timeout: opts.timeoutMs ?? 60_000,
      }),
    );
  }

  /** Runs kubectl and fails with its output unless it exits 0. */
  ok(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): string {
    const r = this.kubectl(args, opts);
    if (r.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  /** Starts a long-running kubectl (e.g. `get -w`); collect its output, then kill it. */
  kubectlAsync(args: string[]): { output: () => string; stderr: () => string; kill: () => Promise<void> } {
    const p = spawn(kubectlPath(), args, { env: this.env() });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    return {
      output: () => out,
      stderr: () => err,
      kill: () =>
        new Promise((r) => {
          if (p.exitCode !== null) return r();
          p.once('exit', () => r());
          p.kill('SIGTERM');
        }),
    };
  }

  svcnet(args: string[]): Result {
    return result(
      spawnSync(process.execPath, [svcnetBin, ...args], {
        encoding: 'utf8',
        env: this.env(),
        timeout: 90_000,
      }),
    );
  }

  writeFile(name: string, content: string): string {
    const p = join(this.dataDir, name);
    writeFileSync(p, content);
    return p;
  }

  stop(): void {
    this.svcnet(['down', `--data-dir=${this.dataDir}`]);
  }
}

/** Releases the ranges held by each running cluster (see `reserveRange`); `stopCluster` calls it. */
const held = new WeakMap<Cluster, () => void>();

/**
 * Reserves the first free of `127.<second>.0.0/16` for `seconds`, across every process on this
 * machine: a range is taken while someone listens on its last address, which neither a pod
 * (node /24s are allocated from the start) nor a ClusterIP (the allocator never hands out the
 * broadcast address) ever gets. The kernel frees it when the holder stops or dies. Clusters
 * of test files running side by side must not share a pod range (two pods with one address:
 * the second one's netexec cannot bind, and its rollout never completes) nor, when both run a
 * proxy, a service range (both proxies would bind the same ClusterIPs). A range where anything
 * else listens is skipped too: a cluster left running by a test process that was killed holds
 * its range without the reservation.
 */
async function reserveRange(seconds: number[], what: string): Promise<{ cidr: string; server: Server }> {
  const start = process.pid % seconds.length;
  const busy = listeningSeconds();
  for (let i = 0; i < seconds.length; i++) {
    const second = seconds[(start + i) % seconds.length]!;
    if (busy.has(second)) continue;
    const server = createServer();
    const bound = await new Promise<boolean>((r) => {
      server.once('error', () => r(false));
      server.listen(65535, `127.${second}.255.255`, () => r(true));
    });
    if (bound) {
      server.unref();
      return { cidr: `127.${second}.0.0/16`, server };
    }
  }
  throw new Error(`every ${what} range is taken by other test clusters`);
}

/**
 * The second octets of 127.X.0.0/16 ranges where a TCP socket listens or a UDP socket is bound
 * (/proc/net/tcp and udp: local addresses as little-endian hex). Empty where /proc has none.
 */
function listeningSeconds(): Set<number> {
  const out = new Set<number>();
  for (const [file, state] of [
    ['/proc/net/tcp', '0A'],
    ['/proc/net/udp', '07'],
  ] as const) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1]?.split(':')[0];
      if (f[3] !== state || local?.length !== 8) continue;
      // Little-endian: the first octet is the last byte.
      if (Number.parseInt(local.slice(6, 8), 16) === 127) out.add(Number.parseInt(local.slice(4, 6), 16));
    }
  }
  return out;
}

const span = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Flags that give one cluster addresses of its own, and the ranges held for it until `release()`. */
export interface ClusterFlags {
  flags: string[];
  nodeIP: string;
  release(): void;
}

/**
 * Clusters of test files run side by side, so each gets its own pod range (one of
 * 127.200.0.0/16 to 127.253.0.0/16), a node IP in it (`127.X.255.254`, which no pod gets: its
 * DNS, NodePorts and node health and metrics servers listen there) and a DNS port; only those
 * asking for it (`proxy: true`) run a proxy, with a service range of its own (one of
 * 127.112.0.0/16 to 127.127.0.0/16): two proxies would both bind 127.96.0.1:443. Flags the
 * caller gives in `extraFlags` win.
 */
export async function reserveClusterFlags(
  extraFlags: string[] = [],
  opts: { proxy?: boolean } = {},
): Promise<ClusterFlags> {
  const given = (flag: string) => extraFlags.some((f) => f.startsWith(flag));
  const ranges: Server[] = [];
  const release = () => {
    for (const r of ranges) r.close();
  };
  try {
    const pods = await reserveRange(span(200, 253), '--cluster-cidr');
    ranges.push(pods.server);
    // An IPv6 primary service range makes the node IPv6: it keeps the default, ::1.
    const v6 = extraFlags.some((f) => /^--service-cluster-ip-range=[^,]*:/.test(f));
    const nodeIP = v6 ? '::1' : pods.cidr.replace('.0.0/16', '.255.254');
    const services = opts.proxy
      ? await reserveRange(span(112, 127), '--service-cluster-ip-range')
      : undefined;
    if (services) ranges.push(services.server);
    const flags = [
      ...(given('--cluster-cidr') ? [] : [`--cluster-cidr=${pods.cidr}`]),
      ...(given('--node-ip') || v6 ? [] : [`--node-ip=${nodeIP}`]),
      ...(services && !given('--service-cluster-ip-range')
        ? [`--service-cluster-ip-range=${services.cidr}`]
        : []),
      ...(given('--dns-port') ? [] : [`--dns-port=${await freePort()}`]),
      ...(opts.proxy ? [] : ['--no-proxy']),
    ];
    const nodeFlag = extraFlags.find((f) => f.startsWith('--node-ip='));
    return { flags, nodeIP: nodeFlag ? nodeFlag.slice('--node-ip='.length) : nodeIP, release };
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * `--wait` unless the flags say otherwise: tests start from a settled cluster (node Ready,
 * kube-dns published and answering, the proxy serving), never from one still starting.
 */
export const settled = (flags: string[]): string[] =>
  flags.some((f) => f.startsWith('--wait')) ? flags : [...flags, '--wait=120s'];

/** Starts `svcnet up --detach` in a fresh temp dir (see `reserveClusterFlags`); call `stopCluster` in an `after` hook. */
export async function startCluster(
  extraFlags: string[] = [],
  opts: { proxy?: boolean } = {},
): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'svcnet-e2e-'));
  const port = await freePort();
  const own = await reserveClusterFlags(extraFlags, opts);
  const c = new Cluster(dataDir, port, own.nodeIP, [...own.flags, ...extraFlags]);
  const r = c.svcnet(['up', '--detach', `--data-dir=${dataDir}`, `--port=${port}`, ...settled(c.flags)]);
  if (r.code !== 0) {
    own.release();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`svcnet up failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  held.set(c, own.release);
  return c;
}

export function stopCluster(c: Cluster | undefined): void {
  if (!c) return;
  c.stop();
  held.get(c)?.();
  rmSync(c.dataDir, { recursive: true, force: true });
}

/** Polls until fn returns a truthy value (or throws after timeoutMs). */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
