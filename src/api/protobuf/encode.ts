/**
 * The reverse direction, for tests and tools: a JSON-form object to protobuf
 * bytes, through protobufjs types built from our schema (a JSON descriptor).
 * Wire-compatible with Go, though not byte-identical: Go also writes zero
 * value fields, this writes only what the object has. Strict: a JSON key the
 * schema does not know is an error, so a misspelt test input cannot pass
 * unnoticed.
 */
import protobuf from 'protobufjs';
import type { KubeObject } from '../registry/strategy.js';
import { MAGIC } from './envelope.js';
import { messageForKind } from './kinds.js';
import { type FieldDef, type MessageDef, messages, type ScalarType } from './schema.js';

type Obj = Record<string, unknown>;

const protoScalar: Record<ScalarType, string> = {
  s: 'string',
  b: 'bool',
  i32: 'int32',
  i64: 'int64',
  by: 'bytes',
};

/** map<string, T> travels as repeated entries; these are their messages. */
const ENTRY = {
  string: 'runtime.MapEntryString',
  bytes: 'runtime.MapEntryBytes',
  message: 'runtime.MapEntryQuantity',
};

function descriptor(): protobuf.INamespace {
  const packages: Record<string, { nested: Record<string, protobuf.IType> }> = {};
  for (const def of messages.values()) {
    const [pkg, name] = def.fullName.split('.') as [string, string];
    const fields: Record<string, protobuf.IField & { rule?: string }> = {};
    for (const f of def.fields) {
      let type = f.message ? f.message.fullName : protoScalar[f.scalar!];
      if (f.map) type = f.message ? ENTRY.message : f.scalar === 'by' ? ENTRY.bytes : ENTRY.string;
      const repeated = f.repeated || f.map;
      // Go writes proto2 repeated scalars unpacked; so do we (the decoder reads both).
      const options =
        repeated && !f.message && f.scalar !== 's' && f.scalar !== 'by' ? { packed: false } : undefined;
      fields[f.name] = {
        type,
        id: f.num,
        ...(repeated ? { rule: 'repeated' } : {}),
        ...(options ? { options } : {}),
      };
    }
    packages[pkg] ??= { nested: {} };
    packages[pkg].nested[name] = { fields };
  }
  packages.runtime!.nested.MapEntryString = {
    fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
  };
  packages.runtime!.nested.MapEntryBytes = {
    fields: { key: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } },
  };
  packages.runtime!.nested.MapEntryQuantity = {
    fields: { key: { type: 'string', id: 1 }, value: { type: 'runtime.Quantity', id: 2 } },
  };
  return { nested: packages };
}

let root: protobuf.Root | undefined;

/** The protobufjs type of a schema message (`core.Service`). */
export function protoType(fullName: string): protobuf.Type {
  root ??= protobuf.Root.fromJSON(descriptor());
  return root.lookupType(fullName);
}

/** Encodes a message body (no envelope) from its JSON form. */
export function encodeMessage(def: MessageDef, json: Obj): Uint8Array {
  const type = protoType(def.fullName);
  return type.encode(type.fromObject(toProto(def, json, def.fullName))).finish();
}

/** Encodes a supported object (by its apiVersion and kind) into an enveloped protobuf body. */
export function encodeProtobuf(obj: KubeObject): Uint8Array {
  const { apiVersion = '', kind = '', ...fields } = obj as Obj & { apiVersion?: string; kind?: string };
  const def = messageForKind(apiVersion, kind);
  if (!def) throw new Error(`protobuf: unsupported kind ${apiVersion}/${kind}`);
  const raw = encodeMessage(def, fields);
  const unknown = protoType('runtime.Unknown');
  const env = unknown
    .encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' }))
    .finish();
  const out = new Uint8Array(MAGIC.length + env.length);
  out.set(MAGIC);
  out.set(env, MAGIC.length);
  return out;
}

/** JSON form → protobufjs plain object (proto field names). */
function toProto(def: MessageDef, json: Obj, path: string, used?: Set<string>): Obj {
  const own = used ?? new Set<string>();
  const out: Obj = {};
  for (const f of def.fields) {
    if (f.inline) {
      out[f.name] = toProto(f.message!, json, path, own);
      continue;
    }
    if (!(f.json in json)) continue;
    own.add(f.json);
    const v = json[f.json];
    if (v === null || v === undefined) continue;
    out[f.name] = fieldToProto(f, v, `${path}.${f.json}`);
  }
  if (!used) {
    const unknown = Object.keys(json).filter((k) => !own.has(k));
    if (unknown.length) throw new Error(`protobuf: unknown field ${path}.${unknown[0]}`);
  }
  return out;
}

function fieldToProto(f: FieldDef, v: unknown, path: string): unknown {
  if (f.repeated) return (v as unknown[]).map((x, i) => valueToProto(f, x, `${path}[${i}]`));
  if (f.map) {
    return Object.entries(v as Obj).map(([key, value]) => ({
      key,
      value: valueToProto(f, value, `${path}[${key}]`),
    }));
  }
  return valueToProto(f, v, path);
}

function valueToProto(f: FieldDef, v: unknown, path: string): unknown {
  if (!f.message) return f.scalar === 'by' ? Buffer.from(v as string, 'base64') : v;
  switch (f.message.special) {
    case 'Time':
    case 'MicroTime':
      return parseTime(v as string, path);
    case 'Quantity':
      return { string: String(v) };
    case 'IntOrString':
      return typeof v === 'number' ? { type: 0, intVal: v } : { type: 1, strVal: v };
    case 'RawExtension':
      return { raw: Buffer.from(JSON.stringify(v)) };
    case 'FieldsV1':
      return { Raw: Buffer.from(JSON.stringify(v)) };
    default:
      return toProto(f.message, v as Obj, path);
  }
}

const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;

function parseTime(s: string, path: string): Obj {
  const m = TIME.exec(s);
  if (!m) throw new Error(`protobuf: ${path}: not an RFC 3339 UTC time: ${s}`);
  const seconds = Date.parse(`${m[1]}Z`) / 1000;
  const nanos = m[2] ? Number(m[2].padEnd(9, '0')) : 0;
  return { seconds, nanos };
}
