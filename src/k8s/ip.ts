/**
 * IP addresses and CIDRs, the one module every component uses.
 *
 * Parsing follows Go's `net` package as Kubernetes uses it: `parseIPSloppy`
 * and `parseCIDRSloppy` are k8s.io/utils/net's ParseIPSloppy / ParseCIDRSloppy
 * (the pre-Go-1.17 parser Kubernetes 1.32 validates API fields with: IPv4
 * octets may carry leading zeros, read as decimal), `parseIP` is Go 1.17+'s
 * strict `net.ParseIP` (what CoreDNS uses). Either way an IPv4-mapped IPv6
 * address counts as IPv4, as Go's `To4` does. Text is printed as Go's
 * `IP.String()`: dotted quads, RFC 5952 for IPv6.
 *
 * An address is its family and its value as a 32- or 128-bit integer, so
 * allocators can count and compare. (ip-address was measured at 10 µs per
 * formatted IPv6 address here, too slow for DNS and proxy syncs, and its
 * parser does not follow Go's; see docs/ip.md.)
 */

export type IPFamily = 'IPv4' | 'IPv6';

export interface IP {
  family: IPFamily;
  /** 32 bits for IPv4, 128 for IPv6. */
  value: bigint;
}

export interface CIDR {
  family: IPFamily;
  /** The network address (host bits cleared). */
  network: bigint;
  prefix: number;
  /** The mask length space, decided by how the address was written (Go keeps a 16-byte mask for `::ffff:a.b.c.d/N`). */
  bits: 32 | 128;
  /** Canonical text of the network, e.g. `10.96.0.0/12`. */
  text: string;
  /** The address as written, host bits kept. */
  address: IP;
}

export const otherFamily = (f: IPFamily): IPFamily => (f === 'IPv4' ? 'IPv6' : 'IPv4');

const MAPPED = 0xffffn << 32n;
/** Go's `big` in dtoi/xtoi: numbers this large stop the parse. */
const BIG = 0xffffff;

/** Decimal digits from i: [value, end], or undefined (Go's dtoi; `strict` rejects leading zeros as Go 1.17). */
function dtoi(s: string, i: number, strict: boolean): [number, number] | undefined {
  let n = 0;
  let j = i;
  for (; j < s.length; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) break;
    if (strict && j > i && n === 0) return undefined;
    n = n * 10 + c;
    if (n >= BIG) return undefined;
  }
  return j === i ? undefined : [n, j];
}

/** Hex digits from i: [value, end], or undefined (Go's xtoi). */
function xtoi(s: string, i: number): [number, number] | undefined {
  let n = 0;
  let j = i;
  for (; j < s.length; j++) {
    const c = s.charCodeAt(j);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) break;
    n = n * 16 + d;
    if (n >= BIG) return undefined;
  }
  return j === i ? undefined : [n, j];
}

/** Dotted quad → 32-bit value. */
function parseIPv4(s: string, strict: boolean): number | undefined {
  let v = 0;
  let i = 0;
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (s.charCodeAt(i) !== 46) return undefined;
      i++;
    }
    const r = dtoi(s, i, strict);
    if (!r || r[0] > 0xff) return undefined;
    v = v * 256 + r[0];
    i = r[1];
  }
  return i === s.length ? v : undefined;
}

