/** Equality of JSON-shaped values as the API sees them. */

/**
 * Structural equality: object key order is irrelevant, list order is not,
 * and a key holding `undefined` is the same as a missing key (JSON drops it).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const ka = Object.keys(ao).filter((k) => ao[k] !== undefined);
    const kb = Object.keys(bo).filter((k) => bo[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => bo[k] !== undefined && jsonEqual(ao[k], bo[k]));
  }
  return false;
}
