/**
 * Answers in-zone questions the way CoreDNS's kubernetes plugin does
 * (handler.go, kubernetes.go, reverse.go, ns.go and plugin/backend_lookup.go):
 * a question is turned into "services" (address, port and owner-name
 * entries), then shaped per query type. A name error gives NXDOMAIN; a name
 * that exists without records of the asked type gives NODATA; both carry
 * the zone's SOA in the authority section.
 */
import type { StringRecordType } from 'dns-packet';
import type { DnsRecord, Rcode, ZoneAnswer } from '../types.js';
import { addressFromReverse, podLabelToIP, recordAddress } from './addresses.js';
import { normalizeName, type ResolvedConfig } from './config.js';
import { type Model, serviceKey } from './model.js';
import {
  isMalformed,
  isSubdomain,
  matchPortAndProtocol,
  matchZone,
  type ParsedRequest,
  parseRequest,
} from './names.js';

export const DNS_SCHEMA_VERSION = '1.1.0';
/** TTL of the dns-version TXT record (CoreDNS's fixed value). */
const DNS_VERSION_TTL = 28800;
/** CoreDNS stops following CNAMEs after this many. */
const MAX_CNAME_CHAIN = 7;

/** A question's name as asked and folded, with the zone it falls in. */
export interface QName {
  /** As asked, no trailing dot. */
  asked: string;
  /** Lower case. */
  lower: string;
  /** The matched zone, lower case. */
  zone: string;
  /** The zone as spelled in the question (answers keep the query's case). */
  zoneAsked: string;
}

type Entry =
  | { kind: 'ip'; ip: string; family: 4 | 6; port: number; key: string }
  | { kind: 'cname'; target: string }
  | { kind: 'txt'; text: string };

interface Found {
  entries: Entry[];
  /** A name error: the name does not exist. */
  nx: boolean;
}

interface Shaped {
  records: DnsRecord[];
  additional?: DnsRecord[];
  nx: boolean;
  chase?: string;
}

const NX: Found = { entries: [], nx: true };
const EMPTY: Found = { entries: [], nx: false };

const stripDot = (s: string): string => (s.endsWith('.') ? s.slice(0, -1) : s);

function rr(name: string, type: StringRecordType, ttl: number, data: string): DnsRecord {
  return { name, type, ttl, class: 'IN', data };
}

export function qname(cfg: ResolvedConfig, name: string): QName | undefined {
  const asked = stripDot(name);
  const lower = asked.toLowerCase();
  const zone = matchZone(cfg.zones, lower);
  if (zone === undefined) return undefined;
  return { asked, lower, zone, zoneAsked: asked.slice(asked.length - zone.length) };
}

const isReverseName = (lower: string): boolean =>
  lower.endsWith('.in-addr.arpa') || lower.endsWith('.ip6.arpa');

export class Resolver {
  constructor(
    private readonly cfg: ResolvedConfig,
    private readonly model: Model,
  ) {}

  /** Answers one question; `name` must be in one of the zones (else REFUSED). */
  answer(name: string, type: string): ZoneAnswer {
    const n = qname(this.cfg, name);
    if (!n) return { rcode: 'REFUSED', answers: [], authority: [], additional: [] };
    if (isMalformed(n.lower)) return this.negative(n, 'NXDOMAIN');
    const s = this.shape(n, type.toUpperCase());
    if (s === 'REFUSED') return { rcode: 'REFUSED', answers: [], authority: [], additional: [] };
    if (s.nx) return this.negative(n, 'NXDOMAIN');
    if (s.records.length === 0) return this.negative(n, 'NOERROR');
    const out: ZoneAnswer = {
      rcode: 'NOERROR',
      answers: s.records,
      authority: [],
      additional: s.additional ?? [],
    };
    if (s.chase !== undefined) out.chase = s.chase;
    return out;
  }

  private negative(n: QName, rcode: Rcode): ZoneAnswer {
    return { rcode, answers: [], authority: [this.soa(n)], additional: [] };
  }

  soa(n: QName): DnsRecord {
    const z = n.zoneAsked;
    return {
      name: z,
      type: 'SOA',
      class: 'IN',
      ttl: Math.min(this.cfg.ttl, 300),
      data: {
        mname: `ns.dns.${z}`,
        rname: `hostmaster.${z}`,
        serial: this.cfg.serial,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.cfg.ttl,
      },
    };
  }

