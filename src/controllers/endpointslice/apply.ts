/**
 * Writes a slice plan through the API (upstream reconciler finalize): creates,
 * then updates, then deletes, recording each write in the tracker so the
 * controller can tell its own changes from others' and spot a stale cache.
 * Shared by the EndpointSlice and mirroring controllers.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ApiError, isNotFound } from '../../client/client.js';
import { EndpointSlices } from '../../client/resources.js';
import type { ApiClient } from '../../client/types.js';
import { errText } from '../../lib/errors.js';
import type { SlicePlan } from './reconciler.js';
import type { EndpointSliceTracker } from './tracker.js';

/** Counts of slice writes, the churn the reconciler tries to keep low. */
export interface SliceChurn {
  creates: number;
  updates: number;
  deletes: number;
}

export const newChurn = (): SliceChurn => ({ creates: 0, updates: 0, deletes: 0 });

/** A create refused because the namespace is being deleted: further tries are pointless. */
export function isNamespaceTerminating(err: unknown): boolean {
  return (
    err instanceof ApiError && !!err.status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')
  );
}

export interface ApplyOptions {
  client: ApiClient;
  tracker: EndpointSliceTracker;
  churn: SliceChurn;
  /** Skip creates (the owner is being deleted; the garbage collector would race us). */
  skipCreates?: boolean;
  /** Runs on each slice about to be created or updated (e.g. the trigger-time annotation). */
  beforeWrite?: (slice: EndpointSlice) => void;
  /** What the errors name, e.g. `Service default/web`. */
  what: string;
}

export async function applySlicePlan(plan: SlicePlan, namespace: string, o: ApplyOptions): Promise<void> {
  if (!o.skipCreates) {
    for (const slice of plan.toCreate) {
      o.beforeWrite?.(slice);
      let created: EndpointSlice;
      try {
        created = await o.client.create(EndpointSlices, namespace, slice);
      } catch (err) {
        if (isNamespaceTerminating(err)) return;
        throw new Error(`failed to create EndpointSlice for ${o.what}: ${errText(err)}`);
      }
      o.tracker.update(created);
      o.churn.creates++;
    }
  }
  for (const slice of plan.toUpdate) {
    o.beforeWrite?.(slice);
    let updated: EndpointSlice;
    try {
      updated = await o.client.update(EndpointSlices, slice);
    } catch (err) {
      throw new Error(
        `failed to update ${slice.metadata?.name} EndpointSlice for ${o.what}: ${errText(err)}`,
      );
    }
    o.tracker.update(updated);
    o.churn.updates++;
  }
  for (const slice of plan.toDelete) {
    try {
      await o.client.delete(EndpointSlices, namespace, slice.metadata?.name ?? '');
    } catch (err) {
      if (isNotFound(err)) continue; // already gone
      throw new Error(
        `failed to delete ${slice.metadata?.name} EndpointSlice for ${o.what}: ${errText(err)}`,
      );
    }
    o.tracker.expectDeletion(slice);
    o.churn.deletes++;
  }
}
