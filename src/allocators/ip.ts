/**
 * IP addresses and CIDRs as 32/128-bit integers, parsed like Go's
 * `netutils.ParseIPSloppy` / `ParseCIDRSloppy` and printed like `net.IP.String()`,
 * so allocator messages read like upstream's.
 */
import { Address6 } from 'ip-address';

export type IPFamily = 'IPv4' | 'IPv6';

export interface IP {
  family: IPFamily;
  value: bigint;
}

export interface CIDR {
  family: IPFamily;
  /** The network address (host bits cleared). */
  network: bigint;
  prefix: number;
  bits: 32 | 128;
  /** Canonical text, e.g. `10.96.0.0/12`. */
  text: string;
}

const V4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;
const MAPPED_PREFIX = 0xffffn << 32n;

function parseIPv4(text: string): bigint | undefined {
  const m = V4.exec(text);
  if (!m) return undefined;
  let v = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    v = (v << 8n) | BigInt(octet);
  }
  return v;
}

/** Parses an address; leading zeros in IPv4 are accepted (sloppy), IPv4-mapped IPv6 counts as IPv4 as in Go. */
export function parseIP(text: string): IP | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 'IPv4', value: v4 };
  if (!text.includes(':') || text.includes('/') || text.includes('%')) return undefined;
  let value: bigint;
  try {
    value = new Address6(text).bigInt();
  } catch {
    return undefined;
  }
  if (value >> 32n === 0xffffn) return { family: 'IPv4', value: value & 0xffffffffn };
  return { family: 'IPv6', value };
}

export function formatIP(ip: IP): string {
  if (ip.family === 'IPv4') {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  if (ip.value >> 32n === 0xffffn) return formatIP({ family: 'IPv4', value: ip.value & 0xffffffffn });
  return Address6.fromBigInt(ip.value).correctForm();
}

/** The canonical form of an address, or undefined when it does not parse. */
export function canonicalIP(text: string): string | undefined {
  const ip = parseIP(text);
  return ip && formatIP(ip);
}

export function ipFamilyOf(text: string): IPFamily | undefined {
  return parseIP(text)?.family;
}

export const otherFamily = (f: IPFamily): IPFamily => (f === 'IPv4' ? 'IPv6' : 'IPv4');

/** Parses `addr/prefix` and masks the host bits, as Go's ParseCIDR does for the network it returns. */
export function parseCIDR(text: string): CIDR {
  const slash = text.indexOf('/');
  const ip = slash > 0 ? parseIP(text.slice(0, slash)) : undefined;
  const prefixText = text.slice(slash + 1);
  const bits = ip?.family === 'IPv6' || text.slice(0, slash).includes(':') ? 128 : 32;
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!ip || !(prefix >= 0 && prefix <= bits)) throw new Error(`invalid CIDR address: ${text}`);
  // An IPv4-mapped address in IPv6 CIDR notation stays IPv6 here: Go keeps a /N>32 mask as 16 bytes.
  const family: IPFamily = bits === 128 ? 'IPv6' : 'IPv4';
  const value = family === 'IPv6' && ip.family === 'IPv4' ? ip.value | MAPPED_PREFIX : ip.value;
  const hostBits = BigInt(bits - prefix);
  const network = (value >> hostBits) << hostBits;
  return { family, network, prefix, bits, text: `${formatIP({ family, value: network })}/${prefix}` };
}

/** Number of addresses in the CIDR (2^hostbits). */
export const cidrSize = (c: CIDR): bigint => 1n << BigInt(c.bits - c.prefix);

export function cidrContains(c: CIDR, ip: IP): boolean {
  if (ip.family !== c.family) return false;
  const hostBits = BigInt(c.bits - c.prefix);
  return ip.value >> hostBits === c.network >> hostBits;
}
