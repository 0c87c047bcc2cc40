/**
 * The cluster DNS server's wire side: UDP and TCP on one port, answering from
 * the record index for the cluster zones and through the forwarder for the
 * rest. Message checks follow miekg/dns and CoreDNS's core/dnsserver; reply
 * sizing follows CoreDNS's request.Scrub (client EDNS buffer, at least 512 B,
 * over UDP; 64 KiB over TCP; TC when answers are cut).
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import { joinHostPort } from '../../k8s/ip.js';
import { type Clock, realClock } from '../../lib/clock.js';
import { type Logger, silentLogger } from '../../lib/log.js';
import type { DnsMetrics } from '../metrics.js';
import type { DnsRecord, Forwarder, RecordIndex, ZoneAnswer } from '../types.js';
import { DEFAULT_TCP_LIMITS, TcpConnections, type TcpStats } from './tcp.js';
import {
  CLASS_IN,
  encodeReply,
  FormatError,
  headerReply,
  MAX_MSG_SIZE,
  parseQuery,
  type Query,
  RCODES,
  rcodeName,
  readHeader,
  TYPE_AXFR,
  TYPE_IXFR,
  udpLimit,
  verdict,
} from './wire.js';

export interface DnsServerOptions {
  /** Address to bind, e.g. 127.0.0.1. */
  address: string;
  /** 0 picks a free port; UDP and TCP always share the number. */
  port: number;
  /** The current record index; undefined until the first sync (answers SERVFAIL). */
  index: () => RecordIndex | undefined;
  /** Where names outside the cluster zones go; without one they are REFUSED. */
  forwarder?: Forwarder;
  log?: Logger;
  metrics?: DnsMetrics;
  /** Open TCP connections at most (1000); a new one beyond takes the slot of an idle one (see tcp.ts). */
  maxTcpConnections?: number;
  /** A TCP message must arrive whole within this of its first byte; the first, of the connection (miekg: 2 s). */
  tcpReadTimeoutMs?: number;
  /** A TCP connection with nothing in flight is closed after this long idle (miekg: 8 s). */
  tcpIdleTimeoutMs?: number;
  /** Queries waiting on the forwarder at once; more are REFUSED (like forward's max_concurrent). */
  maxConcurrent?: number;
  /** Pipelined queries one TCP connection may have in flight before its reads pause. */
  maxTcpInflight?: number;
  /** The TCP deadlines' clock (tests step a manual one). */
  clock?: Clock;
}

export interface Transport {
  proto: 'udp' | 'tcp';
  family: 1 | 2;
}

type Reply = Buffer | undefined;

interface Outcome {
  rcode: number;
  aa: boolean;
  ra: boolean;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  plugin: string;
  zone?: string;
}

const ZONE = '.';
const EMPTY: DnsRecord[] = [];

export class DnsServer {
  private readonly log: Logger;
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly conns: TcpConnections;
  private inflight = 0;
  private stopped = false;
  private serverLabel = '';

  constructor(private readonly opts: DnsServerOptions) {
    this.log = (opts.log ?? silentLogger).named('dns');
    const d = DEFAULT_TCP_LIMITS;
    const limits = {
      maxConnections: opts.maxTcpConnections ?? d.maxConnections,
      readTimeoutMs: opts.tcpReadTimeoutMs ?? d.readTimeoutMs,
      idleTimeoutMs: opts.tcpIdleTimeoutMs ?? d.idleTimeoutMs,
      maxInflight: opts.maxTcpInflight ?? d.maxInflight,
    };
    this.conns = new TcpConnections(limits, opts.clock ?? realClock, (msg, family) =>
      this.answer(msg, { proto: 'tcp', family }),
    );
  }

  /** The TCP connections: open now, and closed by each bound so far. */
  tcpStats(): TcpStats {
    return this.conns.stats();
  }

