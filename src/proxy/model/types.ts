/**
 * The proxy's model: what one node must do for every Service port, computed
 * by a pure function from Services, EndpointSlices, the Node and the proxy
 * configuration, and shared by every backend (userspace now; nftables and
 * iptables next). Backends diff two NodeStates; they never read API objects.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** One endpoint of a service port, as the proxy uses it (pkg/proxy/endpoint.go). */
export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** The endpoint's node is this proxy's node. */
  isLocal: boolean;
  nodeName?: string;
  zone?: string;
  /** hints.forZones: the zones this endpoint is meant for (topology hints / PreferClose). */
  zoneHints?: string[];
}

export type FrontendKind = 'ClusterIP' | 'NodePort' | 'ExternalIP' | 'LoadBalancer';

/**
 * What a frontend does with new connections, decided here once and obeyed by
 * every backend (kube-proxy's verdicts, pkg/proxy/nftables/proxier.go):
 * - `serve`: to one of the frontend's endpoints;
 * - `reject`: refused at once (TCP RST, ICMP port unreachable): the service
 *   port has no usable endpoint anywhere;
 * - `drop`: discarded silently: a Local traffic policy and no local endpoint,
 *   while endpoints exist elsewhere in the cluster.
 */
export type FrontendAction = 'serve' | 'reject' | 'drop';

/** An address:port traffic arrives on, and the endpoints it may go to. */
export interface Frontend {
  kind: FrontendKind;
  ip: string;
  port: number;
  protocol: Protocol;
  action: FrontendAction;
  /**
   * Where new connections go (already categorised: ready, else serving-terminating;
   * traffic policy and topology applied). Non-empty exactly when action is `serve`.
   */
  endpoints: Endpoint[];
}

export interface SessionAffinity {
  /** sessionAffinityConfig.clientIP.timeoutSeconds (default 10800). */
  timeoutSeconds: number;
}

/** One port of one Service: `namespace/name:portName` (portName may be ''). */
export interface ServicePortState {
  /** `namespace/name:portName/PROTOCOL`, unique per service port. */
  key: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  frontends: Frontend[];
  sessionAffinity?: SessionAffinity;
  /** The scheduler this service asks for (annotation `svcnet.io/scheduler`), validated; else the proxy's. */
  scheduler?: string;
  /** LoadBalancer + externalTrafficPolicy Local: the health check node port, and how many local endpoints serve. */
  healthCheckNodePort?: number;
  localEndpointCount: number;
}

/** Everything the node must do. */
export interface NodeState {
  /** By ServicePortState.key. */
  services: Map<string, ServicePortState>;
  /** Problems with single objects (skipped, reported, never failing the rest). */
  problems: { object: string; message: string }[];
}
