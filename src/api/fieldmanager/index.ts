/**
 * Server-side apply and managedFields tracking, as the apiserver's
 * FieldManager does it (k8s.io/apimachinery/pkg/util/managedfields/internal):
 *
 *   versionCheck → lastAppliedUpdater → lastAppliedManager →
 *   skipNonApplied ("before-first-apply") → capManagers (10 updaters) →
 *   buildManagerInfo → managedFieldsUpdater (times) → stripMeta → structured merge
 *
 * `recordUpdate` is the FieldManager.UpdateNoErrors of create, update and
 * non-apply patch; `apply` is FieldManager.Apply for
 * `application/apply-patch+yaml`.
 */
import { deepClone, type JsonObject } from '../patch/value.js';
import { context, decodeLiveOrNew, type UpdateOptions, updateChain } from './chain.js';
import { encodeManagedFields, type ManagedFieldsEntry } from './managed.js';
import { emptyObjectLike, metadataOf, withoutManagedFields } from './object.js';

export { apply, lastAppliedAnnotation } from './apply.js';
export type { ApplyOptions, FieldManagerOptions, UpdateOptions } from './chain.js';
export { FieldSet } from './fieldset.js';
export {
  decodeManagedFields,
  encodeManagedFields,
  isResetManagedFields,
  type ManagedFieldsEntry,
  managerIdentifier,
  validateManagedFields,
} from './managed.js';
export { withManagedFields } from './object.js';
export { type Path, type PathElement, pathString } from './path.js';
export { compareTyped, mergeTyped, removeItems, toFieldSet } from './typed.js';

/**
 * The managedFields of an object written by create, update or a non-apply
 * patch (`live` undefined for create). The manager owns the fields it
 * added or changed; other managers lose fields that changed or went away.
 * A client may send managedFields explicitly (they are then the starting
 * point), `[]` or `[{}]` resets them; invalid ones are ignored. On any
 * failure the live managedFields are kept (UpdateNoErrors).
 */
export function recordUpdate(
  live: JsonObject | undefined,
  updated: JsonObject,
  opts: UpdateOptions,
): ManagedFieldsEntry[] {
  const ctx = context(opts);
  try {
    const subresource = opts.subresource ?? '';
    const managed = decodeLiveOrNew(live, updated, subresource !== '');
    const next = withoutManagedFields(updated);
    // skipNonApplied: an update of an object without managedFields stays untracked.
    if (!managed.fields.size && live && metadataOf(live)?.uid) return [];
    const base = live ?? emptyObjectLike(next, opts.schema);
    return encodeManagedFields(updateChain(base, next, managed, opts.manager, subresource, ctx));
  } catch {
    const prev = metadataOf(live)?.managedFields;
    return Array.isArray(prev) ? (deepClone(prev) as ManagedFieldsEntry[]) : [];
  }
}
