/**
 * The API server, assembled: storage, registries with their watch caches,
 * allocators (rebuilt and repaired from stored Services on start), bootstrap
 * objects (system namespaces, `default/kubernetes`), housekeeping loops
 * (compaction, event TTL, allocator leak checks) and the HTTPS front.
 * `stop()` drains in-flight requests before closing storage. Namespace
 * deletion is the controller manager's `namespace` controller, a client.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Endpoints, Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import type { EndpointIPPolicy } from '../k8s/ip-validation.js';
import { StatusError } from '../k8s/status.js';
import { type Logger, silentLogger } from '../lib/log.js';
import { MemoryStore } from '../store/memory.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { version } from '../version.js';
import { namespaceLifecycle } from './admission/namespace-lifecycle.js';
import { advertiseAddress, checkAdvertiseFamily, defaultBindAddress, parseServiceCIDRs } from './config.js';
import { type EventRecorder, eventRecorder } from './events.js';
import { writeKubeconfig } from './kubeconfig.js';
import { buildOpenAPIV2 } from './openapi/v2.js';
import { buildOpenAPIV3, type ServedResource } from './openapi/v3.js';
import { ensurePki } from './pki.js';
import { appsResources } from './registry/apps.js';
import { batchResources } from './registry/batch.js';
import { networkingResources, replicationAndStorageResources } from './registry/core-kinds.js';
import { coreResources } from './registry/resources.js';
import { ServiceAllocator } from './registry/service/alloc.js';
import { kubernetesService } from './registry/service/kubernetes.js';
import { findLeaks, repair } from './registry/service/repair.js';
import { serviceStrategy } from './registry/service/strategy.js';
import type { KubeObject } from './registry/strategy.js';
import { type ResourceInfo, standardVerbs } from './resource.js';
import { schemaForKind } from './schema/index.js';
import { buildDiscovery, subresourceKind, subresourceVerbs } from './server/discovery.js';
import { createApiHttpServer, drainApiHttpServer, type OpenApiDocs } from './server/http.js';
import { ApiMetrics, countWatchEvents } from './server/metrics.js';
import type { ServingLimits } from './server/serving.js';
import { Registry, timestamp } from './storage/registry.js';

export interface ApiServerConfig {
  dataDir: string;
  bindAddress?: string;
  /** 0 picks a free port. */
  securePort?: number;
  /** `--service-cluster-ip-range`: one CIDR or a dual-stack pair, comma-separated. */
  serviceClusterIPRange?: string;
  /** `--service-node-port-range`. */
  serviceNodePortRange?: string;
  storage?: 'sqlite' | 'memory';
  /** An opened store to use instead of `storage` (closed on stop). */
  store?: Store;
  /**
   * Accept loopback endpoint and external IPs (host mode, where pods live on
   * 127.244.0.0/16). Default: when the service range is loopback.
   */
  allowLoopbackEndpoints?: boolean;
  /** `--event-ttl` in ms (default 1h). */
  eventTTLMs?: number;
  /** `--etcd-compaction-interval` in ms (default 5m; 0 disables compaction). */
  compactionIntervalMs?: number;
  /** Deadlines and caps of the HTTPS front (defaults: DEFAULT_SERVING_LIMITS); tests shorten them. */
  serving?: Partial<ServingLimits>;
  log?: Logger;
}

