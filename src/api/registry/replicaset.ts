/** ReplicaSets (upstream pkg/registry/apps/replicaset): status through /status, generation counts spec changes. */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { setReplicaSetDefaults } from '../defaults/apps.js';
import {
  validateReplicaSet,
  validateReplicaSetStatusUpdate,
  validateReplicaSetUpdate,
} from '../validation/apps.js';
import type { Strategy } from './strategy.js';

export const replicaSetStrategy: Strategy<ReplicaSet> = {
  defaults: setReplicaSetDefaults,
  prepareForCreate(rs) {
    delete (rs as { status?: unknown }).status;
  },
  validate: validateReplicaSet,
  prepareForUpdate(rs, old) {
    (rs as { status?: unknown }).status = old.status;
  },
  validateUpdate: validateReplicaSetUpdate,
  status: {
    prepareForUpdate(rs, old) {
      (rs as { spec?: unknown }).spec = old.spec;
    },
    validateUpdate: validateReplicaSetStatusUpdate,
  },
  tracksGeneration: true,
};