/** Go's parseIPv6 → 128-bit value: groups, one `::`, an optional trailing dotted quad. */
function parseIPv6(input: string, strict: boolean): bigint | undefined {
  const groups = new Array<number>(8).fill(0);
  let s = input;
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return 0n;
  }
  let i = 0; // groups filled
  while (i < 8) {
    const r = xtoi(s, 0);
    if (!r || r[0] > 0xffff) return undefined;
    const [n, c] = r;
    if (c < s.length && s[c] === '.') {
      // A trailing dotted quad, only as the last 32 bits or after an ellipsis.
      if ((ellipsis < 0 && i !== 6) || i + 2 > 8) return undefined;
      const v4 = parseIPv4(s, strict);
      if (v4 === undefined) return undefined;
      groups[i] = v4 >>> 16;
      groups[i + 1] = v4 & 0xffff;
      i += 2;
      s = '';
      break;
    }
    groups[i++] = n;
    s = s.slice(c);
    if (s.length === 0) break;
    if (s[0] !== ':' || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) return undefined;
  if (i < 8) {
    if (ellipsis < 0) return undefined;
    const shift = 8 - i;
    for (let j = i - 1; j >= ellipsis; j--) groups[j + shift] = groups[j]!;
    for (let j = ellipsis + shift - 1; j >= ellipsis; j--) groups[j] = 0;
  } else if (ellipsis >= 0) {
    return undefined; // an ellipsis must stand for at least one group
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

/** The form is decided by the first '.' or ':', as Go's parseIP does. */
function parse(s: string, strict: boolean): IP | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      const v4 = parseIPv4(s, strict);
      return v4 === undefined ? undefined : { family: 'IPv4', value: BigInt(v4) };
    }
    if (c === 58) {
      const v6 = parseIPv6(s, strict);
      if (v6 === undefined) return undefined;
      return v6 >> 32n === 0xffffn
        ? { family: 'IPv4', value: v6 & 0xffffffffn }
        : { family: 'IPv6', value: v6 };
    }
  }
  return undefined;
}

/** k8s.io/utils/net ParseIPSloppy: what Kubernetes 1.32 accepts in API fields and flags. */
export const parseIPSloppy = (s: string): IP | undefined => parse(s, false);

/** Go 1.17+ net.ParseIP: like the sloppy form, but an IPv4 octet with a leading zero is an error. */
export const parseIP = (s: string): IP | undefined => parse(s, true);

/** Go's IP.String(): dotted quad; RFC 5952 for IPv6 (longest run of two or more zero groups compressed, the first on a tie). */
export function formatIP(ip: IP): string {
  if (ip.family === 'IPv4') {
    const v = Number(ip.value);
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  }
  if (ip.value >> 32n === 0xffffn) return formatIP({ family: 'IPv4', value: ip.value & 0xffffffffn });
  const g: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) g.push(Number((ip.value >> shift) & 0xffffn));
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

/** Go's 16-byte net.IP (IPv4 as ::ffff:a.b.c.d). */
export function ipBytes(ip: IP): Uint8Array {
  const value = ip.family === 'IPv4' ? ip.value | MAPPED : ip.value;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number((value >> BigInt(8 * (15 - i))) & 0xffn);
  return out;
}

/** The canonical form of an address (sloppy parse), or undefined when it does not parse. */
export function canonicalIP(text: string): string | undefined {
  const ip = parseIPSloppy(text);
  return ip && formatIP(ip);
}

/** The family of an address (sloppy parse), or undefined when it does not parse. */
export const ipFamilyOf = (text: string): IPFamily | undefined => parseIPSloppy(text)?.family;

/** netutils.IsIPv4String / IsIPv6String. */
export const isIPv4String = (s: string): boolean => ipFamilyOf(s) === 'IPv4';
export const isIPv6String = (s: string): boolean => ipFamilyOf(s) === 'IPv6';

/** netutils.IsDualStackIPStrings: at least one of each family; undefined when any fails to parse. */
export function isDualStackIPStrings(ips: readonly string[]): boolean | undefined {
  let v4 = false;
  let v6 = false;
  for (const s of ips) {
    const f = ipFamilyOf(s);
    if (!f) return undefined;
    if (f === 'IPv6') v6 = true;
    else v4 = true;
  }
  return v4 && v6;
}

