/**
 * Node port allocation for one request (upstream `storage/alloc.go`
 * initNodePorts, updateNodePorts, allocHealthCheckNodePort), through a
 * PortOperation so that a failed write gives everything back.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { fieldErrors } from '../../../k8s/field.js';
import { allocatorFailure, internal, invalid } from './apierrors.js';
import { collectNodePorts, shouldAllocateNodePorts } from './fields.js';
import type { PortOperation } from './transaction.js';

const nodePortPath = (i: number) => `spec.ports[${i}].nodePort`;

/**
 * Create: requested node ports are honoured; ports with the same port number
 * (e.g. 53/TCP and 53/UDP) share one node port unless one asks for another.
 */
export function initNodePorts(svc: Service, op: PortOperation): void {
  const ports = svc.spec?.ports ?? [];
  const byServicePort = new Map<number, number>();
  ports.forEach((sp, i) => {
    if (!sp.nodePort && !shouldAllocateNodePorts(svc)) return; // only explicit requests
    const shared = byServicePort.get(sp.port) ?? 0;
    if (shared === 0) {
      // Any later port with this number and a requested node port decides it.
      const requested = ports.find((p) => p.port === sp.port && p.nodePort)?.nodePort ?? 0;
      if (requested !== 0) {
        try {
          op.allocate(requested);
        } catch (err) {
          throw allocatorFailure(err, (m) =>
            invalid(svc, [fieldErrors.invalid(nodePortPath(i), requested, m)]),
          );
        }
        sp.nodePort = requested;
      } else {
        try {
          sp.nodePort = op.allocateNext();
        } catch (err) {
          throw allocatorFailure(err, (m) => internal(`failed to allocate a nodePort: ${m}`));
        }
      }
      byServicePort.set(sp.port, sp.nodePort);
    } else if ((sp.nodePort ?? 0) !== shared) {
      if (!sp.nodePort) {
        sp.nodePort = shared;
      } else {
        const np = sp.nodePort;
        try {
          op.allocate(np);
        } catch (err) {
          throw allocatorFailure(err, (m) => invalid(svc, [fieldErrors.invalid(nodePortPath(i), np, m)]));
        }
      }
    }
  });
}

/**
 * Update: node ports kept from the old object stay allocated, new requests
 * are reserved, missing ones allocated (no sharing by port number here, as
 * upstream), and old ones no longer used are released on commit.
 */
export function updateNodePorts(after: Service, before: Service, op: PortOperation): void {
  const oldNumbers = collectNodePorts(before);
  const seen: { protocol: string; nodePort: number }[] = [];
  const reserved = new Set<number>();
  (after.spec?.ports ?? []).forEach((sp, i) => {
    if (!sp.nodePort && !shouldAllocateNodePorts(after)) return;
    let np = sp.nodePort ?? 0;
    if (np !== 0) {
      if (!oldNumbers.includes(np) && !reserved.has(np)) {
        try {
          op.allocate(np);
        } catch (err) {
          throw allocatorFailure(err, (m) => invalid(after, [fieldErrors.invalid(nodePortPath(i), np, m)]));
        }
        reserved.add(np);
      }
    } else {
      try {
        np = op.allocateNext();
      } catch (err) {
        throw allocatorFailure(err, (m) => internal(`failed to allocate a nodePort: ${m}`));
      }
      sp.nodePort = np;
    }
    const protocol = sp.protocol ?? 'TCP';
    if (seen.some((s) => s.protocol === protocol && s.nodePort === np)) {
      // Upstream returns a plain error here ("duplicate nodePort: {TCP 30090}"), a 500 for
      // the client's mistake; this is the 422 its validation gives the same ports.
      throw invalid(after, [fieldErrors.duplicate(nodePortPath(i), np)]);
    }
    seen.push({ protocol, nodePort: np });
  });
  const newNumbers = collectNodePorts(after);
  for (const port of oldNumbers) if (!newNumbers.includes(port)) op.releaseDeferred(port);
}

/** The requested health check node port, or any; failures are 500s as upstream. */
export function allocHealthCheckNodePort(svc: Service, op: PortOperation): void {
  const spec = svc.spec!;
  const requested = spec.healthCheckNodePort ?? 0;
  if (requested !== 0) {
    try {
      op.allocate(requested);
    } catch (err) {
      throw allocatorFailure(err, (m) =>
        internal(`failed to allocate requested HealthCheck NodePort ${requested}: ${m}`),
      );
    }
    return;
  }
  try {
    spec.healthCheckNodePort = op.allocateNext();
  } catch (err) {
    throw allocatorFailure(err, (m) => internal(`failed to allocate a HealthCheck NodePort 0: ${m}`));
  }
}
