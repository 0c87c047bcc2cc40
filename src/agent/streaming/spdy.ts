/**
 * SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with 3.1's stream windows),
 * the wire format of Kubernetes' streaming transport (moby/spdystream under
 * client-go and kubelet). Pure codec: `FrameDecoder` cuts a byte stream into
 * frames (header blocks left compressed), `encodeFrame` writes one, and the
 * header block helpers pack/parse the name/value block. Header compression
 * is zlib with SPDY/3's dictionary, one context per direction per connection:
 * `HeaderInflater` follows the peer's; `HeaderDeflater` writes stored
 * (uncompressed) deflate blocks, a valid zlib stream any SPDY peer inflates,
 * which keeps our side synchronous and stateless but for the stream header.
 */
import { inflateRawSync, inflateSync, constants as zc } from 'node:zlib';
import { SvcnetError } from '../../lib/errors.js';

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
  FrameTooLarge: 11,
} as const;

/** Header names (lower-case, as SPDY/3 requires) to their values (NUL-separated on the wire). */
export type SpdyHeaders = Record<string, string[]>;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | {
      type: 'syn_stream';
      streamId: number;
      associatedId: number;
      priority: number;
      flags: number;
      headerBlock: Buffer;
    }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: SettingsEntry[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

export interface SettingsEntry {
  flags: number;
  id: number;
  value: number;
}

/** A malformed frame, header block or compression stream: the connection cannot continue. */
export class SpdyProtocolError extends SvcnetError<'SPDY_PROTOCOL_ERROR'> {
  constructor(message: string) {
    super('SPDY_PROTOCOL_ERROR', message);
  }
}

const MAX_PAYLOAD = 0xffffff;
/** Header-carrying frames beyond this are refused: kubectl's are tens of bytes, and it bounds inflation. */
export const MAX_HEADER_FRAME = 64 * 1024;
/** The most header bytes one block may inflate to. */
export const MAX_HEADER_BYTES = 256 * 1024;

const STREAM_ID_MASK = 0x7fffffff;

/**
 * Cuts a byte stream into frames; keeps a partial frame until the rest
 * arrives. Chunks are kept as a list: a large frame arriving in many small
 * chunks is joined once, not once per chunk.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private length = 0;

  /** The complete frames now available; throws SpdyProtocolError on malformed input. */
  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.length += chunk.length;
    }
    const out: Frame[] = [];
    while (this.length >= 8) {
      const size = 8 + this.take(8, false).readUIntBE(5, 3);
      if (this.length < size) break;
      out.push(decodeFrame(this.take(size, true)));
    }
    return out;
  }

  /** Bytes held for an incomplete frame. */
  get pending(): number {
    return this.length;
  }

  /** The first n bytes (n <= length), removed when `consume`; joins only the chunks they span. */
  private take(n: number, consume: boolean): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) out = first.subarray(0, n);
    else {
      const parts: Buffer[] = [];
      let have = 0;
      for (const c of this.chunks) {
        if (have >= n) break;
        parts.push(c);
        have += c.length;
      }
      out = Buffer.concat(parts, have).subarray(0, n);
    }
    if (!consume) return out;
    this.length -= n;
    let left = n;
    while (left > 0) {
      const c = this.chunks[0]!;
      if (c.length <= left) {
        this.chunks.shift();
        left -= c.length;
      } else {
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    return out;
  }
}

function need(payload: Buffer, n: number, what: string): void {
  if (payload.length < n) throw new SpdyProtocolError(`${what} frame too short (${payload.length} bytes)`);
}

function exact(payload: Buffer, n: number, what: string): void {
  if (payload.length !== n)
    throw new SpdyProtocolError(`${what} frame has ${payload.length} bytes, want ${n}`);
}

function nonZeroStream(id: number, what: string): number {
  if (id === 0) throw new SpdyProtocolError(`${what} frame with stream id 0`);
  return id;
}

/** One whole frame (header + payload) to its object. */
export function decodeFrame(frame: Buffer): Frame {
  const flags = frame[4] ?? 0;
  const payload = frame.subarray(8);
  if ((frame[0] ?? 0) & 0x80) {
    const version = frame.readUInt16BE(0) & 0x7fff;
    if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    const type = frame.readUInt16BE(2);
    return decodeControl(type, flags, payload);
  }
  return {
    type: 'data',
    streamId: nonZeroStream(frame.readUInt32BE(0) & STREAM_ID_MASK, 'DATA'),
    flags,
    data: payload,
  };
}

