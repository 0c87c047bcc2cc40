/**
 * core/v1 SetDefaults_ReplicationController (1.32): an empty selector and
 * empty labels both come from the template's labels; replicas default to 1;
 * a present template gets the PodSpec defaults.
 */
import type { PodSpec, ReplicationController } from 'kubernetes-types/core/v1.js';
import { defaultPodSpec } from './pod.js';

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
