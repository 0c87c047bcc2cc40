/**
 * CoreDNS's Prometheus metrics (plugin/metrics, plugin/cache, plugin/forward,
 * plugin/kubernetes) on a registry of our own, and the HTTP endpoints CoreDNS
 * serves for operations: /health (plugin/health), /ready (plugin/ready) and
 * /metrics (plugin/metrics), here on one listener.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** plugin.TimeBuckets: 0.25 ms doubling to about 8 s. */
const TIME_BUCKETS = exponential(0.00025, 2, 16);
/** The request/response size buckets of plugin/metrics/vars. */
const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];
/** plugin/kubernetes/object: 1 ms doubling to about 524 s. */
const PROGRAMMING_BUCKETS = exponential(0.001, 2, 20);

function exponential(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(12)));
}

/** The query types CoreDNS labels by name; everything else is "other". */
const MONITORED_TYPES = new Set([
  'A',
  'AAAA',
  'NS',
  'PTR',
  'SRV',
  'CNAME',
  'MX',
  'TXT',
  'SOA',
  'DS',
  'DNSKEY',
  'RRSIG',
  'NSEC',
  'NSEC3',
  'HTTPS',
  'IXFR',
  'AXFR',
  'ANY',
]);

export function typeLabel(qtype: string): string {
  if (qtype === 'UNKNOWN_65') return 'HTTPS'; // dns-packet has no name for it
  return MONITORED_TYPES.has(qtype) ? qtype : 'other';
}

/** One answered query, as the server reports it. */
export interface QueryReport {
  /** `dns://<bind>:<port>`. */
  server: string;
  /** The server block zone that handled it ("." here), or "dropped". */
  zone: string;
  proto: 'udp' | 'tcp';
  family: 1 | 2;
  qtype: string;
  rcode: string;
  /** The plugin that wrote the reply: "kubernetes", "forward", or "" when the server did. */
  plugin: string;
  seconds: number;
  requestBytes: number;
  responseBytes: number;
  dnssecOk: boolean;
}

export interface DnsMetricsOptions {
  /** Also export Node's process_* and nodejs_* metrics (CoreDNS exports Go's). */
  defaultMetrics?: boolean;
}

