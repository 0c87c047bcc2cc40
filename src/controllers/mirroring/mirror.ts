/**
 * Mirroring a user's Endpoints into EndpointSlices, as a pure function
 * (upstream pkg/controller/endpointslicemirroring reconciler.go, utils.go):
 * one slice per (address type, subset ports), holding at most
 * maxEndpointsPerSubset addresses; invalid IPs are skipped and counted.
 */
import type { EndpointPort as CorePort, EndpointAddress, Endpoints } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { formatIP, parseIPSloppy } from '../../k8s/ip.js';
import { jsonEqual } from '../../lib/json.js';
import type { AddressType } from '../endpointslice/endpoint.js';
import { EndpointSet, endpointsEqualBeyondHash, portMapKey } from '../endpointslice/endpointset.js';
import {
  ANNOTATION_LAST_APPLIED,
  ANNOTATION_LEADER,
  ANNOTATION_TRIGGER_TIME,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_SKIP_MIRROR,
  MIRRORING_CONTROLLER,
} from '../endpointslice/labels.js';
import type { SlicePlan } from '../endpointslice/reconciler.js';

/** `--mirroring-max-endpoints-per-subset` default. */
export const DEFAULT_MAX_ENDPOINTS_PER_SUBSET = 1000;

/** Endpoints that are not mirrored: labelled skip-mirror=true, or a leader-election record. */
export function shouldMirror(ep: Endpoints | undefined): boolean {
  if (!ep) return false;
  if (ep.metadata?.labels?.[LABEL_SKIP_MIRROR] === 'true') return false;
  return ep.metadata?.annotations?.[ANNOTATION_LEADER] === undefined;
}

/** An Endpoints address as a slice endpoint, with its address type; undefined for an invalid IP. */
export function addressToEndpoint(
  address: EndpointAddress,
  ready: boolean,
): { endpoint: Endpoint; addressType: AddressType } | undefined {
  const ip = parseIPSloppy(address.ip);
  if (!ip) return undefined;
  const endpoint: Endpoint = { addresses: [formatIP(ip)], conditions: { ready } };
  if (address.targetRef) endpoint.targetRef = address.targetRef;
  if (address.nodeName !== undefined) endpoint.nodeName = address.nodeName;
  if (address.hostname) endpoint.hostname = address.hostname;
  return { endpoint, addressType: ip.family };
}

export function toSlicePorts(ports: readonly CorePort[] | undefined): EndpointPort[] {
  return (ports ?? []).map((p) => {
    const out: EndpointPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
    if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
    return out;
  });
}

const keyFor = (addressType: string, ports: readonly EndpointPort[] | undefined) =>
  `${addressType}/${portMapKey(ports)}`;

interface MirrorGroup {
  addressType: AddressType;
  ports: EndpointPort[];
  endpoints: EndpointSet;
}

/** What the Endpoints asks for, grouped by address type and ports. */
export function desiredMirror(
  ep: Endpoints,
  maxPerSubset: number,
): { groups: Map<string, MirrorGroup>; invalid: number; skipped: number } {
  const groups = new Map<string, MirrorGroup>();
  let invalid = 0;
  let skipped = 0;
  for (const subset of ep.subsets ?? []) {
    const ports = toSlicePorts(subset.ports);
    for (const t of ['IPv4', 'IPv6'] as const) {
      const k = keyFor(t, ports);
      if (!groups.has(k)) groups.set(k, { addressType: t, ports, endpoints: new EndpointSet() });
    }
    const all: [EndpointAddress, boolean][] = [
      ...(subset.addresses ?? []).map((a): [EndpointAddress, boolean] => [a, true]),
      ...(subset.notReadyAddresses ?? []).map((a): [EndpointAddress, boolean] => [a, false]),
    ];
    let added = 0;
    for (const [address, ready] of all) {
      if (added >= maxPerSubset) break;
      const e = addressToEndpoint(address, ready);
      if (!e) {
        invalid++;
        continue;
      }
      groups.get(keyFor(e.addressType, ports))!.endpoints.insert(e.endpoint);
      added++;
    }
    skipped += all.length - added;
  }
  return { groups, invalid, skipped };
}

export function endpointsOwnerRef(ep: Endpoints): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    name: ep.metadata?.name ?? '',
    uid: ep.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

const without = (m: Record<string, string> | undefined, ...keys: string[]) => {
  const out = { ...(m ?? {}) };
  for (const k of keys) delete out[k];
  return out;
};

