/**
 * The remotecommand sessions behind exec and attach, apart from any wire
 * protocol: a transport (WebSocket channels, SPDY streams) hands a session
 * the client's stdin, sinks for stdout/stderr and terminal sizes, and gets
 * back the Status kubelet reports at the end (success, NonZeroExitCode with
 * the exit code as its cause, or an internal error).
 *
 * exec runs the command as a real local program (node-pty when a terminal is
 * asked for) with the container's environment, in its working directory;
 * attach connects to the container's own stdin and output.
 */
import { spawn as spawnChild } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable } from 'node:stream';
import { spawn as spawnPty } from 'node-pty';
import { findExecutable, killGroup } from '../images/process.js';
import { mapCommand } from './paths.js';

export interface TerminalSize {
  width: number;
  height: number;
}

/** Which streams the client asked for (kubelet's remotecommand Options). */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** What a transport gives a session. */
export interface SessionIO {
  /** The client's stdin (when asked for): data, then the end when the client closes it. */
  stdin?: Readable;
  /**
   * Sinks for output; a stream the client did not ask for is dropped by the transport. False:
   * the transport holds more than its high-water mark; pause the source until onDrain.
   */
  stdout(data: Buffer): boolean;
  stderr(data: Buffer): boolean;
  /** Calls back once when what the transport holds is below its high-water mark again. */
  onDrain(listener: () => void): void;
  /** Output bytes the transport holds, not yet handed to the network. */
  readonly buffered: number;
  /** Registers the listener for terminal sizes the client sends. */
  onResize(listener: (size: TerminalSize) => void): void;
  /** Aborted when the client went away. */
  signal: AbortSignal;
}

/** The metav1.Status kubelet writes on the error channel (field order as Go marshals it). */
export interface StreamStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

export const successStatus = (): StreamStatus => ({ metadata: {}, status: 'Success' });

