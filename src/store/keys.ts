/**
 * Key order and prefix ranges shared by the store backends. Keys are ordered
 * as etcd and SQLite order them: by their UTF-8 bytes, which is Unicode code
 * point order. JavaScript's `<` compares UTF-16 code units instead; the two
 * differ only when a surrogate (U+D800..DFFF, part of a character above
 * U+FFFF) meets a code unit in U+E000..FFFF.
 */

/** Compares keys by code point (= UTF-8 byte) order. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates above U+E000..FFFF so code units sort as code points do. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/**
 * The smallest key greater than every key that starts with `prefix`, or
 * undefined when there is none (the empty prefix, or one made only of
 * U+10FFFF). Keys in [prefix, prefixEnd(prefix)) are exactly those that start
 * with `prefix`.
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (cps.length > 0) {
    const last = cps.pop()!;
    if (last < 0x10ffff) {
      // Skip the surrogate range: it has no code points and no UTF-8 form.
      cps.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...cps);
    }
  }
  return undefined;
}
