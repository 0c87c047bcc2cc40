/**
 * The garbage collector's decisions as pure functions (upstream
 * garbagecollector.go attemptToDeleteItem, classifyReferences,
 * processDeletingDependentsItem).
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Obj } from '../../client/types.js';
import { FOREGROUND_FINALIZER, type GraphNode, isDeletingDependents, ORPHAN_FINALIZER } from './graph.js';

/**
 * solid: the owner exists and is not waiting on its dependents;
 * dangling: it is gone (or a different object now has its name);
 * waiting: it is being deleted in the foreground, waiting for its dependents.
 */
export type OwnerState = 'solid' | 'dangling' | 'waiting';

/** Classifies one owner reference against a live read of the owner (undefined: not found). */
export function ownerState(ref: OwnerReference, live: Obj | undefined): OwnerState {
  if (!live || live.metadata?.uid !== ref.uid) return 'dangling';
  const m = live.metadata;
  if (m?.deletionTimestamp && (m.finalizers ?? []).includes(FOREGROUND_FINALIZER)) return 'waiting';
  return 'solid';
}

export type ItemAction =
  | { kind: 'none' }
  /** Solid owners remain: drop the references to the dangling and waiting ones. */
  | { kind: 'removeOwnerRefs'; uids: string[] }
  /** `unblock`: owner uids whose references must first get blockOwnerDeletion=false (breaks foreground cycles). */
  | { kind: 'delete'; policy: 'Background' | 'Foreground' | 'Orphan'; unblock: string[] };

export interface ItemView {
  owners: OwnerReference[];
  finalizers: string[];
}

/**
 * What to do with a dependent whose owners were classified (attemptToDeleteItem
 * for an object not itself being deleted). `dependents` are the item's own
 * dependents in the graph.
 */
export function decideItem(
  item: ItemView,
  states: ReadonlyMap<string, OwnerState>,
  dependents: readonly Pick<GraphNode, 'finalizers' | 'deletionTimestamp'>[],
): ItemAction {
  if (item.owners.length === 0) return { kind: 'none' };
  const of = (s: OwnerState) => item.owners.filter((r) => (states.get(r.uid) ?? 'solid') === s);
  const solid = of('solid');
  const dangling = of('dangling');
  const waiting = of('waiting');
  if (solid.length) {
    if (!dangling.length && !waiting.length) return { kind: 'none' };
    return { kind: 'removeOwnerRefs', uids: [...dangling, ...waiting].map((r) => r.uid) };
  }
  if (waiting.length && dependents.length) {
    // The item has dependents of its own: delete it in the foreground too. If one of them is
    // itself waiting for dependents, a cycle is possible, so stop blocking the waiting owners.
    const unblock = dependents.some(isDeletingDependents)
      ? waiting.filter((r) => r.blockOwnerDeletion).map((r) => r.uid)
      : [];
    return { kind: 'delete', policy: 'Foreground', unblock };
  }
  const policy = item.finalizers.includes(ORPHAN_FINALIZER)
    ? 'Orphan'
    : item.finalizers.includes(FOREGROUND_FINALIZER)
      ? 'Foreground'
      : 'Background';
  return { kind: 'delete', policy, unblock: [] };
}

/** Dependents that block `ownerUid`'s foreground deletion (blockOwnerDeletion on their reference to it). */
export function blockingDependents(ownerUid: string, dependents: readonly GraphNode[]): GraphNode[] {
  return dependents.filter((d) => d.owners.some((r) => r.uid === ownerUid && r.blockOwnerDeletion));
}

/** The owner references left after removing `uids`, or after turning off their blockOwnerDeletion. */
export function withoutOwners(refs: readonly OwnerReference[], uids: readonly string[]): OwnerReference[] {
  return refs.filter((r) => !uids.includes(r.uid));
}

export function unblockOwners(refs: readonly OwnerReference[], uids: readonly string[]): OwnerReference[] {
  return refs.map((r) =>
    uids.includes(r.uid) && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r,
  );
}
