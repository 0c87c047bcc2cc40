/** discovery/v1 SetDefaults_EndpointPort: an unset port name is "" and an unset protocol TCP. */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export function setEndpointSliceDefaults(slice: EndpointSlice): void {
  for (const port of slice.ports ?? []) {
    // Only null/absent is defaulted: unlike core ports, an explicit "" protocol stays (and fails validation).
    port.name ??= '';
    port.protocol ??= 'TCP';
  }
}
