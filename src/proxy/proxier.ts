/**
 * The proxier, as kube-proxy's (pkg/proxy/nftables/proxier.go) minus the
 * data plane: informer events go through its handlers into change trackers;
 * a change asks its bounded-frequency runner for a sync; a sync builds the
 * node's desired state with the pure model, hands all of it to the backend
 * through the ProxyBackend interface, and reports the outcome to the health
 * servers and metrics. It owns no sockets and no rules itself.
 */
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { keyOf } from '../client/types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { ApplyResult, ProxyBackend } from './backend.js';
import type { ProxyHealthServer } from './health/proxy.js';
import type { ServiceHealthServer } from './health/service.js';
import type { EndpointLabels, ProxyMetrics } from './metrics.js';
import { buildNodeState } from './model/build.js';
import { PromptSyncs, sliceServiceKey } from './model/prompt.js';
import { EndpointSliceChangeTracker, ServiceChangeTracker } from './model/trackers.js';
import type { NodeState } from './model/types.js';
import { BoundedFrequencyRunner } from './runner.js';

/** Where a sync reads the current objects from (the informers' caches). */
export interface ProxierSource {
  services(): Service[];
  slices(): EndpointSlice[];
  node(): Node | undefined;
  /** One Service by `namespace/name`. */
  service(key: string): Service | undefined;
  /** The EndpointSlices of one Service. */
  slicesOf(namespace: string, name: string): EndpointSlice[];
}

export interface ProxierOptions {
  backend: ProxyBackend;
  source: ProxierSource;
  log: Logger;
  nodeName: string;
  /** The node's addresses; default: its Node's InternalIP/ExternalIP addresses. */
  nodeIPs?: string[];
  nodePortAddresses: string[];
  scheduler: string;
  proxyName?: string;
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  metrics: ProxyMetrics;
  health: ProxyHealthServer;
  serviceHealth: ServiceHealthServer;
  /** The runner's clock (tests). */
  clock?: Clock;
}

/** Frontend error reasons counted per service port rather than listed per frontend. */
const COUNTED_REASONS = new Set(['ServiceFrontendLimit', 'DescriptorReserve', 'EMFILE', 'ENFILE']);

