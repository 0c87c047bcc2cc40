/**
 * The DNS wire format as the server needs it: the header checks miekg/dns
 * applies before CoreDNS sees a message, query parsing (dns-packet decodes,
 * the question is echoed byte for byte), and a reply encoder that compresses
 * names and truncates to the client's buffer the way CoreDNS's Scrub does.
 * dns-packet itself never compresses, which would halve what fits in 512 B.
 */
import { createRequire } from 'node:module';
import type { OptAnswer } from 'dns-packet';
import packet from 'dns-packet';
import { SvcnetError } from '../../lib/errors.js';
import type { DnsRecord, Question, Rcode } from '../types.js';

const require = createRequire(import.meta.url);
const typeCodes = require('dns-packet/types.js') as {
  toType(name: string): number;
  toString(code: number): string;
};

/** dns-packet's per-type rdata codecs (exported at runtime, not in its typings). */
interface RdataCodec {
  encode: ((data: unknown, buf: Buffer, offset: number) => Buffer) & { bytes: number };
  encodingLength(data: unknown): number;
}
const codecs = packet as unknown as { record(type: string): RdataCodec };

export const HEADER_SIZE = 12;
/** RFC 1035 / RFC 6891: UDP replies never shrink below 512 bytes. */
export const MIN_UDP_SIZE = 512;
export const MAX_MSG_SIZE = 65535;
/** An OPT RR without options: root name, type, class, ttl, rdlength. */
const OPT_LEN = 11;

const QR = 1 << 15;
const AA = 1 << 10;
const TC = 1 << 9;
const RD = 1 << 8;
const RA = 1 << 7;
const Z = 1 << 6;
const CD = 1 << 4;
const DO = 1 << 15;

export const OPCODE_QUERY = 0;
export const OPCODE_NOTIFY = 4;

export const TYPE_AXFR = 252;
export const TYPE_IXFR = 251;
export const CLASS_IN = 1;

export const RCODES: Record<Rcode | 'BADVERS', number> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
};

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** CoreDNS's rcode label: the name, or the number for codes without one here. */
export function rcodeName(code: number): string {
  return code === 16 ? 'BADVERS' : (RCODE_NAMES[code] ?? String(code));
}

export interface Header {
  id: number;
  /** The 16-bit flags word as received. */
  bits: number;
  opcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

/** The header, or undefined for a message too short to have one (dropped). */
export function readHeader(msg: Buffer): Header | undefined {
  if (msg.length < HEADER_SIZE) return undefined;
  const bits = msg.readUInt16BE(2);
  return {
    id: msg.readUInt16BE(0),
    bits,
    opcode: (bits >> 11) & 0xf,
    qdcount: msg.readUInt16BE(4),
    ancount: msg.readUInt16BE(6),
    nscount: msg.readUInt16BE(8),
    arcount: msg.readUInt16BE(10),
  };
}

export type Verdict = 'accept' | 'ignore' | 'formerr' | 'notimp';

/**
 * miekg/dns's DefaultMsgAcceptFunc, which CoreDNS runs before any plugin:
 * responses are ignored (no ping-pong), opcodes other than QUERY/NOTIFY get
 * NOTIMP, and anything but one question (with at most one answer/authority
 * RR and two additional RRs) gets FORMERR.
 */
export function verdict(h: Header): Verdict {
  if (h.bits & QR) return 'ignore';
  if (h.opcode !== OPCODE_QUERY && h.opcode !== OPCODE_NOTIFY) return 'notimp';
  if (h.qdcount !== 1 || h.ancount > 1 || h.nscount > 1 || h.arcount > 2) return 'formerr';
  return 'accept';
}

/** miekg's reject reply: the header alone, id and RD/CD kept, no sections. */
export function headerReply(h: Header, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER_SIZE);
  const opcode = rcode === RCODES.NOTIMP ? h.opcode : OPCODE_QUERY;
  out.writeUInt16BE(h.id, 0);
  out.writeUInt16BE(QR | (opcode << 11) | (h.bits & (RD | CD)) | (rcode & 0xf), 2);
  return out;
}

