/** The resources svcnet serves, as the OpenAPI and kubectl tests describe them to the document builder. */
import type { ServedResource } from '../../../src/api/openapi/v3.js';

const all = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const status = (kind: string) => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const scale = { name: 'scale', kind: 'Scale', verbs: ['get', 'patch', 'update'] };

export const served: ServedResource[] = [
  {
    group: '',
    version: 'v1',
    resource: 'services',
    kind: 'Service',
    namespaced: true,
    verbs: all.filter((v) => v !== 'deletecollection'),
    subresources: [status('Service')],
  },
  { group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', namespaced: true, verbs: all },
  {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [status('Namespace')],
  },
  { group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, verbs: all },
  {
    group: '',
    version: 'v1',
    resource: 'pods',
    kind: 'Pod',
    namespaced: true,
    verbs: all,
    subresources: [status('Pod'), { name: 'binding', kind: 'Binding', verbs: ['create'] }],
  },
  {
    group: '',
    version: 'v1',
    resource: 'nodes',
    kind: 'Node',
    namespaced: false,
    verbs: all,
    subresources: [status('Node')],
  },
  { group: '', version: 'v1', resource: 'bindings', kind: 'Binding', namespaced: true, verbs: ['create'] },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
    verbs: all,
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    verbs: all,
    subresources: [status('Deployment'), scale],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    kind: 'ReplicaSet',
    namespaced: true,
    verbs: all,
    subresources: [status('ReplicaSet'), scale],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    kind: 'StatefulSet',
    namespaced: true,
    verbs: all,
    subresources: [status('StatefulSet'), scale],
  },
];
