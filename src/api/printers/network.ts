/** Ingress and IngressClass rows: upstream printIngress / printIngressClass. */
import type {
  Ingress,
  IngressClass,
  IngressLoadBalancerStatus,
  IngressRule,
} from 'kubernetes-types/networking/v1.js';
import type { KubeObject } from '../registry/strategy.js';
import { AGE_COLUMN, column, NAME_COLUMN } from './columns.js';
import { translateTimestampSince } from './duration.js';
import type { TableConvertor } from './types.js';

/** formatHosts: the first three rules' hosts (rules without one skipped), `*` when none. */
export function formatHosts(rules: IngressRule[] | undefined): string {
  const all = rules ?? [];
  const list: string[] = [];
  let more = false;
  for (const r of all) {
    if (list.length === 3) more = true;
    if (!more && r.host) list.push(r.host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${all.length - 3} more...` : list.join(',');
}

/** ingressLoadBalancerStatusStringer: each point's IP (else hostname), as a sorted set, comma-joined. */
export function ingressAddresses(st: IngressLoadBalancerStatus | undefined): string {
  const set = new Set((st?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : i.hostname ? [i.hostname] : [])));
  return [...set].sort().join(',');
}

export const ingressConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Class', 'string', 'The name of the IngressClass cluster resource.'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const ing = obj as Ingress;
    return [
      [
        ing.metadata?.name ?? '',
        ing.spec?.ingressClassName ?? '<none>',
        formatHosts(ing.spec?.rules),
        ingressAddresses(ing.status?.loadBalancer),
        ing.spec?.tls?.length ? '80, 443' : '80',
        translateTimestampSince(ing.metadata?.creationTimestamp, now),
      ],
    ];
  },
};

export const ingressClassConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const ic = obj as IngressClass;
    const p = ic.spec?.parameters;
    const params = p ? `${p.kind}${p.apiGroup != null ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
    return [
      [
        ic.metadata?.name ?? '',
        ic.spec?.controller ?? '',
        params,
        translateTimestampSince(ic.metadata?.creationTimestamp, now),
      ],
    ];
  },
};
