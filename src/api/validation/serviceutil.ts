/** Service predicates shared by validation and defaulting (pkg/api/service/util.go). */
import type { Service } from 'kubernetes-types/core/v1.js';

/** Headless: clusterIPs is exactly ["None"]. */
export function isHeadlessService(svc: Service): boolean {
  const ips = svc.spec?.clusterIPs;
  return ips?.length === 1 && ips[0] === 'None';
}

/** Reachable from outside the cluster: NodePort, LoadBalancer, or ClusterIP with externalIPs. */
export function externallyAccessible(svc: Service): boolean {
  const t = svc.spec?.type;
  return (
    t === 'LoadBalancer' ||
    t === 'NodePort' ||
    (t === 'ClusterIP' && (svc.spec?.externalIPs?.length ?? 0) > 0)
  );
}

export function requestsOnlyLocalTraffic(svc: Service): boolean {
  const t = svc.spec?.type;
  if (t !== 'LoadBalancer' && t !== 'NodePort') return false;
  return svc.spec?.externalTrafficPolicy === 'Local';
}

/** A LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort. */
export function needsHealthCheck(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && requestsOnlyLocalTraffic(svc);
}
