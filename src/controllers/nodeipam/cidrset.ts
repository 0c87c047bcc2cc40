/**
 * Per-node pod CIDRs carved out of the cluster CIDR (upstream
 * pkg/controller/nodeipam/ipam/cidrset): a bitmap of subnets of one mask
 * size; allocation takes the next free subnet after the last one handed out,
 * wrapping around, so a released CIDR is not reused at once.
 */
import { type CIDR, formatIP, parseCIDR } from '../../k8s/ip.js';
import { SvcnetError } from '../../lib/errors.js';

export class CIDRSetFullError extends SvcnetError {
  constructor() {
    super(
      'CIDR_SET_FULL',
      'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range',
    );
  }
}

export class CIDRSet {
  readonly cluster: CIDR;
  readonly maskSize: number;
  private readonly max: number;
  private readonly used = new Set<number>();
  private nextCandidate = 0;

  constructor(clusterCIDR: string, maskSize: number) {
    this.cluster = parseCIDR(clusterCIDR);
    if (maskSize < this.cluster.prefix || maskSize > this.cluster.bits) {
      throw new Error(
        `invalid node CIDR mask size ${maskSize} for cluster CIDR ${this.cluster.text}: it must be between ${this.cluster.prefix} and ${this.cluster.bits}`,
      );
    }
    // Upstream refuses more than 16 bits of subnets (clusterSubnetMaxDiff).
    if (maskSize - this.cluster.prefix > 16) {
      throw new Error(
        'CIDRSet: subnet mask size is too big for the cluster CIDR (at most 16 bits of difference)',
      );
    }
    this.maskSize = maskSize;
    this.max = 2 ** (maskSize - this.cluster.prefix);
  }

  get size(): number {
    return this.max;
  }

  get allocated(): number {
    return this.used.size;
  }

  private indexToCIDR(i: number): string {
    const shift = BigInt(this.cluster.bits - this.maskSize);
    const network = this.cluster.network + (BigInt(i) << shift);
    return `${formatIP({ family: this.cluster.family, value: network })}/${this.maskSize}`;
  }

  /** The subnet index of `cidr`, or undefined when it is not a subnet of this set (wrong size or outside). */
  private indexOf(cidr: string): number | undefined {
    let c: CIDR;
    try {
      c = parseCIDR(cidr);
    } catch {
      return undefined;
    }
    if (c.family !== this.cluster.family || c.prefix !== this.maskSize) return undefined;
    const hostBits = BigInt(this.cluster.bits - this.cluster.prefix);
    if (c.network >> hostBits !== this.cluster.network >> hostBits) return undefined;
    return Number((c.network - this.cluster.network) >> BigInt(this.cluster.bits - this.maskSize));
  }

  contains(cidr: string): boolean {
    return this.indexOf(cidr) !== undefined;
  }

  allocateNext(): string {
    for (let k = 0; k < this.max; k++) {
      const i = (this.nextCandidate + k) % this.max;
      if (!this.used.has(i)) {
        this.used.add(i);
        this.nextCandidate = (i + 1) % this.max;
        return this.indexToCIDR(i);
      }
    }
    throw new CIDRSetFullError();
  }

  /** Marks a CIDR as used (nodes that already have one); false when it is not in this set. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  release(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    return this.used.delete(i);
  }
}
