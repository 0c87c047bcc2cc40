/**
 * The namespace controller's status conditions, as upstream writes them
 * (pkg/controller/namespace/deletion/status_condition_utils.go): what a
 * deletion pass found, and the merge into a namespace's current conditions.
 */
import type { NamespaceCondition } from 'kubernetes-types/core/v1.js';
import { GroupDiscoveryError } from '../../client/discovery.js';

/** What went wrong in a deletion pass (beyond content that is still going). */
export interface DeletionFailures {
  /** Discovery failed, altogether or for some group versions. */
  discovery?: Error;
  /** One message per resource whose content could not be deleted or listed. */
  content?: readonly string[];
}

const sorted = <T>(m: ReadonlyMap<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The five conditions of a deletion pass: what remains by resource
 * (`services.` for the core group) and by finalizer, and what failed.
 */
export function deletionConditions(
  remainingByResource: ReadonlyMap<string, number>,
  remainingByFinalizer: ReadonlyMap<string, number>,
  failures: DeletionFailures = {},
): NamespaceCondition[] {
  const list = (m: ReadonlyMap<string, number>, fmt: (k: string, n: number) => string) =>
    sorted(m)
      .map(([k, n]) => fmt(k, n))
      .join(', ');
  const { discovery, content = [] } = failures;
  return [
    discovery
      ? {
          type: 'NamespaceDeletionDiscoveryFailure',
          status: 'True',
          reason: 'DiscoveryFailed',
          message:
            discovery instanceof GroupDiscoveryError
              ? `Discovery failed for some groups, ${discovery.groups.size} failing: ${discovery.message}`
              : discovery.message,
        }
      : {
          type: 'NamespaceDeletionDiscoveryFailure',
          status: 'False',
          reason: 'ResourcesDiscovered',
          message: 'All resources successfully discovered',
        },
    {
      type: 'NamespaceDeletionGroupVersionParsingFailure',
      status: 'False',
      reason: 'ParsedGroupVersions',
      message: 'All legacy kube types successfully parsed',
    },
    content.length
      ? {
          type: 'NamespaceDeletionContentFailure',
          status: 'True',
          reason: 'ContentDeletionFailed',
          message: `Failed to delete all resource types, ${content.length} remaining: ${[...content].sort().join(', ')}`,
        }
      : {
          type: 'NamespaceDeletionContentFailure',
          status: 'False',
          reason: 'ContentDeleted',
          message: 'All content successfully deleted, may be waiting on finalization',
        },
    remainingByResource.size
      ? {
          type: 'NamespaceContentRemaining',
          status: 'True',
          reason: 'SomeResourcesRemain',
          message: `Some resources are remaining: ${list(remainingByResource, (r, n) => `${r} has ${n} resource instances`)}`,
        }
      : {
          type: 'NamespaceContentRemaining',
          status: 'False',
          reason: 'ContentRemoved',
          message: 'All content successfully removed',
        },
    remainingByFinalizer.size
      ? {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          reason: 'SomeFinalizersRemain',
          message: `Some content in the namespace has finalizers remaining: ${list(remainingByFinalizer, (f, n) => `${f} in ${n} resource instances`)}`,
        }
      : {
          type: 'NamespaceFinalizersRemaining',
          status: 'False',
          reason: 'ContentHasNoFinalizers',
          message: 'All content-preserving finalizers finished',
        },
  ];
}

/**
 * Upstream's updateConditions: `current` with each wanted condition set
 * (others kept, in place). A condition's lastTransitionTime changes only
 * when its status does. Undefined when nothing would change.
 */
export function updateConditions(
  current: readonly NamespaceCondition[],
  wanted: readonly NamespaceCondition[],
  now: string,
): NamespaceCondition[] | undefined {
  const next = current.map((c) => ({ ...c }));
  let changed = false;
  for (const w of wanted) {
    const old = next.find((c) => c.type === w.type);
    if (!old) {
      next.push({ ...w, lastTransitionTime: now });
      changed = true;
    } else if (old.status !== w.status || old.reason !== w.reason || old.message !== w.message) {
      if (old.status !== w.status) old.lastTransitionTime = now;
      Object.assign(old, { status: w.status, reason: w.reason, message: w.message });
      changed = true;
    }
  }
  return changed ? next : undefined;
}
