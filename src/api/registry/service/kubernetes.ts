/**
 * The `default/kubernetes` Service the API server maintains (upstream
 * `controlplane/controller/kubernetesservice`): cluster IP = first address of
 * the primary service range, port 443 `https` to the API server's secure port.
 * Create it through the registry at bootstrap, before other Services: the
 * ordinary create path allocates the requested address, and repair finds it
 * among the stored Services afterwards.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { ServiceAllocator } from './alloc.js';

export function kubernetesService(alloc: ServiceAllocator, securePort = 6443): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: alloc.kubernetesServiceIP(),
      sessionAffinity: 'None',
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: securePort }],
    },
  };
}
