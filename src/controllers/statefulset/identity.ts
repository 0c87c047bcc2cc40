/**
 * A StatefulSet pod's identity and state (upstream
 * pkg/controller/statefulset/stateful_set_utils.go): names `<set>-<ordinal>`,
 * the identity labels, hostname/subdomain, the revision label, and the
 * running/ready/available predicates the ordering decisions rest on.
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

const statefulPodRegex = /^(.*)-([0-9]+)$/;

/** The parent name and ordinal encoded in a pod name; ordinal -1 when there is none. */
export function parentAndOrdinal(podName: string): { parent: string; ordinal: number } {
  const m = statefulPodRegex.exec(podName);
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  // Go parses the ordinal as an int32; larger values are no ordinal at all.
  return { parent: m[1]!, ordinal: n <= 2 ** 31 - 1 ? n : -1 };
}

export const ordinalOf = (pod: Pod): number => parentAndOrdinal(pod.metadata?.name ?? '').ordinal;
export const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata?.name}-${ordinal}`;
export const isMemberOf = (set: StatefulSet, pod: Pod): boolean =>
  parentAndOrdinal(pod.metadata?.name ?? '').parent === set.metadata?.name;

export const startOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet): number => set.spec?.replicas ?? 1;
export const endOrdinal = (set: StatefulSet): number => startOrdinal(set) + replicasOf(set) - 1;
export function inOrdinalRange(set: StatefulSet, pod: Pod): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export const podRevision = (pod: Pod): string => pod.metadata?.labels?.[REVISION_LABEL] ?? '';
export const isCreated = (pod: Pod): boolean => !!pod.status?.phase;
export const isFailed = (pod: Pod): boolean => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Pod): boolean => pod.status?.phase === 'Succeeded';
export const isPending = (pod: Pod): boolean => pod.status?.phase === 'Pending';
export const isTerminating = (pod: Pod): boolean => !!pod.metadata?.deletionTimestamp;

const readyCondition = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === 'Ready');
export const isPodReady = (pod: Pod): boolean => readyCondition(pod)?.status === 'True';
export const isRunningAndReady = (pod: Pod): boolean => pod.status?.phase === 'Running' && isPodReady(pod);

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = readyCondition(pod)?.lastTransitionTime;
  if (!since) return false;
  return Date.parse(since) + minReadySeconds * 1000 <= now;
}

export const isHealthy = (pod: Pod): boolean => isRunningAndReady(pod) && !isTerminating(pod);
export const isUnavailable = (pod: Pod, minReadySeconds: number, now: number): boolean =>
  !isHealthy(pod) || !isRunningAndAvailable(pod, minReadySeconds, now);

/** The identity labels, hostname and subdomain match the set. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod.metadata?.name ?? '');
  const labels = pod.metadata?.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata?.name &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    labels[POD_NAME_LABEL] === pod.metadata?.name &&
    labels[POD_INDEX_LABEL] === String(ordinal)
  );
}

/** Sets the identity labels a pod must carry (updateIdentity); answers whether anything changed. */
export function updateIdentity(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  const name = podName(set, ordinal);
  const before = JSON.stringify(pod.metadata?.labels ?? {});
  pod.metadata = { ...pod.metadata, name, namespace: set.metadata?.namespace };
  pod.metadata.labels = {
    ...pod.metadata.labels,
    [POD_NAME_LABEL]: name,
    [POD_INDEX_LABEL]: String(ordinal),
  };
  return JSON.stringify(pod.metadata.labels) !== before;
}

export function controllerRefTo(set: StatefulSet): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    name: set.metadata?.name ?? '',
    uid: set.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The claim templates svcnet cannot honour (it serves no PersistentVolumeClaims). */
export const claimTemplateNames = (set: StatefulSet): string[] =>
  (set.spec?.volumeClaimTemplates ?? []).map((c) => c.metadata?.name ?? '').filter(Boolean);

/**
 * A new pod for `ordinal` from the set's template (newStatefulSetPod): the
 * template's labels, annotations and spec, the controller reference, the
 * identity labels, hostname = pod name and subdomain = the governing service.
 * Each volumeClaimTemplate becomes an emptyDir volume of the same name, so
 * the template's volumeMounts still resolve.
 */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, revision: string): Pod {
  const t = set.spec?.template ?? {};
  const name = podName(set, ordinal);
  const spec = structuredClone(t.spec ?? { containers: [] });
  const claims = claimTemplateNames(set);
  if (claims.length) {
    const volumes: Volume[] = (spec.volumes ?? []).filter((v) => !claims.includes(v.name));
    spec.volumes = [...claims.map((c) => ({ name: c, emptyDir: {} })), ...volumes];
  }
  spec.hostname = name;
  spec.subdomain = set.spec?.serviceName || undefined;
  if (!spec.subdomain) delete spec.subdomain;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: { ...t.metadata?.labels },
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ...(t.metadata?.finalizers ? { finalizers: [...t.metadata.finalizers] } : {}),
      ownerReferences: [controllerRefTo(set)],
    },
    spec,
  };
  updateIdentity(set, pod);
  pod.metadata!.labels![REVISION_LABEL] = revision;
  return pod;
}