/** The Endpoints' annotations a mirrored slice carries (all but trigger time and last-applied). */
const mirroredAnnotations = (ep: Endpoints) =>
  without(ep.metadata?.annotations, ANNOTATION_TRIGGER_TIME, ANNOTATION_LAST_APPLIED);

/** A mirrored slice: the Endpoints' labels and annotations, owned by the Endpoints. */
export function newMirroredSlice(
  ep: Endpoints,
  ports: EndpointPort[],
  addressType: AddressType,
  existing?: EndpointSlice,
): EndpointSlice {
  const name = ep.metadata?.name ?? '';
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: ep.metadata?.namespace ?? '',
      ownerReferences: [endpointsOwnerRef(ep)],
      labels: {
        ...(ep.metadata?.labels ?? {}),
        [LABEL_SERVICE_NAME]: name,
        [LABEL_MANAGED_BY]: MIRRORING_CONTROLLER,
      },
    },
    addressType,
    ports: structuredClone(ports),
    endpoints: [],
  };
  const ann = mirroredAnnotations(ep);
  if (Object.keys(ann).length) slice.metadata!.annotations = ann;
  slice.metadata = existing
    ? {
        ...slice.metadata,
        name: existing.metadata?.name,
        resourceVersion: existing.metadata?.resourceVersion,
      }
    : { ...slice.metadata, generateName: `${name}-` };
  return slice;
}

/** Whether a slice already holds exactly the desired endpoints, labels and annotations. */
function sliceMatches(ep: Endpoints, slice: EndpointSlice, desired: EndpointSet): boolean {
  let matches = 0;
  for (const e of slice.endpoints ?? []) {
    const want = desired.get(e);
    if (!want || !endpointsEqualBeyondHash(want, e)) return false;
    matches++;
  }
  return (
    matches === desired.size &&
    jsonEqual(
      ep.metadata?.labels ?? {},
      without(slice.metadata?.labels, LABEL_MANAGED_BY, LABEL_SERVICE_NAME),
    ) &&
    jsonEqual(mirroredAnnotations(ep), slice.metadata?.annotations ?? {})
  );
}

/**
 * The plan for one Endpoints: per group, the first existing slice is kept
 * (rewritten when anything differs) and the others deleted; groups with no
 * addresses lose their slices. Creates paired with deletes of the same
 * address type become updates.
 */
export function planMirroredSlices(
  ep: Endpoints,
  existing: readonly EndpointSlice[],
  maxPerSubset = DEFAULT_MAX_ENDPOINTS_PER_SUBSET,
): SlicePlan & { invalid: number; skipped: number } {
  const { groups, invalid, skipped } = desiredMirror(ep, maxPerSubset);
  const byKey = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const k = keyFor(s.addressType, s.ports);
    byKey.set(k, [...(byKey.get(k) ?? []), s]);
  }
  const toCreate: EndpointSlice[] = [];
  const toUpdate: EndpointSlice[] = [];
  const toDelete: EndpointSlice[] = [];
  for (const [k, g] of groups) {
    const slices = byKey.get(k) ?? [];
    if (g.endpoints.size === 0) {
      toDelete.push(...slices);
      continue;
    }
    toDelete.push(...slices.slice(1));
    if (slices[0] && sliceMatches(ep, slices[0], g.endpoints)) continue;
    const slice = newMirroredSlice(ep, g.ports, g.addressType, slices[0]);
    while (g.endpoints.size > 0 && slice.endpoints.length < maxPerSubset)
      slice.endpoints.push(g.endpoints.pop()!);
    (slices[0] ? toUpdate : toCreate).push(slice);
  }
  for (const [k, slices] of byKey) if (!groups.has(k)) toDelete.push(...slices);
  return { ...recycle({ toCreate, toUpdate, toDelete }), invalid, skipped };
}

/** Upstream recycleSlices: pairs creates with deletes of the same address type. */
function recycle(plan: SlicePlan): SlicePlan {
  const toCreate: EndpointSlice[] = [];
  const toUpdate = [...plan.toUpdate];
  const toDelete = [...plan.toDelete];
  for (const c of plan.toCreate) {
    const i = toDelete.findIndex((d) => d.addressType === c.addressType);
    if (i < 0) {
      toCreate.push(c);
      continue;
    }
    const [d] = toDelete.splice(i, 1);
    c.metadata = { ...c.metadata, name: d!.metadata?.name, resourceVersion: d!.metadata?.resourceVersion };
    delete c.metadata.generateName;
    toUpdate.push(c);
  }
  return { toCreate, toUpdate, toDelete };
}