  /** Binds UDP and TCP on the same port; resolves with it. */
  async start(): Promise<{ port: number }> {
    // With port 0 the kernel picks a UDP port that TCP may find taken: retry a few times.
    for (let attempt = 0; ; attempt++) {
      const udp = await this.bindUdp(this.opts.port);
      const port = udp.address().port;
      try {
        this.tcp = await this.listenTcp(port);
        this.udp = udp;
        this.serverLabel = `dns://${joinHostPort(this.opts.address, port)}`;
        this.log.info('Listening', { address: this.opts.address, port });
        return { port };
      } catch (err) {
        await new Promise<void>((r) => udp.close(() => r()));
        if (this.opts.port !== 0 || attempt >= 5) throw err;
      }
    }
  }

  /** Closes both listeners and every TCP connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.conns.closeAll();
    await Promise.all([
      this.udp && new Promise<void>((r) => this.udp!.close(() => r())),
      this.tcp && new Promise<void>((r) => this.tcp!.close(() => r())),
    ]);
    this.udp = undefined;
    this.tcp = undefined;
  }

  private bindUdp(port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const sock = createSocket(isIPv6(this.opts.address) ? 'udp6' : 'udp4');
      sock.once('error', reject);
      sock.bind(port, this.opts.address, () => {
        sock.off('error', reject);
        sock.on('error', (err) => this.log.error(err, 'UDP socket error'));
        sock.on('message', (msg, rinfo) => this.onDatagram(sock, msg, rinfo));
        resolve(sock);
      });
    });
  }

  private listenTcp(port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true }, (sock) => {
        if (this.stopped) sock.destroy();
        else this.conns.accept(sock);
      });
      server.once('error', reject);
      server.listen(port, this.opts.address, () => {
        server.off('error', reject);
        server.on('error', (err) => this.log.error(err, 'TCP listener error'));
        resolve(server);
      });
    });
  }

  private onDatagram(sock: UdpSocket, msg: Buffer, rinfo: RemoteInfo): void {
    const t: Transport = { proto: 'udp', family: rinfo.family === 'IPv6' ? 2 : 1 };
    const send = (reply: Reply) => {
      if (reply && !this.stopped) sock.send(reply, rinfo.port, rinfo.address, () => {});
    };
    const r = this.answer(msg, t);
    if (r instanceof Promise) r.then(send);
    else send(r);
  }

  /**
   * handle(), with a bug (anything thrown but a FormatError) answered SERVFAIL and
   * logged, as CoreDNS answers a plugin error: the server keeps serving.
   */
  private answer(msg: Buffer, t: Transport): Reply | Promise<Reply> {
    const failed = (err: unknown): Reply => {
      this.log.error(err, 'Internal error answering a query');
      const header = readHeader(msg);
      return header && headerReply(header, RCODES.SERVFAIL);
    };
    try {
      const r = this.handle(msg, t);
      return r instanceof Promise ? r.catch(failed) : r;
    } catch (err) {
      return failed(err);
    }
  }

