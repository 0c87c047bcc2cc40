/** coordination.k8s.io/v1 leases (node heartbeats, leader election): spec only, no status. */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { setLeaseDefaults } from '../defaults/lease.js';
import { validateLease, validateLeaseUpdate } from '../validation/lease.js';
import type { Strategy } from './strategy.js';

export const leaseStrategy: Strategy<Lease> = {
  defaults: setLeaseDefaults,
  validate: validateLease,
  validateUpdate: validateLeaseUpdate,
};
