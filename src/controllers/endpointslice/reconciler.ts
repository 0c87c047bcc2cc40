/**
 * The EndpointSlice reconciler as a pure function (upstream
 * k8s.io/endpointslice reconciler.go): given a service, the pods it selects
 * and the slices that exist, which slices to create, update and delete. It
 * keeps churn low: existing slices are refreshed in place, new endpoints top
 * up slices already being written before touching an unchanged one, and a
 * create paired with a delete becomes an update.
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { jsonEqual } from '../../lib/json.js';
import {
  type AddressType,
  addressTypesForService,
  endpointPorts,
  isServiceIPSet,
  podToEndpoint,
} from './endpoint.js';
import { EndpointSet, endpointsEqualBeyondHash, portMapKey } from './endpointset.js';
import { reconcileHints } from './hints.js';
import { ENDPOINTSLICE_CONTROLLER, LABEL_HEADLESS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from './labels.js';
import { shouldPodBeInEndpoints } from './pod.js';

export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;
export const MAX_MAX_ENDPOINTS_PER_SLICE = 1000;

export interface SlicePlan {
  /** New slices (generateName set, no name). */
  toCreate: EndpointSlice[];
  /** Full replacements of existing slices (copies; the inputs are never mutated). */
  toUpdate: EndpointSlice[];
  toDelete: EndpointSlice[];
}

/** The endpoints wanted for one set of ports. */
export interface DesiredGroup {
  ports: EndpointPort[];
  endpoints: EndpointSet;
}

/** Desired endpoints of one address type, keyed by `portMapKey(ports)`. */
export type DesiredByPortMapping = Map<string, DesiredGroup>;

const RESERVED = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

/**
 * The labels a slice should carry: the service's (reserved keys excluded),
 * plus service-name, managed-by and headless. `changed` compares only the
 * non-reserved labels, as upstream does.
 */
export function sliceLabels(
  slice: EndpointSlice | undefined,
  svc: Service,
  controllerName = ENDPOINTSLICE_CONTROLLER,
): { labels: Record<string, string>; changed: boolean } {
  const have: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice?.metadata?.labels ?? {})) if (!RESERVED.has(k)) have[k] = v;
  const want: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (!RESERVED.has(k)) want[k] = v;
  const changed = !jsonEqual(have, want);
  if (!isServiceIPSet(svc)) want[LABEL_HEADLESS] = '';
  want[LABEL_SERVICE_NAME] = svc.metadata?.name ?? '';
  want[LABEL_MANAGED_BY] = controllerName;
  return { labels: want, changed };
}

export function serviceOwnerRef(svc: Service): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: svc.metadata?.name ?? '',
    uid: svc.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A new, empty slice for the service (upstream newEndpointSlice). */
