/**
 * ReplicationControllers (upstream pkg/registry/core/replicationcontroller):
 * status through /status, generation counts spec changes. Defaults
 * (SetDefaults_ReplicationController): an empty selector and empty labels
 * both come from the template's labels; replicas default to 1.
 */
import type { PodSpec, ReplicationController } from 'kubernetes-types/core/v1.js';
import { defaultPodSpec } from '../defaults/pod.js';
import {
  validateReplicationController,
  validateReplicationControllerStatusUpdate,
  validateReplicationControllerUpdate,
} from '../validation/replicationcontroller.js';
import type { Strategy } from './strategy.js';

export function setReplicationControllerDefaults(rc: ReplicationController): void {
  rc.spec ??= {};
  const spec = rc.spec;
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(labels).length) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    rc.metadata ??= {};
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  // The template is a pointer in v1: only a present one is defaulted.
  if (spec.template) {
    spec.template.spec ??= {} as PodSpec;
    defaultPodSpec(spec.template.spec);
  }
}

export const replicationControllerStrategy: Strategy<ReplicationController> = {
  defaults: setReplicationControllerDefaults,
  prepareForCreate(rc) {
    delete (rc as { status?: unknown }).status;
  },
  validate: validateReplicationController,
  prepareForUpdate(rc, old) {
    (rc as { status?: unknown }).status = old.status;
  },
  validateUpdate: validateReplicationControllerUpdate,
  status: {
    prepareForUpdate(rc, old) {
      (rc as { spec?: unknown }).spec = old.spec;
    },
    validateUpdate: validateReplicationControllerStatusUpdate,
  },
  tracksGeneration: true,
};