  private shape(n: QName, type: string): Shaped | 'REFUSED' {
    switch (type) {
      case 'A':
      case 'AAAA':
        return this.address(n, type, []);
      case 'TXT':
        return this.txt(n);
      case 'CNAME':
        return this.cname(n);
      case 'PTR':
        return this.ptr(n);
      case 'SRV':
        return this.srv(n);
      case 'MX': {
        const f = this.services(n, 'MX');
        return { records: [], nx: f.nx };
      }
      case 'SOA':
        return { records: n.lower === n.zone ? [this.soa(n)] : [], nx: false };
      case 'AXFR':
      case 'IXFR':
        return 'REFUSED';
      case 'NS':
        if (n.lower === n.zone) return this.ns(n);
        return this.fakeA(n);
      default:
        return this.fakeA(n);
    }
  }

  /** Unsupported types: an A lookup decides between NODATA and NXDOMAIN. */
  private fakeA(n: QName): Shaped {
    return { records: [], nx: this.address(n, 'A', []).nx };
  }

  private base(n: QName): string {
    return n.lower === n.zone ? '' : n.lower.slice(0, n.lower.length - n.zone.length - 1);
  }

  private namespaceExposed(ns: string): boolean {
    if (this.cfg.namespaces && !this.cfg.namespaces.has(ns)) return false;
    return this.model.namespaces.has(ns);
  }

  /** kubernetes.go Services(): the entries a question of this type sees. */
  private services(n: QName, type: string): Found {
    if (type === 'TXT') {
      return this.base(n) === 'dns-version'
        ? { entries: [{ kind: 'txt', text: DNS_SCHEMA_VERSION }], nx: false }
        : EMPTY;
    }
    if (n.lower === `ns.dns.${n.zone}`) {
      const family = type === 'A' ? 4 : type === 'AAAA' ? 6 : 0;
      const entries: Entry[] = this.nameservers(n)
        .filter((a) => a.family === family)
        .map((a) => ({ kind: 'ip', ip: a.ip, family: a.family, port: 0, key: n.asked }));
      return { entries, nx: false };
    }
    const found = this.records(n);
    // SRV for ExternalName services is not implemented in CoreDNS: NODATA.
    if (type === 'SRV') return { entries: found.entries.filter((e) => e.kind === 'ip'), nx: found.nx };
    return found;
  }

  private records(n: QName): Found {
    const r = parseRequest(this.base(n));
    if (!r) return NX;
    if (r.podOrSvc === '') return EMPTY;
    if (isReverseName(n.lower)) return NX;
    if (!this.namespaceExposed(r.namespace)) return NX;
    return r.podOrSvc === 'pod' ? this.findPods(r, n) : this.findServices(r, n);
  }

  private findPods(r: ParsedRequest, n: QName): Found {
    if (this.cfg.pods === 'disabled') return NX;
    if (r.service === '') return EMPTY;
    const ip = podLabelToIP(r.service);
    const key = `${r.service}.${r.namespace}.pod.${n.zoneAsked}`;
    if (this.cfg.pods === 'insecure') {
      const p = recordAddress(ip);
      if (!p) return NX;
      return { entries: [{ kind: 'ip', ip: p.ip, family: p.family, port: 0, key }], nx: false };
    }
    // verified: the address must belong to a pod in that namespace.
    if (!this.model.pods.has(`${r.namespace}/${ip}`)) return NX;
    const p = recordAddress(ip);
    if (!p) return NX;
    return { entries: [{ kind: 'ip', ip: p.ip, family: p.family, port: 0, key }], nx: false };
  }

