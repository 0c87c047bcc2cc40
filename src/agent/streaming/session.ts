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
import { findExecutable } from '../images/process.js';
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
  /** Sinks for output; a stream the client did not ask for is dropped by the transport. */
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
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

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: already gone.
  }
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
    ? await runInPty(file, argv, env, target.cwd, io)
    : await runPiped(file, argv, env, target.cwd, opts, io);
  if (code === 'aborted') return successStatus();
  return code === 0 ? successStatus() : exitCodeStatus(code, command);
}

function runPiped(
  file: string,
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  opts: StreamOptions,
  io: SessionIO,
): Promise<number | 'aborted'> {
  return new Promise((resolve) => {
    const child = spawnChild(file, argv.slice(1), {
      argv0: argv[0],
      cwd,
      env,
      detached: true,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const onAbort = () => killGroup(child.pid, 'SIGKILL');
    io.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (c: Buffer) => io.stdout(c));
    child.stderr?.on('data', (c: Buffer) => io.stderr(c));
    if (child.stdin && io.stdin) {
      child.stdin.on('error', () => {});
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
      killGroup(child.pid, 'SIGKILL');
      resolve(io.signal.aborted ? 'aborted' : (code ?? signalCode(signal)));
    });
  });
}

function runInPty(
  file: string,
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  io: SessionIO,
): Promise<number | 'aborted'> {
  return new Promise((resolve) => {
    const term = spawnPty(file, argv.slice(1), { name: env.TERM ?? 'xterm', cols: 80, rows: 24, cwd, env });
    const onAbort = () => killGroup(term.pid, 'SIGKILL');
    io.signal.addEventListener('abort', onAbort, { once: true });
    io.onResize((s) => {
      if (s.width > 0 && s.height > 0) term.resize(s.width, s.height);
    });
    const data = term.onData((d) => io.stdout(Buffer.from(d, 'utf8')));
    io.stdin?.on('data', (c: Buffer) => term.write(c.toString('utf8')));
    // A closed stdin is end-of-file at the terminal.
    io.stdin?.on('end', () => term.write('\x04'));
    term.onExit(({ exitCode, signal }) => {
      io.signal.removeEventListener('abort', onAbort);
      killGroup(term.pid, 'SIGKILL');
      // node-pty reports the exit after the last output it read; give pending reads a turn.
      setImmediate(() => {
        data.dispose();
        resolve(io.signal.aborted ? 'aborted' : signal ? signalCode(signal) : exitCode);
      });
    });
  });
}

/** A running container's own streams, for attach (the pod worker provides it). */
export interface AttachTarget {
  tty: boolean;
  /** The container was started with its stdin open (spec.stdin). */
  stdin: boolean;
  stdinOnce: boolean;
  /** Output from now on, until the returned function is called. */
  subscribe(listener: (stream: 'stdout' | 'stderr', data: string) => void): () => void;
  write(data: Buffer): void;
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
  const unsubscribe = target.subscribe((stream, data) => {
    const buf = Buffer.from(data, 'utf8');
    if (stream === 'stderr' && !target.tty) io.stderr(buf);
    else io.stdout(buf);
  });
  const useStdin = opts.stdin && target.stdin && io.stdin;
  if (useStdin) {
    io.stdin!.on('data', (c: Buffer) => target.write(c));
    io.stdin!.on('end', () => {
      if (target.stdinOnce && !target.tty) target.closeStdin();
    });
  }
  if (target.tty) io.onResize((s) => target.resize(s));
  const aborted = new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await Promise.race([target.exited, aborted]);
  unsubscribe();
  if (useStdin && target.stdinOnce) target.closeStdin();
  return successStatus();
}
