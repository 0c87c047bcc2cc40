/**
 * `svcnet proxy`, assembled as kube-proxy is: informers on Services,
 * EndpointSlices and this Node feed the proxier (src/proxy/proxier.ts), which
 * syncs through a bounded-frequency runner and drives the backend of the
 * configured mode; the health and metrics servers report on it.
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { EventSink } from '../client/events.js';
import { SharedInformerFactory } from '../client/informer.js';
import { EndpointSlices, Nodes, Services } from '../client/resources.js';
import type { ApiClient, Informer } from '../client/types.js';
import { openDescriptors, raiseNoFileLimit } from '../lib/fdlimit.js';
import type { Logger } from '../lib/log.js';
import { createBackend } from './backends.js';
import { ProxyHealthServer } from './health/proxy.js';
import { ServiceHealthServer } from './health/service.js';
import { MetricsServer, ProxyMetrics } from './metrics.js';
import { LABEL_SERVICE_NAME } from './model/names.js';
import type { NodeState } from './model/types.js';
import { Proxier } from './proxier.js';
import { descriptorReserve, frontendCap } from './userspace/limits.js';

export interface ProxyOptions {
  client: ApiClient;
  events: EventSink;
  log: Logger;
  nodeName: string;
  /** The data plane (`--proxy-mode`); default userspace. */
  mode?: string;
  /** The node's addresses; default: its Node's InternalIP/ExternalIP addresses. */
  nodeIPs?: string[];
  /** nodePortAddresses (IPs, CIDRs, `primary`); empty: every node IP. */
  nodePortAddresses: string[];
  scheduler: string;
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  /** host:port; port 0 picks one; '' disables. */
  healthzBindAddress: string;
  metricsBindAddress: string;
  /** service.kubernetes.io/service-proxy-name this proxy serves. */
  proxyName?: string;
  udpIdleTimeoutMs?: number;
  /** `--max-frontends-per-service` (unset or 0: 1/16 of the descriptor limit). */
  maxFrontendsPerService?: number;
}

export interface Proxy {
  readonly healthzPort?: number;
  readonly metricsPort?: number;
  /** Resolves after the next sync has been applied (tests). */
  synced(): Promise<void>;
  state(): NodeState | undefined;
  stop(): Promise<void>;
}

