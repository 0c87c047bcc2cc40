/** Builders and an in-memory slice store for the endpoint controllers' unit tests. */
import type { Node, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { SlicePlan } from '../../../src/controllers/endpointslice/reconciler.js';

export function service(
  over: {
    name?: string;
    namespace?: string;
    uid?: string;
    selector?: Record<string, string> | null;
    ports?: ServicePort[];
    clusterIP?: string;
    ipFamilies?: string[];
    publishNotReadyAddresses?: boolean;
    labels?: Record<string, string>;
    trafficDistribution?: string;
    type?: string;
  } = {},
): Service {
  const svc: Service = {
    metadata: {
      name: over.name ?? 'web',
      namespace: over.namespace ?? 'default',
      uid: over.uid ?? 'svc-uid-1',
      creationTimestamp: '2024-05-01T10:00:00Z',
    },
    spec: {
      ports: over.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      clusterIP: over.clusterIP ?? '10.96.0.10',
      ipFamilies: over.ipFamilies ?? ['IPv4'],
    },
  };
  if (over.selector !== null) svc.spec!.selector = over.selector ?? { app: 'web' };
  if (over.labels) svc.metadata!.labels = over.labels;
  if (over.publishNotReadyAddresses) svc.spec!.publishNotReadyAddresses = true;
  if (over.trafficDistribution) svc.spec!.trafficDistribution = over.trafficDistribution;
  if (over.type) svc.spec!.type = over.type;
  return svc;
}

export interface PodOpts {
  ready?: boolean;
  ip?: string | string[] | null;
  node?: string;
  terminating?: boolean;
  phase?: string;
  labels?: Record<string, string>;
  containerPorts?: { name?: string; containerPort: number; protocol?: string }[];
  hostname?: string;
  subdomain?: string;
  readyTime?: string;
  namespace?: string;
}

/** Pod `i` gets IP 10.0.x.y derived from i, node `node-1`, label app=web, Ready. */
export function pod(i: number, o: PodOpts = {}): Pod {
  const ips =
    o.ip === null
      ? []
      : Array.isArray(o.ip)
        ? o.ip
        : [o.ip ?? `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`];
  const p: Pod = {
    metadata: {
      name: `web-${i}`,
      namespace: o.namespace ?? 'default',
      uid: `pod-uid-${i}`,
      resourceVersion: '1',
      labels: o.labels ?? { app: 'web' },
    },
    spec: {
      nodeName: o.node ?? 'node-1',
      containers: [{ name: 'c', image: 'svcnet/netexec', ports: o.containerPorts }],
    },
    status: {
      phase: o.phase ?? 'Running',
      podIPs: ips.map((ip) => ({ ip })),
      conditions: [
        {
          type: 'Ready',
          status: (o.ready ?? true) ? 'True' : 'False',
          lastTransitionTime: o.readyTime ?? '2024-05-01T10:00:05Z',
        },
      ],
    },
  };
  if (ips.length) p.status!.podIP = ips[0];
  if (o.terminating) p.metadata = { ...p.metadata, deletionTimestamp: '2024-05-01T11:00:00Z' };
  if (o.hostname) p.spec!.hostname = o.hostname;
  if (o.subdomain) p.spec!.subdomain = o.subdomain;
  return p;
}

export function node(name: string, zone?: string): Node {
  return { metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } };
}

export const nodesByName = (nodes: Node[]) => {
  const m = new Map(nodes.map((n) => [n.metadata!.name!, n]));
  return (name: string) => m.get(name);
};

/**
 * Slices as an API server would keep them: create assigns a name, uid and
 * generation 1; update bumps the generation; delete removes. It checks that
 * updates name an existing slice and creates come without a name.
 */
export class SliceStore {
  readonly items = new Map<string, EndpointSlice>();
  private seq = 0;

  apply(plan: SlicePlan): { creates: number; updates: number; deletes: number } {
    for (const s of plan.toCreate) {
      if (s.metadata?.name) throw new Error('create with a name');
      const name = `${s.metadata!.generateName}${(++this.seq).toString(36).padStart(5, 'x')}`;
      const stored = structuredClone(s);
      stored.metadata = {
        ...stored.metadata,
        name,
        uid: `slice-uid-${this.seq}`,
        generation: 1,
        resourceVersion: '1',
      };
      this.items.set(name, stored);
    }
    for (const s of plan.toUpdate) {
      const name = s.metadata?.name ?? '';
      const old = this.items.get(name);
      if (!old) throw new Error(`update of unknown slice ${name}`);
      const stored = structuredClone(s);
      stored.metadata = {
        ...stored.metadata,
        uid: old.metadata!.uid,
        generation: (old.metadata!.generation ?? 1) + 1,
        resourceVersion: String(Number(old.metadata!.resourceVersion) + 1),
      };
      this.items.set(name, stored);
    }
    for (const s of plan.toDelete) {
      if (!this.items.delete(s.metadata?.name ?? ''))
        throw new Error(`delete of unknown slice ${s.metadata?.name}`);
    }
    return { creates: plan.toCreate.length, updates: plan.toUpdate.length, deletes: plan.toDelete.length };
  }

  list(): EndpointSlice[] {
    return [...this.items.values()];
  }

  /** Endpoint counts per slice, largest first (slice order is not part of the contract). */
  sizes(): number[] {
    return this.list()
      .map((s) => s.endpoints.length)
      .sort((a, b) => b - a);
  }
}
