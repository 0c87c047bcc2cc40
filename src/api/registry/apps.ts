/** apps/v1: deployments, replicasets, statefulsets, daemonsets, controllerrevisions, as upstream serves them. */

import type { FieldGetters } from '../../k8s/selectors.js';
import { metadataFieldGetters, type ResourceInfo } from '../resource.js';
import { controllerRevisionStrategy } from './controllerrevision.js';
import { daemonSetStrategy } from './daemonset.js';
import { deploymentStrategy } from './deployment.js';
import { replicaSetStrategy } from './replicaset.js';
import { statefulSetStrategy } from './statefulset.js';
import type { Strategy } from './strategy.js';

/** The workloads share everything but names, storage keys and strategies. */
function workload(
  resource: string,
  kind: string,
  shortName: string,
  strategy: Strategy,
  fieldGetters: FieldGetters = metadataFieldGetters(true),
  subresources: ResourceInfo['subresources'] = ['status', 'scale'],
): ResourceInfo {
  return {
    group: 'apps',
    version: 'v1',
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    shortNames: [shortName],
    categories: ['all'],
    storagePrefix: `/registry/${resource}`,
    strategy,
    fieldGetters,
    subresources,
    allowCreateOnUpdate: false,
    // Upstream's workload stores have no ReturnDeletedObject: a delete answers a Status.
    returnDeletedObject: false,
  };
}

/** ReplicaSets are also selectable by status.replicas (upstream's ToSelectableFields). */
const replicaSetFields = {
  ...metadataFieldGetters(true),
  'status.replicas': (o: { status?: { replicas?: number } }) => String(o.status?.replicas ?? 0),
} as FieldGetters;

export function appsResources(): ResourceInfo[] {
  return [
    workload('deployments', 'Deployment', 'deploy', deploymentStrategy as Strategy),
    workload('replicasets', 'ReplicaSet', 'rs', replicaSetStrategy as Strategy, replicaSetFields),
    workload('statefulsets', 'StatefulSet', 'sts', statefulSetStrategy as Strategy),
    // DaemonSets have no scale subresource.
    workload('daemonsets', 'DaemonSet', 'ds', daemonSetStrategy as Strategy, undefined, ['status']),
    {
      group: 'apps',
      version: 'v1',
      resource: 'controllerrevisions',
      singular: 'controllerrevision',
      kind: 'ControllerRevision',
      listKind: 'ControllerRevisionList',
      namespaced: true,
      shortNames: [],
      categories: [],
      storagePrefix: '/registry/controllerrevisions',
      strategy: controllerRevisionStrategy as Strategy,
      fieldGetters: metadataFieldGetters(true),
      subresources: [],
      allowCreateOnUpdate: false,
      returnDeletedObject: false,
    },
  ];
}
