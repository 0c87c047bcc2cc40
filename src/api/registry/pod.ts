/**
 * Pods (upstream pkg/registry/core/pod): defaults, what the default admission
 * chain adds on create (service account, priority, not-ready/unreachable
 * tolerations), status and QoS class on create, the update rules, the
 * /status strategy, graceful deletion and the field selectors the kubelet
 * and scheduler use.
 */
import type { Container, Pod, PodSpec, PodStatus, Toleration } from 'kubernetes-types/core/v1.js';
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

const binarySuffix: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimalSuffix: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A resource.Quantity as a number (enough to compare requests with limits). */
export function quantityValue(q: string | number | undefined): number {
  if (q === undefined) return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const s = m[3] ?? '';
  return n * (binarySuffix[s] ?? decimalSuffix[s] ?? 1);
}

const qosResources = ['cpu', 'memory'];

/** qos.GetPodQOS: BestEffort without cpu/memory requests or limits; Guaranteed when every container's limits equal its requests. */
export function podQOSClass(spec: PodSpec | undefined): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const containers: Container[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of qosResources) {
      const rq = quantityValue(req[r]);
      const lm = quantityValue(lim[r]);
      if (rq > 0 || lm > 0) any = true;
      if (!(lm > 0) || (req[r] !== undefined && rq !== lm)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

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
