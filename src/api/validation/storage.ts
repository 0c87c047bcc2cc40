/**
 * core/v1 PersistentVolume and PersistentVolumeClaim validation
 * (pkg/apis/core/validation, 1.32) with upstream's messages: access modes,
 * capacity and requests, reclaim policy, volume mode, exactly one volume
 * source (hostPath, local, nfs and csi are checked in depth; other sources
 * count as a source), class names, and the update rules (the source and a
 * claim's spec are immutable, volumeName may be set once, storage may grow).
 * Unlike upstream, the spec-immutable message carries no cmp.Diff of the change.
 */
import type {
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  PersistentVolumeSpec,
} from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { goQuote } from '../../k8s/gofmt.js';
import { quantityValue } from '../../k8s/quantity.js';
import { semanticEqual, validateLabelSelector } from './apps.js';
import { goErrors } from './govalues.js';
import {
  FieldImmutableErrorMsg,
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from './names.js';

export const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const reclaimPolicies = ['Delete', 'Recycle', 'Retain'];
const volumeModes = ['Block', 'Filesystem'];
const hostPathTypes = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];

/** The PersistentVolumeSource fields, in upstream's check order. */
const volumeSources = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'glusterfs',
  'flocker',
  'nfs',
  'rbd',
  'quobyte',
  'cephfs',
  'iscsi',
  'cinder',
  'fc',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'scaleIO',
  'local',
  'storageos',
  'csi',
] as const;

const spec = FieldPath.root('spec');

/** `%#v` of a core.ResourceList: its keys are shown, each Quantity by its string form. */
function goResourceList(list: Record<string, string | number>): string {
  const keys = Object.keys(list).sort();
  return `core.ResourceList{${keys.map((k) => `${goQuote(k)}:${goQuote(String(list[k]))}`).join(', ')}}`;
}

function validateAccessModes(modes: string[] | undefined, path: FieldPath, required: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!modes?.length) errs.push(fieldErrors.required(path, required));
  let rwop = false;
  let other = false;
  for (const m of modes ?? []) {
    if (!accessModes.includes(m)) errs.push(fieldErrors.notSupported(path, m, accessModes));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (accessModes.includes(m)) other = true;
  }
  if (rwop && other)
    errs.push(fieldErrors.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** ValidatePositiveQuantityValue. */
function positiveQuantity(q: string | number, path: FieldPath): FieldError[] {
  const v = quantityValue(q);
  if (Number.isNaN(v)) return [fieldErrors.invalid(path, String(q), 'must be a valid resource quantity')];
  return v > 0 ? [] : [fieldErrors.invalid(path, String(q), 'must be greater than zero')];
}

function validateSource(s: PersistentVolumeSpec): FieldError[] {
  const errs: FieldError[] = [];
  const present = volumeSources.filter((k) => (s as Record<string, unknown>)[k] != null);
  if (present.length === 0) return [fieldErrors.required(spec, 'must specify a volume type')];
  for (const extra of present.slice(1))
    errs.push(fieldErrors.forbidden(spec.child(extra), 'may not specify more than 1 volume type'));
  const first = present[0]!;
  const p = spec.child(first);
  if (first === 'hostPath') {
    if (!s.hostPath?.path) errs.push(fieldErrors.required(p.child('path')));
    const type = s.hostPath?.type ?? '';
    if (!hostPathTypes.includes(type))
      errs.push(fieldErrors.notSupported(p.child('type'), type, hostPathTypes));
  } else if (first === 'local') {
    if (!s.local?.path) errs.push(fieldErrors.required(p.child('path')));
    if (!s.nodeAffinity?.required)
      errs.push(fieldErrors.required(spec.child('nodeAffinity'), 'Local volume requires node affinity'));
  } else if (first === 'nfs') {
    if (!s.nfs?.server) errs.push(fieldErrors.required(p.child('server')));
    const path = s.nfs?.path ?? '';
    if (!path) errs.push(fieldErrors.required(p.child('path')));
    else if (!path.startsWith('/'))
      errs.push(fieldErrors.invalid(p.child('path'), path, 'must be an absolute path'));
  } else if (first === 'csi') {
    if (!s.csi?.driver) errs.push(fieldErrors.required(p.child('driver')));
    if (!s.csi?.volumeHandle) errs.push(fieldErrors.required(p.child('volumeHandle')));
  }
  return errs;
}

function validatePVSpec(s: PersistentVolumeSpec | undefined): FieldError[] {
  const pv: PersistentVolumeSpec = s ?? {};
  const errs = validateAccessModes(pv.accessModes, spec.child('accessModes'), '');
  const capacity = pv.capacity ?? {};
  const keys = Object.keys(capacity);
  const cp = spec.child('capacity');
  if (keys.length === 0) errs.push(fieldErrors.required(cp));
  if (!('storage' in capacity) || keys.length > 1)
    errs.push(goErrors.notSupported(cp, goResourceList(capacity), ['storage']));
  for (const k of keys) errs.push(...positiveQuantity(capacity[k]!, cp.key(k)));
  const policy = pv.persistentVolumeReclaimPolicy ?? '';
  if (policy && !reclaimPolicies.includes(policy))
    errs.push(fieldErrors.notSupported(spec.child('persistentVolumeReclaimPolicy'), policy, reclaimPolicies));
  errs.push(...validateSource(pv));
  if (pv.hostPath && /^\/+$/.test(pv.hostPath.path ?? '') && policy === 'Recycle')
    errs.push(
      fieldErrors.forbidden(
        spec.child('persistentVolumeReclaimPolicy'),
        "may not be 'recycle' for a hostPath mount of '/'",
      ),
    );
  if (pv.storageClassName)
    for (const m of isDNS1123Subdomain(pv.storageClassName))
      errs.push(fieldErrors.invalid(spec.child('storageClassName'), pv.storageClassName, m));
  if (pv.volumeMode != null && !volumeModes.includes(pv.volumeMode))
    errs.push(fieldErrors.notSupported(spec.child('volumeMode'), pv.volumeMode, volumeModes));
  return errs;
}

const sourceOf = (s: PersistentVolumeSpec | undefined) =>
  Object.fromEntries(volumeSources.map((k) => [k, (s as Record<string, unknown> | undefined)?.[k]]));

export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const errs = [...validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain), ...validatePVSpec(pv.spec)];
  return withGenericCreateChecks(pv.metadata, false, errs);
}