export interface Edns {
  udpSize: number;
  version: number;
  do: boolean;
}

export interface Query {
  header: Header;
  question: Question;
  qtype: number;
  qclass: number;
  /** The question section exactly as received (name case and all). */
  rawQuestion: Buffer;
  rd: boolean;
  cd: boolean;
  edns?: Edns;
}

/**
 * A message that is not valid DNS: the one error the server answers with
 * FORMERR. Anything else thrown while answering is a bug (SERVFAIL, logged).
 */
export class FormatError extends SvcnetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DNS_FORMAT', message, options);
  }
}

/** Parses an accepted message; throws FormatError when it is malformed. */
export function parseQuery(msg: Buffer, header: Header): Query {
  let decoded: ReturnType<typeof packet.decode>;
  try {
    decoded = packet.decode(msg);
  } catch (err) {
    // The codec fails on malformed input in many ways (RangeError, TypeError...): all bad input.
    throw new FormatError('undecodable message', { cause: err });
  }
  const q = decoded.questions?.[0];
  if (!q) throw new FormatError('no question');
  const end = nameEnd(msg, HEADER_SIZE) + 4;
  if (end > msg.length) throw new FormatError('question overflows message');
  const opts = (decoded.additionals ?? []).filter((a): a is OptAnswer => a.type === 'OPT');
  // RFC 6891 §6.1.1: more than one OPT RR is a FORMERR.
  if (opts.length > 1) throw new FormatError('more than one OPT RR');
  const opt = opts[0];
  return {
    header,
    question: { name: q.name, type: q.type, class: q.class },
    qtype: msg.readUInt16BE(end - 4),
    qclass: msg.readUInt16BE(end - 2),
    rawQuestion: msg.subarray(HEADER_SIZE, end),
    rd: (header.bits & RD) !== 0,
    cd: (header.bits & CD) !== 0,
    edns: opt
      ? { udpSize: opt.udpPayloadSize, version: opt.ednsVersion, do: (opt.flags & DO) !== 0 }
      : undefined,
  };
}

/** Offset just past the (possibly compressed) name at `off`. */
function nameEnd(msg: Buffer, off: number): number {
  for (;;) {
    if (off >= msg.length) throw new FormatError('name overflows message');
    const len = msg[off]!;
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2;
    if (len & 0xc0) throw new FormatError('bad label');
    off += len + 1;
  }
}

/** The UDP payload a reply may use: the client's EDNS size, never below 512. */
export function udpLimit(edns: Edns | undefined): number {
  return Math.min(MAX_MSG_SIZE, Math.max(MIN_UDP_SIZE, edns?.udpSize ?? MIN_UDP_SIZE));
}

export interface ReplyParts {
  id: number;
  opcode: number;
  rcode: number;
  aa: boolean;
  ra: boolean;
  rd: boolean;
  cd: boolean;
  rawQuestion?: Buffer;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  /** Present when the query had an OPT RR: the reply gets one too (CoreDNS's SizeAndDo). */
  edns?: { udpSize: number; do: boolean };
  /** Bytes the reply may take (UDP: the client's buffer; TCP: 65535). */
  limit: number;
}

export interface EncodedReply {
  buf: Buffer;
  truncated: boolean;
  answers: number;
}

// Big enough for a reply at the 64 KiB limit plus one record of maximum size,
// so a record is always written whole before the limit check can roll it back.
const scratch = Buffer.allocUnsafe(2 * 65536 + 1024);

/**
 * Encodes a reply within `limit` bytes. Records are added in section order
 * and the first one that does not fit ends the reply: a dropped answer or
 * authority record sets TC; dropped additional records do not (CoreDNS's
 * Scrub only sets TC when the answer section is cut). Throws when a record
 * cannot be encoded.
 */
