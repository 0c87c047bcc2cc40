/**
 * structured-merge-diff's typed operations over plain JSON, driven by the
 * API schema: which fields an object sets (ToFieldSet), what changed
 * between two objects (Compare), merging an applied configuration into an
 * object (Merge) and removing owned items (RemoveItems).
 *
 * Schema semantics: structs are granular unless `structType: atomic`, maps
 * unless `mapType: atomic`; lists are atomic, sets (by value) or maps (by
 * `listMapKeys`). Atomic values, scalars and set items are leaves. Fields
 * the schema does not know are "deduced": objects granular, lists atomic.
 */
import {
  deepEqual,
  isObject,
  type JsonObject,
  type JsonValue,
  ownValue,
  setOwnValue,
} from '../patch/value.js';
import type { ArraySchema, Schema } from '../schema/types.js';
import { type FieldSet, FieldSetBuilder } from './fieldset.js';
import type { Path, PathElement } from './path.js';
import { fieldSchema, isDeclaredField, itemPE, listItemPathElement, shapeOf } from './shape.js';

export { listItemPathElement, TypedError, validateTyped } from './shape.js';

/** ToFieldSet: every leaf, list item and map entry the value sets. */
export function toFieldSet(v: JsonValue, schema: Schema | undefined): FieldSet {
  const b = new FieldSetBuilder();
  const walk = (val: JsonValue, s: Schema | undefined, path: PathElement[]): void => {
    const shape = shapeOf(s, val);
    switch (shape.kind) {
      case 'leaf':
        b.insert(path);
        return;
      case 'list':
        if (!Array.isArray(val)) return;
        val.forEach((item, i) => {
          const child = [...path, itemPE(shape.list, item, i, path)];
          walk(item, shape.list.items, child);
          b.insert(child);
        });
        return;
      default:
        if (shape.atomic) {
          b.insert(path);
          return;
        }
        if (!isObject(val)) return;
        for (const [k, fv] of Object.entries(val)) {
          const child = [...path, { field: k }];
          walk(fv, fieldSchema(shape, k), child);
          if (!isDeclaredField(shape, k)) b.insert(child);
        }
    }
  };
  walk(v, schema, []);
  return b.build();
}

export interface Comparison {
  /** Present on the left, absent on the right. */
  removed: FieldSet;
  /** Leaves present on both sides with different values. */
  modified: FieldSet;
  /** Absent on the left, present on the right. */
  added: FieldSet;
}

/**
 * Compare: leaves are compared by value; non-leaf nodes (structs, map
 * entries, list items) that exist on one side only are added or removed
 * themselves. Empty or null containers on both sides are compared as leaves.
 */
export function compareTyped(
  lhs: JsonValue | undefined,
  rhs: JsonValue | undefined,
  schema: Schema | undefined,
): Comparison {
  const removed = new FieldSetBuilder();
  const modified = new FieldSetBuilder();
  const added = new FieldSetBuilder();
  const leaf = (l: JsonValue | undefined, r: JsonValue | undefined, path: Path) => {
    if (l === undefined) added.insert(path);
    else if (r === undefined) removed.insert(path);
    else if (!deepEqual(l, r)) modified.insert(path);
  };
  const walk = (
    l: JsonValue | undefined,
    r: JsonValue | undefined,
    s: Schema | undefined,
    path: PathElement[],
  ): void => {
    const shape = shapeOf(s, r !== undefined && r !== null ? r : l);
    if (shape.kind === 'leaf') {
      leaf(l, r, path);
      return;
    }
    if (shape.kind === 'list') {
      const la = Array.isArray(l) ? l : undefined;
      const ra = Array.isArray(r) ? r : undefined;
      if (!la?.length && !ra?.length) {
        leaf(l, r, path);
        return;
      }
      if (!fits(l, la) || !fits(r, ra)) {
        leaf(l, r, path);
        return;
      }
      const lItems = indexItems(shape.list, la, path);
      const rItems = indexItems(shape.list, ra, path);
      for (const [id, { pe, item }] of lItems)
        walk(item, rItems.get(id)?.item, shape.list.items, [...path, pe]);
      for (const [id, { pe, item }] of rItems)
        if (!lItems.has(id)) walk(undefined, item, shape.list.items, [...path, pe]);
    } else {
      const lo = isObject(l) ? l : undefined;
      const ro = isObject(r) ? r : undefined;
      const empty = (!lo || !Object.keys(lo).length) && (!ro || !Object.keys(ro).length);
      if (shape.atomic || empty || !fits(l, lo) || !fits(r, ro)) {
        leaf(l, r, path);
        return;
      }
      for (const k of keysOf(lo, ro))
        walk(own(lo, k), own(ro, k), fieldSchema(shape, k), [...path, { field: k }]);
    }
    // postItemHook: a container that appears or disappears is itself added or removed.
    if (l === undefined) added.insert(path);
    else if (r === undefined) removed.insert(path);
  };
  walk(lhs, rhs, schema, []);
  return { removed: removed.build(), modified: modified.build(), added: added.build() };
}

