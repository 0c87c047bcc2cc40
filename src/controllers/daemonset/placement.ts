/**
 * Where a DaemonSet runs (upstream pkg/controller/daemon: NodeShouldRunDaemonPod,
 * util.AddOrUpdateDaemonPodTolerations, util.ReplaceDaemonSetPodNodeNameNodeAffinity,
 * util.CreatePodTemplate): one pod per node whose labels match the template's
 * nodeSelector and required node affinity and whose NoSchedule/NoExecute
 * taints the pod tolerates; a pod already there keeps running as long as it
 * tolerates the NoExecute ones. Each pod is pinned to its node with a
 * `metadata.name` matchFields term, so the scheduler binds it there.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Affinity, Node, Pod, PodSpec, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { matchesNodeAffinity, tolerates } from '../../k8s/nodeaffinity.js';

export const HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });

/** The tolerations every daemon pod gets, so node conditions never evict it or keep it off a node. */
export function daemonTolerations(spec: PodSpec): Toleration[] {
  const wanted = [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(spec.hostNetwork ? [exists('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
  const out = [...(spec.tolerations ?? [])];
  // AddOrUpdateTolerationInPodSpec: a toleration with the same key, operator, effect and value is replaced.
  for (const t of wanted) {
    const i = out.findIndex(
      (o) => o.key === t.key && (o.operator ?? 'Equal') === t.operator && o.effect === t.effect,
    );
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

/** The pod the placement checks look at: the template with the node name and daemon tolerations. */
function probePod(ds: DaemonSet, nodeName: string): Pod {
  const spec = structuredClone(ds.spec?.template?.spec ?? { containers: [] });
  spec.nodeName = nodeName;
  spec.tolerations = daemonTolerations(spec);
  return { metadata: { ...ds.spec?.template?.metadata, namespace: ds.metadata?.namespace }, spec };
}

export interface Placement {
  /** A daemon pod should be created on the node if it has none. */
  shouldRun: boolean;
  /** An existing daemon pod on the node may stay. */
  shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): Placement {
  const name = node.metadata?.name ?? '';
  const fixed = ds.spec?.template?.spec?.nodeName;
  if (fixed && fixed !== name) return { shouldRun: false, shouldContinueRunning: false };
  const pod = probePod(ds, name);
  if (!matchesNodeAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = pod.spec?.tolerations ?? [];
  const untolerated = (effects: string[]) =>
    (node.spec?.taints ?? []).some(
      (t) => effects.includes(t.effect) && !tolerations.some((x) => tolerates(x, t)),
    );
  if (untolerated(['NoSchedule', 'NoExecute']))
    return { shouldRun: false, shouldContinueRunning: !untolerated(['NoExecute']) };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** Pins a pod to one node: required node affinity becomes a single `metadata.name In [node]` term. */
export function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const out = structuredClone(affinity ?? {});
  out.nodeAffinity ??= {};
  out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  return out;
}

/** CreatePodTemplate: the template with daemon tolerations and the generation and revision labels. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec?.template ?? {});
  t.spec ??= { containers: [] };
  t.spec.tolerations = daemonTolerations(t.spec);
  const gen = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  t.metadata ??= {};
  t.metadata.labels = {
    ...t.metadata.labels,
    ...(gen !== undefined ? { [TEMPLATE_GENERATION_LABEL]: gen } : {}),
    ...(hash ? { [HASH_LABEL]: hash } : {}),
  };
  return t;
}

/** GetTargetNodeName: the bound node, or the node the affinity term pins an unbound pod to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const t of terms ?? [])
    for (const f of t.matchFields ?? [])
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

/** IsPodUpdated: the pod carries the current revision hash or template generation. */
export function isPodUpdated(pod: Pod, ds: DaemonSet, hash: string): boolean {
  const labels = pod.metadata?.labels ?? {};
  const gen = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  return (
    (!!hash && labels[HASH_LABEL] === hash) ||
    (gen !== undefined && labels[TEMPLATE_GENERATION_LABEL] === gen)
  );
}
