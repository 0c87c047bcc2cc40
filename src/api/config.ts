/**
 * The API server's network flags, checked with kube-apiserver's rules and
 * messages (the allocators' parsers), reported as flag errors.
 */

import { parseServiceClusterIPRange } from '../allocators/ipallocator.js';
import { parsePortRange as parseRange } from '../allocators/portallocator.js';
import { ipFamilyOf } from '../k8s/ip.js';
import { errText, SvcnetError } from '../lib/errors.js';

export class FlagError extends SvcnetError {
  constructor(flag: string, value: string, cause: unknown) {
    super('INVALID_FLAG', `invalid argument ${JSON.stringify(value)} for "${flag}" flag: ${errText(cause)}`, {
      cause,
    });
  }
}

/** `--service-cluster-ip-range`: one CIDR or a dual-stack pair; returns them as given. */
export function parseServiceCIDRs(flag: string): string[] {
  try {
    return parseServiceClusterIPRange(flag).map((c) => c.text);
  } catch (err) {
    throw new FlagError('--service-cluster-ip-range', flag, err);
  }
}

/** `--service-node-port-range`: `min-max`. */
export function parsePortRange(flag: string): void {
  try {
    const r = parseRange(flag);
    if (r.size === 0) throw new Error('the range is empty');
  } catch (err) {
    throw new FlagError('--service-node-port-range', flag, err);
  }
}

/** `--bind-address` when not given: loopback of the primary service range's family. */
export function defaultBindAddress(serviceClusterIPRange: string): string {
  const primary = parseServiceCIDRs(serviceClusterIPRange)[0]!;
  return ipFamilyOf(primary.split('/')[0]!) === 'IPv6' ? '::1' : '127.0.0.1';
}

/**
 * The address the `kubernetes` Endpoints advertise: the bind address, or the
 * loopback of its family when it is unspecified (0.0.0.0, ::).
 */
export function advertiseAddress(bindAddress: string): string {
  if (bindAddress === '0.0.0.0') return '127.0.0.1';
  if (ipFamilyOf(bindAddress) === 'IPv6' && /^[:0]+$/.test(bindAddress)) return '::1';
  return bindAddress;
}

/**
 * kube-apiserver's check that the `kubernetes` Service and its Endpoints are
 * of one family: the primary service range and the advertised address.
 */
export function checkAdvertiseFamily(serviceClusterIPRange: string, bindAddress: string): void {
  const primary = parseServiceCIDRs(serviceClusterIPRange)[0]!;
  const advertise = advertiseAddress(bindAddress);
  const family = ipFamilyOf(advertise);
  if (!family) {
    throw new FlagError('--bind-address', bindAddress, new Error('not a valid IP address'));
  }
  if (ipFamilyOf(primary.split('/')[0]!) !== family) {
    throw new FlagError(
      '--bind-address',
      bindAddress,
      new Error(`service IP family "${primary}" must match public address family "${advertise}"`),
    );
  }
}