export function newEndpointSlice(
  svc: Service,
  ports: EndpointPort[],
  addressType: AddressType,
  controllerName = ENDPOINTSLICE_CONTROLLER,
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata?.name ?? ''}-`,
      namespace: svc.metadata?.namespace ?? '',
      ownerReferences: [serviceOwnerRef(svc)],
      labels: sliceLabels(undefined, svc, controllerName).labels,
    },
    addressType,
    ports: structuredClone(ports),
    endpoints: [],
  };
}

/** Whether the slice is controlled by this very service (same UID), not a deleted namesake. */
export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some(
    (o) => o.uid === svc.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1',
  );
}

/** The unchanged slice that `n` more endpoints fill most tightly, if any fits (upstream getSliceToFill). */
export function sliceToFill(
  slices: readonly EndpointSlice[],
  n: number,
  max: number,
): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestDiff = max;
  for (const s of slices) {
    const diff = max - (n + s.endpoints.length);
    if (diff >= 0 && diff < bestDiff) {
      bestDiff = diff;
      best = s;
      if (diff === 0) break;
    }
  }
  return best;
}

const nameOf = (s: EndpointSlice) => s.metadata?.name ?? '';

/**
 * One port mapping (upstream reconcileByPortMapping): (1) refresh existing
 * slices, dropping unwanted endpoints and updating changed ones (emptied →
 * delete; nothing to do → unchanged); (2) top up the slices being updated,
 * fullest first; (3) put what remains into the unchanged slice it fills most
 * tightly when less than a slice's worth is left, else into new slices.
 * `desired` is consumed.
 */
export function reconcileByPortMapping(
  svc: Service,
  existing: readonly EndpointSlice[],
  desired: EndpointSet,
  ports: EndpointPort[],
  addressType: AddressType,
  max: number,
  controllerName = ENDPOINTSLICE_CONTROLLER,
): SlicePlan & { added: number; removed: number } {
  const byName = new Map<string, EndpointSlice>();
  const unchanged: string[] = [];
  const toUpdate: string[] = [];
  const toDelete: string[] = [];
  let removed = 0;

  for (const slice of existing) {
    const name = nameOf(slice);
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let updated = false;
    for (const ep of slice.endpoints ?? []) {
      const want = desired.get(ep);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondHash(want, ep)) updated = true;
      desired.delete(ep);
    }
    const { labels, changed } = sliceLabels(slice, svc, controllerName);
    const count = slice.endpoints?.length ?? 0;
    if (updated || count !== kept.length) {
      removed += Math.max(0, count - kept.length);
      if (kept.length === 0) toDelete.push(name);
      else {
        const copy = structuredClone(slice);
        copy.endpoints = kept;
        copy.metadata = { ...copy.metadata, labels };
        byName.set(name, copy);
        toUpdate.push(name);
      }
    } else if (changed) {
      const copy = structuredClone(slice);
      copy.metadata = { ...copy.metadata, labels };
      byName.set(name, copy);
      toUpdate.push(name);
    } else {
      unchanged.push(name);
    }
  }

  const added = desired.size;

  // 2. Top up the slices that are being written anyway, fullest first.
  if (desired.size > 0 && toUpdate.length > 0) {
    const slices = toUpdate
      .map((n) => byName.get(n)!)
      .sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const s of slices) {
      while (desired.size > 0 && s.endpoints.length < max) s.endpoints.push(desired.pop()!);
    }
  }

  // 3. The rest: the tightest-fitting unchanged slice, or new slices.
  const toCreate: EndpointSlice[] = [];
  while (desired.size > 0) {
    let fill: EndpointSlice | undefined;
    if (desired.size < max && unchanged.length > 0) {
      const found = sliceToFill(
        unchanged.map((n) => byName.get(n)!),
        desired.size,
        max,
      );
      if (found) {
        fill = structuredClone(found);
        byName.set(nameOf(fill), fill);
      }
    }
    fill ??= newEndpointSlice(svc, ports, addressType, controllerName);
    while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(desired.pop()!);
    if (fill.metadata?.name) {
      toUpdate.push(nameOf(fill));
      unchanged.splice(unchanged.indexOf(nameOf(fill)), 1);
    } else {
      toCreate.push(fill);
    }
  }

  return {
    toCreate,
    toUpdate: toUpdate.map((n) => byName.get(n)!),
    toDelete: toDelete.map((n) => byName.get(n)!),
    added,
    removed,
  };
}

/** The placeholder that stands for "no endpoints" equals an existing one (upstream placeholderSliceCompare). */
function samePlaceholder(a: EndpointSlice, b: EndpointSlice): boolean {
  return (
    (a.metadata?.namespace ?? '') === (b.metadata?.namespace ?? '') &&
    jsonEqual(a.metadata?.labels ?? {}, b.metadata?.labels ?? {}) &&
    jsonEqual(a.metadata?.ownerReferences ?? [], b.metadata?.ownerReferences ?? []) &&
    a.addressType === b.addressType &&
    jsonEqual(a.ports ?? [], b.ports ?? []) &&
    jsonEqual(a.endpoints ?? [], b.endpoints ?? [])
  );
}

/**
 * Recycles deletions into creations (upstream finalize): a slice to create
 * takes over the name of a slice to delete of the same address type owned by
 * this service, so the pair costs one update.
 */
export function finalizePlan(svc: Service, plan: SlicePlan): SlicePlan {
  const toCreate = [...plan.toCreate];
  const toUpdate = [...plan.toUpdate];
  const toDelete = [...plan.toDelete];
  for (let i = 0; i < toDelete.length && toCreate.length > 0; ) {
    const del = toDelete[i]!;
    const create = toCreate[toCreate.length - 1]!;
    if (del.addressType === create.addressType && ownedBy(del, svc)) {
      // The replacement keeps the old slice's identity; it is a full update.
      create.metadata = {
        ...create.metadata,
        name: nameOf(del),
        resourceVersion: del.metadata?.resourceVersion,
        uid: del.metadata?.uid,
      };
      delete create.metadata.generateName;
      toCreate.pop();
      toUpdate.push(create);
      toDelete.splice(i, 1);
    } else {
      i++;
    }
  }
  return { toCreate, toUpdate, toDelete };
}

/**
 * The brief's reconcile for one address type: `existing` are the slices of
 * that type managed for the service, `desired` the wanted endpoints grouped by
 * port mapping (consumed). Adds the placeholder when nothing else would
 * remain, reconciles trafficDistribution hints, and recycles deletions.
 */
export function reconcile(
  svc: Service,
  existing: readonly EndpointSlice[],
  desired: DesiredByPortMapping,
  maxEndpointsPerSlice: number,
  addressType: AddressType = 'IPv4',
  controllerName = ENDPOINTSLICE_CONTROLLER,
): SlicePlan {
  let toCreate: EndpointSlice[] = [];
  let toUpdate: EndpointSlice[] = [];
  const toDelete: EndpointSlice[] = [];
  const byPortMap = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) {
      toDelete.push(s);
      continue;
    }
    const k = portMapKey(s.ports);
    byPortMap.set(k, [...(byPortMap.get(k) ?? []), s]);
  }
  for (const [k, group] of desired) {
    const p = reconcileByPortMapping(
      svc,
      byPortMap.get(k) ?? [],
      group.endpoints,
      group.ports,
      addressType,
      maxEndpointsPerSlice,
      controllerName,
    );
    toCreate.push(...p.toCreate);
    toUpdate.push(...p.toUpdate);
    toDelete.push(...p.toDelete);
  }
  for (const [k, slices] of byPortMap) if (!desired.has(k)) toDelete.push(...slices);

  if (existing.length === toDelete.length && toCreate.length === 0) {
    const placeholder = newEndpointSlice(svc, [], addressType, controllerName);
    if (toDelete.length === 1 && samePlaceholder(toDelete[0]!, placeholder)) toDelete.length = 0;
    else toCreate.push(placeholder);
  }

  const changed = new Set([...toUpdate, ...toDelete].map(nameOf));
  const unchanged = existing.filter((s) => !changed.has(nameOf(s)));
  ({ toCreate, toUpdate } = reconcileHints(svc, toCreate, toUpdate, unchanged));

  return finalizePlan(svc, { toCreate, toUpdate, toDelete });
}

/**
 * The endpoints a service wants, of one address type, grouped by the ports
 * each pod resolves. A pod whose Node is unknown is skipped (and reported, so
 * the service is retried) unless the service publishes not-ready addresses.
 */
export function desiredEndpointsByPortMapping(
  svc: Service,
  pods: readonly Pod[],
  nodeByName: (name: string) => Node | undefined,
  addressType: AddressType,
): { desired: DesiredByPortMapping; errors: string[] } {
  const desired: DesiredByPortMapping = new Map();
  const errors: string[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const k = portMapKey(ports);
    let group = desired.get(k);
    if (!group) {
      group = { ports, endpoints: new EndpointSet() };
      desired.set(k, group);
    }
    const nodeName = pod.spec?.nodeName ?? '';
    const node = nodeByName(nodeName);
    if (!node && !svc.spec?.publishNotReadyAddresses) {
      errors.push(
        `skipping Pod ${pod.metadata?.name} for Service ${svc.metadata?.namespace}/${svc.metadata?.name}: Node ${nodeName} Not Found`,
      );
      continue;
    }
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length > 0) group.endpoints.insert(ep);
  }
  return { desired, errors };
}

/**
 * Everything for one service: slices of address types the service no longer
 * has are deleted; each remaining type is reconciled on its own.
 */
export function planServiceSlices(
  svc: Service,
  pods: readonly Pod[],
  existing: readonly EndpointSlice[],
  nodeByName: (name: string) => Node | undefined,
  maxEndpointsPerSlice = DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  controllerName = ENDPOINTSLICE_CONTROLLER,
): SlicePlan & { errors: string[] } {
  const types = addressTypesForService(svc);
  const plan: SlicePlan & { errors: string[] } = { toCreate: [], toUpdate: [], toDelete: [], errors: [] };
  const byType = new Map<string, EndpointSlice[]>();
  const unsupported: EndpointSlice[] = [];
  for (const s of existing) {
    if (!types.includes(s.addressType as AddressType)) unsupported.push(s);
    else byType.set(s.addressType, [...(byType.get(s.addressType) ?? []), s]);
  }
  for (const t of types) {
    const { desired, errors } = desiredEndpointsByPortMapping(svc, pods, nodeByName, t);
    plan.errors.push(...errors);
    const p = reconcile(svc, byType.get(t) ?? [], desired, maxEndpointsPerSlice, t, controllerName);
    plan.toCreate.push(...p.toCreate);
    plan.toUpdate.push(...p.toUpdate);
    plan.toDelete.push(...p.toDelete);
  }
  plan.toDelete.push(...unsupported);
  return plan;
}
