/**
 * Field validation of IP and CIDR values. `validateIP` and its kin are
 * Kubernetes 1.32's: every IP/CIDR field is parsed "sloppily" (see ./ip.ts).
 * `validateIPForLegacyField` adds what StrictIPCIDRValidation (KEP-4858,
 * 1.33) adds: no leading zeros (libc reads them as octal: `010` is 8) and no
 * IPv4-mapped IPv6, except for values the object already held (ratcheting).
 * The API server applies it to the address fields the proxy and DNS serve.
 */
import { type FieldError, type FieldPath, fieldErrors } from './field.js';
import {
  isLinkLocalMulticast,
  isLinkLocalUnicast,
  isLoopback,
  isUnspecified,
  parseCIDRSloppy,
  parseIP,
  parseIPSloppy,
} from './ip.js';

/** IsValidIP: any sloppy-parseable address. */
export function validateIP(value: string, path: FieldPath): FieldError[] {
  return parseIPSloppy(value)
    ? []
    : [fieldErrors.invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

/**
 * What strict validation (netip.ParseAddr) has against a sloppy-parseable
 * address, as upstream words it; undefined when nothing. netip.ParseAddr
 * also refuses IPv6 groups of more than four hex digits (`00002001:db8::1`),
 * which upstream reports as leading zeros too.
 */
export function strictIPProblem(value: string): string | undefined {
  const ip = parseIP(value);
  if (!ip || (value.includes(':') && /[0-9a-fA-F]{5}/.test(value))) return 'must not have leading 0s';
  if (ip.family === 'IPv4' && value.includes(':')) return 'must not be an IPv4-mapped IPv6 address';
  return undefined;
}

/**
 * The strict errors alone (see strictIPProblem): none for a value that does
 * not parse at all (the caller's sloppy check reports it) or that is one of
 * `validOld`, the values the stored object already had (upstream's ratcheting:
 * an update may keep them, it may not write new ones).
 */
export function validateStrictIP(
  value: string,
  path: FieldPath,
  validOld: readonly string[] = [],
): FieldError[] {
  if (!parseIPSloppy(value) || validOld.includes(value)) return [];
  const problem = strictIPProblem(value);
  return problem ? [fieldErrors.invalid(path, value, problem)] : [];
}

/** IsValidIPForLegacyField with StrictIPCIDRValidation: validateIP, then the strict checks. */
export function validateIPForLegacyField(
  value: string,
  path: FieldPath,
  validOld: readonly string[] = [],
): FieldError[] {
  const errs = validateIP(value, path);
  return errs.length ? errs : validateStrictIP(value, path, validOld);
}

export function validateIPv4Address(value: string, path: FieldPath): FieldError[] {
  return parseIPSloppy(value)?.family === 'IPv4'
    ? []
    : [fieldErrors.invalid(path, value, 'must be a valid IPv4 address')];
}

export function validateIPv6Address(value: string, path: FieldPath): FieldError[] {
  return parseIPSloppy(value)?.family === 'IPv6'
    ? []
    : [fieldErrors.invalid(path, value, 'must be a valid IPv6 address')];
}

export function validateCIDR(value: string, path: FieldPath): FieldError[] {
  return parseCIDRSloppy(value)
    ? []
    : [fieldErrors.invalid(path, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/**
 * Which endpoint and external addresses one API server accepts. Upstream
 * rejects loopback; host mode runs pods and services on loopback addresses
 * (127.244.0.0/16, 127.96.0.0/12), so its API server allows them, like a
 * feature gate of that server alone (docs/host-mode-loopback.md).
 */
export interface EndpointIPPolicy {
  allowLoopback: boolean;
}

export const UPSTREAM_IP_POLICY: EndpointIPPolicy = Object.freeze({ allowLoopback: false });

/**
 * ValidateNonSpecialIP (a.k.a. ValidateEndpointIP): for endpoint addresses and
 * external IPs, rejects unspecified, loopback and link-local addresses.
 */
export function validateNonSpecialIP(
  value: string,
  path: FieldPath,
  policy: EndpointIPPolicy = UPSTREAM_IP_POLICY,
): FieldError[] {
  const ip = parseIPSloppy(value);
  if (!ip) return [fieldErrors.invalid(path, value, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  if (isUnspecified(ip)) errs.push(fieldErrors.invalid(path, value, `may not be unspecified (${value})`));
  if (isLoopback(ip) && !policy.allowLoopback)
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