  private findServices(r: ParsedRequest, n: QName): Found {
    if (r.service === '') return EMPTY;
    const svc = this.model.services.get(serviceKey(r.service, r.namespace));
    if (!svc) return NX;
    const svcName = `${svc.name}.${svc.namespace}.svc.${n.zoneAsked}`;
    if (svc.kind === 'ExternalName') {
      // An ExternalName has no endpoints: names below it do not exist.
      if (r.endpoint !== '' || svc.externalName === '' || recordAddress(stripDot(svc.externalName)))
        return NX;
      return { entries: [{ kind: 'cname', target: stripDot(svc.externalName) }], nx: false };
    }
    const entries: Entry[] = [];
    let found = false;
    if (svc.kind === 'Headless' || r.endpoint !== '') {
      for (const g of svc.groups) {
        for (const a of g.addresses) {
          if (r.endpoint !== '' && r.endpoint !== a.hostname.toLowerCase()) continue;
          for (const p of g.ports) {
            if (!matchPortAndProtocol(r.port, p.name, r.protocol, p.protocol)) continue;
            found = true;
            entries.push({
              kind: 'ip',
              ip: a.ip,
              family: a.family,
              port: p.port,
              key: `${a.hostname}.${svcName}`,
            });
          }
        }
      }
      return { entries, nx: !found };
    }
    for (const p of svc.ports) {
      if (!matchPortAndProtocol(r.port, p.name, r.protocol, p.protocol)) continue;
      found = true;
      for (const c of svc.clusterIPs) {
        entries.push({ kind: 'ip', ip: c.ip, family: c.family, port: p.port, key: svcName });
      }
    }
    return { entries, nx: !found };
  }

  /**
   * ns.go nsAddrs(): the services whose endpoints hold one of the server's
   * addresses; else the configured DNS service; else the addresses as
   * ns.dns.<zone>. Deduplicated by address.
   */
  private nameservers(n: QName): { ip: string; family: 4 | 6; key: string }[] {
    const out: { ip: string; family: 4 | 6; key: string }[] = [];
    const seen = new Set<string>();
    const add = (ip: string, family: 4 | 6, key: string): void => {
      if (seen.has(ip)) return;
      seen.add(ip);
      out.push({ ip, family, key });
    };
    const svcName = (name: string, ns: string): string => `${name}.${ns}.svc.${n.zoneAsked}`;
    for (const local of this.cfg.localIPs) {
      const ip = recordAddress(local)?.ip;
      for (const { group } of (ip && this.model.groupsByIP.get(ip)) || []) {
        const svc = this.model.services.get(serviceKey(group.service, group.namespace));
        if (!svc) continue;
        const name = svcName(svc.name, svc.namespace);
        if (svc.kind === 'Headless') {
          for (const a of group.addresses) add(a.ip, a.family, `${a.hostname}.${name}`);
        } else if (svc.kind === 'ClusterIP' && svc.clusterIPs[0]) {
          add(svc.clusterIPs[0].ip, svc.clusterIPs[0].family, name);
        }
      }
    }
    if (out.length === 0) {
      const { namespace, name } = this.cfg.dnsService;
      const svc = this.model.services.get(serviceKey(name, namespace));
      if (svc?.kind === 'ClusterIP' && svc.clusterIPs[0]) {
        add(svc.clusterIPs[0].ip, svc.clusterIPs[0].family, svcName(svc.name, svc.namespace));
      }
    }
    if (out.length === 0) {
      for (const local of this.cfg.localIPs) {
        const p = recordAddress(local);
        if (p) add(p.ip, p.family, `ns.dns.${n.zoneAsked}`);
      }
    }
    return out;
  }

  /** backend_lookup.go A()/AAAA(): addresses, following CNAMEs inside the zones. */
  private address(n: QName, type: 'A' | 'AAAA', previous: DnsRecord[]): Shaped {
    const f = this.services(n, type);
    if (f.nx) return { records: [], nx: true };
    const family = type === 'A' ? 4 : 6;
    const records: DnsRecord[] = [];
    const seen = new Set<string>();
    let chase: string | undefined;
    for (const e of f.entries) {
      if (e.kind === 'ip') {
        if (e.family !== family || seen.has(e.ip)) continue;
        seen.add(e.ip);
        records.push(rr(n.asked, type, this.cfg.ttl, e.ip));
        continue;
      }
      if (e.kind !== 'cname') continue;
      const target = e.target.toLowerCase();
      // x CNAME x (or a name below x) is a loop.
      if (isSubdomain(n.lower, target)) continue;
      if (previous.length > MAX_CNAME_CHAIN) continue;
      if (previous.some((p) => p.type === 'CNAME' && normalizeName(p.data) === target)) continue;
      const cname = rr(n.asked, 'CNAME', this.cfg.ttl, e.target);
      const inner = qname(this.cfg, e.target);
      if (inner) {
        const next = isMalformed(inner.lower)
          ? { records: [], nx: true }
          : this.address(inner, type, [...previous, cname]);
        if (!next.nx && next.records.length > 0) {
          records.push(cname, ...next.records);
          chase ??= next.chase;
        }
        continue;
      }
      // The target is outside the zones: the server resolves it upstream.
      records.push(cname);
      chase ??= e.target;
    }
    return chase === undefined ? { records, nx: false } : { records, nx: false, chase };
  }

