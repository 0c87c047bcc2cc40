/** coordination.k8s.io/v1 Lease validation (pkg/apis/coordination/validation). */
import type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import {
  IsNegativeErrorMsg,
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import { nameIsDNSSubdomain } from './names.js';

const strategies = ['OldestEmulationVersion'];

export function validateLeaseSpec(spec: LeaseSpec | undefined, path = FieldPath.root('spec')): FieldError[] {
  const errs: FieldError[] = [];
  const s = spec ?? {};
  if (s.leaseDurationSeconds != null && s.leaseDurationSeconds <= 0)
    errs.push(
      fieldErrors.invalid(
        path.child('leaseDurationSeconds'),
        s.leaseDurationSeconds,
        'must be greater than 0',
      ),
    );
  if (s.leaseTransitions != null && s.leaseTransitions < 0)
    errs.push(fieldErrors.invalid(path.child('leaseTransitions'), s.leaseTransitions, IsNegativeErrorMsg));
  const strategy = (s as { strategy?: string }).strategy;
  if (strategy != null && !strategies.includes(strategy))
    errs.push(fieldErrors.notSupported(path.child('strategy'), strategy, strategies));
  return errs;
}

export function validateLease(lease: Lease): FieldError[] {
  return withGenericCreateChecks(lease.metadata, true, [
    ...validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain),
    ...validateLeaseSpec(lease.spec),
  ]);
}

export function validateLeaseUpdate(lease: Lease, old: Lease): FieldError[] {
  return withGenericUpdateChecks(lease.metadata, old.metadata, true, [
    ...validateObjectMetaUpdate(lease.metadata, old.metadata),
    ...validateLeaseSpec(lease.spec),
  ]);
}
