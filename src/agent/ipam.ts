/**
 * Pod IPs from the node's podCIDR, as a host-local IPAM plugin hands them
 * out: never the network address, the gateway (.1 by convention) or the IPv4
 * broadcast address; round-robin after the last one given, so a freed IP is
 * not reused at once.
 *
 * A pod's IP never changes during its life. A restarted agent therefore
 * claims every existing pod's address (`claimPodIPs`: the API's pod status
 * first, its own records for pods whose status has none) before it
 * allocates any; a claim that fails is an error for that pod, never a new
 * address.
 */
import { type CIDR, cidrContains, cidrSize, formatIP, parseCIDR, parseIPSloppy } from '../k8s/ip.js';
import { SvcnetError } from '../lib/errors.js';

export type PodIPClaimCode = 'POD_IP_INVALID' | 'POD_IP_OUT_OF_RANGE' | 'POD_IP_IN_USE' | 'POD_IP_CHANGED';

/** An address a pod cannot have (again). */
export class PodIPClaimError extends SvcnetError<PodIPClaimCode> {}

/** Where the allocator writes down what it gives (the agent's records in its root dir). */
export interface PodIPRecordSink {
  put(ip: string, owner: string, pod: string): void;
  remove(ip: string, owner: string): void;
}

export class PodIPAllocator {
  readonly cidr: CIDR;
  private readonly owners = new Map<string, string>();
  private readonly byOwner = new Map<string, string>();
  /** Owner → the pod's namespace/name, for messages and records. */
  private readonly names = new Map<string, string>();
  /** Offsets (from the network address) of the first and last usable IP. */
  private readonly first: bigint;
  private readonly last: bigint;
  private cursor: bigint;

  constructor(
    cidrText: string,
    private readonly records?: PodIPRecordSink,
  ) {
    this.cidr = parseCIDR(cidrText);
    const size = cidrSize(this.cidr);
    this.first = 2n;
    this.last = this.cidr.family === 'IPv4' ? size - 2n : size - 1n;
    // Keep the walk cheap for huge IPv6 ranges: only the first 2^16 addresses are used.
    if (this.last - this.first > 65_535n) this.last = this.first + 65_535n;
    if (this.last < this.first) throw new Error(`podCIDR ${cidrText} has no room for pod IPs`);
    this.cursor = this.last;
  }

  /** The IP `owner` (a pod UID) holds, if any. */
  get(owner: string): string | undefined {
    return this.byOwner.get(owner);
  }

  inRange(ip: string): boolean {
    const p = parseIPSloppy(ip);
    if (!p || !cidrContains(this.cidr, p)) return false;
    const off = p.value - this.cidr.network;
    return off >= this.first && off <= this.last;
  }

  /**
   * Claims `ip` for `owner` (a pod that had it before the agent restarted);
   * answers it canonical. Throws a PodIPClaimError when it is not a pod
   * address of this range, another pod holds it, or the owner holds another.
   */
  claim(owner: string, ip: string, pod = owner): string {
    const parsed = parseIPSloppy(ip);
    if (!parsed) throw new PodIPClaimError('POD_IP_INVALID', `${ip} is not an IP address`);
    if (!this.inRange(ip))
      throw new PodIPClaimError(
        'POD_IP_OUT_OF_RANGE',
        `${ip} is not a pod address in the node's podCIDR ${this.cidr.text}`,
      );
    const canonical = formatIP(parsed);
    const holder = this.owners.get(canonical);
    if (holder !== undefined && holder !== owner)
      throw new PodIPClaimError(
        'POD_IP_IN_USE',
        `${canonical} is held by pod ${this.names.get(holder) ?? holder}`,
      );
    const have = this.byOwner.get(owner);
    if (have !== undefined && have !== canonical)
      throw new PodIPClaimError('POD_IP_CHANGED', `pod ${pod} holds ${have}, not ${canonical}`);
    if (have === undefined) this.hold(owner, canonical, pod);
    return canonical;
  }

  /** The owner's IP, allocating the next free one; throws when the range is full. */
  allocate(owner: string, pod = owner): string {
    const have = this.byOwner.get(owner);
    if (have) return have;
    const span = this.last - this.first + 1n;
    for (let i = 0n; i < span; i++) {
      this.cursor = this.cursor >= this.last ? this.first : this.cursor + 1n;
      const ip = formatIP({ family: this.cidr.family, value: this.cidr.network + this.cursor });
      if (!this.owners.has(ip)) {
        this.hold(owner, ip, pod);
        return ip;
      }
    }
    throw new Error(`no IP addresses available in range set: ${this.cidr.text}`);
  }

  release(owner: string): void {
    const ip = this.byOwner.get(owner);
    if (!ip) return;
    this.byOwner.delete(owner);
    this.owners.delete(ip);
    this.names.delete(owner);
    this.records?.remove(ip, owner);
  }

  get size(): number {
    return this.owners.size;
  }

  private hold(owner: string, ip: string, pod: string): void {
    this.owners.set(ip, owner);
    this.byOwner.set(owner, ip);
    this.names.set(owner, pod);
    // Written down before the address is used: an agent killed before the pod's status says it still knows.
    this.records?.put(ip, owner, pod);
  }
}

/** One existing pod's claim to its address. */
export interface PodIPClaim {
  /** The pod's UID: the allocator's owner. */
  uid: string;
  /** namespace/name, for messages and records. */
  pod: string;
  /** metadata.creationTimestamp: of two pods claiming one address, the older keeps it. */
  created?: string;
  /** The address in the pod's status: the source of truth. */
  statusIP?: string;
  /** The address the agent's records give the pod (its status write may have been lost). */
  recordedIP?: string;
}

export type PodIPClaimResult = { ip: string } | { ip: string; error: PodIPClaimError };

/**
 * Claims every existing pod's address before any new pod is given one:
 * status IPs first, older pods first, then recorded IPs of pods whose status
 * has none (so a record never takes an address the API says another pod
 * has). A pod with neither has nothing to claim and is left out. A claim
 * that fails is that pod's error; the others are unaffected.
 */
export function claimPodIPs(
  ipam: PodIPAllocator,
  claims: readonly PodIPClaim[],
): Map<string, PodIPClaimResult> {
  const byAge = (a: PodIPClaim, b: PodIPClaim) =>
    (a.created ?? '').localeCompare(b.created ?? '') || a.pod.localeCompare(b.pod);
  const fromStatus = claims.filter((c) => c.statusIP).sort(byAge);
  const fromRecords = claims.filter((c) => !c.statusIP && c.recordedIP).sort(byAge);
  const out = new Map<string, PodIPClaimResult>();
  for (const c of [...fromStatus, ...fromRecords]) {
    const ip = (c.statusIP ?? c.recordedIP) as string;
    try {
      out.set(c.uid, { ip: ipam.claim(c.uid, ip, c.pod) });
    } catch (err) {
      if (!(err instanceof PodIPClaimError)) throw err;
      out.set(c.uid, { ip, error: err });
    }
  }
  return out;
}
