/**
 * `svcnet proxy`, assembled as kube-proxy is: informers on Services,
 * EndpointSlices and this Node feed change trackers; a bounded-frequency
 * runner syncs at most every minSyncPeriod (and at least every syncPeriod);
 * a sync computes the node's desired state with the pure model and hands it
 * to the backend, then reports to the health and metrics servers. A change
 * that gives a refusing Service its first ready endpoint syncs at once
 * (model/prompt.ts).
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { EventSink } from '../client/events.js';
import { SharedInformerFactory } from '../client/informer.js';
import { EndpointSlices, Nodes, Services } from '../client/resources.js';
import { type ApiClient, type Informer, keyOf } from '../client/types.js';
import type { Logger } from '../lib/log.js';
import { ProxyHealthServer } from './health/proxy.js';
import { ServiceHealthServer } from './health/service.js';
import { type EndpointLabels, MetricsServer, ProxyMetrics } from './metrics.js';
import { buildNodeState } from './model/build.js';
import { LABEL_SERVICE_NAME } from './model/names.js';
import { PromptSyncs, sliceServiceKey } from './model/prompt.js';
import { EndpointSliceChangeTracker, ServiceChangeTracker } from './model/trackers.js';
import type { NodeState } from './model/types.js';
import { BoundedFrequencyRunner } from './runner.js';
import { UserspaceBackend } from './userspace/backend.js';

export interface ProxyOptions {
  client: ApiClient;
  events: EventSink;
  log: Logger;
  nodeName: string;
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
}

export interface Proxy {
  readonly healthzPort?: number;
  readonly metricsPort?: number;
  /** Resolves after the next sync has been applied (tests). */
  synced(): Promise<void>;
  state(): NodeState | undefined;
  stop(): Promise<void>;
}

