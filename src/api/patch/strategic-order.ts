/**
 * Ordering of merged lists in a strategic merge patch
 * (preserve-order-in-strategic-merge-patch): patch items in patch (or
 * `$setElementOrder`) order, server-only items interleaved by live order.
 */
import {
  directiveMarker,
  type ElemKind,
  errBadArgType,
  errNoMergeKey,
  findMapInSlice,
  goEq,
  mapType,
} from './strategic-common.js';
import { isObject, type JsonValue } from './value.js';

function keyOf(item: unknown, mergeKey: string, kind: ElemKind): unknown {
  if (kind !== 'map') return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

function indexIn(
  list: readonly JsonValue[] | undefined,
  item: unknown,
  mergeKey: string,
  kind: ElemKind,
): number {
  const want = keyOf(item, mergeKey, kind);
  return (list ?? []).findIndex((v) => goEq(keyOf(v, mergeKey, kind), want));
}

function validateMergeKeyInLists(mergeKey: string, ...lists: (JsonValue[] | undefined)[]): void {
  for (const list of lists) {
    for (const item of list ?? []) {
      if (!isObject(item)) throw errBadArgType(mapType, item);
      if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

export function extractToDeleteItems(list: JsonValue[]): [JsonValue[], JsonValue[]] {
  const keep: JsonValue[] = [];
  const del: JsonValue[] = [];
  for (const v of list) {
    if (!isObject(v)) throw errBadArgType(mapType, v);
    if (v[directiveMarker] === 'delete') del.push(v);
    else keep.push(v);
  }
  return [keep, del];
}

/** sort.SliceStable with upstream's comparator, which answers "less" for items it cannot place. */
function normalizeSliceOrder(
  toSort: JsonValue[],
  order: JsonValue[] | undefined,
  mergeKey: string,
  kind: ElemKind,
): JsonValue[] {
  let toDelete: JsonValue[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    [toSort, toDelete] = extractToDeleteItems(toSort);
  }
  const less = (a: JsonValue, b: JsonValue) => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  const out = [...toSort];
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && less(out[j]!, out[j - 1]!); j--) {
      [out[j], out[j - 1]] = [out[j - 1]!, out[j]!];
    }
  }
  return [...out, ...toDelete];
}

function mergeSortedSlice(
  left: JsonValue[],
  right: JsonValue[],
  serverOrder: JsonValue[] | undefined,
  mergeKey: string,
  kind: ElemKind,
): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]!);
    else if (j >= right.length) out.push(left[i++]!);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
      else out.push(right[j++]!);
    }
  }
  return out;
}

export function normalizeElementOrder(
  patch: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: JsonValue[] | undefined,
  serverOrder: JsonValue[] | undefined,
  mergeKey: string,
  kind: ElemKind,
): JsonValue[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

export function partition(
  merged: JsonValue[],
  by: JsonValue[] | undefined,
  mergeKey: string,
): [JsonValue[], JsonValue[]] {
  const inPatch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of merged) {
    let found: boolean;
    if (!mergeKey) {
      found = (by ?? []).some((x) => goEq(x, v));
    } else {
      if (!isObject(v)) throw errBadArgType(mapType, v);
      if (!Object.hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
      found = findMapInSlice(by ?? [], mergeKey, v[mergeKey]) !== undefined;
    }
    (found ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}
