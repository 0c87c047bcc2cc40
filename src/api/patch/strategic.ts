/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), the
 * server half of apimachinery's `strategicpatch.StrategicMergeMapPatch`:
 * merge keys and strategies come from the schema (patchMergeKey,
 * patchStrategy), and the directives kubectl sends are honoured:
 * `$patch: replace|delete` (maps and list items), `$setElementOrder/<list>`,
 * `$retainKeys`, `$deleteFromPrimitiveList/<list>`. Errors carry upstream's
 * texts and the handler's status codes (interpretStrategicMergePatchError).
 */
import { StatusError } from '../../k8s/status.js';
import type { ObjectSchema, Schema } from '../schema/types.js';
import { cannotUnmarshal, decodeJSON, JsonSyntaxError } from './decode.js';
import { genericInvalid } from './status.js';
import {
  badRequest,
  deleteFromPrimitiveListPrefix,
  directiveMarker,
  type ElemKind,
  errBadArgType,
  errBadPatchType,
  errNoMergeKey,
  findMapInSlice,
  goEq,
  goName,
  lookupSlice,
  lookupStruct,
  mapType,
  noListOfLists,
  type PatchMeta,
  retainKeysDirective,
  SmpError,
  setElementOrderPrefix,
  sliceType,
} from './strategic-common.js';
import { extractToDeleteItems, normalizeElementOrder, partition } from './strategic-order.js';
import {
  deepClone,
  goSprint,
  goTypeName,
  isObject,
  type JsonObject,
  type JsonValue,
  setOwnValue,
} from './value.js';

// --- helpers on patch values ---

/** Drops maps carrying `$patch` (and the key or item holding them); false when `v` itself is one. */
function removeDirectives(v: JsonValue): [JsonValue, boolean] {
  if (isObject(v)) {
    if (Object.hasOwn(v, directiveMarker)) return [null, false];
    for (const k of Object.keys(v)) {
      const [nv, keep] = removeDirectives(v[k]!);
      if (keep) setOwnValue(v, k, nv);
      else delete v[k];
    }
    return [v, true];
  }
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const x of v) {
      const [nv, keep] = removeDirectives(x);
      if (keep) out.push(nv);
    }
    return [out, true];
  }
  return [v, true];
}

function discardNullValues(v: JsonValue): void {
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNullValues(v[k]!);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) discardNullValues(x);
  }
}

/** Go's reflect type identity for decoded JSON. */
function goType(v: unknown): string {
  return goTypeName(v);
}

/** sliceElementType: all elements of one type, never a list. */
function sliceElementKind(...slices: (JsonValue[] | undefined)[]): ElemKind {
  let prev: string | undefined;
  for (const s of slices) {
    for (const v of s ?? []) {
      const t = goType(v);
      if (prev === undefined) {
        prev = t;
        if (Array.isArray(v)) throw new SmpError(noListOfLists, 'invalid');
      } else if (prev !== t) {
        throw new SmpError(`list element types are not identical: ${goSprint(slices.map((x) => x ?? []))}`);
      }
    }
  }
  if (prev === undefined) throw new SmpError('no elements in any of the given slices');
  return prev === mapType ? 'map' : 'scalar';
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === deleteFromPrimitiveListPrefix) throw new SmpError(badRequest.primitiveList, 'badRequest');
    throw new SmpError(badRequest.setElementOrder, 'badRequest');
  }
  return s.slice(slash + 1);
}

/** deduplicateScalars, including the order it leaves (it swaps in the last element). */
function deduplicateScalars(s: JsonValue[]): JsonValue[] {
  s = [...s];
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (goEq(s[i], s[j])) {
        s[j] = s[length]!;
        s = s.slice(0, length);
        length--;
        j--;
      }
    }
  }
  return s;
}

function deleteFromSlice(current: JsonValue[], toDelete: JsonValue[]): JsonValue[] {
  return current.filter((v) => !toDelete.some((d) => goEq(d, v)));
}

// --- merging ---

