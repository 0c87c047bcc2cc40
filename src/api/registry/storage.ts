/**
 * PersistentVolumes and PersistentVolumeClaims (upstream
 * pkg/registry/core/persistentvolume and persistentvolumeclaim): status
 * through /status (the binder's), a new object starts Pending, and a PV's
 * phase change stamps lastPhaseTransitionTime (GA in 1.31).
 */
import type {
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeClaimStatus,
  PersistentVolumeStatus,
} from 'kubernetes-types/core/v1.js';
import { setPersistentVolumeClaimDefaults, setPersistentVolumeDefaults } from '../defaults/storage.js';
import {
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimStatusUpdate,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeStatusUpdate,
  validatePersistentVolumeUpdate,
} from '../validation/storage.js';
import type { Strategy } from './strategy.js';

/** kubernetes-types marks status read-only; the registry owns it. */
function setStatus<S extends PersistentVolumeStatus | PersistentVolumeClaimStatus>(
  obj: { status?: S },
  status: S | undefined,
): void {
  (obj as { status?: S }).status = status;
}

const nowRFC3339 = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export const persistentVolumeStrategy: Strategy<PersistentVolume> = {
  defaults: setPersistentVolumeDefaults,
  prepareForCreate(pv) {
    setStatus(pv, { phase: 'Pending', lastPhaseTransitionTime: nowRFC3339() });
  },
  validate: validatePersistentVolume,
  prepareForUpdate(pv, old) {
    setStatus(pv, old.status);
  },
  validateUpdate: validatePersistentVolumeUpdate,
  status: {
    prepareForUpdate(pv, old) {
      pv.spec = old.spec;
      if (pv.status?.phase !== old.status?.phase)
        setStatus(pv, { ...pv.status, lastPhaseTransitionTime: nowRFC3339() });
    },
    validateUpdate: validatePersistentVolumeStatusUpdate,
  },
};

export const persistentVolumeClaimStrategy: Strategy<PersistentVolumeClaim> = {
  defaults: setPersistentVolumeClaimDefaults,
  prepareForCreate(pvc) {
    setStatus(pvc, { phase: 'Pending' });
  },
  validate: validatePersistentVolumeClaim,
  prepareForUpdate(pvc, old) {
    setStatus(pvc, old.status);
  },
  validateUpdate: validatePersistentVolumeClaimUpdate,
  status: {
    prepareForUpdate(pvc, old) {
      pvc.spec = old.spec;
    },
    validateUpdate: validatePersistentVolumeClaimStatusUpdate,
  },
};
