/** Well-known names the proxy model reads (labels, annotations, schedulers). */

/** Services (and their slices) carrying this label belong to another proxy. */
export const LABEL_SERVICE_PROXY_NAME = 'service.kubernetes.io/service-proxy-name';
/** Headless by label: the proxy ignores the service entirely. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** EndpointSlice → its Service. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** Node zone, for topology hints. */
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';
/** When the change behind an EndpointSlice happened (network programming latency). */
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Per-service scheduler choice (ours). */
export const ANNOTATION_SCHEDULER = 'svcnet.io/scheduler';

/** Scheduler names, as their IPVS namesakes (plus `random`, iptables-like, the default). */
export const SCHEDULER_NAMES = ['random', 'rr', 'lc', 'sed', 'nq', 'sh', 'dh', 'mh'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];
export const DEFAULT_SCHEDULER: SchedulerName = 'random';

export function isSchedulerName(s: string): s is SchedulerName {
  return (SCHEDULER_NAMES as readonly string[]).includes(s);
}

/** Upstream's default sessionAffinityConfig.clientIP.timeoutSeconds. */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