function mergeKeyValueEqual(left: JsonValue, right: JsonValue, mergeKey: string): boolean {
  if (!mergeKey) return goEq(left, right);
  if (!isObject(left)) throw errBadArgType(mapType, left);
  if (!isObject(right)) throw errBadArgType(mapType, right);
  if (!Object.hasOwn(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return goEq(left[mergeKey], right[mergeKey]);
}

function validatePatchWithSetOrderList(
  patchList: JsonValue[] | undefined,
  setOrder: JsonValue[],
  mergeKey: string,
) {
  if (!setOrder.length || !patchList?.length) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let pi = 0;
  let si = 0;
  while (pi < nonDelete.length && si < setOrder.length) {
    const item = nonDelete[pi]!;
    if (isObject(item) && Object.hasOwn(item, directiveMarker)) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(item, setOrder[si]!, mergeKey)) pi++;
    si++;
  }
  if (pi < nonDelete.length && si >= setOrder.length) {
    throw new SmpError(
      `The order in patch list:\n${goSprint(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goSprint(setOrder)}\n`,
    );
  }
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw new SmpError(badRequest.retainKeys, 'badRequest');
  const keep = (k: string) => list.some((x) => x === k);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix))
      continue;
    if (!keep(k)) throw new SmpError(badRequest.retainKeys, 'badRequest');
  }
  for (const k of Object.keys(original)) if (!keep(k)) delete original[k];
}

function mergePatchIntoOriginal(original: JsonObject, patch: JsonObject, schema: Schema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const setOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setOrder)) throw errBadArgType(sliceType, setOrder);
    const field = extractKey(key, setElementOrderPrefix);
    const foundOriginal = Object.hasOwn(original, field);
    const foundPatch = Object.hasOwn(patch, field);
    const originalList = original[field];
    const patchList = patch[field];
    if (foundOriginal && !Array.isArray(originalList)) throw errBadArgType(sliceType, originalList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType(sliceType, patchList);
    const origValue = foundOriginal ? (originalList as JsonValue[]) : undefined;
    const patchValue = foundPatch ? (patchList as JsonValue[]) : undefined;
    const meta = lookupSlice(schema, field);
    validatePatchWithSetOrderList(patchValue, setOrder, meta.mergeKey);

    let merged: JsonValue[];
    if (foundOriginal && !foundPatch) merged = origValue!;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchValue!)[0] as JsonValue[];
    else if (foundOriginal && foundPatch) {
      merged = mergeSliceHandler(origValue!, patchValue!, meta, false);
    } else continue;

    const [patchItems, serverOnly] = partition(merged, setOrder, meta.mergeKey);
    const kind = sliceElementKind(origValue, patchValue);
    setOwnValue(
      original,
      field,
      normalizeElementOrder(patchItems, serverOnly, setOrder, origValue, meta.mergeKey, kind),
    );
    delete patch[field];
  }
}

function mergeSliceHandler(
  original: JsonValue[],
  patch: JsonValue[],
  meta: PatchMeta,
  isDeleteList: boolean,
) {
  if (meta.strategy === 'merge' || isDeleteList) return mergeSlice(original, patch, meta, isDeleteList);
  return patch;
}

