/**
 * One container instance's log, kept in memory as timestamped lines (what
 * the CRI log file holds), bounded to the newest `maxBytes`. Readers get
 * kubelet's options: tailLines, sinceSeconds/sinceTime, timestamps (an
 * RFC3339Nano prefix), limitBytes, follow (until the instance exits).
 */
import { rfc3339Nano } from './timefmt.js';

export const DEFAULT_LOG_BYTES = 1 << 20;

export interface LogLine {
  ts: number;
  text: string;
}

export interface LogReadOptions {
  tailLines?: number;
  /** Only lines at or after this time (ms). */
  sinceMs?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

export class ContainerLog {
  private lines: LogLine[] = [];
  private bytes = 0;
  private partial: Record<'stdout' | 'stderr', { text: string; ts: number }> = {
    stdout: { text: '', ts: 0 },
    stderr: { text: '', ts: 0 },
  };
  private readonly followers = new Set<(l: LogLine | undefined) => void>();
  private closed_ = false;

  constructor(
    private readonly maxBytes = DEFAULT_LOG_BYTES,
    private readonly now: () => number = Date.now,
  ) {}

  get closed(): boolean {
    return this.closed_;
  }

  write(stream: 'stdout' | 'stderr', chunk: string): void {
    if (this.closed_ || !chunk) return;
    const p = this.partial[stream];
    if (!p.text) p.ts = this.now();
    let text = p.text + chunk;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.push({ ts: p.ts || this.now(), text: `${text.slice(0, nl)}\n` });
      text = text.slice(nl + 1);
      p.ts = this.now();
      nl = text.indexOf('\n');
    }
    p.text = text;
  }

  /** The instance exited: flush partial lines and end followers. */
  close(): void {
    if (this.closed_) return;
    for (const s of ['stdout', 'stderr'] as const) {
      const p = this.partial[s];
      if (p.text) this.push({ ts: p.ts, text: p.text });
      p.text = '';
    }
    this.closed_ = true;
    for (const f of this.followers) f(undefined);
    this.followers.clear();
  }

  /** Formats the stored lines per `opts`. */
  read(opts: LogReadOptions = {}): string {
    let lines = this.lines;
    if (opts.sinceMs !== undefined) {
      const since = opts.sinceMs;
      lines = lines.filter((l) => l.ts >= since);
    }
    if (opts.tailLines !== undefined) lines = opts.tailLines <= 0 ? [] : lines.slice(-opts.tailLines);
    let out = lines.map((l) => formatLine(l, !!opts.timestamps)).join('');
    if (opts.limitBytes !== undefined) out = truncateBytes(out, opts.limitBytes);
    return out;
  }

  /** Calls `fn` for each new line, then with undefined when the instance exits; answers an unsubscribe. */
  follow(fn: (l: LogLine | undefined) => void): () => void {
    if (this.closed_) {
      fn(undefined);
      return () => {};
    }
    this.followers.add(fn);
    return () => this.followers.delete(fn);
  }

  private push(l: LogLine): void {
    this.lines.push(l);
    this.bytes += Buffer.byteLength(l.text);
    while (this.bytes > this.maxBytes && this.lines.length > 1) {
      const dropped = this.lines.shift() as LogLine;
      this.bytes -= Buffer.byteLength(dropped.text);
    }
    for (const f of this.followers) f(l);
  }
}

export const formatLine = (l: LogLine, timestamps: boolean): string =>
  timestamps ? `${rfc3339Nano(l.ts)} ${l.text}` : l.text;

/** The first `limit` bytes of `s` (never splitting a UTF-8 sequence). */
export function truncateBytes(s: string, limit: number): string {
  const buf = Buffer.from(s);
  if (buf.length <= limit) return s;
  let end = Math.max(0, limit);
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString();
}
