/**
 * Pod IPs from the node's podCIDR, as a host-local IPAM plugin hands them
 * out: never the network address, the gateway (.1 by convention) or the IPv4
 * broadcast address; round-robin after the last one given, so a freed IP is
 * not reused at once. A pod that already has an IP in range keeps it (an
 * agent restart adopts the pods it ran).
 */
import { type CIDR, cidrContains, cidrSize, formatIP, parseCIDR, parseIPSloppy } from '../k8s/ip.js';

export class PodIPAllocator {
  readonly cidr: CIDR;
  private readonly owners = new Map<string, string>();
  private readonly byOwner = new Map<string, string>();
  /** Offsets (from the network address) of the first and last usable IP. */
  private readonly first: bigint;
  private readonly last: bigint;
  private cursor: bigint;

  constructor(cidrText: string) {
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

  /** Claims `ip` for `owner` when it is in range and free (adoption); answers whether it did. */
  reserve(owner: string, ip: string): boolean {
    if (!this.inRange(ip)) return false;
    const canonical = formatIP(parseIPSloppy(ip) as NonNullable<ReturnType<typeof parseIPSloppy>>);
    const holder = this.owners.get(canonical);
    if (holder && holder !== owner) return false;
    this.release(owner);
    this.owners.set(canonical, owner);
    this.byOwner.set(owner, canonical);
    return true;
  }

  /** The owner's IP, allocating the next free one; throws when the range is full. */
  allocate(owner: string): string {
    const have = this.byOwner.get(owner);
    if (have) return have;
    const span = this.last - this.first + 1n;
    for (let i = 0n; i < span; i++) {
      this.cursor = this.cursor >= this.last ? this.first : this.cursor + 1n;
      const ip = formatIP({ family: this.cidr.family, value: this.cidr.network + this.cursor });
      if (!this.owners.has(ip)) {
        this.owners.set(ip, owner);
        this.byOwner.set(owner, ip);
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
  }

  get size(): number {
    return this.owners.size;
  }
}
