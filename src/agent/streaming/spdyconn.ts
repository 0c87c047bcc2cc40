/**
 * A SPDY/3.1 connection over any byte stream (a TCP socket after an HTTP
 * upgrade, or a WebSocket tunnel), with the semantics of moby/spdystream,
 * the implementation both client-go and kubelet use: streams are Node
 * Duplexes; a peer's stream is announced through `onStream` and answered with
 * `reply()` or `reset()`; PINGs from the peer are echoed; GOAWAY or the end of
 * the transport ends every stream. Flow control is spdystream's: windows are
 * neither sent nor enforced (it ignores SETTINGS and WINDOW_UPDATE), so
 * back-pressure is the transport's: a full socket delays writes, and a stream
 * whose reader lags pauses reading from the transport until it catches up.
 */
import type { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import { refuseUpgrade } from './refusal.js';
import {
  encodeFrame,
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  type Frame,
  FrameDecoder,
  HeaderDeflater,
  HeaderInflater,
  RstStatus,
  type SpdyHeaders,
  SpdyProtocolError,
} from './spdy.js';

/** Data frames carry at most this much: small enough to interleave streams fairly. */
const MAX_DATA_FRAME = 32 * 1024;
/** What the transport may hold before answers to the peer's control frames stop (answer()). */
const CONTROL_BACKLOG = 4 * 1024 * 1024;

export interface SpdyConnectionOptions {
  /** The server's streams are even, the client's odd (SPDY/3 2.3.2). */
  server: boolean;
  /** A stream the peer opened; call reply() to accept it or reset() to refuse it. */
  onStream?: (stream: SpdyStream) => void;
  /** Called once when the connection is over (GOAWAY, transport closed, protocol error). */
  onClose?: (err?: Error) => void;
}

export class SpdyConnection {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly decoder = new FrameDecoder();
  private readonly inflater = new HeaderInflater();
  private readonly deflater = new HeaderDeflater();
  private readonly lagging = new Set<SpdyStream>();
  private readonly pings = new Map<number, () => void>();
  private nextStreamId: number;
  private nextPingId: number;
  private lastRemoteId = 0;
  private closed = false;

  constructor(
    private readonly transport: Duplex,
    private readonly opts: SpdyConnectionOptions,
  ) {
    this.nextStreamId = opts.server ? 2 : 1;
    this.nextPingId = opts.server ? 2 : 1;
    transport.on('data', (chunk: Buffer) => this.receive(chunk));
    transport.on('end', () => this.destroy());
    transport.on('close', () => this.destroy());
    transport.on('error', (err: Error) => this.destroy(err));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Streams now open (for tests and diagnostics). */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Feeds bytes that arrived before the connection took over the transport (an upgrade's head). */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    try {
      for (const frame of this.decoder.push(chunk)) {
        this.dispatch(frame);
        if (this.closed) return;
      }
    } catch (err) {
      // A session error: say so and drop the connection; never let it escape into the event loop.
      if (err instanceof SpdyProtocolError)
        this.send({ type: 'goaway', lastGoodStreamId: this.lastRemoteId, status: 1 });
      this.destroy(err as Error);
    }
  }

  /** Opens a stream (client role in tests; the server side of Kubernetes never does). */
  openStream(headers: SpdyHeaders, opts: { fin?: boolean } = {}): SpdyStream {
    if (this.closed) throw new SpdyProtocolError('connection closed');
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, headers, false);
    this.streams.set(id, stream);
    this.send({
      type: 'syn_stream',
      streamId: id,
      associatedId: 0,
      priority: 0,
      flags: opts.fin ? FLAG_FIN : 0,
      headerBlock: this.deflater.compress(headers),
    });
    if (opts.fin) stream.end();
    return stream;
  }

  /** Sends a PING and resolves when the peer echoes it. */
  ping(): Promise<void> {
    const id = this.nextPingId;
    this.nextPingId = (this.nextPingId + 2) % 0x7fffffff || (this.opts.server ? 2 : 1);
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new SpdyProtocolError('connection closed'));
      this.pings.set(id, resolve);
      this.send({ type: 'ping', id });
    });
  }

  /** GOAWAY, then the transport ends; every stream ends with it. */
  close(): void {
    if (this.closed) return;
    this.send({ type: 'goaway', lastGoodStreamId: this.lastRemoteId, status: 0 });
    this.transport.end();
    this.destroy();
  }

  /** Ends the connection now (no GOAWAY). */
  destroy(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.connectionGone();
    this.streams.clear();
    this.lagging.clear();
    this.pings.clear();
    if (!this.transport.destroyed) {
      if (err) this.transport.destroy();
      else this.transport.end();
    }
    this.opts.onClose?.(err);
  }

  /** @internal Writes a frame; false when the transport's buffer is full. */
  send(frame: Frame): boolean {
    if (this.closed || this.transport.destroyed || this.transport.writableEnded) return true;
    return this.transport.write(encodeFrame(frame));
  }

  /** @internal */
  compress(headers: SpdyHeaders): Buffer {
    return this.deflater.compress(headers);
  }

  /** @internal Calls back once the transport can take more. */
  whenWritable(cb: () => void): void {
    if (!this.transport.writableNeedDrain || this.closed) return cb();
    const done = () => {
      this.transport.off('drain', done);
      this.transport.off('close', done);
      cb();
    };
    this.transport.on('drain', done);
    this.transport.on('close', done);
  }

  /** @internal A stream's reader is behind: stop reading the transport until it catches up. */
  lag(stream: SpdyStream): void {
    this.lagging.add(stream);
    this.transport.pause();
  }

  /** @internal */
  caughtUp(stream: SpdyStream): void {
    if (this.lagging.delete(stream)) this.flow();
  }

  /** Reads the transport again unless a stream's reader lags. */
  private flow(): void {
    if (this.lagging.size === 0 && !this.closed) this.transport.resume();
  }

  /**
   * Sends an answer the peer's own frames call for (a PING echo, a RST_STREAM). A peer that keeps
   * asking without reading would grow our write buffer without bound: past CONTROL_BACKLOG a PING
   * goes unanswered (its sender times out) and anything else ends the connection.
   */
  /** @internal */
  answer(frame: Frame): void {
    if (this.transport.writableLength <= CONTROL_BACKLOG) this.send(frame);
    else if (frame.type !== 'ping') this.destroy(new SpdyProtocolError('peer does not read its answers'));
  }

  /** @internal */
  forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
    this.caughtUp(stream);
  }

  private ours(id: number): boolean {
    return id % 2 === (this.opts.server ? 0 : 1);
  }

  private dispatch(f: Frame): void {
    switch (f.type) {
      case 'syn_stream': {
        // Inflate even a refused stream's headers: the compression context is shared.
        const headers = this.inflater.inflate(f.headerBlock);
        if (this.ours(f.streamId) || f.streamId <= this.lastRemoteId) {
          this.answer({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.ProtocolError });
          return;
        }
        this.lastRemoteId = f.streamId;
        const stream = new SpdyStream(this, f.streamId, headers, (f.flags & FLAG_UNIDIRECTIONAL) !== 0);
        this.streams.set(f.streamId, stream);
        if (f.flags & FLAG_FIN) stream.remoteFin();
        if (this.opts.onStream) this.opts.onStream(stream);
        else stream.reset(RstStatus.RefusedStream);
        return;
      }
      case 'syn_reply':
      case 'headers': {
        const headers = this.inflater.inflate(f.headerBlock);
        const stream = this.streams.get(f.streamId);
        if (!stream) return;
        if (f.type === 'syn_reply') stream.onReply(headers);
        if (f.flags & FLAG_FIN) stream.remoteFin();
        return;
      }
      case 'data': {
        const stream = this.streams.get(f.streamId);
        // spdystream drops data for streams it no longer knows; so do we.
        if (!stream) return;
        if (f.data.length > 0) stream.remoteData(f.data);
        if (f.flags & FLAG_FIN) stream.remoteFin();
        return;
      }
      case 'rst_stream':
        this.streams.get(f.streamId)?.remoteReset(f.status);
        return;
      case 'ping':
        if (this.ours(f.id)) {
          const resolve = this.pings.get(f.id);
          this.pings.delete(f.id);
          resolve?.();
        } else this.answer(f);
        return;
      case 'goaway':
        this.destroy();
        return;
      case 'settings':
      case 'window_update':
      case 'unknown':
        return;
    }
  }
}

