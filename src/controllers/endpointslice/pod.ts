/**
 * What a pod contributes to a Service's endpoints (upstream
 * k8s.io/endpointslice/util controller_utils.go and podutil.FindPort): which
 * pods count, which port a service port resolves to on each pod, and which pod
 * changes can move endpoints.
 */
import type { Pod, PodCondition, Service, ServicePort } from 'kubernetes-types/core/v1.js';

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The pod's Ready condition is True. */
export const isPodReady = (pod: Pod): boolean => podReadyCondition(pod)?.status === 'True';

/** Succeeded and Failed pods never come back, so they never count. */
export const isPodTerminal = (pod: Pod): boolean =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** The pod's IPs; `podIP` alone counts when `podIPs` was not filled in. */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

/**
 * Whether a pod belongs in Endpoints/EndpointSlices: not terminal, has an IP,
 * and (unless `includeTerminating`) is not being deleted. The slice controller
 * always includes terminating pods; the Endpoints controller only when the
 * service publishes not-ready addresses.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** A pod's hostname is published when its subdomain names the service (StatefulSet pods). */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return (
    !!pod.spec?.hostname &&
    pod.spec.subdomain === svc.metadata?.name &&
    (pod.metadata?.namespace ?? '') === (svc.metadata?.namespace ?? '')
  );
}

/**
 * The container port a service port targets on this pod: a number as is, a
 * name looked up in the containers' (and restartable init containers') ports
 * with the same protocol. Undefined when a name resolves to nothing.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const proto = sp.protocol ?? 'TCP';
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === proto) return p.containerPort;
    }
  }
  return undefined;
}

/** A service's selector, or undefined when it has none (nil and empty both select nothing here). */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

export function selectorMatches(
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
) {
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) => {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => b?.[k] === a?.[k]);
};

/**
 * Upstream's podEndpointsChanged: [podChanged, labelsChanged]. A pod changes
 * its endpoints through deletion, readiness or IPs; it changes the services it
 * belongs to through labels, hostname or subdomain.
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): [boolean, boolean] {
  const labelsChanged =
    !sameLabels(oldPod.metadata?.labels, newPod.metadata?.labels) ||
    oldPod.spec?.hostname !== newPod.spec?.hostname ||
    oldPod.spec?.subdomain !== newPod.spec?.subdomain;
  // Upstream compares deletionTimestamp pointers, so any update of a terminating pod counts.
  if (oldPod.metadata?.deletionTimestamp || newPod.metadata?.deletionTimestamp) return [true, labelsChanged];
  if (isPodTerminal(oldPod) !== isPodTerminal(newPod)) return [true, labelsChanged];
  if (isPodReady(oldPod) !== isPodReady(newPod)) return [true, labelsChanged];
  const a = podIPs(oldPod);
  const b = podIPs(newPod);
  if (a.length !== b.length || a.some((ip, i) => ip !== b[i])) return [true, labelsChanged];
  return [false, labelsChanged];
}

/** Keys (`ns/name`) of the services in the pod's namespace whose selector matches these labels. */
export function servicesSelecting(
  services: readonly Service[],
  namespace: string,
  labels: Record<string, string> | undefined,
): Set<string> {
  const out = new Set<string>();
  for (const svc of services) {
    if ((svc.metadata?.namespace ?? '') !== namespace) continue;
    const sel = serviceSelector(svc);
    if (sel && selectorMatches(sel, labels)) out.add(`${namespace}/${svc.metadata?.name}`);
  }
  return out;
}

/**
 * The services to resync after a pod update (upstream
 * GetServicesToUpdateOnPodChange): none for a resync or an irrelevant change;
 * with changed labels, the union of old and new members when the pod itself
 * changed too, else only the services it joined or left.
 */
export function servicesToUpdateOnPodChange(
  services: readonly Service[],
  oldPod: Pod,
  newPod: Pod,
): Set<string> {
  if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) return new Set();
  const [podChanged, labelsChanged] = podEndpointsChanged(oldPod, newPod);
  if (!podChanged && !labelsChanged) return new Set();
  const ns = newPod.metadata?.namespace ?? '';
  const now = servicesSelecting(services, ns, newPod.metadata?.labels);
  if (!labelsChanged) return now;
  const before = servicesSelecting(services, ns, oldPod.metadata?.labels);
  if (podChanged) return new Set([...now, ...before]);
  const out = new Set<string>();
  for (const k of now) if (!before.has(k)) out.add(k);
  for (const k of before) if (!now.has(k)) out.add(k);
  return out;
}