function mergeSlice(
  original: JsonValue[],
  patch: JsonValue[],
  meta: PatchMeta,
  isDeleteList: boolean,
): JsonValue[] {
  if (!original.length && !patch.length) return original;
  const kind = sliceElementKind(original, patch);
  const { mergeKey } = meta;
  let merged: JsonValue[];
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (!mergeKey) {
      throw new SmpError(
        `cannot merge lists without merge key for ${meta.schema ? goName(meta.schema) : ''}`,
      );
    }
    [original, patch] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    merged = [...original];
    for (const v of patch) {
      const item = v as JsonObject;
      if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      const found = findMapInSlice(merged, mergeKey, item[mergeKey]);
      if (found) merged[found[1]] = mergeMap(found[0], item, meta.schema);
      else merged.push(item);
    }
  }
  const [patchItems, serverOnly] = partition(merged, patch, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

function mergeSliceWithSpecialElements(
  original: JsonValue[],
  patch: JsonValue[],
  mergeKey: string,
): [JsonValue[], JsonValue[]] {
  const plain: JsonValue[] = [];
  let replace = false;
  for (const v of patch) {
    const item = v as JsonObject;
    if (!Object.hasOwn(item, directiveMarker)) {
      plain.push(v);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      const value = item[mergeKey];
      original = original.filter((o) => {
        if (!isObject(o)) throw new SmpError(`value for key ${original.indexOf(o)} is not a map.`);
        return !(Object.hasOwn(o, mergeKey) && goEq(o[mergeKey], value));
      });
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new SmpError('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, item);
    }
  }
  return replace ? [plain, []] : [original, plain];
}

function mergeMap(original: JsonObject | null, patch: JsonObject, schema: Schema | undefined): JsonObject {
  if (Object.hasOwn(patch, directiveMarker)) {
    const directive = patch[directiveMarker];
    if (directive === 'replace') {
      delete patch[directiveMarker];
      return patch;
    }
    if (directive === 'delete') return {};
    throw errBadPatchType(directive, patch);
  }
  const orig = original ?? {};
  applyRetainKeys(orig, patch);
  mergePatchIntoOriginal(orig, patch, schema);

  for (const rawKey of Object.keys(patch)) {
    const patchV = patch[rawKey]!;
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(deleteFromPrimitiveListPrefix)) {
      key = extractKey(rawKey, deleteFromPrimitiveListPrefix);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete orig[key];
      continue;
    }
    const origV = Object.hasOwn(orig, key) ? orig[key] : undefined;
    if (
      origV === undefined ||
      goType(origV) !== goType(patchV) ||
      (!isObject(patchV) && !Array.isArray(patchV))
    ) {
      if (isDeleteList && (origV === undefined || goType(origV) !== goType(patchV))) continue;
      discardNullValues(patchV);
      const [v, keep] = removeDirectives(patchV);
      if (keep) setOwnValue(orig, key, v);
      else delete orig[key];
      continue;
    }
    if (isObject(patchV)) {
      const meta = lookupStruct(schema, key);
      setOwnValue(
        orig,
        key,
        meta.strategy === 'replace' ? patchV : mergeMap(origV as JsonObject, patchV, meta.schema),
      );
    } else {
      const meta = lookupSlice(schema, key);
      setOwnValue(
        orig,
        key,
        mergeSliceHandler(origV as JsonValue[], patchV as JsonValue[], meta, isDeleteList),
      );
    }
  }
  return orig;
}

/**
 * How the patch handler answers a strategic merge patch failure. The
 * failures interpretStrategicMergePatchError does not classify reach the
 * client as plain errors, a 500 upstream (kubernetes#79210); every one of
 * them is a patch the server cannot apply, so here they are a 400 with the
 * same text.
 */
function toStatus(err: SmpError): StatusError {
  if (err.failure === 'invalid') return genericInvalid(err);
  return new StatusError(400, 'BadRequest', err.message);
}

/**
 * Applies a strategic merge patch to `original` (neither is modified),
 * reading merge keys and strategies from `schema`. Throws the StatusError
 * the API answers with.
 */
export function applyStrategicMergePatch(
  original: JsonObject,
  patch: JsonObject,
  schema: ObjectSchema,
): JsonObject {
  try {
    return mergeMap(deepClone(original), deepClone(patch), schema);
  } catch (err) {
    if (err instanceof SmpError) throw toStatus(err);
    throw err;
  }
}

/**
 * Reads a strategic merge patch body as the handler does: any decoding
 * failure is a 400 with the JSON error text; duplicate keys are strict errors.
 */
export function decodeStrategicMergePatch(
  body: string,
  strict: boolean,
): { patch: JsonObject; strictErrors: string[] } {
  let decoded: ReturnType<typeof decodeJSON>;
  try {
    decoded = decodeJSON(body);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new StatusError(400, 'BadRequest', err.message);
    throw err;
  }
  const v = decoded.value;
  if (v !== null && !isObject(v)) throw new StatusError(400, 'BadRequest', cannotUnmarshal(v, mapType));
  return { patch: v ?? {}, strictErrors: strict ? decoded.duplicates : [] };
}
