/**
 * `svcnet dns`, assembled as CoreDNS's kubernetes plugin is: informers on
 * Services, EndpointSlices and Namespaces (and Pods with `pods verified`);
 * every change rebuilds the record index (a pure function, coalesced so a
 * burst of changes costs one rebuild) and swaps it in atomically; the
 * server answers from whatever index is current, forwarding the rest.
 * Until the first sync it answers SERVFAIL; after the startup timeout it
 * serves what it has.
 */
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { SharedInformerFactory } from '../client/informer.js';
import { EndpointSlices, Namespaces, Pods, Services } from '../client/resources.js';
import type { ApiClient, Informer } from '../client/types.js';
import type { Logger } from '../lib/log.js';
import { UpstreamForwarder } from './forward/forwarder.js';
import { buildIndex } from './index/build.js';
import { publishKubeDns } from './kubedns.js';
import { DnsMetrics, startHealthServer } from './metrics.js';
import { DnsServer } from './server/server.js';
import type { RecordIndex } from './types.js';

export interface DnsOptions {
  client: ApiClient;
  log: Logger;
  address: string;
  port: number;
  /** host:port of /health, /ready and /metrics ('' disables). */
  healthAddress: string;
  zones: string[];
  ttl: number;
  pods: 'disabled' | 'insecure' | 'verified';
  /** HOST:PORT; empty: the nameservers of /etc/resolv.conf. */
  upstreams: string[];
  startupTimeoutMs?: number;
  /** Publish this server as kube-system/kube-dns with this ClusterIP (as kubeadm's CoreDNS Service). */
  kubeDnsServiceIP?: string;
}

export interface Dns {
  readonly port: number;
  readonly healthPort?: number;
  /** Resolves once an index built after this call is serving (tests). */
  synced(): Promise<void>;
  stop(): Promise<void>;
}

const RETRIGGER = 'endpoints.kubernetes.io/last-change-trigger-time';

