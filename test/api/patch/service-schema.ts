/**
 * A hand-built schema in the shape of core/v1 Service, enough to exercise
 * strategic merge patch and server-side apply: spec.ports is a list map keyed
 * by port+protocol (SMP merge key port), spec.selector a granular map,
 * spec.clusterIPs an atomic list, metadata.finalizers a set with merge
 * strategy, metadata.ownerReferences a list map keyed by uid.
 */
import type { ArraySchema, MapSchema, ObjectSchema, Schema } from '../../../src/api/schema/types.js';

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer', format: 'int32' };
const bool: Schema = { type: 'boolean' };
const strMap = (mapType?: 'atomic'): MapSchema => ({
  type: 'map',
  values: str,
  ...(mapType ? { mapType } : {}),
});
const atomicStrings: ArraySchema = { type: 'array', items: str, listType: 'atomic' };

export const ownerReference: ObjectSchema = {
  type: 'object',
  name: 'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
  properties: { apiVersion: str, kind: str, name: str, uid: str, controller: bool },
};

export const managedFieldsEntry: ObjectSchema = {
  type: 'object',
  name: 'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry',
  properties: {
    manager: str,
    operation: str,
    apiVersion: str,
    time: str,
    fieldsType: str,
    fieldsV1: { type: 'any' },
    subresource: str,
  },
};

export const objectMeta: ObjectSchema = {
  type: 'object',
  name: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  properties: {
    name: str,
    generateName: str,
    namespace: str,
    uid: str,
    resourceVersion: str,
    generation: { type: 'integer', format: 'int64' },
    creationTimestamp: str,
    labels: strMap(),
    annotations: strMap(),
    finalizers: { type: 'array', items: str, listType: 'set', patchStrategy: 'merge' },
    ownerReferences: {
      type: 'array',
      items: ownerReference,
      listType: 'map',
      listMapKeys: ['uid'],
      patchStrategy: 'merge',
      patchMergeKey: 'uid',
    },
    managedFields: { type: 'array', items: managedFieldsEntry, listType: 'atomic' },
  },
};

export const servicePort: ObjectSchema = {
  type: 'object',
  name: 'io.k8s.api.core.v1.ServicePort',
  properties: {
    name: str,
    protocol: { type: 'string', default: 'TCP' } as Schema,
    appProtocol: str,
    port: int,
    targetPort: { type: 'int-or-string' },
    nodePort: int,
  },
  required: ['port'],
};

export const serviceSpec: ObjectSchema = {
  type: 'object',
  name: 'io.k8s.api.core.v1.ServiceSpec',
  properties: {
    ports: {
      type: 'array',
      items: servicePort,
      listType: 'map',
      listMapKeys: ['port', 'protocol'],
      patchStrategy: 'merge',
      patchMergeKey: 'port',
    },
    selector: strMap(),
    clusterIP: str,
    clusterIPs: atomicStrings,
    type: str,
    externalIPs: atomicStrings,
    sessionAffinity: str,
    sessionAffinityConfig: {
      type: 'object',
      name: 'io.k8s.api.core.v1.SessionAffinityConfig',
      properties: {
        clientIP: {
          type: 'object',
          name: 'io.k8s.api.core.v1.ClientIPConfig',
          properties: { timeoutSeconds: int },
        },
      },
    },
    ipFamilies: atomicStrings,
    ipFamilyPolicy: str,
    internalTrafficPolicy: str,
    externalTrafficPolicy: str,
    // Not in Service: an atomic map and an atomic struct, to exercise those semantics.
    parameters: strMap('atomic'),
    tls: {
      type: 'object',
      name: 'example.TLS',
      structType: 'atomic',
      properties: { secretName: str, hosts: atomicStrings },
    },
  },
};

export const serviceStatus: ObjectSchema = {
  type: 'object',
  name: 'io.k8s.api.core.v1.ServiceStatus',
  properties: {
    loadBalancer: {
      type: 'object',
      name: 'io.k8s.api.core.v1.LoadBalancerStatus',
      properties: {
        ingress: {
          type: 'array',
          listType: 'atomic',
          items: { type: 'object', name: 'io.k8s.api.core.v1.LoadBalancerIngress', properties: { ip: str } },
        },
      },
    },
  },
};

export const service: ObjectSchema = {
  type: 'object',
  name: 'io.k8s.api.core.v1.Service',
  gvk: [{ group: '', version: 'v1', kind: 'Service' }],
  properties: { apiVersion: str, kind: str, metadata: objectMeta, spec: serviceSpec, status: serviceStatus },
};
