/**
 * The Service hooks of the generic registry that involve allocation and the
 * type-dependent field rules, in upstream order (see ../strategy.ts): kept
 * apart from strategy.ts so they can be used and tested without validation.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { FinishFunc, WriteContext } from '../strategy.js';
import type { ServiceAllocator, Transaction } from './alloc.js';
import { dropTypeDependentFields, normalizeClusterIPs, patchAllocatedValues, setStatus } from './fields.js';

const finishWith =
  (txn: Transaction): FinishFunc =>
  (ok) => {
    if (ok) txn.commit();
    else txn.revert();
  };

export interface ServiceHooks {
  beginCreate(svc: Service, ctx: WriteContext): FinishFunc;
  prepareForCreate(svc: Service): void;
  beginUpdate(svc: Service, old: Service, ctx: WriteContext): FinishFunc;
  prepareForUpdate(svc: Service, old: Service): void;
  afterDelete(svc: Service): void;
  prepareForStatusUpdate(svc: Service, old: Service): void;
}

export function serviceHooks(alloc: ServiceAllocator): ServiceHooks {
  return {
    beginCreate(svc, ctx) {
      // ClusterIP and ClusterIPs must agree before anything reads them.
      normalizeClusterIPs(svc);
      return finishWith(alloc.allocateCreate(svc, ctx.dryRun));
    },

    prepareForCreate(svc) {
      // Upstream's zero ServiceStatus serialises as `status: {loadBalancer: {}}`.
      setStatus(svc, { loadBalancer: {} });
    },

    beginUpdate(svc, old, ctx) {
      // Resubmitting a body without server-allocated values keeps them.
      patchAllocatedValues(svc, old);
      normalizeClusterIPs(svc, old);
      return finishWith(alloc.allocateUpdate(svc, old, ctx.dryRun));
    },

    prepareForUpdate(svc, old) {
      setStatus(svc, structuredClone(old.status ?? { loadBalancer: {} }));
      dropTypeDependentFields(svc, old);
    },

    afterDelete(svc) {
      alloc.releaseAll(svc);
    },

    prepareForStatusUpdate(svc, old) {
      // Status writes may not change the spec.
      svc.spec = structuredClone(old.spec ?? {});
    },
  };
}