export async function startDns(opts: DnsOptions): Promise<Dns> {
  const log = opts.log;
  const metrics = new DnsMetrics();
  const factory = new SharedInformerFactory(opts.client, log);
  const services: Informer<Service> = factory.informer<Service>(Services);
  const slices: Informer<EndpointSlice> = factory.informer<EndpointSlice>(EndpointSlices);
  const namespaces: Informer<Namespace> = factory.informer<Namespace>(Namespaces);
  const pods: Informer<Pod> | undefined = opts.pods === 'verified' ? factory.informer<Pod>(Pods) : undefined;

  let index: RecordIndex | undefined;
  let dirty = false;
  let building = false;
  let waiters: (() => void)[] = [];
  /** Trigger times of slice changes not yet in the serving index. */
  let pendingTriggers: { kind: string; at: number }[] = [];

  // Objects the index leaves something of out: logged when new, counted while they last.
  let problemsSeen = new Set<string>();
  const reportProblems = (problems: readonly { object: string; message: string }[]) => {
    const seen = new Set<string>();
    for (const p of problems) {
      const key = `${p.object}\n${p.message}`;
      seen.add(key);
      if (!problemsSeen.has(key)) log.warn('Skipped', { object: p.object, problem: p.message });
    }
    problemsSeen = seen;
    metrics.setObjectProblems(problems);
  };

  // No index before every informer has listed (or the startup timeout passed): a partial
  // one would answer NXDOMAIN for names that exist. Until then, SERVFAIL.
  let started = false;
  const rebuild = () => {
    dirty = true;
    if (building || !started) return;
    building = true;
    setImmediate(() => {
      building = false;
      if (!dirty) return;
      dirty = false;
      const triggers = pendingTriggers;
      pendingTriggers = [];
      const waiting = waiters;
      waiters = [];
      try {
        const built = buildIndex({
          services: services.list(),
          slices: slices.list(),
          namespaces: namespaces.list(),
          pods: pods?.list(),
          // CoreDNS's SOA serial is the time of the last change.
          config: {
            // As kubeadm's Corefile: `kubernetes cluster.local in-addr.arpa ip6.arpa`.
            zones: [...opts.zones, 'in-addr.arpa', 'ip6.arpa'],
            ttl: opts.ttl,
            pods: opts.pods,
            serial: Math.floor(Date.now() / 1000),
            localIPs: [opts.address],
          },
        });
        reportProblems(built.problems());
        index = built;
      } catch (err) {
        log.error(err, 'Building the DNS index failed');
        return;
      }
      const now = Date.now();
      for (const t of triggers) metrics.observeProgramming(t.kind, (now - t.at) / 1000);
      for (const w of waiting) w();
      if (dirty) rebuild();
    });
  };
  const onSlice = (s: EndpointSlice) => {
    const t = Date.parse(s.metadata?.annotations?.[RETRIGGER] ?? '');
    if (!Number.isNaN(t)) {
      const svc = services.get(
        `${s.metadata?.namespace}/${s.metadata?.labels?.['kubernetes.io/service-name']}`,
      );
      pendingTriggers.push({
        kind: svc?.spec?.clusterIP === 'None' ? 'headless_with_selector' : 'cluster_ip',
        at: t,
      });
    }
    rebuild();
  };
  for (const inf of [services, namespaces, ...(pods ? [pods] : [])] as Informer<{ metadata?: object }>[])
    inf.addHandlers({ add: rebuild, update: rebuild, delete: rebuild });
  slices.addHandlers({ add: onSlice, update: (_o, s) => onSlice(s), delete: rebuild });

  const forwarder = new UpstreamForwarder({
    upstreams: opts.upstreams.length ? opts.upstreams : undefined,
    metrics,
    log,
    server: `dns://${opts.address}:${opts.port}`,
  });
  const server = new DnsServer({
    address: opts.address,
    port: opts.port,
    index: () => index && withReverseFallthrough(index),
    forwarder,
    metrics,
    log,
  });
  const { port } = await server.start();
  // /health, /ready and /metrics; an address in use is logged, not fatal (DNS is what matters).
  let health: { port: number; close(): Promise<void> | void } | undefined;
  if (opts.healthAddress) {
    const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(opts.healthAddress);
    if (!m) throw new Error(`--health-address ${opts.healthAddress}: want HOST:PORT`);
    try {
      health = await startHealthServer({
        address: m[1]!,
        port: Number(m[2]),
        ready: () => index !== undefined,
        metrics,
      });
    } catch (err) {
      log.error(err, 'Could not start the health and metrics server', { address: opts.healthAddress });
    }
  }

  factory.start();
  const synced = Promise.all([services, slices, namespaces, ...(pods ? [pods] : [])].map((i) => i.synced()));
  const timeout = new Promise<'timeout'>((r) =>
    setTimeout(() => r('timeout'), opts.startupTimeoutMs ?? 5000).unref(),
  );
  if ((await Promise.race([synced, timeout])) === 'timeout')
    log.warn('Starting to serve before the API was read in full', {
      timeoutMs: opts.startupTimeoutMs ?? 5000,
    });
  started = true;
  rebuild();
  // Reconciled until it succeeds: a failure (the API busy or restarting) is retried, never left for good.
  let publishing: NodeJS.Timeout | undefined;
  let stopped = false;
  const publish = async (attempt: number): Promise<void> => {
    const ip = opts.kubeDnsServiceIP;
    if (!ip || stopped) return;
    const target = { clusterIP: ip, address: opts.address, port, metricsPort: health?.port };
    if (await publishKubeDns(opts.client, target, log)) return;
    publishing = setTimeout(() => void publish(attempt + 1), Math.min(500 * 2 ** attempt, 30_000));
  };
  await publish(0);
  log.info('Serving DNS', {
    address: `${opts.address}:${port}`,
    zones: opts.zones.join(','),
    health: health?.port,
  });

  return {
    port,
    healthPort: health?.port,
    synced: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        rebuild();
      }),
    stop: async () => {
      stopped = true;
      clearTimeout(publishing);
      factory.stop();
      await server.stop();
      await health?.close();
    },
  };
}

/**
 * `fallthrough in-addr.arpa ip6.arpa`, as kubeadm configures CoreDNS: a
 * reverse name the cluster does not know goes upstream instead of NXDOMAIN.
 */
function withReverseFallthrough(index: RecordIndex): RecordIndex {
  const reverse = (name: string) => /\.(in-addr|ip6)\.arpa\.?$/i.test(name);
  return {
    inZone: (name) =>
      index.inZone(name) && !(reverse(name) && index.lookup({ name, type: 'PTR' }).rcode === 'NXDOMAIN'),
    lookup: (q) => index.lookup(q),
  };
}
