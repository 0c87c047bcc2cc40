/**
 * EndpointSlices → the endpoints of each service port, as upstream's
 * EndpointSliceCache builds them: merged across the service's slices,
 * deduplicated by IP:port (a local copy wins), sorted by IP:port.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { formatIP, joinHostPort, parseIPSloppy } from '../../k8s/ip.js';
import type { Endpoint, Protocol } from './types.js';

/** `portName/PROTOCOL` — slice ports match service ports by name and protocol. */
export function portKey(name: string, protocol: string): string {
  return `${name}/${protocol}`;
}

export interface SliceProblem {
  slice: string;
  message: string;
}

/**
 * Endpoints per portKey for one service's slices. Only IPv4/IPv6 slices count
 * (FQDN is ignored, as upstream), only an endpoint's first address is used,
 * read as kube-proxy does (ParseIPSloppy, then its canonical text); an address
 * that does not parse, or of the wrong family for its slice, is skipped and reported.
 */
export function endpointsByPort(
  slices: readonly EndpointSlice[],
  nodeName: string,
  problems?: SliceProblem[],
): Map<string, Endpoint[]> {
  const byPort = new Map<string, Map<string, Endpoint>>();
  // Sorted by name so the result never depends on informer order.
  const ordered = [...slices].sort((a, b) => cmp(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  for (const slice of ordered) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    for (const port of slice.ports ?? []) {
      if (port.port === undefined || port.port === 0) continue;
      const key = portKey(port.name ?? '', (port.protocol ?? 'TCP') as Protocol);
      let set = byPort.get(key);
      if (!set) {
        set = new Map();
        byPort.set(key, set);
      }
      for (const ep of slice.endpoints ?? []) {
        const text = ep.addresses?.[0];
        if (!text) continue;
        const parsed = parseIPSloppy(text);
        if (parsed?.family !== slice.addressType) {
          problems?.push({
            slice: slice.metadata?.name ?? '',
            message: parsed
              ? `endpoint address ${text} is not ${slice.addressType}`
              : `endpoint address ${JSON.stringify(text)} is not a valid IP address`,
          });
          continue;
        }
        const ip = formatIP(parsed);
        const isLocal = nodeName !== '' && ep.nodeName === nodeName;
        const id = joinHostPort(ip, port.port);
        if (set.has(id) && !isLocal) continue;
        const endpoint: Endpoint = {
          ip,
          port: port.port,
          // Absent conditions mean ready/serving, and not terminating (upstream's reading).
          ready: ep.conditions?.ready ?? true,
          serving: ep.conditions?.serving ?? true,
          terminating: ep.conditions?.terminating ?? false,
          isLocal,
        };
        if (ep.nodeName) endpoint.nodeName = ep.nodeName;
        if (ep.zone) endpoint.zone = ep.zone;
        const zones = (ep.hints?.forZones ?? []).map((z) => z.name).filter((z) => z !== '');
        if (zones.length > 0) endpoint.zoneHints = [...new Set(zones)].sort();
        set.set(id, endpoint);
      }
    }
  }
  const out = new Map<string, Endpoint[]>();
  for (const [key, set] of byPort) {
    if (set.size === 0) continue;
    out.set(
      key,
      [...set.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, ep]) => ep),
    );
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