export function encodeReply(r: ReplyParts): EncodedReply {
  const w = new Writer(scratch);
  const limit = Math.min(r.limit, MAX_MSG_SIZE) - (r.edns ? OPT_LEN : 0);
  w.off = HEADER_SIZE;
  if (r.rawQuestion) {
    r.rawQuestion.copy(scratch, HEADER_SIZE);
    w.registerQuestion(r.rawQuestion);
    w.off += r.rawQuestion.length;
  }
  let truncated = false;
  const an = w.section(r.answers, limit);
  let ns = 0;
  let ar = 0;
  if (an < r.answers.length) truncated = true;
  else {
    ns = w.section(r.authority, limit);
    if (ns < r.authority.length) truncated = true;
    else ar = w.section(r.additional, limit);
  }
  let arcount = ar;
  if (r.edns) {
    w.opt(r.edns.udpSize, r.edns.do, r.rcode >> 4);
    arcount++;
  }
  const flags =
    QR |
    ((r.opcode & 0xf) << 11) |
    (r.aa ? AA : 0) |
    (truncated ? TC : 0) |
    (r.rd ? RD : 0) |
    (r.ra ? RA : 0) |
    (r.cd ? CD : 0) |
    (r.rcode & 0xf);
  scratch.writeUInt16BE(r.id, 0);
  scratch.writeUInt16BE(flags & ~Z, 2);
  scratch.writeUInt16BE(r.rawQuestion ? 1 : 0, 4);
  scratch.writeUInt16BE(an, 6);
  scratch.writeUInt16BE(ns, 8);
  scratch.writeUInt16BE(arcount, 10);
  const buf = Buffer.allocUnsafe(w.off);
  scratch.copy(buf, 0, 0, w.off);
  return { buf, truncated, answers: an };
}

const CLASSES: Record<string, number> = { IN: 1, CS: 2, CH: 3, HS: 4, NONE: 254, ANY: 255 };

class Writer {
  off = 0;
  /** Name suffix → offset of its first occurrence (for compression pointers). */
  private names = new Map<string, number>();
  private added: string[] = [];

  constructor(private readonly buf: Buffer) {}

  /** Writes as many records as fit; returns how many did. */
  section(records: DnsRecord[], limit: number): number {
    for (let i = 0; i < records.length; i++) {
      const off = this.off;
      const mark = this.added.length;
      this.record(records[i]!);
      if (this.off > limit) {
        this.off = off;
        for (const n of this.added.splice(mark)) this.names.delete(n);
        return i;
      }
    }
    return records.length;
  }

