/**
 * Namespace defaults (SetDefaults_Namespace, SetDefaults_NamespaceStatus in
 * pkg/apis/core/v1/defaults.go), applied on every write.
 *
 * The "kubernetes" finalizer in spec.finalizers is NOT a default: upstream
 * adds it in the namespace strategy's PrepareForCreate, on create only, so
 * that the namespace controller can remove it during deletion without it
 * coming back. prepareNamespaceForCreate below is that strategy step, for the
 * Namespace strategy's prepareForCreate to call.
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { FINALIZER_KUBERNETES } from '../../k8s/namespace.js';

export const LabelMetadataName = 'kubernetes.io/metadata.name';

export function setNamespaceDefaults(ns: Namespace): void {
  // A generateName-only namespace has no name yet; it gets the label once named.
  const name = ns.metadata?.name;
  if (name) {
    const meta = ns.metadata!;
    meta.labels = { ...(meta.labels ?? {}), [LabelMetadataName]: name };
  }
  // Go always has a status struct to default, so the phase is set even if status was omitted.
  ns.status = { ...ns.status, phase: ns.status?.phase || 'Active' };
}

/** Namespace strategy PrepareForCreate: status is Active; spec.finalizers gains "kubernetes". */
export function prepareNamespaceForCreate(ns: Namespace): void {
  ns.status = { phase: 'Active' };
  const finalizers = ns.spec?.finalizers ?? [];
  if (!finalizers.includes(FINALIZER_KUBERNETES))
    ns.spec = { ...ns.spec, finalizers: [...finalizers, FINALIZER_KUBERNETES] };
}
