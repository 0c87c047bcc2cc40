/**
 * Server-side printing: how each kind renders as meta.k8s.io/v1 Table rows,
 * matching upstream's pkg/printers/internalversion so `kubectl get` reads the
 * same as against a real cluster. Pure: the clock is passed in.
 */
import { cronJobConvertor, jobConvertor } from './batch.js';
import { configMapConvertor, secretConvertor, serviceAccountConvertor } from './config.js';
import { defaultConvertor } from './default.js';
import { endpointSliceConvertor, endpointsConvertor } from './endpoints.js';
import { eventConvertor, eventsV1Convertor } from './event.js';
import { ingressClassConvertor, ingressConvertor } from './network.js';
import { namespaceConvertor, nodeConvertor } from './node.js';
import { podConvertor } from './pod.js';
import { serviceConvertor } from './service.js';
import { persistentVolumeClaimConvertor, persistentVolumeConvertor } from './storage.js';
import type { TableConvertor } from './types.js';
import {
  controllerRevisionConvertor,
  daemonSetConvertor,
  deploymentConvertor,
  replicaSetConvertor,
  replicationControllerConvertor,
  statefulSetConvertor,
} from './workloads.js';

export type { ColumnDefinition } from './columns.js';
export { defaultConvertor, formatRFC3339 } from './default.js';
export { humanDuration, shortHumanDuration, translateTimestampSince } from './duration.js';
export type { TableConvertor, TableRowCondition } from './types.js';

/** Keyed `group/Kind`; the core group is ''. */
const CONVERTORS = new Map<string, TableConvertor>([
  ['/Service', serviceConvertor],
  ['/Endpoints', endpointsConvertor],
  ['discovery.k8s.io/EndpointSlice', endpointSliceConvertor],
  ['/Namespace', namespaceConvertor],
  ['/Event', eventConvertor],
  ['events.k8s.io/Event', eventsV1Convertor],
  ['/Pod', podConvertor],
  ['/ConfigMap', configMapConvertor],
  ['/Secret', secretConvertor],
  ['/ServiceAccount', serviceAccountConvertor],
  ['/Node', nodeConvertor],
  ['apps/Deployment', deploymentConvertor],
  ['apps/ReplicaSet', replicaSetConvertor],
  ['apps/StatefulSet', statefulSetConvertor],
  ['apps/ControllerRevision', controllerRevisionConvertor],
  ['apps/DaemonSet', daemonSetConvertor],
  ['/ReplicationController', replicationControllerConvertor],
  ['/PersistentVolume', persistentVolumeConvertor],
  ['/PersistentVolumeClaim', persistentVolumeClaimConvertor],
  ['networking.k8s.io/Ingress', ingressConvertor],
  ['networking.k8s.io/IngressClass', ingressClassConvertor],
  ['batch/Job', jobConvertor],
  ['batch/CronJob', cronJobConvertor],
]);

/** The printer of a kind, or the apiserver's default (Name, Created At) for kinds without one. */
export function tableConvertorFor(group: string, kind: string): TableConvertor {
  return CONVERTORS.get(`${group}/${kind}`) ?? defaultConvertor;
}
