/**
 * Namespaces (upstream pkg/registry/core/namespace): created Active with the
 * `kubernetes` finalizer in spec.finalizers; deletion marks them Terminating
 * until the namespace controller has emptied them and removed the finalizer
 * through /finalize.
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { prepareNamespaceForCreate, setNamespaceDefaults } from '../defaults/namespace.js';
import {
  validateNamespace,
  validateNamespaceFinalizeUpdate,
  validateNamespaceStatusUpdate,
  validateNamespaceUpdate,
} from '../validation/namespace.js';
import type { Strategy } from './strategy.js';

type Mutable = { -readonly [K in keyof Namespace]: Namespace[K] };

export const namespaceStrategy: Strategy<Namespace> = {
  defaults: setNamespaceDefaults,
  prepareForCreate: prepareNamespaceForCreate,
  validate: validateNamespace,
  prepareForUpdate(ns, old) {
    const n = ns as Mutable;
    n.spec = { ...n.spec, finalizers: old.spec?.finalizers };
    if (n.spec.finalizers === undefined) delete n.spec.finalizers;
    n.status = old.status;
  },
  validateUpdate: validateNamespaceUpdate,
  status: {
    prepareForUpdate(ns, old) {
      (ns as Mutable).spec = old.spec;
    },
    validateUpdate: validateNamespaceStatusUpdate,
  },
  finalize: {
    prepareForUpdate(ns, old) {
      (ns as Mutable).status = old.status;
    },
    validateUpdate: validateNamespaceFinalizeUpdate,
  },
};
