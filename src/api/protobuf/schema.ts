/**
 * Our own description of the Kubernetes protobuf messages: for each field its
 * JSON name, field number, wire type and Go shape. The Go shape matters because
 * the JSON form is what Go's encoding/json makes of the decoded struct: a
 * pointer field is emitted whenever it is set (even to 0 or false), a value
 * field with `omitempty` only when non-zero, a value field without it always.
 *
 * Notation, one message a string, fields separated by spaces:
 *
 *   jsonName:number:type     value field with omitempty (Go `T`, `json:",omitempty"`)
 *   jsonName:number:type!    value field without omitempty: always in JSON
 *   jsonName:number:*type    pointer field (Go `*T`): in JSON when set
 *   jsonName:number:[]type   repeated field (Go slice)
 *   jsonName:number:{}type   map<string, type> (wire: repeated {1: key, 2: value})
 *   @protoName:number:type   embedded struct inlined into the parent's JSON
 *   Name: '=Other'           same fields as message Other
 *
 * Scalar types: s (string), b (bool), i32, i64, by (bytes). Anything else names
 * a message, looked up in the same package, then meta, core and runtime.
 */
import { apps } from './schema/apps.js';
import { autoscaling } from './schema/autoscaling.js';
import { batch } from './schema/batch.js';
import { core } from './schema/core.js';
import { discovery } from './schema/discovery.js';
import { meta } from './schema/meta.js';
import { networking } from './schema/networking.js';
import { runtime } from './schema/runtime.js';

export interface PackageSource {
  name: string;
  messages: Record<string, string>;
}

export type ScalarType = 's' | 'b' | 'i32' | 'i64' | 'by';

/** Messages whose JSON form is not an object of their fields. */
export type SpecialKind = 'Time' | 'MicroTime' | 'Quantity' | 'IntOrString' | 'RawExtension' | 'FieldsV1';

export interface FieldDef {
  /** JSON name; '' for an inlined struct. */
  readonly json: string;
  /** Proto field name (upstream's generated.proto name). */
  readonly name: string;
  readonly num: number;
  /** Set for scalar fields (and maps of scalars: the value type). */
  readonly scalar?: ScalarType;
  /** Set for message fields (and maps of messages: the value type). */
  readonly message?: MessageDef;
  readonly repeated: boolean;
  readonly map: boolean;
  readonly pointer: boolean;
  /** A value field without omitempty: JSON always carries it. */
  readonly always: boolean;
  readonly inline: boolean;
}

export interface MessageDef {
  /** `package.Name`, e.g. `core.Service`. */
  readonly fullName: string;
  readonly special?: SpecialKind;
  /** In Go struct order, which is the JSON key order. */
  readonly fields: readonly FieldDef[];
  readonly byNumber: ReadonlyMap<number, FieldDef>;
}

const specials: ReadonlySet<string> = new Set<SpecialKind>([
  'Time',
  'MicroTime',
  'Quantity',
  'IntOrString',
  'RawExtension',
  'FieldsV1',
]);
const scalars: ReadonlySet<string> = new Set<ScalarType>(['s', 'b', 'i32', 'i64', 'by']);
const fallbackPackages = ['meta', 'core', 'runtime'];

interface MutableMessage {
  fullName: string;
  special?: SpecialKind;
  fields: FieldDef[];
  byNumber: Map<number, FieldDef>;
}

const FIELD = /^(@?)([A-Za-z][A-Za-z0-9]*):([1-9][0-9]*):(\*|\[\]|\{\})?([A-Za-z][A-Za-z0-9]*)(!?)$/;

function build(packages: readonly PackageSource[]): Map<string, MessageDef> {
  const all = new Map<string, MutableMessage>();
  for (const pkg of packages) {
    for (const name of Object.keys(pkg.messages)) {
      const fullName = `${pkg.name}.${name}`;
      const special = pkg.name === 'runtime' && specials.has(name) ? (name as SpecialKind) : undefined;
      all.set(fullName, { fullName, special, fields: [], byNumber: new Map() });
    }
  }
  const resolve = (pkg: string, type: string): MessageDef => {
    for (const p of [pkg, ...fallbackPackages]) {
      const m = all.get(`${p}.${type}`);
      if (m) return m;
    }
    throw new Error(`protobuf schema: unknown message ${type} (in package ${pkg})`);
  };
  for (const pkg of packages) {
    for (const [name, source] of Object.entries(pkg.messages)) {
      const msg = all.get(`${pkg.name}.${name}`)!;
      const text = source.startsWith('=') ? pkg.messages[source.slice(1)] : source;
      if (text === undefined) throw new Error(`protobuf schema: ${name} aliases an unknown message`);
      const jsonNames = new Set<string>();
      for (const token of text.split(/\s+/).filter(Boolean)) {
        const m = FIELD.exec(token);
        if (!m) throw new Error(`protobuf schema: bad field ${token} in ${name}`);
        const [, at, fieldName, num, shape, type, bang] = m as unknown as string[];
        const inline = at === '@';
        const isScalar = scalars.has(type!);
        const field: FieldDef = {
          json: inline ? '' : fieldName!,
          name: fieldName!,
          num: Number(num),
          ...(isScalar ? { scalar: type as ScalarType } : { message: resolve(pkg.name, type!) }),
          repeated: shape === '[]',
          map: shape === '{}',
          pointer: shape === '*',
          always: bang === '!',
          inline,
        };
        if (msg.byNumber.has(field.num)) throw new Error(`protobuf schema: duplicate number in ${name}`);
        if (!inline && jsonNames.has(field.json))
          throw new Error(`protobuf schema: duplicate name in ${name}`);
        jsonNames.add(field.json);
        msg.fields.push(field);
        msg.byNumber.set(field.num, field);
      }
    }
  }
  return all;
}

/** Every message, by full name (`core.Service`). */
export const messages: ReadonlyMap<string, MessageDef> = build([
  runtime,
  meta,
  core,
  apps,
  discovery,
  autoscaling,
  networking,
  batch,
]);

export function messageDef(fullName: string): MessageDef {
  const m = messages.get(fullName);
  if (!m) throw new Error(`protobuf schema: no message ${fullName}`);
  return m;
}
