/** Service rows: upstream printService. */
import type { LoadBalancerStatus, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../registry/strategy.js';
import { AGE_COLUMN, column, DOC, NAME_COLUMN } from './columns.js';
import { translateTimestampSince } from './duration.js';
import { formatLabels, goSort } from './labels.js';
import type { TableConvertor } from './types.js';

/** LB ingress points, IP before hostname, de-duplicated and sorted (sets.String). */
function loadBalancerIngress(status: LoadBalancerStatus | undefined): string[] {
  const seen = new Set<string>();
  for (const ing of status?.ingress ?? []) {
    if (ing.ip) seen.add(ing.ip);
    else if (ing.hostname) seen.add(ing.hostname);
  }
  // Upstream clips this to 16 characters only for non-wide output; the server always prints wide.
  return goSort([...seen]);
}

function externalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const all = [...loadBalancerIngress(svc.status?.loadBalancer), ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function ports(svc: Service): string {
  const pieces = (svc.spec?.ports ?? []).map((p) => {
    // Decoding defaults the protocol to TCP before upstream's printer sees it.
    const protocol = p.protocol || 'TCP';
    return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

function clusterIP(svc: Service): string {
  // Decoding fills clusterIPs from a lone clusterIP; the printer shows the primary one.
  return svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>';
}

export const serviceConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', DOC.serviceType),
    column('Cluster-IP', 'string', DOC.clusterIP),
    column('External-IP', 'string', DOC.externalIPs),
    column('Port(s)', 'string', DOC.servicePorts),
    AGE_COLUMN,
    column('Selector', 'string', DOC.serviceSelector, { priority: 1 }),
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const svc = obj as Service;
    return [
      [
        svc.metadata?.name ?? '',
        svc.spec?.type ?? '',
        clusterIP(svc),
        externalIP(svc),
        ports(svc),
        translateTimestampSince(svc.metadata?.creationTimestamp, now),
        formatLabels(svc.spec?.selector),
      ],
    ];
  },
};
