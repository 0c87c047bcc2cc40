/**
 * Structured logging the way Kubernetes components log, to stderr: klog's
 * text format by default (`I1122 04:05:06.123456  1234 apiserver] "msg" k="v"`)
 * and `--logging-format=json` for JSON lines (`{"ts":1732248306.123,"v":0,"msg":...}`).
 * pino does the serialising; the text format re-renders pino's JSON lines.
 */
import { type Logger as Pino, pino } from 'pino';
import { causeChain, errCode, errText } from './errors.js';

export type LogFormat = 'text' | 'json';

export interface LogOptions {
  format?: LogFormat;
  /** Messages with verbosity above this are dropped (`-v`). */
  verbosity?: number;
  /** Where lines go; default stderr. */
  write?: (line: string) => void;
}

export type KV = Record<string, unknown>;

export interface Logger {
  info(msg: string, kv?: KV): void;
  /** An error: rendered as `err="..."`, with `code=` and `cause=` when the error has them. */
  error(err: unknown, msg: string, kv?: KV): void;
  warn(msg: string, kv?: KV): void;
  /** Info at verbosity `level` (shown when -v >= level). */
  v(level: number): { info(msg: string, kv?: KV): void; enabled: boolean };
  /** A logger for a named component (shown in place of klog's file:line). */
  named(name: string): Logger;
  with(kv: KV): Logger;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** One JSON line from pino → klog's text header + quoted message + key=value pairs. */
export function klogLine(rec: Record<string, unknown>): string {
  const {
    ts,
    v: _v,
    msg,
    level,
    logger,
    err,
    ...kv
  } = rec as {
    ts: number;
    v?: number;
    msg: string;
    level?: string;
    logger?: string;
    err?: unknown;
  } & KV;
  const d = new Date(ts * 1000);
  const micros = pad(Math.round((ts * 1e6) % 1e6), 6);
  const sev = level === 'error' ? 'E' : level === 'warn' ? 'W' : 'I';
  const head = `${sev}${pad(d.getMonth() + 1)}${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${micros} ${String(process.pid).padStart(7)} ${logger ?? 'svcnet'}]`;
  let line = `${head} ${JSON.stringify(msg)}`;
  if (err !== undefined) line += ` err=${JSON.stringify(String(err))}`;
  for (const [k, val] of Object.entries(kv)) {
    line += ` ${k}=${typeof val === 'string' ? JSON.stringify(val) : JSON.stringify(val)}`;
  }
  return line;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const format = opts.format ?? 'text';
  const verbosity = opts.verbosity ?? 0;
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const dest = {
    write(s: string) {
      // Error lines carry no `v`; pino then leaves an empty level chunk before the timestamp's comma.
      if (format === 'json') write(s.startsWith('{,') ? `{${s.slice(2)}` : s);
      else write(`${klogLine(JSON.parse(s) as Record<string, unknown>)}\n`);
    },
  };
  const root = pino(
    {
      base: null,
      messageKey: 'msg',
      timestamp: () => `,"ts":${Date.now() / 1000}`,
      formatters: {
        // klog's JSON has `v` for info lines and none for errors; text needs the severity.
        level: (label) => (format === 'text' ? { level: label } : label === 'info' ? { v: 0 } : {}),
      },
    },
    dest,
  );
  return wrap(root, verbosity, format);
}

/** `err`, and the error's stable `code` and its `cause` chain when it has them. */
function errorFields(err: unknown): KV {
  const code = errCode(err);
  const causes = causeChain(err);
  return {
    err: errText(err),
    ...(code !== undefined ? { code } : {}),
    ...(causes.length ? { cause: causes.join(': ') } : {}),
  };
}

function wrap(p: Pino, verbosity: number, format: LogFormat): Logger {
  const info = (level: number) => (msg: string, kv?: KV) => {
    if (level > verbosity) return;
    if (format === 'json' && level > 0) p.info({ v: level, ...kv }, msg);
    else p.info(kv ?? {}, msg);
  };
  return {
    info: info(0),
    warn: (msg, kv) => p.warn(kv ?? {}, msg),
    error: (err, msg, kv) => p.error({ ...errorFields(err), ...kv }, msg),
    v: (level) => ({ info: info(level), enabled: level <= verbosity }),
    // `logger`, as klog's JSON names it, so a `name` key of a message never takes its place.
    named: (name) => wrap(p.child({ logger: name }), verbosity, format),
    with: (kv) => wrap(p.child(kv), verbosity, format),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  v: () => ({ info() {}, enabled: false }),
  named: () => silentLogger,
  with: () => silentLogger,
};
