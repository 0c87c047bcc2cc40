/**
 * Deployments (upstream pkg/registry/apps/deployment): status is the
 * controller's, written through /status; spec and annotation changes bump
 * metadata.generation (annotations because the controller copies them to
 * its ReplicaSets).
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { setDeploymentDefaults } from '../defaults/apps.js';
import {
  validateDeployment,
  validateDeploymentStatusUpdate,
  validateDeploymentUpdate,
} from '../validation/apps.js';
import type { Strategy } from './strategy.js';

type Writable = { status?: unknown };

/** Map equality as Go's: keys matter even with empty values; nil equals empty. */
function sameAnnotations(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): boolean {
  const ka = Object.keys(a ?? {});
  return (
    ka.length === Object.keys(b ?? {}).length &&
    ka.every((k) => b !== undefined && Object.hasOwn(b, k) && b[k] === a![k])
  );
}

export const deploymentStrategy: Strategy<Deployment> = {
  defaults: setDeploymentDefaults,
  prepareForCreate(d) {
    delete (d as Writable).status;
  },
  validate: validateDeployment,
  prepareForUpdate(d, old) {
    (d as Writable).status = old.status;
    // The registry bumps generation for spec changes; annotations count too here.
    const meta = d.metadata as { generation?: number } | undefined;
    if (meta && !sameAnnotations(d.metadata?.annotations, old.metadata?.annotations))
      meta.generation = (old.metadata?.generation ?? 0) + 1;
  },
  validateUpdate: validateDeploymentUpdate,
  status: {
    prepareForUpdate(d, old) {
      (d as { spec?: unknown }).spec = old.spec;
      if (d.metadata) {
        if (old.metadata?.labels) d.metadata.labels = old.metadata.labels;
        else delete d.metadata.labels;
      }
    },
    validateUpdate: validateDeploymentStatusUpdate,
  },
  tracksGeneration: true,
};
