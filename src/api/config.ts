/**
 * The API server's network flags, checked with kube-apiserver's rules and
 * messages (the allocators' parsers), reported as flag errors.
 */

import { parseServiceClusterIPRange } from '../allocators/ipallocator.js';
import { parsePortRange as parseRange } from '../allocators/portallocator.js';
import { ipFamilyOf } from '../k8s/ip.js';

export class FlagError extends Error {
  constructor(flag: string, value: string, cause: unknown) {
    super(
      `invalid argument ${JSON.stringify(value)} for "${flag}" flag: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'FlagError';
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

/**
 * A Go duration flag (`5m0s`, `90s`, `1h30m`, `500ms`, `0`), as
 * `--etcd-compaction-interval` takes; returns milliseconds.
 */
export function parseDurationFlag(flag: string, value: string): number {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3600_000,
  };
  if (value === '0') return 0;
  if (value === '') throw new FlagError(flag, value, new Error('time: invalid duration ""'));
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let ms = 0;
  let i = 0;
  while (i < value.length) {
    re.lastIndex = i;
    const m = re.exec(value);
    if (!m) {
      throw new FlagError(flag, value, new Error(`time: invalid duration ${JSON.stringify(value)}`));
    }
    ms += Number(m[1]) * units[m[2]!]!;
    i = re.lastIndex;
  }
  return ms;
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
