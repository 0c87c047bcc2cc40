/**
 * The legacy core/v1 Endpoints object for a Service, as a pure function of
 * the service, its pods and the current object (upstream
 * pkg/controller/endpoint syncService): ready pods in `addresses`, the rest in
 * `notReadyAddresses` (all in `addresses` with publishNotReadyAddresses),
 * subsets repacked, at most 1000 addresses with the over-capacity annotation.
 */
import type {
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Endpoints,
  ObjectReference,
  Pod,
  Service,
} from 'kubernetes-types/core/v1.js';
import { canonicalIP, parseIPSloppy } from '../../k8s/ip.js';
import { repackSubsets } from '../../k8s/subsets.js';
import { jsonEqual } from '../../lib/json.js';
import { isServiceIPSet } from '../endpointslice/endpoint.js';
import {
  ANNOTATION_OVER_CAPACITY,
  ANNOTATION_TRIGGER_TIME,
  LABEL_HEADLESS,
} from '../endpointslice/labels.js';
import {
  findPort,
  isPodReady,
  podIPs,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from '../endpointslice/pod.js';
import { setTriggerTimeAnnotation, type TriggerTime } from '../endpointslice/trigger-time.js';

/** Upstream maxCapacity: addresses an Endpoints object keeps. */
export const MAX_ENDPOINTS_CAPACITY = 1000;
export const OVER_CAPACITY_TRUNCATED = 'truncated';

/**
 * The pod's address for the service's primary family (ipFamilies[0]; for an
 * old API server without families, the cluster IP's, or the pod IP's when headless).
 */
export function podToEndpointAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  let family = svc.spec?.ipFamilies?.[0];
  if (!family) {
    const probe = isServiceIPSet(svc) ? svc.spec!.clusterIP! : (pod.status?.podIP ?? '');
    family = parseIPSloppy(probe)?.family === 'IPv6' ? 'IPv6' : 'IPv4';
  }
  const ip = podIPs(pod).find((text) => (parseIPSloppy(text)?.family ?? 'IPv4') === family);
  if (!ip) return undefined;
  const addr: EndpointAddress = {
    // Canonical, as the API server now insists on for new addresses (010.0.0.1 is not one).
    ip: canonicalIP(ip) ?? ip,
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid ?? '',
    },
  };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname!;
  return addr;
}

/** The repacked subsets for a service's pods. */
export function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publish = !!svc.spec?.publishNotReadyAddresses;
  const subsets: EndpointSubset[] = [];
  const add = (pod: Pod, addr: EndpointAddress, port: EndpointPort | undefined) => {
    const ports = port ? [port] : [];
    if (publish || isPodReady(pod)) subsets.push({ addresses: [addr], ports });
    else subsets.push({ notReadyAddresses: [addr], ports });
  };
  for (const pod of pods) {
    // Terminating pods count only when not-ready addresses are published.
    if (!shouldPodBeInEndpoints(pod, publish)) continue;
    const addr = podToEndpointAddress(svc, pod);
    if (!addr) continue;
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) {
      // A headless service may have no ports.
      if (svc.spec?.clusterIP === 'None') add(pod, addr, undefined);
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
      add(pod, addr, ep);
    }
  }
  return repackSubsets(subsets) ?? [];
}

const countAddresses = (subsets: readonly EndpointSubset[] | undefined) =>
  (subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);

/** True when the annotation matches the object: absent, and the object under the cap. */
export function capacityAnnotationSetCorrectly(
  annotations: Record<string, string> | undefined,
  subsets: readonly EndpointSubset[] | undefined,
): boolean {
  if (countAddresses(subsets) > MAX_ENDPOINTS_CAPACITY) return false;
  return !(annotations && ANNOTATION_OVER_CAPACITY in annotations);
}

/**
 * Cuts the subsets to the cap (upstream truncateEndpoints): ready addresses
 * are kept first; the ones being cut are shared across subsets in proportion
 * to each subset's share, rounded up. Returns whether anything was cut.
 */
