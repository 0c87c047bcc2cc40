/**
 * IP and CIDR parsing and validation as Kubernetes 1.32 does it.
 *
 * Every IP/CIDR field of Service, Endpoints and EndpointSlice is validated
 * "sloppily" in 1.32 (k8s.io/utils/net ParseIPSloppy / ParseCIDRSloppy, the
 * pre-Go-1.17 parser): IPv4 octets may carry leading zeros (`010.0.0.1` is
 * 10.0.0.1) and IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as IPv4. Strict
 * parsing only arrives with StrictIPCIDRValidation (alpha in 1.33); in 1.32
 * such values merely draw warnings, which are not errors.
 */
import { type FieldError, type FieldPath, fieldErrors } from '../errors.js';

/** 16 bytes, IPv4 stored as ::ffff:a.b.c.d, like Go's net.IP from ParseIP. */
export type IP = Uint8Array;

const BIG = 0xffffff;

/** Decimal digits from i: [value, end] or null (Go's dtoi). */
function dtoi(s: string, i: number): [number, number] | null {
  let n = 0;
  let j = i;
  for (; j < s.length && s[j]! >= '0' && s[j]! <= '9'; j++) {
    n = n * 10 + (s.charCodeAt(j) - 48);
    if (n >= BIG) return null;
  }
  return j === i ? null : [n, j];
}

/** Hex digits from i: [value, end] or null (Go's xtoi). */
function xtoi(s: string, i: number): [number, number] | null {
  let n = 0;
  let j = i;
  for (; j < s.length; j++) {
    const d = Number.parseInt(s[j]!, 16);
    if (Number.isNaN(d)) break;
    n = n * 16 + d;
    if (n >= BIG) return null;
  }
  return j === i ? null : [n, j];
}

function v4mapped(a: number, b: number, c: number, d: number): IP {
  const ip = new Uint8Array(16);
  ip[10] = 0xff;
  ip[11] = 0xff;
  ip.set([a, b, c, d], 12);
  return ip;
}

function parseIPv4(s: string): IP | null {
  const p: number[] = [];
  let i = 0;
  for (let k = 0; k < 4; k++) {
    if (i >= s.length) return null;
    if (k > 0) {
      if (s[i] !== '.') return null;
      i++;
    }
    const r = dtoi(s, i);
    if (!r || r[0] > 0xff) return null;
    p.push(r[0]);
    i = r[1];
  }
  return i === s.length ? v4mapped(p[0]!, p[1]!, p[2]!, p[3]!) : null;
}

function parseIPv6(input: string): IP | null {
  const ip = new Uint8Array(16);
  let s = input;
  let ellipsis = -1;
  if (s.length >= 2 && s[0] === ':' && s[1] === ':') {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return ip;
  }
  let i = 0;
  while (i < 16) {
    const r = xtoi(s, 0);
    if (!r || r[0] > 0xffff) return null;
    const [n, c] = r;
    if (c < s.length && s[c] === '.') {
      // Trailing dotted IPv4, only as the last 4 bytes or after an ellipsis.
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return null;
      const ip4 = parseIPv4(s);
      if (!ip4) return null;
      ip.set(ip4.subarray(12), i);
      s = '';
      i += 4;
      break;
    }
    ip[i] = n >> 8;
    ip[i + 1] = n & 0xff;
    i += 2;
    s = s.slice(c);
    if (s.length === 0) break;
    if (s[0] !== ':' || s.length === 1) return null;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j]!;
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) ip[j] = 0;
  } else if (ellipsis >= 0) {
    return null; // an ellipsis must stand for at least one group
  }
  return ip;
}

/** k8s.io/utils/net ParseIPSloppy: the form is decided by the first '.' or ':'. */
export function parseIPSloppy(s: string): IP | null {
  for (const ch of s) {
    if (ch === '.') return parseIPv4(s);
    if (ch === ':') return parseIPv6(s);
  }
  return null;
}

/** The IPv4 bytes of an IPv4 or IPv4-mapped address (Go's To4), else null. */
export function to4(ip: IP): Uint8Array | null {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return null;
  return ip[10] === 0xff && ip[11] === 0xff ? ip.subarray(12) : null;
}

export const isIPv4 = (ip: IP): boolean => to4(ip) !== null;
export const isIPv6 = (ip: IP): boolean => to4(ip) === null;

