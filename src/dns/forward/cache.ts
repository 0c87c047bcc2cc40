/**
 * A bounded LRU cache of upstream answers, as CoreDNS's cache plugin keeps
 * them: positive answers live for their smallest TTL, negative ones (NXDOMAIN,
 * NODATA) for the SOA's min(TTL, MINIMUM), each capped; a hit returns the
 * records with their TTLs reduced by the time spent in the cache.
 */
import type { DnsRecord, Rcode } from '../types.js';

export interface CachedAnswer {
  rcode: Rcode;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
}

export type CacheKind = 'success' | 'denial';

interface Entry {
  value: CachedAnswer;
  kind: CacheKind;
  storedAt: number;
  /** Seconds the entry lives, after capping. */
  ttl: number;
}

export interface AnswerCacheOptions {
  capacity: number;
  /** Cap for positive answers (CoreDNS success: 3600 s). */
  maxTtl: number;
  /** Cap for negative answers (CoreDNS denial: 1800 s). */
  maxNegativeTtl: number;
  /** Floor for both; 0 keeps upstream's TTL (CoreDNS's cache raises it to 5 s). */
  minTtl: number;
  /** Milliseconds clock. */
  now: () => number;
}

/** dnsutil.MinimalDefaultTTL: for answers without any record to take a TTL from. */
const DEFAULT_TTL = 5;

export function cacheKey(name: string, type: string): string {
  return `${name.toLowerCase()}\u0000${type}`;
}

/** The TTL an answer may be cached for and its kind, or undefined when it must not be cached. */
export function answerTtl(a: CachedAnswer): { ttl: number; kind: CacheKind } | undefined {
  const negative = a.rcode === 'NXDOMAIN' || (a.rcode === 'NOERROR' && a.answers.length === 0);
  if (a.rcode !== 'NOERROR' && a.rcode !== 'NXDOMAIN') return undefined;
  const all = [...a.answers, ...a.authority, ...a.additional].filter((r) => r.type !== 'OPT');
  if (all.length === 0) return { ttl: DEFAULT_TTL, kind: negative ? 'denial' : 'success' };
  let ttl = Number.POSITIVE_INFINITY;
  for (const r of all) {
    let t = 'ttl' in r ? (r.ttl ?? 0) : 0;
    // RFC 2308 §5: a negative answer lives for the SOA's min(TTL, MINIMUM).
    if (negative && r.type === 'SOA') t = Math.min(t, r.data.minimum ?? t);
    ttl = Math.min(ttl, t);
  }
  return { ttl, kind: negative ? 'denial' : 'success' };
}

export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly counts: Record<CacheKind, number> = { success: 0, denial: 0 };

  constructor(private readonly opts: AnswerCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** Entries per kind (for coredns_cache_entries). */
  count(kind: CacheKind): number {
    return this.counts[kind];
  }

  /** A fresh copy with TTLs decremented by age, or undefined (expired entries are dropped). */
  get(key: string): { value: CachedAnswer; kind: CacheKind } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const ageMs = this.opts.now() - e.storedAt;
    if (ageMs >= e.ttl * 1000) {
      this.delete(key, e);
      return undefined;
    }
    // Refresh recency: Map iteration order is insertion order, so re-insert.
    this.entries.delete(key);
    this.entries.set(key, e);
    const age = Math.floor(ageMs / 1000);
    const age1 = (rs: DnsRecord[]) => rs.map((r) => withTtl(r, e.ttl, age));
    return {
      kind: e.kind,
      value: {
        rcode: e.value.rcode,
        answers: age1(e.value.answers),
        authority: age1(e.value.authority),
        additional: age1(e.value.additional),
      },
    };
  }

  /** Stores an answer if it may be cached; returns whether it was. */
  set(key: string, value: CachedAnswer): boolean {
    const t = answerTtl(value);
    if (!t) return false;
    const cap = t.kind === 'denial' ? this.opts.maxNegativeTtl : this.opts.maxTtl;
    const ttl = Math.min(cap, Math.max(this.opts.minTtl, t.ttl));
    if (ttl <= 0 || this.opts.capacity <= 0) return false;
    const old = this.entries.get(key);
    if (old) this.delete(key, old);
    this.entries.set(key, { value, kind: t.kind, storedAt: this.opts.now(), ttl });
    this.counts[t.kind]++;
    while (this.entries.size > this.opts.capacity) {
      const [oldest, e] = this.entries.entries().next().value as [string, Entry];
      this.delete(oldest, e);
    }
    return true;
  }

  private delete(key: string, e: Entry): void {
    this.entries.delete(key);
    this.counts[e.kind]--;
  }
}

/** The record with its TTL limited to the entry's and reduced by its age. */
function withTtl(r: DnsRecord, entryTtl: number, age: number): DnsRecord {
  if (r.type === 'OPT') return r;
  const ttl = Math.max(0, Math.min(r.ttl ?? 0, entryTtl) - age);
  return { ...r, ttl };
}
