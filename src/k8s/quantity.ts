/**
 * resource.Quantity as a number, and the pod QoS class computed from it
 * (upstream qos.GetPodQOS): shared by the API server, which sets
 * status.qosClass on create, and the agent, which reports it.
 */
import type { PodSpec } from 'kubernetes-types/core/v1.js';

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A quantity's value (enough precision to compare and to print env values); NaN when malformed; 0 when absent. */
export function quantityValue(q: string | number | undefined): number {
  if (q === undefined) return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  if (m[2] !== undefined) return n * 10 ** Number(m[2]);
  return n * SUFFIX[m[3] ?? '']!;
}

const COMPUTE = ['cpu', 'memory'];

/** qos.GetPodQOS: Guaranteed, Burstable or BestEffort from cpu/memory requests and limits. */
export function podQOSClass(spec: PodSpec | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    const lim = c.resources?.limits ?? {};
    // The API server defaults a missing request to its limit.
    const req = { ...lim, ...(c.resources?.requests ?? {}) };
    const found = new Set<string>();
    for (const name of COMPUTE) {
      const r = quantityValue(req[name]);
      if (r > 0) requests.set(name, (requests.get(name) ?? 0) + r);
      const l = quantityValue(lim[name]);
      if (l > 0) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0) + l);
      }
    }
    if (found.size !== COMPUTE.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) for (const [name, r] of requests) if (limits.get(name) !== r) guaranteed = false;
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
