/**
 * Address helpers for the record index, with Go's net.ParseIP / IP.String
 * semantics where CoreDNS relies on them: dotted quads without leading zeros,
 * RFC 5952 text for IPv6, IPv4-mapped IPv6 printed as IPv4.
 */

export interface ParsedIP {
  /** Canonical text (Go's IP.String()). */
  ip: string;
  family: 4 | 6;
}

function parseIPv4Bytes(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    // Go (since 1.17) rejects leading zeros, which could be read as octal.
    if (p.length > 1 && p[0] === '0') return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Parses IPv6 text into eight 16-bit groups (an embedded dotted quad allowed at the end). */
function parseIPv6Groups(s: string): number[] | undefined {
  if (s.length === 0 || s.length > 45) return undefined;
  let text = s;
  const quad: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4Bytes(text.slice(lastColon + 1));
    if (!v4) return undefined;
    quad.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const given = head.length + tail.length + quad.length;
  if (halves.length === 1) return given === 8 ? [...head, ...quad] : undefined;
  if (given > 7) return undefined;
  return [...head, ...new Array<number>(8 - given).fill(0), ...tail, ...quad];
}

function formatIPv6(g: number[]): string {
  // IPv4-mapped addresses print as IPv4, as Go does.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
  }
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses an IPv4 or IPv6 address; undefined when it is not one. */
export function parseIP(s: string): ParsedIP | undefined {
  if (s.includes(':')) {
    const g = parseIPv6Groups(s);
    if (!g) return undefined;
    const ip = formatIPv6(g);
    return { ip, family: ip.includes(':') ? 6 : 4 };
  }
  const b = parseIPv4Bytes(s);
  return b ? { ip: b.join('.'), family: 4 } : undefined;
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
    const labels = name.slice(0, -'.in-addr.arpa'.length).split('.').reverse();
    const p = parseIP(labels.join('.'));
    return p?.family === 4 && !labels.join('.').includes(':') ? p.ip : '';
  }
  if (name.endsWith('.ip6.arpa')) {
    const labels = name.slice(0, -'.ip6.arpa'.length).split('.').reverse();
    if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return '';
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(labels.slice(i, i + 4).join(''));
    return parseIP(groups.join(':'))?.ip ?? '';
  }
  return '';
}

/** The reverse name (no trailing dot) of an address, nibble form for IPv6. */
export function reverseName(ip: string): string {
  const p = parseIP(ip);
  if (!p) return '';
  if (p.family === 4) return `${p.ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const g = parseIPv6Groups(p.ip)!;
  const nibbles = g.flatMap((x) => x.toString(16).padStart(4, '0').split(''));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}
