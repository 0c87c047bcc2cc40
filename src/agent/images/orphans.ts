/**
 * Container processes outlive an agent that is killed (they run in process
 * groups of their own). The agent records each one in its root dir — pid and
 * the kernel's start time, so a reused pid is never mistaken for it — and a
 * restarted agent kills the groups a dead predecessor left before it starts
 * pods again ("found again or cleanly restarted", never run twice).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../lib/log.js';

interface Record {
  pid: number;
  startTime: string;
  pod: string;
  container: string;
  /** The container's temp working dir, removed with it. */
  dir?: string;
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export class ProcessTracker {
  constructor(
    private readonly dir: string,
    private readonly log?: Logger,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Kills what a previous agent left running; answers how many groups it killed. */
  reapOrphans(): number {
    let killed = 0;
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      const path = join(this.dir, f);
      try {
        const r = JSON.parse(readFileSync(path, 'utf8')) as Record;
        if (startTimeOf(r.pid) === r.startTime) {
          process.kill(-r.pid, 'SIGKILL');
          killed++;
          this.log?.info('Killed a container process left by a previous agent', {
            pod: r.pod,
            container: r.container,
            pid: r.pid,
          });
        }
        if (r.dir) rmSync(r.dir, { recursive: true, force: true });
      } catch {}
      rmSync(path, { force: true });
    }
    return killed;
  }

  track(pid: number, pod: string, container: string, dir?: string): void {
    const startTime = startTimeOf(pid);
    if (startTime === undefined) return;
    const r: Record = { pid, startTime, pod, container, ...(dir ? { dir } : {}) };
    try {
      writeFileSync(join(this.dir, `${pid}.json`), JSON.stringify(r));
    } catch (err) {
      this.log?.error(err, 'Could not record a container process', { pid });
    }
  }

  untrack(pid: number): void {
    rmSync(join(this.dir, `${pid}.json`), { force: true });
  }
}
