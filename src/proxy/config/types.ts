/**
 * The proxy's resolved configuration: a KubeProxyConfiguration
 * (kubeproxy.config.k8s.io/v1alpha1) after defaulting, with durations in
 * milliseconds and the mode-specific sync periods picked for the mode, as
 * kube-proxy's conversion to its internal type does.
 */

/** kube-proxy's modes; svcnet runs `userspace` (the kernel modes come later). */
export type ProxyMode = 'userspace' | 'iptables' | 'ipvs' | 'nftables' | 'kernelspace';

export interface ClientConnectionConfig {
  kubeconfig: string;
  acceptContentTypes: string;
  contentType: string;
  qps: number;
  burst: number;
}

export interface LoggingConfig {
  format: string;
  flushFrequencyMs: number;
  verbosity: number;
}

export interface ConntrackConfig {
  maxPerCore: number;
  min: number;
  tcpEstablishedTimeoutMs: number;
  tcpCloseWaitTimeoutMs: number;
  tcpBeLiberal: boolean;
  udpTimeoutMs: number;
  udpStreamTimeoutMs: number;
}

export interface ProxyConfig {
  featureGates: Record<string, boolean>;
  clientConnection: ClientConnectionConfig;
  logging: LoggingConfig;
  hostnameOverride: string;
  bindAddress: string;
  /** host:port; '' disables the health server. */
  healthzBindAddress: string;
  metricsBindAddress: string;
  bindAddressHardFail: boolean;
  enableProfiling: boolean;
  showHiddenMetricsForVersion: string;
  mode: ProxyMode | string;
  /** From the section of the mode (iptables for userspace), as upstream's conversion. */
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  /** ipvs.scheduler ('' → random): the proxy-wide scheduler. */
  scheduler: string;
  iptables: { masqueradeBit: number; masqueradeAll: boolean; localhostNodePorts: boolean };
  ipvs: {
    excludeCIDRs: string[];
    strictARP: boolean;
    tcpTimeoutMs: number;
    tcpFinTimeoutMs: number;
    udpTimeoutMs: number;
  };
  nftables: { masqueradeBit: number; masqueradeAll: boolean };
  detectLocalMode: string;
  detectLocal: { bridgeInterface: string; interfaceNamePrefix: string };
  /** Comma-separated, one CIDR per family. */
  clusterCIDR: string;
  /** CIDRs, or the single keyword 'primary'. */
  nodePortAddresses: string[];
  oomScoreAdj: number;
  conntrack: ConntrackConfig;
  configSyncPeriodMs: number;
  portRange: string;
}

/** Command-line values: only those given; nested sections may be partial. */
export type ProxyFlags = {
  [K in keyof ProxyConfig]?: ProxyConfig[K] extends readonly unknown[]
    ? ProxyConfig[K]
    : ProxyConfig[K] extends object
      ? Partial<ProxyConfig[K]>
      : ProxyConfig[K];
};

export const API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';
export const KIND = 'KubeProxyConfiguration';
export const PROXY_HEALTHZ_PORT = 10256;
export const PROXY_STATUS_PORT = 10249;
/** Modes this version runs. */
export const SUPPORTED_MODES: readonly string[] = ['userspace'];
/** Modes kube-proxy knows that this version does not run yet. */
export const KNOWN_UNSUPPORTED_MODES: readonly string[] = ['iptables', 'ipvs', 'nftables', 'kernelspace'];
