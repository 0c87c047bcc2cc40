/**
 * SetDefaults_Service (pkg/apis/core/v1/defaults.go, 1.32), applied to every
 * decoded Service body, on create and on update.
 *
 * ipFamilyPolicy and ipFamilies are not defaulted here: upstream the
 * registry's IP allocator fills them (SingleStack and the cluster's primary
 * family; RequireDualStack for selector-less headless services) just before
 * validation, because they depend on the cluster's configuration.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { externallyAccessible } from '../validation/serviceutil.js';

export const DefaultClientIPServiceAffinitySeconds = 10800;

export function setServiceDefaults(svc: Service): void {
  svc.spec ??= {};
  const spec = svc.spec;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DefaultClientIPServiceAffinitySeconds } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const port of spec.ports ?? []) {
    if (!port.protocol) port.protocol = 'TCP';
    // Absent, 0 and "" are all Go's zero IntOrString: target the service port.
    if (port.targetPort == null || port.targetPort === 0 || port.targetPort === '')
      port.targetPort = port.port;
  }
  if (externallyAccessible(svc) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy == null && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts ??= true;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
      if (ing.ip && ing.ipMode == null) ing.ipMode = 'VIP';
    }
  }
}
