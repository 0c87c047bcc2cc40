/**
 * File descriptors: the process's RLIMIT_NOFILE and how many are open, read
 * from /proc (Linux), and the soft limit raised to the hard one.
 *
 * Go programs raise the soft limit to the hard one at start (Go 1.19,
 * os/rlimit.go), so kube-proxy is not held to the 1024 a login shell gives.
 * Node does the same at start (node.cc PlatformInit, "Raise the open file
 * descriptor limit"); `raiseNoFileLimit` checks that it holds and, if not
 * (an embedder, or a limit lowered since), raises it with util-linux's
 * `prlimit --pid` on this process: Node itself has no setrlimit.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface NoFileLimit {
  /** The limit in force (Infinity: unlimited). */
  soft: number;
  /** How far the soft limit may be raised without privilege. */
  hard: number;
}

const limitValue = (s: string): number => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));

/** The `Max open files` line of a /proc/PID/limits text, or undefined. */
export function parseNoFileLimit(limits: string): NoFileLimit | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)\s/m.exec(limits);
  return m ? { soft: limitValue(m[1]!), hard: limitValue(m[2]!) } : undefined;
}

/** This process's RLIMIT_NOFILE, or undefined without /proc. */
export function readNoFileLimit(): NoFileLimit | undefined {
  try {
    return parseNoFileLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Descriptors this process has open (/proc/self/fd, less the one reading it), or undefined without /proc. */
export function openDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}

export interface RaiseResult {
  /** The limit found, and the one in force after (the same when nothing was needed or possible). */
  before?: NoFileLimit;
  after?: NoFileLimit;
  /** Why it could not be raised (prlimit missing or refused), when it could not. */
  error?: string;
}

/**
 * Raises the soft RLIMIT_NOFILE to the hard limit when it is lower, with
 * `prlimit --pid <own pid> --nofile=HARD:HARD`. Never throws: the caller
 * logs the result.
 */
export function raiseNoFileLimit(prlimit = 'prlimit'): RaiseResult {
  const before = readNoFileLimit();
  if (!before || before.soft >= before.hard) return { before, after: before };
  const hard = Number.isFinite(before.hard) ? String(before.hard) : 'unlimited';
  try {
    execFileSync(prlimit, ['--pid', String(process.pid), `--nofile=${hard}:${hard}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 5000,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    const why = e.stderr?.toString().trim() || e.message;
    return { before, after: readNoFileLimit(), error: why };
  }
  return { before, after: readNoFileLimit() };
}
