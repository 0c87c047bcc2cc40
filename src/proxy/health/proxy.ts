/**
 * kube-proxy's own health server (pkg/proxy/healthcheck/proxy_health.go):
 * `/healthz` and `/livez` on healthzBindAddress. The proxy is unhealthy when
 * an update was queued and not applied within healthTimeout (2 × syncPeriod,
 * as cmd/kube-proxy sets it); `/healthz` is also 503 while the Node is being
 * deleted or carries the cluster autoscaler's ToBeDeleted taint, so load
 * balancers drain the node first.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Node } from 'kubernetes-types/core/v1.js';
import { goQuote } from '../../k8s/gofmt.js';
import { type Logger, silentLogger } from '../../lib/log.js';
import type { ProxyMetrics } from '../metrics.js';
import {
  boundPort,
  type Clock,
  closeServer,
  goListenError,
  goTimeString,
  listen,
  listenAddress,
  requestPath,
  send,
  sendNotFound,
  systemClock,
} from './http.js';

/** The taint the cluster autoscaler puts on a node before deleting it. */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

export const DEFAULT_HEALTHZ_BIND_ADDRESS = '0.0.0.0:10256';

export type IPFamily = 'IPv4' | 'IPv6';

export interface ProxyHealthOptions {
  /** `host:port`; kube-proxy's default is 0.0.0.0:10256. */
  bindAddress?: string;
  /** How long a queued update may wait before the proxy is unhealthy: 2 × syncPeriod upstream. */
  healthTimeoutMs: number;
  clock?: Clock;
  /** Counts answers in kubeproxy_proxy_healthz_total / kubeproxy_proxy_livez_total. */
  metrics?: ProxyMetrics;
  log?: Logger;
}

/** The proxy's health: healthy, and the most recent successful update (epoch ms; undefined: never). */
export interface ProxyHealth {
  healthy: boolean;
  lastUpdated?: number;
}

/** Whether a Node may receive load-balanced traffic: not being deleted, not tainted for deletion. */
export function nodeEligible(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.metadata?.deletionTimestamp) return false;
  return !(node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
}

export class ProxyHealthServer {
  private readonly opts: ProxyHealthOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Per IP family: the last successful update, and the oldest update queued since. */
  private readonly lastUpdated = new Map<IPFamily, number>();
  private readonly oldestPendingQueued = new Map<IPFamily, number>();
  // Eligible while starting up, until a Node event says otherwise (as upstream).
  private eligible = true;
  private server?: Server;

  constructor(opts: ProxyHealthOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
  }

  /** The proxier for `family` has applied everything it was given. */
  updated(family: IPFamily = 'IPv4'): void {
    this.oldestPendingQueued.delete(family);
    this.lastUpdated.set(family, this.clock.now());
  }

  /** The proxier for `family` received a change it has not applied yet; the oldest such time counts. */
  queuedUpdate(family: IPFamily = 'IPv4'): void {
    if (!this.oldestPendingQueued.has(family)) this.oldestPendingQueued.set(family, this.clock.now());
  }

  /** Feeds this proxy's Node (undefined: the Node was deleted). */
  setNode(node: Node | undefined): void {
    this.eligible = nodeEligible(node);
  }

  nodeEligible(): boolean {
    return this.eligible;
  }

  /**
   * Healthy unless some family with an update on record has had an update
   * queued for healthTimeout or longer; lastUpdated is that family's last
   * update when unhealthy, else the newest of all.
   */
  health(): ProxyHealth {
    const now = this.clock.now();
    let newest: number | undefined;
    for (const [family, last] of this.lastUpdated) {
      if (newest === undefined || last > newest) newest = last;
      const queued = this.oldestPendingQueued.get(family);
      if (queued === undefined || now - queued < this.opts.healthTimeoutMs) continue;
      return { healthy: false, lastUpdated: last };
    }
    return { healthy: true, lastUpdated: newest };
  }

  /** The proxy's health ignoring the Node, as the service health checks use it. */
  isHealthy(): boolean {
    return this.health().healthy;
  }

  /** The HTTP handler (exposed so it can be mounted elsewhere or tested without a socket). */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = requestPath(req);
    if (path === '/healthz') this.answer(res, true);
    else if (path === '/livez') this.answer(res, false);
    else sendNotFound(res);
  }

  private answer(res: ServerResponse, withNode: boolean): void {
    const eligible = this.eligible;
    const h = this.health();
    const now = this.clock.now();
    const healthy = h.healthy && (!withNode || eligible);
    const code = healthy ? 200 : 503;
    (withNode ? this.opts.metrics?.proxyHealthzTotal : this.opts.metrics?.proxyLivezTotal)?.inc({
      code: String(code),
    });
    // A healthy answer reports "now" as lastUpdated, as older releases did.
    const lastUpdated = healthy ? now : h.lastUpdated;
    let body = `{"lastUpdated": ${goQuote(goTimeString(lastUpdated))},"currentTime": ${goQuote(goTimeString(now))}`;
    body += withNode ? `, "nodeEligible": ${eligible}}` : '}';
    send(res, code, 'application/json', body);
  }

  /** Binds healthzBindAddress and serves; rejects with upstream's message if it cannot bind. */
  async start(): Promise<void> {
    if (this.server) return;
    const addr = this.opts.bindAddress ?? DEFAULT_HEALTHZ_BIND_ADDRESS;
    const { host, port } = listenAddress(addr);
    const server = createServer((req, res) => this.handle(req, res));
    try {
      await listen(server, host, port);
    } catch (err) {
      throw new Error(`failed to start proxy healthz on ${addr}: ${goListenError(addr, err)}`, {
        cause: err,
      });
    }
    this.server = server;
    this.log.v(3).info('Starting healthz HTTP server', { address: addr });
  }

  /** The bound port (useful with port 0); 0 when not serving. */
  get port(): number {
    return this.server ? boundPort(this.server) : 0;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await closeServer(s);
  }
}
