/**
 * kube-proxy's metrics (pkg/proxy/metrics) with upstream's names, help texts
 * (component-base prefixes the stability level: `[ALPHA] ...`) and buckets,
 * plus svcnet's per-endpoint connection counters, in a registry of their own;
 * and the metrics server kube-proxy runs on metricsBindAddress: `/metrics`,
 * `/proxyMode`, `/healthz`, `/configz`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type Logger, silentLogger } from '../lib/log.js';
import {
  boundPort,
  closeServer,
  goListenError,
  listen,
  listenAddress,
  requestPath,
  send,
  sendNotFound,
} from './health/http.js';

const alpha = (help: string) => `[ALPHA] ${help}`;

/** prometheus.ExponentialBuckets. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

/** prometheus.LinearBuckets. */
export function linearBuckets(start: number, width: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + width * i);
}

/** component-base's MergeBuckets, which (as upstream's) starts with a 0 bucket. */
export function mergeBuckets(...parts: number[][]): number[] {
  return [0, ...parts.flat()];
}

export const SYNC_BUCKETS = exponentialBuckets(0.001, 2, 15);
export const NETWORK_PROGRAMMING_BUCKETS = mergeBuckets(
  linearBuckets(0.25, 0.25, 2),
  linearBuckets(1, 1, 59),
  linearBuckets(60, 5, 12),
  linearBuckets(120, 30, 7),
);

/** Labels of the per-endpoint connection series. */
export interface EndpointLabels {
  namespace: string;
  service: string;
  /** The service port's name ('' when unnamed). */
  port: string;
  /** `ip:port` of the endpoint. */
  endpoint: string;
}

/** A frontend that could not be served (bind failure, unsupported protocol). */
export interface FrontendErrorLabels {
  namespace: string;
  service: string;
  port: string;
  /** `PROTOCOL/ip:port` of the frontend (frontendKey). */
  frontend: string;
  /** Short cause: `EACCES`, `EADDRINUSE`, `UnsupportedProtocol`, ... */
  reason: string;
}

type EndpointLabel = keyof EndpointLabels;
type FrontendLabel = keyof FrontendErrorLabels;
const endpointLabelNames: EndpointLabel[] = ['namespace', 'service', 'port', 'endpoint'];
const frontendLabelNames: FrontendLabel[] = ['namespace', 'service', 'port', 'frontend', 'reason'];

export interface ProxyMetricsOptions {
  /** Also export process_* and nodejs_* metrics (prom-client's defaults), as kube-proxy exports process_*. */
  processMetrics?: boolean;
}

/** All proxy metrics, registered in `registry`. */
export class ProxyMetrics {
  readonly registry = new Registry();

