/** coordination.k8s.io/v1 Lease has no defaults upstream; kept for the registry's shape. */
import type { Lease } from 'kubernetes-types/coordination/v1.js';

export function setLeaseDefaults(lease: Lease): void {
  lease.spec ??= {};
}
