/**
 * The pod-template-hash (upstream controller.ComputeHash): FNV-1a 32 over a
 * deterministic serialisation of the pod template, then the collisionCount
 * as 8 little-endian bytes when set, the sum printed in decimal and mapped
 * through rand.SafeEncodeString's vowel-free alphabet.
 *
 * Upstream serialises the Go struct with go-spew, which depends on the exact
 * Go type layout of a Kubernetes release (hashes change between releases for
 * that reason); we serialise the JSON form with sorted keys instead. The hash
 * is only a name and a label: which ReplicaSet is "new" is decided by
 * comparing templates (equalIgnoreHash), never by recomputing the hash.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

/** rand.SafeEncodeString's alphabet: no vowels and no 0, 1, 3 (avoids words and look-alikes). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += ALPHANUMS[ch.codePointAt(0)! % ALPHANUMS.length];
  return out;
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, continuing from `h`. */
export function fnv1a32(bytes: Uint8Array, h = FNV32_OFFSET): number {
  let hash = h;
  for (const b of bytes) {
    hash ^= b;
    hash = Math.imul(hash, FNV32_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/**
 * JSON with object keys sorted, dropping what the API treats as unset:
 * null/undefined values, empty arrays and empty objects. Two templates that
 * differ only there are the same template.
 */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(normalize(v)) ?? 'null';
}

export function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = normalize((v as Record<string, unknown>)[k]);
      if (x === undefined || x === null) continue;
      if (Array.isArray(x) && x.length === 0) continue;
      if (typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0) continue;
      out[k] = x;
    }
    return out;
  }
  return v;
}

export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv1a32(new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(b, h);
  }
  return safeEncodeString(String(h));
}