export const HOST_SERVICE_CIDR = '127.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class ApiServer {
  private constructor(
    readonly url: string,
    readonly kubeconfigPath: string,
    readonly port: number,
    readonly config: Required<Omit<ApiServerConfig, 'log' | 'allowLoopbackEndpoints' | 'store' | 'serving'>>,
    private readonly stopFn: () => Promise<void>,
    readonly registries: Map<string, Registry>,
  ) {}

  /** Starts everything; resolves once the API answers. */
  static async start(cfg: ApiServerConfig): Promise<ApiServer> {
    const log = (cfg.log ?? silentLogger).named('apiserver');
    const config = {
      dataDir: cfg.dataDir,
      bindAddress: cfg.bindAddress ?? defaultBindAddress(cfg.serviceClusterIPRange ?? HOST_SERVICE_CIDR),
      securePort: cfg.securePort ?? 6443,
      serviceClusterIPRange: cfg.serviceClusterIPRange ?? HOST_SERVICE_CIDR,
      serviceNodePortRange: cfg.serviceNodePortRange ?? DEFAULT_NODE_PORT_RANGE,
      storage: cfg.storage ?? 'sqlite',
      eventTTLMs: cfg.eventTTLMs ?? 3600_000,
      compactionIntervalMs: cfg.compactionIntervalMs ?? 300_000,
    };
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const cidrs = parseServiceCIDRs(config.serviceClusterIPRange);
    checkAdvertiseFamily(config.serviceClusterIPRange, config.bindAddress);
    const advertise = advertiseAddress(config.bindAddress);
    // Host mode: a loopback service range, or an API server on loopback (an IPv6-only host cluster).
    const ipPolicy: EndpointIPPolicy = {
      allowLoopback:
        cfg.allowLoopbackEndpoints ??
        (cidrs[0]!.startsWith('127.') || ['127.0.0.1', '::1'].includes(advertise)),
    };
    const alloc = new ServiceAllocator({ serviceCIDRs: cidrs, nodePortRange: config.serviceNodePortRange });

    const rawStore: Store =
      cfg.store ??
      (config.storage === 'memory'
        ? new MemoryStore()
        : await SqliteStore.open(join(config.dataDir, 'state.db')));
    const registries = new Map<string, Registry>();
    const resources: ResourceInfo[] = [
      ...coreResources(serviceStrategy(alloc, ipPolicy), ipPolicy),
      ...appsResources(),
      ...replicationAndStorageResources(),
      ...networkingResources(async () =>
        (await reg('ingressclasses', 'networking.k8s.io').list('')).items.map((o) => o.obj as IngressClass),
      ),
      ...batchResources(),
    ];
    const groupResource = (r: ResourceInfo) => (r.group ? `${r.resource}.${r.group}` : r.resource);
    const metrics = new ApiMetrics(
      (group, resource) => {
        if (resource) return registries.get(`${group}/${resource}`)?.info;
        return [...registries.values()].find((r) => r.info.group === group)?.info;
      },
      () =>
        new Map([...registries.values()].map((r) => [groupResource(r.info), r.cache.count(r.prefix(''))])),
    );
    // Storage latency by the group-resource a key belongs to, as upstream labels it.
    const typeOf = (key: string) => {
      const r = resources.find((i) => key === i.storagePrefix || key.startsWith(`${i.storagePrefix}/`));
      return r ? groupResource(r) : 'unknown';
    };
    const store = metrics.instrumentStore(rawStore, typeOf);
    const admission = namespaceLifecycle(() => registries.get('/namespaces')!);
    for (const info of resources) {
      const registry = new Registry(info, store, admission);
      registries.set(`${info.group}/${info.resource}`, registry);
      countWatchEvents(registry, () => metrics.watchEvent(info.group, info.version, info.resource));
    }
    const reg = (resource: string, group = '') => registries.get(`${group}/${resource}`)!;
    await Promise.all([...registries.values()].map((r) => r.start()));

    const events = eventRecorder(reg('events'), 'apiserver', log);
    await repairAllocations(alloc, reg('services'), events, log);
    await bootstrapNamespaces(reg('namespaces'));

    const pki = ensurePki(join(config.dataDir, 'pki'), {
      ips: [
        ...new Set([
          '127.0.0.1',
          '::1',
          alloc.kubernetesServiceIP(),
          ...(config.bindAddress !== '0.0.0.0' ? [config.bindAddress] : []),
        ]),
      ],
      dns: [
        'localhost',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
      ],
    });

    let shuttingDown = false;
    let ready = false;
    // kube-apiserver's etcd check: a real round trip with a deadline (--etcd-healthcheck-timeout, 2s).
    const storeHealthy = async (): Promise<boolean> => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out after 2s')), 2000);
      });
      try {
        await Promise.race([store.check(), deadline]);
        return true;
      } catch (err) {
        log.error(err, 'Storage health check failed');
        return false;
      } finally {
        clearTimeout(timer);
      }
    };
    let openapi: OpenApiDocs | undefined;
    const server = createApiHttpServer({
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert },
      token: pki.adminToken,
      registries,
      discovery: buildDiscovery(resources, `${config.bindAddress}:${config.securePort}`),
      openapi: () => {
        if (!openapi) {
          const v3 = buildOpenAPIV3(openapiResources(resources));
          openapi = { ...v3, v2: buildOpenAPIV2(v3, version().gitVersion) };
        }
        return openapi;
      },
      version: version(),
      checks: {
        livez: { ping: () => true, etcd: storeHealthy },
        readyz: {
          ping: () => true,
          etcd: storeHealthy,
          'bootstrap-objects': () => ready,
          shutdown: () => !shuttingDown,
        },
      },
      metrics,
      limits: cfg.serving,
      log,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.securePort, config.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const host = config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress;
    const url = `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    const reconcileKubernetesService = () =>
      bootstrapKubernetesService(
        alloc,
        reg('services'),
        reg('endpoints'),
        reg('endpointslices', 'discovery.k8s.io'),
        port,
        advertise,
      );
    await reconcileKubernetesService();
    const kubeconfigPath = join(config.dataDir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, url, pki);

    const timers = [
      ...(config.compactionIntervalMs > 0 ? [compactor(store, config.compactionIntervalMs, log)] : []),
      setInterval(() => void expireEvents(reg('events'), config.eventTTLMs, log), 60_000),
      setInterval(() => void checkLeaks(alloc, reg('services'), log), 180_000),
      // Upstream's kubernetesservice controller runs every 10 s (DefaultEndpointReconcilerInterval):
      // a deleted default/kubernetes (`kubectl delete svc --all`) comes back.
      setInterval(
        () =>
          void reconcileKubernetesService().catch((err) =>
            log.error(err, 'Reconciling default/kubernetes failed'),
          ),
        10_000,
      ),
    ];
    for (const t of timers) t.unref();
    ready = true;
    log.info('Serving securely', {
      address: url,
      storage: config.storage,
      serviceClusterIPRange: config.serviceClusterIPRange,
    });

    const stop = async () => {
      shuttingDown = true;
      for (const t of timers) clearInterval(t);
      // Requests in flight complete (their connections close after the response)...
      const { closed } = await drainApiHttpServer(server, 10_000);
      // ...then watch streams end, without an ERROR event, and what is left closes.
      for (const r of registries.values()) r.stop();
      await closed();
      await store.close();
      log.info('Stopped');
    };
    return new ApiServer(url, kubeconfigPath, port, { ...config, securePort: port }, stop, registries);
  }

  stop(): Promise<void> {
    return this.stopFn();
  }
}

/**
 * The resources and subresources OpenAPI describes: those whose kinds have
 * schemas (a kind without one is served but left out rather than failing
 * the whole document, which kubectl needs for apply and create).
 */
function openapiResources(resources: readonly ResourceInfo[]): ServedResource[] {
  const known = (g: { group: string; version: string; kind: string }) => !!schemaForKind(g);
  return resources
    .filter((r) => known(r))
    .map((r) => ({
      group: r.group,
      version: r.version,
      resource: r.resource,
      kind: r.kind,
      namespaced: r.namespaced,
      verbs: standardVerbs,
      subresources: r.subresources
        .filter((name) => known(subresourceKind(r, name)))
        .map((name) => {
          const k = subresourceKind(r, name);
          const own = k.kind === r.kind && k.group === r.group;
          return own
            ? { name, kind: r.kind, verbs: subresourceVerbs[name] }
            : { name, kind: k.kind, group: k.group, version: k.version, verbs: subresourceVerbs[name] };
        }),
    }));
}

async function ensure(registry: Registry, obj: KubeObject): Promise<void> {
  const ns = obj.metadata?.namespace ?? '';
  if (registry.peek(ns, obj.metadata!.name!)) return;
  try {
    await registry.create(structuredClone(obj), { dryRun: false, namespace: ns });
  } catch (err) {
    if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
  }
}

async function bootstrapNamespaces(namespaces: Registry): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    namespaces.info.strategy.defaults?.(ns);
    await ensure(namespaces, ns);
  }
}

/** `default/kubernetes` and the endpoints that point at this API server (upstream's endpoint reconciler). */
async function bootstrapKubernetesService(
  alloc: ServiceAllocator,
  services: Registry,
  endpoints: Registry,
  slices: Registry,
  port: number,
  address: string,
): Promise<void> {
  const svc = kubernetesService(alloc, port);
  services.info.strategy.defaults?.(svc);
  await ensure(services, svc);
  // The port follows --secure-port (it may be 0 = picked at start).
  await services.update('default', 'kubernetes', (cur) => {
    const s = cur as Service;
    return { ...s, spec: { ...s.spec, ports: svc.spec!.ports } } as Service;
  });
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
  await endpoints.update('default', 'kubernetes', () => structuredClone(ep), { allowCreate: true });
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
    },
    addressType: address.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  slices.info.strategy.defaults?.(slice);
  if (!slices.peek('default', 'kubernetes')) await ensure(slices, slice);
  else
    await slices.update(
      'default',
      'kubernetes',
      (cur) =>
        ({ ...(cur as EndpointSlice), endpoints: slice.endpoints, ports: slice.ports }) as EndpointSlice,
    );
}

/** Rebuilds the allocators from stored Services and reports what is inconsistent, as Events. */
async function repairAllocations(
  alloc: ServiceAllocator,
  services: Registry,
  events: EventRecorder,
  log: Logger,
) {
  const { items } = await services.list('');
  const findings = repair(
    alloc,
    items.map((i) => i.obj as Service),
  );
  for (const f of findings) {
    log.warn(f.message, { service: `${f.namespace}/${f.name}`, reason: f.reason });
    const svc = services.peek(f.namespace, f.name)?.obj as Service | undefined;
    await events.event(
      { kind: 'Service', apiVersion: 'v1', namespace: f.namespace, name: f.name, uid: svc?.metadata?.uid },
      'Warning',
      f.reason,
      f.message,
    );
  }
}

async function checkLeaks(alloc: ServiceAllocator, services: Registry, log: Logger): Promise<void> {
  try {
    const { items } = await services.list('');
    const check = findLeaks(
      alloc,
      items.map((i) => i.obj as Service),
    );
    for (const leak of check.released)
      log.warn('Released a leaked allocation', { value: String(leak.value), kind: leak.kind });
  } catch (err) {
    log.error(err, 'Allocator leak check failed');
  }
}

/**
 * The API server's etcd compactor (apiserver storage/etcd3/compact.go): every
 * interval, compact to the revision seen at the previous tick, so history
 * keeps between one and two intervals of writes.
 */
function compactor(store: Store, intervalMs: number, log: Logger): NodeJS.Timeout {
  let previous = 0;
  return setInterval(async () => {
    try {
      const target = previous;
      previous = await store.revision();
      if (target > (await store.compactRevision())) await store.compact(target);
    } catch (err) {
      log.error(err, 'Compaction failed');
    }
  }, intervalMs);
}

/** Events live for --event-ttl (1h), as upstream's etcd leases make them. */
async function expireEvents(events: Registry, ttlMs: number, log: Logger): Promise<void> {
  const cutoff = timestamp(new Date(Date.now() - ttlMs));
  try {
    const { items } = await events.list('');
    for (const e of items) {
      const ev = e.obj as {
        lastTimestamp?: string;
        eventTime?: string;
        metadata?: { creationTimestamp?: string };
      };
      const last =
        ev.lastTimestamp ?? ev.eventTime?.slice(0, 19).concat('Z') ?? ev.metadata?.creationTimestamp ?? '';
      if (last && last < cutoff) await events.delete(e.namespace, e.name).catch(() => {});
    }
  } catch (err) {
    log.error(err, 'Event expiry failed');
  }
}
