/**
 * Which changes the proxy applies without waiting out minSyncPeriod: those
 * that let a Service that refuses every connection carry traffic, that is,
 * its first ready endpoint appears. minSyncPeriod batches churn among
 * endpoints already served; holding back a Service's first endpoint only
 * keeps it refusing connections for up to that long, which is what a user
 * who just ran `kubectl rollout status` sees as broken. (A difference from
 * upstream's runner, which makes no exception; pods there take seconds to
 * start, longer than the period, while ours are ready in milliseconds.)
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { LABEL_SERVICE_NAME } from './names.js';
import { servesLabels, skipReason } from './serve.js';

/** An endpoint counts as ready unless its ready condition says false (upstream's reading of nil). */
export const hasReadyEndpoint = (slice: EndpointSlice): boolean =>
  (slice.endpoints ?? []).some((e) => e.conditions?.ready !== false);

/** The `namespace/name` of the Service a slice belongs to, if labelled. */
export function sliceServiceKey(slice: EndpointSlice): string | undefined {
  const name = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
  return name ? `${slice.metadata?.namespace ?? ''}/${name}` : undefined;
}

/**
 * Decides which changes sync at once. A Service qualifies while the last
 * sync served none of its frontends, once: until a sync serves it (or it is
 * deleted), later changes wait as usual, so a Service the model never serves
 * (say, every endpoint on another node under a Local policy) cannot defeat
 * minSyncPeriod. Nothing qualifies before the first sync, which takes in
 * everything anyway.
 */
export class PromptSyncs {
  private serving: Set<string> | undefined;
  private readonly asked = new Set<string>();

  constructor(private readonly proxyName?: string) {}

  /** After each sync: the `namespace/name` of the Services it serves a frontend of. */
  synced(serving: Set<string>): void {
    this.serving = serving;
    for (const key of this.asked) if (serving.has(key)) this.asked.delete(key);
  }

  /**
   * Whether a change to `service` or its slices should sync at once; `slices`
   * gives those now known (called only when the cheaper checks pass).
   */
  opens(service: Service | undefined, slices: () => EndpointSlice[]): boolean {
    if (!this.serving || !service || skipReason(service, this.proxyName)) return false;
    const key = `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
    if (this.serving.has(key) || this.asked.has(key)) return false;
    if (!slices().some((s) => servesLabels(s.metadata?.labels, this.proxyName) && hasReadyEndpoint(s)))
      return false;
    this.asked.add(key);
    return true;
  }

  /** The Service was deleted. */
  forget(key: string): void {
    this.asked.delete(key);
  }
}