/** One SPDY stream: readable is the peer's data, writable sends ours; end() sends FIN. */
export class SpdyStream extends Duplex {
  private localClosed: boolean;
  private remoteClosed = false;
  private wasReset = false;
  private replySent = false;
  /** The peer's SYN_REPLY headers, for streams we opened. */
  readonly peerReply: Promise<SpdyHeaders>;
  private resolveReply: (h: SpdyHeaders) => void = () => {};
  private rejectReply: (e: Error) => void = () => {};

  constructor(
    private readonly conn: SpdyConnection,
    readonly id: number,
    readonly headers: SpdyHeaders,
    unidirectional: boolean,
  ) {
    super({ allowHalfOpen: true });
    this.localClosed = unidirectional;
    this.peerReply = new Promise((resolve, reject) => {
      this.resolveReply = resolve;
      this.rejectReply = reject;
    });
    this.peerReply.catch(() => {});
  }

  /** Accepts a peer's stream (SYN_REPLY). */
  reply(headers: SpdyHeaders = {}): void {
    if (this.replySent || this.wasReset) return;
    this.replySent = true;
    this.conn.send({
      type: 'syn_reply',
      streamId: this.id,
      flags: 0,
      headerBlock: this.conn.compress(headers),
    });
  }

  /** Refuses or aborts the stream (RST_STREAM); both directions end. */
  reset(status: number = RstStatus.Cancel): void {
    if (this.wasReset) return;
    this.wasReset = true;
    this.conn.answer({ type: 'rst_stream', streamId: this.id, status });
    this.finish();
  }

