/** A toy namespaced resource over the memory store, for registry and cache tests. */

import type { KubeObject, Strategy } from '../../../src/api/registry/strategy.js';
import { metadataFieldGetters, type ResourceInfo } from '../../../src/api/resource.js';
import { Registry } from '../../../src/api/storage/registry.js';
import { fieldErrors } from '../../../src/k8s/field.js';
import { MemoryStore } from '../../../src/store/memory.js';

export interface Widget extends KubeObject {
  spec?: { size?: number };
  status?: { phase?: string };
}

const strategy: Strategy<Widget> = {
  defaults(w) {
    w.spec ??= {};
    w.spec.size ??= 1;
  },
  prepareForCreate(w) {
    delete w.status;
  },
  validate(w) {
    return (w.spec?.size ?? 0) < 0
      ? [fieldErrors.invalid('spec.size', w.spec!.size, 'must be non-negative')]
      : [];
  },
  prepareForUpdate(w, old) {
    w.status = old.status;
  },
  validateUpdate(w) {
    return (w.spec?.size ?? 0) < 0
      ? [fieldErrors.invalid('spec.size', w.spec!.size, 'must be non-negative')]
      : [];
  },
  status: {
    prepareForUpdate(w, old) {
      w.spec = old.spec;
    },
    validateUpdate: () => [],
  },
  tracksGeneration: true,
};

export const widgets: ResourceInfo = {
  group: 'example.com',
  version: 'v1',
  resource: 'widgets',
  singular: 'widget',
  kind: 'Widget',
  listKind: 'WidgetList',
  namespaced: true,
  shortNames: [],
  categories: [],
  storagePrefix: '/registry/widgets',
  strategy: strategy as Strategy,
  fieldGetters: metadataFieldGetters(true),
  subresources: ['status'],
  allowCreateOnUpdate: false,
  returnDeletedObject: true,
};

export function widget(name: string, size = 1, labels?: Record<string, string>): Widget {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, labels }, spec: { size } };
}

export async function widgetRegistry(
  cacheHistory?: number,
): Promise<{ store: MemoryStore; registry: Registry }> {
  const store = new MemoryStore();
  const registry = new Registry(widgets, store, undefined, cacheHistory);
  await registry.start();
  return { store, registry };
}

export const ctx = (namespace = 'ns') => ({ dryRun: false, namespace });
