/** Namespace validation (ValidateNamespace and friends, 1.32), as the namespace strategies apply it. */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import {
  validateFinalizerName,
  validateKubeFinalizerName,
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import { validateNamespaceName } from './names.js';

/** spec.finalizers: qualified names; unqualified ones must be standard ("kubernetes", ...). */
function validateSpecFinalizer(name: string, path: FieldPath): FieldError[] {
  return [...validateFinalizerName(name, path), ...validateKubeFinalizerName(name, path)];
}

function validateNamespaceOnly(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, false, validateNamespaceName);
  // Upstream reports these on the list, without an index.
  for (const f of ns.spec?.finalizers ?? [])
    errs.push(...validateSpecFinalizer(f, FieldPath.root('spec', 'finalizers')));
  return errs;
}

export function validateNamespace(ns: Namespace): FieldError[] {
  return withGenericCreateChecks(ns.metadata, false, validateNamespaceOnly(ns));
}

/** The namespace strategy's ValidateUpdate: the whole object plus metadata update rules. */
export function validateNamespaceUpdate(ns: Namespace, old: Namespace): FieldError[] {
  return withGenericUpdateChecks(ns.metadata, old.metadata, false, [
    ...validateNamespaceOnly(ns),
    ...validateObjectMetaUpdate(ns.metadata, old.metadata),
  ]);
}

/** namespaces/status: the phase must agree with deletionTimestamp. */
export function validateNamespaceStatusUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  const phase = ns.status?.phase ?? '';
  // Upstream's path really is `status.Phase`.
  const p = FieldPath.root('status', 'Phase');
  if (!ns.metadata?.deletionTimestamp) {
    if (phase !== 'Active')
      errs.push(fieldErrors.invalid(p, phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(fieldErrors.invalid(p, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return withGenericUpdateChecks(ns.metadata, old.metadata, false, errs);
}

/** namespaces/finalize: spec.finalizers may change; each must be a valid finalizer name. */
export function validateNamespaceFinalizeUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  for (const [i, f] of (ns.spec?.finalizers ?? []).entries())
    errs.push(...validateSpecFinalizer(f, FieldPath.root('spec', 'finalizers').index(i)));
  return withGenericUpdateChecks(ns.metadata, old.metadata, false, errs);
}
