/**
 * Pod → EndpointSlice endpoint, and the ports and address types a service's
 * slices carry (upstream k8s.io/endpointslice utils.go).
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { formatIP, parseIPSloppy } from '../../k8s/ip.js';
import { LABEL_TOPOLOGY_ZONE } from './labels.js';
import { findPort, isPodReady, podIPs, shouldSetHostname } from './pod.js';

export type AddressType = 'IPv4' | 'IPv6';

/** A service is headless when it has no cluster IP. */
export const isServiceIPSet = (svc: Service): boolean =>
  !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None';

/** The pod's addresses of one family, in canonical form. */
export function endpointAddresses(pod: Pod, addressType: AddressType): string[] {
  const out: string[] = [];
  for (const text of podIPs(pod)) {
    const ip = parseIPSloppy(text);
    if (ip && ip.family === addressType) out.push(formatIP(ip));
  }
  return out;
}

/**
 * The endpoint for a pod: `serving` is the Ready condition, `terminating` a
 * set deletionTimestamp, and `ready` is serving-and-not-terminating unless the
 * service publishes not-ready addresses.
 */
export function podToEndpoint(
  pod: Pod,
  node: Node | undefined,
  svc: Service,
  addressType: AddressType,
): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Endpoint = {
    addresses: endpointAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid ?? '',
    },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname!;
  return ep;
}

/**
 * The slice ports for a pod: every service port whose target resolves on this
 * pod (named targetPorts may differ per pod; unresolvable ones are dropped). A
 * headless service may have no ports at all.
 */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/**
 * The address types a service's slices use: its ipFamilies; without them
 * (an old API server) the cluster IP's family, or both for headless.
 */
export function addressTypesForService(svc: Service): AddressType[] {
  const fams = (svc.spec?.ipFamilies ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  if (fams.length) return [...new Set(fams)];
  if (isServiceIPSet(svc)) return [parseIPSloppy(svc.spec!.clusterIP!)?.family === 'IPv6' ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}
