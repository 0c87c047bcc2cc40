/**
 * Which message a protobuf body carries, by the group/version/kind in its
 * envelope. DeleteOptions is registered in every group version upstream
 * (metav1.AddToGroupVersion), and client-go labels it with the group version
 * of the client that sends it, so it is accepted under each one we serve.
 */
import { type MessageDef, messageDef } from './schema.js';

const table: Record<string, string> = {
  'v1/Service': 'core.Service',
  'v1/Namespace': 'core.Namespace',
  'v1/Pod': 'core.Pod',
  'v1/Endpoints': 'core.Endpoints',
  'v1/Event': 'core.Event',
  'v1/Node': 'core.Node',
  'v1/Binding': 'core.Binding',
  'v1/ReplicationController': 'core.ReplicationController',
  'v1/PersistentVolume': 'core.PersistentVolume',
  'v1/PersistentVolumeClaim': 'core.PersistentVolumeClaim',
  'v1/ConfigMap': 'core.ConfigMap',
  'v1/Secret': 'core.Secret',
  'v1/ServiceAccount': 'core.ServiceAccount',
  'apps/v1/Deployment': 'apps.Deployment',
  'apps/v1/ReplicaSet': 'apps.ReplicaSet',
  'apps/v1/StatefulSet': 'apps.StatefulSet',
  'apps/v1/DaemonSet': 'apps.DaemonSet',
  'networking.k8s.io/v1/Ingress': 'networking.Ingress',
  'networking.k8s.io/v1/IngressClass': 'networking.IngressClass',
  'discovery.k8s.io/v1/EndpointSlice': 'discovery.EndpointSlice',
  'autoscaling/v1/Scale': 'autoscaling.Scale',
  'batch/v1/Job': 'batch.Job',
  'batch/v1/CronJob': 'batch.CronJob',
};
for (const gv of [
  'v1',
  'apps/v1',
  'discovery.k8s.io/v1',
  'networking.k8s.io/v1',
  'autoscaling/v1',
  'batch/v1',
  'meta.k8s.io/v1',
]) {
  table[`${gv}/DeleteOptions`] = 'meta.DeleteOptions';
}

const byGVK = new Map<string, MessageDef>(
  Object.entries(table).map(([gvk, name]) => [gvk, messageDef(name)]),
);

/** The message for an envelope's apiVersion and kind, if we decode it. */
export function messageForKind(apiVersion: string, kind: string): MessageDef | undefined {
  return byGVK.get(`${apiVersion}/${kind}`);
}

/** `apiVersion/Kind` of every supported kind, for error messages. */
export const supportedKinds: readonly string[] = Object.keys(table).sort();
