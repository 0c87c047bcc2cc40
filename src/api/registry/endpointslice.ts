/** EndpointSlices (upstream pkg/registry/discovery/endpointslice): generation counts changes. */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { EndpointIPPolicy } from '../../k8s/ip-validation.js';
import { setEndpointSliceDefaults } from '../defaults/endpointslice.js';
import { validateEndpointSlice, validateEndpointSliceUpdate } from '../validation/endpointslice.js';
import type { Strategy } from './strategy.js';

export const endpointSliceStrategy = (policy: EndpointIPPolicy): Strategy<EndpointSlice> => ({
  defaults: setEndpointSliceDefaults,
  validate: (slice) => validateEndpointSlice(slice, policy),
  validateUpdate: (slice, old) => validateEndpointSliceUpdate(slice, old, policy),
  // v1 writes never store the deprecated topology map (upstream drops it before validation).
  prepareForCreate(slice) {
    for (const e of slice.endpoints ?? []) delete (e as { deprecatedTopology?: unknown }).deprecatedTopology;
  },
  prepareForUpdate(slice) {
    for (const e of slice.endpoints ?? []) delete (e as { deprecatedTopology?: unknown }).deprecatedTopology;
  },
  tracksGeneration: true,
});
