/**
 * The WebSocket channel framing of Kubernetes' `channel.k8s.io` family
 * (apimachinery's wsstream): every message is one channel's bytes, prefixed
 * by the channel number, as a byte (binary protocols) or an ASCII digit with
 * a base64 payload (`*.base64.channel.k8s.io`), framed by protocol.ts. Each channel is a Duplex, so
 * the same code forwards over this and over SPDY streams.
 */
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { decodeFrame, encodeFrame } from './protocol.js';

/** A WebSocket's channels as Duplexes; readable channels get the client's messages. */
export class ChannelSocket {
  readonly channels: ChannelStream[];

  constructor(
    readonly ws: WebSocket,
    count: number,
    readonly base64: boolean,
  ) {
    this.channels = Array.from({ length: count }, (_, i) => new ChannelStream(this, i));
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      const msg = decodeFrame({ base64 }, buf);
      // wsstream ignores messages for channels that do not exist; so do we.
      const ch = msg && this.channels[msg.channel];
      if (ch && msg.data.length > 0) ch.deliver(msg.data);
    });
    ws.on('close', () => {
      for (const ch of this.channels) ch.destroy();
    });
    ws.on('error', () => ws.terminate());
  }

  /** @internal */
  send(channel: number, payload: Buffer, cb: (err?: Error) => void): void {
    if (this.ws.readyState !== this.ws.OPEN) return cb();
    this.ws.send(encodeFrame({ base64: this.base64 }, channel, payload), { binary: !this.base64 }, () =>
      cb(),
    );
  }

  close(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }
}

/** One channel. end() sends nothing: the v4 protocols have no per-channel close. */
export class ChannelStream extends Duplex {
  private lagging = false;

  constructor(
    private readonly conn: ChannelSocket,
    readonly channel: number,
  ) {
    super({ allowHalfOpen: true });
  }

  /** @internal */
  deliver(payload: Buffer): void {
    if (this.destroyed || this.readableEnded) return;
    if (!this.push(payload) && !this.lagging) {
      this.lagging = true;
      this.conn.ws.pause();
    }
  }

  override _read(): void {
    if (this.lagging) {
      this.lagging = false;
      this.conn.ws.resume();
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.conn.send(this.channel, chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    cb();
  }
}
