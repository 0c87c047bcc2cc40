/**
 * Object helpers of the field manager: metadata access, managedFields in
 * and out, and the empty object a create starts from.
 */
import { isObject, type JsonObject, type JsonValue } from '../patch/value.js';
import type { ObjectSchema } from '../schema/types.js';
import type { ManagedFieldsEntry } from './managed.js';

export function metadataOf(obj: JsonValue | undefined): JsonObject | undefined {
  return isObject(obj) && isObject(obj.metadata) ? obj.metadata : undefined;
}

/** The object without metadata.managedFields, as the field manager compares objects. */
export function withoutManagedFields(obj: JsonObject): JsonObject {
  const meta = metadataOf(obj);
  if (!meta || !('managedFields' in meta)) return obj;
  const { managedFields: _, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/** Sets (or, when empty, removes) metadata.managedFields on a copy of `obj`. */
export function withManagedFields(obj: JsonObject, entries: readonly ManagedFieldsEntry[]): JsonObject {
  const out = withoutManagedFields(obj);
  if (!entries.length) return out;
  return {
    ...out,
    metadata: { ...(metadataOf(out) ?? {}), managedFields: entries as unknown as JsonValue[] },
  };
}

/**
 * What `creater.New(kind)` looks like for comparisons: the empty structs a
 * Go object always has (metadata, spec, status and structs that are empty in
 * `like`), so a create does not own them as new fields.
 */
export function emptyObjectLike(like: JsonObject, schema: ObjectSchema): JsonObject {
  const walk = (v: JsonObject, s: ObjectSchema, top: boolean): JsonObject => {
    const out: JsonObject = {};
    for (const [k, fv] of Object.entries(v)) {
      const fs = s.properties[k];
      if (fs?.type !== 'object' || !isObject(fv)) continue;
      if (top ? ['metadata', 'spec', 'status'].includes(k) : !Object.keys(fv).length)
        out[k] = walk(fv, fs, false);
    }
    return out;
  };
  return walk(like, schema, true);
}
