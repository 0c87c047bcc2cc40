/**
 * Endpoints (upstream pkg/registry/core/endpoint): stored in the canonical
 * layout — subsets repacked so addresses and ports are sorted and
 * deduplicated, and ports with the same addresses share a subset.
 */
import type { EndpointSubset, Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointIPPolicy } from '../../k8s/ip-validation.js';
import { repackSubsets } from '../../k8s/subsets.js';
import { setEndpointsDefaults } from '../defaults/endpoints.js';
import { validateEndpoints, validateEndpointsUpdate } from '../validation/endpoints.js';
import type { Strategy } from './strategy.js';

export const endpointsStrategy = (policy: EndpointIPPolicy): Strategy<Endpoints> => ({
  defaults: setEndpointsDefaults,
  validate: (ep) => validateEndpoints(ep, policy),
  validateUpdate: (ep, old) => validateEndpointsUpdate(ep, old, policy),
  canonicalize(ep) {
    const subsets = repackSubsets(ep.subsets);
    if (subsets?.length) (ep as { subsets?: EndpointSubset[] }).subsets = subsets;
    else delete (ep as { subsets?: EndpointSubset[] }).subsets;
  },
});
