/**
 * DNS over TCP connections: framing, pipelining with backpressure, and the
 * bounds that keep slow or idle clients from holding the server's slots.
 *
 * Deadlines as miekg/dns's server (CoreDNS's TCP side) sets them: the first
 * message must arrive whole within the read timeout of the connection, and a
 * connection with nothing in flight closes after the idle timeout. Unlike a
 * socket timeout, a deadline is not pushed back by each byte: miekg sets it
 * once per message read. Here every message (not only the first) must also
 * arrive whole within the read timeout of its first byte, so a client that
 * trickles bytes is closed within seconds, never held by its own trickle.
 *
 * When every slot is taken, a new connection is not refused (that is a
 * lockout: 1,000 slow clients would hold them all); it takes the slot of a
 * connection with nothing in flight: the oldest that has not yet sent a whole
 * message, else the least recently active. Only when every connection has a
 * query in flight is the new one closed.
 */
import type { Socket } from 'node:net';
import type { Clock } from '../../lib/clock.js';
import { FrameDecoder, frame } from './framing.js';

export interface TcpLimits {
  /** Open connections at most; a new one beyond takes the slot of an idle one. */
  maxConnections: number;
  /** A message must arrive whole within this of its first byte, the first one within this of the connection (miekg: 2 s). */
  readTimeoutMs: number;
  /** A connection with nothing in flight and nothing arriving is closed after this (miekg: 8 s). */
  idleTimeoutMs: number;
  /** Pipelined queries one connection may have in flight before its reads pause. */
  maxInflight: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 1000,
  readTimeoutMs: 2000,
  idleTimeoutMs: 8000,
  maxInflight: 64,
};

/** One message in, at most one reply out (a promise when it waits on the forwarder). */
export type Answerer = (msg: Buffer, family: 1 | 2) => Buffer | undefined | Promise<Buffer | undefined>;

/** What the connections have done so far (tests, logs). */
export interface TcpStats {
  /** Connections open now. */
  open: number;
  /** Of those, how many are part-way through receiving a message. */
  receiving: number;
  /** Closed because a message did not arrive whole in time. */
  readTimeouts: number;
  /** Closed after the idle timeout. */
  idleTimeouts: number;
  /** Closed to give their slot to a new connection. */
  evicted: number;
  /** New connections closed at once: every slot held a query in flight. */
  refused: number;
}

/** Stop reading from a client that does not read its answers. */
const WRITE_BACKLOG = 256 * 1024;

export class TcpConnections {
  /** In order of last activity (accepted, or a message received): least recent first. */
  private readonly conns = new Map<Socket, Conn>();
  private readonly counts = { readTimeouts: 0, idleTimeouts: 0, evicted: 0, refused: 0 };

  constructor(
    private readonly limits: TcpLimits,
    private readonly clock: Clock,
    private readonly answer: Answerer,
  ) {}

  accept(sock: Socket): void {
    if (this.conns.size >= this.limits.maxConnections && !this.evictOne()) {
      this.counts.refused++;
      sock.destroy();
      return;
    }
    const conn = new Conn(sock, this.limits, this.clock, this.answer, {
      active: () => {
        // Re-inserted: now the most recently active.
        this.conns.delete(sock);
        this.conns.set(sock, conn);
      },
      closed: (why) => {
        if (why) this.counts[why]++;
        this.conns.delete(sock);
      },
    });
    this.conns.set(sock, conn);
  }

  /** Frees a slot: the oldest connection yet to send a whole message, else the least recently active; none with a query in flight. */
  private evictOne(): boolean {
    let victim: Conn | undefined;
    for (const c of this.conns.values()) {
      if (c.inflight > 0) continue;
      if (c.messages === 0) {
        victim = c;
        break;
      }
      victim ??= c;
    }
    if (!victim) return false;
    victim.close('evicted');
    return true;
  }

  closeAll(): void {
    for (const c of [...this.conns.values()]) c.close();
  }

  stats(): TcpStats {
    let receiving = 0;
    for (const c of this.conns.values()) if (c.receiving) receiving++;
    return { open: this.conns.size, receiving, ...this.counts };
  }
}

type CloseReason = 'readTimeouts' | 'idleTimeouts' | 'evicted';

