/** Test helpers: a fake record index, dns-packet clients and a fake upstream resolver, all on loopback. */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { DecodedPacket, Packet } from 'dns-packet';
import packet from 'dns-packet';
import { FrameDecoder, frame } from '../../../src/dns/server/framing.js';
import type { DnsRecord, Question, RecordIndex, ZoneAnswer } from '../../../src/dns/types.js';

export const ZONE = 'cluster.local';
export const BIG_COUNT = 40;

const soa = (): DnsRecord => ({
  name: ZONE,
  type: 'SOA',
  ttl: 5,
  data: {
    mname: `ns.dns.${ZONE}`,
    rname: `hostmaster.${ZONE}`,
    serial: 1,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: 5,
  },
});

/** A tiny cluster zone: web (A), big (40 A records), ext (CNAME to example.org, chased upstream). */
export function fakeIndex(): RecordIndex & { lookups: Question[] } {
  const lookups: Question[] = [];
  return {
    lookups,
    inZone: (name) => name.toLowerCase() === ZONE || name.toLowerCase().endsWith(`.${ZONE}`),
    lookup(q): ZoneAnswer {
      lookups.push(q);
      const n = q.name.toLowerCase();
      const none = { authority: [soa()], additional: [] as DnsRecord[] };
      if (n === `web.default.svc.${ZONE}`) {
        if (q.type !== 'A') return { rcode: 'NOERROR', answers: [], ...none };
        return {
          rcode: 'NOERROR',
          answers: [{ name: q.name, type: 'A', ttl: 5, data: '10.96.0.5' }],
          authority: [],
          additional: [],
        };
      }
      if (n === `big.default.svc.${ZONE}`) {
        const answers: DnsRecord[] = [];
        for (let i = 1; i <= BIG_COUNT; i++)
          answers.push({ name: q.name, type: 'A', ttl: 5, data: `10.244.0.${i}` });
        return { rcode: 'NOERROR', answers, authority: [], additional: [] };
      }
      if (n === `ext.default.svc.${ZONE}`) {
        return {
          rcode: 'NOERROR',
          answers: [{ name: q.name, type: 'CNAME', ttl: 5, data: 'example.org' }],
          authority: [],
          additional: [],
          chase: 'example.org',
        };
      }
      if (n === `txt.${ZONE}`) {
        return {
          rcode: 'NOERROR',
          answers: [{ name: q.name, type: 'TXT', ttl: 5, data: ['1.1.0'] }],
          authority: [],
          additional: [],
        };
      }
      return { rcode: 'NXDOMAIN', answers: [], ...none };
    },
  };
}

/** dns-packet decodes the rcode too, but its typings omit it. */
export type Reply = DecodedPacket & { rcode: string };

export function decode(buf: Buffer): Reply {
  return packet.decode(buf) as Reply;
}

/** A record's rdata / TTL (the Answer union includes OPT, which has neither). */
export const dataOf = (r: DnsRecord): unknown => ('data' in r ? r.data : undefined);
export const ttlOf = (r: DnsRecord): number | undefined => ('ttl' in r ? r.ttl : undefined);

let nextId = 1;

export function query(name: string, type = 'A', extra: Partial<Packet> = {}): Packet {
  return {
    type: 'query',
    id: nextId++ & 0xffff,
    flags: packet.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A', class: 'IN' }],
    ...extra,
  };
}

export function ednsOpt(udpPayloadSize: number): NonNullable<Packet['additionals']>[number] {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: [],
  };
}

/** Sends raw bytes over UDP; resolves with the raw reply, or undefined after `timeoutMs`. */
export function udpRaw(port: number, msg: Buffer, timeoutMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, timeoutMs);
    sock.on('message', (reply) => {
      clearTimeout(timer);
      sock.close();
      resolve(reply);
    });
    sock.send(msg, port, '127.0.0.1');
  });
}

/**
 * Sends raw bytes over UDP and then, from the same socket, a query as a barrier; resolves with
 * whatever came back for the bytes. The server handles a socket's datagrams in order, so once
 * the barrier is answered a reply to the bytes would have arrived: no reply means none was sent
 * (rather than none within some wait).
 */
export function udpRepliesTo(port: number, msg: Buffer, timeoutMs = 10_000): Promise<Buffer[]> {
  const barrier = query('barrier.cluster.local');
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const replies: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('the barrier query was not answered'));
    }, timeoutMs);
    sock.on('message', (reply) => {
      if (reply.length >= 2 && reply.readUInt16BE(0) === barrier.id) {
        clearTimeout(timer);
        sock.close();
        resolve(replies);
      } else replies.push(reply);
    });
    sock.send(msg, port, '127.0.0.1', () => sock.send(packet.encode(barrier), port, '127.0.0.1'));
  });
}

export async function udpQuery(port: number, q: Packet): Promise<Reply & { size: number }> {
  const raw = await udpRaw(port, packet.encode(q));
  if (!raw) throw new Error('no UDP reply');
  return { ...decode(raw), size: raw.length };
}

/** Sends several queries on one TCP connection at once; resolves with the replies in arrival order. */
export function tcpQueries(port: number, qs: Packet[], timeoutMs = 3000): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    const frames = new FrameDecoder();
    const out: Reply[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`only ${out.length}/${qs.length} TCP replies`));
    }, timeoutMs);
    sock.on('error', reject);
    sock.on('connect', () => sock.write(Buffer.concat(qs.map((q) => frame(packet.encode(q))))));
    sock.on('data', (chunk: Buffer) => {
      for (const m of frames.push(chunk)) out.push(decode(m));
      if (out.length === qs.length) {
        clearTimeout(timer);
        sock.destroy();
        resolve(out);
      }
    });
  });
}

