/**
 * Options of the record index, named after CoreDNS's `kubernetes` plugin
 * (zones, `ttl`, `pods`, `namespaces`).
 */

export type PodMode = 'disabled' | 'insecure' | 'verified';

export interface IndexConfig {
  /** Zones served; the first forward zone names services in PTR answers. */
  zones: string[];
  /** TTL of cluster records, 0..3600 (CoreDNS `ttl`, default 5). */
  ttl: number;
  /** Pod records `a-b-c-d.<ns>.pod.<zone>` (default insecure, as kubeadm configures CoreDNS). */
  pods: PodMode;
  /** Only these namespaces are exposed, when set (CoreDNS `namespaces`). */
  namespaces?: string[];
  /** SOA serial; CoreDNS uses the Unix time of the last change it saw. */
  serial?: number;
  /**
   * The DNS server's own addresses: services whose endpoints hold one of
   * them answer NS and `ns.dns.<zone>` (as CoreDNS finds itself); when none
   * matches, the addresses themselves do.
   */
  localIPs?: string[];
  /**
   * `<namespace>/<name>` of the cluster DNS service, used for NS when no
   * endpoint holds a local address (the server may run outside the pod
   * network). Default `kube-system/kube-dns`.
   */
  dnsService?: string;
}

export const DEFAULT_ZONES: readonly string[] = ['cluster.local', 'in-addr.arpa', 'ip6.arpa'];
export const DEFAULT_TTL = 5;
export const MAX_TTL = 3600;

/** Normalised options: zones lower-case without trailing dots, ttl clamped, defaults applied. */
export interface ResolvedConfig {
  zones: string[];
  primaryZone: string;
  ttl: number;
  pods: PodMode;
  namespaces: Set<string> | undefined;
  serial: number;
  localIPs: string[];
  dnsService: { namespace: string; name: string };
}

export function normalizeName(name: string): string {
  return (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
}

export function isReverseZone(zone: string): boolean {
  return (
    zone === 'in-addr.arpa' ||
    zone === 'ip6.arpa' ||
    zone.endsWith('.in-addr.arpa') ||
    zone.endsWith('.ip6.arpa')
  );
}

export function resolveConfig(c: Partial<IndexConfig> = {}): ResolvedConfig {
  const zones = (c.zones?.length ? c.zones : DEFAULT_ZONES).map(normalizeName).filter((z) => z !== '');
  if (zones.length === 0) zones.push(...DEFAULT_ZONES);
  const ttl = Number.isFinite(c.ttl) ? Math.min(MAX_TTL, Math.max(0, Math.floor(c.ttl!))) : DEFAULT_TTL;
  const [dnsNs = 'kube-system', dnsName = 'kube-dns'] = (c.dnsService ?? 'kube-system/kube-dns').split('/');
  return {
    zones,
    primaryZone: zones.find((z) => !isReverseZone(z)) ?? zones[0]!,
    ttl,
    pods: c.pods ?? 'insecure',
    namespaces: c.namespaces?.length ? new Set(c.namespaces.map((n) => n.toLowerCase())) : undefined,
    serial: c.serial ?? 0,
    localIPs: c.localIPs ?? [],
    dnsService: { namespace: dnsNs.toLowerCase(), name: dnsName.toLowerCase() },
  };
}
