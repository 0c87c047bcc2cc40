/** Shared by the protobuf tests: fixtures, JSON noise removal, wire helpers, generated objects. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldDef, MessageDef } from '../../../src/api/protobuf/schema.js';

/** Deeply nested fixture JSON, navigated freely in assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests walk untyped JSON fixtures
export type Loose = Record<string, any>;

/** The fixtures next to the sources, also when the tests run compiled from dist/test. */
function findFixtures(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    for (const p of [join(dir, 'fixtures'), join(dir, 'test', 'api', 'protobuf', 'fixtures')]) {
      if (existsSync(join(p, 'captures.json'))) return p;
    }
    if (dirname(dir) === dir) throw new Error(`protobuf fixtures not found above ${here}`);
  }
}

export const FIXTURES = findFixtures();

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

export function fixtureJSON<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/**
 * Removes what a Go client's JSON carries but a protobuf body cannot express
 * (see src/api/protobuf/json.ts): nulls (a zero metav1.Time) and empty objects
 * (value structs such as `status: {}`), recursively. Returns the paths removed
 * so a test can check that only such noise went.
 */
export function pruneNoise(
  value: unknown,
  path = '',
  removed: string[] = [],
): { value: unknown; removed: string[] } {
  if (Array.isArray(value)) {
    return { value: value.map((v, i) => pruneNoise(v, `${path}[${i}]`, removed).value), removed };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      const pruned = pruneNoise(v, p, removed).value;
      const empty =
        pruned !== null &&
        typeof pruned === 'object' &&
        !Array.isArray(pruned) &&
        !Object.keys(pruned).length;
      if (pruned === null || empty) removed.push(p);
      else out[k] = pruned;
    }
    return { value: out, removed };
  }
  return { value, removed };
}

export function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
}

export function tag(num: number, wire: number): number[] {
  return varint(num * 8 + wire);
}

/** A length-delimited field. */
export function ld(num: number, bytes: ArrayLike<number> | string): number[] {
  const b = typeof bytes === 'string' ? [...Buffer.from(bytes)] : [...Array.from(bytes)];
  return [...tag(num, 2), ...varint(b.length), ...b];
}

/** Wraps a message body in the k8s envelope for the given apiVersion/kind. */
export function envelope(apiVersion: string, kind: string, raw: ArrayLike<number>): Uint8Array {
  const typeMeta = [...ld(1, apiVersion), ...ld(2, kind)];
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...ld(1, typeMeta), ...ld(2, raw)]);
}

/** Position of `needle` in `hay`, or -1. */
export function indexOf(hay: Uint8Array, needle: ArrayLike<number>): number {
  return Buffer.from(hay).indexOf(Buffer.from(Array.from(needle)));
}

/**
 * A JSON object with every field of `def` (and of every message it reaches)
 * set to a non-zero value, one element per list: decode(encode(x)) must give
 * it back unchanged.
 */
export function fullObject(def: MessageDef, path = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of def.fields) {
    if (f.inline) Object.assign(out, fullObject(f.message!, path));
    else out[f.json] = fullField(f, `${path}.${f.json}`);
  }
  return out;
}

function fullField(f: FieldDef, path: string): unknown {
  if (f.repeated) return [fullValue(f, `${path}[0]`)];
  if (f.map) return { [`key-${f.num}`]: fullValue(f, `${path}[k]`) };
  return fullValue(f, path);
}

function fullValue(f: FieldDef, path: string): unknown {
  if (f.message) {
    switch (f.message.special) {
      case 'Time':
        return '2024-05-06T07:08:09Z';
      case 'MicroTime':
        return '2024-05-06T07:08:09.123456Z';
      case 'Quantity':
        return '250m';
      case 'IntOrString':
        return f.num % 2 ? 8080 : 'http';
      case 'RawExtension':
      case 'FieldsV1':
        return { 'f:metadata': { 'f:name': {} } };
      default:
        return fullObject(f.message, path);
    }
  }
  switch (f.scalar) {
    case 's':
      return `${f.name}-${f.num}`;
    case 'b':
      return true;
    case 'i32':
      return 100 + f.num;
    case 'i64':
      return 2 ** 40 + f.num;
    default:
      return Buffer.from(path).toString('base64');
  }
}
