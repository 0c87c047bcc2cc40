/**
 * The cluster DNS contract: a pure record index answers questions about the
 * cluster zone; the server owns the wire (UDP and TCP, EDNS0, truncation),
 * sends names outside the zone to the forwarder, and chases CNAMEs that
 * leave the zone. Records use dns-packet's shapes, so the server encodes
 * them as they are.
 */
import type { Answer as PacketRecord } from 'dns-packet';

export type RecordType = 'A' | 'AAAA' | 'SRV' | 'PTR' | 'CNAME' | 'TXT' | 'SOA' | 'NS';

/** A resource record as dns-packet encodes it (name without a trailing dot). */
export type DnsRecord = PacketRecord;

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'FORMERR' | 'NOTIMP';

export interface Question {
  /** As asked (case preserved), without a trailing dot. */
  name: string;
  /** dns-packet's type name: 'A', 'AAAA', 'SRV', 'ANY', 'AXFR', ... */
  type: string;
  class?: string;
}

/** What the index answers for one in-zone question. */
export interface ZoneAnswer {
  rcode: Rcode;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  /**
   * The answer ends in a CNAME whose target is outside the cluster zones (an
   * ExternalName service): the server resolves the target through the
   * forwarder and appends what it answers, as CoreDNS does.
   */
  chase?: string;
}

export interface RecordIndex {
  /** Whether the name is in one of the zones this index is authoritative for. */
  inZone(name: string): boolean;
  /** Answers an in-zone question (never throws; malformed names are NXDOMAIN). */
  lookup(q: Question): ZoneAnswer;
}

/** Forwards a query for an out-of-zone name; resolves with the upstream's answer packet (or SERVFAIL). */
export interface Forwarder {
  forward(
    q: Question,
    opts?: { recursionDesired?: boolean },
  ): Promise<{
    rcode: Rcode;
    answers: DnsRecord[];
    authority: DnsRecord[];
    additional: DnsRecord[];
  }>;
}
