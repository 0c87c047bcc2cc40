/**
 * Node ports from `--service-node-port-range`, bitmap-backed like upstream's
 * `portallocator/allocator.go`. KEP-3668: the lowest `offset` ports are the
 * static band that dynamic allocation uses last;
 * offset = size ≤ 16 ? 0 : min(max(16, size/32), 128), so 30000-32767 (2768
 * ports) reserves 30000-30085 for users who pick their own.
 */
import { AllocationBitmap, type RandomSource } from './bitmap.js';
import { allocatorErrors } from './errors.js';

export interface PortRange {
  base: number;
  size: number;
}

export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

/** `30000-32767`, or `` for an empty range (apimachinery `PortRange.String`). */
export const formatPortRange = (pr: PortRange): string =>
  pr.size === 0 ? '' : `${pr.base}-${pr.base + pr.size - 1}`;

/** Go's strconv.Atoi, with its error text. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/**
 * apimachinery `net.ParsePortRange`: `min-max` inclusive, or a single port;
 * empty text is the empty range. (`N+M` is not accepted upstream either.)
 */
export function parsePortRange(text: string): PortRange {
  const value = text.trim();
  if (value === '') return { base: 0, size: 0 };
  const hyphen = value.indexOf('-');
  if (hyphen === -1) {
    let port: number;
    try {
      port = atoi(value);
    } catch (err) {
      throw new Error(
        `unable to parse port range: ${value}: ${(err as Error).message}, expected hyphen in port range or a single port number`,
      );
    }
    if (port < 0 || port > 65535) throw new Error('the port range should between 0 and 65535');
    return { base: port, size: 1 };
  }
  let low: number;
  let high: number;
  try {
    low = atoi(value.slice(0, hyphen));
    high = atoi(value.slice(hyphen + 1));
  } catch (err) {
    throw new Error(`unable to parse port range: ${value}: ${(err as Error).message}`);
  }
  if (low > 65535 || high > 65535) throw new Error(`the port range cannot be greater than 65535: ${value}`);
  if (high < low) throw new Error(`end port cannot be less than start port: ${value}`);
  return { base: low, size: 1 + high - low };
}

/** KEP-3668 static band size (upstream `calculateRangeOffset`). */
export function portRangeOffset(pr: PortRange): number {
  if (pr.size <= 16) return 0;
  const offset = Math.floor(pr.size / 32);
  return Math.min(Math.max(offset, 16), 128);
}

/** What the service allocation code needs from the node port range (real or dry run). */
export interface PortAllocator {
  readonly range: string;
  /** Reserves `port`; throws AllocatorError `NotInRange` or `Allocated`. */
  allocate(port: number): void;
  /** Reserves and returns a free port; throws AllocatorError `Full`. */
  allocateNext(): number;
  /** Frees `port`; a no-op for free or out-of-range ports. */
  release(port: number): void;
  has(port: number): boolean;
}

export interface PortRangeOptions {
  random?: RandomSource;
}

export class PortRangeAllocator implements PortAllocator {
  readonly portRange: PortRange;
  readonly range: string;
  readonly offset: number;
  private readonly bitmap: AllocationBitmap;

  constructor(range: string | PortRange = DEFAULT_NODE_PORT_RANGE, options: PortRangeOptions = {}) {
    this.portRange = typeof range === 'string' ? parsePortRange(range) : { ...range };
    this.range = formatPortRange(this.portRange);
    this.offset = portRangeOffset(this.portRange);
    this.bitmap = new AllocationBitmap(this.portRange.size, this.offset, options.random);
  }

  get used(): number {
    return this.bitmap.used;
  }

  get free(): number {
    return this.bitmap.free;
  }

  contains(port: number): boolean {
    return this.slotOf(port) !== undefined;
  }

  allocate(port: number): void {
    const slot = this.slotOrThrow(port);
    if (!this.bitmap.set(slot)) throw allocatorErrors.portAllocated();
  }

  allocateNext(): number {
    const slot = this.bitmap.next();
    if (slot === undefined) throw allocatorErrors.full();
    return this.portRange.base + slot;
  }

  release(port: number): void {
    const slot = this.slotOf(port);
    if (slot !== undefined) this.bitmap.clear(slot);
  }

  has(port: number): boolean {
    const slot = this.slotOf(port);
    return slot !== undefined && this.bitmap.has(slot);
  }

  /** Allocated ports in ascending order. */
  *values(): IterableIterator<number> {
    for (const slot of this.bitmap) yield this.portRange.base + slot;
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.values();
  }

  forEach(fn: (port: number) => void): void {
    for (const port of this.values()) fn(port);
  }

  reset(): void {
    this.bitmap.reset();
  }

  /**
   * A view for `dryRun=All`: range and conflict checks and a real free port,
   * nothing reserved; ports it hands out are remembered so one dry-run request
   * never gets the same one twice.
   */
  dryRun(): PortAllocator {
    const mine = new Set<number>();
    return {
      range: this.range,
      allocate: (port) => {
        const slot = this.slotOrThrow(port);
        if (this.bitmap.has(slot) || mine.has(slot)) throw allocatorErrors.portAllocated();
        mine.add(slot);
      },
      allocateNext: () => {
        const slot = this.bitmap.findNext((i) => mine.has(i));
        if (slot === undefined) throw allocatorErrors.full();
        mine.add(slot);
        return this.portRange.base + slot;
      },
      release: () => {},
      has: (port) => {
        const slot = this.slotOf(port);
        return slot !== undefined && (this.bitmap.has(slot) || mine.has(slot));
      },
    };
  }

  private slotOf(port: number): number | undefined {
    const slot = port - this.portRange.base;
    return Number.isInteger(port) && slot >= 0 && slot < this.portRange.size ? slot : undefined;
  }

  private slotOrThrow(port: number): number {
    const slot = this.slotOf(port);
    if (slot === undefined) throw allocatorErrors.portNotInRange(this.range);
    return slot;
  }
}
