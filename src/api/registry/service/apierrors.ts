/** How allocation failures reach the client: as upstream's Service Status errors. */
import type { Service } from 'kubernetes-types/core/v1.js';
import { isAllocatorError } from '../../../allocators/errors.js';
import type { FieldError } from '../../../k8s/field.js';
import { type StatusError, statusErrors } from '../../../k8s/status.js';

export const SERVICE_KIND = { group: '', kind: 'Service' };

export const invalid = (svc: Service, errs: readonly FieldError[]): StatusError =>
  statusErrors.invalid(SERVICE_KIND, svc.metadata?.name ?? '', errs);

export const internal = (message: string): StatusError => statusErrors.internal(new Error(message));

/** Allocator failures become API errors; anything else is a bug and propagates. */
export function allocatorFailure(err: unknown, toStatus: (message: string) => StatusError): StatusError {
  if (isAllocatorError(err)) return toStatus(err.message);
  throw err;
}

export const hasSelector = (svc: Service): boolean => Object.keys(svc.spec?.selector ?? {}).length > 0;
