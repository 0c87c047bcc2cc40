/**
 * JSON merge patch (RFC 7386, `application/merge-patch+json`) with the exact
 * behaviour of gopkg.in/evanphx/json-patch.v4 `MergePatch`, which the
 * apiserver uses: null deletes a key, nulls inside newly added values are
 * pruned, anything that is not an object replaces what was there.
 */
import { StatusError } from '../../k8s/status.js';
import { cannotUnmarshal, decodeJSON, JsonSyntaxError } from './decode.js';
import { deepClone, isObject, type JsonObject, type JsonValue, ownValue, setOwnValue } from './value.js';

/** evanphx's ErrBadJSONPatch, answered as 400 BadRequest. */
export const invalidJSONPatch = 'Invalid JSON Patch';

function pruneNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map((x) => (x === null ? x : pruneNulls(x)));
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else setOwnValue(v, k, pruneNulls(v[k]!));
    }
  }
  return v;
}

function mergeValue(cur: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(cur)) return pruneNulls(patch);
  if (!isObject(patch)) return patch;
  mergeDocs(cur, patch);
  return cur;
}

function mergeDocs(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = ownValue(doc, k);
    setOwnValue(doc, k, cur === undefined || cur === null ? pruneNulls(v) : mergeValue(cur, v));
  }
}

/**
 * Applies a merge patch to a document; neither argument is modified.
 * A non-object patch other than an array is rejected (400); an array
 * patch replaces the document, as upstream (the decoder then rejects it).
 */
export function applyMergePatch(original: JsonObject, patch: JsonValue): JsonValue {
  if (Array.isArray(patch)) return pruneNulls(deepClone(patch));
  if (!isObject(patch)) throw new StatusError(400, 'BadRequest', invalidJSONPatch);
  const doc = deepClone(original);
  mergeDocs(doc, deepClone(patch));
  return doc;
}

export interface DecodedPatch<T> {
  patch: T;
  /** Duplicate keys in the body, reported under Strict/Warn field validation. */
  strictErrors: string[];
}

/**
 * Reads a merge patch body as the patch handler does: with field
 * validation Strict or Warn (the default) the body must decode into an
 * object (`error decoding patch: ...`), otherwise evanphx's looser rules apply.
 */
export function decodeMergePatch(body: string, strict: boolean): DecodedPatch<JsonValue> {
  let decoded: ReturnType<typeof decodeJSON>;
  try {
    decoded = decodeJSON(body);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new StatusError(
      400,
      'BadRequest',
      strict ? `error decoding patch: ${err.message}` : invalidJSONPatch,
    );
  }
  const v = decoded.value;
  if (strict && v !== null && !isObject(v)) {
    throw new StatusError(
      400,
      'BadRequest',
      `error decoding patch: ${cannotUnmarshal(v, 'map[string]interface {}')}`,
    );
  }
  return { patch: v, strictErrors: strict ? decoded.duplicates : [] };
}
