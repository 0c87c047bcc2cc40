/**
 * DaemonSets (upstream pkg/registry/apps/daemonset): status through /status;
 * a template change bumps metadata.generation and the template generation,
 * which apps/v1 carries in the `deprecated.daemonset.template.generation`
 * annotation (starting at 1 on create).
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { setDaemonSetDefaults } from '../defaults/apps.js';
import {
  semanticEqual,
  TEMPLATE_GENERATION_ANNOTATION,
  validateDaemonSet,
  validateDaemonSetStatusUpdate,
  validateDaemonSetUpdate,
} from '../validation/apps.js';
import type { Strategy } from './strategy.js';

function setTemplateGeneration(ds: DaemonSet, gen: string): void {
  ds.metadata ??= {};
  ds.metadata.annotations = { ...ds.metadata.annotations, [TEMPLATE_GENERATION_ANNOTATION]: gen };
}

export const daemonSetStrategy: Strategy<DaemonSet> = {
  defaults: setDaemonSetDefaults,
  prepareForCreate(ds) {
    delete (ds as { status?: unknown }).status;
    const gen = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    if (!gen || gen === '0') setTemplateGeneration(ds, '1');
  },
  validate: validateDaemonSet,
  prepareForUpdate(ds, old) {
    (ds as { status?: unknown }).status = old.status;
    const oldGen = Number(old.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? 0) || 0;
    if (!semanticEqual(ds.spec?.template, old.spec?.template)) setTemplateGeneration(ds, String(oldGen + 1));
    // A client that drops the annotation (a PUT of an edited manifest) keeps the stored one.
    else if (ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION] === undefined)
      setTemplateGeneration(ds, String(oldGen));
  },
  validateUpdate: validateDaemonSetUpdate,
  status: {
    prepareForUpdate(ds, old) {
      (ds as { spec?: unknown }).spec = old.spec;
    },
    validateUpdate: validateDaemonSetStatusUpdate,
  },
  tracksGeneration: true,
};
