/** Test helpers: API object builders and a zone-file line formatter for answers. */
import type { Namespace, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { DnsRecord, ZoneAnswer } from '../../../src/dns/types.js';

/** One record as a zone-file line: `name. ttl IN TYPE rdata`. */
export function zoneLine(r: DnsRecord): string {
  const head = `${r.name}. ${'ttl' in r ? r.ttl : ''} IN ${r.type}`;
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return `${head} ${r.data}`;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return `${head} ${r.data}.`;
    case 'SRV':
      return `${head} ${r.data.priority} ${r.data.weight} ${r.data.port} ${r.data.target}.`;
    case 'SOA': {
      const d = r.data;
      return `${head} ${d.mname}. ${d.rname}. ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    }
    case 'TXT': {
      const parts = Array.isArray(r.data) ? r.data : [r.data];
      return `${head} ${parts.map((p) => `"${p.toString()}"`).join(' ')}`;
    }
    default:
      return `${head} ?`;
  }
}

export interface Rendered {
  rcode: string;
  answer: string[];
  authority: string[];
  additional: string[];
  chase?: string;
}

export function render(a: ZoneAnswer): Rendered {
  const out: Rendered = {
    rcode: a.rcode,
    answer: a.answers.map(zoneLine),
    authority: a.authority.map(zoneLine),
    additional: a.additional.map(zoneLine),
  };
  if (a.chase !== undefined) out.chase = a.chase;
  return out;
}

export const ns = (name: string): Namespace => ({ metadata: { name } });

export function svc(
  namespace: string,
  name: string,
  spec: { clusterIPs?: string[]; ports?: ServicePort[]; type?: string; externalName?: string },
): Service {
  const s: Service = { metadata: { namespace, name }, spec: { type: spec.type ?? 'ClusterIP' } };
  if (spec.clusterIPs) {
    s.spec!.clusterIP = spec.clusterIPs[0]!;
    s.spec!.clusterIPs = spec.clusterIPs;
  }
  if (spec.ports) s.spec!.ports = spec.ports;
  if (spec.externalName) s.spec!.externalName = spec.externalName;
  return s;
}

export interface Ep {
  ip: string | string[];
  hostname?: string;
  ready?: boolean;
}

export function slice(
  namespace: string,
  service: string,
  name: string,
  eps: Ep[],
  ports?: { name?: string; port?: number; protocol?: string }[],
  addressType = 'IPv4',
): EndpointSlice {
  const s: EndpointSlice = {
    metadata: { namespace, name, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints: eps.map((e) => {
      const ep: EndpointSlice['endpoints'][number] = { addresses: Array.isArray(e.ip) ? e.ip : [e.ip] };
      if (e.hostname) ep.hostname = e.hostname;
      if (e.ready !== undefined) ep.conditions = { ready: e.ready };
      return ep;
    }),
  };
  if (ports) s.ports = ports;
  return s;
}

export function pod(namespace: string, name: string, ip: string, deleting = false): Pod {
  const metadata = deleting
    ? { namespace, name, deletionTimestamp: '2024-01-01T00:00:00Z' }
    : { namespace, name };
  return { metadata, status: { podIP: ip, podIPs: [{ ip }] } };
}
