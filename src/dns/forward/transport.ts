/**
 * One query to one upstream: over UDP on a connected socket of its own (the
 * kernel drops datagrams from other sources, a fresh port per query resists
 * spoofing), or over TCP when the UDP answer came back truncated.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import type { DecodedPacket } from 'dns-packet';
import packet from 'dns-packet';
import { FrameDecoder, frame } from '../server/framing.js';
import type { Question } from '../types.js';

export interface Upstream {
  host: string;
  port: number;
}

/** What we advertise upstream: DNS Flag Day 2020's 1232 bytes avoids fragmentation. */
export const UPSTREAM_UDP_SIZE = 1232;

export function buildQuery(q: Question, recursionDesired: boolean): { id: number; msg: Buffer } {
  const id = randomInt(0, 0x10000);
  const msg = packet.encode({
    type: 'query',
    id,
    flags: recursionDesired ? packet.RECURSION_DESIRED : 0,
    questions: [{ name: q.name, type: q.type as 'A', class: 'IN' }],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: UPSTREAM_UDP_SIZE,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
        options: [],
      },
    ],
  });
  return { id, msg };
}

/** Whether a decoded message answers our query (request.Match: id, name, type). */
function matches(resp: DecodedPacket, id: number, q: Question): boolean {
  const rq = resp.questions?.[0];
  return (
    resp.id === id &&
    resp.type === 'response' &&
    rq !== undefined &&
    rq.name.toLowerCase() === q.name.toLowerCase() &&
    rq.type === q.type
  );
}

function tryDecode(buf: Buffer): DecodedPacket | undefined {
  try {
    return packet.decode(buf);
  } catch {
    return undefined;
  }
}

export function udpExchange(
  up: Upstream,
  q: Question,
  query: { id: number; msg: Buffer },
  timeoutMs: number,
): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIPv6(up.host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | undefined, resp?: DecodedPacket) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(resp!);
    };
    const timer = setTimeout(() => finish(new Error(`timeout after ${timeoutMs}ms`)), timeoutMs);
    sock.on('error', (err) => finish(err));
    sock.on('message', (msg) => {
      const resp = tryDecode(msg);
      // Anything that is not the answer to this query is ignored, as a stray datagram would be.
      if (resp && matches(resp, query.id, q)) finish(undefined, resp);
    });
    sock.connect(up.port, up.host, () => {
      if (!done) sock.send(query.msg, (err) => err && finish(err));
    });
  });
}

export function tcpExchange(
  up: Upstream,
  q: Question,
  query: { id: number; msg: Buffer },
  timeoutMs: number,
): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: up.host, port: up.port, noDelay: true });
    const frames = new FrameDecoder();
    let done = false;
    const finish = (err: Error | undefined, resp?: DecodedPacket) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(resp!);
    };
    const timer = setTimeout(() => finish(new Error(`timeout after ${timeoutMs}ms`)), timeoutMs);
    sock.on('error', (err) => finish(err));
    sock.on('close', () => finish(new Error('connection closed before an answer')));
    sock.on('connect', () => sock.write(frame(query.msg)));
    sock.on('data', (chunk: Buffer) => {
      for (const msg of frames.push(chunk)) {
        const resp = tryDecode(msg);
        if (resp && matches(resp, query.id, q)) return finish(undefined, resp);
      }
    });
  });
}
