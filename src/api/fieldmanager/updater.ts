/**
 * structured-merge-diff's `merge.Updater`: how Update and Apply operations
 * move field ownership between managers, detect conflicts and prune what
 * an applier stopped applying. All API versions of a kind share one
 * schema here, so no conversion happens between manager versions.
 */

import { SvcnetError } from '../../lib/errors.js';
import { deepEqual, type JsonValue } from '../patch/value.js';
import type { Schema } from '../schema/types.js';
import { FieldSet } from './fieldset.js';
import type { VersionedSet } from './managed.js';
import type { PathElement } from './path.js';
import {
  type Comparison,
  compareTyped,
  ensureNamedFieldsAreMembers,
  mergeTyped,
  removeItems,
  toFieldSet,
} from './typed.js';

export type ManagedSets = Map<string, VersionedSet>;

export interface Conflict {
  /** The manager identifier. */
  manager: string;
  path: PathElement[];
}

/** merge.Conflicts: fields an applier would change that others own. */
export class ApplyConflicts extends SvcnetError {
  constructor(readonly conflicts: Conflict[]) {
    super('APPLY_CONFLICTS', `conflicts: ${conflicts.length}`);
  }
}

export interface UpdaterOptions {
  schema: Schema;
  /** IgnoredFields (reset fields): changes below them are nobody's, e.g. status on the main resource. */
  ignored?: FieldSet;
}

function exclude(c: Comparison, ignored: FieldSet | undefined): Comparison {
  if (!ignored || ignored.isEmpty()) return c;
  return {
    removed: c.removed.recursiveDifference(ignored),
    modified: c.modified.recursiveDifference(ignored),
    added: c.added.recursiveDifference(ignored),
  };
}

/**
 * Takes away from every other manager the fields `workflow` changed
 * (conflicts unless forced) and the fields that were removed.
 */
function update(
  oldObject: JsonValue | undefined,
  newObject: JsonValue | undefined,
  managers: ManagedSets,
  workflow: string,
  force: boolean,
  opts: UpdaterOptions,
): Comparison {
  const compare = exclude(compareTyped(oldObject, newObject, opts.schema), opts.ignored);
  const changed = compare.modified.union(compare.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [manager, vs] of managers) {
    if (manager === workflow) continue;
    const c = vs.set.intersection(changed);
    if (!c.isEmpty()) conflicts.set(manager, c);
  }
  if (!force && conflicts.size) {
    const list: Conflict[] = [];
    for (const [manager, set] of conflicts) for (const path of set.paths()) list.push({ manager, path });
    throw new ApplyConflicts(list);
  }
  for (const [manager, vs] of [...managers]) {
    if (manager === workflow) continue;
    let set = vs.set;
    const c = conflicts.get(manager);
    if (c) set = set.difference(c);
    if (!compare.removed.isEmpty()) set = set.difference(compare.removed);
    if (set.isEmpty()) managers.delete(manager);
    else if (set !== vs.set) managers.set(manager, { ...vs, set });
  }
  return compare;
}

/** Updater.Update: the manager of a non-apply write owns what it added or changed. */
export function updaterUpdate(
  live: JsonValue | undefined,
  next: JsonValue,
  version: string,
  managers: ManagedSets,
  manager: string,
  opts: UpdaterOptions,
): ManagedSets {
  const out = new Map(managers);
  const compare = update(live, next, out, manager, true, opts);
  let set = (out.get(manager)?.set ?? FieldSet.empty())
    .union(compare.modified)
    .union(compare.added)
    .difference(compare.removed);
  if (opts.ignored) set = set.recursiveDifference(opts.ignored);
  if (set.isEmpty()) out.delete(manager);
  else out.set(manager, { set, apiVersion: version, applied: false });
  return out;
}

/**
 * prune: removes what `applier` applied last time and no longer applies,
 * unless another manager (or the new configuration) owns it.
 */
function prune(
  merged: JsonValue,
  managers: ManagedSets,
  lastSet: VersionedSet | undefined,
  schema: Schema,
): JsonValue {
  if (!lastSet || lastSet.set.isEmpty()) return merged;
  const ensure = (s: FieldSet) => ensureNamedFieldsAreMembers(s, schema);
  const last = ensure(lastSet.set);
  let pruned = removeItems(merged, last, schema);

  // addBackOwnedItems
  let managed: FieldSet | undefined;
  for (const vs of managers.values()) managed = managed ? managed.union(vs.set) : vs.set;
  const mergedSet = ensure(toFieldSet(merged, schema));
  let prunedSet = ensure(toFieldSet(pruned, schema));
  if (managed) prunedSet = prunedSet.union(ensure(managed));
  pruned = removeItems(merged, mergedSet.difference(prunedSet), schema);

  // addBackDanglingItems
  const prunedNow = ensure(toFieldSet(pruned, schema));
  return removeItems(merged, mergedSet.difference(prunedNow).intersection(last), schema);
}

/**
 * Updater.Apply: merges the configuration into the live object, gives the
 * applier exactly the fields it applied, prunes what it dropped, and fails
 * with ApplyConflicts when it changes others' fields (unless forced).
 * `object` is undefined when nothing changed.
 */
export function updaterApply(
  live: JsonValue,
  config: JsonValue,
  version: string,
  managers: ManagedSets,
  manager: string,
  force: boolean,
  opts: UpdaterOptions,
): { object: JsonValue | undefined; managers: ManagedSets } {
  const out = new Map(managers);
  let object = mergeTyped(live, config, opts.schema) ?? null;
  const lastSet = out.get(manager);
  let set = toFieldSet(config, opts.schema);
  if (opts.ignored) set = set.recursiveDifference(opts.ignored);
  out.set(manager, { set, apiVersion: version, applied: true });
  object = prune(object, out, lastSet, opts.schema);
  update(live, object, out, manager, force, opts);
  return { object: deepEqual(live, object) ? undefined : object, managers: out };
}