  /** Lets answers point at the question's name (ASCII names only, so bytes match). */
  registerQuestion(raw: Buffer): void {
    const labels: [number, string][] = [];
    let p = 0;
    for (;;) {
      const len = raw[p];
      if (len === undefined || len === 0 || len & 0xc0) break;
      for (let i = p + 1; i <= p + len; i++) if (raw[i]! >= 0x80) return;
      labels.push([p, raw.toString('latin1', p + 1, p + 1 + len)]);
      p += len + 1;
    }
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels
        .slice(i)
        .map(([, l]) => l)
        .join('.');
      if (!this.names.has(suffix)) this.names.set(suffix, HEADER_SIZE + labels[i]![0]);
    }
  }

  name(input: string, compress: boolean): void {
    const n = input.endsWith('.') ? input.slice(0, -1) : input;
    const buf = this.buf;
    let p = 0;
    while (p < n.length) {
      const suffix = p === 0 ? n : n.slice(p);
      const ptr = compress ? this.names.get(suffix) : undefined;
      if (ptr !== undefined) {
        buf.writeUInt16BE(0xc000 | ptr, this.off);
        this.off += 2;
        return;
      }
      if (this.off < 0x4000 && !this.names.has(suffix)) {
        this.names.set(suffix, this.off);
        this.added.push(suffix);
      }
      const dot = n.indexOf('.', p);
      const end = dot < 0 ? n.length : dot;
      const label = n.slice(p, end);
      const len = Buffer.byteLength(label);
      if (len === 0 || len > 63) throw new Error(`bad label in name ${JSON.stringify(input)}`);
      buf[this.off] = len;
      buf.write(label, this.off + 1);
      this.off += len + 1;
      p = end + 1;
    }
    buf[this.off++] = 0;
  }

  record(rr: DnsRecord): void {
    const buf = this.buf;
    if (rr.type === 'OPT') return; // the server adds its own OPT
    const type = typeCodes.toType(rr.type);
    if (!type) throw new Error(`unknown record type ${rr.type}`);
    this.name(rr.name, true);
    const cls = rr.class === undefined ? 1 : (CLASSES[rr.class] ?? typeCodesClass(rr.class));
    buf.writeUInt16BE(type, this.off);
    buf.writeUInt16BE(cls, this.off + 2);
    buf.writeUInt32BE(Math.max(0, Math.min(0xffffffff, Math.floor(rr.ttl ?? 0))), this.off + 4);
    this.off += 8;
    const rdlenAt = this.off;
    this.off += 2;
    switch (rr.type) {
      case 'CNAME':
      case 'PTR':
      case 'NS':
        this.name(rr.data, true);
        break;
      case 'DNAME':
        this.name(rr.data, false);
        break;
      case 'SOA':
        this.name(rr.data.mname, true);
        this.name(rr.data.rname, true);
        for (const v of [rr.data.serial, rr.data.refresh, rr.data.retry, rr.data.expire, rr.data.minimum]) {
          buf.writeUInt32BE((v ?? 0) >>> 0, this.off);
          this.off += 4;
        }
        break;
      case 'MX':
        buf.writeUInt16BE(rr.data.preference ?? 0, this.off);
        this.off += 2;
        this.name(rr.data.exchange, true);
        break;
      case 'SRV':
        buf.writeUInt16BE(rr.data.priority ?? 0, this.off);
        buf.writeUInt16BE(rr.data.weight ?? 0, this.off + 2);
        buf.writeUInt16BE(rr.data.port, this.off + 4);
        this.off += 6;
        // RFC 2782: the target is never compressed.
        this.name(rr.data.target, false);
        break;
      case 'TXT':
        this.txt(rr.data);
        break;
      default: {
        // dns-packet writes rdlength itself.
        const codec = codecs.record(rr.type);
        this.off = rdlenAt;
        codec.encode(rr.data, buf, this.off);
        this.off += codec.encode.bytes;
        return;
      }
    }
    const rdlen = this.off - rdlenAt - 2;
    if (rdlen > 0xffff) throw new Error('rdata too long');
    buf.writeUInt16BE(rdlen, rdlenAt);
  }

  /** TXT strings, split at 255 bytes (dns-packet would overflow the length byte). */
  private txt(data: string | Buffer | (string | Buffer)[]): void {
    const parts = Array.isArray(data) ? data : [data];
    for (const part of parts.length ? parts : ['']) {
      const bytes = typeof part === 'string' ? Buffer.from(part) : part;
      let p = 0;
      do {
        const chunk = bytes.subarray(p, p + 255);
        this.buf[this.off++] = chunk.length;
        chunk.copy(this.buf, this.off);
        this.off += chunk.length;
        p += 255;
      } while (p < bytes.length);
    }
  }

  opt(udpSize: number, dnssecOk: boolean, extendedRcode: number): void {
    const buf = this.buf;
    buf[this.off] = 0; // root
    buf.writeUInt16BE(41, this.off + 1);
    buf.writeUInt16BE(udpSize, this.off + 3);
    buf[this.off + 5] = extendedRcode & 0xff;
    buf[this.off + 6] = 0; // EDNS version 0
    buf.writeUInt16BE(dnssecOk ? DO : 0, this.off + 7);
    buf.writeUInt16BE(0, this.off + 9);
    this.off += OPT_LEN;
  }
}

function typeCodesClass(name: string): number {
  const m = /^UNKNOWN_(\d+)$/i.exec(name);
  if (!m) throw new Error(`unknown record class ${name}`);
  return Number(m[1]);
}

/** dns-packet's name for a numeric type (for metrics and questions). */
export function typeName(code: number): string {
  return typeCodes.toString(code);
}