  readonly syncProxyRulesLatency = new Histogram({
    name: 'kubeproxy_sync_proxy_rules_duration_seconds',
    help: alpha('SyncProxyRules latency in seconds'),
    buckets: SYNC_BUCKETS,
    registers: [this.registry],
  });
  readonly syncFullProxyRulesLatency = new Histogram({
    name: 'kubeproxy_sync_full_proxy_rules_duration_seconds',
    help: alpha('SyncProxyRules latency in seconds for full resyncs'),
    buckets: SYNC_BUCKETS,
    registers: [this.registry],
  });
  readonly syncPartialProxyRulesLatency = new Histogram({
    name: 'kubeproxy_sync_partial_proxy_rules_duration_seconds',
    help: alpha('SyncProxyRules latency in seconds for partial resyncs'),
    buckets: SYNC_BUCKETS,
    registers: [this.registry],
  });
  readonly syncProxyRulesLastTimestamp = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
    help: alpha('The last time proxy rules were successfully synced'),
    registers: [this.registry],
  });
  readonly syncProxyRulesLastQueuedTimestamp = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds',
    help: alpha('The last time a sync of proxy rules was queued'),
    registers: [this.registry],
  });
  readonly networkProgrammingLatency = new Histogram({
    name: 'kubeproxy_network_programming_duration_seconds',
    help: alpha('In Cluster Network Programming Latency in seconds'),
    buckets: NETWORK_PROGRAMMING_BUCKETS,
    registers: [this.registry],
  });
  readonly endpointChangesPending = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_endpoint_changes_pending',
    help: alpha('Pending proxy rules Endpoint changes'),
    registers: [this.registry],
  });
  readonly endpointChangesTotal = new Counter({
    name: 'kubeproxy_sync_proxy_rules_endpoint_changes_total',
    help: alpha('Cumulative proxy rules Endpoint changes'),
    registers: [this.registry],
  });
  readonly serviceChangesPending = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_service_changes_pending',
    help: alpha('Pending proxy rules Service changes'),
    registers: [this.registry],
  });
  readonly serviceChangesTotal = new Counter({
    name: 'kubeproxy_sync_proxy_rules_service_changes_total',
    help: alpha('Cumulative proxy rules Service changes'),
    registers: [this.registry],
  });
  readonly noLocalEndpointsTotal = new Gauge<'traffic_policy'>({
    name: 'kubeproxy_sync_proxy_rules_no_local_endpoints_total',
    help: alpha('Number of services with a Local traffic policy and no endpoints'),
    labelNames: ['traffic_policy'],
    registers: [this.registry],
  });
  /** Upstream's subsystem makes this `kubeproxy_proxy_healthz_total`. */
  readonly proxyHealthzTotal = new Counter<'code'>({
    name: 'kubeproxy_proxy_healthz_total',
    help: alpha('Cumulative proxy healthz HTTP status'),
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly proxyLivezTotal = new Counter<'code'>({
    name: 'kubeproxy_proxy_livez_total',
    help: alpha('Cumulative proxy livez HTTP status'),
    labelNames: ['code'],
    registers: [this.registry],
  });

  // svcnet's own.
  readonly endpointConnectionsTotal = new Counter<EndpointLabel>({
    name: 'svcnet_proxy_endpoint_connections_total',
    help: 'Connections (TCP) and flows (UDP) the proxy sent to each endpoint',
    labelNames: endpointLabelNames,
    registers: [this.registry],
  });
  readonly endpointActiveConnections = new Gauge<EndpointLabel>({
    name: 'svcnet_proxy_endpoint_active_connections',
    help: 'Connections (TCP) and flows (UDP) to each endpoint currently open',
    labelNames: endpointLabelNames,
    registers: [this.registry],
  });
  readonly frontendErrors = new Gauge<FrontendLabel>({
    name: 'svcnet_proxy_frontend_errors',
    help: 'Frontends the proxy cannot serve (1 per frontend; for want of descriptors or over the per-Service cap, a count per service port), by reason',
    labelNames: frontendLabelNames,
    registers: [this.registry],
  });

  readonly objectProblems = new Gauge<'kind' | 'namespace' | 'name'>({
    name: 'svcnet_proxy_object_problems',
    help: 'Problems with one API object at the last sync (e.g. an address that does not parse): what they touch is not served',
    labelNames: ['kind', 'namespace', 'name'],
    registers: [this.registry],
  });

  constructor(opts: ProxyMetricsOptions = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** One sync of the rules took `seconds`; `kind` also feeds the full/partial histogram. */
  observeSync(seconds: number, kind?: 'full' | 'partial'): void {
    this.syncProxyRulesLatency.observe(seconds);
    if (kind === 'full') this.syncFullProxyRulesLatency.observe(seconds);
    else if (kind === 'partial') this.syncPartialProxyRulesLatency.observe(seconds);
  }

  /** A sync succeeded at `ms` (epoch milliseconds). */
  synced(ms: number): void {
    this.syncProxyRulesLastTimestamp.set(ms / 1000);
  }

  /** A sync was queued at `ms` (epoch milliseconds). */
  queued(ms: number): void {
    this.syncProxyRulesLastQueuedTimestamp.set(ms / 1000);
  }

  /** A connection (or UDP flow) to an endpoint opened. */
  connectionOpened(labels: EndpointLabels): void {
    this.endpointConnectionsTotal.inc(labels);
    this.endpointActiveConnections.inc(labels);
  }

  /** A connection (or UDP flow) to an endpoint closed. */
  connectionClosed(labels: EndpointLabels): void {
    this.endpointActiveConnections.dec(labels);
  }

  /** Drops an endpoint's series once it is gone and has no open connections. */
  forgetEndpoint(labels: EndpointLabels): void {
    this.endpointConnectionsTotal.remove(labels);
    this.endpointActiveConnections.remove(labels);
  }

  /** Replaces the set of failing frontends; identical label sets add up (counted reasons, frontend ""). */
  setFrontendErrors(errors: readonly FrontendErrorLabels[]): void {
    this.frontendErrors.reset();
    for (const e of errors) this.frontendErrors.inc(e);
  }

  /** Replaces the problem counts with those of the last sync (objects named `Kind/namespace/name`). */
  setObjectProblems(problems: readonly { object: string }[]): void {
    this.objectProblems.reset();
    const counts = new Map<string, number>();
    for (const p of problems) counts.set(p.object, (counts.get(p.object) ?? 0) + 1);
    for (const [object, n] of counts) {
      const [kind = '', namespace = '', ...name] = object.split('/');
      this.objectProblems.set({ kind, namespace, name: name.join('/') }, n);
    }
  }

  /**
   * Where the per-endpoint series come from when they are read (the data
   * plane's own counters), instead of being counted connection by connection.
   */
  endpointSource?: () => { labels: EndpointLabels; active: number; total: number }[];

  text(): Promise<string> {
    if (this.endpointSource) {
      this.endpointConnectionsTotal.reset();
      this.endpointActiveConnections.reset();
      for (const { labels, active, total } of this.endpointSource()) {
        this.endpointConnectionsTotal.inc(labels, total);
        this.endpointActiveConnections.inc(labels, active);
      }
    }
    return this.registry.metrics();
  }
}

export interface MetricsServerOptions {
  /** `host:port`; kube-proxy's default is 127.0.0.1:10249. */
  bindAddress?: string;
  /** The mode `/proxyMode` reports (`userspace`, `nftables`, `iptables`, ...). */
  proxyMode: string;
  metrics: ProxyMetrics;
  /** The running configuration for `/configz` (kube-proxy registers it under its API group). */
  configz?: () => unknown;
  log?: Logger;
}

export const DEFAULT_METRICS_BIND_ADDRESS = '127.0.0.1:10249';

/** kube-proxy's metrics server (cmd/kube-proxy/app/server.go serveMetrics). */
export class MetricsServer {
  readonly server: Server;
  private readonly opts: MetricsServerOptions;
  private readonly log: Logger;

  private constructor(opts: MetricsServerOptions) {
    this.opts = opts;
    this.log = opts.log ?? silentLogger;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.log.error(err, 'Metrics request failed', { path: requestPath(req) });
        if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `${String(err)}\n`);
        else res.destroy();
      });
    });
  }

  /** Binds and serves; rejects with Go's wording when the address cannot be bound. */
  static async start(opts: MetricsServerOptions): Promise<MetricsServer> {
    const ms = new MetricsServer(opts);
    const addr = opts.bindAddress ?? DEFAULT_METRICS_BIND_ADDRESS;
    const { host, port } = listenAddress(addr);
    try {
      await listen(ms.server, host, port);
    } catch (err) {
      throw new Error(`starting metrics server failed: ${goListenError(addr, err)}`, { cause: err });
    }
    ms.log.v(3).info('Starting metrics server', { address: addr });
    return ms;
  }

  get port(): number {
    return boundPort(this.server);
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestPath(req);
    switch (path) {
      case '/metrics': {
        const body = await this.opts.metrics.text();
        send(res, 200, this.opts.metrics.registry.contentType, body);
        return;
      }
      case '/proxyMode':
        send(res, 200, 'text/plain; charset=utf-8', this.opts.proxyMode);
        return;
      case '/healthz':
      case '/healthz/ping': {
        // component-base's healthz with its one ping check.
        const verbose = new URL(req.url ?? '/', 'http://x').searchParams.has('verbose');
        const body = verbose && path === '/healthz' ? '[+]ping ok\nhealthz check passed\n' : 'ok';
        send(res, 200, 'text/plain; charset=utf-8', body);
        return;
      }
      case '/configz':
        if (this.opts.configz) {
          const body = JSON.stringify({ 'kubeproxy.config.k8s.io': this.opts.configz() });
          send(res, 200, 'application/json', body);
          return;
        }
        break;
    }
    sendNotFound(res);
  }
}
