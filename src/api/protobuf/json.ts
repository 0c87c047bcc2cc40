/**
 * Turns a decoded message into the object JSON decoding of the same request
 * would give: what Go's encoding/json makes of the decoded struct, minus the
 * noise a typed Go client serialises but which carries no information:
 *
 * - a zero metav1.Time (Go: `null`) is left out;
 * - a nil slice or map (Go: `null` when the tag lacks omitempty) is left out;
 * - an empty value struct (Go: `{}`, e.g. `status: {}`, `resources: {}`) is
 *   left out, as is a value struct absent from the wire. Pointer structs are
 *   kept even when empty: `emptyDir: {}` means something.
 * - a zero IntOrString in an omitempty value field (`targetPort`) is left
 *   out; upstream defaulting treats 0 and "" as unset anyway.
 *
 * Everything else follows the Go shape recorded in the schema: pointers are
 * emitted when set, omitempty scalars when non-zero, the rest always.
 */
import { depthExceeded, MAX_JSON_DEPTH, tooDeep } from '../schema/json.js';
import { DecodeError, type Scalar, type State } from './decode.js';
import type { FieldDef, MessageDef, ScalarType } from './schema.js';

export type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };
export type JSONObject = { [key: string]: JSONValue };

/** The JSON form of a decoded message's fields. */
export function messageToJSON(def: MessageDef, state: State): JSONObject {
  const out: JSONObject = {};
  for (const f of def.fields) fieldToJSON(f, state.get(f.num), out);
  return out;
}

function fieldToJSON(f: FieldDef, v: unknown, out: JSONObject): void {
  if (f.repeated) {
    const list = v as unknown[] | undefined;
    if (list?.length) {
      out[f.json] = list.map((x) =>
        f.message ? elementJSON(f.message, x as State) : scalarJSON(f.scalar!, x as Scalar),
      );
    }
    return;
  }
  if (f.map) {
    const entries = v as Map<string, unknown> | undefined;
    if (!entries?.size) return;
    const obj: JSONObject = {};
    for (const [key, value] of entries) {
      // defineProperty: a key such as "__proto__" must stay an ordinary key, as JSON.parse makes it.
      const json = f.message
        ? elementJSON(f.message, value as State)
        : f.scalar === 'by'
          ? scalarJSON('by', value as Uint8Array)
          : (value as string);
      Object.defineProperty(obj, key, { value: json, enumerable: true, writable: true, configurable: true });
    }
    out[f.json] = obj;
    return;
  }
  if (f.message) {
    if (v === undefined) return;
    if (f.inline) {
      Object.assign(out, messageToJSON(f.message, v as State));
      return;
    }
    const sp = special(f.message, v as State, f);
    if (sp === OMIT) return;
    const json = sp ?? messageToJSON(f.message, v as State);
    if (!f.pointer && isEmptyObject(json)) return;
    out[f.json] = json;
    return;
  }
  const type = f.scalar!;
  if (v === undefined) {
    if (f.always) out[f.json] = scalarJSON(type, zero(type));
    return;
  }
  if (f.pointer || f.always || !isZero(v as Scalar)) out[f.json] = scalarJSON(type, v as Scalar);
}

/** An element of a list or map: always present, even when empty (a zero time is null). */
function elementJSON(def: MessageDef, state: State): JSONValue {
  const sp = special(def, state);
  return sp === OMIT ? null : (sp ?? messageToJSON(def, state));
}

/** What `special` returns for a field Go would marshal as null or leave out. */
const OMIT: unique symbol = Symbol('omit');

/**
 * The JSON form of the messages that marshal themselves; undefined for an
 * ordinary message.
 */
function special(def: MessageDef, state: State, field?: FieldDef): JSONValue | typeof OMIT | undefined {
  switch (def.special) {
    case undefined:
      return undefined;
    case 'Time':
    case 'MicroTime':
      return formatTime(state, def.special === 'MicroTime') ?? OMIT;
    case 'Quantity':
      return quantity(state);
    case 'IntOrString': {
      const v = intOrString(state);
      const omit = field && !field.pointer && !field.always && (v === 0 || v === '');
      return omit ? OMIT : v;
    }
    case 'RawExtension':
    case 'FieldsV1':
      return rawJSON(state) ?? OMIT;
  }
}

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/** Quantity travels as its canonical string; Go rejects one it cannot parse. */
function quantity(state: State): string {
  const s = (state.get(1) as string | undefined) ?? '0';
  if (!QUANTITY.test(s)) {
    throw new DecodeError(`quantities must match the regular expression '${QUANTITY.source}'`);
  }
  return s;
}

function intOrString(state: State): number | string {
  const type = (state.get(1) as number | undefined) ?? 0;
  if (type === 0) return (state.get(2) as number | undefined) ?? 0;
  if (type === 1) return (state.get(3) as string | undefined) ?? '';
  throw new DecodeError(`impossible IntOrString.Type ${type}`);
}

/** RawExtension and FieldsV1 hold JSON bytes, which Go emits verbatim; nested no deeper than JSON bodies. */
function rawJSON(state: State): JSONValue | null {
  const raw = state.get(1) as Uint8Array | undefined;
  if (!raw?.length) return null;
  let value: JSONValue;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as JSONValue;
  } catch {
    throw new DecodeError('embedded raw object is not valid JSON');
  }
  const deep = tooDeep(value, MAX_JSON_DEPTH);
  if (deep) throw new DecodeError(`embedded raw object: ${depthExceeded(deep)}`);
  return value;
}

/** Go's zero time.Time (0001-01-01T00:00:00Z) in Unix seconds; JSON null. */
const ZERO_TIME = -62135596800;
/** 9999-12-31T23:59:59Z: RFC 3339 has four-digit years. */
const MAX_TIME = 253402300799;

/**
 * metav1.Time marshals as RFC 3339 in UTC with whole seconds, MicroTime with
 * six fractional digits. Empty bytes are the zero time (omitted).
 */
function formatTime(state: State, micro: boolean): string | null {
  if (state.size === 0) return null;
  let seconds = (state.get(1) as number | undefined) ?? 0;
  let nanos = (state.get(2) as number | undefined) ?? 0;
  // time.Unix normalises nanoseconds outside [0, 1e9).
  seconds += Math.floor(nanos / 1e9);
  nanos = ((nanos % 1e9) + 1e9) % 1e9;
  if (seconds === ZERO_TIME && nanos === 0) return null;
  if (!(seconds >= ZERO_TIME && seconds <= MAX_TIME))
    throw new DecodeError(`timestamp out of range: ${seconds}`);
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

function scalarJSON(type: ScalarType, v: Scalar): JSONValue {
  return type === 'by' ? Buffer.from(v as Uint8Array).toString('base64') : (v as JSONValue);
}

function zero(type: ScalarType): Scalar {
  switch (type) {
    case 's':
      return '';
    case 'b':
      return false;
    case 'by':
      return new Uint8Array(0);
    default:
      return 0;
  }
}

function isZero(v: Scalar): boolean {
  return v instanceof Uint8Array ? v.length === 0 : v === '' || v === 0 || v === false;
}

function isEmptyObject(v: JSONValue): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}
