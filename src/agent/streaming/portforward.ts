/**
 * `kubectl port-forward` on the node, kubelet's /portForward/<ns>/<pod>:
 * every protocol a client may speak ends here (the API server only relays
 * the upgraded bytes).
 *
 * - SPDY/3.1 (`X-Stream-Protocol-Version: portforward.k8s.io`): the client
 *   opens an error stream and a data stream per forwarded connection, paired
 *   by their `requestID` header (kubelet's httpstream.go).
 * - The WebSocket tunnel kubectl 1.31+ uses first (subprotocol
 *   `SPDY/3.1+portforward.k8s.io`): the same SPDY session inside WebSocket
 *   binary messages.
 * - The WebSocket channel protocol (`v4.channel.k8s.io`,
 *   `v4.base64.channel.k8s.io`; client libraries' PortForward): `?port=`
 *   (or the API's `?ports=`) lists ports; channel 2i carries port i's data,
 *   2i+1 its errors, each opening with the port as 2 bytes little-endian.
 *
 * Each forwarded connection dials the pod's IP and port; a failure goes to
 * the error stream with kubelet's wording.
 */
import type { IncomingMessage } from 'node:http';
import { connect, isIPv6, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, type WebSocket, WebSocketServer } from 'ws';
import { offeredProtocols, STREAM_CREATION_TIMEOUT_MS } from './protocol.js';
import { refuseUpgrade } from './refusal.js';
import { headerValue, RstStatus } from './spdy.js';
import { acceptSpdy, isSpdyUpgrade, negotiate, SpdyConnection, type SpdyStream } from './spdyconn.js';
import { ChannelSocket } from './wschannels.js';

/** The pod a forward goes to: found by the dispatcher, running on this node, with an IP. */
export interface ForwardTarget {
  namespace: string;
  name: string;
  uid: string;
  ip: string;
}

