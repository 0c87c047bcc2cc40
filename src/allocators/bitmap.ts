/**
 * A bitmap of `max` slots with upstream's allocation strategy
 * (`allocator/bitmap.go`, randomScanStrategyWithOffset): slots below `offset`
 * form the static band that dynamic allocation avoids; `next()` starts at a
 * random slot of the upper band, scans forward with wrap-around, and only then
 * tries the lower band the same way (KEP-3070 / KEP-3668).
 */

/** Returns an integer in [0, n); injected so tests can be deterministic. */
export type RandomSource = (n: number) => number;

export const defaultRandom: RandomSource = (n) => Math.floor(Math.random() * n);

const FULL = 0xffffffff;

export class AllocationBitmap {
  private readonly words: Uint32Array;
  private count = 0;

  constructor(
    readonly max: number,
    readonly offset: number,
    private readonly random: RandomSource = defaultRandom,
  ) {
    if (!Number.isSafeInteger(max) || max < 0) throw new Error(`invalid bitmap size ${max}`);
    this.words = new Uint32Array(Math.ceil(max / 32));
    // The static band must leave a dynamic band; upstream guarantees offset < max.
    this.offset = Math.max(0, Math.min(offset, max));
  }

  get used(): number {
    return this.count;
  }

  get free(): number {
    return this.max - this.count;
  }

  has(i: number): boolean {
    return i >= 0 && i < this.max && (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** Sets slot `i`; false when it was already set. */
  set(i: number): boolean {
    if (i < 0 || i >= this.max) throw new RangeError(`offset ${i} out of range [0,${this.max}]`);
    if (this.has(i)) return false;
    this.words[i >>> 5]! |= 1 << (i & 31);
    this.count++;
    return true;
  }

  /** Clears slot `i`; false when it was not set. */
  clear(i: number): boolean {
    if (!this.has(i)) return false;
    this.words[i >>> 5]! &= ~(1 << (i & 31));
    this.count--;
    return true;
  }

  reset(): void {
    this.words.fill(0);
    this.count = 0;
  }

  /**
   * The slot the next dynamic allocation takes, without taking it. `taken`
   * marks extra slots as unavailable (a dry run's own reservations).
   */
  findNext(taken?: (i: number) => boolean): number | undefined {
    if (this.count >= this.max) return undefined;
    const upper = this.max - this.offset;
    if (upper > 0) {
      const start = this.offset + this.random(upper);
      const found = this.scan(start, this.max, taken) ?? this.scan(this.offset, start, taken);
      if (found !== undefined) return found;
    }
    if (this.offset > 0) {
      const start = this.random(this.offset);
      return this.scan(start, this.offset, taken) ?? this.scan(0, start, taken);
    }
    return undefined;
  }

  /** Takes the next free slot, or undefined when the bitmap is full. */
  next(): number | undefined {
    const i = this.findNext();
    if (i !== undefined) this.set(i);
    return i;
  }

  /** Set slots in ascending order. */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let w = 0; w < this.words.length; w++) {
      let word = this.words[w]!;
      while (word !== 0) {
        const bit = 31 - Math.clz32(word & -word);
        yield w * 32 + bit;
        word &= word - 1;
      }
    }
  }

  private scan(from: number, to: number, taken?: (i: number) => boolean): number | undefined {
    let i = from;
    while (i < to) {
      const word = this.words[i >>> 5]!;
      if (word === FULL) {
        i = ((i >>> 5) + 1) << 5;
        continue;
      }
      if ((word & (1 << (i & 31))) === 0 && !taken?.(i)) return i;
      i++;
    }
    return undefined;
  }
}
