/**
 * exec and attach over SPDY/3.1, the transport kubectl falls back to when the
 * WebSocket upgrade fails (and the only one older clients speak), as
 * kubelet's remotecommand httpstream.go: the protocol is negotiated from
 * X-Stream-Protocol-Version (v4.channel.k8s.io down to channel.k8s.io); the
 * client opens one stream per `streamtype` (error, stdin, stdout, stderr,
 * resize); once all it asked for are there the session runs; at the end the
 * error stream carries the Status (v4: JSON; v1–v3: a failure's message).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STREAM_CREATION_TIMEOUT_MS, terminalSize } from './protocol.js';
import type { SessionIO, StreamOptions, StreamStatus, TerminalSize } from './session.js';
import { headerValue, RstStatus } from './spdy.js';
import { acceptSpdy, negotiate, type SpdyConnection, type SpdyStream } from './spdyconn.js';

export const SPDY_REMOTECOMMAND_PROTOCOLS = [
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
];

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';
const TYPES: readonly string[] = ['error', 'stdin', 'stdout', 'stderr', 'resize'];

/** Streams a protocol version expects for these options (error always; resize with a tty from v3). */
export function expectedStreams(protocol: string, opts: StreamOptions): number {
  const resize = opts.tty && (protocol === 'v4.channel.k8s.io' || protocol === 'v3.channel.k8s.io');
  return 1 + Number(opts.stdin) + Number(opts.stdout) + Number(opts.stderr) + Number(resize);
}

/** What goes on the error stream at the end: v4 the Status as JSON; older ones only a failure's message. */
export function statusBytes(protocol: string, status: StreamStatus): Buffer | undefined {
  if (protocol === 'v4.channel.k8s.io') return Buffer.from(JSON.stringify(status));
  if (status.status === 'Success') return undefined;
  return Buffer.from(status.message ?? '');
}

/**
 * Splits a byte stream of concatenated JSON objects (Go's json.Decoder on the
 * resize stream) into sizes; returns what is left of an incomplete object.
 */
export function parseResizes(buf: string, out: TerminalSize[]): string {
  let depth = 0;
  let start = -1;
  let inString = false;
  let consumed = 0;
  for (let i = 0; i < buf.length; i++) {
    const ch = buf[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth++ === 0) start = i;
    } else if (ch === '}' && depth > 0 && --depth === 0) {
      try {
        const size = terminalSize(JSON.parse(buf.slice(start, i + 1)));
        if (size) out.push(size);
      } catch {}
      consumed = i + 1;
    }
  }
  // Bound what an incomplete object may hold: a size is a few dozen bytes.
  const rest = buf.slice(consumed);
  return rest.length > 4096 ? '' : rest;
}

/** Takes over a SPDY/3.1 upgrade for /exec or /attach and runs the session with the client's streams. */
export function handleSpdyRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  opts: StreamOptions,
  run: (io: SessionIO) => Promise<StreamStatus>,
): void {
  const negotiated = negotiate(req, socket, SPDY_REMOTECOMMAND_PROTOCOLS);
  if (negotiated === undefined) return;
  // No offer: a client from before negotiation, served as channel.k8s.io (kubelet falls back to v1).
  const protocol = negotiated === '' ? 'channel.k8s.io' : negotiated;
  const want = expectedStreams(protocol, opts);
  const streams = new Map<StreamType, SpdyStream>();
  let started = false;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // Everything the stream handler uses is set up before the connection reads anything: the
  // upgrade's head may already hold every SYN_STREAM, and stdin's data and FIN with them.
  let conn: SpdyConnection | undefined;
  const onStream = (s: SpdyStream) => {
    s.on('error', () => {});
    const type = headerValue(s.headers, 'streamType');
    // An unknown or repeated type, or one after the session started, is refused rather than kept
    // open with whatever the client sends on it (kubelet only logs them).
    if (!TYPES.includes(type) || streams.has(type as StreamType) || started) {
      s.reset(RstStatus.RefusedStream);
      return;
    }
    s.reply();
    streams.set(type as StreamType, s);
    if (streams.size === want) {
      started = true;
      clearTimeout(timer);
      void session();
    }
  };
  const session = async () => {
    const stdout = streams.get('stdout');
    const stderr = streams.get('stderr');
    const error = streams.get('error');
    const resize = streams.get('resize');
    const stdin = opts.stdin ? streams.get('stdin') : undefined;
    // Our side of the stdin stream stays open until the session ends: client-go (v2+) reads it
    // and, at its FIN, closes its own side, cutting off the stdin it was still sending. Only v1
    // clients (kubelet closes it at once there) never read it.
    if (protocol === 'channel.k8s.io') streams.get('stdin')?.end();
    const listeners: ((s: TerminalSize) => void)[] = [];
    if (resize) {
      let pending = '';
      resize.setEncoding('utf8');
      resize.on('data', (chunk: string) => {
        const sizes: TerminalSize[] = [];
        pending = parseResizes(pending + chunk, sizes);
        for (const size of sizes) for (const l of listeners) l(size);
      });
    }
    const open = [stdout, stderr].filter((s): s is SpdyStream => s !== undefined);
    const sink = (s: SpdyStream | undefined) => (data: Buffer) =>
      !s || s.writableEnded || s.destroyed ? true : s.write(data);
    const io: SessionIO = {
      stdin,
      stdout: sink(stdout),
      stderr: sink(stderr),
      onDrain: (l) => whenDrained(open, l),
      get buffered() {
        return open.reduce((n, s) => n + s.writableLength, 0);
      },
      onResize: (l) => listeners.push(l),
      signal: abort.signal,
    };
    let status: StreamStatus;
    try {
      status = await run(io);
    } catch (err) {
      status = {
        metadata: {},
        status: 'Failure',
        message: `Internal error occurred: ${(err as Error).message}`,
        reason: 'InternalError',
        code: 500,
      };
    }
    const bytes = statusBytes(protocol, status);
    if (error && bytes) error.write(bytes);
    // Output first, then the status, then the session: each stream's FIN once its writes are out.
    await Promise.all(
      [stdout, stderr, error].map(
        (s) =>
          new Promise<void>((resolve) => {
            if (!s || s.writableFinished || s.destroyed) return resolve();
            s.once('finish', resolve);
            s.once('close', resolve);
            s.end();
          }),
      ),
    );
    conn?.close();
  };
  conn = acceptSpdy(socket, head, negotiated, {
    onStream,
    onClose: () => {
      clearTimeout(timer);
      abort.abort();
    },
  });
  if (!started && !conn.isClosed) {
    const c = conn;
    timer = setTimeout(() => c.close(), STREAM_CREATION_TIMEOUT_MS);
    timer.unref();
  }
}

/** Calls back once none of the streams waits for 'drain' (or each is gone). */
function whenDrained(streams: SpdyStream[], cb: () => void): void {
  const full = streams.filter((s) => s.writableNeedDrain && !s.destroyed);
  let left = full.length;
  if (left === 0) return cb();
  for (const s of full) {
    let done = false;
    const one = () => {
      if (done) return;
      done = true;
      s.off('drain', one);
      s.off('close', one);
      if (--left === 0) cb();
    };
    s.on('drain', one);
    s.on('close', one);
  }
}
