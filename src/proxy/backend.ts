/**
 * The seam between the proxy and its data planes. A backend is handed the
 * node's whole desired state (the pure model's NodeState) on every sync and
 * makes the data plane match it; it decides nothing the model decided (which
 * endpoints a frontend may use, whether it serves, rejects or drops). The
 * userspace backend implements it now; nftables and iptables backends will
 * implement the same interface (and may diff internally to program only what
 * changed: the contract stays "here is everything that must hold").
 */
import type { Logger } from '../lib/log.js';
import type { SchedulerName } from './model/names.js';
import type { Frontend, NodeState, Protocol, ServicePortState } from './model/types.js';

/** A frontend that is not in effect, and why. */
export interface FrontendProblem {
  /** ServicePortState.key */
  service: string;
  /** frontendKey(): `PROTOCOL/ip:port`. */
  frontend: string;
  kind: Frontend['kind'];
  message: string;
  /** errno code of a bind error (EACCES, EADDRINUSE, ...). */
  code?: string;
}

export interface ApplyResult {
  /** Frontends whose action (serve, reject or drop) is in effect after this apply. */
  applied: number;
  /** Frontends that could not be programmed; retried on the next apply. */
  failed: FrontendProblem[];
  /** Frontends this backend cannot carry at all (e.g. SCTP in userspace). */
  unsupported: FrontendProblem[];
}

/** Traffic through one frontend to one endpoint. */
export interface EndpointStats {
  service: string;
  frontend: string;
  /** `ip:port` (`[ip]:port` for IPv6). */
  endpoint: string;
  /** Open TCP connections. */
  active: number;
  /** Live UDP flows. */
  inactive: number;
  /** Connections (TCP) and flows (UDP) ever made through this frontend to this endpoint. */
  total: number;
}

export interface FrontendStats {
  service: string;
  frontend: string;
  /** Connections refused / datagrams discarded for want of a usable endpoint while serving. */
  rejected: number;
  /** Connections / datagrams discarded because the frontend's action is `drop`. */
  dropped: number;
}

export interface BackendStats {
  endpoints: EndpointStats[];
  frontends: FrontendStats[];
}

/** What a client sees from a frontend whose action is `drop`. */
export type DropBehaviour = 'silent' | 'refused';

/** What a backend can do, so the proxy and the conformance suite never guess. */
export interface BackendCapabilities {
  /** Schedulers honoured per service (others fall back to the backend's default). */
  schedulers: readonly SchedulerName[];
  protocols: readonly Protocol[];
  /** `drop` per protocol: `silent` is a real drop; `refused` is a reject (a backend's limitation). */
  drop: Readonly<Record<'TCP' | 'UDP', DropBehaviour>>;
}

export interface ProxyBackend {
  /** `/proxyMode` and the mode label of logs and metrics: `userspace`, `nftables`, ... */
  readonly mode: string;
  readonly capabilities: BackendCapabilities;
  /** Makes the data plane match `state` (every service port of the node). Applies are serialised. */
  apply(state: Pick<NodeState, 'services'>): Promise<ApplyResult>;
  /** Traffic counters of what is in effect. */
  stats(): BackendStats;
  /** Removes what the backend programmed and ends what it holds open. */
  stop(): Promise<void>;
}

/** What every backend is built from. */
export interface BackendOptions {
  log: Logger;
  /** The proxy-wide scheduler (`--ipvs-scheduler`); a service may ask for another. */
  defaultScheduler: string;
  /**
   * Called when a frontend cannot be programmed, once per new or changed error
   * (not for want of descriptors: see onServiceFrontendsLimited).
   */
  onFrontendError?: (fe: Frontend, err: Error, svc: ServicePortState) => void;
  /**
   * Called when some of a Service's frontends are not served, over the
   * per-Service cap (`TooManyFrontends`) or for want of file descriptors
   * (`FailedToListen`): once per Service, reason and new message.
   */
  onServiceFrontendsLimited?: (
    service: { namespace: string; name: string },
    reason: 'TooManyFrontends' | 'FailedToListen',
    message: string,
  ) => void;
  /** Listener backends: the most listeners one Service may have (unset or 0: 1/16 of the descriptor limit). */
  maxFrontendsPerService?: number;
  /** Listener backends: descriptors new listeners leave free (unset: 1/8 of the limit, at least 32). */
  reserveDescriptors?: number;
  /** Clock for session affinity, where the backend keeps it itself (tests). */
  now?: () => number;
  /** Userspace: a UDP flow idle this long is forgotten (default 60 s). */
  udpIdleTimeoutMs?: number;
}
