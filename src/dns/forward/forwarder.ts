/**
 * Forwards names outside the cluster zones to upstream resolvers, as
 * CoreDNS's forward plugin behind its cache plugin: upstreams are tried in
 * order, each with a timeout, UDP first and TCP when the answer is truncated;
 * an upstream's own answer (SERVFAIL included) is returned as it is, and
 * SERVFAIL is synthesised only when every upstream failed.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { DecodedPacket } from 'dns-packet';
import { joinHostPort } from '../../k8s/ip.js';
import { type Logger, silentLogger } from '../../lib/log.js';
import type { DnsMetrics } from '../metrics.js';
import type { DnsRecord, Forwarder, Question, Rcode } from '../types.js';
import { AnswerCache, type CacheKind, cacheKey } from './cache.js';
import { buildQuery, tcpExchange, type Upstream, udpExchange } from './transport.js';

export interface UpstreamForwarderOptions {
  /** HOST:PORT (IPv6 as [addr]:port; port defaults to 53). Default: readResolvConf(). */
  upstreams?: string[];
  /** Per upstream attempt (CoreDNS forward's read timeout is 2 s). */
  timeoutMs?: number;
  /** Cache entries (CoreDNS cache default: 9984 per kind); 0 disables the cache. */
  cacheSize?: number;
  /** Cap for positive answers, seconds. */
  maxTtl?: number;
  /** Cap for negative answers, seconds. */
  maxNegativeTtl?: number;
  /** Floor for cached TTLs, seconds. */
  minTtl?: number;
  /** Milliseconds clock (tests). */
  now?: () => number;
  metrics?: DnsMetrics;
  /** The server label for cache metrics (`dns://127.0.0.1:10053`). */
  server?: string;
  log?: Logger;
}

export interface ForwardResult {
  rcode: Rcode;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
}

const SERVFAIL: ForwardResult = { rcode: 'SERVFAIL', answers: [], authority: [], additional: [] };
const KNOWN_RCODES = new Set<string>(['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP']);

/** Parses HOST:PORT, [IPv6]:PORT, or a bare address (port 53). */
export function parseUpstream(s: string): Upstream {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) return { host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : 53 };
  if (isIP(s) === 6) return { host: s, port: 53 };
  const i = s.lastIndexOf(':');
  if (i < 0) return { host: s, port: 53 };
  const port = Number(s.slice(i + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`invalid upstream ${JSON.stringify(s)}`);
  return { host: s.slice(0, i), port };
}

function formatUpstream(u: Upstream): string {
  return joinHostPort(u.host, u.port);
}

/** The `nameserver` lines of a resolv.conf as HOST:PORT (port 53); [] when it cannot be read. */
export function readResolvConf(path = '/etc/resolv.conf'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    if (fields[0] !== 'nameserver' || !fields[1]) continue;
    const host = fields[1].replace(/%.*$/, ''); // drop an IPv6 zone index
    if (!isIP(host)) continue;
    out.push(formatUpstream({ host, port: 53 }));
  }
  return out;
}

export class UpstreamForwarder implements Forwarder {
  readonly upstreams: readonly Upstream[];
  private readonly timeoutMs: number;
  private readonly cache: AnswerCache;
  private readonly inflight = new Map<string, Promise<ForwardResult>>();
  private readonly log: Logger;
  private readonly labels: { server: string; zones: string; view: string };

  constructor(private readonly opts: UpstreamForwarderOptions = {}) {
    this.upstreams = (opts.upstreams ?? readResolvConf()).map(parseUpstream);
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.log = (opts.log ?? silentLogger).named('dns-forward');
    this.cache = new AnswerCache({
      capacity: opts.cacheSize ?? 10000,
      maxTtl: opts.maxTtl ?? 3600,
      maxNegativeTtl: opts.maxNegativeTtl ?? 1800,
      minTtl: opts.minTtl ?? 0,
      now: opts.now ?? Date.now,
    });
    this.labels = { server: opts.server ?? '', zones: '.', view: '' };
  }

  /** Cached answers right now. */
  get cacheSize(): number {
    return this.cache.size;
  }

  async forward(q: Question, opts: { recursionDesired?: boolean } = {}): Promise<ForwardResult> {
    const rd = opts.recursionDesired ?? true;
    const key = cacheKey(q.name, q.type) + (rd ? '' : '\u0000nord');
    const m = this.opts.metrics;
    m?.cacheRequests.inc(this.labels);
    const hit = this.cache.get(key);
    if (hit) {
      m?.cacheHits.inc(this.kindLabels(hit.kind));
      return hit.value;
    }
    m?.cacheMisses.inc(this.labels);
    // Concurrent identical questions share one upstream exchange.
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.resolve(q, rd).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
      pending.then((r) => {
        if (r !== SERVFAIL && this.cache.set(key, r)) this.updateEntries();
      });
    }
    return pending;
  }

  /** Labels in CoreDNS's order (prom-client prints them as given). */
  private kindLabels(type: CacheKind) {
    return { server: this.labels.server, type, zones: this.labels.zones, view: this.labels.view };
  }

  private updateEntries(): void {
    const m = this.opts.metrics;
    if (!m) return;
    m.cacheEntries.set(this.kindLabels('success'), this.cache.count('success'));
    m.cacheEntries.set(this.kindLabels('denial'), this.cache.count('denial'));
  }

  private async resolve(q: Question, rd: boolean): Promise<ForwardResult> {
    const m = this.opts.metrics;
    for (const up of this.upstreams) {
      const to = formatUpstream(up);
      const query = buildQuery(q, rd);
      const start = performance.now();
      m?.forwardRequests.inc({ to });
      try {
        let resp = await udpExchange(up, q, query, this.timeoutMs);
        if (resp.flag_tc) resp = await tcpExchange(up, q, query, this.timeoutMs);
        const result = toResult(resp);
        m?.forwardResponses.inc({ to, rcode: result.rcode });
        m?.forwardDuration.observe({ to, rcode: result.rcode }, (performance.now() - start) / 1000);
        return result;
      } catch (err) {
        this.log.v(2).info('Upstream failed', { upstream: to, name: q.name, type: q.type, err: String(err) });
      }
    }
    m?.forwardBroken.inc();
    return SERVFAIL;
  }
}

function toResult(resp: DecodedPacket): ForwardResult {
  const rcode = (resp as DecodedPacket & { rcode?: string }).rcode ?? 'NOERROR';
  return {
    rcode: KNOWN_RCODES.has(rcode) ? (rcode as Rcode) : 'SERVFAIL',
    answers: resp.answers ?? [],
    authority: resp.authorities ?? [],
    additional: (resp.additionals ?? []).filter((r) => r.type !== 'OPT'),
  };
}
