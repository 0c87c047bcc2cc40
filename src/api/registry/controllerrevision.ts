/** ControllerRevisions (upstream pkg/registry/apps/controllerrevision): immutable data, no status, no generation. */
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { validateControllerRevision, validateControllerRevisionUpdate } from '../validation/apps.js';
import type { Strategy } from './strategy.js';

export const controllerRevisionStrategy: Strategy<ControllerRevision> = {
  validate: validateControllerRevision,
  validateUpdate: validateControllerRevisionUpdate,
};
