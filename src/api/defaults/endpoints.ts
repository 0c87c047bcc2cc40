/** SetDefaults_Endpoints (pkg/apis/core/v1/defaults.go): port protocols default to TCP. */
import type { Endpoints } from 'kubernetes-types/core/v1.js';

export function setEndpointsDefaults(ep: Endpoints): void {
  for (const ss of ep.subsets ?? []) {
    for (const port of ss.ports ?? []) {
      if (!port.protocol) port.protocol = 'TCP';
    }
  }
}
