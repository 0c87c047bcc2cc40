/**
 * Addresses as DNS records carry them, built on the one IP module with Go's
 * strict `net.ParseIP` (what CoreDNS uses): canonical text plus the record
 * family, and the names CoreDNS derives from addresses (dashed endpoint and
 * pod labels, reverse names).
 */
import { formatIP, parseIP } from '../../k8s/ip.js';

export interface RecordAddress {
  /** Canonical text (Go's IP.String()). */
  ip: string;
  /** 4: an A record, 6: AAAA. */
  family: 4 | 6;
}

/** Parses an address (IPv4-mapped IPv6 counts as IPv4); undefined when it is not one. */
export function recordAddress(text: string): RecordAddress | undefined {
  const p = parseIP(text);
  return p && { ip: formatIP(p), family: p.family === 'IPv4' ? 4 : 6 };
}

/**
 * The endpoint label CoreDNS derives from an address when there is no
 * hostname: dots or colons become dashes, and an IPv6 label ending in a dash
 * gets a trailing 0 so it stays a valid label.
 */
export function dashedIP(ip: string): string {
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  if (ip.includes(':')) {
    const label = ip.replaceAll(':', '-');
    return label.endsWith('-') ? label + '0' : label;
  }
  return '';
}

/**
 * The address a pod label stands for (`10-0-0-1`, `fd00--1`): exactly three
 * dashes and no `--` is IPv4, anything else is read as IPv6. Not validated.
 */
export function podLabelToIP(label: string): string {
  const dashes = label.split('-').length - 1;
  if (dashes === 3 && !label.includes('--')) return label.replaceAll('-', '.');
  return label.replaceAll('-', ':');
}

/**
 * The address a reverse name (lower case, no trailing dot) stands for, or ''
 * (dnsutil.ExtractAddressFromReverse): four octets under in-addr.arpa, 32
 * nibbles under ip6.arpa.
 */
export function addressFromReverse(name: string): string {
  if (name.endsWith('.in-addr.arpa')) {
    const text = name.slice(0, -'.in-addr.arpa'.length).split('.').reverse().join('.');
    const p = text.includes(':') ? undefined : recordAddress(text);
    return p?.family === 4 ? p.ip : '';
  }
  if (name.endsWith('.ip6.arpa')) {
    const labels = name.slice(0, -'.ip6.arpa'.length).split('.').reverse();
    if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return '';
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(labels.slice(i, i + 4).join(''));
    return recordAddress(groups.join(':'))?.ip ?? '';
  }
  return '';
}

/** The reverse name (no trailing dot) of an address, nibble form for IPv6. */
export function reverseName(ip: string): string {
  const p = parseIP(ip);
  if (!p) return '';
  if (p.family === 'IPv4') return `${formatIP(p).split('.').reverse().join('.')}.in-addr.arpa`;
  const nibbles = p.value.toString(16).padStart(32, '0').split('');
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}