export function truncateEndpoints(ep: Endpoints): boolean {
  const subsets = ep.subsets ?? [];
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0;
    totalNotReady += s.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= MAX_ENDPOINTS_CAPACITY) return false;
  const truncateReady = totalReady > MAX_ENDPOINTS_CAPACITY;
  const max = truncateReady ? MAX_ENDPOINTS_CAPACITY : MAX_ENDPOINTS_CAPACITY - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  ep.subsets = subsets.map((s) => {
    const inSubset = (truncateReady ? s.addresses?.length : s.notReadyAddresses?.length) ?? 0;
    const toBeAdded = Math.min(Math.ceil((inSubset / total) * max), canBeAdded);
    const out: EndpointSubset = { ...s };
    if (truncateReady) {
      out.addresses = (s.addresses ?? []).slice(0, toBeAdded);
      delete out.notReadyAddresses;
      canBeAdded -= out.addresses.length;
    } else {
      out.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, toBeAdded);
      canBeAdded -= out.notReadyAddresses.length;
    }
    return out;
  });
  return true;
}

const withoutRV = (ref: ObjectReference | undefined) => {
  if (!ref) return ref;
  const { resourceVersion: _rv, ...rest } = ref;
  return rest;
};
const stripRVs = (subsets: readonly EndpointSubset[] | undefined) =>
  (subsets ?? []).map((s) => ({
    ...s,
    addresses: s.addresses?.map((a) => ({ ...a, targetRef: withoutRV(a.targetRef) })),
    notReadyAddresses: s.notReadyAddresses?.map((a) => ({ ...a, targetRef: withoutRV(a.targetRef) })),
  }));

/** Subsets equal but for the pods' resourceVersions (which change on every pod write). */
export function subsetsEqualIgnoringResourceVersion(
  a: readonly EndpointSubset[] | undefined,
  b: readonly EndpointSubset[] | undefined,
): boolean {
  const norm = (x: readonly EndpointSubset[] | undefined) =>
    stripRVs(x).map((s) => ({
      ...s,
      addresses: s.addresses?.length ? s.addresses : undefined,
      notReadyAddresses: s.notReadyAddresses?.length ? s.notReadyAddresses : undefined,
      ports: s.ports?.length ? s.ports : undefined,
    }));
  return jsonEqual(norm(a), norm(b));
}

const labelsWithout = (labels: Record<string, string> | undefined, key: string) => {
  const out = { ...(labels ?? {}) };
  delete out[key];
  return out;
};

/**
 * The Endpoints object to write, or undefined when `current` is already right.
 * `create` says whether it is new.
 */
export function desiredEndpoints(
  svc: Service,
  pods: readonly Pod[],
  current: Endpoints | undefined,
  triggerTime: TriggerTime,
): { endpoints: Endpoints; create: boolean } | undefined {
  const subsets = desiredSubsets(svc, pods);
  const create = !current?.metadata?.resourceVersion;
  const svcLabels = svc.metadata?.labels ?? {};
  if (
    !create &&
    subsetsEqualIgnoringResourceVersion(current!.subsets, subsets) &&
    jsonEqual(labelsWithout(current!.metadata?.labels, LABEL_HEADLESS), svcLabels) &&
    capacityAnnotationSetCorrectly(current!.metadata?.annotations, current!.subsets)
  ) {
    return undefined;
  }
  const ep: Endpoints = current
    ? structuredClone(current)
    : {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace },
      };
  ep.subsets = subsets;
  ep.metadata ??= {};
  const meta = ep.metadata;
  const labels = { ...svcLabels };
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
  else delete labels[LABEL_HEADLESS];
  meta.labels = labels;
  setTriggerTimeAnnotation(meta, ANNOTATION_TRIGGER_TIME, triggerTime);
  const annotations = { ...(meta.annotations ?? {}) };
  if (truncateEndpoints(ep)) annotations[ANNOTATION_OVER_CAPACITY] = OVER_CAPACITY_TRUNCATED;
  else delete annotations[ANNOTATION_OVER_CAPACITY];
  if (Object.keys(annotations).length) meta.annotations = annotations;
  else delete meta.annotations;
  if (Object.keys(labels).length === 0) delete meta.labels;
  return { endpoints: ep, create };
}
