/**
 * What the benchmarks that run svcnet's processes share: timing helpers,
 * child processes and temp dirs that are always cleaned up (also when a
 * benchmark fails or is interrupted), free ports, and the repository root.
 * (Under bench/lib/ so the benchmark runner does not take it for a benchmark.)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The p-quantile (0..1) of unsorted samples. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : Number.NaN;
}

export const fmtMs = (x: number, digits = 2) => `${x.toFixed(digits)} ms`;

const children: ChildProcess[] = [];
const dirs: string[] = [];

/** Kills the child at the end of the run, whatever happens. */
export function track<C extends ChildProcess>(child: C): C {
  children.push(child);
  return child;
}

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function cleanup(): void {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/** Ends the run at once, children killed and temp dirs removed. */
export function abort(name: string, code: number, message: string): never {
  console.error(`${name} benchmark: ${message}`);
  cleanup();
  process.exit(code);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/** Runs fn over items, n at a time. */
export async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

/** The repository root (from bench/lib or dist/bench/lib). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 5; k++) {
    try {
      if (
        (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'svcnet'
      )
        return dir;
    } catch {}
    dir = resolve(dir, '..');
  }
  throw new Error('repository root not found');
}

/** `svcnet` from the build, for running components as the user does. */
export const svcnetMain = () => join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

/** Starts the API server in a child process (bench/lib/api-child); resolves with its kubeconfig path. */
export function startApiServer(storage: 'sqlite' | 'memory', prefix = 'svcnet-bench-api-'): Promise<string> {
  const dataDir = tempDir(prefix);
  const script = fileURLToPath(new URL('./api-child.js', import.meta.url));
  const child = track(fork(script, [dataDir, storage], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  return new Promise((res, rej) => {
    child.once('message', (m) => res((m as { kubeconfig: string }).kubeconfig));
    child.once('exit', (code) => rej(new Error(`API server exited (code ${code}) before it served`)));
  });
}
