/**
 * What the API server knows about one resource: its names (for URLs,
 * discovery and messages), scope, storage key, strategy, selectable fields and
 * the subresources it serves.
 */

import type { FieldGetters } from '../k8s/selectors.js';
import type { GroupKind, GroupResource } from '../k8s/status.js';
import type { Strategy } from './registry/strategy.js';

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural, lower case: `services`. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Key prefix in the store, without a trailing slash: `/registry/services/specs`. */
  storagePrefix: string;
  strategy: Strategy;
  /** Fields usable in fieldSelector, beyond metadata.name / metadata.namespace. */
  fieldGetters: FieldGetters;
  subresources: Subresource[];
  /** PUT of a missing object creates it (upstream AllowCreateOnUpdate). */
  allowCreateOnUpdate: boolean;
  /** DELETE answers the deleted object (true) or a Success Status (false). */
  returnDeletedObject: boolean;
}

/**
 * Subresources: status and finalize update parts of the object; scale reads
 * and writes an autoscaling/v1 Scale; binding (create), log (get) and
 * eviction (create) are pods' own.
 */
export type Subresource =
  | 'status'
  | 'finalize'
  | 'scale'
  | 'binding'
  | 'log'
  | 'eviction'
  | 'exec'
  | 'attach'
  | 'portforward';

export const apiVersionOf = (r: { group: string; version: string }): string =>
  r.group ? `${r.group}/${r.version}` : r.version;

export const groupResource = (r: ResourceInfo): GroupResource => ({ group: r.group, resource: r.resource });
export const groupKind = (r: ResourceInfo): GroupKind => ({ group: r.group, kind: r.kind });

/** The verbs every stored resource serves. */
export const standardVerbs = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

/** Field getters every resource supports. */
export function metadataFieldGetters(namespaced: boolean): FieldGetters {
  const g: Record<string, (o: { metadata?: { name?: string; namespace?: string } }) => string | undefined> = {
    'metadata.name': (o) => o.metadata?.name,
  };
  if (namespaced) g['metadata.namespace'] = (o) => o.metadata?.namespace;
  return g as FieldGetters;
}
