/**
 * Service cluster IPs from one CIDR, bitmap-backed like upstream's
 * `ipallocator/bitmap.go`:
 *
 * - slot 0 is network+1: the network address is never handed out, nor (IPv4)
 *   the broadcast address; IPv6 ranges are capped at 65536 addresses, so
 *   addresses past network+65535 count as out of range;
 * - KEP-3070: the lowest `offset` slots are the static band that dynamic
 *   allocation uses only once the upper band is full;
 *   offset = size ≤ 16 ? 0 : min(max(16, size/16), 256), size = 2^hostbits.
 *
 * The first address (network+1, e.g. 10.96.0.1) belongs to `default/kubernetes`.
 * Nothing reserves it here: the API server creates that Service at bootstrap
 * with `clusterIP` set to `firstIP()`, and the registry allocates it through
 * the ordinary create path. Being in the static band, it is the last address
 * dynamic allocation would pick.
 */

import {
  type CIDR,
  cidrContains,
  cidrSize,
  formatIP,
  type IPFamily,
  parseCIDR,
  parseIPSloppy,
} from '../k8s/ip.js';
import { AllocationBitmap, type RandomSource } from './bitmap.js';
import { allocatorErrors } from './errors.js';

/** What the service allocation code needs from a family's range (real or dry run). */
export interface IPAllocator {
  readonly cidr: string;
  readonly family: IPFamily;
  /** Reserves `ip`; throws AllocatorError `NotInRange` or `Allocated`. */
  allocate(ip: string): void;
  /** Reserves and returns a free address; throws AllocatorError `Full`. */
  allocateNext(): string;
  /** Frees `ip`; a no-op for free or out-of-range addresses. */
  release(ip: string): void;
  has(ip: string): boolean;
}

export interface IPRangeOptions {
  random?: RandomSource;
}

const IPV6_MAX = 65536;

/** KEP-3070 static band size for a CIDR (upstream `calculateRangeOffset`). */
export function ipRangeOffset(cidr: CIDR): number {
  const size = cidrSize(cidr);
  if (size <= 16n) return 0;
  const offset = size / 16n;
  return offset < 16n ? 16 : offset > 256n ? 256 : Number(offset);
}

/** Usable slots: the range minus network (and IPv4 broadcast), IPv6 capped at 65536. */
export function ipRangeMax(cidr: CIDR): number {
  const size = cidrSize(cidr);
  let max = cidr.family === 'IPv6' ? (size > BigInt(IPV6_MAX) ? IPV6_MAX : Number(size)) : Number(size) - 1;
  max--;
  return Math.max(0, max);
}

/** The address of `default/kubernetes`: the first address after the network address. */
export function kubernetesServiceIP(cidr: string | CIDR): string {
  const c = typeof cidr === 'string' ? parseCIDR(cidr) : cidr;
  return formatIP({ family: c.family, value: c.network + 1n });
}

export class IPRangeAllocator implements IPAllocator {
  readonly range: CIDR;
  readonly cidr: string;
  readonly family: IPFamily;
  readonly max: number;
  readonly offset: number;
  private readonly base: bigint;
  private readonly bitmap: AllocationBitmap;

  constructor(cidr: string | CIDR, options: IPRangeOptions = {}) {
    this.range = typeof cidr === 'string' ? parseCIDR(cidr) : cidr;
    this.cidr = this.range.text;
    this.family = this.range.family;
    this.base = this.range.network + 1n;
    this.max = ipRangeMax(this.range);
    this.offset = ipRangeOffset(this.range);
    this.bitmap = new AllocationBitmap(this.max, this.offset, options.random);
  }

  get used(): number {
    return this.bitmap.used;
  }

  get free(): number {
    return this.bitmap.free;
  }

  /** The first usable address, by convention `default/kubernetes`'s. */
  firstIP(): string {
    return kubernetesServiceIP(this.range);
  }