/** netutils.IsIPv6String: parses and is not IPv4 (or mapped IPv4). */
export function isIPv6String(s: string): boolean {
  const ip = parseIPSloppy(s);
  return ip !== null && isIPv6(ip);
}

/** netutils.IsDualStackIPStrings: at least one of each family (null if any fails to parse). */
export function isDualStackIPStrings(ips: readonly string[]): boolean | null {
  let v4 = false;
  let v6 = false;
  for (const s of ips) {
    const ip = parseIPSloppy(s);
    if (!ip) return null;
    if (isIPv6(ip)) v6 = true;
    else v4 = true;
  }
  return v4 && v6;
}

export interface CIDR {
  /** The address as written (host bits kept). */
  ip: IP;
  prefix: number;
  /** 32 or 128: the mask length space, decided by how the address was written. */
  bits: 32 | 128;
}

/** k8s.io/utils/net ParseCIDRSloppy. */
export function parseCIDRSloppy(s: string): CIDR | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  let bits: 32 | 128 = 32;
  let ip = parseIPv4(addr);
  if (!ip) {
    bits = 128;
    ip = parseIPv6(addr);
  }
  const r = dtoi(mask, 0);
  if (!ip || !r || r[1] !== mask.length || r[0] > bits) return null;
  return { ip, prefix: r[0], bits };
}

const isZero = (b: Uint8Array) => b.every((x) => x === 0);

export function isUnspecified(ip: IP): boolean {
  const v4 = to4(ip);
  return v4 ? isZero(v4) : isZero(ip);
}
export function isLoopback(ip: IP): boolean {
  const v4 = to4(ip);
  return v4 ? v4[0] === 127 : isZero(ip.subarray(0, 15)) && ip[15] === 1;
}
export function isLinkLocalUnicast(ip: IP): boolean {
  const v4 = to4(ip);
  return v4 ? v4[0] === 169 && v4[1] === 254 : ip[0] === 0xfe && (ip[1]! & 0xc0) === 0x80;
}
export function isLinkLocalMulticast(ip: IP): boolean {
  const v4 = to4(ip);
  return v4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : ip[0] === 0xff && (ip[1]! & 0x0f) === 0x02;
}

/** IsValidIP: any sloppy-parseable address. */
export function validateIP(value: string, path: FieldPath): FieldError[] {
  return parseIPSloppy(value)
    ? []
    : [fieldErrors.invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

export function validateIPv4Address(value: string, path: FieldPath): FieldError[] {
  const ip = parseIPSloppy(value);
  return ip && isIPv4(ip) ? [] : [fieldErrors.invalid(path, value, 'must be a valid IPv4 address')];
}

export function validateIPv6Address(value: string, path: FieldPath): FieldError[] {
  const ip = parseIPSloppy(value);
  return ip && isIPv6(ip) ? [] : [fieldErrors.invalid(path, value, 'must be a valid IPv6 address')];
}

export function validateCIDR(value: string, path: FieldPath): FieldError[] {
  return parseCIDRSloppy(value)
    ? []
    : [fieldErrors.invalid(path, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/**
 * Host mode runs pods and services on loopback addresses (127.244.0.0/16,
 * 127.96.0.0/12), so their endpoints are loopback too. The API server turns
 * this on for host mode, like a feature gate; lab mode keeps upstream's rule.
 * See docs/host-mode-loopback.md.
 */
let loopbackAllowed = false;
export function allowLoopbackEndpoints(allowed: boolean): void {
  loopbackAllowed = allowed;
}

/**
 * ValidateNonSpecialIP (a.k.a. ValidateEndpointIP): for endpoint addresses and
 * external IPs, rejects unspecified, loopback and link-local addresses.
 */
export function validateNonSpecialIP(value: string, path: FieldPath): FieldError[] {
  const ip = parseIPSloppy(value);
  if (!ip) return [fieldErrors.invalid(path, value, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  if (isUnspecified(ip)) errs.push(fieldErrors.invalid(path, value, `may not be unspecified (${value})`));
  if (isLoopback(ip) && !loopbackAllowed)
    errs.push(fieldErrors.invalid(path, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (isLinkLocalUnicast(ip))
    errs.push(
      fieldErrors.invalid(path, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
    );
  if (isLinkLocalMulticast(ip))
    errs.push(
      fieldErrors.invalid(
        path,
        value,
        'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
      ),
    );
  return errs;
}
