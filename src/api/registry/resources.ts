/**
 * The resources this API server serves, with upstream's names, scopes,
 * storage keys, selectable fields and subresources.
 */

import { type EndpointIPPolicy, UPSTREAM_IP_POLICY } from '../../k8s/ip-validation.js';
import type { FieldGetters } from '../../k8s/selectors.js';
import { metadataFieldGetters, type ResourceInfo } from '../resource.js';
import { configMapStrategy, secretStrategy, serviceAccountStrategy } from './config.js';
import { endpointsStrategy } from './endpoints.js';
import { endpointSliceStrategy } from './endpointslice.js';
import { eventStrategy } from './event.js';
import { leaseStrategy } from './lease.js';
import { namespaceStrategy } from './namespace.js';
import { nodeFieldGetters, nodeStrategy } from './node.js';
import { podFieldGetters, podStrategy } from './pod.js';
import type { Strategy } from './strategy.js';

type Getter = (o: Record<string, unknown>) => string | undefined;
const at =
  (...path: string[]): Getter =>
  (o) => {
    let v: unknown = o;
    for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p];
    return v === undefined || v === null ? undefined : String(v);
  };

const fields = (namespaced: boolean, extra: Record<string, Getter> = {}): FieldGetters =>
  ({ ...metadataFieldGetters(namespaced), ...extra }) as FieldGetters;