/** False when `v` is present and not null but not the container the schema expects (then compared as a leaf). */
function fits(v: JsonValue | undefined, typed: unknown): boolean {
  return v === undefined || v === null || typed !== undefined;
}

/** A field of a decoded object, own keys only (a body may name `__proto__`). */
const own = (o: JsonObject | undefined, k: string) => (o ? ownValue(o, k) : undefined);

function keysOf(a: JsonObject | undefined, b: JsonObject | undefined): string[] {
  const keys = Object.keys(a ?? {});
  for (const k of Object.keys(b ?? {})) if (!a || !Object.hasOwn(a, k)) keys.push(k);
  return keys;
}

/** Items by identity, first occurrence wins (repeated items are ignored, as upstream). */
function indexItems(
  list: ArraySchema,
  items: JsonValue[] | undefined,
  path: Path,
): Map<string, { pe: PathElement; item: JsonValue }> {
  const out = new Map<string, { pe: PathElement; item: JsonValue }>();
  (items ?? []).forEach((item, i) => {
    const pe = itemPE(list, item, i, path);
    const id = JSON.stringify(pe);
    if (!out.has(id)) out.set(id, { pe, item });
  });
  return out;
}

/**
 * Merge (rule "keep RHS"): the configuration's leaves win, nothing is
 * removed. List items keep the live order unless the configuration
 * reorders the items it shares with the live list.
 */
export function mergeTyped(
  lhs: JsonValue | undefined,
  rhs: JsonValue | undefined,
  schema: Schema | undefined,
): JsonValue | undefined {
  const walk = (
    l: JsonValue | undefined,
    r: JsonValue | undefined,
    s: Schema | undefined,
    path: Path,
  ): JsonValue | undefined => {
    const keep = () => (r !== undefined ? r : l);
    const shape = shapeOf(s, r !== undefined && r !== null ? r : l);
    if (shape.kind === 'leaf') return keep();
    if (shape.kind === 'list') {
      const la = Array.isArray(l) ? l : undefined;
      const ra = Array.isArray(r) ? r : undefined;
      if ((!la?.length && !ra?.length) || !fits(l, la) || !fits(r, ra)) return keep();
      return mergeList(shape.list, la ?? [], ra ?? [], path, walk);
    }
    const lo = isObject(l) ? l : undefined;
    const ro = isObject(r) ? r : undefined;
    const empty = (!lo || !Object.keys(lo).length) && (!ro || !Object.keys(ro).length);
    if (shape.atomic || empty || !fits(l, lo) || !fits(r, ro)) return keep();
    const out: JsonObject = {};
    for (const k of keysOf(lo, ro)) {
      const v = walk(own(lo, k), own(ro, k), fieldSchema(shape, k), [...path, { field: k }]);
      if (v !== undefined) setOwnValue(out, k, v);
    }
    return out;
  };
  return walk(lhs, rhs, schema, []);
}

