/**
 * What a running `svcnet up` leaves in its data dir so that `status`, `down`
 * and a second `up` can find it: DATA_DIR/svcnet.pid (the lock, created
 * exclusively) and DATA_DIR/run.json (where it serves).
 */
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { SvcnetError } from '../lib/errors.js';

export interface RunState {
  pid: number;
  startedAt: string;
  apiServer: string;
  kubeconfig: string;
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  storage: string;
  version: string;
  logFile?: string;
  /** This machine's Node, when the agent runs. */
  nodeName?: string;
  /** Where the cluster DNS server answers, and kube-dns's ClusterIP. */
  dns?: string;
  kubeDns?: string;
  /** Where the node-local servers listen (`dns`, `dns-metrics`, `proxy-healthz`, ...): host:port. */
  listeners?: Record<string, string>;
  /** Supervised components' current pids (rewritten on every restart; null while one waits to restart). */
  components?: Record<string, number | null>;
}

export const pidFile = (dataDir: string) => join(dataDir, 'svcnet.pid');
export const runFile = (dataDir: string) => join(dataDir, 'run.json');

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A detached server that exited stays a zombie until its new parent reaps it: that is gone, too.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The pid of a live svcnet owning this data dir, if any. */
export function runningPid(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile(dataDir), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  // A recycled pid that isn't ours doesn't count.
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmd.includes('svcnet')) return undefined;
  } catch {
    // No /proc: trust the pid.
  }
  return pid;
}

/**
 * Components of a previous run whose `up` died (SIGKILL) still alive: they
 * notice within a second and stop by themselves, holding their ports until
 * then. Empty when a live svcnet owns the data dir or nothing was recorded.
 */
export function strandedComponents(dataDir: string): number[] {
  if (runningPid(dataDir) !== undefined) return [];
  const pids = Object.values(readRunState(dataDir)?.components ?? {});
  return pids.filter((p): p is number => typeof p === 'number' && p > 0 && isAlive(p) && isSvcnet(p));
}

/** Whether `pid` runs svcnet (a recycled pid does not count); true without /proc. */
function isSvcnet(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('svcnet');
  } catch {
    return !existsSync('/proc/self');
  }
}

/**
 * Takes the data dir for this process; throws with the owner's pid when a
 * live svcnet holds it. A stale pid file (dead owner) is replaced.
 */
export function lockDataDir(dataDir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(pidFile(dataDir), 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = runningPid(dataDir);
      if (owner !== undefined && owner !== process.pid) {
        throw new AlreadyRunningError(dataDir, owner);
      }
      rmSync(pidFile(dataDir), { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

export function releaseDataDir(dataDir: string): void {
  try {
    if (Number(readFileSync(pidFile(dataDir), 'utf8').trim()) === process.pid)
      rmSync(pidFile(dataDir), { force: true });
  } catch {
    // Already gone.
  }
  rmSync(runFile(dataDir), { force: true });
}

/** Written whole and renamed into place: it is rewritten while running, and `status` must never read half of it. */
export function writeRunState(dataDir: string, s: RunState): void {
  const tmp = `${runFile(dataDir)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(tmp, runFile(dataDir));
}

export function readRunState(dataDir: string): RunState | undefined {
  try {
    return JSON.parse(readFileSync(runFile(dataDir), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

export class AlreadyRunningError extends SvcnetError {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      'ALREADY_RUNNING',
      `svcnet is already running on ${dataDir} (pid ${pid}); use 'svcnet status' to see it or 'svcnet down' to stop it`,
    );
  }
}