  get isReset(): boolean {
    return this.wasReset;
  }

  override _read(): void {
    this.conn.caughtUp(this);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.wasReset || this.localClosed) return cb();
    let full = false;
    for (let at = 0; at < chunk.length; at += MAX_DATA_FRAME) {
      full = !this.conn.send({
        type: 'data',
        streamId: this.id,
        flags: 0,
        data: chunk.subarray(at, at + MAX_DATA_FRAME),
      });
    }
    if (full) this.conn.whenWritable(() => cb());
    else cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.wasReset && !this.localClosed) {
      this.conn.send({ type: 'data', streamId: this.id, flags: FLAG_FIN, data: Buffer.alloc(0) });
    }
    this.localClosed = true;
    this.maybeForget();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.conn.forget(this);
    cb(err);
  }

  /** @internal */
  remoteData(data: Buffer): void {
    if (this.remoteClosed || this.wasReset) return;
    if (!this.push(data)) this.conn.lag(this);
  }

  /** @internal */
  remoteFin(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.push(null);
    this.maybeForget();
  }

  /** @internal */
  onReply(headers: SpdyHeaders): void {
    this.resolveReply(headers);
  }

  /** @internal */
  remoteReset(status: number): void {
    if (this.wasReset) return;
    this.wasReset = true;
    this.rejectReply(new SpdyProtocolError(`stream ${this.id} reset by peer (status ${status})`));
    this.emit('reset', status);
    this.finish();
  }

  /** @internal The connection ended under the stream. */
  connectionGone(): void {
    this.rejectReply(new SpdyProtocolError('connection closed'));
    this.wasReset = true;
    this.finish();
  }

  /** Reset or connection gone: both directions are over; later writes are dropped, not errors. */
  private finish(): void {
    this.localClosed = true;
    this.remoteClosed = true;
    this.conn.forget(this);
    this.destroy();
  }

  private maybeForget(): void {
    if (this.localClosed && this.remoteClosed) this.conn.forget(this);
  }
}

/** The protocols a client offers in X-Stream-Protocol-Version (repeated headers arrive comma-joined). */
export function clientProtocols(req: IncomingMessage): string[] {
  const raw = req.headers['x-stream-protocol-version'];
  const all = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return all
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** Whether the request asks to upgrade to SPDY/3.1 (Connection: Upgrade, Upgrade: SPDY/3.1). */
export function isSpdyUpgrade(req: IncomingMessage): boolean {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  return upgrade.split(',').some((u) => u.trim() === 'spdy/3.1');
}

/**
 * httpstream.Handshake: the first protocol the client offers that the server
 * supports, '' when the client offers none (a legacy client), or undefined
 * after answering 403 as upstream does.
 */
export function negotiate(
  req: IncomingMessage,
  socket: Duplex,
  serverProtocols: string[],
): string | undefined {
  const offered = clientProtocols(req);
  if (offered.length === 0) return '';
  const chosen = offered.find((p) => serverProtocols.includes(p));
  if (chosen !== undefined) return chosen;
  refuseUpgrade(
    socket,
    403,
    `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${serverProtocols.join(' ')}]`,
    { 'X-Stream-Protocol-Version': serverProtocols.join(', ') },
  );
  return undefined;
}

/**
 * Completes a SPDY/3.1 upgrade (101 with the negotiated protocol) and returns
 * the server side of the connection; `head` is what the HTTP parser read past
 * the request.
 */
export function acceptSpdy(
  socket: Duplex,
  head: Buffer,
  protocol: string,
  opts: Omit<SpdyConnectionOptions, 'server'>,
): SpdyConnection {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1'];
  if (protocol !== '') lines.push(`X-Stream-Protocol-Version: ${protocol}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const conn = new SpdyConnection(socket, { ...opts, server: true });
  if (head.length > 0) conn.receive(head);
  return conn;
}
