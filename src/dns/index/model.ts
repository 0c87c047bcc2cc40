/**
 * The API objects reduced to what DNS answers need, in maps keyed by
 * lower-case names, built once per index (CoreDNS's informer indexes:
 * services by name.namespace and by cluster IP, endpoints by service and by
 * address, pods by address).
 */
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { dashedIP, recordAddress } from './addresses.js';

export interface PortInfo {
  name: string;
  /** -1 stands for "no ports" (CoreDNS's sentinel): address records, no SRV. */
  port: number;
  protocol: string;
}

export interface AddressInfo {
  ip: string;
  family: 4 | 6;
  /** The endpoint label: hostname, else the dashed address. */
  hostname: string;
}

/** One EndpointSlice: its ports and its ready addresses. */
export interface EndpointGroup {
  service: string;
  namespace: string;
  ports: PortInfo[];
  addresses: AddressInfo[];
}

export type ServiceKind = 'ClusterIP' | 'Headless' | 'ExternalName';

export interface ServiceInfo {
  name: string;
  namespace: string;
  kind: ServiceKind;
  /** Valid cluster IPs, canonical text, primary first. */
  clusterIPs: { ip: string; family: 4 | 6 }[];
  ports: PortInfo[];
  externalName: string;
  groups: EndpointGroup[];
}

export interface Model {
  namespaces: Set<string>;
  /** By `name.namespace`, lower case. */
  services: Map<string, ServiceInfo>;
  /** Cluster IP → the service owning it (first one wins, as CoreDNS takes the first). */
  serviceByIP: Map<string, ServiceInfo>;
  /** Ready endpoint address → the slices holding it. */
  groupsByIP: Map<string, { group: EndpointGroup; address: AddressInfo }[]>;
  /** `namespace/ip` of pods not being deleted (pods verified). */
  pods: Set<string>;
  readyAddresses: number;
  /** Addresses that do not parse, by object (`Kind/namespace/name`): reported, never dropped silently. */
  problems: Problem[];
}

export interface Problem {
  object: string;
  message: string;
}

type Report = (message: string) => void;
const unparsed = (what: string, text: string) =>
  `${what} ${JSON.stringify(text)} is not a valid IP address; no record`;

export const serviceKey = (name: string, namespace: string): string => `${name}.${namespace}`.toLowerCase();

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function serviceInfo(svc: Service, report: Report): ServiceInfo | undefined {
  const name = svc.metadata?.name;
  const namespace = svc.metadata?.namespace;
  if (!name || !namespace) return undefined;
  const spec = svc.spec ?? {};
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP ?? ''];
  let kind: ServiceKind = 'ClusterIP';
  if (spec.type === 'ExternalName') kind = 'ExternalName';
  else if (ips[0] === 'None') kind = 'Headless';
  const clusterIPs: ServiceInfo['clusterIPs'] = [];
  if (kind === 'ClusterIP') {
    for (const ip of ips) {
      const p = recordAddress(ip);
      if (p) clusterIPs.push(p);
      else if (ip !== '') report(unparsed('clusterIP', ip));
    }
  }
  return {
    name,
    namespace,
    kind,
    clusterIPs,
    ports: (spec.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: p.protocol ?? 'TCP',
    })),
    externalName: spec.externalName ?? '',
    groups: [],
  };
}

function endpointGroup(slice: EndpointSlice, report: Report): EndpointGroup | undefined {
  const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  const namespace = slice.metadata?.namespace;
  if (!service || !namespace) return undefined;
  if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return undefined;
  const ports: PortInfo[] = slice.ports?.length
    ? slice.ports.map((p) => ({ name: p.name ?? '', port: p.port ?? -1, protocol: p.protocol ?? '' }))
    : [{ name: '', port: -1, protocol: '' }];
  const addresses: AddressInfo[] = [];
  for (const ep of slice.endpoints ?? []) {
    // A nil ready condition means "unknown", which consumers treat as ready.
    if (ep.conditions?.ready === false) continue;
    for (const a of ep.addresses ?? []) {
      const p = recordAddress(a);
      if (!p) {
        report(unparsed('endpoint address', a));
        continue;
      }
      addresses.push({ ip: p.ip, family: p.family, hostname: ep.hostname || dashedIP(p.ip) });
    }
  }
  return { service, namespace, ports, addresses };
}

const byName = (a: { metadata?: { name?: string } }, b: { metadata?: { name?: string } }): number => {
  const x = a.metadata?.name ?? '';
  const y = b.metadata?.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

export function buildModel(input: {
  services: readonly Service[];
  slices: readonly EndpointSlice[];
  namespaces: readonly Namespace[];
  pods?: readonly Pod[];
}): Model {
  const m: Model = {
    namespaces: new Set(),
    services: new Map(),
    serviceByIP: new Map(),
    groupsByIP: new Map(),
    pods: new Set(),
    readyAddresses: 0,
    problems: [],
  };
  const reporter =
    (kind: string, o: { metadata?: { namespace?: string; name?: string } }): Report =>
    (message) =>
      m.problems.push({
        object: `${kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`,
        message,
      });
  for (const ns of input.namespaces) {
    if (ns.metadata?.name) m.namespaces.add(ns.metadata.name.toLowerCase());
  }
  for (const svc of input.services) {
    const info = serviceInfo(svc, reporter('Service', svc));
    if (!info) continue;
    m.services.set(serviceKey(info.name, info.namespace), info);
    for (const { ip } of info.clusterIPs) {
      if (!m.serviceByIP.has(ip)) m.serviceByIP.set(ip, info);
    }
  }
  // Slices in name order, so answers do not depend on watch order.
  for (const slice of [...input.slices].sort(byName)) {
    const group = endpointGroup(slice, reporter('EndpointSlice', slice));
    if (!group) continue;
    m.services.get(serviceKey(group.service, group.namespace))?.groups.push(group);
    m.readyAddresses += group.addresses.length;
    for (const address of group.addresses) {
      const list = m.groupsByIP.get(address.ip);
      if (list) list.push({ group, address });
      else m.groupsByIP.set(address.ip, [{ group, address }]);
    }
  }
  for (const pod of input.pods ?? []) {
    const ns = pod.metadata?.namespace;
    const ip = pod.status?.podIP;
    // CoreDNS leaves out pods being deleted.
    if (!ns || !ip || pod.metadata?.deletionTimestamp) continue;
    m.pods.add(`${ns.toLowerCase()}/${ip}`);
  }
  return m;
}