export const nodeAddresses = (node: Node | undefined): string[] =>
  (node?.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
    .map((a) => a.address);

export class Proxier {
  private readonly serviceTracker: ServiceChangeTracker;
  private readonly sliceTracker: EndpointSliceChangeTracker;
  private readonly runner: BoundedFrequencyRunner;
  private current: NodeState | undefined;
  private waiters: (() => void)[] = [];
  private readonly prompt: PromptSyncs;
  /** The Node's labels and addresses at the last sync they asked for. */
  private nodeSeen: string | undefined;
  /** The last sync's problems, so a persisting one is logged once. */
  private problemsSeen = new Set<string>();

  constructor(private readonly opts: ProxierOptions) {
    this.serviceTracker = new ServiceChangeTracker({ proxyName: opts.proxyName });
    this.sliceTracker = new EndpointSliceChangeTracker({ proxyName: opts.proxyName });
    this.prompt = new PromptSyncs(opts.proxyName);
    this.runner = new BoundedFrequencyRunner(
      'sync-runner',
      () => this.syncProxyRules(),
      opts.minSyncPeriodMs,
      opts.syncPeriodMs,
      {
        log: opts.log,
        clock: opts.clock,
        onError: (err) => opts.log.error(err, 'Sync failed; will retry'),
        // kube-proxy's burstSyncs: a Service's creation and its first endpoints, a moment apart, both sync at once.
        burst: 2,
      },
    );
    opts.metrics.endpointSource = () => this.endpointSeries();
  }

  get mode(): string {
    return this.opts.backend.mode;
  }

  /** The state of the last successful sync. */
  state(): NodeState | undefined {
    return this.current;
  }

  onServiceChange(previous: Service | undefined, current: Service | undefined): void {
    if (!current && previous) this.prompt.forget(keyOf(previous));
    if (!this.serviceTracker.update(previous, current)) return;
    const { source } = this.opts;
    const opens =
      current !== undefined &&
      this.prompt.opens(current, () =>
        source.slicesOf(current.metadata?.namespace ?? '', current.metadata?.name ?? ''),
      );
    this.sync(opens);
  }

  onEndpointSliceChange(previous: EndpointSlice | undefined, current: EndpointSlice | undefined): void {
    if (!this.sliceTracker.update(previous, current)) return;
    const key = current && sliceServiceKey(current);
    this.sync(key !== undefined && this.prompt.opens(this.opts.source.service(key), () => [current!]));
  }

  /** Our Node changed (undefined: deleted): its labels (zone) and addresses feed the model. */
  onNodeChange(node: Node | undefined): void {
    this.opts.health.setNode(node);
    // As upstream's OnNodeUpdate: only what the model reads from the Node (its labels, for topology,
    // and its addresses) calls for a sync; a status heartbeat every 10 s does not.
    const seen = node && JSON.stringify([node.metadata?.labels ?? {}, node.status?.addresses ?? []]);
    if (!node || seen === this.nodeSeen) return;
    this.nodeSeen = seen;
    this.sync();
  }

  /**
   * Asks for a sync as soon as the runner allows (upstream's Proxier.Sync);
   * `promptly`: a change that lets a refusing Service carry traffic (model/prompt.ts).
   */
  sync(promptly = false): void {
    this.opts.health.queuedUpdate();
    this.opts.metrics.queued(Date.now());
    if (promptly) this.runner.runPromptly();
    else this.runner.run();
  }

  /** Starts the periodic loop and the first sync (upstream's SyncLoop). */
  start(): void {
    this.runner.start();
    this.runner.run();
  }

  /** Resolves after the next sync has been applied. */
  synced(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.runner.run();
    });
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    this.waiters = [];
    await this.opts.backend.stop();
  }

  /** One sync: model → backend → health and metrics. */
  async syncProxyRules(): Promise<void> {
    const { opts } = this;
    const start = performance.now();
    const node = opts.source.node();
    const serviceChanges = this.serviceTracker.take();
    const endpointChanges = this.sliceTracker.take();
    const state = buildNodeState({
      services: opts.source.services(),
      slices: opts.source.slices(),
      node,
      nodeName: opts.nodeName,
      nodeIPs: opts.nodeIPs ?? nodeAddresses(node),
      config: {
        nodePortAddresses: opts.nodePortAddresses,
        defaultScheduler: opts.scheduler,
        proxyName: opts.proxyName,
      },
    });
    this.reportProblems(state);
    const result = await opts.backend.apply(state);
    this.prompt.synced(
      new Set(
        [...state.services.values()]
          .filter((s) => s.frontends.some((f) => f.action === 'serve'))
          .map((s) => `${s.namespace}/${s.name}`),
      ),
    );
    this.reportFrontendErrors(state, result);
    this.reportNoLocalEndpoints(state);
    await this.syncHealthChecks(state);
    this.current = state;
    const now = Date.now();
    for (const times of endpointChanges.lastChangeTriggerTimes.values())
      for (const t of times) opts.metrics.networkProgrammingLatency.observe((now - t) / 1000);
    opts.metrics.observeSync((performance.now() - start) / 1000, 'full');
    opts.metrics.synced(now);
    opts.health.updated();
    opts.log.v(2).info('Synced', {
      servicePorts: state.services.size,
      applied: result.applied,
      failed: result.failed.length,
      serviceChanges: serviceChanges.length,
      endpointChanges: endpointChanges.services.length,
    });
    for (const w of this.waiters.splice(0)) w();
  }

  /** Problems with single objects: logged when new, counted per object in a metric every sync. */
  private reportProblems(state: NodeState): void {
    const seen = new Set<string>();
    for (const p of state.problems) {
      const key = `${p.object}\n${p.message}`;
      seen.add(key);
      if (!this.problemsSeen.has(key))
        this.opts.log.warn('Skipped', { object: p.object, problem: p.message });
    }
    this.problemsSeen = seen;
    this.opts.metrics.setObjectProblems(state.problems);
  }

  /**
   * One series per failing frontend; frontends left out for want of
   * descriptors or over the per-Service cap are counted in one series per
   * service port (frontend ""), so a huge Service does not make huge metrics.
   */
  private reportFrontendErrors(state: NodeState, result: ApplyResult): void {
    const unsupported = new Set(result.unsupported);
    this.opts.metrics.setFrontendErrors(
      [...result.failed, ...result.unsupported].map((f) => {
        const s = state.services.get(f.service);
        return {
          namespace: s?.namespace ?? '',
          service: s?.name ?? f.service,
          port: s?.portName ?? '',
          frontend: f.code && COUNTED_REASONS.has(f.code) ? '' : f.frontend,
          reason: f.code ?? (unsupported.has(f) ? 'UnsupportedProtocol' : f.kind),
        };
      }),
    );
  }

  /** Service ports with a Local policy and no local endpoint (their frontends drop), as upstream counts them. */
  private reportNoLocalEndpoints(state: NodeState): void {
    let internal = 0;
    let external = 0;
    for (const s of state.services.values()) {
      const drops = s.frontends.filter((f) => f.action === 'drop');
      if (drops.some((f) => f.kind === 'ClusterIP')) internal++;
      if (drops.some((f) => f.kind !== 'ClusterIP')) external++;
    }
    this.opts.metrics.noLocalEndpointsTotal.set({ traffic_policy: 'internal' }, internal);
    this.opts.metrics.noLocalEndpointsTotal.set({ traffic_policy: 'external' }, external);
  }

  private async syncHealthChecks(state: NodeState): Promise<void> {
    const ports = new Map<string, number>();
    const local = new Map<string, number>();
    for (const s of state.services.values()) {
      const key = `${s.namespace}/${s.name}`;
      if (s.healthCheckNodePort) {
        ports.set(key, s.healthCheckNodePort);
        local.set(key, Math.max(local.get(key) ?? 0, s.localEndpointCount));
      }
    }
    await this.opts.serviceHealth.syncServices(ports);
    this.opts.serviceHealth.syncEndpoints(local);
  }

  /** Per-endpoint series: the backend's counters summed over a service port's frontends. */
  private endpointSeries(): { labels: EndpointLabels; active: number; total: number }[] {
    const sums = new Map<string, { labels: EndpointLabels; active: number; total: number }>();
    for (const e of this.opts.backend.stats().endpoints) {
      const svc = this.current?.services.get(e.service);
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
  }
}
