/**
 * apps/v1 defaults (pkg/apis/apps/v1/defaults.go and the generated
 * defaulters, 1.32): SetDefaults_Deployment / _ReplicaSet / _StatefulSet / _DaemonSet, the
 * pod template's PodSpec defaults, and for StatefulSets the defaults of each
 * volume claim template. ControllerRevisions have none.
 */
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { defaultPodSpec } from './pod.js';

/** Upstream's template is a struct value: defaulting an absent one still yields a defaulted PodSpec. */
function defaultTemplate(holder: { template?: PodTemplateSpec }): void {
  holder.template ??= {};
  holder.template.spec ??= {} as PodSpec;
  defaultPodSpec(holder.template.spec);
}

type Spec<T extends { spec?: unknown }> = NonNullable<T['spec']>;

export function setDeploymentDefaults(d: Deployment): void {
  d.spec ??= {} as Spec<Deployment>;
  const spec = d.spec;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  const strategy = spec.strategy;
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    strategy.rollingUpdate.maxUnavailable ??= '25%';
    strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec as { template?: PodTemplateSpec });
}

export function setReplicaSetDefaults(rs: ReplicaSet): void {
  rs.spec ??= {} as Spec<ReplicaSet>;
  rs.spec.replicas ??= 1;
  defaultTemplate(rs.spec as { template?: PodTemplateSpec });
}

/** SetDefaults_PersistentVolumeClaim and _PersistentVolumeClaimSpec, plus the v1 conversion's TypeMeta. */
function defaultClaimTemplate(pvc: PersistentVolumeClaim): void {
  // The v1 conversion stamps each template's kind (issue 87583), so output reads as before 1.17.
  const typed = pvc as { apiVersion?: string; kind?: string };
  typed.apiVersion = 'v1';
  typed.kind = 'PersistentVolumeClaim';
  pvc.spec ??= {};
  pvc.spec.volumeMode ??= 'Filesystem';
  const claim = pvc as { status?: { phase?: string } };
  claim.status ??= {};
  if (!claim.status.phase) claim.status.phase = 'Pending';
}

export function setStatefulSetDefaults(ss: StatefulSet): void {
  ss.spec ??= {} as Spec<StatefulSet>;
  const spec = ss.spec;
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  spec.updateStrategy ??= {};
  const us = spec.updateStrategy;
  if (!us.type) {
    us.type = 'RollingUpdate';
    us.rollingUpdate ??= {};
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0;
  // StatefulSetAutoDeletePVC is on by default in 1.32.
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  const policy = spec.persistentVolumeClaimRetentionPolicy;
  if (!policy.whenDeleted) policy.whenDeleted = 'Retain';
  if (!policy.whenScaled) policy.whenScaled = 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec as { template?: PodTemplateSpec });
  for (const pvc of spec.volumeClaimTemplates ?? []) defaultClaimTemplate(pvc);
}

export function setDaemonSetDefaults(ds: DaemonSet): void {
  ds.spec ??= {} as Spec<DaemonSet>;
  const spec = ds.spec;
  spec.updateStrategy ??= {};
  const us = spec.updateStrategy;
  if (!us.type) us.type = 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    us.rollingUpdate ??= {};
    us.rollingUpdate.maxUnavailable ??= 1;
    us.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec as { template?: PodTemplateSpec });
}
