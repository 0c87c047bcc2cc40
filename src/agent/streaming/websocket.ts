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
import type { SessionIO, StreamOptions, StreamStatus, TerminalSize } from './session.js';

/** Writes a plain HTTP answer on a connection that is not upgraded. */
export function refuse(sock: Duplex, code: number, reason: string, body: string): void {
  sock.end(
    `HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });

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
    refuse(
      sock,
      403,
      'Forbidden',
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
  const stdin = opts.stdin ? new PassThrough() : undefined;
  let resize: ((s: TerminalSize) => void) | undefined;
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(p, channel, data));
  };
  // kubelet: tty and stderr together is stderr dropped (a terminal has one output).
  const stderr = opts.stderr && !opts.tty;
  send(opts.stdout ? STDOUT : stderr ? STDERR : ERROR, Buffer.alloc(0));
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const frame = decodeFrame(p, isBinary ? raw : raw.toString('utf8'));
    if (!frame) return;
    if (frame.channel === STDIN) stdin?.write(frame.data);
    else if (frame.channel === RESIZE) {
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
    stdout: (d) => {
      if (opts.stdout) send(STDOUT, d);
    },
    stderr: (d) => {
      if (stderr) send(STDERR, d);
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