function headerBlock(payload: Buffer, offset: number, what: string): Buffer {
  if (payload.length > MAX_HEADER_FRAME) throw new SpdyProtocolError(`${what} header block too large`);
  return payload.subarray(offset);
}

function decodeControl(type: number, flags: number, p: Buffer): Frame {
  switch (type) {
    case FrameType.SynStream:
      need(p, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: nonZeroStream(p.readUInt32BE(0) & STREAM_ID_MASK, 'SYN_STREAM'),
        associatedId: p.readUInt32BE(4) & STREAM_ID_MASK,
        priority: (p[8] ?? 0) >> 5,
        flags,
        headerBlock: headerBlock(p, 10, 'SYN_STREAM'),
      };
    case FrameType.SynReply:
    case FrameType.Headers:
      need(p, 4, type === FrameType.SynReply ? 'SYN_REPLY' : 'HEADERS');
      return {
        type: type === FrameType.SynReply ? 'syn_reply' : 'headers',
        streamId: nonZeroStream(p.readUInt32BE(0) & STREAM_ID_MASK, 'SYN_REPLY'),
        flags,
        headerBlock: headerBlock(p, 4, 'SYN_REPLY'),
      };
    case FrameType.RstStream:
      exact(p, 8, 'RST_STREAM');
      return {
        type: 'rst_stream',
        streamId: nonZeroStream(p.readUInt32BE(0) & STREAM_ID_MASK, 'RST_STREAM'),
        status: p.readUInt32BE(4),
      };
    case FrameType.Settings: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      exact(p, 4 + n * 8, 'SETTINGS');
      const entries: SettingsEntry[] = [];
      for (let i = 0; i < n; i++) {
        const at = 4 + i * 8;
        entries.push({ flags: p[at] ?? 0, id: p.readUIntBE(at + 1, 3), value: p.readUInt32BE(at + 4) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.Ping:
      exact(p, 4, 'PING');
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GoAway:
      exact(p, 8, 'GOAWAY');
      return {
        type: 'goaway',
        lastGoodStreamId: p.readUInt32BE(0) & STREAM_ID_MASK,
        status: p.readUInt32BE(4),
      };
    case FrameType.WindowUpdate:
      exact(p, 8, 'WINDOW_UPDATE');
      return {
        type: 'window_update',
        streamId: p.readUInt32BE(0) & STREAM_ID_MASK,
        delta: p.readUInt32BE(4) & STREAM_ID_MASK,
      };
    default:
      // The spec: an unknown control frame is ignored, not an error.
      return { type: 'unknown', frameType: type, flags, payload: p };
  }
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_PAYLOAD) throw new SpdyProtocolError('frame payload too large');
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h[4] = flags;
  h.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([h, payload]);
}

const u32 = (...values: number[]): Buffer => {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => {
    b.writeUInt32BE(v >>> 0, i * 4);
  });
  return b;
};

/** A frame's bytes. Header-carrying frames take an already compressed header block. */
export function encodeFrame(f: Frame): Buffer {
  switch (f.type) {
    case 'data': {
      if (f.data.length > MAX_PAYLOAD) throw new SpdyProtocolError('DATA payload too large');
      const h = Buffer.alloc(8);
      h.writeUInt32BE(f.streamId & STREAM_ID_MASK, 0);
      h[4] = f.flags;
      h.writeUIntBE(f.data.length, 5, 3);
      return Buffer.concat([h, f.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(f.streamId & STREAM_ID_MASK, 0);
      fixed.writeUInt32BE(f.associatedId & STREAM_ID_MASK, 4);
      fixed[8] = (f.priority & 7) << 5;
      return control(FrameType.SynStream, f.flags, Buffer.concat([fixed, f.headerBlock]));
    }
    case 'syn_reply':
    case 'headers':
      return control(
        f.type === 'syn_reply' ? FrameType.SynReply : FrameType.Headers,
        f.flags,
        Buffer.concat([u32(f.streamId & STREAM_ID_MASK), f.headerBlock]),
      );
    case 'rst_stream':
      return control(FrameType.RstStream, 0, u32(f.streamId, f.status));
    case 'settings': {
      const p = Buffer.alloc(4 + f.entries.length * 8);
      p.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        p[4 + i * 8] = e.flags;
        p.writeUIntBE(e.id, 5 + i * 8, 3);
        p.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return control(FrameType.Settings, f.flags, p);
    }
    case 'ping':
      return control(FrameType.Ping, 0, u32(f.id));
    case 'goaway':
      return control(FrameType.GoAway, 0, u32(f.lastGoodStreamId, f.status));
    case 'window_update':
      return control(FrameType.WindowUpdate, 0, u32(f.streamId, f.delta));
    case 'unknown':
      return control(f.frameType, f.flags, f.payload);
  }
}

/** The uncompressed name/value block: count, then length-prefixed names and NUL-joined values. */
export function packHeaders(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [u32(Object.keys(headers).length)];
  for (const [name, values] of Object.entries(headers)) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(values.join('\0'));
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Parses an uncompressed name/value block; names must be non-empty, lower-case and unique. */
export function parseHeaders(block: Buffer): SpdyHeaders {
  let at = 0;
  const take = (what: string): Buffer => {
    if (at + 4 > block.length) throw new SpdyProtocolError(`header block truncated at ${what}`);
    const len = block.readUInt32BE(at);
    at += 4;
    if (len > block.length - at) throw new SpdyProtocolError(`header block truncated in ${what}`);
    const b = block.subarray(at, at + len);
    at += len;
    return b;
  };
  if (block.length < 4) throw new SpdyProtocolError('header block truncated');
  const count = block.readUInt32BE(0);
  at = 4;
  // Each pair takes at least 8 bytes: a count beyond that is a lie, not a reason to loop.
  if (count > (block.length - 4) / 8) throw new SpdyProtocolError(`header block claims ${count} headers`);
  const out: SpdyHeaders = Object.create(null) as SpdyHeaders;
  for (let i = 0; i < count; i++) {
    const name = take('name').toString('latin1');
    if (name === '' || name !== name.toLowerCase())
      throw new SpdyProtocolError(`invalid header name ${JSON.stringify(name)}`);
    if (name in out) throw new SpdyProtocolError(`duplicate header ${name}`);
    out[name] = take('value').toString('utf8').split('\0');
  }
  if (at !== block.length) throw new SpdyProtocolError('trailing bytes after header block');
  return out;
}

/** The first value of a header (names compared lower-case, as Go's http.Header.Get). */
export function headerValue(headers: SpdyHeaders, name: string): string {
  return headers[name.toLowerCase()]?.[0] ?? '';
}

/** SPDY/3's compression dictionary (spec section 2.6.10.1), 1423 bytes. */
export const SPDY_DICTIONARY = Buffer.from(
  'AAAAB29wdGlvbnMAAAAEaGVhZAAAAARwb3N0AAAAA3B1dAAAAAZkZWxldGUAAAAFdHJhY2UAAAAGYWNjZXB0AAAADmFjY2VwdC1jaGFyc2V0AAAAD2FjY2VwdC1lbmNvZGluZwAAAA9hY2NlcHQtbGFuZ3VhZ2UAAAANYWNjZXB0LXJhbmdlcwAAAANhZ2UAAAAFYWxsb3cAAAANYXV0aG9yaXphdGlvbgAAAA1jYWNoZS1jb250cm9sAAAACmNvbm5lY3Rpb24AAAAMY29udGVudC1iYXNlAAAAEGNvbnRlbnQtZW5jb2RpbmcAAAAQY29udGVudC1sYW5ndWFnZQAAAA5jb250ZW50LWxlbmd0aAAAABBjb250ZW50LWxvY2F0aW9uAAAAC2NvbnRlbnQtbWQ1AAAADWNvbnRlbnQtcmFuZ2UAAAAMY29udGVudC10eXBlAAAABGRhdGUAAAAEZXRhZwAAAAZleHBlY3QAAAAHZXhwaXJlcwAAAARmcm9tAAAABGhvc3QAAAAIaWYtbWF0Y2gAAAARaWYtbW9kaWZpZWQtc2luY2UAAAANaWYtbm9uZS1tYXRjaAAAAAhpZi1yYW5nZQAAABNpZi11bm1vZGlmaWVkLXNpbmNlAAAADWxhc3QtbW9kaWZpZWQAAAAIbG9jYXRpb24AAAAMbWF4LWZvcndhcmRzAAAABnByYWdtYQAAABJwcm94eS1hdXRoZW50aWNhdGUAAAATcHJveHktYXV0aG9yaXphdGlvbgAAAAVyYW5nZQAAAAdyZWZlcmVyAAAAC3JldHJ5LWFmdGVyAAAABnNlcnZlcgAAAAJ0ZQAAAAd0cmFpbGVyAAAAEXRyYW5zZmVyLWVuY29kaW5nAAAAB3VwZ3JhZGUAAAAKdXNlci1hZ2VudAAAAAR2YXJ5AAAAA3ZpYQAAAAd3YXJuaW5nAAAAEHd3dy1hdXRoZW50aWNhdGUAAAAGbWV0aG9kAAAAA2dldAAAAAZzdGF0dXMAAAAGMjAwIE9LAAAAB3ZlcnNpb24AAAAISFRUUC8xLjEAAAADdXJsAAAABnB1YmxpYwAAAApzZXQtY29va2llAAAACmtlZXAtYWxpdmUAAAAGb3JpZ2luMTAwMTAxMjAxMjAyMjA1MjA2MzAwMzAyMzAzMzA0MzA1MzA2MzA3NDAyNDA1NDA2NDA3NDA4NDA5NDEwNDExNDEyNDEzNDE0NDE1NDE2NDE3NTAyNTA0NTA1MjAzIE5vbi1BdXRob3JpdGF0aXZlIEluZm9ybWF0aW9uMjA0IE5vIENvbnRlbnQzMDEgTW92ZWQgUGVybWFuZW50bHk0MDAgQmFkIFJlcXVlc3Q0MDEgVW5hdXRob3JpemVkNDAzIEZvcmJpZGRlbjQwNCBOb3QgRm91bmQ1MDAgSW50ZXJuYWwgU2VydmVyIEVycm9yNTAxIE5vdCBJbXBsZW1lbnRlZDUwMyBTZXJ2aWNlIFVuYXZhaWxhYmxlSmFuIEZlYiBNYXIgQXByIE1heSBKdW4gSnVsIEF1ZyBTZXB0IE9jdCBOb3YgRGVjIDAwOjAwOjAwIE1vbiwgVHVlLCBXZWQsIFRodSwgRnJpLCBTYXQsIFN1biwgR01UY2h1bmtlZCx0ZXh0L2h0bWwsaW1hZ2UvcG5nLGltYWdlL2pwZyxpbWFnZS9naWYsYXBwbGljYXRpb24veG1sLGFwcGxpY2F0aW9uL3hodG1sK3htbCx0ZXh0L3BsYWluLHRleHQvamF2YXNjcmlwdCxwdWJsaWNwcml2YXRlbWF4LWFnZT1nemlwLGRlZmxhdGUsc2RjaGNoYXJzZXQ9dXRmLThjaGFyc2V0PWlzby04ODU5LTEsdXRmLSwqLGVucT0wLg==',
  'base64',
);

/**
 * Compresses header blocks as one zlib stream (FDICT set) of stored blocks: each
 * block ends byte-aligned, as a sync flush leaves it, so the peer's single
 * inflate context decodes each block as it comes.
 */
export class HeaderDeflater {
  private started = false;

  compress(headers: SpdyHeaders): Buffer {
    const raw = packHeaders(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32K window); FLG with FDICT and FCHECK making CMF*256+FLG a multiple of 31.
      const cmf = 0x78;
      let flg = 0x20;
      flg |= 31 - ((cmf * 256 + flg) % 31);
      parts.push(Buffer.from([cmf, flg]), u32(adler32Of(SPDY_DICTIONARY)));
    }
    for (let at = 0; at < raw.length; at += 0xffff) parts.push(storedBlock(raw.subarray(at, at + 0xffff)));
    // The empty stored block a sync flush ends with. Go's inflater reads the next block header as
    // soon as one block is done: without this marker it would read past the frame, fail, and the
    // failure sticks to every later frame ("compressed payload size was incorrect").
    parts.push(storedBlock(Buffer.alloc(0)));
    return Buffer.concat(parts);
  }
}

/** A non-final stored deflate block, starting byte-aligned (BFINAL 0, BTYPE 00, padding). */
function storedBlock(data: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt16LE(data.length, 1);
  h.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([h, data]);
}

/** zlib's Adler-32 (RFC 1950), for the dictionary id in the stream header. */
export function adler32Of(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const byte of b) {
    a = (a + byte) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

/**
 * Inflates the peer's header blocks in order. The peer compresses them as one
 * zlib stream, sync-flushed after each block, so the only state between
 * blocks is the last 32 KiB of output: each block after the first inflates as
 * raw deflate with that window as its dictionary (synchronously, bounded).
 */
export class HeaderInflater {
  private window: Buffer = SPDY_DICTIONARY;
  private started = false;

  inflate(block: Buffer): SpdyHeaders {
    const opts = { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: MAX_HEADER_BYTES, dictionary: this.window };
    let out: Buffer;
    try {
      out = this.started ? inflateRawSync(block, opts) : inflateSync(block, opts);
    } catch (err) {
      throw new SpdyProtocolError(`header decompression failed: ${(err as Error).message}`);
    }
    this.started = true;
    this.window = Buffer.concat([this.window, out]).subarray(-32768);
    return parseHeaders(out);
  }
}
