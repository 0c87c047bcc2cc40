/**
 * Change trackers, as kube-proxy's ServiceChangeTracker and
 * EndpointsChangeTracker: they remember, per object, the state last applied
 * and the state now wanted, so a burst of informer events collapses into one
 * change and a change that is undone before the next sync disappears. They
 * also keep the EndpointSlices' last-change-trigger-time annotations, from
 * which the runner observes kubeproxy_network_programming_duration_seconds.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ANNOTATION_SCHEDULER, LABEL_SERVICE_NAME } from './names.js';
import { servesLabels, skipReason } from './serve.js';

/** A pending change of one Service: what was applied, what is wanted now. */
export interface ServiceChange {
  /** `namespace/name`. */
  key: string;
  previous?: Service;
  current?: Service;
}

interface PendingService {
  previous?: Service;
  current?: Service;
  previousView: string;
}

export class ServiceChangeTracker {
  private readonly items = new Map<string, PendingService>();
  /** Updates seen (kubeproxy_sync_proxy_rules_service_changes_total). */
  changesTotal = 0;

  constructor(private readonly opts: { proxyName?: string } = {}) {}

  /** Add: (undefined, svc). Update: (old, svc). Delete: (svc, undefined). Returns whether anything is pending. */
  update(previous: Service | undefined, current: Service | undefined): boolean {
    const svc = current ?? previous;
    if (!svc) return this.items.size > 0;
    this.changesTotal++;
    const key = objectKey(svc);
    let item = this.items.get(key);
    if (!item) {
      item = { previousView: this.view(previous) };
      if (previous) item.previous = previous;
      this.items.set(key, item);
    }
    if (current) item.current = current;
    else delete item.current;
    if (this.view(current) === item.previousView) this.items.delete(key);
    return this.items.size > 0;
  }

  get pendingCount(): number {
    return this.items.size;
  }

  /** The keys with pending changes. */
  pending(): string[] {
    return [...this.items.keys()].sort();
  }

  /** Returns the pending changes and forgets them (they count as applied). */
  take(): ServiceChange[] {
    const out: ServiceChange[] = [];
    for (const [key, item] of [...this.items].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const change: ServiceChange = { key };
      if (item.previous) change.previous = item.previous;
      if (item.current) change.current = item.current;
      out.push(change);
    }
    this.items.clear();
    return out;
  }

  /** What of a Service the proxy acts on; equal views mean no change to apply. */
  private view(svc: Service | undefined): string {
    if (!svc || skipReason(svc, this.opts.proxyName) !== undefined) return 'null';
    const s = svc.spec ?? {};
    return JSON.stringify([
      s.type,
      s.clusterIP,
      s.clusterIPs,
      (s.ports ?? []).map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port, p.nodePort ?? 0]),
      s.externalIPs,
      s.sessionAffinity,
      s.sessionAffinityConfig?.clientIP?.timeoutSeconds,
      s.externalTrafficPolicy,
      s.internalTrafficPolicy,
      s.healthCheckNodePort,
      s.loadBalancerSourceRanges,
      s.trafficDistribution,
      svc.metadata?.annotations?.[ANNOTATION_SCHEDULER],
      (svc.status?.loadBalancer?.ingress ?? []).map((i) => [i.ip, i.ipMode]),
    ]);
  }
}

/** What a sync takes from the EndpointSlice tracker. */
export interface EndpointsChanges {
  /** `namespace/name` of every service whose endpoints changed. */
  services: string[];
  /**
   * Per service, the last-change-trigger-time of each slice change (ms since the epoch),
   * for kubeproxy_network_programming_duration_seconds = now − trigger time.
   */
  lastChangeTriggerTimes: Map<string, number[]>;
}

interface SliceTracker {
  applied: Map<string, string>;
  /** null: the slice is to be removed. */
  pending: Map<string, string | null>;
}

export class EndpointSliceChangeTracker {
  private readonly byService = new Map<string, SliceTracker>();
  private triggerTimes = new Map<string, number[]>();
  private readonly startTime: number;
  /** Updates seen (kubeproxy_sync_proxy_rules_endpoint_changes_total). */
  changesTotal = 0;

