/** PersistentVolume and PersistentVolumeClaim rows: upstream printPersistentVolume / printPersistentVolumeClaim. */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../registry/strategy.js';
import { AGE_COLUMN, column, NAME_COLUMN } from './columns.js';
import { translateTimestampSince } from './duration.js';
import type { TableConvertor } from './types.js';

const MODES: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** GetAccessModesAsString: the short forms, deduplicated, in a fixed order. */
export function accessModesString(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  return MODES.filter(([m]) => set.has(m))
    .map(([, s]) => s)
    .join(',');
}

const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

function className(obj: PersistentVolume | PersistentVolumeClaim): string {
  const beta = obj.metadata?.annotations?.[BETA_CLASS_ANNOTATION];
  return beta ?? obj.spec?.storageClassName ?? '';
}

const storageText = (q: string | number | undefined) => (q === undefined ? '0' : String(q));

export const persistentVolumeConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column(
      'Capacity',
      'string',
      "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity",
    ),
    column(
      'Access Modes',
      'string',
      'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes',
    ),
    column(
      'Reclaim Policy',
      'string',
      'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming',
    ),
    column(
      'Status',
      'string',
      'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase',
    ),
    column(
      'Claim',
      'string',
      'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding',
    ),
    column(
      'StorageClass',
      'string',
      'storageClassName is the name of StorageClass to which this persistent volume belongs. Empty value means that this volume does not belong to any StorageClass.',
    ),
    column(
      'VolumeAttributesClass',
      'string',
      'Name of VolumeAttributesClass to which this persistent volume belongs. Empty value is not allowed. When this field is not set, it indicates that this volume does not belong to any VolumeAttributesClass. This field is mutable and can be changed by the CSI driver after a volume has been updated successfully to a new class. For an unbound PersistentVolume, the volumeAttributesClassName will be matched with unbound PersistentVolumeClaims during the binding process. This is a beta field and requires enabling VolumeAttributesClass feature (off by default).',
    ),
    column(
      'Reason',
      'string',
      'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.',
    ),
    AGE_COLUMN,
    column(
      'VolumeMode',
      'string',
      'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.',
      { priority: 1 },
    ),
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const pv = obj as PersistentVolume;
    const ref = pv.spec?.claimRef;
    const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
    return [
      [
        pv.metadata?.name ?? '',
        storageText(pv.spec?.capacity?.storage),
        accessModesString(pv.spec?.accessModes),
        pv.spec?.persistentVolumeReclaimPolicy ?? '',
        pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
        claim,
        className(pv),
        pv.spec?.volumeAttributesClassName ?? '<unset>',
        pv.status?.reason ?? '',
        translateTimestampSince(pv.metadata?.creationTimestamp, now),
        pv.spec?.volumeMode ?? '<unset>',
      ],
    ];
  },
};

export const persistentVolumeClaimConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    column(
      'Volume',
      'string',
      'volumeName is the binding reference to the PersistentVolume backing this claim.',
    ),
    column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    column(
      'Access Modes',
      'string',
      'accessModes contains the desired access modes the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1',
    ),
    column(
      'StorageClass',
      'string',
      'storageClassName is the name of the StorageClass required by the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#class-1',
    ),
    column(
      'VolumeAttributesClass',
      'string',
      'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.',
    ),
    AGE_COLUMN,
    column(
      'VolumeMode',
      'string',
      'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.',
      { priority: 1 },
    ),
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const pvc = obj as PersistentVolumeClaim;
    const phase = pvc.status?.phase ?? '';
    // A claim being deleted reads Terminating, as upstream prints it.
    const status = pvc.metadata?.deletionTimestamp ? 'Terminating' : phase;
    const bound = !!pvc.spec?.volumeName;
    return [
      [
        pvc.metadata?.name ?? '',
        status,
        pvc.spec?.volumeName ?? '',
        bound ? storageText(pvc.status?.capacity?.storage) : '',
        bound ? accessModesString(pvc.status?.accessModes) : '',
        className(pvc),
        pvc.spec?.volumeAttributesClassName ?? '<unset>',
        translateTimestampSince(pvc.metadata?.creationTimestamp, now),
        pvc.spec?.volumeMode ?? '<unset>',
      ],
    ];
  },
};
