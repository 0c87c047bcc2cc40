/**
 * How the userspace data plane shares its file descriptors, so one Service
 * cannot starve the others (kube-proxy's kernel modes spend none per
 * frontend; this one spends one per listener and two per proxied TCP
 * connection):
 *
 * - a cap on listeners per Service (`--max-frontends-per-service`; default
 *   1/16 of the descriptor limit): a Service's listeners beyond it are not
 *   opened, those already open are kept first;
 * - a reserve (1/8 of the limit, at least 32) that new listeners never eat
 *   into, kept for connections through the frontends already served and for
 *   the proxy's own sockets (the API watch, health and metrics servers);
 * - new listeners share what is left round-robin across Services, so a small
 *   Service gets its frontends while a large one waits for descriptors.
 */
import { openDescriptors, readNoFileLimit } from '../../lib/fdlimit.js';

export interface Descriptors {
  /** Open now. */
  inUse: number;
  /** The soft RLIMIT_NOFILE (Infinity: none). */
  limit: number;
}

/** This process's descriptors from /proc, or undefined where there is no /proc. */
export function processDescriptors(): Descriptors | undefined {
  const limit = readNoFileLimit();
  const inUse = openDescriptors();
  return limit && inUse !== undefined ? { inUse, limit: limit.soft } : undefined;
}

/** Listeners one Service may have: `explicit` when > 0, else 1/16 of the limit; unbounded when neither is known. */
export function frontendCap(limit: number | undefined, explicit?: number): number {
  if (explicit !== undefined && explicit > 0) return explicit;
  if (limit === undefined || !Number.isFinite(limit)) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.floor(limit / 16));
}

/** Descriptors new listeners leave alone: `explicit` when given, else 1/8 of the limit, at least 32. */
export function descriptorReserve(limit: number | undefined, explicit?: number): number {
  if (explicit !== undefined && explicit >= 0) return explicit;
  if (limit === undefined || !Number.isFinite(limit)) return 0;
  return Math.max(32, Math.floor(limit / 8));
}

/**
 * Items grouped by `group`, taken one per group in turn (groups in first-seen
 * order, items in their order): the order new listeners are opened in.
 */
export function roundRobin<T>(items: readonly T[], group: (t: T) => string): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const g = group(item);
    const list = groups.get(g);
    if (list) list.push(item);
    else groups.set(g, [item]);
  }
  const lists = [...groups.values()];
  const out: T[] = [];
  for (let i = 0; out.length < items.length; i++)
    for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}
