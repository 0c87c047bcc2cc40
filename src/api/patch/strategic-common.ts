/**
 * Shared pieces of the strategic merge patch: directive names, mergepatch's
 * errors (with the failure class the handler maps to a status code), Go's
 * `==` on decoded values, and the schema lookups (PatchMetaFromStruct).
 */

import { SvcnetError } from '../../lib/errors.js';
import type { Schema } from '../schema/types.js';
import { goSprint, goTypeName, isObject, type JsonObject, type JsonValue } from './value.js';

export const directiveMarker = '$patch';
export const retainKeysDirective = '$retainKeys';
export const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
export const setElementOrderPrefix = '$setElementOrder';

/** mergepatch's sentinel errors and how the patch handler answers them. */
export const badRequest = {
  primitiveList: 'invalid patch format of primitive list',
  retainKeys: 'invalid patch format of retainKeys',
  setElementOrder: 'invalid patch format of setElementOrder list',
};
export const noListOfLists = 'lists of lists are not supported';

type Failure = 'badRequest' | 'invalid' | 'internal';

export class SmpError extends SvcnetError {
  constructor(
    message: string,
    readonly failure: Failure = 'internal',
  ) {
    super('STRATEGIC_MERGE_PATCH', message);
  }
}

// mergepatch error constructors.
export const errNoMergeKey = (m: unknown, k: string) =>
  new SmpError(`map: ${goSprint(m)} does not contain declared merge key: ${k}`);
export const errBadArgType = (expected: string, actual: unknown) =>
  new SmpError(`expected a ${expected}, but received a ${goTypeName(actual)}`);
export const mapType = 'map[string]interface {}';
export const sliceType = '[]interface {}';

/** Go's `%s` of an interface value. */
function goS(v: unknown): string {
  return typeof v === 'string' ? v : `%!s(${goTypeName(v)}=${goSprint(v)})`;
}
export const errBadPatchType = (t: unknown, m: unknown) =>
  new SmpError(`unknown patch type: ${goS(t)} in map: ${goSprint(m)}`);

/** Go's `==` on interface values decoded from JSON (ints and floats are different types). */
export function goEq(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return a === b && Number.isInteger(a) === Number.isInteger(b);
  return a === b;
}

// --- schema lookups (PatchMetaFromStruct) ---

export interface PatchMeta {
  schema: Schema | undefined;
  strategy: string;
  retainKeys: boolean;
  mergeKey: string;
}

export function goName(s: Schema): string {
  const name = 'name' in s && s.name ? s.name : '';
  return name.slice(name.lastIndexOf('.') + 1);
}

function goKind(s: Schema | undefined): string {
  if (!s) return 'interface';
  switch (s.type) {
    case 'object':
      return 'struct';
    case 'map':
      return 'map';
    case 'array':
      return 'slice';
    case 'integer':
      return 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'any':
      return 'interface';
    default:
      return 'string';
  }
}

function strategyOf(s: Schema | undefined): { strategy: string; retainKeys: boolean; mergeKey: string } {
  if (s?.type !== 'array' || !s.patchStrategy) return { strategy: '', retainKeys: false, mergeKey: '' };
  const parts = s.patchStrategy.split(',');
  const retainKeys = parts.includes('retainKeys');
  const rest = parts.filter((p) => p !== 'retainKeys');
  return { strategy: rest[0] ?? '', retainKeys, mergeKey: s.patchMergeKey ?? '' };
}

export function lookupStruct(s: Schema | undefined, key: string): PatchMeta {
  if (!s || s.type === 'any') return { schema: undefined, strategy: '', retainKeys: false, mergeKey: '' };
  if (s.type === 'map') return { schema: s.values, strategy: '', retainKeys: false, mergeKey: '' };
  if (s.type !== 'object') {
    throw new SmpError(
      `merging an object in json but data type is not map or struct, instead is: ${goKind(s)}`,
    );
  }
  const field = Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
  if (!field)
    throw new SmpError(`unable to find api field in struct ${goName(s)} for the json field "${key}"`);
  return { schema: field, ...strategyOf(field) };
}

export function lookupSlice(s: Schema | undefined, key: string): PatchMeta {
  const meta = lookupStruct(s, key);
  if (!meta.schema) return meta;
  if (meta.schema.type !== 'array') {
    throw new SmpError(`expected slice or array type, but got: ${goKind(s)}`);
  }
  if (meta.schema.items.type === 'array') throw new SmpError('unexpected slice of slice');
  return { ...meta, schema: meta.schema.items };
}

export type ElemKind = 'map' | 'scalar';

/** findMapInSliceBasedOnKeyValue. */
export function findMapInSlice(
  list: JsonValue[],
  key: string,
  value: unknown,
): [JsonObject, number] | undefined {
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!isObject(m)) throw new SmpError(`value for key ${i} is not a map.`);
    if (Object.hasOwn(m, key) && goEq(m[key], value)) return [m, i];
  }
  return undefined;
}
