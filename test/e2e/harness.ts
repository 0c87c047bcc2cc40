/**
 * Drives the real binaries the way a user does: `bin/svcnet up --detach` in
 * a temporary data dir on a free port, and the real `kubectl` with a
 * temporary HOME (so its discovery cache starts empty). Everything started is
 * stopped and removed in `stop()`.
 */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
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

export { hasKubectl, isCI, kubectlPath, skipReason } from '../lib/kubectl.js';

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

let clusters = 0;
/**
 * A pod range of its own for each test cluster (127.200.0.0/16 – 127.253.0.0/16),
 * so clusters of parallel test files never give two pods one address.
 */
function podRange(): string {
  return `127.${200 + ((process.pid * 7 + clusters++ * 13) % 54)}.0.0/16`;
}

/**
 * Starts `svcnet up --detach` in a fresh temp dir; call `stopCluster` in an `after` hook.
 * Clusters of test files run side by side, so each gets its own pod range and DNS port,
 * and only those asking for it (`proxy: true`, with a service range of their own) run a
 * proxy: two proxies would both bind 127.96.0.1:443 and each other's node ports.
 */
export async function startCluster(
  extraFlags: string[] = [],
  opts: { proxy?: boolean } = {},
): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'svcnet-e2e-'));
  const port = await freePort();
  const c = new Cluster(dataDir, port);
  const given = (flag: string) => extraFlags.some((f) => f.startsWith(flag));
  const defaults = [
    ...(given('--cluster-cidr') ? [] : [`--cluster-cidr=${podRange()}`]),
    ...(given('--dns-port') ? [] : [`--dns-port=${await freePort()}`]),
    ...(opts.proxy ? [] : ['--no-proxy']),
  ];
  const r = c.svcnet([
    'up',
    '--detach',
    `--data-dir=${dataDir}`,
    `--port=${port}`,
    ...defaults,
    ...extraFlags,
  ]);
  if (r.code !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`svcnet up failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return c;
}

export function stopCluster(c: Cluster | undefined): void {
  if (!c) return;
  c.stop();
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
