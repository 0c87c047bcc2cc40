/**
 * batch/v1: jobs and cronjobs (upstream pkg/registry/batch), status through
 * /status, generation counting spec changes. A Job's selector and pod labels
 * are generated at validation, once the object has its UID.
 */
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { FieldGetters } from '../../k8s/selectors.js';
import { setCronJobDefaults, setJobDefaults } from '../defaults/batch.js';
import { metadataFieldGetters, type ResourceInfo } from '../resource.js';
import {
  validateCronJob,
  validateCronJobStatusUpdate,
  validateCronJobUpdate,
  validateJob,
  validateJobStatusUpdate,
  validateJobUpdate,
} from '../validation/batch.js';
import type { Strategy } from './strategy.js';

type Writable = { status?: unknown; spec?: unknown };

export const jobStrategy: Strategy<Job> = {
  defaults: setJobDefaults,
  prepareForCreate(job) {
    delete (job as Writable).status;
  },
  validate: validateJob,
  prepareForUpdate(job, old) {
    (job as Writable).status = old.status;
  },
  validateUpdate: validateJobUpdate,
  status: {
    prepareForUpdate(job, old) {
      (job as Writable).spec = old.spec;
    },
    validateUpdate: validateJobStatusUpdate,
  },
  tracksGeneration: true,
  // batch/v1 keeps a Job's pods on a DELETE without a policy, for compatibility (upstream's DefaultGarbageCollectionPolicy).
  defaultOrphanDependents: true,
};

export const cronJobStrategy: Strategy<CronJob> = {
  defaults: setCronJobDefaults,
  prepareForCreate(cj) {
    delete (cj as Writable).status;
  },
  validate: validateCronJob,
  prepareForUpdate(cj, old) {
    (cj as Writable).status = old.status;
  },
  validateUpdate: validateCronJobUpdate,
  status: {
    prepareForUpdate(cj, old) {
      (cj as Writable).spec = old.spec;
    },
    validateUpdate: validateCronJobStatusUpdate,
  },
  tracksGeneration: true,
};

/** Jobs are also selectable by status.successful (upstream's JobToSelectableFields). */
const jobFields = {
  ...metadataFieldGetters(true),
  'status.successful': (o: { status?: { succeeded?: number } }) => String(o.status?.succeeded ?? 0),
} as FieldGetters;

export function batchResources(): ResourceInfo[] {
  const common = {
    group: 'batch',
    version: 'v1',
    namespaced: true,
    categories: ['all'],
    subresources: ['status' as const],
    allowCreateOnUpdate: false,
    returnDeletedObject: false,
  };
  return [
    {
      ...common,
      resource: 'jobs',
      singular: 'job',
      kind: 'Job',
      listKind: 'JobList',
      shortNames: [],
      storagePrefix: '/registry/jobs',
      strategy: jobStrategy as Strategy,
      fieldGetters: jobFields,
    },
    {
      ...common,
      resource: 'cronjobs',
      singular: 'cronjob',
      kind: 'CronJob',
      listKind: 'CronJobList',
      shortNames: ['cj'],
      storagePrefix: '/registry/cronjobs',
      strategy: cronJobStrategy as Strategy,
      fieldGetters: metadataFieldGetters(true),
    },
  ];
}