export class DnsMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'server' | 'zone' | 'view' | 'proto' | 'family' | 'type'>;
  readonly responses: Counter<'server' | 'zone' | 'view' | 'rcode' | 'plugin'>;
  readonly duration: Histogram<'server' | 'zone' | 'view' | 'type'>;
  readonly requestSize: Histogram<'server' | 'zone' | 'view' | 'proto'>;
  readonly responseSize: Histogram<'server' | 'zone' | 'view' | 'proto'>;
  readonly doRequests: Counter<'server' | 'view' | 'zone'>;
  readonly programming: Histogram<'service_kind'>;
  readonly cacheEntries: Gauge<'server' | 'type' | 'zones' | 'view'>;
  readonly cacheRequests: Counter<'server' | 'zones' | 'view'>;
  readonly cacheHits: Counter<'server' | 'type' | 'zones' | 'view'>;
  readonly cacheMisses: Counter<'server' | 'zones' | 'view'>;
  readonly forwardRequests: Counter<'to'>;
  readonly forwardResponses: Counter<'to' | 'rcode'>;
  readonly forwardDuration: Histogram<'to' | 'rcode'>;
  readonly forwardBroken: Counter;
  readonly forwardMaxConcurrentRejects: Counter;
  /** svcnet's own: what the index leaves out of an object (an address that does not parse). */
  readonly objectProblems: Gauge<'kind' | 'namespace' | 'name'>;

  constructor(opts: DnsMetricsOptions = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'coredns_dns_requests_total',
      help: 'Counter of DNS requests made per zone, protocol and family.',
      labelNames: ['server', 'zone', 'view', 'proto', 'family', 'type'],
      registers,
    });
    this.responses = new Counter({
      name: 'coredns_dns_responses_total',
      help: 'Counter of response status codes.',
      labelNames: ['server', 'zone', 'view', 'rcode', 'plugin'],
      registers,
    });
    this.duration = new Histogram({
      name: 'coredns_dns_request_duration_seconds',
      help: 'Histogram of the time (in seconds) each request took per zone.',
      labelNames: ['server', 'zone', 'view', 'type'],
      buckets: TIME_BUCKETS,
      registers,
    });
    this.requestSize = new Histogram({
      name: 'coredns_dns_request_size_bytes',
      help: 'Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.',
      labelNames: ['server', 'zone', 'view', 'proto'],
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.responseSize = new Histogram({
      name: 'coredns_dns_response_size_bytes',
      help: 'Size of the returned response in bytes.',
      labelNames: ['server', 'zone', 'view', 'proto'],
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.doRequests = new Counter({
      name: 'coredns_dns_do_requests_total',
      help: 'Counter of DNS requests with DO bit set per zone.',
      labelNames: ['server', 'view', 'zone'],
      registers,
    });
    this.programming = new Histogram({
      name: 'coredns_kubernetes_dns_programming_duration_seconds',
      help: 'Histogram of the time (in seconds) it took to program a dns instance.',
      labelNames: ['service_kind'],
      buckets: PROGRAMMING_BUCKETS,
      registers,
    });
    this.cacheEntries = new Gauge({
      name: 'coredns_cache_entries',
      help: 'The number of elements in the cache.',
      labelNames: ['server', 'type', 'zones', 'view'],
      registers,
    });
    this.cacheRequests = new Counter({
      name: 'coredns_cache_requests_total',
      help: 'The count of cache requests.',
      labelNames: ['server', 'zones', 'view'],
      registers,
    });
    this.cacheHits = new Counter({
      name: 'coredns_cache_hits_total',
      help: 'The count of cache hits.',
      labelNames: ['server', 'type', 'zones', 'view'],
      registers,
    });
    this.cacheMisses = new Counter({
      name: 'coredns_cache_misses_total',
      help: 'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.',
      labelNames: ['server', 'zones', 'view'],
      registers,
    });
    this.forwardRequests = new Counter({
      name: 'coredns_forward_requests_total',
      help: 'Counter of requests made per upstream.',
      labelNames: ['to'],
      registers,
    });
    this.forwardResponses = new Counter({
      name: 'coredns_forward_responses_total',
      help: 'Counter of responses received per upstream.',
      labelNames: ['to', 'rcode'],
      registers,
    });
    this.forwardDuration = new Histogram({
      name: 'coredns_forward_request_duration_seconds',
      help: 'Histogram of the time each request took.',
      labelNames: ['to', 'rcode'],
      buckets: TIME_BUCKETS,
      registers,
    });
    this.forwardBroken = new Counter({
      name: 'coredns_forward_healthcheck_broken_total',
      help: 'Counter of the number of complete failures of the healthchecks.',
      registers,
    });
    this.forwardMaxConcurrentRejects = new Counter({
      name: 'coredns_forward_max_concurrent_rejects_total',
      help: 'Counter of the number of queries rejected because the concurrent queries were at maximum.',
      registers,
    });
    this.objectProblems = new Gauge({
      name: 'svcnet_dns_object_problems',
      help: 'Problems with one API object in the serving index (an address that does not parse): it has no record',
      labelNames: ['kind', 'namespace', 'name'],
      registers,
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Replaces the problem counts with those of the serving index (objects named `Kind/namespace/name`). */
  setObjectProblems(problems: readonly { object: string }[]): void {
    this.objectProblems.reset();
    const counts = new Map<string, number>();
    for (const p of problems) counts.set(p.object, (counts.get(p.object) ?? 0) + 1);
    for (const [object, n] of counts) {
      const [kind = '', namespace = '', ...name] = object.split('/');
      this.objectProblems.set({ kind, namespace, name: name.join('/') }, n);
    }
  }

  /** Records one answered query (plugin/metrics/vars.Report). */
  report(r: QueryReport): void {
    const type = typeLabel(r.qtype);
    const view = '';
    this.requests.inc({
      server: r.server,
      zone: r.zone,
      view,
      proto: r.proto,
      family: String(r.family),
      type,
    });
    this.duration.observe({ server: r.server, zone: r.zone, view, type }, r.seconds);
    this.requestSize.observe({ server: r.server, zone: r.zone, view, proto: r.proto }, r.requestBytes);
    this.responseSize.observe({ server: r.server, zone: r.zone, view, proto: r.proto }, r.responseBytes);
    this.responses.inc({ server: r.server, zone: r.zone, view, rcode: r.rcode, plugin: r.plugin });
    if (r.dnssecOk) this.doRequests.inc({ server: r.server, view, zone: r.zone });
  }

  /**
   * DNS programming latency: now minus the EndpointSlice's
   * endpoints.kubernetes.io/last-change-trigger-time, per service kind
   * ("cluster_ip", "headless_with_selector", "headless_without_selector").
   */
  observeProgramming(serviceKind: string, seconds: number): void {
    this.programming.observe({ service_kind: serviceKind }, seconds);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

export interface HealthServerOptions {
  address: string;
  /** 0 picks a free port. */
  port: number;
  /** Whether the server has synced; /ready answers 503 until it has. */
  ready: () => boolean;
  metrics?: DnsMetrics;
  /** What /ready lists when not ready (plugin/ready prints the plugins not ready yet). */
  notReady?: string;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Serves /health ("OK"), /ready (200 "OK" or 503 with what is not ready) and /metrics. */
export function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (path === '/health') return send(200, 'OK');
    if (path === '/ready') {
      return opts.ready() ? send(200, 'OK') : send(503, opts.notReady ?? 'kubernetes');
    }
    if (path === '/metrics' && opts.metrics) {
      const registry = opts.metrics.registry;
      registry.metrics().then(
        (text) => send(200, text, registry.contentType),
        (err: unknown) => send(500, String(err)),
      );
      return;
    }
    send(404, '404 page not found\n');
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.address, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
