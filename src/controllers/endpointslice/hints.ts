/**
 * Topology hints for `spec.trafficDistribution: PreferClose` (upstream
 * k8s.io/endpointslice/trafficdist): every ready endpoint is hinted for its
 * own zone. Otherwise slices being written carry no hints, and unchanged
 * slices are rewritten only when their hints are wrong.
 *
 * Not implemented: the `service.kubernetes.io/topology-mode: Auto` heuristic
 * (proportional allocation by zone CPU); a service with that annotation gets
 * no hints, as upstream does when its topology cache is disabled.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ANNOTATION_TOPOLOGY_HINTS, ANNOTATION_TOPOLOGY_MODE } from './labels.js';

/** The deprecated annotation wins when both are set, as upstream. */
export function topologyHintsEnabled(annotations: Record<string, string> | undefined): boolean {
  const v = annotations?.[ANNOTATION_TOPOLOGY_HINTS] ?? annotations?.[ANNOTATION_TOPOLOGY_MODE];
  return v === 'Auto' || v === 'auto';
}

/** PreferClose hints apply when the field asks for them and the topology annotation does not. */
export function usesPreferClose(svc: Service): boolean {
  return svc.spec?.trafficDistribution === 'PreferClose' && !topologyHintsEnabled(svc.metadata?.annotations);
}

const isReady = (e: Endpoint) => e.conditions?.ready === true;

function closeNeedsUpdate(slice: EndpointSlice): boolean {
  for (const e of slice.endpoints ?? []) {
    if (!isReady(e)) continue;
    const zones = e.hints?.forZones ?? [];
    if (e.zone !== undefined) {
      if (zones.length !== 1 || zones[0]!.name !== e.zone) return true;
    } else if (zones.length > 0) return true;
  }
  return false;
}

function setCloseHints(slice: EndpointSlice): void {
  for (const e of slice.endpoints) {
    if (!isReady(e)) continue;
    if (e.zone !== undefined) e.hints = { forZones: [{ name: e.zone }] };
    else delete e.hints;
  }
}

const dropHints = (slice: EndpointSlice) => {
  for (const e of slice.endpoints) delete e.hints;
};

/**
 * Hints on the slices to write; unchanged slices whose hints are wrong join
 * the updates (as copies). Slices to create/update are modified in place.
 */
export function reconcileHints(
  svc: Service,
  toCreate: EndpointSlice[],
  toUpdate: EndpointSlice[],
  unchanged: readonly EndpointSlice[],
): { toCreate: EndpointSlice[]; toUpdate: EndpointSlice[] } {
  if (!usesPreferClose(svc)) {
    // Without PreferClose, hints go from what is written anyway (unchanged slices keep theirs, as upstream).
    for (const s of [...toCreate, ...toUpdate]) dropHints(s);
    return { toCreate, toUpdate };
  }
  const updates = [...toUpdate];
  for (const s of unchanged) if (closeNeedsUpdate(s)) updates.push(structuredClone(s));
  for (const s of [...toCreate, ...updates]) setCloseHints(s);
  return { toCreate, toUpdate: updates };
}