export const PORT_FORWARD_PROTOCOL_V1 = 'portforward.k8s.io';
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL_V1}`;
const V4_BINARY = 'v4.channel.k8s.io';
const V4_BASE64 = 'v4.base64.channel.k8s.io';

/** Takes over an upgrade request for /portForward/<ns>/<pod>. */
export function handlePortForward(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: ForwardTarget,
): void {
  socket.on('error', () => socket.destroy());
  if (String(req.headers.upgrade ?? '').toLowerCase() === 'websocket')
    return upgradeWebSocket(req, socket, head, target);
  if (!isSpdyUpgrade(req)) {
    return refuseUpgrade(socket, 400, 'unable to upgrade: missing upgrade headers in request');
  }
  const protocol = negotiate(req, socket, [PORT_FORWARD_PROTOCOL_V1]);
  if (protocol === undefined) return;
  serveSpdy(socket, head, protocol, target);
}

function serveSpdy(
  transport: Duplex,
  head: Buffer,
  protocol: string | undefined,
  target: ForwardTarget,
): void {
  const pf = new SpdyPortForward(target);
  const opts = { onStream: (s: SpdyStream) => pf.add(s), onClose: () => pf.close() };
  // A tunnel's 101 was the WebSocket's: the SPDY session starts at once, with no HTTP exchange of its own.
  const conn =
    protocol === undefined
      ? new SpdyConnection(transport, { ...opts, server: true })
      : acceptSpdy(transport, head, protocol, opts);
  pf.conn = conn;
}

/** The subprotocol chosen for each request before ws completes the handshake. */
const chosenProtocol = new WeakMap<IncomingMessage, string>();
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: 16 * 1024 * 1024,
  handleProtocols: (_offered, req) => chosenProtocol.get(req) ?? false,
});

function upgradeWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, target: ForwardTarget): void {
  const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
  const supported = [TUNNEL_PROTOCOL, V4_BINARY, V4_BASE64];
  const chosen = offered.length === 0 ? '' : offered.find((p) => supported.includes(p));
  if (chosen === undefined) {
    return refuseUpgrade(
      socket,
      400,
      `unable to upgrade websocket connection: requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supported.join(' ')}]`,
    );
  }
  let ports: number[] = [];
  if (chosen !== TUNNEL_PROTOCOL) {
    const parsed = parsePorts(new URL(req.url ?? '/', 'http://agent').searchParams);
    if (typeof parsed === 'string') return refuseUpgrade(socket, 400, parsed);
    ports = parsed;
  }
  chosenProtocol.set(req, chosen);
  // ws refuses subprotocols that are not RFC 6455 tokens, and the tunnel's has a '/': it sees a token
  // stand-in, and handleProtocols answers with the real name (Go's WebSocket clients accept it).
  if (chosen !== '') req.headers['sec-websocket-protocol'] = 'negotiated';
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (chosen === TUNNEL_PROTOCOL) {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => stream.destroy());
      serveSpdy(stream, Buffer.alloc(0), undefined, target);
    } else serveChannels(ws, chosen === V4_BASE64, ports, target);
  });
}

/** kubelet's NewV4Options: ports from `port` (kubelet's name) or `ports` (the API's), comma lists allowed. */
export function parsePorts(q: URLSearchParams): number[] | string {
  const raw = [...q.getAll('port'), ...q.getAll('ports')];
  if (raw.length === 0) return 'query parameter "port" is required';
  const ports: number[] = [];
  for (const s of raw) {
    if (s === '') return 'query parameter "port" cannot be empty';
    for (const p of s.split(',')) {
      const n = /^\d{1,5}$/.test(p) ? Number(p) : Number.NaN;
      if (!(n <= 65535))
        return `unable to parse "${s}" as a port: strconv.ParseUint: parsing "${p}": ${Number.isNaN(n) && !/^\d+$/.test(p) ? 'invalid syntax' : 'value out of range'}`;
      if (n < 1) return `port "${s}" must be > 0`;
      ports.push(n);
    }
  }
  return ports;
}

function portBytes(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port, 0);
  return b;
}

function serveChannels(ws: WebSocket, base64: boolean, ports: number[], target: ForwardTarget): void {
  const conn = new ChannelSocket(ws, ports.length * 2, base64);
  const sockets = new Set<Socket>();
  ws.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  let remaining = ports.length;
  ports.forEach((port, i) => {
    const data = conn.channels[i * 2];
    const errors = conn.channels[i * 2 + 1];
    if (!data || !errors) return;
    data.write(portBytes(port));
    errors.write(portBytes(port));
    forward(data, target, port, sockets).then((message) => {
      if (message) errors.write(Buffer.from(message));
      // kubelet closes the connection once every port's forward is over.
      if (--remaining === 0) conn.close();
    });
  });
}

interface Pair {
  requestId: string;
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** The SPDY side: pairs streams by request, forwards each complete pair. */
class SpdyPortForward {
  conn: SpdyConnection | undefined;
  private readonly pairs = new Map<string, Pair>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: ForwardTarget) {}

  add(stream: SpdyStream): void {
    const invalid = validateStream(stream);
    if (invalid) {
      // spdystream answers a rejected stream with RST_STREAM; kubelet logs why.
      stream.reset(RstStatus.Cancel);
      return;
    }
    stream.reply();
    const type = headerValue(stream.headers, 'streamType');
    const requestId = requestIdOf(stream);
    let pair = this.pairs.get(requestId);
    if (!pair) {
      const p: Pair = {
        requestId,
        timer: setTimeout(() => {
          this.pairs.delete(requestId);
          p.error?.end(`(conn=${this.describe()}, request=${requestId}) timed out waiting for streams`);
          p.data?.end();
        }, STREAM_CREATION_TIMEOUT_MS),
      };
      p.timer.unref();
      pair = p;
      this.pairs.set(requestId, p);
    }
    const slot = type === 'error' ? 'error' : 'data';
    if (pair[slot]) {
      const msg = `error processing stream for request ${requestId}: ${slot} stream already assigned`;
      pair.error?.write(msg);
      stream.reset(RstStatus.Cancel);
      return;
    }
    pair[slot] = stream;
    const { data, error } = pair;
    if (!data || !error) return;
    clearTimeout(pair.timer);
    this.pairs.delete(requestId);
    const port = Number(headerValue(data.headers, 'port'));
    data.on('error', () => {});
    error.on('error', () => {});
    forward(data, this.target, port, this.sockets).then((message) => {
      if (message) error.end(message);
      else error.end();
    });
  }

  close(): void {
    for (const p of this.pairs.values()) clearTimeout(p.timer);
    this.pairs.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private describe(): string {
    return `${this.target.namespace}/${this.target.name}`;
  }
}

/** httpStreamReceived's checks: a port header that parses, a known streamType. */
function validateStream(stream: SpdyStream): string | undefined {
  const portString = headerValue(stream.headers, 'port');
  if (portString === '') return '"port" header is required';
  if (!/^\d{1,5}$/.test(portString) || Number(portString) > 65535)
    return `unable to parse "${portString}" as a port`;
  if (Number(portString) < 1) return `port "${portString}" must be > 0`;
  const type = headerValue(stream.headers, 'streamType');
  if (type === '') return '"streamType" header is required';
  if (type !== 'error' && type !== 'data') return `invalid stream type "${type}"`;
  return undefined;
}

/** The requestID header; an old client's streams pair by id (error N, data N+2), as kubelet guesses. */
function requestIdOf(stream: SpdyStream): string {
  const id = headerValue(stream.headers, 'requestID');
  if (id !== '') return id;
  return String(headerValue(stream.headers, 'streamType') === 'error' ? stream.id : stream.id - 2);
}

/** Go's wording for a failed dial (`dial tcp4 ip:port: connect: connection refused`). */
export function dialErrorText(ip: string, port: number, err: NodeJS.ErrnoException): string {
  const family = isIPv6(ip) ? 'tcp6' : 'tcp4';
  const addr = isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
  const why: Record<string, string> = {
    ECONNREFUSED: 'connect: connection refused',
    EHOSTUNREACH: 'connect: no route to host',
    ENETUNREACH: 'connect: network is unreachable',
    ETIMEDOUT: 'i/o timeout',
    EADDRNOTAVAIL: 'connect: cannot assign requested address',
  };
  return `dial ${family} ${addr}: ${why[err.code ?? ''] ?? err.message}`;
}

/**
 * Forwards one connection between `data` and the pod's port, with half-closes
 * passed through both ways; resolves when it is over, with kubelet's error
 * text if it failed.
 */
export function forward(
  data: Duplex,
  target: ForwardTarget,
  port: number,
  sockets: Set<Socket>,
): Promise<string | undefined> {
  const fail = (detail: string) =>
    `error forwarding port ${port} to pod ${target.uid}, uid : failed to connect to ${target.ip}:${port} in pod ${target.namespace}/${target.name}: ${detail}`;
  return new Promise((resolve) => {
    // Not half-open: once the pod closes its side the forward is over (as containerd's ends), which
    // is what lets the client see the error stream end while its own side is still open.
    const sock = connect({ host: target.ip, port });
    sockets.add(sock);
    let connected = false;
    let failure: string | undefined;
    sock.setNoDelay(true);
    sock.on('connect', () => {
      connected = true;
      data.pipe(sock);
      sock.pipe(data);
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      failure = connected
        ? `error forwarding port ${port} to pod ${target.uid}, uid : ${err.message}`
        : fail(dialErrorText(target.ip, port, err));
    });
    // The client went away (reset, or the session ended): nothing more to carry.
    data.on('close', () => sock.destroy());
    sock.on('close', () => {
      sockets.delete(sock);
      data.unpipe(sock);
      if (!data.writableEnded) data.end();
      if (!connected) data.resume();
      resolve(failure);
    });
  });
}
