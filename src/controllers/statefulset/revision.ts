/**
 * ControllerRevisions for StatefulSets (upstream pkg/controller/history and
 * statefulset's newRevision/ApplyRevision): a revision stores the pod
 * template as the patch `{"spec":{"template":{..., "$patch":"replace"}}}`,
 * encoded the way Go's encoding/json writes a map (sorted keys, HTML-safe
 * escapes), named `<set>-<hash>` where the hash is FNV-32 of those bytes
 * (plus the collision count) in Kubernetes' safe alphabet.
 */
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { controllerRefTo } from './identity.js';

export const HASH_LABEL = 'controller.kubernetes.io/hash';

/** JSON as Go's json.Marshal writes a map[string]interface{}: sorted keys, no spaces, <>& and U+2028/9 escaped. */
export function goJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map((x) => goJSON(x === undefined ? null : x)).join(',')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${goString(k)}:${goJSON(x)}`).join(',')}}`;
  }
  if (typeof v === 'string') return goString(v);
  return JSON.stringify(v);
}

function goString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** FNV-1 (not 1a), 32 bits, as Go's hash/fnv New32. */
export function fnv32(bytes: Uint8Array, h = 0x811c9dc5): number {
  let hash = h;
  for (const b of bytes) hash = (Math.imul(hash, 0x01000193) ^ b) >>> 0;
  return hash >>> 0;
}

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';
/** apimachinery rand.SafeEncodeString: every byte mapped into an alphabet without vowels. */
export const safeEncodeString = (s: string): string =>
  [...Buffer.from(s)].map((b) => alphanums[b % alphanums.length]).join('');

/** The bytes a revision of `set` stores. */
export function revisionPatch(template: PodTemplateSpec | undefined): string {
  return goJSON({ spec: { template: { ...structuredClone(template ?? {}), $patch: 'replace' } } });
}

export function hashRevision(patch: string, collisionCount?: number): string {
  let h = fnv32(Buffer.from(patch));
  if (collisionCount !== undefined) h = fnv32(Buffer.from(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** ControllerRevisionName: the prefix is cut at 223 bytes so the name stays within 253. */
export const revisionName = (prefix: string, hash: string): string => `${prefix.slice(0, 223)}-${hash}`;

/** A new revision of `set` numbered `revision` (not yet created). */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const patch = revisionPatch(set.spec?.template);
  const hash = hashRevision(patch, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(set.metadata?.name ?? '', hash),
      namespace: set.metadata?.namespace,
      labels: { ...set.spec?.template?.metadata?.labels, [HASH_LABEL]: hash },
      annotations: { ...set.metadata?.annotations },
      ownerReferences: [controllerRefTo(set)],
    },
    data: JSON.parse(patch),
    revision,
  };
}

/** Both revisions hold the same template (history.EqualRevision compares the stored bytes). */
export const equalRevision = (a: ControllerRevision, b: ControllerRevision): boolean =>
  goJSON(a.data ?? null) === goJSON(b.data ?? null);

/** The set as of a revision: its template replaced by the stored one. */
export function applyRevision(set: StatefulSet, rev: ControllerRevision): StatefulSet {
  const data = rev.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const { $patch: _, ...template } = data?.spec?.template ?? {};
  return { ...set, spec: { ...set.spec!, template: structuredClone(template) as PodTemplateSpec } };
}

/** Revisions in ascending revision order (stable, as SortControllerRevisions). */
export const sortRevisions = (revs: ControllerRevision[]): ControllerRevision[] =>
  [...revs].sort((a, b) => a.revision - b.revision);

export const nextRevision = (sorted: ControllerRevision[]): number =>
  sorted.length ? sorted[sorted.length - 1]!.revision + 1 : 1;

/**
 * Which revision is the update revision (getStatefulSetRevisions): the
 * latest when it already holds the template; an older equal one (a
 * rollback) gets the next revision number; otherwise a new one is needed.
 */
export type UpdateRevisionChoice =
  | { kind: 'existing'; revision: ControllerRevision }
  | { kind: 'renumber'; revision: ControllerRevision; to: number }
  | { kind: 'create'; revision: ControllerRevision };

export function chooseUpdateRevision(
  set: StatefulSet,
  sorted: ControllerRevision[],
  collisionCount: number,
): UpdateRevisionChoice {
  const candidate = newRevision(set, nextRevision(sorted), collisionCount);
  const equal = sorted.filter((r) => equalRevision(r, candidate));
  const last = sorted[sorted.length - 1];
  if (equal.length && last && equalRevision(last, equal[equal.length - 1]!)) {
    return { kind: 'existing', revision: last };
  }
  if (equal.length) return { kind: 'renumber', revision: equal[equal.length - 1]!, to: candidate.revision };
  return { kind: 'create', revision: candidate };
}

/**
 * Revisions to delete to keep `limit` non-live ones (truncateHistory): live
 * are the current and update revisions and any revision a pod still carries;
 * the oldest non-live go first.
 */
export function revisionsToTruncate(
  sorted: ControllerRevision[],
  live: ReadonlySet<string>,
  limit: number,
): ControllerRevision[] {
  const history = sorted.filter((r) => !live.has(r.metadata?.name ?? ''));
  if (limit < 0 || history.length <= limit) return [];
  return history.slice(0, history.length - limit);
}
