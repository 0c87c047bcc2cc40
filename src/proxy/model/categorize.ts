/**
 * Which endpoints a service port may use from this node — upstream's
 * CategorizeEndpoints (pkg/proxy/topology.go): Ready endpoints, falling back to
 * serving-and-terminating ones (separately for Cluster and Local), topology
 * zone hints when every ready endpoint carries one and one names our zone.
 */
import type { Endpoint } from './types.js';

export interface PortPolicy {
  /** internalTrafficPolicy: Local. */
  internalPolicyLocal: boolean;
  /** externalTrafficPolicy: Local (only meaningful when externally accessible). */
  externalPolicyLocal: boolean;
  /** A nodePort, an external IP or a load-balancer IP exists for this port. */
  externallyAccessible: boolean;
}

export interface Categorized {
  /** Usable with Cluster policy (undefined when no frontend uses Cluster policy). */
  cluster?: Endpoint[];
  /** Usable with Local policy (undefined when no frontend uses Local policy). */
  local?: Endpoint[];
  /** Some usable endpoint exists anywhere in the cluster. */
  hasAnyEndpoints: boolean;
}

export function usesClusterEndpoints(p: PortPolicy): boolean {
  // External traffic with Local policy still needs Cluster endpoints upstream (short circuit).
  return !p.internalPolicyLocal || p.externallyAccessible;
}

export function usesLocalEndpoints(p: PortPolicy): boolean {
  return p.internalPolicyLocal || (p.externalPolicyLocal && p.externallyAccessible);
}

/** The zone this node may restrict to, or undefined when hints do not apply. */
export function topologyZone(endpoints: readonly Endpoint[], zone: string | undefined): string | undefined {
  let anyReady = false;
  let allHinted = true;
  let hintedForZone = false;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    anyReady = true;
    const hints = ep.zoneHints ?? [];
    if (hints.length === 0) allHinted = false;
    else if (zone !== undefined && hints.includes(zone)) hintedForZone = true;
  }
  return anyReady && allHinted && hintedForZone ? zone : undefined;
}

export function categorizeEndpoints(
  endpoints: readonly Endpoint[],
  policy: PortPolicy,
  zone: string | undefined,
): Categorized {
  const out: Categorized = { hasAnyEndpoints: false };
  if (endpoints.length === 0) {
    if (usesClusterEndpoints(policy)) out.cluster = [];
    if (usesLocalEndpoints(policy)) out.local = [];
    return out;
  }
  if (usesClusterEndpoints(policy)) {
    const z = topologyZone(endpoints, zone);
    let cluster = endpoints.filter((ep) => ep.ready && (z === undefined || (ep.zoneHints ?? []).includes(z)));
    // No ready endpoint (topology already fell back when none was ready for our zone).
    if (cluster.length === 0) cluster = endpoints.filter((ep) => ep.serving && ep.terminating);
    out.cluster = cluster;
    if (cluster.length > 0) out.hasAnyEndpoints = true;
  }
  if (!usesLocalEndpoints(policy)) return out;
  let localReady = false;
  let localServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      out.hasAnyEndpoints = true;
      if (ep.isLocal) localReady = true;
    } else if (ep.serving && ep.terminating) {
      out.hasAnyEndpoints = true;
      if (ep.isLocal) localServingTerminating = true;
    }
  }
  if (localReady) out.local = endpoints.filter((ep) => ep.isLocal && ep.ready);
  else if (localServingTerminating)
    out.local = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);
  else out.local = [];
  return out;
}
