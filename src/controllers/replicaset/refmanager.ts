/**
 * Controller-reference bookkeeping (upstream controller_ref_manager.go): a
 * controller claims the objects its selector matches — keeping those it owns,
 * adopting orphans, releasing owned objects that no longer match. Used by the
 * ReplicaSet controller for pods and the Deployment controller for replica sets.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { errText } from '../../lib/errors.js';
import { apiReason, getControllerOf, type Meta } from '../podutil.js';

export type ClaimAction = 'keep' | 'adopt' | 'release' | 'ignore';

/**
 * What claiming does with one object: `keep` it (ours and matching), `adopt`
 * it (an orphan that matches), `release` it (ours but no longer matching) or
 * `ignore` it (someone else's, or nothing to do while either side is being
 * deleted).
 */
export function claimAction(owner: Meta, obj: Meta, matches: boolean): ClaimAction {
  const ref = getControllerOf(obj);
  const ownerDeleting = !!owner.metadata?.deletionTimestamp;
  if (ref) {
    if (ref.uid !== owner.metadata?.uid) return 'ignore';
    if (matches) return 'keep';
    // A controller being deleted keeps what it has; the garbage collector decides.
    return ownerDeleting ? 'ignore' : 'release';
  }
  if (ownerDeleting || !matches) return 'ignore';
  // Never adopt something on its way out.
  if (obj.metadata?.deletionTimestamp) return 'ignore';
  return 'adopt';
}

export interface ClaimOptions<T extends Meta> {
  owner: Meta;
  /** The controller reference to stamp on adopted objects. */
  controllerRef: OwnerReference;
  matches: (obj: T) => boolean;
  /**
   * Confirms (with a live read, not the cache) that the owner still exists
   * with the same UID and is not being deleted; throws otherwise. Called at
   * most once per claim, and only if something is to be adopted.
   */
  canAdopt: () => Promise<void>;
  adopt: (obj: T) => Promise<void>;
  release: (obj: T) => Promise<void>;
}

/**
 * Claims `objects`: answers those now owned (kept and adopted) and the errors
 * met. As upstream, an adoption target that is gone (NotFound) is skipped, as
 * is a release target that is gone or was replaced (NotFound / Invalid).
 */
export async function claimObjects<T extends Meta>(
  objects: readonly T[],
  o: ClaimOptions<T>,
): Promise<{ claimed: T[]; errors: unknown[] }> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptCheck: Promise<void> | undefined;
  for (const obj of objects) {
    const action = claimAction(o.owner, obj, o.matches(obj));
    try {
      switch (action) {
        case 'keep':
          claimed.push(obj);
          break;
        case 'adopt':
          adoptCheck ??= o.canAdopt();
          await adoptCheck;
          try {
            await o.adopt(obj);
            claimed.push(obj);
          } catch (err) {
            if (apiReason(err) !== 'NotFound') throw err;
          }
          break;
        case 'release':
          try {
            await o.release(obj);
          } catch (err) {
            const reason = apiReason(err);
            if (reason !== 'NotFound' && reason !== 'Invalid') throw err;
          }
          break;
        case 'ignore':
          break;
      }
    } catch (err) {
      errors.push(err);
    }
  }
  return { claimed, errors };
}

/**
 * Upstream RecheckDeletionTimestamp with the UID check the controllers add:
 * adopt only for an owner that, read live, still has the cached UID and is
 * not being deleted.
 */
export async function recheckOwner(kind: string, cached: Meta, get: () => Promise<Meta>): Promise<void> {
  const m = cached.metadata ?? {};
  let fresh: Meta;
  try {
    fresh = await get();
  } catch (err) {
    throw new Error(`can't recheck DeletionTimestamp: ${errText(err)}`);
  }
  if (fresh.metadata?.uid !== m.uid) {
    throw new Error(
      `can't recheck DeletionTimestamp: original ${kind} ${m.namespace}/${m.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${m.uid}`,
    );
  }
  if (fresh.metadata?.deletionTimestamp) {
    throw new Error(`${m.namespace}/${m.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }
}