export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const log = opts.log;
  // As a Go kube-proxy: the soft descriptor limit up to the hard one, and said.
  const nofile = raiseNoFileLimit();
  if (nofile.error)
    log.warn('Could not raise the file descriptor limit', { limit: nofile.before?.soft, err: nofile.error });
  const limit = nofile.after?.soft;
  log.info('File descriptor limit', {
    soft: limit,
    hard: nofile.after?.hard,
    ...(nofile.before && nofile.before.soft !== limit ? { raisedFrom: nofile.before.soft } : {}),
    inUse: openDescriptors(),
    maxFrontendsPerService: frontendCap(limit, opts.maxFrontendsPerService),
    reserved: descriptorReserve(limit),
  });
  const factory = new SharedInformerFactory(opts.client, log);
  const services: Informer<Service> = factory.informer<Service>(Services);
  const slices: Informer<EndpointSlice> = factory.informer<EndpointSlice>(EndpointSlices);
  const nodes: Informer<Node> = factory.informer<Node>(Nodes, {
    fieldSelector: `metadata.name=${opts.nodeName}`,
  });
  // Made first: an unknown mode fails before anything is bound.
  const backend = createBackend(opts.mode ?? 'userspace', {
    log,
    defaultScheduler: opts.scheduler,
    udpIdleTimeoutMs: opts.udpIdleTimeoutMs,
    onFrontendError: (fe, err, svc) => {
      const message = `Failed to listen on ${fe.protocol} ${fe.ip}:${fe.port} for ${fe.kind}: ${err.message}`;
      log.warn(message, { service: svc.key });
      const s = services.get(`${svc.namespace}/${svc.name}`);
      if (s) opts.events.event(s, 'Warning', 'FailedToListen', message);
    },
    maxFrontendsPerService: opts.maxFrontendsPerService,
    onServiceFrontendsLimited: (svc, reason, message) => {
      const s = services.get(`${svc.namespace}/${svc.name}`);
      if (s) opts.events.event(s, 'Warning', reason, message);
    },
  });

  const metrics = new ProxyMetrics({ processMetrics: true });
  const health = new ProxyHealthServer({
    bindAddress: opts.healthzBindAddress,
    healthTimeoutMs: 2 * opts.syncPeriodMs,
    metrics,
    log,
  });
  // As kube-proxy: a health or metrics address that cannot be bound is logged and retried
  // every 5 s; the proxy serves traffic meanwhile.
  let metricsServer: MetricsServer | undefined;
  const retries: NodeJS.Timeout[] = [];
  const keepTrying = (what: string, start: () => Promise<void>) => {
    const attempt = () =>
      start().catch((err: Error) => {
        log.error(err, `Failed to start ${what}; will retry`);
        const t = setTimeout(attempt, 5000);
        t.unref();
        retries.push(t);
      });
    return attempt();
  };
  if (opts.metricsBindAddress)
    await keepTrying('the metrics server', async () => {
      metricsServer = await MetricsServer.start({
        bindAddress: opts.metricsBindAddress,
        proxyMode: backend.mode,
        metrics,
        log,
      });
    });
  if (opts.healthzBindAddress) await keepTrying('the healthz server', () => health.start());

  const serviceHealth = new ServiceHealthServer({
    hostname: opts.nodeName,
    nodeIPs: opts.nodeIPs ?? ['127.0.0.1'],
    proxyHealth: health,
    events: opts.events,
    log,
  });
  const proxier = new Proxier({
    backend,
    source: {
      services: () => services.list(),
      slices: () => slices.list(),
      node: () => nodes.get(opts.nodeName),
      service: (key) => services.get(key),
      slicesOf: (namespace, name) => slices.byLabels(namespace, { [LABEL_SERVICE_NAME]: name }),
    },
    log,
    nodeName: opts.nodeName,
    nodeIPs: opts.nodeIPs,
    nodePortAddresses: opts.nodePortAddresses,
    scheduler: opts.scheduler,
    proxyName: opts.proxyName,
    syncPeriodMs: opts.syncPeriodMs,
    minSyncPeriodMs: opts.minSyncPeriodMs,
    metrics,
    health,
    serviceHealth,
  });

  services.addHandlers({
    add: (s) => proxier.onServiceChange(undefined, s),
    update: (o, s) => proxier.onServiceChange(o, s),
    delete: (s) => proxier.onServiceChange(s, undefined),
  });
  slices.addHandlers({
    add: (s) => proxier.onEndpointSliceChange(undefined, s),
    update: (o, s) => proxier.onEndpointSliceChange(o, s),
    delete: (s) => proxier.onEndpointSliceChange(s, undefined),
  });
  nodes.addHandlers({
    add: (n) => proxier.onNodeChange(n),
    update: (_o, n) => proxier.onNodeChange(n),
    delete: () => proxier.onNodeChange(undefined),
  });
  factory.start();
  await Promise.all([services.synced(), slices.synced(), nodes.synced()]);
  proxier.start();
  log.info('Proxy started', {
    mode: backend.mode,
    scheduler: opts.scheduler,
    healthz: health.port,
    metrics: metricsServer?.port,
  });

  return {
    get healthzPort() {
      return health.port || undefined;
    },
    get metricsPort() {
      return metricsServer?.port;
    },
    synced: () => proxier.synced(),
    state: () => proxier.state(),
    stop: async () => {
      for (const t of retries) clearTimeout(t);
      const stopping = proxier.stop();
      factory.stop();
      await stopping;
      await serviceHealth.stop();
      await health.stop();
      await metricsServer?.stop();
    },
  };
}
