/**
 * The `endpoints.kubernetes.io/last-change-trigger-time` annotation (upstream
 * k8s.io/endpointslice/util trigger_time_tracker.go): the earliest change
 * (a pod's Ready transition, or the service's creation) observed since the
 * previous sync of the service. Shared by the Endpoints and EndpointSlice
 * controllers.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { podReadyCondition } from './pod.js';

/** Epoch milliseconds; 0 means "no trigger time". */
export type TriggerTime = number;

const parseTime = (t: string | undefined): number => {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
};

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * Records the service's and pods' current trigger times and answers the
   * time to export: the service's creation for a service seen for the first
   * time, else the earliest trigger time that moved since the last call (0 if none).
   */
  compute(svc: Service, pods: readonly Pod[]): TriggerTime {
    const key = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
    const prev = this.states.get(key);
    let min = 0;
    const consider = (t: number) => {
      if (min === 0 || t < min) min = t;
    };
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = parseTime(podReadyCondition(pod)?.lastTransitionTime);
      if (t === 0) continue;
      const name = pod.metadata?.name ?? '';
      podTimes.set(name, t);
      if (t > (prev?.podTimes.get(name) ?? 0)) consider(t);
    }
    const serviceTime = parseTime(svc.metadata?.creationTimestamp);
    if (serviceTime > (prev?.serviceTime ?? 0)) consider(serviceTime);
    this.states.set(key, { serviceTime, podTimes });
    return prev ? min : serviceTime;
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}

/** Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros. */
export function formatRFC3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

/** Sets or clears the trigger-time annotation on an object about to be written. */
export function setTriggerTimeAnnotation(
  meta: { annotations?: Record<string, string> },
  key: string,
  t: TriggerTime,
): void {
  const ann = { ...(meta.annotations ?? {}) };
  if (t) ann[key] = formatRFC3339Nano(t);
  else delete ann[key];
  // An empty map is what Go's omitempty leaves out: do not write one.
  if (Object.keys(ann).length) meta.annotations = ann;
  else delete meta.annotations;
}
