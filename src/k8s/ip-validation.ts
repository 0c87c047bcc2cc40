/**
 * Field validation of IP and CIDR values as Kubernetes 1.32 does it: every
 * IP/CIDR field is parsed "sloppily" (see ./ip.ts); strict parsing only
 * arrives with StrictIPCIDRValidation (alpha in 1.33), and in 1.32 such
 * values merely draw warnings, which are not errors.
 */
import { type FieldError, type FieldPath, fieldErrors } from './field.js';
import {
  isLinkLocalMulticast,
  isLinkLocalUnicast,
  isLoopback,
  isUnspecified,
  parseCIDRSloppy,
  parseIPSloppy,
} from './ip.js';

/** IsValidIP: any sloppy-parseable address. */
export function validateIP(value: string, path: FieldPath): FieldError[] {
  return parseIPSloppy(value)
    ? []
    : [fieldErrors.invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
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