  /** One message in, at most one reply out; a promise only when the forwarder is involved. */
  handle(msg: Buffer, t: Transport): Reply | Promise<Reply> {
    const header = readHeader(msg);
    if (!header) return undefined;
    switch (verdict(header)) {
      case 'ignore':
        return undefined;
      case 'notimp':
        return headerReply(header, RCODES.NOTIMP);
      case 'formerr':
        return headerReply(header, RCODES.FORMERR);
    }
    let q: Query;
    try {
      q = parseQuery(msg, header);
    } catch (err) {
      if (err instanceof FormatError) return headerReply(header, RCODES.FORMERR);
      throw err;
    }
    const start = performance.now();
    const limit = t.proto === 'tcp' ? MAX_MSG_SIZE : udpLimit(q.edns);
    const finish = (o: Outcome): Reply => this.reply(q, t, limit, start, msg.length, o);

    // edns.Version: only EDNS version 0 is spoken; others get BADVERS at once, unreported.
    if (q.edns && q.edns.version !== 0) {
      return this.encode(q, limit, { ...errorOutcome(RCODES.BADVERS), plugin: '' }).buf;
    }
    if (q.qclass !== CLASS_IN) return finish({ ...errorOutcome(RCODES.REFUSED), zone: 'dropped' });
    // Zone transfers are not served (CoreDNS needs its transfer plugin for them).
    if (q.qtype === TYPE_AXFR || q.qtype === TYPE_IXFR) return finish(errorOutcome(RCODES.REFUSED));
    const index = this.opts.index();
    if (!index) return finish(errorOutcome(RCODES.SERVFAIL));

    const name = q.question.name;
    let zoneAnswer: ZoneAnswer | undefined;
    try {
      if (index.inZone(name)) zoneAnswer = index.lookup(q.question);
    } catch (err) {
      this.log.error(err, 'Record index failed', { name, type: q.question.type });
      return finish(errorOutcome(RCODES.SERVFAIL));
    }
    const fwd = this.opts.forwarder;
    if (zoneAnswer) {
      const za = zoneAnswer;
      const local: Outcome = {
        rcode: RCODES[za.rcode],
        aa: true,
        ra: false,
        answers: za.answers,
        authority: za.authority,
        additional: za.additional,
        plugin: 'kubernetes',
      };
      if (!za.chase || !fwd || q.question.type === 'CNAME') return finish(local);
      // An ExternalName's CNAME target outside the zone: append what upstream answers for it.
      return this.viaForwarder(q, finish, async () => {
        const up = await fwd.forward({ name: za.chase!, type: q.question.type }, { recursionDesired: true });
        return { ...local, answers: [...za.answers, ...up.answers] };
      });
    }
    if (!fwd) return finish(errorOutcome(RCODES.REFUSED));
    return this.viaForwarder(q, finish, async () => {
      const up = await fwd.forward(q.question, { recursionDesired: q.rd });
      return {
        rcode: RCODES[up.rcode],
        aa: false,
        ra: true,
        answers: up.answers,
        authority: up.authority,
        additional: up.additional,
        plugin: 'forward',
      };
    });
  }

  private viaForwarder(q: Query, finish: (o: Outcome) => Reply, run: () => Promise<Outcome>): Promise<Reply> {
    if (this.inflight >= (this.opts.maxConcurrent ?? 1000)) {
      this.opts.metrics?.forwardMaxConcurrentRejects.inc();
      return Promise.resolve(finish(errorOutcome(RCODES.REFUSED)));
    }
    this.inflight++;
    return run()
      .catch((err: unknown) => {
        this.log.error(err, 'Forwarding failed', { name: q.question.name, type: q.question.type });
        return errorOutcome(RCODES.SERVFAIL);
      })
      .then((o) => {
        this.inflight--;
        return finish(o);
      });
  }

  private reply(q: Query, t: Transport, limit: number, start: number, reqBytes: number, o: Outcome): Reply {
    let enc: { buf: Buffer; rcode: number };
    try {
      enc = this.encode(q, limit, o);
    } catch (err) {
      this.log.error(err, 'Cannot encode reply', { name: q.question.name, type: q.question.type });
      enc = this.encode(q, limit, errorOutcome(RCODES.SERVFAIL));
    }
    this.opts.metrics?.report({
      server: this.serverLabel,
      zone: o.zone ?? ZONE,
      proto: t.proto,
      family: t.family,
      qtype: q.question.type,
      rcode: rcodeName(enc.rcode),
      plugin: o.plugin,
      seconds: (performance.now() - start) / 1000,
      requestBytes: reqBytes,
      responseBytes: enc.buf.length,
      dnssecOk: q.edns?.do ?? false,
    });
    return enc.buf;
  }

  private encode(q: Query, limit: number, o: Outcome): { buf: Buffer; rcode: number } {
    const { buf } = encodeReply({
      id: q.header.id,
      opcode: q.header.opcode,
      rcode: o.rcode,
      aa: o.aa,
      ra: o.ra,
      rd: q.rd,
      cd: q.cd,
      rawQuestion: q.rawQuestion,
      answers: o.answers,
      authority: o.authority,
      additional: o.additional,
      // CoreDNS's SizeAndDo echoes the client's OPT: its buffer size and DO bit.
      edns: q.edns ? { udpSize: q.edns.udpSize, do: q.edns.do } : undefined,
      limit,
    });
    return { buf, rcode: o.rcode };
  }
}

function errorOutcome(rcode: number): Outcome {
  return { rcode, aa: false, ra: false, answers: EMPTY, authority: EMPTY, additional: EMPTY, plugin: '' };
}
