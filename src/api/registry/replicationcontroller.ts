/**
 * ReplicationControllers (upstream pkg/registry/core/replicationcontroller):
 * status through /status, generation counts spec changes.
 */
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import { setReplicationControllerDefaults } from '../defaults/replicationcontroller.js';
import {
  validateReplicationController,
  validateReplicationControllerStatusUpdate,
  validateReplicationControllerUpdate,
} from '../validation/replicationcontroller.js';
import type { Strategy } from './strategy.js';

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