export type UpstreamHandler = (
  q: Question,
  proto: 'udp' | 'tcp',
) => Partial<Packet> | 'drop' | Promise<Partial<Packet> | 'drop'>;

export interface FakeUpstream {
  port: number;
  address: string;
  /** HOST:PORT for the forwarder. */
  target: string;
  queries: { name: string; type: string; proto: 'udp' | 'tcp'; rd: boolean }[];
  close(): Promise<void>;
}

/** A UDP socket and a TCP server on one free port: UDP picks it, and TCP may find it taken; then another, as DnsServer does. */
async function udpAndTcp(address: string): Promise<{ udp: UdpSocket; tcp: Server }> {
  for (let attempt = 1; ; attempt++) {
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, address, () => r()));
    const tcp = createServer();
    const ok = await new Promise<boolean>((r) => {
      tcp.once('error', () => r(false));
      tcp.listen(udp.address().port, address, () => r(true));
    });
    if (ok) return { udp, tcp };
    await new Promise<void>((r) => udp.close(() => r()));
    if (attempt >= 20) throw new Error('no port free for both UDP and TCP');
  }
}

/** A resolver on loopback (UDP and TCP) that answers with `handler`'s packet. */
export async function fakeUpstream(handler: UpstreamHandler, address = '127.0.0.1'): Promise<FakeUpstream> {
  const queries: FakeUpstream['queries'] = [];
  const answer = async (msg: Buffer, proto: 'udp' | 'tcp'): Promise<Buffer | undefined> => {
    const req = packet.decode(msg);
    const q = req.questions![0]!;
    queries.push({ name: q.name, type: q.type, proto, rd: req.flag_rd });
    const res = await handler({ name: q.name, type: q.type }, proto);
    if (res === 'drop') return undefined;
    return packet.encode({
      type: 'response',
      id: req.id,
      flags: packet.RECURSION_AVAILABLE | (req.flags ?? 0),
      questions: req.questions,
      ...res,
    });
  };
  const { udp, tcp } = await udpAndTcp(address);
  const port = udp.address().port;
  udp.on('message', async (msg, rinfo) => {
    const out = await answer(msg, 'udp');
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  tcp.on('connection', (sock) => {
    const frames = new FrameDecoder();
    sock.on('error', () => {});
    sock.on('data', async (chunk: Buffer) => {
      for (const m of frames.push(chunk)) {
        const out = await answer(m, 'tcp');
        if (out && !sock.destroyed) sock.write(frame(out));
      }
    });
  });
  return {
    port,
    address,
    target: `${address}:${port}`,
    queries,
    close: async () => {
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => {
          tcp.close(() => r());
          // Close lingering client connections so close() resolves.
          tcp.getConnections(() => {});
        }),
      ]);
    },
  };
}

/** A loopback port with nothing listening on UDP or TCP (queries fail fast). */
export async function deadPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A swarm of clients that hold DNS-over-TCP connections by trickling bytes (see `slowClients`). */
export interface SlowClients {
  /** Clients connected now. */
  open(): number;
  /** Connections made so far, reconnections included. */
  connects(): number;
  /** Connections the server closed. */
  closedByServer(): number;
  /** Stops every client (they also stop by themselves after their lifetime). */
  stop(): void;
}

/**
 * `n` clients that each connect, then send one byte every `intervalMs` of a message whose length
 * prefix says 512 bytes (so it never completes), and reconnect at once when the server closes
 * them, as an attacker would. Bounded: each stops by itself after `lifetimeMs`.
 */
export function slowClients(
  port: number,
  n: number,
  opts: { intervalMs?: number; lifetimeMs?: number; host?: string } = {},
): SlowClients {
  const intervalMs = opts.intervalMs ?? 2000;
  const until = Date.now() + (opts.lifetimeMs ?? 60_000);
  const socks = new Set<Socket>();
  let open = 0;
  let connects = 0;
  let closedByServer = 0;
  let stopped = false;
  const payload = Buffer.alloc(514, 0x41);
  payload.writeUInt16BE(512, 0);
  const client = () => {
    if (stopped || Date.now() >= until) return;
    const sock = connect({ host: opts.host ?? '127.0.0.1', port });
    socks.add(sock);
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      if (Date.now() >= until) {
        sock.destroy();
        return;
      }
      sock.write(payload.subarray(sent % payload.length, (sent % payload.length) + 1));
      sent++;
      timer = setTimeout(tick, intervalMs);
    };
    let connected = false;
    sock.on('connect', () => {
      connected = true;
      open++;
      connects++;
      tick();
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      socks.delete(sock);
      if (connected) open--;
      if (stopped) return;
      if (connected) closedByServer++;
      setImmediate(client);
    });
  };
  for (let i = 0; i < n; i++) client();
  return {
    open: () => open,
    connects: () => connects,
    closedByServer: () => closedByServer,
    stop: () => {
      stopped = true;
      for (const s of socks) s.destroy();
    },
  };
}

/** One query on a new TCP connection; the reply, or undefined when the connection closed without one or `timeoutMs` passed. */
export function tcpQueryOnce(port: number, q: Packet, timeoutMs = 10_000): Promise<Reply | undefined> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const frames = new FrameDecoder();
    const done = (r: Reply | undefined) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on('error', () => done(undefined));
    sock.on('close', () => done(undefined));
    sock.on('connect', () => sock.write(frame(packet.encode(q))));
    sock.on('data', (chunk: Buffer) => {
      const [m] = frames.push(chunk);
      if (m) done(decode(m));
    });
  });
}