export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = [...validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain), ...validatePVSpec(pv.spec)];
  if (!semanticEqual(sourceOf(pv.spec), sourceOf(old.spec)))
    errs.push(
      fieldErrors.forbidden(
        FieldPath.root('spec', 'persistentvolumesource'),
        'spec.persistentvolumesource is immutable after creation',
      ),
    );
  if ((pv.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null))
    errs.push(
      fieldErrors.invalid(FieldPath.root('volumeMode'), pv.spec?.volumeMode ?? null, FieldImmutableErrorMsg),
    );
  errs.push(...validateObjectMetaUpdate(pv.metadata, old.metadata));
  return withGenericUpdateChecks(pv.metadata, old.metadata, false, errs);
}

export function validatePersistentVolumeStatusUpdate(
  pv: PersistentVolume,
  old: PersistentVolume,
): FieldError[] {
  return withGenericUpdateChecks(
    pv.metadata,
    old.metadata,
    false,
    validateObjectMetaUpdate(pv.metadata, old.metadata),
  );
}

function validatePVCSpec(s: PersistentVolumeClaimSpec | undefined): FieldError[] {
  const c: PersistentVolumeClaimSpec = s ?? {};
  const errs = validateAccessModes(
    c.accessModes,
    spec.child('accessModes'),
    'at least 1 access mode is required',
  );
  if (c.selector) errs.push(...validateLabelSelector(c.selector, spec.child('selector')));
  const rp = spec.child('resources').key('storage');
  const storage = c.resources?.requests?.storage;
  if (storage === undefined) errs.push(fieldErrors.required(rp));
  else errs.push(...positiveQuantity(storage, rp));
  if (c.storageClassName)
    for (const m of isDNS1123Subdomain(c.storageClassName))
      errs.push(fieldErrors.invalid(spec.child('storageClassName'), c.storageClassName, m));
  if (c.volumeMode != null && !volumeModes.includes(c.volumeMode))
    errs.push(fieldErrors.notSupported(spec.child('volumeMode'), c.volumeMode, volumeModes));
  for (const f of ['dataSource', 'dataSourceRef'] as const) {
    const ref = c[f];
    if (!ref) continue;
    const p = spec.child(f);
    if (!ref.name) errs.push(fieldErrors.required(p.child('name')));
    if (!ref.kind) errs.push(fieldErrors.required(p.child('kind')));
    if (!ref.apiGroup && ref.kind !== 'PersistentVolumeClaim')
      errs.push(
        fieldErrors.invalid(
          p,
          ref.kind ?? '',
          "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
        ),
      );
    if (ref.apiGroup)
      for (const m of isDNS1123Subdomain(ref.apiGroup))
        errs.push(fieldErrors.invalid(p.child('apiGroup'), ref.apiGroup, m));
  }
  return errs;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const errs = [...validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain), ...validatePVCSpec(pvc.spec)];
  return withGenericCreateChecks(pvc.metadata, true, errs);
}

/** A claim's spec is fixed but for a first volumeName (the binder's) and, once bound, a larger storage request. */
export function validatePersistentVolumeClaimUpdate(
  pvc: PersistentVolumeClaim,
  old: PersistentVolumeClaim,
): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(pvc.metadata, old.metadata),
    ...validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain),
    ...validatePVCSpec(pvc.spec),
  ];
  const next = structuredClone(pvc.spec ?? {});
  const prev = structuredClone(old.spec ?? {});
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  if (pvc.status?.phase === 'Bound' && next.resources?.requests)
    next.resources.requests.storage = old.spec?.resources?.requests?.storage as string;
  delete next.volumeAttributesClassName;
  delete prev.volumeAttributesClassName;
  if (!semanticEqual(next, prev))
    errs.push(
      fieldErrors.forbidden(
        spec,
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    );
  const oldSize = quantityValue(old.spec?.resources?.requests?.storage);
  const newSize = quantityValue(pvc.spec?.resources?.requests?.storage);
  if (newSize < oldSize)
    errs.push(
      fieldErrors.forbidden(
        FieldPath.root('spec', 'resources', 'requests', 'storage'),
        'field can not be less than previous value',
      ),
    );
  if ((pvc.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null))
    errs.push(
      fieldErrors.invalid(FieldPath.root('volumeMode'), pvc.spec?.volumeMode ?? null, FieldImmutableErrorMsg),
    );
  return withGenericUpdateChecks(pvc.metadata, old.metadata, true, errs);
}

export function validatePersistentVolumeClaimStatusUpdate(
  pvc: PersistentVolumeClaim,
  old: PersistentVolumeClaim,
): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata);
  const capacity = pvc.status?.capacity ?? {};
  for (const [k, q] of Object.entries(capacity))
    errs.push(...positiveQuantity(q, FieldPath.root('status', 'capacity').key(k)));
  return withGenericUpdateChecks(pvc.metadata, old.metadata, true, errs);
}
