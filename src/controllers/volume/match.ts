/**
 * Which PersistentVolume a claim binds to (upstream pkg/controller/volume/
 * persistentvolume: findMatchingVolume and checkVolumeSatisfyClaim, without
 * delayed binding): same storage class, every requested access mode, enough
 * capacity, the claim's selector and volume mode; a volume pre-bound to the
 * claim (claimRef) wins, volumes pre-bound elsewhere or being deleted are
 * skipped, and otherwise the smallest that fits is chosen.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { quantityValue } from '../../k8s/quantity.js';
import { selectorMatches } from '../podutil.js';

const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** GetPersistentVolumeClaimClass / GetPersistentVolumeClass: the beta annotation wins over the field. */
export function claimClass(pvc: PersistentVolumeClaim): string {
  return pvc.metadata?.annotations?.[BETA_CLASS_ANNOTATION] ?? pvc.spec?.storageClassName ?? '';
}
export function volumeClass(pv: PersistentVolume): string {
  return pv.metadata?.annotations?.[BETA_CLASS_ANNOTATION] ?? pv.spec?.storageClassName ?? '';
}

const storageOf = (q: Record<string, string | number> | undefined) => quantityValue(q?.storage);

/** Whether the claimRef names this claim (by namespace and name, and uid when it has one). */
export function isPreboundTo(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata?.name || ref.namespace !== pvc.metadata?.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata?.uid;
}

/** checkVolumeSatisfyClaim: why this volume cannot serve the claim, or undefined when it can. */
export function mismatch(pv: PersistentVolume, pvc: PersistentVolumeClaim): string | undefined {
  const requested = storageOf(pvc.spec?.resources?.requests as Record<string, string> | undefined);
  if (storageOf(pv.spec?.capacity as Record<string, string> | undefined) < requested)
    return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(pvc)) return 'storageClassName does not match';
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem'))
    return 'incompatible volumeMode';
  const modes = new Set(pv.spec?.accessModes ?? []);
  if (!(pvc.spec?.accessModes ?? []).every((m) => modes.has(m))) return 'incompatible accessMode';
  return undefined;
}

export function findMatchingVolume(
  pvc: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
): PersistentVolume | undefined {
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (mismatch(pv, pvc) !== undefined) continue;
    if (isPreboundTo(pv, pvc)) return pv;
    if (pv.metadata?.deletionTimestamp) continue;
    // Pre-bound to another claim, or already bound.
    if (pv.spec?.claimRef) continue;
    if (pv.status?.phase !== 'Available' && pv.status?.phase !== 'Pending' && pv.status?.phase) continue;
    if (pvc.spec?.selector && !selectorMatches(pvc.spec.selector, pv.metadata?.labels)) continue;
    const size = storageOf(pv.spec?.capacity as Record<string, string> | undefined);
    if (!best || size < storageOf(best.spec?.capacity as Record<string, string> | undefined)) best = pv;
  }
  return best;
}