/** Numeric order; IPv4 sorts before IPv6. */
export function compareIP(a: IP, b: IP): number {
  if (a.family !== b.family) return a.family === 'IPv4' ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** The address `n` after `ip` (negative: before), or undefined when that leaves the family's space. */
export function addToIP(ip: IP, n: bigint): IP | undefined {
  const value = ip.value + n;
  const max = ip.family === 'IPv4' ? 0xffffffffn : (1n << 128n) - 1n;
  return value < 0n || value > max ? undefined : { family: ip.family, value };
}

/** k8s.io/utils/net ParseCIDRSloppy; undefined when it is not a CIDR. */
export function parseCIDRSloppy(text: string): CIDR | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = text.slice(0, slash);
  const maskText = text.slice(slash + 1);
  let bits: 32 | 128 = 32;
  let value: bigint | undefined;
  const v4 = parseIPv4(addr, false);
  if (v4 !== undefined) value = BigInt(v4);
  else {
    bits = 128;
    value = parseIPv6(addr, false);
  }
  const mask = dtoi(maskText, 0, false);
  if (value === undefined || !mask || mask[1] !== maskText.length || mask[0] > bits) return undefined;
  const prefix = mask[0];
  // An IPv4-mapped address in IPv6 CIDR notation stays IPv6: Go keeps a 16-byte mask.
  const family: IPFamily = bits === 128 ? 'IPv6' : 'IPv4';
  const address: IP =
    bits === 128 && value >> 32n === 0xffffn
      ? { family: 'IPv4', value: value & 0xffffffffn }
      : { family, value };
  const hostBits = BigInt(bits - prefix);
  const network = (value >> hostBits) << hostBits;
  return {
    family,
    network,
    prefix,
    bits,
    text: `${formatIP({ family, value: network })}/${prefix}`,
    address,
  };
}

/** parseCIDRSloppy that throws Go's message. */
export function parseCIDR(text: string): CIDR {
  const c = parseCIDRSloppy(text);
  if (!c) throw new Error(`invalid CIDR address: ${text}`);
  return c;
}

/** Number of addresses in the CIDR (2^hostbits). */
export const cidrSize = (c: CIDR): bigint => 1n << BigInt(c.bits - c.prefix);

export function cidrContains(c: CIDR, ip: IP): boolean {
  // As Go's IPNet.Contains: an IPv4 address is never inside a 16-byte network, not even ::ffff:0:0/96.
  if (ip.family !== c.family) return false;
  const hostBits = BigInt(c.bits - c.prefix);
  return ip.value >> hostBits === c.network >> hostBits;
}

/** Whether the address `ip` lies in any of `cidrs` (entries that do not parse are ignored). */
export function inAnyCIDR(ip: string, cidrs: readonly string[]): boolean {
  const p = parseIPSloppy(ip);
  if (!p) return false;
  for (const c of cidrs) {
    const cidr = parseCIDRSloppy(c);
    if (cidr && cidrContains(cidr, p)) return true;
  }
  return false;
}

export const isUnspecified = (ip: IP): boolean => ip.value === 0n;

export const isLoopback = (ip: IP): boolean =>
  ip.family === 'IPv4' ? ip.value >> 24n === 127n : ip.value === 1n;

/** 169.254.0.0/16, fe80::/10. */
export const isLinkLocalUnicast = (ip: IP): boolean =>
  ip.family === 'IPv4' ? ip.value >> 16n === 0xa9fen : ip.value >> 118n === 0x3fan;

/** 224.0.0.0/24, ff02::/16 (Go checks ff0X with X&0xf == 2). */
export const isLinkLocalMulticast = (ip: IP): boolean =>
  ip.family === 'IPv4'
    ? ip.value >> 8n === 0xe00000n
    : ip.value >> 120n === 0xffn && ((ip.value >> 112n) & 0xfn) === 2n;

/** `ip:port`, with brackets for IPv6, as Go's net.JoinHostPort. */
export const joinHostPort = (ip: string, port: number | string): string =>
  ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;

/** Go's net.SplitHostPort: `host:port`, `[v6]:port`; throws Go's `address X: why` on anything else. */
export function splitHostPort(addr: string): { host: string; port: string } {
  const fail = (why: string) => new Error(`address ${addr}: ${why}`);
  const i = addr.lastIndexOf(':');
  if (i < 0) throw fail('missing port in address');
  let host: string;
  let j = 0;
  let k = 0;
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    if (end < 0) throw fail("missing ']' in address");
    if (end + 1 === addr.length) throw fail('missing port in address');
    if (end + 1 !== i)
      throw fail(addr[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = addr.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = addr.slice(0, i);
    if (host.includes(':')) throw fail('too many colons in address');
  }
  if (addr.indexOf('[', j) >= 0) throw fail("unexpected '[' in address");
  if (addr.indexOf(']', k) >= 0) throw fail("unexpected ']' in address");
  return { host, port: addr.slice(i + 1) };
}
