/**
 * Query-name grammar of CoreDNS's kubernetes plugin (parse.go):
 *   _port._proto.service.namespace.svc|pod.zone
 *   endpoint.service.namespace.svc|pod.zone
 *   service.namespace.svc|pod.zone
 * Anything longer, or a type label other than svc/pod, is an invalid request
 * (NXDOMAIN, never SERVFAIL, so search-path walks go on).
 */

export interface ParsedRequest {
  port: string;
  protocol: string;
  endpoint: string;
  service: string;
  namespace: string;
  /** '' for the apex, `svc` and `pod` alone. */
  podOrSvc: '' | 'svc' | 'pod';
}

/** The longest served zone holding `name` (both lower case, no trailing dot), or undefined. */
export function matchZone(zones: readonly string[], name: string): string | undefined {
  let best: string | undefined;
  for (const z of zones) {
    if ((name === z || name.endsWith('.' + z)) && (best === undefined || z.length > best.length)) best = z;
  }
  return best;
}

/** Whether `child` equals `parent` or lies under it (lower case, no trailing dots). */
export function isSubdomain(parent: string, child: string): boolean {
  return child === parent || child.endsWith('.' + parent);
}

/** Names that cannot exist on the wire: empty labels, labels over 63 octets, over 253 in all. */
export function isMalformed(name: string): boolean {
  if (name.length > 253) return true;
  if (name === '') return false;
  for (const label of name.split('.')) {
    if (label.length === 0 || label.length > 63) return true;
  }
  return false;
}

const strip = (s: string): string => (s.startsWith('_') ? s.slice(1) : s);

/** Parses the part of a lower-case name left of its zone; undefined for an invalid request. */
export function parseRequest(base: string): ParsedRequest | undefined {
  const r: ParsedRequest = { port: '', protocol: '', endpoint: '', service: '', namespace: '', podOrSvc: '' };
  if (base === '' || base === 'svc' || base === 'pod') return r;
  const segs = base.split('.');
  let last = segs.length - 1;
  const kind = segs[last]!;
  if (kind !== 'svc' && kind !== 'pod') return undefined;
  r.podOrSvc = kind;
  if (--last < 0) return r;
  r.namespace = segs[last]!;
  if (--last < 0) return r;
  r.service = segs[last]!;
  if (--last < 0) return r;
  if (last === 0) {
    r.endpoint = segs[0]!;
  } else if (last === 1) {
    r.protocol = strip(segs[1]!);
    r.port = strip(segs[0]!);
  } else {
    return undefined;
  }
  return r;
}

/** CoreDNS's port/protocol match: an empty query part matches anything; case-insensitive. */
export function matchPortAndProtocol(qPort: string, port: string, qProto: string, proto: string): boolean {
  return (qPort === '' || qPort === port.toLowerCase()) && (qProto === '' || qProto === proto.toLowerCase());
}
