/**
 * core/v1 ReplicationControllers, PersistentVolumes and
 * PersistentVolumeClaims, and networking.k8s.io/v1 Ingresses and
 * IngressClasses, with upstream's names, scopes, storage keys and subresources.
 */
import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import { metadataFieldGetters, type ResourceInfo } from '../resource.js';
import { ingressClassStrategy, ingressStrategy } from './networking.js';
import { replicationControllerStrategy } from './replicationcontroller.js';
import { persistentVolumeClaimStrategy, persistentVolumeStrategy } from './storage.js';
import type { Strategy } from './strategy.js';

type Base = Omit<ResourceInfo, 'singular' | 'listKind' | 'fieldGetters' | 'version'>;

const info = (r: Base): ResourceInfo => ({
  ...r,
  version: 'v1',
  singular: r.kind.toLowerCase(),
  listKind: `${r.kind}List`,
  fieldGetters: metadataFieldGetters(r.namespaced),
});

export function replicationAndStorageResources(): ResourceInfo[] {
  return [
    info({
      group: '',
      resource: 'replicationcontrollers',
      kind: 'ReplicationController',
      namespaced: true,
      shortNames: ['rc'],
      categories: ['all'],
      storagePrefix: '/registry/controllers',
      strategy: replicationControllerStrategy as Strategy,
      subresources: ['status', 'scale'],
      allowCreateOnUpdate: false,
      returnDeletedObject: false,
    }),
    info({
      group: '',
      resource: 'persistentvolumes',
      kind: 'PersistentVolume',
      namespaced: false,
      shortNames: ['pv'],
      categories: [],
      storagePrefix: '/registry/persistentvolumes',
      strategy: persistentVolumeStrategy as Strategy,
      subresources: ['status'],
      allowCreateOnUpdate: false,
      returnDeletedObject: true,
    }),
    info({
      group: '',
      resource: 'persistentvolumeclaims',
      kind: 'PersistentVolumeClaim',
      namespaced: true,
      shortNames: ['pvc'],
      categories: [],
      storagePrefix: '/registry/persistentvolumeclaims',
      strategy: persistentVolumeClaimStrategy as Strategy,
      subresources: ['status'],
      allowCreateOnUpdate: false,
      returnDeletedObject: true,
    }),
  ];
}

/** `listClasses` reads the stored IngressClasses, for the default-class admission. */
export function networkingResources(listClasses: () => Promise<IngressClass[]>): ResourceInfo[] {
  return [
    info({
      group: 'networking.k8s.io',
      resource: 'ingresses',
      kind: 'Ingress',
      namespaced: true,
      shortNames: ['ing'],
      categories: [],
      storagePrefix: '/registry/ingress',
      strategy: ingressStrategy(listClasses) as Strategy,
      subresources: ['status'],
      allowCreateOnUpdate: false,
      returnDeletedObject: false,
    }),
    info({
      group: 'networking.k8s.io',
      resource: 'ingressclasses',
      kind: 'IngressClass',
      namespaced: false,
      shortNames: [],
      categories: [],
      storagePrefix: '/registry/ingressclasses',
      strategy: ingressClassStrategy as Strategy,
      subresources: [],
      allowCreateOnUpdate: false,
      returnDeletedObject: false,
    }),
  ];
}
