/**
 * remotecommand over WebSocket, the transport kubectl 1.32 uses for exec and
 * attach: the upgrade with the negotiated channel protocol, an empty message
 * on the first writable channel to say the streams are ready (as kubelet),
 * the client's stdin/resize/close-signal messages into the session, its
 * output out, and the final Status on the error channel before a normal
 * close.
 */
import type { IncomingMessage } from 'node:http';
import { type Duplex, PassThrough } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type ChannelProtocol,
  CLOSE,
  decodeFrame,
  ERROR,
  encodeFrame,
  negotiate,
  offeredProtocols,
  parseResize,
  RESIZE,
  STDERR,
  STDIN,
  STDOUT,
  statusPayload,
} from './protocol.js';
import { refuseUpgrade } from './refusal.js';
import type { SessionIO, StreamOptions, StreamStatus, TerminalSize } from './session.js';

/** Output one session may queue on its WebSocket before the source is paused. */
export const WS_HIGH_WATER = 1024 * 1024;
/** The largest client message: kubectl sends stdin in pieces of its 32 KiB copy buffer. */
const MAX_PAYLOAD = 4 * 1024 * 1024;

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  clientTracking: false,
  maxPayload: MAX_PAYLOAD,
});

/** Upgrades to a WebSocket and runs the session on it. */
export function serveWebSocket(
  req: IncomingMessage,
  sock: Duplex,
  head: Buffer,
  opts: StreamOptions,
  run: (io: SessionIO) => Promise<StreamStatus>,
): void {
  const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
  const protocol = negotiate(offered);
  if (!protocol) {
    refuseUpgrade(
      sock,
      403,
      `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'].join(' ')}]`,
    );
    return;
  }
  // The subprotocol is echoed only when the client offered one.
  const server = offered.length
    ? new WebSocketServer({
        noServer: true,
        perMessageDeflate: false,
        clientTracking: false,
        maxPayload: MAX_PAYLOAD,
        handleProtocols: () => protocol.name,
      })
    : wss;
  server.handleUpgrade(req, sock, head, (ws) => session(ws, protocol, opts, run));
}

function session(
  ws: WebSocket,
  p: ChannelProtocol,
  opts: StreamOptions,
  run: (io: SessionIO) => Promise<StreamStatus>,
): void {
  const abort = new AbortController();
  const stdin = opts.stdin ? new PassThrough({ highWaterMark: 256 * 1024 }) : undefined;
  // A consumer that failed must not take the agent with it: an 'error' with no listener throws.
  stdin?.on('error', () => {});
  let resize: ((s: TerminalSize) => void) | undefined;
  // Output queued on the socket: above the high-water mark the session pauses its source.
  let pending = 0;
  let drainWaiters: (() => void)[] = [];
  const send = (channel: number, data: Buffer): boolean => {
    if (ws.readyState !== ws.OPEN) return true;
    const frame = encodeFrame(p, channel, data);
    const n = frame.length;
    pending += n;
    ws.send(frame, () => {
      pending -= n;
      if (pending > WS_HIGH_WATER || drainWaiters.length === 0) return;
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const w of waiters) w();
    });
    return pending <= WS_HIGH_WATER;
  };
  // kubelet: tty and stderr together is stderr dropped (a terminal has one output).
  const stderr = opts.stderr && !opts.tty;
  send(opts.stdout ? STDOUT : stderr ? STDERR : ERROR, Buffer.alloc(0));
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const frame = decodeFrame(p, isBinary ? raw : raw.toString('utf8'));
    if (!frame) return;
    if (frame.channel === STDIN) {
      // After the client's close signal (or our end) stdin takes nothing more: write after end throws.
      if (!stdin || stdin.writableEnded || frame.data.length === 0) return;
      // The session's stdin is full: stop reading the client until it drains.
      if (!stdin.write(frame.data)) {
        ws.pause();
        stdin.once('drain', () => ws.resume());
      }
    } else if (frame.channel === RESIZE) {
      const size = parseResize(frame.data);
      if (size) resize?.(size);
    } else if (frame.channel === CLOSE && p.closeSignal && frame.data[0] === STDIN) stdin?.end();
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    stdin?.end();
    abort.abort();
  });
  const io: SessionIO = {
    ...(stdin ? { stdin } : {}),
    stdout: (d) => (opts.stdout ? send(STDOUT, d) : true),
    stderr: (d) => (stderr ? send(STDERR, d) : true),
    onDrain: (l) => {
      if (pending <= WS_HIGH_WATER) l();
      else drainWaiters.push(l);
    },
    get buffered() {
      return pending;
    },
    onResize: (l) => {
      resize = l;
    },
    signal: abort.signal,
  };
  run(io).then(
    (status) => {
      const payload = statusPayload(p, status);
      if (payload) send(ERROR, payload);
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
    () => ws.terminate(),
  );
}