/** kubelet's status for a command that exited non-zero (NonZeroExitCode, cause ExitCode). */
export function exitCodeStatus(code: number, command: readonly string[]): StreamStatus {
  return {
    metadata: {},
    status: 'Failure',
    // containerd's CodeExitError text, wrapped as kubelet wraps it.
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** apierrors.NewInternalError as kubelet reports a failed exec/attach. */
export function internalErrorStatus(message: string): StreamStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

/** Where an exec'd command runs: the container's environment and the pod's root directory. */
export interface ExecTarget {
  /** The container's environment (HOSTNAME included). */
  env: Record<string, string>;
  /** The directory that is the pod's `/` (podfs.ts). */
  root: string;
  /** The working directory on this machine. */
  cwd: string;
  /** Records the command's process group so an agent restarted after a crash kills it (orphans.ts). */
  tracker?: { track(pid: number): void; untrack(pid: number): void };
}

/** runc's text for a program that cannot be started, with the shell's exit codes (127 missing, 126 not executable). */
function notStartable(program: string, why: 'missing' | 'denied'): { text: string; code: number } {
  const cause = why === 'missing' ? 'executable file not found in $PATH' : 'permission denied';
  return {
    text: `OCI runtime exec failed: exec failed: unable to start container process: exec: ${JSON.stringify(program)}: ${cause}: unknown\r\n`,
    code: why === 'missing' ? 127 : 126,
  };
}

const signalCode = (sig: NodeJS.Signals | number | null | undefined): number => {
  if (sig === null || sig === undefined || sig === 0) return 0;
  const n = typeof sig === 'number' ? sig : (osConstants.signals[sig] ?? 0);
  return 128 + n;
};

/** Pauses `source` while the transport is full (`sink` answered false), resumes once it drained. */
function throttled(io: SessionIO, sink: (d: Buffer) => boolean, pause: () => void, resume: () => void) {
  let paused = false;
  return (data: Buffer) => {
    if (sink(data) || paused) return;
    paused = true;
    pause();
    io.onDrain(() => {
      paused = false;
      resume();
    });
  };
}

/**
 * Runs `command` for a client: its exit code becomes the Status. A client
 * that goes away kills the command (its whole process group).
 */
export async function runExec(
  target: ExecTarget,
  command: readonly string[],
  opts: StreamOptions,
  io: SessionIO,
): Promise<StreamStatus> {
  if (command.length === 0) return internalErrorStatus('error executing command in container: no command');
  const argv = mapCommand(command, target.root);
  const env = { ...target.env, PATH: target.env.PATH ?? process.env.PATH ?? '/usr/bin:/bin' };
  const program = argv[0]!;
  const file = findExecutable(program, env.PATH);
  if (!file) {
    const { text, code } = notStartable(
      program,
      program.includes('/') && existsSync(program) ? 'denied' : 'missing',
    );
    (opts.tty ? io.stdout : io.stderr)(Buffer.from(text));
    return exitCodeStatus(code, command);
  }
  const code = opts.tty
    ? await runInPty(file, argv, env, target, io)
    : await runPiped(file, argv, env, target, opts, io);
  if (code === 'aborted') return successStatus();
  return code === 0 ? successStatus() : exitCodeStatus(code, command);
}

function runPiped(
  file: string,
  argv: string[],
  env: Record<string, string>,
  target: ExecTarget,
  opts: StreamOptions,
  io: SessionIO,
): Promise<number | 'aborted'> {
  return new Promise((resolve) => {
    const child = spawnChild(file, argv.slice(1), {
      argv0: argv[0],
      cwd: target.cwd,
      env,
      detached: true,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid !== undefined) target.tracker?.track(pid);
    const onAbort = () => pid !== undefined && killGroup(pid, 'SIGKILL');
    io.signal.addEventListener('abort', onAbort, { once: true });
    for (const [from, sink] of [
      [child.stdout, io.stdout],
      [child.stderr, io.stderr],
    ] as const) {
      if (!from) continue;
      from.on(
        'data',
        throttled(
          io,
          sink,
          () => from.pause(),
          () => from.resume(),
        ),
      );
    }
    if (child.stdin && io.stdin) {
      child.stdin.on('error', () => {});
      // pipe() stops reading the client's stdin while the command's is full.
      io.stdin.pipe(child.stdin);
    }
    child.once('error', (err) => {
      io.signal.removeEventListener('abort', onAbort);
      io.stderr(Buffer.from(`${err.message}\n`));
      resolve(126);
    });
    // 'close': the exit and all of the output read.
    child.once('close', (code, signal) => {
      io.signal.removeEventListener('abort', onAbort);
      // What the command left running in its group goes with it, as in a container's exec.
      if (pid !== undefined) {
        killGroup(pid, 'SIGKILL');
        target.tracker?.untrack(pid);
      }
      resolve(io.signal.aborted ? 'aborted' : (code ?? signalCode(signal)));
    });
  });
}

function runInPty(
  file: string,
  argv: string[],
  env: Record<string, string>,
  target: ExecTarget,
  io: SessionIO,
): Promise<number | 'aborted'> {
  return new Promise((resolve) => {
    // encoding null: bytes both ways, so split or non-UTF-8 sequences pass through untouched.
    const term = spawnPty(file, argv.slice(1), {
      name: env.TERM ?? 'xterm',
      cols: 80,
      rows: 24,
      cwd: target.cwd,
      env,
      encoding: null,
    });
    target.tracker?.track(term.pid);
    let exited = false;
    const onAbort = () => killGroup(term.pid, 'SIGKILL');
    io.signal.addEventListener('abort', onAbort, { once: true });
    io.onResize((s) => {
      // A size that arrives after the exit would resize a closed terminal: node-pty throws.
      if (exited || s.width <= 0 || s.height <= 0) return;
      try {
        term.resize(s.width, s.height);
      } catch {}
    });
    const out = throttled(
      io,
      io.stdout,
      () => term.pause(),
      () => {
        if (!exited) term.resume();
      },
    );
    const data = term.onData((d: string | Buffer) => out(typeof d === 'string' ? Buffer.from(d) : d));
    const write = (b: Buffer) => {
      if (exited || b.length === 0) return;
      try {
        term.write(b);
      } catch {}
    };
    io.stdin?.on('data', write);
    // A closed stdin is end-of-file at the terminal.
    io.stdin?.on('end', () => write(Buffer.from([4])));
    term.onExit(({ exitCode, signal }) => {
      exited = true;
      io.signal.removeEventListener('abort', onAbort);
      killGroup(term.pid, 'SIGKILL');
      target.tracker?.untrack(term.pid);
      // node-pty reports the exit after the last output it read; give pending reads a turn.
      setImmediate(() => {
        data.dispose();
        resolve(io.signal.aborted ? 'aborted' : signal ? signalCode(signal) : exitCode);
      });
    });
  });
}

/** How far (bytes the transport holds) an attached client may fall behind the container's output. */
export const ATTACH_MAX_BEHIND = 8 * 1024 * 1024;

/** A running container's own streams, for attach (the pod worker provides it). */
export interface AttachTarget {
  tty: boolean;
  /** The container was started with its stdin open (spec.stdin). */
  stdin: boolean;
  stdinOnce: boolean;
  /** Output from now on, until the returned function is called. */
  subscribe(listener: (stream: 'stdout' | 'stderr', data: string) => void): () => void;
  /** False: the container's stdin is full; wait for onStdinDrain. */
  write(data: Buffer): boolean;
  onStdinDrain(listener: () => void): void;
  closeStdin(): void;
  resize(size: TerminalSize): void;
  /** Resolves when the container ends. */
  exited: Promise<unknown>;
}

/**
 * Attaches the client to a running container until it ends or the client
 * leaves. stdinOnce: the container's stdin closes when the client closes its
 * stdin (without a terminal) or detaches, as containerd does.
 */
export async function runAttach(
  target: AttachTarget,
  opts: StreamOptions,
  io: SessionIO,
): Promise<StreamStatus> {
  // The container's output cannot wait for one client: a client this far behind is dropped.
  let tooSlow: (() => void) | undefined;
  const dropped = new Promise<void>((resolve) => {
    tooSlow = resolve;
  });
  const unsubscribe = target.subscribe((stream, data) => {
    if (io.buffered > ATTACH_MAX_BEHIND) return tooSlow?.();
    const buf = Buffer.from(data, 'utf8');
    if (stream === 'stderr' && !target.tty) io.stderr(buf);
    else io.stdout(buf);
  });
  const useStdin = opts.stdin && target.stdin && io.stdin;
  if (useStdin) {
    const stdin = io.stdin!;
    // The client's stdin waits while the container's is full (the transport stops reading it).
    stdin.on('data', (c: Buffer) => {
      if (target.write(c)) return;
      stdin.pause();
      target.onStdinDrain(() => stdin.resume());
    });
    io.stdin!.on('end', () => {
      if (target.stdinOnce && !target.tty) target.closeStdin();
    });
  }
  if (target.tty) io.onResize((s) => target.resize(s));
  const aborted = new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const slow = await Promise.race([target.exited, aborted, dropped.then(() => 'slow' as const)]);
  unsubscribe();
  if (useStdin && target.stdinOnce) target.closeStdin();
  if (slow === 'slow')
    return internalErrorStatus(`attach: the client fell ${ATTACH_MAX_BEHIND >> 20} MiB behind the output`);
  return successStatus();
}
