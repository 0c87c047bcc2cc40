/**
 * Connection schedulers for the userspace proxy, each behaving as its IPVS
 * namesake (net/netfilter/ipvs/ip_vs_*.c) with every endpoint at weight 1,
 * plus `random`, the iptables/nftables behaviour (uniform per connection).
 *
 * A scheduler instance belongs to one frontend (one IPVS virtual service):
 * `rr` keeps its position across endpoint changes, the hash schedulers cache
 * their table and recompute it when the endpoint list changes. Endpoint order
 * matters as IPVS's destination list does; the backend passes a canonical order.
 */
import { joinHostPort, parseIPSloppy } from '../../k8s/ip.js';
import type { Endpoint } from '../model/types.js';

export const SCHEDULER_NAMES = ['random', 'rr', 'lc', 'sed', 'nq', 'sh', 'dh', 'mh'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

export function isSchedulerName(name: string): name is SchedulerName {
  return (SCHEDULER_NAMES as readonly string[]).includes(name);
}

/** IPVS's per-destination connection counts. */
export interface ConnCounts {
  /** Established TCP connections. */
  active: number;
  /** Everything else IPVS counts as inactive (here: live UDP flows). */
  inactive: number;
}

/** Counts by endpointKey(); a missing entry is an idle endpoint. */
export type ConnCounters = ReadonlyMap<string, ConnCounts>;

export interface ClientAddr {
  ip: string;
  port: number;
}

export interface Scheduler {
  readonly name: SchedulerName;
  /** Endpoint lists are treated as immutable: a changed list must be a new array. */
  pick(endpoints: readonly Endpoint[], client: ClientAddr, counters: ConnCounters): Endpoint | undefined;
}

export interface SchedulerOptions {
  /** The frontend (virtual service) address: `dh` hashes it. */
  serviceIp: string;
  servicePort: number;
  /** [0, 1) source for `random` (tests inject a sequence). */
  random?: () => number;
}

/** `ip:port`, `[ip]:port` for IPv6: the key of counters and affinity. */
export function endpointKey(ep: { ip: string; port: number }): string {
  return joinHostPort(ep.ip, ep.port);
}

export function createScheduler(name: SchedulerName, opts: SchedulerOptions): Scheduler {
  switch (name) {
    case 'random':
      return randomScheduler(opts.random ?? Math.random);
    case 'rr':
      return new RoundRobin();
    case 'lc':
      // ip_vs_dest_conn_overhead: active connections weigh 256 times an inactive one.
      return leastBy('lc', (c) => c.active * 256 + c.inactive);
    case 'sed':
      // ip_vs_sed_dest_overhead: (active + 1) / weight, weight 1.
      return leastBy('sed', (c) => c.active + 1);
    case 'nq':
      return neverQueue();
    case 'sh':
      return new Bucketed('sh', (client) => hashBucket(client.ip));
    case 'dh': {
      const bucket = hashBucket(opts.serviceIp);
      return new Bucketed('dh', () => bucket);
    }
    case 'mh':
      return new Maglev();
  }
}

const IDLE: ConnCounts = { active: 0, inactive: 0 };

function countsOf(counters: ConnCounters, ep: Endpoint): ConnCounts {
  return counters.get(endpointKey(ep)) ?? IDLE;
}

function randomScheduler(random: () => number): Scheduler {
  return {
    name: 'random',
    pick(endpoints) {
      if (endpoints.length === 0) return undefined;
      return endpoints[Math.min(endpoints.length - 1, Math.floor(random() * endpoints.length))];
    },
  };
}

/** The lowest overhead wins; ties go to the earliest in the list, as IPVS's strict `<` scan. */
function leastBy(name: 'lc' | 'sed', overhead: (c: ConnCounts) => number): Scheduler {
  return {
    name,
    pick(endpoints, _client, counters) {
      let best: Endpoint | undefined;
      let bestCost = Number.POSITIVE_INFINITY;
      for (const ep of endpoints) {
        const cost = overhead(countsOf(counters, ep));
        if (cost < bestCost) {
          best = ep;
          bestCost = cost;
        }
      }
      return best;
    },
  };
}

/** ip_vs_nq: the first endpoint with no active connection, else shortest expected delay. */
function neverQueue(): Scheduler {
  const sed = leastBy('sed', (c) => c.active + 1);
  return {
    name: 'nq',
    pick(endpoints, client, counters) {
      for (const ep of endpoints) if (countsOf(counters, ep).active === 0) return ep;
      return sed.pick(endpoints, client, counters);
    },
  };
}

/**
 * ip_vs_rr: continues after the endpoint it picked last. When that endpoint
 * has gone, it continues from the position it had (IPVS moves the cursor back
 * one on removal, so the successor is next).
 */
class RoundRobin implements Scheduler {
  readonly name = 'rr';
  private lastKey: string | undefined;
  private lastIndex = -1;
  /** Index of each endpoint in the list last seen (lists are reused until endpoints change). */
  private list: readonly Endpoint[] | undefined;
  private index = new Map<string, number>();

  pick(endpoints: readonly Endpoint[]): Endpoint | undefined {
    const n = endpoints.length;
    if (n === 0) return undefined;
    if (endpoints !== this.list) {
      this.list = endpoints;
      this.index = new Map(endpoints.map((e, i) => [endpointKey(e), i]));
    }
    let next: number;
    const at = this.lastKey === undefined ? -1 : (this.index.get(this.lastKey) ?? -1);
    if (at >= 0) next = (at + 1) % n;
    else next = this.lastKey === undefined ? 0 : Math.max(0, this.lastIndex) % n;
    const ep = endpoints[next]!;
    this.lastKey = endpointKey(ep);
    this.lastIndex = next;
    return ep;
  }
}

/** A list's identity for table caching. */
function listKey(endpoints: readonly Endpoint[]): string {
  return endpoints.map(endpointKey).join(',');
}

const SH_TAB_BITS = 8;
const SH_TAB_MASK = (1 << SH_TAB_BITS) - 1;

/** ip_vs_sh_hashkey / ip_vs_dh_hashkey: Knuth's multiplicative hash of the folded address, 256 buckets. */
export function hashBucket(ip: string): number {
  return Math.imul(foldAddress(ip), 2654435761) & SH_TAB_MASK;
}

/**
 * ip_vs_sh / ip_vs_dh: 256 buckets dealt to the endpoints in list order
 * (weight 1: one bucket each, round and round), so bucket b → endpoint b mod n.
 */
class Bucketed implements Scheduler {
  constructor(
    readonly name: 'sh' | 'dh',
    private readonly bucketOf: (client: ClientAddr) => number,
  ) {}

  pick(endpoints: readonly Endpoint[], client: ClientAddr): Endpoint | undefined {
    if (endpoints.length === 0) return undefined;
    return endpoints[this.bucketOf(client) % endpoints.length];
  }
}

/** IPVS MH's default table size (primes[CONFIG_IP_VS_MH_TAB_INDEX - 8], index 12 → 251). */
export const MH_TABLE_SIZE = 251;
// IPVS keys its two hsiphash instances with these constants; we key a 32-bit mixer with them.
const MH_SEED1 = 2654435761;
const MH_SEED2 = 2654446892;

/** A well-mixed 32-bit hash of `v` under `seed` (murmur3's finaliser). */
function mix32(v: number, seed: number): number {
  let h = (v ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** ip_vs_mh_hashkey: hash of (offset + port + folded address). */
function mhHash(ip: string, port: number, seed: number, offset = 0): number {
  return mix32((offset + port + foldAddress(ip)) >>> 0, seed);
}

/**
 * The Maglev lookup table (ip_vs_mh_permutate + ip_vs_mh_populate, equal
 * weights): each endpoint walks its own permutation of the table (offset and
 * skip from its address), taking turns to claim its next free slot.
 */
export function maglevTable(endpoints: readonly Endpoint[], size = MH_TABLE_SIZE): Int32Array {
  const table = new Int32Array(size).fill(-1);
  const n = endpoints.length;
  if (n === 0) return table;
  const perm = endpoints.map((ep) => mhHash(ep.ip, ep.port, MH_SEED1) % size);
  const skip = endpoints.map((ep) => (mhHash(ep.ip, ep.port, MH_SEED2) % (size - 1)) + 1);
  let filled = 0;
  while (filled < size) {
    for (let i = 0; i < n && filled < size; i++) {
      let c = perm[i]!;
      while (table[c] !== -1) {
        c += skip[i]!;
        if (c >= size) c -= size;
      }
      perm[i] = c;
      table[c] = i;
      filled++;
    }
  }
  return table;
}

/** ip_vs_mh: the client address (port not used, IPVS's default) looks up the table. */
class Maglev implements Scheduler {
  readonly name = 'mh';
  private list: readonly Endpoint[] | undefined;
  private key = '';
  private table: Int32Array = new Int32Array(0);

  pick(endpoints: readonly Endpoint[], client: ClientAddr): Endpoint | undefined {
    if (endpoints.length === 0) return undefined;
    if (endpoints !== this.list) {
      // A new list object: rebuild only if its contents differ.
      this.list = endpoints;
      const key = listKey(endpoints);
      if (key !== this.key) {
        this.table = maglevTable(endpoints);
        this.key = key;
      }
    }
    return endpoints[this.table[mhHash(client.ip, 0, MH_SEED1) % MH_TABLE_SIZE]!];
  }
}

/**
 * The address folded to 32 bits as IPVS does: IPv4 as a number, IPv6 as the
 * XOR of its four 32-bit words (IPv4-mapped IPv6 folds like the IPv4 address
 * it carries, since a dual-stack socket reports IPv4 clients that way).
 */
export function foldAddress(ip: string): number {
  const at = ip.indexOf('%');
  const p = parseIPSloppy(at >= 0 ? ip.slice(0, at) : ip);
  if (!p) return 0;
  if (p.family === 'IPv4') return Number(p.value);
  let fold = 0n;
  for (let shift = 0n; shift < 128n; shift += 32n) fold ^= (p.value >> shift) & 0xffffffffn;
  return Number(fold);
}
