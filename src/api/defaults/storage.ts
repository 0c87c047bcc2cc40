/** core/v1 defaults of PersistentVolumes and PersistentVolumeClaims (1.32). */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';

/** SetDefaults_PersistentVolume: Retain, Filesystem, and hostPath's unset type. */
export function setPersistentVolumeDefaults(pv: PersistentVolume): void {
  pv.spec ??= {};
  pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
  pv.spec.volumeMode ??= 'Filesystem';
  if (pv.spec.hostPath) pv.spec.hostPath.type ??= '';
}

/** SetDefaults_PersistentVolumeClaimSpec. */
export function setPersistentVolumeClaimDefaults(pvc: PersistentVolumeClaim): void {
  pvc.spec ??= {};
  pvc.spec.volumeMode ??= 'Filesystem';
}
