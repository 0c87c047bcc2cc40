/** The resource types svcnet's components use. */
import type { ResourceType } from './types.js';

const core = (resource: string, kind: string, namespaced = true): ResourceType => ({
  group: '',
  version: 'v1',
  resource,
  kind,
  namespaced,
});
const apps = (resource: string, kind: string): ResourceType => ({
  group: 'apps',
  version: 'v1',
  resource,
  kind,
  namespaced: true,
});

export const Namespaces = core('namespaces', 'Namespace', false);
export const Nodes = core('nodes', 'Node', false);
export const Pods = core('pods', 'Pod');
export const Services = core('services', 'Service');
export const Endpoints = core('endpoints', 'Endpoints');
export const Events = core('events', 'Event');
export const ReplicationControllers = core('replicationcontrollers', 'ReplicationController');
export const PersistentVolumes = core('persistentvolumes', 'PersistentVolume', false);
export const PersistentVolumeClaims = core('persistentvolumeclaims', 'PersistentVolumeClaim');
export const ConfigMaps = core('configmaps', 'ConfigMap');
export const Secrets = core('secrets', 'Secret');
export const ServiceAccounts = core('serviceaccounts', 'ServiceAccount');
export const EndpointSlices: ResourceType = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  namespaced: true,
};
export const Leases: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  namespaced: true,
};
export const Deployments = apps('deployments', 'Deployment');
export const ReplicaSets = apps('replicasets', 'ReplicaSet');
export const StatefulSets = apps('statefulsets', 'StatefulSet');
export const ControllerRevisions = apps('controllerrevisions', 'ControllerRevision');
export const DaemonSets = apps('daemonsets', 'DaemonSet');
export const Ingresses: ResourceType = {
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'ingresses',
  kind: 'Ingress',
  namespaced: true,
};
export const IngressClasses: ResourceType = {
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'ingressclasses',
  kind: 'IngressClass',
  namespaced: false,
};
export const Jobs: ResourceType = {
  group: 'batch',
  version: 'v1',
  resource: 'jobs',
  kind: 'Job',
  namespaced: true,
};
export const CronJobs: ResourceType = {
  group: 'batch',
  version: 'v1',
  resource: 'cronjobs',
  kind: 'CronJob',
  namespaced: true,
};

export const apiVersionOf = (rt: ResourceType): string =>
  rt.group ? `${rt.group}/${rt.version}` : rt.version;
