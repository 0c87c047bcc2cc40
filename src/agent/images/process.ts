/**
 * A container that is a real local program: its own process group (so kill()
 * reaches everything it started), the container's environment plus PATH, a
 * working directory of its own, output to the container's log sinks. When the
 * main process ends, whatever it left behind in its group is killed, as a
 * container's PID namespace goes with its init process.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type IPty, spawn as spawnPty } from 'node-pty';
import { goQuote } from '../../k8s/gofmt.js';
import type { ProcessTracker } from './orphans.js';
import { IMAGE_PATH } from './reference.js';
import { type ContainerSpec, type ExitStatus, type RunningContainer, StartError } from './types.js';

/** Finds `program` as exec does: a path is taken as is, a bare name searched on PATH. */
export function findExecutable(program: string, path: string): string | undefined {
  const isExec = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (program === '') return undefined;
  if (program.includes('/')) return isExec(program) ? program : undefined;
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, program);
    if (isExec(p)) return p;
  }
  return undefined;
}

/** The PATH a process container searches: the pod's own, else this machine's. */
export function containerPath(env: Record<string, string>): string {
  return env.PATH ?? process.env.PATH ?? IMAGE_PATH;
}

/** How long the pipes may stay open after the main process ended before we stop waiting. */
const PIPE_GRACE_MS = 1000;

/** Signals a process group (a container's, an exec'd command's); one already gone is no error. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs argv as a process container. A program not found here, a missing
 * workingDir or a failed spawn reject with StartError('RunContainerError').
 */
export async function startProcess(
  spec: ContainerSpec,
  argv: string[],
  tracker?: ProcessTracker,
): Promise<RunningContainer> {
  const env = { ...spec.env, PATH: containerPath(spec.env) };
  const file = findExecutable(argv[0] ?? '', env.PATH);
  if (!file) {
    throw new StartError(
      'RunContainerError',
      `exec: ${goQuote(argv[0] ?? '')}: executable file not found in $PATH on this machine`,
    );
  }
  let cwd = spec.workingDir;
  let tmp: string | undefined;
  if (cwd) {
    let isDir = false;
    try {
      isDir = statSync(cwd).isDirectory();
    } catch {}
    if (!isDir) {
      throw new StartError(
        'RunContainerError',
        `working directory ${goQuote(cwd)} does not exist on this machine`,
      );
    }
  } else {
    tmp = mkdtempSync(join(tmpdir(), `svcnet-${spec.podName}-${spec.containerName}-`));
    cwd = tmp;
  }
  const cleanup = () => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
  if (spec.tty) return startInTerminal(spec, file, argv, env, cwd, cleanup, tracker, tmp);
  const child = spawn(file, argv.slice(1), {
    argv0: argv[0],
    cwd,
    env,
    detached: true,
    // spec.stdin: a pipe kept open for attach; else end-of-file at once, as a container without stdin.
    stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (err) {
    cleanup();
    throw new StartError('RunContainerError', `exec ${goQuote(argv[0])}: ${(err as Error).message}`);
  }
  const pid = child.pid!;
  tracker?.track(pid, `${spec.namespace}/${spec.podName}`, spec.containerName, tmp);
  child.stdout!.setEncoding('utf8').on('data', (c: string) => spec.stdout(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => spec.stderr(c));

  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      // The container's init is gone: so is everything else it started.
      killGroup(pid, 'SIGKILL');
      tracker?.untrack(pid);
      let status: ExitStatus;
      if (signal) {
        const num = osConstants.signals[signal] ?? 0;
        status = { exitCode: 128 + num, signal, reason: 'Error' };
      } else {
        status = { exitCode: code ?? 0, reason: code === 0 ? 'Completed' : 'Error' };
      }
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        cleanup();
        resolve(status);
      };
      // Let the pipes drain so the log is complete; a daemon that escaped the group cannot hold us.
      const timer = setTimeout(() => {
        child.stdout!.destroy();
        child.stderr!.destroy();
        done();
      }, PIPE_GRACE_MS);
      if (child.stdout!.closed && child.stderr!.closed) done();
      else child.once('close', done);
    });
  });
  const input = child.stdin;
  return {
    pid,
    exited,
    kill(signal: 'SIGTERM' | 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) killGroup(pid, signal);
    },
    ...(input
      ? {
          stdin: {
            write: (data: Buffer) => (input.writable ? input.write(data) : true),
            onDrain: (l: () => void) => {
              if (!input.writableNeedDrain || !input.writable) return l();
              const done = () => {
                input.off('drain', done);
                input.off('close', done);
                l();
              };
              input.on('drain', done);
              input.on('close', done);
            },
            end: () => input.end(),
          },
        }
      : {}),
  };
}

/** A process container in a terminal (spec.tty): node-pty, output as stdout, stdin its keyboard. */
async function startInTerminal(
  spec: ContainerSpec,
  file: string,
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  cleanup: () => void,
  tracker: ProcessTracker | undefined,
  tmp: string | undefined,
): Promise<RunningContainer> {
  let term: IPty;
  try {
    term = spawnPty(file, argv.slice(1), { name: env.TERM ?? 'xterm', cols: 80, rows: 24, cwd, env });
  } catch (err) {
    cleanup();
    throw new StartError('RunContainerError', `exec ${goQuote(argv[0] ?? '')}: ${(err as Error).message}`);
  }
  const pid = term.pid;
  tracker?.track(pid, `${spec.namespace}/${spec.podName}`, spec.containerName, tmp);
  let running = true;
  const output = term.onData((d) => spec.stdout(d));
  const exited = new Promise<ExitStatus>((resolve) => {
    term.onExit(({ exitCode, signal }) => {
      running = false;
      killGroup(pid, 'SIGKILL');
      tracker?.untrack(pid);
      // The last output node-pty read comes before its exit report; let it through.
      setImmediate(() => {
        output.dispose();
        cleanup();
        if (signal) {
          const name = Object.entries(osConstants.signals).find(([, n]) => n === signal)?.[0];
          resolve({ exitCode: 128 + signal, ...(name ? { signal: name } : {}), reason: 'Error' });
        } else resolve({ exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' });
      });
    });
  });
  return {
    pid,
    exited,
    kill(signal: 'SIGTERM' | 'SIGKILL') {
      if (running) killGroup(pid, signal);
    },
    ...(spec.stdin
      ? {
          stdin: {
            write: (data: Buffer) => {
              // Bytes as they came: a string would turn split or non-UTF-8 sequences into U+FFFD.
              if (running) term.write(data);
              // node-pty queues what the terminal does not take yet; it tells nothing of its backlog.
              return true;
            },
            onDrain: (l: () => void) => l(),
            // A terminal has no end of its input: end-of-file is the EOF character.
            end: () => {
              if (running) term.write(Buffer.from([4]));
            },
            resize: (width: number, height: number) => {
              if (running && width > 0 && height > 0) term.resize(width, height);
            },
          },
        }
      : {}),
  };
}