class Conn {
  inflight = 0;
  /** Whole messages received. */
  messages = 0;
  private readonly frames = new FrameDecoder();
  private paused = false;
  private closed = false;
  private readonly acceptedAt: number;
  /** The client's address family, as CoreDNS's metrics label it (1 IPv4, 2 IPv6). */
  private readonly family: 1 | 2;
  /** When the first byte of the message being received arrived. */
  private messageStart?: number;
  /** When the connection last did something: a message received or a reply written. */
  private activeAt: number;
  private timer: unknown;
  private timerAt?: number;

  constructor(
    private readonly sock: Socket,
    private readonly limits: TcpLimits,
    private readonly clock: Clock,
    private readonly answer: Answerer,
    private readonly table: { active(): void; closed(why?: CloseReason): void },
  ) {
    this.acceptedAt = this.activeAt = clock.now();
    this.family = sock.remoteFamily === 'IPv6' ? 2 : 1;
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('drain', () => {
      this.activeAt = this.clock.now();
      this.maybeResume();
      this.rearm();
    });
    sock.on('error', () => this.close());
    sock.on('close', () => this.close());
    this.rearm();
  }

  get receiving(): boolean {
    return this.frames.buffered > 0;
  }

  close(why?: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    this.sock.destroy();
    this.table.closed(why);
  }

  private onData(chunk: Buffer): void {
    const hadPartial = this.frames.buffered > 0;
    const msgs = this.frames.push(chunk);
    const now = this.clock.now();
    if (msgs.length > 0) {
      this.messages += msgs.length;
      this.activeAt = now;
      this.table.active();
    }
    // The deadline of a message runs from its first byte, and stays put while the rest trickles in.
    if (this.frames.buffered === 0) this.messageStart = undefined;
    else if (!hadPartial || msgs.length > 0) this.messageStart = now;
    for (const msg of msgs) {
      const r = this.answer(msg, this.family);
      if (!(r instanceof Promise)) {
        this.write(r);
        continue;
      }
      // Pipelining: later queries are read and answered while this one waits.
      this.inflight++;
      if (this.inflight >= this.limits.maxInflight) this.pause();
      r.then((reply) => {
        this.inflight--;
        this.write(reply);
        this.maybeResume();
        this.rearm();
      });
    }
    this.rearm();
  }

  private write(reply: Buffer | undefined): void {
    if (!reply || this.closed) return;
    this.sock.write(frame(reply));
    this.activeAt = this.clock.now();
    if (this.sock.writableLength >= WRITE_BACKLOG) this.pause();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.sock.pause();
  }

  private maybeResume(): void {
    if (!this.paused || this.closed) return;
    if (this.inflight >= this.limits.maxInflight || this.sock.writableLength >= WRITE_BACKLOG) return;
    this.paused = false;
    // A message cut off by the pause gets a fresh read deadline: the wait was ours, not the client's.
    if (this.frames.buffered > 0) this.messageStart = this.clock.now();
    this.sock.resume();
    this.rearm();
  }

  /** When this connection must be closed, and why; none while it waits on the server. */
  private deadline(): { at: number; why: CloseReason } | undefined {
    const { readTimeoutMs, idleTimeoutMs } = this.limits;
    if (!this.paused) {
      if (this.messages === 0) return { at: this.acceptedAt + readTimeoutMs, why: 'readTimeouts' };
      if (this.messageStart !== undefined)
        return { at: this.messageStart + readTimeoutMs, why: 'readTimeouts' };
    }
    // Queries in flight end by themselves (the forwarder times out); then the idle clock runs.
    if (this.inflight > 0) return undefined;
    return { at: this.activeAt + idleTimeoutMs, why: 'idleTimeouts' };
  }

  private rearm(): void {
    if (this.closed) return;
    const at = this.deadline()?.at;
    // A deadline that moved later (a reply written, a query in flight) keeps the timer: expire() looks again.
    if (this.timerAt !== undefined && (at === undefined || at >= this.timerAt)) return;
    this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer =
      at === undefined ? undefined : this.clock.setTimeout(() => this.expire(), at - this.clock.now());
  }

  private expire(): void {
    this.timerAt = undefined;
    const d = this.deadline();
    if (d && d.at <= this.clock.now()) this.close(d.why);
    else this.rearm();
  }
}
