/** What the API server and the namespace controller agree on about namespaces. */

/**
 * The finalizer the API server puts in every new namespace's spec.finalizers
 * and the namespace controller removes, through /finalize, once the namespace
 * is empty (upstream v1.FinalizerKubernetes).
 */
export const FINALIZER_KUBERNETES = 'kubernetes';
