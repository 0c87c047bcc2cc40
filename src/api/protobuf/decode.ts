/**
 * Walks protobuf bytes with protobufjs' Reader, driven by our schema, into an
 * intermediate state (field number → value), merging repeated occurrences the
 * way Go's generated Unmarshal does: scalars last-wins, messages merged,
 * repeated fields appended, map entries last-wins. Each message gets a Reader
 * over exactly its own bytes, so nothing can read past a length prefix; every
 * step consumes input, so work is linear in the body size.
 */
import protobuf from 'protobufjs';
import { SvcnetError } from '../../lib/errors.js';
import type { FieldDef, MessageDef, ScalarType } from './schema.js';

const { Reader } = protobuf;
type Reader = protobuf.Reader;

/** Malformed input; the caller turns it into a 400. */
export class DecodeError extends SvcnetError {
  constructor(message: string) {
    super('PROTOBUF_DECODE', message);
  }
}

/** A decoded message: field number → value (scalar, State, array, or Map for map fields). */
export type State = Map<number, unknown>;
export type Scalar = string | number | boolean | Uint8Array;

/** Our schema is not recursive; this only guards against a future one. */
const MAX_DEPTH = 64;

// Non-fatal: invalid UTF-8 becomes U+FFFD, which is what Go's JSON encoder
// makes of the raw bytes a Go string field holds.
const utf8 = new TextDecoder('utf-8');

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

/** Decodes `buf` as `def`, merging into `state`. */
export function decodeMessage(buf: Uint8Array, def: MessageDef, state: State = new Map(), depth = 0): State {
  if (depth > MAX_DEPTH) throw new DecodeError('protobuf message nested too deeply');
  const r = Reader.create(buf);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const num = tag >>> 3;
    const wire = tag & 7;
    if (num === 0) throw new DecodeError(`illegal tag 0 (wire type ${wire}) in ${def.fullName}`);
    if (wire === WIRE_END_GROUP)
      throw new DecodeError(`wire type end group for non-group in ${def.fullName}`);
    const field = def.byNumber.get(num);
    if (field) readField(r, wire, field, state, depth);
    else skipField(r, wire);
  }
  return state;
}

function expectedWire(f: FieldDef): number {
  if (f.message || f.map) return WIRE_BYTES;
  return f.scalar === 's' || f.scalar === 'by' ? WIRE_BYTES : WIRE_VARINT;
}

function readField(r: Reader, wire: number, f: FieldDef, state: State, depth: number): void {
  const want = expectedWire(f);
  const packed = f.repeated && want === WIRE_VARINT && wire === WIRE_BYTES;
  if (wire !== want && !packed) throw new DecodeError(`wrong wire type ${wire} for field ${f.name}`);
  if (f.map) {
    const entries = (state.get(f.num) as Map<string, unknown> | undefined) ?? new Map<string, unknown>();
    state.set(f.num, entries);
    readMapEntry(r.bytes(), f, entries, depth);
    return;
  }
  if (f.repeated) {
    const list = (state.get(f.num) as unknown[] | undefined) ?? [];
    state.set(f.num, list);
    if (packed) {
      const inner = Reader.create(r.bytes());
      while (inner.pos < inner.len) list.push(readScalar(inner, f.scalar!));
    } else if (f.message) {
      list.push(decodeMessage(r.bytes(), f.message, new Map(), depth + 1));
    } else {
      list.push(readScalar(r, f.scalar!));
    }
    return;
  }
  if (f.message) {
    const bytes = r.bytes();
    // Special messages have hand-written Unmarshal upstream that replaces the value.
    const prev = f.message.special ? undefined : (state.get(f.num) as State | undefined);
    state.set(f.num, decodeMessage(bytes, f.message, prev ?? new Map(), depth + 1));
    return;
  }
  state.set(f.num, readScalar(r, f.scalar!));
}

function readScalar(r: Reader, type: ScalarType): Scalar {
  switch (type) {
    case 's':
      return utf8.decode(r.bytes());
    case 'by':
      return r.bytes();
    case 'b':
      return !isZeroVarint(r.int64());
    case 'i32':
      return toInt32(r.int64());
    case 'i64':
      return toNumber(r.int64());
  }
}

/** A map entry: 1 = key, 2 = value; either may be absent (then zero). */
function readMapEntry(buf: Uint8Array, f: FieldDef, entries: Map<string, unknown>, depth: number): void {
  const r = Reader.create(buf);
  let key = '';
  let value: unknown;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const num = tag >>> 3;
    const wire = tag & 7;
    if (num === 1 || num === 2) {
      if (wire !== WIRE_BYTES) throw new DecodeError(`wrong wire type ${wire} in map entry of ${f.name}`);
      const bytes = r.bytes();
      if (num === 1) key = utf8.decode(bytes);
      else if (f.message) value = decodeMessage(bytes, f.message, new Map(), depth + 1);
      // map<string, bytes> (Secret.data) keeps its raw bytes; strings are UTF-8.
      else value = f.scalar === 'by' ? bytes : utf8.decode(bytes);
    } else {
      if (num === 0 || wire === WIRE_END_GROUP)
        throw new DecodeError(`illegal tag in map entry of ${f.name}`);
      skipField(r, wire);
    }
  }
  entries.set(key, value ?? (f.message ? new Map() : f.scalar === 'by' ? new Uint8Array(0) : ''));
}

/** Skips an unknown field; groups are skipped iteratively, as Go's skipGenerated does. */
function skipField(r: Reader, wire: number): void {
  let groups = 0;
  for (;;) {
    switch (wire) {
      case WIRE_VARINT:
        r.skip();
        break;
      case WIRE_FIXED64:
        r.skip(8);
        break;
      case WIRE_BYTES:
        r.skip(r.uint32());
        break;
      case WIRE_FIXED32:
        r.skip(4);
        break;
      case WIRE_START_GROUP:
        groups++;
        break;
      case WIRE_END_GROUP:
        if (groups === 0) throw new DecodeError('unexpected end of group');
        groups--;
        break;
      default:
        throw new DecodeError(`illegal wire type ${wire}`);
    }
    if (groups === 0) return;
    if (r.pos >= r.len) throw new DecodeError('unexpected end of data in group');
    wire = r.uint32() & 7;
  }
}

/** protobufjs returns 64-bit varints as a Long (or a number without the long package). */
type Varint64 = number | { low: number; high: number };

function isZeroVarint(v: Varint64): boolean {
  return typeof v === 'number' ? v === 0 : v.low === 0 && v.high === 0;
}

/** Go's int32(v): the low 32 bits, signed. */
function toInt32(v: Varint64): number {
  return typeof v === 'number' ? v | 0 : v.low;
}

/** Go's int64(v) as a JS number: exact up to 2^53, like JSON.parse of a larger number. */
function toNumber(v: Varint64): number {
  return typeof v === 'number' ? v : v.high * 0x100000000 + (v.low >>> 0);
}
