/**
 * How the API schema reads for structured-merge-diff: the shape of a value
 * (leaf, struct, map, associative list), list item identities, and the
 * validation apply runs on a configuration.
 */

import { SvcnetError } from '../../lib/errors.js';
import { goSprint, goTypeName, isObject, type JsonValue } from '../patch/value.js';
import type { ArraySchema, Schema } from '../schema/types.js';
import { keyElement, type Path, type PathElement, pathString } from './path.js';

/** A structural mismatch between a value and its schema (SMD ValidationError). */
export class TypedError extends SvcnetError {
  constructor(
    readonly path: Path,
    readonly detail: string,
  ) {
    super('TYPED_VALUE', `${pathString(path)}: ${detail}`);
  }
}

export type Shape =
  | { kind: 'leaf' }
  | { kind: 'struct'; atomic: boolean; fields: Record<string, Schema> }
  | { kind: 'map'; atomic: boolean; values: Schema | undefined }
  | { kind: 'list'; list: ArraySchema };

const deducedMap: Shape = { kind: 'map', atomic: false, values: undefined };

/** How a value of `schema` is walked; `undefined` schema means deduced from the value. */
export function shapeOf(schema: Schema | undefined, v: JsonValue | undefined): Shape {
  if (!schema || schema.type === 'any') return isObject(v) ? deducedMap : { kind: 'leaf' };
  switch (schema.type) {
    case 'object':
      return { kind: 'struct', atomic: schema.structType === 'atomic', fields: schema.properties };
    case 'map':
      return { kind: 'map', atomic: schema.mapType === 'atomic', values: schema.values };
    case 'array':
      return schema.listType === 'atomic' ? { kind: 'leaf' } : { kind: 'list', list: schema };
    default:
      return { kind: 'leaf' };
  }
}

export function fieldSchema(shape: Shape, key: string): Schema | undefined {
  if (shape.kind === 'struct') return Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
  if (shape.kind === 'map') return shape.values;
  return undefined;
}

/** Declared struct fields are not members by themselves; map entries and unknown fields are. */
export function isDeclaredField(shape: Shape, key: string): boolean {
  return shape.kind === 'struct' && Object.hasOwn(shape.fields, key);
}

/** The schema default of a list-map key field, used when an item omits it (e.g. protocol: TCP). */
function keyDefault(list: ArraySchema, key: string): JsonValue | undefined {
  const items = list.items;
  if (items.type !== 'object') return undefined;
  const field = items.properties[key] as (Schema & { default?: JsonValue }) | undefined;
  return field?.default;
}

/** listItemToPathElement: the identity of a list item. */
export function listItemPathElement(list: ArraySchema, item: JsonValue): PathElement {
  const keys = list.listType === 'map' ? (list.listMapKeys ?? []) : [];
  if (keys.length) {
    if (item === null) throw new Error('associative list with keys may not have a null element');
    if (!isObject(item)) throw new Error('associative list with keys may not have non-map elements');
    const fields: [string, JsonValue][] = [];
    for (const k of keys) {
      if (Object.hasOwn(item, k)) fields.push([k, item[k]!]);
      else {
        const def = keyDefault(list, k);
        if (def === undefined) {
          throw new Error(
            `associative list with keys has an element that omits key field "${k}" (and doesn't have default value)`,
          );
        }
        fields.push([k, def]);
      }
    }
    return keyElement(fields);
  }
  if (isObject(item)) throw new Error("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new Error('not supported: associative list with lists as elements');
  if (item === null) throw new Error("associative list without keys has an element that's an explicit null");
  return { value: item };
}

export function itemPE(list: ArraySchema, item: JsonValue, i: number, path: Path): PathElement {
  try {
    return listItemPathElement(list, item);
  } catch (err) {
    throw new TypedError(path, `element ${i}: ${(err as Error).message}`);
  }
}

/** validateScalar's complaints, in SMD's words. */
function scalarError(schema: Schema, v: JsonValue): string | undefined {
  if (v === null) return undefined;
  const sharp = `&value.valueUnstructured{Value:${goSprint(v)}}`;
  switch (schema.type) {
    case 'integer':
    case 'number':
      return typeof v === 'number' ? undefined : `expected numeric (int or float), got ${goTypeName(v)}`;
    case 'string':
      return typeof v === 'string' ? undefined : `expected string, got ${sharp}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `expected boolean, got &{${goSprint(v)}}`;
    case 'int-or-string':
    case 'quantity':
      return isObject(v) || Array.isArray(v) ? `expected any scalar, got &{${goSprint(v)}}` : undefined;
    default:
      return undefined;
  }
}

/**
 * Checks what apply requires of a configuration (SMD validation of the
 * typed patch object): fields declared in the schema, scalars of the right
 * type, list items with their keys and without repeats. Throws TypedError,
 * e.g. `.spec.portz: field not declared in schema` or
 * `.spec.ports: duplicate entries for key [port=80,protocol="TCP"]`.
 */
export function validateTyped(v: JsonValue, schema: Schema | undefined, path: Path = []): void {
  const shape = shapeOf(schema, v);
  if (v === null) return;
  if (shape.kind === 'leaf') {
    if (schema?.type === 'array') {
      if (!Array.isArray(v)) throw new TypedError(path, `expected list, got &{${goSprint(v)}}`);
      v.forEach((item, index) => {
        validateTyped(item, schema.items, [...path, { index }]);
      });
      return;
    }
    const err = schema ? scalarError(schema, v) : undefined;
    if (err) throw new TypedError(path, err);
    return;
  }
  if (shape.kind === 'list') {
    if (!Array.isArray(v)) throw new TypedError(path, `expected list, got &{${goSprint(v)}}`);
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const pe = itemPE(shape.list, item, i, path);
      const id = JSON.stringify(pe);
      if (seen.has(id)) throw new TypedError(path, `duplicate entries for key ${pathString([pe])}`);
      seen.add(id);
      validateTyped(item, shape.list.items, [...path, pe]);
    });
    return;
  }
  if (!isObject(v)) throw new TypedError(path, `expected map, got &{${goSprint(v)}}`);
  for (const [k, fv] of Object.entries(v)) {
    const child = [...path, { field: k }];
    if (shape.kind === 'struct' && !Object.hasOwn(shape.fields, k)) {
      throw new TypedError(child, 'field not declared in schema');
    }
    validateTyped(fv, fieldSchema(shape, k), child);
  }
}
