/**
 * The svcnet process behind a Cluster: its pid, waiting for it to exit,
 * starting it again on the same data dir and port.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from './harness.js';
import { settled } from './harness.js';

/** The pid the running server wrote to DATA_DIR/svcnet.pid. */
export function serverPid(c: Cluster): number {
  const pid = Number(readFileSync(join(c.dataDir, 'svcnet.pid'), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`bad pid file in ${c.dataDir}`);
  return pid;
}

/** True while `pid` runs (a zombie, left for init to reap, has exited). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits (bounded) until `pid` has exited. */
export async function waitExit(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (running(pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `svcnet up --detach` again on the cluster's data dir and port, with the flags it was started with. */
export function restart(c: Cluster, flags: string[] = []): void {
  // The flags it was started with, then these (a later flag wins).
  const r = c.svcnet([
    'up',
    '--detach',
    `--data-dir=${c.dataDir}`,
    `--port=${c.port}`,
    ...settled([...c.flags, ...flags]),
  ]);
  if (r.code !== 0) throw new Error(`svcnet up (restart) failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
}

/** The data dir's lock and run state files. */
export function runFiles(c: Cluster): { pid: boolean; run: boolean } {
  return { pid: existsSync(join(c.dataDir, 'svcnet.pid')), run: existsSync(join(c.dataDir, 'run.json')) };
}

/** The server's log so far. */
export function serverLog(c: Cluster): string {
  try {
    return readFileSync(join(c.dataDir, 'svcnet.log'), 'utf8');
  } catch {
    return '';
  }
}
