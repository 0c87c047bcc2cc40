/**
 * The API server's network flags, checked with kube-apiserver's rules and
 * messages (the allocators' parsers), reported as flag errors.
 */
import { parseServiceClusterIPRange } from '../allocators/ipallocator.js';
import { parsePortRange as parseRange } from '../allocators/portallocator.js';

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
