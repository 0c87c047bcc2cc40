/**
 * Pods (upstream pkg/registry/core/pod): defaults, what the default admission
 * chain adds on create (service account, priority, not-ready/unreachable
 * tolerations), status and QoS class on create, the update rules, the
 * /status strategy, graceful deletion and the field selectors the kubelet
 * and scheduler use.
 */
import type { Pod, PodSpec, PodStatus, Toleration } from 'kubernetes-types/core/v1.js';
import { podQOSClass } from '../../k8s/quantity.js';
import { setPodDefaults } from '../defaults/pod.js';
import { validatePod, validatePodStatusUpdate, validatePodUpdate } from '../validation/pod.js';
import type { Strategy } from './strategy.js';

type MutablePod = { -readonly [K in keyof Pod]: Pod[K] };

/** The DefaultTolerationSeconds admission plugin's 300 s for not-ready and unreachable nodes. */
export const DefaultTolerationSeconds = 300;
const defaultTolerations: Toleration[] = [
  {
    key: 'node.kubernetes.io/not-ready',
    operator: 'Exists',
    effect: 'NoExecute',
    tolerationSeconds: DefaultTolerationSeconds,
  },
  {
    key: 'node.kubernetes.io/unreachable',
    operator: 'Exists',
    effect: 'NoExecute',
    tolerationSeconds: DefaultTolerationSeconds,
  },
];

/** What the default admission plugins (ServiceAccount, Priority, DefaultTolerationSeconds) add to a new pod. */
function admitNewPod(spec: PodSpec): void {
  if (!spec.serviceAccountName) spec.serviceAccountName = 'default';
  spec.serviceAccount = spec.serviceAccountName;
  if (!spec.priorityClassName) {
    spec.priority ??= 0;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
  }
  const tolerations = spec.tolerations ?? [];
  for (const t of defaultTolerations) {
    const covered = tolerations.some(
      (x) =>
        (x.key === t.key || (!x.key && x.operator === 'Exists')) && (!x.effect || x.effect === 'NoExecute'),
    );
    if (!covered) tolerations.push({ ...t });
  }
  spec.tolerations = tolerations;
}

/** CheckGracefulDelete: the request's grace, else the pod's; unscheduled or finished pods go at once. */
export function podGracePeriod(pod: Pod, asked: number | undefined): number {
  let period = asked ?? pod.spec?.terminationGracePeriodSeconds ?? 0;
  if (!pod.spec?.nodeName) period = 0;
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') period = 0;
  return period < 0 ? 1 : period;
}

export const podStrategy: Strategy<Pod> = {
  defaults: setPodDefaults,
  prepareForCreate(pod) {
    const p = pod as MutablePod;
    p.spec ??= { containers: [] };
    admitNewPod(p.spec);
    const status: PodStatus = { phase: 'Pending', qosClass: podQOSClass(p.spec) };
    p.status = status;
  },
  validate: validatePod,
  prepareForUpdate(pod, old) {
    (pod as MutablePod).status = old.status;
  },
  validateUpdate: validatePodUpdate,
  status: {
    prepareForUpdate(pod, old) {
      const p = pod as MutablePod;
      p.spec = old.spec;
      // Old kubelets corrupted owner references through /status: it may not touch them.
      if (old.metadata?.ownerReferences)
        p.metadata = { ...p.metadata, ownerReferences: old.metadata.ownerReferences };
      else if (p.metadata) delete p.metadata.ownerReferences;
    },
    validateUpdate: validatePodStatusUpdate,
  },
  checkGracefulDelete(pod, options) {
    return podGracePeriod(pod, options.gracePeriodSeconds);
  },
};

type Getter = (o: Pod) => string | undefined;
/** The pod fields selectable in fieldSelector (ToSelectableFields / PodToSelectableFields). */
export const podFieldGetters: Record<string, Getter> = {
  'spec.nodeName': (p) => p.spec?.nodeName ?? '',
  'spec.restartPolicy': (p) => p.spec?.restartPolicy ?? '',
  'spec.schedulerName': (p) => p.spec?.schedulerName ?? '',
  'spec.serviceAccountName': (p) => p.spec?.serviceAccountName ?? '',
  'spec.hostNetwork': (p) => String(p.spec?.hostNetwork ?? false),
  'status.phase': (p) => p.status?.phase ?? '',
  // Upstream indexes podIP and podIPs by the first IP only.
  'status.podIP': (p) => p.status?.podIPs?.[0]?.ip ?? p.status?.podIP ?? '',
  'status.podIPs': (p) => p.status?.podIPs?.[0]?.ip ?? p.status?.podIP ?? '',
  'status.nominatedNodeName': (p) => p.status?.nominatedNodeName ?? '',
};
