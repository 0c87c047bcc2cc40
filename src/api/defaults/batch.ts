/**
 * batch/v1 defaults (pkg/apis/batch/v1/defaults.go and the generated
 * defaulters, 1.32). A CronJob's jobTemplate gets only the PodSpec defaults:
 * SetDefaults_Job applies to Jobs, not to JobSpecs, so a template keeps
 * unset parallelism and completions until the CronJob controller creates the Job.
 */
import type { CronJob, Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { defaultPodSpec } from './pod.js';

/** The pod template is a struct value upstream: an absent one still gets a defaulted PodSpec. */
function defaultTemplate(spec: { template?: PodTemplateSpec }): void {
  spec.template ??= {};
  spec.template.spec ??= {} as PodSpec;
  defaultPodSpec(spec.template.spec);
}

export function setJobDefaults(job: Job): void {
  job.spec ??= {} as JobSpec;
  const spec = job.spec;
  // A non-parallel job may leave both unset: both become 1.
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels && Object.keys(job.metadata?.labels ?? {}).length === 0) {
    job.metadata ??= {};
    job.metadata.labels = { ...templateLabels };
  }
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) if (!pattern.status) pattern.status = 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  defaultTemplate(spec as { template?: PodTemplateSpec });
}

export function setCronJobDefaults(cj: CronJob): void {
  cj.spec ??= {} as CronJob['spec'] & object;
  const spec = cj.spec!;
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  spec.jobTemplate ??= {};
  spec.jobTemplate.spec ??= {} as JobSpec;
  defaultTemplate(spec.jobTemplate.spec as { template?: PodTemplateSpec });
}