  /** backend_lookup.go SRV(): priority 0, weight 100/n (at least 1), glue in additional. */
  private srv(n: QName): Shaped {
    const f = this.services(n, 'SRV');
    if (f.nx) return { records: [], nx: true };
    const entries = f.entries.filter((e): e is Extract<Entry, { kind: 'ip' }> => e.kind === 'ip');
    // Go's float arithmetic, the same in doubles: every entry weighs 100.
    const weight = Math.max(1, Math.floor((100 / (100 * entries.length)) * 100));
    const records: DnsRecord[] = [];
    const additional: DnsRecord[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      // Port -1: the endpoints declare no ports, so there is nothing to point at.
      if (e.port === -1) continue;
      const srvKey = `${e.key}\u0000${e.port}`;
      if (!seen.has(srvKey)) {
        seen.add(srvKey);
        records.push({
          name: n.asked,
          type: 'SRV',
          class: 'IN',
          ttl: this.cfg.ttl,
          data: { priority: 0, weight, port: e.port, target: e.key },
        });
      }
      const glueKey = `${e.key}\u0000\u0000${e.ip}`;
      if (!seen.has(glueKey)) {
        seen.add(glueKey);
        additional.push(rr(e.key, e.family === 4 ? 'A' : 'AAAA', this.cfg.ttl, e.ip));
      }
    }
    return { records, additional, nx: false };
  }

  private txt(n: QName): Shaped {
    const records: DnsRecord[] = [];
    for (const e of this.services(n, 'TXT').entries) {
      if (e.kind === 'txt')
        records.push({ name: n.asked, type: 'TXT', class: 'IN', ttl: DNS_VERSION_TTL, data: e.text });
    }
    return { records, nx: false };
  }

  private cname(n: QName): Shaped {
    const f = this.services(n, 'CNAME');
    if (f.nx) return { records: [], nx: true };
    const first = f.entries[0];
    return {
      records: first?.kind === 'cname' ? [rr(n.asked, 'CNAME', this.cfg.ttl, first.target)] : [],
      nx: false,
    };
  }

  private ns(n: QName): Shaped {
    const records: DnsRecord[] = [];
    const additional: DnsRecord[] = [];
    const seen = new Set<string>();
    for (const a of this.nameservers(n)) {
      additional.push(rr(a.key, a.family === 4 ? 'A' : 'AAAA', this.cfg.ttl, a.ip));
      if (seen.has(a.key)) continue;
      seen.add(a.key);
      records.push(rr(n.asked, 'NS', this.cfg.ttl, a.key));
    }
    return { records, additional, nx: false };
  }

  /** reverse.go: a service's cluster IP first, else every ready endpoint holding the address. */
  private ptr(n: QName): Shaped {
    const ip = addressFromReverse(n.lower);
    if (ip === '') return { records: [], nx: this.records(n).nx };
    const exposed = (ns: string): boolean =>
      !this.cfg.namespaces || this.cfg.namespaces.has(ns.toLowerCase());
    const zone = this.cfg.primaryZone;
    const targets: string[] = [];
    const svc = this.model.serviceByIP.get(ip);
    if (svc && exposed(svc.namespace)) {
      targets.push(`${svc.name}.${svc.namespace}.svc.${zone}`);
    } else {
      for (const { group, address } of this.model.groupsByIP.get(ip) ?? []) {
        if (exposed(group.namespace))
          targets.push(`${address.hostname}.${group.service}.${group.namespace}.svc.${zone}`);
      }
    }
    if (targets.length === 0) return { records: [], nx: true };
    const records = [...new Set(targets)].map((t) => rr(n.asked, 'PTR', this.cfg.ttl, t));
    return { records, nx: false };
  }
}
