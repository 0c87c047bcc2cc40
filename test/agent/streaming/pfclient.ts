/**
 * Test clients for the agent's port-forward: a SPDY client as client-go's
 * (upgrade, then error + data stream per connection), over a plain upgrade
 * or the WebSocket tunnel, and helpers to read a stream to its end.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocket } from 'ws';
import { SpdyConnection, type SpdyStream } from '../../../src/agent/streaming/spdyconn.js';

export function readAll(s: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}

/** Upgrades to SPDY/3.1 as client-go does; resolves the client connection and the 101's headers. */
export function spdyUpgrade(
  url: string,
  protocols: string[],
): Promise<{ conn: SpdyConnection; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocols },
    });
    req.on('upgrade', (res, socket, head) => {
      const conn = new SpdyConnection(socket, { server: false });
      if (head.length > 0) conn.receive(head);
      resolve({ conn, headers: res.headers });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(new Error(`${res.statusCode}: ${Buffer.concat(chunks).toString()}`)));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The WebSocket tunnel kubectl 1.31+ uses: SPDY inside binary messages. The
 * ws client refuses the subprotocol (a '/' is no RFC 6455 token; Go's
 * clients send it anyway), so the handshake is done here and ws takes over
 * the socket as a client (masking its frames).
 */
export function tunnel(url: string): Promise<{ conn: SpdyConnection; ws: WebSocket; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io',
      },
    });
    req.on('upgrade', (res, socket, head) => {
      const ws = new WebSocket(null as unknown as string, undefined, {});
      (ws as unknown as { _isServer: boolean })._isServer = false;
      (ws as unknown as { setSocket(s: unknown, h: Buffer, o: object): void }).setSocket(socket, head, {
        maxPayload: 64 * 1024 * 1024,
      });
      const stream = createWebSocketStream(ws);
      stream.on('error', () => {});
      resolve({
        conn: new SpdyConnection(stream, { server: false }),
        ws,
        protocol: String(res.headers['sec-websocket-protocol']),
      });
    });
    req.on('response', (res) => reject(new Error(`unexpected ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

/** One forwarded connection as client-go makes it: error stream first, then data. */
export async function forwardOnce(
  conn: SpdyConnection,
  port: number,
  requestId: number,
  payload: Buffer,
): Promise<{ data: Buffer; error: string }> {
  const errorStream: SpdyStream = conn.openStream({
    streamtype: ['error'],
    port: [String(port)],
    requestid: [String(requestId)],
  });
  errorStream.end();
  await errorStream.peerReply;
  const dataStream = conn.openStream({
    streamtype: ['data'],
    port: [String(port)],
    requestid: [String(requestId)],
  });
  await dataStream.peerReply;
  const [data, error] = await Promise.all([
    readAll(dataStream),
    readAll(errorStream),
    dataStream.end(payload),
  ]);
  return { data, error: error.toString() };
}