  /** Whether `ip` is an address this range can hand out. */
  contains(ip: string): boolean {
    return this.slotOf(ip) !== undefined;
  }

  allocate(ip: string): void {
    const slot = this.slotOrThrow(ip);
    if (!this.bitmap.set(slot)) throw allocatorErrors.ipAllocated();
  }

  allocateNext(): string {
    const slot = this.bitmap.next();
    if (slot === undefined) throw allocatorErrors.full();
    return this.ipAt(slot);
  }

  release(ip: string): void {
    const slot = this.slotOf(ip);
    if (slot !== undefined) this.bitmap.clear(slot);
  }

  has(ip: string): boolean {
    const slot = this.slotOf(ip);
    return slot !== undefined && this.bitmap.has(slot);
  }

  /** Allocated addresses in ascending order. */
  *values(): IterableIterator<string> {
    for (const slot of this.bitmap) yield this.ipAt(slot);
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.values();
  }

  forEach(fn: (ip: string) => void): void {
    for (const ip of this.values()) fn(ip);
  }

  /** Frees everything (repair rebuilds from stored Services). */
  reset(): void {
    this.bitmap.reset();
  }

  /**
   * A view for `dryRun=All`: it answers as a real allocation would (range,
   * conflicts, a free address) but reserves nothing; what it hands out is
   * remembered so one dry-run request never gets the same address twice.
   */
  dryRun(): IPAllocator {
    const mine = new Set<number>();
    return {
      cidr: this.cidr,
      family: this.family,
      allocate: (ip) => {
        const slot = this.slotOrThrow(ip);
        if (this.bitmap.has(slot) || mine.has(slot)) throw allocatorErrors.ipAllocated();
        mine.add(slot);
      },
      allocateNext: () => {
        const slot = this.bitmap.findNext((i) => mine.has(i));
        if (slot === undefined) throw allocatorErrors.full();
        mine.add(slot);
        return this.ipAt(slot);
      },
      release: () => {},
      has: (ip) => {
        const slot = this.slotOf(ip);
        return slot !== undefined && (this.bitmap.has(slot) || mine.has(slot));
      },
    };
  }

  private ipAt(slot: number): string {
    return formatIP({ family: this.family, value: this.base + BigInt(slot) });
  }

  private slotOf(text: string): number | undefined {
    const ip = parseIPSloppy(text);
    if (!ip || !cidrContains(this.range, ip)) return undefined;
    const slot = ip.value - this.base;
    return slot >= 0n && slot < BigInt(this.max) ? Number(slot) : undefined;
  }

  private slotOrThrow(text: string): number {
    const slot = this.slotOf(text);
    if (slot === undefined) {
      const ip = parseIPSloppy(text);
      throw allocatorErrors.ipNotInRange(ip ? formatIP(ip) : text, this.cidr);
    }
    return slot;
  }
}

/**
 * Parses `--service-cluster-ip-range` (one CIDR, or two of different families
 * for dual-stack) with kube-apiserver's checks; `maxCIDRBits` is upstream's
 * bitmap limit of 20 host bits (/12 for IPv4, /108 for IPv6).
 */
export function parseServiceClusterIPRange(text: string, maxCIDRBits = 20): CIDR[] {
  const parts = text.split(',');
  if (parts.length > 2) throw new Error('--service-cluster-ip-range must not contain more than two entries');
  const cidrs = parts.map((p) => parseCIDR(p.trim()));
  cidrs.forEach((c, i) => {
    if (c.bits - c.prefix > maxCIDRBits) {
      const flag = i === 0 ? '--service-cluster-ip-range' : '--service-cluster-ip-range[1]';
      throw new Error(
        `specified ${flag} is too large; for ${c.bits}-bit addresses, the mask must be >= ${c.bits - maxCIDRBits}`,
      );
    }
  });
  if (cidrs.length === 2 && cidrs[0]!.family === cidrs[1]!.family) {
    throw new Error(
      '--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family',
    );
  }
  return cidrs;
}