type MergeWalk = (
  l: JsonValue | undefined,
  r: JsonValue | undefined,
  s: Schema | undefined,
  path: Path,
) => JsonValue | undefined;

/** visitListItems of the merging walker, with its ordering rules. */
function mergeList(
  list: ArraySchema,
  lhs: JsonValue[],
  rhs: JsonValue[],
  path: Path,
  walk: MergeWalk,
): JsonValue[] {
  const lItems = indexItems(list, lhs, path);
  const rItems = indexItems(list, rhs, path);
  const lOrder = [...lItems.keys()];
  const rOrder = [...rItems.keys()];
  const shared = rOrder.filter((id) => lItems.has(id));
  let nextShared = shared.shift();
  const out: JsonValue[] = [];
  const take = (id: string) => {
    const pe = (lItems.get(id) ?? rItems.get(id))!.pe;
    const v = walk(lItems.get(id)?.item, rItems.get(id)?.item, list.items, [...path, pe]);
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < lOrder.length || ri < rOrder.length) {
    if (li < lOrder.length && ri < rOrder.length) {
      const id = lOrder[li]!;
      if (id === rOrder[ri]) {
        take(id);
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (rItems.has(id) && nextShared !== undefined && nextShared !== id) {
        li++;
        continue;
      }
    }
    if (li < lOrder.length && !rItems.has(lOrder[li]!)) {
      take(lOrder[li]!);
      li++;
      continue;
    }
    if (ri < rOrder.length) {
      const id = rOrder[ri]!;
      take(id);
      ri++;
      if (nextShared === id) nextShared = shared.shift();
    } else {
      li++;
    }
  }
  return out;
}

/**
 * RemoveItems: drops every member of `set` (a leaf, list item or map entry,
 * with everything under it). Containers left empty become null, as upstream.
 */
export function removeItems(v: JsonValue, set: FieldSet, schema: Schema | undefined): JsonValue {
  const shape = shapeOf(schema, v);
  if (shape.kind === 'leaf') return v;
  if (shape.kind === 'list') {
    if (!Array.isArray(v) || !v.length) return null;
    const out: JsonValue[] = [];
    for (const item of v) {
      let pe: PathElement;
      try {
        pe = listItemPathElement(shape.list, item);
      } catch {
        out.push(item);
        continue;
      }
      const node = set.child(pe);
      if (node?.member) continue;
      out.push(node && !node.children.isEmpty() ? removeItems(item, node.children, shape.list.items) : item);
    }
    return out.length ? out : null;
  }
  if (!isObject(v) || !Object.keys(v).length || shape.atomic) return null;
  const out: JsonObject = {};
  for (const [k, fv] of Object.entries(v)) {
    const node = set.child({ field: k });
    if (node?.member) continue;
    setOwnValue(
      out,
      k,
      node && !node.children.isEmpty() ? removeItems(fv, node.children, fieldSchema(shape, k)) : fv,
    );
  }
  return Object.keys(out).length ? out : null;
}

/** EnsureNamedFieldsAreMembers: declared struct fields with owned children become members themselves. */
export function ensureNamedFieldsAreMembers(set: FieldSet, schema: Schema | undefined): FieldSet {
  const b = new FieldSetBuilder();
  const walk = (s: FieldSet, sch: Schema | undefined, prefix: PathElement[]) => {
    for (const { pe, member, children } of s.entries()) {
      const path = [...prefix, pe];
      let childSchema: Schema | undefined;
      let named = false;
      if ('field' in pe && sch?.type === 'object') {
        childSchema = Object.hasOwn(sch.properties, pe.field) ? sch.properties[pe.field] : undefined;
        named = childSchema !== undefined;
      } else if ('field' in pe && sch?.type === 'map') {
        childSchema = sch.values;
      } else if ('key' in pe && sch?.type === 'array') {
        childSchema = sch.items;
      }
      if (member || named) b.insert(path);
      walk(children, childSchema, path);
    }
  };
  walk(set, schema, []);
  return b.build();
}
