/**
 * kube-system/kube-dns as kubeadm's CoreDNS Service (ClusterIP `.10`, ports
 * dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP), selector-less, with
 * Endpoints naming this server, so the proxy makes it reachable on the
 * service IP and the mirroring controller gives it an EndpointSlice.
 *
 * Reconciled on every start, never just created: a restart may serve on
 * another port (`up --dns-port`), and re-creating a Service whose ClusterIP
 * is held by the old one is answered 422 ("provided IP is already
 * allocated"), or 409. So: get; create what is missing; update what differs.
 */
import type { EndpointPort, Endpoints, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../client/client.js';
import { Endpoints as EndpointsRT, Services } from '../client/resources.js';
import type { ApiClient, ResourceType } from '../client/types.js';
import { canonicalIP } from '../k8s/ip.js';
import type { Logger } from '../lib/log.js';

const NAMESPACE = 'kube-system';
const NAME = 'kube-dns';

/** Where this DNS server serves, as kube-dns should name it. */
export interface KubeDnsTarget {
  /** The Service's ClusterIP (`.10` of the service range). */
  clusterIP: string;
  /** This server's address and port. */
  address: string;
  port: number;
  /** The metrics server's port, if it runs. */
  metricsPort?: number;
}

/** The Service and Endpoints as they should be. */
export function kubeDnsObjects(t: KubeDnsTarget): { service: Service; endpoints: Endpoints } {
  const labels = {
    'k8s-app': 'kube-dns',
    'kubernetes.io/name': 'CoreDNS',
    'kubernetes.io/cluster-service': 'true',
  };
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: NAME,
      namespace: NAMESPACE,
      labels,
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      clusterIP: t.clusterIP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: t.port },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: t.port },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: t.metricsPort ?? 9153 },
      ],
    },
  };
  const endpoints: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: NAME, namespace: NAMESPACE, labels },
    subsets: [
      {
        addresses: [{ ip: t.address }],
        ports: [
          { name: 'dns', port: t.port, protocol: 'UDP' },
          { name: 'dns-tcp', port: t.port, protocol: 'TCP' },
          ...(t.metricsPort ? [{ name: 'metrics', port: t.metricsPort, protocol: 'TCP' }] : []),
        ],
      },
    ],
  };
  return { service, endpoints };
}

/** Whether every key of `want` has its value in `have` (others' labels and annotations are kept). */
const hasAll = (have: Record<string, string> | undefined, want: Record<string, string> | undefined) =>
  Object.entries(want ?? {}).every(([k, v]) => have?.[k] === v);

const portKey = (p: ServicePort) => `${p.name}/${p.protocol ?? 'TCP'}/${p.port}/${p.targetPort ?? p.port}`;

const samePorts = (a: ServicePort[] | undefined, b: ServicePort[] | undefined) =>
  (a ?? []).map(portKey).join(',') === (b ?? []).map(portKey).join(',');

/** Whether the stored Service holds `want`'s ClusterIP (an immutable field: otherwise it is re-created). */
export function sameClusterIP(cur: Service, want: Service): boolean {
  const ip = (s: Service) => canonicalIP(s.spec?.clusterIP ?? '') ?? s.spec?.clusterIP;
  return ip(cur) === ip(want);
}

/**
 * The stored Service with `want`'s ports, labels and annotations (fields the
 * API server filled in, such as ipFamilies, kept); undefined when it already
 * has them.
 */
export function serviceUpdate(cur: Service, want: Service): Service | undefined {
  const m = cur.metadata ?? {};
  const w = want.metadata ?? {};
  if (
    samePorts(cur.spec?.ports, want.spec?.ports) &&
    hasAll(m.labels, w.labels) &&
    hasAll(m.annotations, w.annotations)
  )
    return undefined;
  // Ports by name, so what the server defaulted in a port we keep (nodePort, appProtocol) stays.
  const old = new Map((cur.spec?.ports ?? []).map((p) => [p.name, p]));
  return {
    ...cur,
    metadata: {
      ...m,
      labels: { ...m.labels, ...w.labels },
      annotations: { ...m.annotations, ...w.annotations },
    },
    spec: { ...cur.spec, ports: (want.spec?.ports ?? []).map((p) => ({ ...old.get(p.name), ...p })) },
  };
}

const endpointPortKey = (p: EndpointPort) => `${p.name}/${p.protocol ?? 'TCP'}/${p.port}`;

/** The stored Endpoints with `want`'s subsets and labels; undefined when it already has them. */
export function endpointsUpdate(cur: Endpoints, want: Endpoints): Endpoints | undefined {
  const subsetKey = (e: Endpoints) =>
    JSON.stringify(
      (e.subsets ?? []).map((s) => [
        (s.addresses ?? []).map((a) => canonicalIP(a.ip) ?? a.ip),
        (s.notReadyAddresses ?? []).map((a) => a.ip),
        (s.ports ?? []).map(endpointPortKey),
      ]),
    );
  const m = cur.metadata ?? {};
  if (subsetKey(cur) === subsetKey(want) && hasAll(m.labels, want.metadata?.labels)) return undefined;
  return {
    ...cur,
    metadata: { ...m, labels: { ...m.labels, ...want.metadata?.labels } },
    subsets: want.subsets,
  };
}

/**
 * Makes kube-system/kube-dns name this server: the Service first (its
 * ClusterIP is what clients use), then its Endpoints. Resolves false when it
 * failed (logged; the caller retries: a conflict or a race with another
 * writer is settled by the next attempt's fresh read).
 */
export async function publishKubeDns(
  client: ApiClient,
  target: KubeDnsTarget,
  log: Logger,
): Promise<boolean> {
  const want = kubeDnsObjects(target);
  try {
    const svc = await getOrUndefined<Service>(client, Services);
    if (svc && !sameClusterIP(svc, want.service)) {
      // The service range changed: a ClusterIP is immutable, so the Service is replaced.
      log.info('Re-creating kube-system/kube-dns for its new ClusterIP', {
        from: svc.spec?.clusterIP,
        to: want.service.spec?.clusterIP,
      });
      await client.delete(Services, NAMESPACE, NAME);
      await client.create(Services, NAMESPACE, want.service);
    } else {
      await reconcile(client, Services, svc, want.service, serviceUpdate, log);
    }
    const ep = await getOrUndefined<Endpoints>(client, EndpointsRT);
    await reconcile(client, EndpointsRT, ep, want.endpoints, endpointsUpdate, log);
    return true;
  } catch (err) {
    log.error(err, 'Could not publish kube-system/kube-dns; will retry');
    return false;
  }
}

/** Creates `want` when `cur` is missing, updates `cur` when `update` says it differs. */
async function reconcile<T extends Service | Endpoints>(
  client: ApiClient,
  rt: ResourceType,
  cur: T | undefined,
  want: T,
  update: (cur: T, want: T) => T | undefined,
  log: Logger,
): Promise<void> {
  if (!cur) {
    await client.create(rt, NAMESPACE, want);
    return;
  }
  const next = update(cur, want);
  if (!next) return;
  log.info('Updating kube-system/kube-dns', { kind: want.kind });
  await client.update(rt, next);
}

async function getOrUndefined<T extends Service | Endpoints>(
  client: ApiClient,
  rt: ResourceType,
): Promise<T | undefined> {
  try {
    return await client.get<T>(rt, NAMESPACE, NAME);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
