/**
 * networking.k8s.io/v1 Ingresses and IngressClasses (upstream
 * pkg/registry/networking). Ingress status is written through /status (by an
 * ingress controller; svcnet runs none). Creating an Ingress without a class
 * gets the default IngressClass, as upstream's DefaultIngressClass admission
 * plugin assigns it: the class annotated `is-default-class: "true"`, the
 * newest if several are.
 */
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import { setIngressClassDefaults } from '../defaults/networking.js';
import {
  DEFAULT_CLASS_ANNOTATION,
  INGRESS_CLASS_ANNOTATION,
  validateIngressClass,
  validateIngressClassUpdate,
  validateIngressCreate,
  validateIngressStatusUpdate,
  validateIngressUpdate,
} from '../validation/networking.js';
import type { Strategy } from './strategy.js';

/** The IngressClass admission would assign, among the stored ones. */
export function defaultIngressClass(classes: readonly IngressClass[]): string | undefined {
  const defaults = classes
    .filter((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')
    .sort((a, b) => {
      const ta = a.metadata?.creationTimestamp ?? '';
      const tb = b.metadata?.creationTimestamp ?? '';
      if (ta !== tb) return ta < tb ? 1 : -1;
      return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
    });
  return defaults[0]?.metadata?.name;
}

/** `listClasses` reads the stored IngressClasses (the admission plugin's lister). */
export function ingressStrategy(listClasses: () => Promise<IngressClass[]>): Strategy<Ingress> {
  return {
    async beginCreate(ing) {
      // An explicit class, or the legacy annotation, opts out of defaulting.
      if (
        ing.spec?.ingressClassName == null &&
        ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] === undefined
      ) {
        const name = defaultIngressClass(await listClasses());
        if (name) {
          ing.spec ??= {};
          ing.spec.ingressClassName = name;
        }
      }
      return () => {};
    },
    prepareForCreate(ing) {
      delete (ing as { status?: unknown }).status;
    },
    validate: validateIngressCreate,
    prepareForUpdate(ing, old) {
      (ing as { status?: unknown }).status = old.status;
    },
    validateUpdate: validateIngressUpdate,
    status: {
      prepareForUpdate(ing, old) {
        (ing as { spec?: unknown }).spec = old.spec;
      },
      validateUpdate: validateIngressStatusUpdate,
    },
    tracksGeneration: true,
  };
}

export const ingressClassStrategy: Strategy<IngressClass> = {
  defaults: setIngressClassDefaults,
  validate: validateIngressClass,
  validateUpdate: validateIngressClassUpdate,
  tracksGeneration: true,
};
