/**
 * Defaulting, as SetDefaults_KubeProxyConfiguration (v1alpha1) plus the
 * conversion to kube-proxy's internal type and its platform defaults: zero
 * values take defaults, pointer fields only when absent; syncPeriod and
 * minSyncPeriod come from the section of the mode. Ours: mode '' → userspace,
 * ipvs.scheduler '' → random.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ipFamilyOf, joinHostPort, splitHostPort } from '../../k8s/ip.js';
import type { RawConfig } from './decode.js';
import { PROXY_HEALTHZ_PORT, PROXY_STATUS_PORT, type ProxyConfig } from './types.js';

const SECOND = 1000;

/** The configuration with no file and no flags. */
export function defaultProxyConfig(): ProxyConfig {
  return applyDefaults({});
}

/** A decoded v1alpha1 document (see decode.ts; durations in ns) → a defaulted ProxyConfig. */
export function applyDefaults(raw: RawConfig): ProxyConfig {
  const sec = (name: string): RawConfig => (raw[name] as RawConfig | undefined) ?? {};
  const str = (o: RawConfig, k: string): string => (o[k] as string | undefined) ?? '';
  const bool = (o: RawConfig, k: string): boolean => (o[k] as boolean | undefined) ?? false;
  const num = (o: RawConfig, k: string): number | undefined => o[k] as number | undefined;
  /** A nanosecond duration as ms; zero/absent → dflt (metav1.Duration, not a pointer). */
  const dur = (o: RawConfig, k: string, dflt = 0): number => {
    const ns = num(o, k) ?? 0;
    return ns === 0 ? dflt : ns / 1e6;
  };
  /** A *metav1.Duration: only absent takes the default. */
  const durPtr = (o: RawConfig, k: string, dflt: number): number => {
    const ns = num(o, k);
    return ns === undefined ? dflt : ns / 1e6;
  };

  const bindAddress = str(raw, 'bindAddress') || '0.0.0.0';
  const v4 = isIPv4(bindAddress) || !isIPv6(bindAddress);
  const healthz = str(raw, 'healthzBindAddress');
  const metrics = str(raw, 'metricsBindAddress');
  const mode = str(raw, 'mode') || 'userspace';
  const ipt = sec('iptables');
  const ipvs = sec('ipvs');
  const nft = sec('nftables');
  // Upstream's conversion picks the sync periods of the mode's own section.
  const [syncPeriodMs, minSyncPeriodMs] =
    mode === 'ipvs'
      ? [dur(ipvs, 'syncPeriod', 30 * SECOND), dur(ipvs, 'minSyncPeriod')]
      : mode === 'nftables'
        ? [dur(nft, 'syncPeriod', 30 * SECOND), dur(nft, 'minSyncPeriod', SECOND)]
        : [dur(ipt, 'syncPeriod', 30 * SECOND), dur(ipt, 'minSyncPeriod', SECOND)];
  const cc = sec('clientConnection');
  const logging = sec('logging');
  const ct = sec('conntrack');
  const dl = sec('detectLocal');

  return {
    featureGates: { ...((raw.featureGates as Record<string, boolean> | undefined) ?? {}) },
    clientConnection: {
      kubeconfig: str(cc, 'kubeconfig'),
      acceptContentTypes: str(cc, 'acceptContentTypes'),
      contentType: str(cc, 'contentType') || 'application/vnd.kubernetes.protobuf',
      qps: num(cc, 'qps') || 5,
      burst: num(cc, 'burst') || 10,
    },
    logging: {
      format: str(logging, 'format') || 'text',
      flushFrequencyMs: dur(logging, 'flushFrequency', 5 * SECOND),
      verbosity: num(logging, 'verbosity') ?? 0,
    },
    hostnameOverride: str(raw, 'hostnameOverride'),
    bindAddress,
    healthzBindAddress: healthz
      ? appendPortIfNeeded(healthz, PROXY_HEALTHZ_PORT)
      : `${v4 ? '0.0.0.0' : '[::]'}:${PROXY_HEALTHZ_PORT}`,
    metricsBindAddress: metrics
      ? appendPortIfNeeded(metrics, PROXY_STATUS_PORT)
      : `${v4 ? '127.0.0.1' : '[::1]'}:${PROXY_STATUS_PORT}`,
    bindAddressHardFail: bool(raw, 'bindAddressHardFail'),
    enableProfiling: bool(raw, 'enableProfiling'),
    showHiddenMetricsForVersion: str(raw, 'showHiddenMetricsForVersion'),
    mode,
    syncPeriodMs,
    minSyncPeriodMs,
    scheduler: str(ipvs, 'scheduler') || 'random',
    iptables: {
      masqueradeBit: num(ipt, 'masqueradeBit') ?? 14,
      masqueradeAll: bool(ipt, 'masqueradeAll'),
      localhostNodePorts: (ipt.localhostNodePorts as boolean | undefined) ?? true,
    },
    ipvs: {
      excludeCIDRs: [...((ipvs.excludeCIDRs as string[] | undefined) ?? [])],
      strictARP: bool(ipvs, 'strictARP'),
      tcpTimeoutMs: dur(ipvs, 'tcpTimeout'),
      tcpFinTimeoutMs: dur(ipvs, 'tcpFinTimeout'),
      udpTimeoutMs: dur(ipvs, 'udpTimeout'),
    },
    nftables: { masqueradeBit: num(nft, 'masqueradeBit') ?? 14, masqueradeAll: bool(nft, 'masqueradeAll') },
    detectLocalMode: str(raw, 'detectLocalMode') || 'ClusterCIDR',
    detectLocal: {
      bridgeInterface: str(dl, 'bridgeInterface'),
      interfaceNamePrefix: str(dl, 'interfaceNamePrefix'),
    },
    clusterCIDR: str(raw, 'clusterCIDR'),
    nodePortAddresses: [...((raw.nodePortAddresses as string[] | undefined) ?? [])],
    oomScoreAdj: num(raw, 'oomScoreAdj') ?? -999,
    conntrack: {
      maxPerCore: num(ct, 'maxPerCore') ?? 32 * 1024,
      min: num(ct, 'min') ?? 128 * 1024,
      tcpEstablishedTimeoutMs: durPtr(ct, 'tcpEstablishedTimeout', 24 * 3600 * SECOND),
      tcpCloseWaitTimeoutMs: durPtr(ct, 'tcpCloseWaitTimeout', 3600 * SECOND),
      tcpBeLiberal: bool(ct, 'tcpBeLiberal'),
      udpTimeoutMs: dur(ct, 'udpTimeout'),
      udpStreamTimeoutMs: dur(ct, 'udpStreamTimeout'),
    },
    configSyncPeriodMs: dur(raw, 'configSyncPeriod', 15 * 60 * SECOND),
    portRange: str(raw, 'portRange'),
  };
}

/** splitHostPort, or undefined when `addr` is not `host:port`. */
export function maybeSplitHostPort(addr: string): { host: string; port: string } | undefined {
  try {
    return splitHostPort(addr);
  } catch {
    return undefined;
  }
}

/** proxyutil.AppendPortIfNeeded: a bare IP gets the port; anything else is left for validation. */
export function appendPortIfNeeded(addr: string, port: number): string {
  if (maybeSplitHostPort(addr)) return addr;
  return ipFamilyOf(addr) ? joinHostPort(addr, port) : addr;
}
