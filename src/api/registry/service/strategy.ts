/**
 * The Service strategy for the generic registry (upstream
 * `registry/core/service/strategy.go` plus the BeginCreate / BeginUpdate /
 * AfterDelete hooks of `storage/storage.go`): defaults, cluster IP and node
 * port allocation around create and update, status reset and kept, fields of
 * a previous type dropped, validation, release on delete.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { type EndpointIPPolicy, UPSTREAM_IP_POLICY } from '../../../k8s/ip-validation.js';
import { setServiceDefaults } from '../../defaults/service.js';
import {
  validateService,
  validateServiceStatusUpdate,
  validateServiceUpdate,
} from '../../validation/service.js';
import type { Strategy } from '../strategy.js';
import type { ServiceAllocator } from './alloc.js';
import { serviceHooks } from './hooks.js';

export function serviceStrategy(
  alloc: ServiceAllocator,
  policy: EndpointIPPolicy = UPSTREAM_IP_POLICY,
): Strategy<Service> {
  const hooks = serviceHooks(alloc);
  return {
    defaults: (svc) => setServiceDefaults(svc),
    beginCreate: hooks.beginCreate,
    prepareForCreate: hooks.prepareForCreate,
    validate: (svc) => validateService(svc, policy),
    beginUpdate: hooks.beginUpdate,
    prepareForUpdate: hooks.prepareForUpdate,
    validateUpdate: (svc, old) => validateServiceUpdate(svc, old, policy),
    afterDelete: hooks.afterDelete,
    status: {
      prepareForUpdate: hooks.prepareForStatusUpdate,
      validateUpdate: (svc, old) => validateServiceStatusUpdate(svc, old),
    },
  };
}