const nodeAddresses = (node: Node | undefined): string[] =>
  (node?.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
    .map((a) => a.address);

export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const log = opts.log;
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
        proxyMode: 'userspace',
        metrics,
        log,
      });
    });
  if (opts.healthzBindAddress) await keepTrying('the healthz server', () => health.start());

  const serviceTracker = new ServiceChangeTracker({ proxyName: opts.proxyName });
  const sliceTracker = new EndpointSliceChangeTracker({ proxyName: opts.proxyName });
  const factory = new SharedInformerFactory(opts.client, log);
  const services: Informer<Service> = factory.informer<Service>(Services);
  const slices: Informer<EndpointSlice> = factory.informer<EndpointSlice>(EndpointSlices);
  const nodes: Informer<Node> = factory.informer<Node>(Nodes, {
    fieldSelector: `metadata.name=${opts.nodeName}`,
  });

  const backend = new UserspaceBackend({
    log,
    defaultScheduler: opts.scheduler,
    udpIdleTimeoutMs: opts.udpIdleTimeoutMs,
    onFrontendError: (fe, err, svc) => {
      const message = `Failed to listen on ${fe.protocol} ${fe.ip}:${fe.port} for ${fe.kind}: ${err.message}`;
      log.warn(message, { service: svc.key });
      const s = services.get(`${svc.namespace}/${svc.name}`);
      if (s) opts.events.event(s, 'Warning', 'FailedToListen', message);
    },
  });
  metrics.endpointSource = () => {
    // Summed over a service port's frontends (ClusterIP, NodePort, ...), per endpoint.
    const sums = new Map<string, { labels: EndpointLabels; active: number; total: number }>();
    for (const e of backend.stats().endpoints) {
      const svc = current?.services.get(e.service);
      const labels = {
        namespace: svc?.namespace ?? '',
        service: svc?.name ?? e.service,
        port: svc?.portName ?? '',
        endpoint: e.endpoint,
      };
      const key = JSON.stringify(labels);
      const sum = sums.get(key) ?? { labels, active: 0, total: 0 };
      sum.active += e.active + e.inactive;
      sum.total += e.total;
      sums.set(key, sum);
    }
    return [...sums.values()];
  };
  const serviceHealth = new ServiceHealthServer({
    hostname: opts.nodeName,
    nodeIPs: opts.nodeIPs ?? ['127.0.0.1'],
    proxyHealth: health,
    events: opts.events,
    log,
  });

  let current: NodeState | undefined;
  const prompt = new PromptSyncs(opts.proxyName);
  let waiters: (() => void)[] = [];
  const sync = async () => {
    const start = performance.now();
    const node = nodes.get(opts.nodeName);
    const serviceChanges = serviceTracker.take();
    const endpointChanges = sliceTracker.take();
    const state = buildNodeState({
      services: services.list(),
      slices: slices.list(),
      node,
      nodeName: opts.nodeName,
      nodeIPs: opts.nodeIPs ?? nodeAddresses(node),
      config: {
        nodePortAddresses: opts.nodePortAddresses,
        defaultScheduler: opts.scheduler,
        proxyName: opts.proxyName,
      },
    });
    for (const p of state.problems) log.warn('Skipped', { object: p.object, problem: p.message });
    // No endpoints: no listener, so the kernel refuses the connection at once (TCP RST to the
    // SYN, ICMP port unreachable for UDP) — upstream's REJECT, without privileges.
    const served: NodeState = {
      problems: state.problems,
      services: new Map(
        [...state.services].map(([k, s]) => [
          k,
          { ...s, frontends: s.frontends.filter((f) => f.endpoints.length) },
        ]),
      ),
    };
    const result = await backend.apply(served);
    prompt.synced(
      new Set(
        [...served.services.values()]
          .filter((s) => s.frontends.length)
          .map((s) => `${s.namespace}/${s.name}`),
      ),
    );
    metrics.setFrontendErrors(
      [...result.failed, ...result.unsupported].map((f) => {
        const s = state.services.get(f.service);
        return {
          namespace: s?.namespace ?? '',
          service: s?.name ?? f.service,
          port: s?.portName ?? '',
          frontend: f.frontend,
          reason: f.code ?? (result.unsupported.includes(f) ? 'UnsupportedProtocol' : f.kind),
        };
      }),
    );
    const hc = new Map<string, number>();
    const local = new Map<string, number>();
    for (const s of state.services.values()) {
      const key = `${s.namespace}/${s.name}`;
      if (s.healthCheckNodePort) {
        hc.set(key, s.healthCheckNodePort);
        local.set(key, Math.max(local.get(key) ?? 0, s.localEndpointCount));
      }
    }
    await serviceHealth.syncServices(hc);
    serviceHealth.syncEndpoints(local);
    current = state;
    const now = Date.now();
    for (const times of endpointChanges.lastChangeTriggerTimes.values())
      for (const t of times) metrics.networkProgrammingLatency.observe((now - t) / 1000);
    metrics.observeSync((performance.now() - start) / 1000, 'full');
    metrics.synced(now);
    health.updated();
    log.v(2).info('Synced', {
      servicePorts: state.services.size,
      listening: result.listening,
      serviceChanges: serviceChanges.length,
      endpointChanges: endpointChanges.services.length,
    });
    for (const w of waiters.splice(0)) w();
  };
  const runner = new BoundedFrequencyRunner('sync-runner', sync, opts.minSyncPeriodMs, opts.syncPeriodMs, {
    log,
    onError: (err: unknown) => log.error(err, 'Sync failed; will retry'),
  });
  const queue = (promptly = false) => {
    health.queuedUpdate();
    metrics.queued(Date.now());
    if (promptly) runner.runPromptly();
    else runner.run();
  };
  // A Service, or a slice, that brings a refusing Service its first ready endpoint.
  const opensWithService = (s: Service) =>
    prompt.opens(s, () =>
      slices.byLabels(s.metadata?.namespace ?? '', { [LABEL_SERVICE_NAME]: s.metadata?.name ?? '' }),
    );
  const opensWithSlice = (s: EndpointSlice) => {
    const key = sliceServiceKey(s);
    return key !== undefined && prompt.opens(services.get(key), () => [s]);
  };
  services.addHandlers({
    add: (s) => serviceTracker.update(undefined, s) && queue(opensWithService(s)),
    update: (o, s) => serviceTracker.update(o, s) && queue(opensWithService(s)),
    delete: (s) => {
      prompt.forget(keyOf(s));
      if (serviceTracker.update(s, undefined)) queue();
    },
  });
  slices.addHandlers({
    add: (s) => sliceTracker.update(undefined, s) && queue(opensWithSlice(s)),
    update: (o, s) => sliceTracker.update(o, s) && queue(opensWithSlice(s)),
    delete: (s) => sliceTracker.update(s, undefined) && queue(),
  });
  nodes.addHandlers({
    add: (n) => {
      health.setNode(n);
      queue();
    },
    update: (_o, n) => {
      health.setNode(n);
      queue();
    },
    delete: () => health.setNode(undefined),
  });
  factory.start();
  await Promise.all([services.synced(), slices.synced(), nodes.synced()]);
  runner.start();
  runner.run();
  log.info('Proxy started', {
    mode: 'userspace',
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
    synced: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        runner.run();
      }),
    state: () => current,
    stop: async () => {
      for (const t of retries) clearTimeout(t);
      runner.stop();
      factory.stop();
      waiters = [];
      await backend.stop();
      await serviceHealth.stop();
      await health.stop();
      await metricsServer?.stop();
    },
  };
}
