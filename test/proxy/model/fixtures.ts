/** Small builders for Services, EndpointSlices and Nodes in model tests. */

import type { Node, Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type {
  EndpointPort,
  EndpointSlice,
  Endpoint as SliceEndpoint,
} from 'kubernetes-types/discovery/v1.js';
import { type BuildInput, buildNodeState } from '../../../src/proxy/model/build.js';
import type { NodeState } from '../../../src/proxy/model/types.js';

export const NODE = 'node-a';

export function svc(
  name: string,
  spec: ServiceSpec,
  meta: { namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {},
  status?: Service['status'],
): Service {
  const s: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: meta.namespace ?? 'ns' },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
    ...(status ? { status } : {}),
  };
  if (meta.labels) s.metadata!.labels = meta.labels;
  if (meta.annotations) s.metadata!.annotations = meta.annotations;
  return s;
}

/** ep('127.245.1.1', 'RL', 'zone-a') — R ready, S serving, T terminating, L on our node. */
export function ep(
  ip: string,
  flags = 'R',
  hints?: string,
  extra: Partial<SliceEndpoint> = {},
): SliceEndpoint {
  const out: SliceEndpoint = {
    addresses: [ip],
    conditions: {
      ready: flags.includes('R'),
      serving: flags.includes('R') || flags.includes('S'),
      terminating: flags.includes('T'),
    },
    nodeName: flags.includes('L') ? NODE : 'node-b',
    ...extra,
  };
  if (hints) out.hints = { forZones: hints.split(',').map((name) => ({ name })) };
  return out;
}

export function slice(
  service: string,
  name: string,
  endpoints: SliceEndpoint[],
  ports: EndpointPort[] = [{ name: 'http', port: 8080, protocol: 'TCP' }],
  opts: { namespace?: string; addressType?: string; labels?: Record<string, string> } = {},
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: opts.namespace ?? 'ns',
      labels: { 'kubernetes.io/service-name': service, ...opts.labels },
    },
    addressType: opts.addressType ?? 'IPv4',
    endpoints,
    ports,
  };
}

export function node(zone?: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} },
  };
}

/** The model's state for these objects on our node, with default config (`over` replaces any input). */
export function buildState(
  services: Service[],
  slices: EndpointSlice[],
  nodeIPs: string[],
  over: Partial<BuildInput> = {},
): NodeState {
  return buildNodeState({
    services,
    slices,
    node: node(),
    nodeName: NODE,
    nodeIPs,
    config: { nodePortAddresses: [], defaultScheduler: 'random' },
    ...over,
  });
}
