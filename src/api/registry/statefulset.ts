/**
 * StatefulSets (upstream pkg/registry/apps/statefulset): status through
 * /status, generation counts spec changes, and rollingUpdate.maxUnavailable
 * is dropped while its feature gate (MaxUnavailableStatefulSet, alpha in
 * 1.32) is off, unless the stored object already uses it.
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { setStatefulSetDefaults } from '../defaults/apps.js';
import {
  validateStatefulSet,
  validateStatefulSetStatusUpdate,
  validateStatefulSetUpdate,
} from '../validation/apps.js';
import type { Strategy } from './strategy.js';

const maxUnavailableInUse = (ss: StatefulSet | undefined) =>
  ss?.spec?.updateStrategy?.rollingUpdate?.maxUnavailable != null;

function dropDisabledFields(ss: StatefulSet, old: StatefulSet | undefined): void {
  const ru = ss.spec?.updateStrategy?.rollingUpdate;
  if (ru && !maxUnavailableInUse(old)) delete ru.maxUnavailable;
}

export const statefulSetStrategy: Strategy<StatefulSet> = {
  defaults: setStatefulSetDefaults,
  prepareForCreate(ss) {
    delete (ss as { status?: unknown }).status;
    dropDisabledFields(ss, undefined);
  },
  validate: validateStatefulSet,
  prepareForUpdate(ss, old) {
    (ss as { status?: unknown }).status = old.status;
    dropDisabledFields(ss, old);
  },
  validateUpdate: validateStatefulSetUpdate,
  status: {
    prepareForUpdate(ss, old) {
      (ss as { spec?: unknown }).spec = old.spec;
    },
    validateUpdate: validateStatefulSetStatusUpdate,
  },
  tracksGeneration: true,
};
