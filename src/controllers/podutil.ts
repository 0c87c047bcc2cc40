/**
 * Helpers the workload controllers share, after upstream's pkg/api/v1/pod
 * (readiness, availability), apimachinery's metav1 (controller references,
 * LabelSelector matching) and pkg/controller/controller_utils.go (active pods,
 * pod creation from a template, slow-start batches).
 */
import type { Pod, PodCondition, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';

/** Anything with metadata. */
export interface Meta {
  metadata?: ObjectMeta;
}

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** Parses an RFC 3339 time; undefined for absent or unparsable input (Go's zero time). */
export function parseTime(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Ready for at least minReadySeconds (upstream IsPodAvailable): with
 * minReadySeconds 0 ready is enough; otherwise the Ready transition must lie
 * strictly more than minReadySeconds before `now`.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = parseTime(podReadyCondition(pod)?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** Neither finished (Succeeded/Failed) nor being deleted (upstream IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** The ownerReference with controller: true, if any (metav1.GetControllerOf). */
export function getControllerOf(obj: Meta): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: Meta, owner: Meta): boolean {
  const ref = getControllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata?.uid;
}

/** metav1.NewControllerRef: the reference a controller stamps on what it creates. */
export function newControllerRef(owner: Meta, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A selector with neither matchLabels nor matchExpressions (it selects everything). */
export function isEmptySelector(sel: LabelSelector | undefined): boolean {
  return (
    !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)
  );
}

/**
 * Whether `labels` satisfy a metav1.LabelSelector (LabelSelectorAsSelector +
 * Matches). A nil selector matches nothing; an empty one matches everything,
 * as upstream.
 */
export function selectorMatches(
  sel: LabelSelector | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (!Object.hasOwn(l, k) || l[k] !== v) return false;
  }
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An unknown operator is a validation error upstream; never match.
        return false;
    }
  }
  return true;
}

/** Every label of the template is on the pod with the same value (fullyLabeledReplicas). */
export function hasAllLabels(
  want: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {};
  return Object.entries(want ?? {}).every(([k, v]) => Object.hasOwn(l, k) && l[k] === v);
}

/**
 * The pod a controller creates from its template (upstream GetPodFromTemplate):
 * the template's labels, annotations, finalizers and spec, `generateName`
 * `<owner>-`, and the controller reference.
 */
export function podFromTemplate(
  template: PodTemplateSpec | undefined,
  namespace: string,
  ownerName: string,
  controllerRef: OwnerReference,
): Pod {
  const t = structuredClone(template ?? {});
  const meta: ObjectMeta = { namespace, generateName: generateNamePrefix(ownerName) };
  if (t.metadata?.labels) meta.labels = t.metadata.labels;
  if (t.metadata?.annotations) meta.annotations = t.metadata.annotations;
  if (t.metadata?.finalizers) meta.finalizers = t.metadata.finalizers;
  meta.ownerReferences = [controllerRef];
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: t.spec ?? { containers: [] } };
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * `<name>-`, unless that is not a valid pod name prefix, then the name itself
 * (upstream getPodsPrefix: the prefix is validated with the trailing dash
 * allowed).
 */
export function generateNamePrefix(name: string): string {
  const prefix = `${name}-`;
  // A prefix may end with '-': validate it with a stand-in character appended.
  const probe = `${prefix}a`;
  return probe.length <= 253 && DNS_SUBDOMAIN.test(probe) ? prefix : name;
}

/** Initial batch size of slow-start creation (controller.SlowStartInitialBatchSize). */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/**
 * Calls `fn` `count` times in batches of 1, 2, 4, ... (concurrently within a
 * batch); after a batch with any failure, stops. Answers the number of
 * successful calls and the first error (upstream slowStartBatch), so a
 * failing template costs one request, not hundreds.
 */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initialBatchSize); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += size - failed.length;
    if (failed.length > 0) return { successes, error: failed[0]!.reason };
    remaining -= size;
  }
  return { successes };
}

/** Strategic-merge patch that makes `owner` the controller of object `uid` (adoption). */
export function adoptPatch(ref: OwnerReference, uid: string): unknown {
  return { metadata: { ownerReferences: [ref], uid } };
}

/** Strategic-merge patch that removes the reference to `ownerUid` from object `uid` (release). */
export function releasePatch(ownerUid: string, uid: string): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid } };
}

/**
 * The Status reason of an API failure (`NotFound`, `AlreadyExists`,
 * `Conflict`, `Invalid`, ...), read from the error's `reason` (client
 * ApiError) or its Status; undefined for network and other errors.
 */
export function apiReason(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { reason?: unknown; status?: { reason?: unknown } };
  if (typeof e.reason === 'string') return e.reason;
  if (typeof e.status === 'object' && e.status !== null && typeof e.status.reason === 'string') {
    return e.status.reason;
  }
  return undefined;
}

/** The create failed because the namespace is being deleted (StatusCause NamespaceTerminating). */
export function isNamespaceTerminating(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const causes = (err as { status?: { details?: { causes?: { type?: string }[] } } }).status?.details?.causes;
  return Array.isArray(causes) && causes.some((c) => c?.type === 'NamespaceTerminating');
}