  /** startTime: trigger times before it are ignored (they predate this proxy). */
  constructor(opts: { proxyName?: string; startTime?: number } = {}) {
    this.startTime = opts.startTime ?? Date.now();
    this.proxyName = opts.proxyName;
  }
  private readonly proxyName: string | undefined;

  /** Add: (undefined, slice). Update: (old, slice). Delete: (slice, undefined). Returns whether anything is pending. */
  update(previous: EndpointSlice | undefined, current: EndpointSlice | undefined): boolean {
    const slice = current ?? previous;
    if (!slice) return this.pendingCount > 0;
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return this.pendingCount > 0;
    const svcName = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
    const sliceName = slice.metadata?.name;
    if (!svcName || !sliceName) return this.pendingCount > 0;
    this.changesTotal++;
    const key = `${slice.metadata?.namespace ?? ''}/${svcName}`;
    let tracker = this.byService.get(key);
    if (!tracker) {
      tracker = { applied: new Map(), pending: new Map() };
      this.byService.set(key, tracker);
    }
    // A slice we do not serve (another proxy's, headless) counts as absent.
    const view =
      current && servesLabels(current.metadata?.labels, this.proxyName) ? sliceView(current) : null;
    const before = tracker.pending.has(sliceName)
      ? tracker.pending.get(sliceName)!
      : tracker.applied.get(sliceName);
    if (view !== (before ?? null)) {
      if (view === (tracker.applied.get(sliceName) ?? null)) tracker.pending.delete(sliceName);
      else tracker.pending.set(sliceName, view);
      if (view === null) {
        // A deletion's annotation dates from an earlier change; upstream ignores it.
        this.triggerTimes.delete(key);
      } else {
        const t = parseTriggerTime(current?.metadata?.annotations?.[ANNOTATION_LAST_CHANGE_TRIGGER_TIME]);
        if (t !== undefined && t > this.startTime) {
          const times = this.triggerTimes.get(key);
          if (times) times.push(t);
          else this.triggerTimes.set(key, [t]);
        }
      }
    }
    if (tracker.pending.size === 0) {
      this.triggerTimes.delete(key);
      if (tracker.applied.size === 0) this.byService.delete(key);
    }
    return this.pendingCount > 0;
  }

  /** Services with pending endpoint changes. */
  get pendingCount(): number {
    let n = 0;
    for (const t of this.byService.values()) if (t.pending.size > 0) n++;
    return n;
  }

  pending(): string[] {
    return [...this.byService]
      .filter(([, t]) => t.pending.size > 0)
      .map(([k]) => k)
      .sort();
  }

  /** Returns the changed services and their trigger times, and marks everything applied. */
  take(): EndpointsChanges {
    const services: string[] = [];
    for (const [key, tracker] of this.byService) {
      if (tracker.pending.size === 0) continue;
      services.push(key);
      for (const [name, view] of tracker.pending) {
        if (view === null) tracker.applied.delete(name);
        else tracker.applied.set(name, view);
      }
      tracker.pending.clear();
      if (tracker.applied.size === 0) this.byService.delete(key);
    }
    const lastChangeTriggerTimes = this.triggerTimes;
    this.triggerTimes = new Map();
    return { services: services.sort(), lastChangeTriggerTimes };
  }
}

/** What of a slice the proxy acts on, in a canonical order (as upstream's endpointSliceInfo). */
function sliceView(slice: EndpointSlice): string {
  const ports = (slice.ports ?? [])
    .map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port ?? 0] as const)
    .sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const endpoints = (slice.endpoints ?? [])
    .map((ep) => [
      (ep.addresses ?? []).join(','),
      ep.nodeName ?? '',
      ep.zone ?? '',
      (ep.hints?.forZones ?? []).map((z) => z.name).sort(),
      ep.conditions?.ready ?? true,
      ep.conditions?.serving ?? true,
      ep.conditions?.terminating ?? false,
    ])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify([slice.metadata?.labels?.[LABEL_SERVICE_NAME], ports, endpoints]);
}

/** RFC 3339 (nanoseconds allowed) → ms since the epoch; undefined when absent or malformed. */
export function parseTriggerTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return ms + (m[2] ? Number(`0.${m[2]}`) * 1000 : 0);
}

function objectKey(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
