/** networking.k8s.io/v1 defaults (1.32): SetDefaults_IngressClass. */
import type { IngressClass } from 'kubernetes-types/networking/v1.js';

/** Parameters are cluster-scoped unless said otherwise. */
export function setIngressClassDefaults(ic: IngressClass): void {
  const params = ic.spec?.parameters;
  if (params && params.scope == null) params.scope = 'Cluster';
}
