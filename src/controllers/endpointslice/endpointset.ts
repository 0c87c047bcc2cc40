/**
 * Identity and equality of endpoints and port sets (upstream
 * k8s.io/endpointslice/util endpointset.go, controller_utils.go). An
 * endpoint's identity is its addresses, hostname and target pod only, so a
 * change of conditions, node or zone is an in-place update, not a move.
 */
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';

export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([
    [...ep.addresses].sort(),
    ep.hostname ?? '',
    ep.targetRef?.namespace ?? '',
    ep.targetRef?.name ?? '',
  ]);
}

/** A set of endpoints keyed by identity; iteration (and `pop`) follows insertion order. */
export class EndpointSet {
  private readonly m = new Map<string, Endpoint>();

  constructor(items: Iterable<Endpoint> = []) {
    for (const e of items) this.insert(e);
  }
  insert(ep: Endpoint): void {
    this.m.set(endpointKey(ep), ep);
  }
  /** The member with the same identity as `ep`. */
  get(ep: Endpoint): Endpoint | undefined {
    return this.m.get(endpointKey(ep));
  }
  delete(ep: Endpoint): void {
    this.m.delete(endpointKey(ep));
  }
  pop(): Endpoint | undefined {
    for (const [k, v] of this.m) {
      this.m.delete(k);
      return v;
    }
    return undefined;
  }
  get size(): number {
    return this.m.size;
  }
  values(): IterableIterator<Endpoint> {
    return this.m.values();
  }
}

const refEqualIgnoringRV = (a: ObjectReference | undefined, b: ObjectReference | undefined): boolean => {
  if (!a || !b) return a === b;
  const fields = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'fieldPath'] as const;
  return fields.every((f) => (a[f] ?? '') === (b[f] ?? ''));
};

/**
 * Equality beyond identity (upstream EndpointsEqualBeyondHash): node, zone,
 * the three conditions and the target (its resourceVersion ignored).
 */
export function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    a.conditions?.ready === b.conditions?.ready &&
    a.conditions?.serving === b.conditions?.serving &&
    a.conditions?.terminating === b.conditions?.terminating &&
    refEqualIgnoringRV(a.targetRef, b.targetRef)
  );
}

/** A key for a set of ports, independent of order (upstream NewPortMapKey). */
export function portMapKey(ports: readonly EndpointPort[] | undefined): string {
  return JSON.stringify(
    (ports ?? [])
      .map((p) => JSON.stringify([p.name ?? '', p.port ?? null, p.protocol ?? 'TCP', p.appProtocol ?? null]))
      .sort(),
  );
}
