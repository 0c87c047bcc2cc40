/**
 * Endpoints subsets in upstream's canonical layout (pkg/api/v1/endpoints
 * RepackSubsets): addresses and ports sorted and deduplicated, and ports with
 * the same addresses sharing a subset. The API server stores Endpoints this
 * way and the endpoints controller compares against it.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js';

const portKey = (p: EndpointPort) =>
  JSON.stringify([p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']);
const addrKey = (a: EndpointAddress) => JSON.stringify(a);

function byIP(a: EndpointAddress, b: EndpointAddress): number {
  return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : addrKey(a) < addrKey(b) ? -1 : addrKey(a) > addrKey(b) ? 1 : 0;
}

/** Upstream's RepackSubsets: expand to (port, address, ready) triples, then regroup by identical address sets. */
export function repackSubsets(subsets: readonly EndpointSubset[] | undefined): EndpointSubset[] | undefined {
  if (!subsets) return subsets;
  const ports = new Map<string, EndpointPort>();
  const ready = new Map<string, Map<string, EndpointAddress>>();
  const notReady = new Map<string, Map<string, EndpointAddress>>();
  const add = (m: Map<string, Map<string, EndpointAddress>>, pk: string, a: EndpointAddress) => {
    const s = m.get(pk) ?? new Map<string, EndpointAddress>();
    m.set(pk, s);
    s.set(addrKey(a), a);
  };
  for (const ss of subsets) {
    // A subset without ports keeps its addresses under a port-less key, as upstream does.
    const ps = ss.ports?.length ? ss.ports : [undefined];
    for (const p of ps) {
      const pk = p ? portKey(p) : '';
      if (p) ports.set(pk, p);
      for (const a of ss.addresses ?? []) add(ready, pk, a);
      for (const a of ss.notReadyAddresses ?? []) add(notReady, pk, a);
    }
  }
  // An address both ready and not ready for a port counts as ready.
  for (const [pk, s] of notReady) for (const k of ready.get(pk)?.keys() ?? []) s.delete(k);
  const groups = new Map<string, EndpointSubset>();
  for (const pk of new Set([...ready.keys(), ...notReady.keys()])) {
    const r = [...(ready.get(pk)?.values() ?? [])].sort(byIP);
    const n = [...(notReady.get(pk)?.values() ?? [])].sort(byIP);
    if (r.length === 0 && n.length === 0) continue;
    const gk = JSON.stringify([r.map(addrKey), n.map(addrKey)]);
    let g = groups.get(gk);
    if (!g) {
      g = {};
      if (r.length) g.addresses = r;
      if (n.length) g.notReadyAddresses = n;
      groups.set(gk, g);
    }
    const p = ports.get(pk);
    if (p) g.ports = [...(g.ports ?? []), p];
  }
  const out = [...groups.values()];
  for (const g of out)
    g.ports?.sort((a, b) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0));
  const firstIP = (s: EndpointSubset) => (s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? '';
  out.sort((a, b) => (firstIP(a) < firstIP(b) ? -1 : firstIP(a) > firstIP(b) ? 1 : 0));
  return out;
}