/** `policy`: which endpoint and external IPs this server accepts (host mode allows loopback). */
export function coreResources(
  serviceStrategy: Strategy,
  policy: EndpointIPPolicy = UPSTREAM_IP_POLICY,
): ResourceInfo[] {
  return [
    {
      group: '',
      version: 'v1',
      resource: 'namespaces',
      singular: 'namespace',
      kind: 'Namespace',
      listKind: 'NamespaceList',
      namespaced: false,
      shortNames: ['ns'],
      categories: [],
      storagePrefix: '/registry/namespaces',
      strategy: namespaceStrategy as Strategy,
      fieldGetters: fields(false, { 'status.phase': at('status', 'phase') }),
      subresources: ['finalize', 'status'],
      allowCreateOnUpdate: false,
      returnDeletedObject: true,
    },
    {
      group: '',
      version: 'v1',
      resource: 'services',
      singular: 'service',
      kind: 'Service',
      listKind: 'ServiceList',
      namespaced: true,
      shortNames: ['svc'],
      categories: ['all'],
      storagePrefix: '/registry/services/specs',
      strategy: serviceStrategy,
      fieldGetters: fields(true, {
        'spec.clusterIP': at('spec', 'clusterIP'),
        'spec.type': at('spec', 'type'),
      }),
      subresources: ['status'],
      allowCreateOnUpdate: false,
      returnDeletedObject: true,
    },
    {
      group: '',
      version: 'v1',
      resource: 'endpoints',
      singular: 'endpoints',
      kind: 'Endpoints',
      listKind: 'EndpointsList',
      namespaced: true,
      shortNames: ['ep'],
      categories: [],
      storagePrefix: '/registry/services/endpoints',
      strategy: endpointsStrategy(policy) as Strategy,
      fieldGetters: fields(true),
      subresources: [],
      allowCreateOnUpdate: true,
      returnDeletedObject: false,
    },
    {
      group: '',
      version: 'v1',
      resource: 'events',
      singular: 'event',
      kind: 'Event',
      listKind: 'EventList',
      namespaced: true,
      shortNames: ['ev'],
      categories: [],
      storagePrefix: '/registry/events',
      strategy: eventStrategy as Strategy,
      fieldGetters: fields(true, {
        'involvedObject.kind': at('involvedObject', 'kind'),
        'involvedObject.namespace': at('involvedObject', 'namespace'),
        'involvedObject.name': at('involvedObject', 'name'),
        'involvedObject.uid': at('involvedObject', 'uid'),
        'involvedObject.apiVersion': at('involvedObject', 'apiVersion'),
        'involvedObject.resourceVersion': at('involvedObject', 'resourceVersion'),
        'involvedObject.fieldPath': at('involvedObject', 'fieldPath'),
        reason: at('reason'),
        reportingComponent: at('reportingComponent'),
        source: at('source', 'component'),
        type: at('type'),
      }),
      subresources: [],
      allowCreateOnUpdate: true,
      returnDeletedObject: false,
    },
    {
      group: '',
      version: 'v1',
      resource: 'configmaps',
      singular: 'configmap',
      kind: 'ConfigMap',
      listKind: 'ConfigMapList',
      namespaced: true,
      shortNames: ['cm'],
      categories: [],
      storagePrefix: '/registry/configmaps',
      strategy: configMapStrategy as Strategy,
      fieldGetters: fields(true),
      subresources: [],
      allowCreateOnUpdate: false,
      returnDeletedObject: false,
    },
    {
      group: '',
      version: 'v1',
      resource: 'secrets',
      singular: 'secret',
      kind: 'Secret',
      listKind: 'SecretList',
      namespaced: true,
      shortNames: [],
      categories: [],
      storagePrefix: '/registry/secrets',
      strategy: secretStrategy as Strategy,
      fieldGetters: fields(true, { type: at('type') }),
      subresources: [],
      allowCreateOnUpdate: false,
      returnDeletedObject: false,
    },
    {
      group: '',
      version: 'v1',
      resource: 'serviceaccounts',
      singular: 'serviceaccount',
      kind: 'ServiceAccount',
      listKind: 'ServiceAccountList',
      namespaced: true,
      shortNames: ['sa'],
      categories: [],
      storagePrefix: '/registry/serviceaccounts',
      strategy: serviceAccountStrategy as Strategy,
      fieldGetters: fields(true),
      subresources: [],
      allowCreateOnUpdate: false,
      returnDeletedObject: true,
    },
    {
      group: '',
      version: 'v1',
      resource: 'pods',
      singular: 'pod',
      kind: 'Pod',
      listKind: 'PodList',
      namespaced: true,
      shortNames: ['po'],
      categories: ['all'],
      storagePrefix: '/registry/pods',
      strategy: podStrategy as Strategy,
      fieldGetters: fields(true, podFieldGetters as Record<string, Getter>),
      subresources: ['attach', 'binding', 'exec', 'log', 'portforward', 'status'],
      allowCreateOnUpdate: false,
      returnDeletedObject: true,
    },
    {
      group: '',
      version: 'v1',
      resource: 'nodes',
      singular: 'node',
      kind: 'Node',
      listKind: 'NodeList',
      namespaced: false,
      shortNames: ['no'],
      categories: [],
      storagePrefix: '/registry/minions',
      strategy: nodeStrategy as Strategy,
      fieldGetters: fields(false, nodeFieldGetters as Record<string, Getter>),
      subresources: ['status'],
      allowCreateOnUpdate: false,
      // Upstream's node store has no ReturnDeletedObject: a delete answers a Status.
      returnDeletedObject: false,
    },
    {
      group: 'coordination.k8s.io',
      version: 'v1',
      resource: 'leases',
      singular: 'lease',
      kind: 'Lease',
      listKind: 'LeaseList',
      namespaced: true,
      shortNames: [],
      categories: [],
      storagePrefix: '/registry/leases',
      strategy: leaseStrategy as Strategy,
      fieldGetters: fields(true),
      subresources: [],
      allowCreateOnUpdate: true,
      returnDeletedObject: false,
    },
    {
      group: 'discovery.k8s.io',
      version: 'v1',
      resource: 'endpointslices',
      singular: 'endpointslice',
      kind: 'EndpointSlice',
      listKind: 'EndpointSliceList',
      namespaced: true,
      shortNames: [],
      categories: [],
      storagePrefix: '/registry/endpointslices',
      strategy: endpointSliceStrategy(policy) as Strategy,
      fieldGetters: fields(true),
      subresources: [],
      allowCreateOnUpdate: false,
      returnDeletedObject: false,
    },
  ];
}
