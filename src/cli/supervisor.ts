/**
 * `svcnet up`'s supervisor: runs each component (controller-manager,
 * scheduler, agent) as a child `svcnet <component>` process, restarts one
 * that exits unexpectedly with backoff (1 s doubling to 30 s, reset after a
 * minute of running), and on stop sends SIGTERM, then SIGKILL after a grace
 * period. Children share the parent's stdout/stderr (the log file when
 * detached) and exit by themselves if the parent dies (SVCNET_PARENT_PID).
 * `onChange` hears every start and exit, so what `status` shows (run.json)
 * follows restarts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from '../lib/log.js';

export interface ComponentSpec {
  name: string;
  args: string[];
}

interface Running {
  spec: ComponentSpec;
  child?: ChildProcess;
  startedAt: number;
  failures: number;
  timer?: NodeJS.Timeout;
  exited?: Promise<void>;
}

/** Each component's pid; null while it waits to be restarted. */
export type ComponentPids = Record<string, number | null>;

export class Supervisor {
  private readonly running = new Map<string, Running>();
  private stopping = false;

  constructor(
    private readonly bin: string,
    private readonly log: Logger,
    /** Called with every component's pid after one starts or exits (not while stopping). */
    private readonly onChange: (pids: ComponentPids) => void = () => {},
  ) {}

  start(spec: ComponentSpec): void {
    const r: Running = { spec, startedAt: 0, failures: 0 };
    this.running.set(spec.name, r);
    this.launch(r);
  }

  /** The pid of a running component (for tests and `status`). */
  pid(name: string): number | undefined {
    return this.running.get(name)?.child?.pid;
  }

  pids(): ComponentPids {
    return Object.fromEntries([...this.running].map(([n, r]) => [n, r.child?.pid ?? null]));
  }

  private changed(): void {
    if (this.stopping) return;
    try {
      this.onChange(this.pids());
    } catch (err) {
      this.log.error(err, 'Could not record the components');
    }
  }

  private launch(r: Running): void {
    if (this.stopping) return;
    r.startedAt = Date.now();
    const child = spawn(process.execPath, [this.bin, r.spec.name, ...r.spec.args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, SVCNET_PARENT_PID: String(process.pid) },
    });
    r.child = child;
    this.log.info('Started component', { component: r.spec.name, pid: child.pid });
    this.changed();
    r.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        r.child = undefined;
        resolve();
        if (this.stopping) return;
        this.changed();
        if (Date.now() - r.startedAt > 60_000) r.failures = 0;
        const delay = Math.min(30_000, 1000 * 2 ** r.failures);
        r.failures++;
        this.log.warn('Component exited; restarting', {
          component: r.spec.name,
          code,
          signal,
          restartInMs: delay,
        });
        r.timer = setTimeout(() => this.launch(r), delay);
      });
      child.on('error', (err) =>
        this.log.error(err, 'Component failed to start', { component: r.spec.name }),
      );
    });
  }

  /** Stops every component: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const all = [...this.running.values()];
    for (const r of all) {
      clearTimeout(r.timer);
      r.child?.kill('SIGTERM');
    }
    const kill = setTimeout(() => {
      for (const r of all) r.child?.kill('SIGKILL');
    }, graceMs);
    await Promise.all(all.map((r) => (r.child ? r.exited : undefined)));
    clearTimeout(kill);
  }
}

/** In a supervised child: exit when the parent is gone (it may have been SIGKILLed). */
export function exitWithParent(onParentGone: () => void): void {
  const parent = Number(process.env.SVCNET_PARENT_PID);
  if (!parent) return;
  const t = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(t);
      onParentGone();
    }
  }, 1000);
  t.unref();
}
