/**
 * ObjectMeta validation: apimachinery's api/validation/objectmeta.go plus the
 * core-group wrapper (ValidateObjectMeta / ValidateObjectMetaUpdate in
 * pkg/apis/core/validation) that also checks finalizer names, and the generic
 * registry's common checks (rest.BeforeCreate / BeforeUpdate).
 */
import type { ManagedFieldsEntry, ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { goQuote } from '../../k8s/gofmt.js';
import { goErrors, goOwnerReference, goOwnerReferences, goSlice, goTime, timeValue } from './govalues.js';
import {
  byteLength,
  isQualifiedName,
  isValidLabelValue,
  type NameValidator,
  validateNamespaceName,
  validatePathSegmentName,
} from './names.js';

export const FieldImmutableErrorMsg = 'field is immutable';
export const IsNegativeErrorMsg = 'must be greater than or equal to 0';
/** Total bytes of annotation keys and values. */
export const TotalAnnotationSizeLimitB = 256 * 1024;

export const metadataPath = (): FieldPath => FieldPath.root('metadata');

/** Labels and selectors: keys are qualified names, values label values; errors carry the map's path. */
export function validateLabels(labels: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    for (const m of isValidLabelValue(v)) errs.push(fieldErrors.invalid(path, v, m));
  }
  return errs;
}

export function validateLabelName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((m) => fieldErrors.invalid(path, name, m));
}

/** Keys are qualified names ignoring case; all keys and values together at most 256 KiB. */
export function validateAnnotations(
  annotations: Record<string, string> | undefined,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid(path, k, m));
    size += byteLength(k) + byteLength(v);
  }
  if (size > TotalAnnotationSizeLimitB) errs.push(fieldErrors.tooLong(path, '', TotalAnnotationSizeLimitB));
  return errs;
}

/** Kinds that may not own anything (BannedOwners). */
const bannedOwners = new Set(['/v1/Event']);

function splitAPIVersion(apiVersion: string): { group: string; version: string } {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return { group: '', version: '' }; // unparseable: upstream leaves the GVK empty
}

function validateOwnerReference(ref: OwnerReference, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const { group, version } = splitAPIVersion(ref.apiVersion ?? '');
  if (!version)
    errs.push(
      fieldErrors.invalid(path.child('apiVersion'), ref.apiVersion ?? '', 'version must not be empty'),
    );
  if (!ref.kind) errs.push(fieldErrors.invalid(path.child('kind'), ref.kind ?? '', 'must not be empty'));
  if (!ref.name) errs.push(fieldErrors.invalid(path.child('name'), ref.name ?? '', 'must not be empty'));
  if (!ref.uid) errs.push(fieldErrors.invalid(path.child('uid'), ref.uid ?? '', 'must not be empty'));
  if (bannedOwners.has(`${group}/${version}/${ref.kind ?? ''}`)) {
    // schema.GroupVersionKind.String() keeps the slash for the core group: "/v1, Kind=Event".
    const gvk = `${group}/${version}, Kind=${ref.kind}`;
    errs.push(goErrors.invalid(path, goOwnerReference(ref), `${gvk} is disallowed from being an owner`));
  }
  return errs;
}

export function validateOwnerReferences(refs: OwnerReference[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    errs.push(...validateOwnerReference(ref, path));
    if (ref.controller) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          goErrors.invalid(
            path,
            goOwnerReferences(refs!),
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else {
        firstController = cur;
      }
    }
  }
  return errs;
}

/** Finalizer names are qualified names; orphan and foregroundDeletion exclude each other. */
export function validateFinalizers(finalizers: string[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) errs.push(...validateFinalizerName(f, path));
  if (finalizers?.includes('orphan') && finalizers.includes('foregroundDeletion'))
    errs.push(
      goErrors.invalid(
        path,
        goSlice(finalizers),
        'finalizer orphan and foregroundDeletion cannot be both set',
      ),
    );
  return errs;
}

export function validateFinalizerName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((m) => fieldErrors.invalid(path, name, m));
}

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** Core-group rule: an unqualified finalizer must be one of the standard ones. */
export function validateKubeFinalizerName(name: string, path: FieldPath): FieldError[] {
  if (name.split('/').length === 1 && !standardFinalizers.has(name))
    return [
      fieldErrors.invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'),
    ];
  return [];
}

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function validateFieldManager(manager: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (byteLength(manager) > 128) errs.push(fieldErrors.tooLong(path, manager, 128));
  let pos = 0;
  for (const ch of manager) {
    if (!printable.test(ch)) {
      const u = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      errs.push(fieldErrors.invalid(path, manager, `invalid character ${u} (at position ${pos})`));
    }
    pos += byteLength(ch);
  }
  return errs;
}

export function validateManagedFields(
  entries: ManagedFieldsEntry[] | undefined,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  (entries ?? []).forEach((e, i) => {
    const p = path.index(i);
    if (e.operation !== 'Apply' && e.operation !== 'Update')
      errs.push(fieldErrors.invalid(p.child('operation'), e.operation ?? '', 'must be `Apply` or `Update`'));
    if (e.fieldsType && e.fieldsType !== 'FieldsV1')
      errs.push(fieldErrors.invalid(p.child('fieldsType'), e.fieldsType, 'must be `FieldsV1`'));
    errs.push(...validateFieldManager(e.manager ?? '', p.child('manager')));
    if (byteLength(e.subresource ?? '') > 256)
      errs.push(fieldErrors.tooLong(p.child('subresource'), '', 256));
  });
  return errs;
}

function validateMetaCommon(meta: ObjectMeta, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const ns = meta.namespace ?? '';
  if (namespaced) {
    if (!ns) errs.push(fieldErrors.required(path.child('namespace')));
    else
      for (const m of validateNamespaceName(ns, false))
        errs.push(fieldErrors.invalid(path.child('namespace'), ns, m));
  } else if (ns) {
    errs.push(fieldErrors.forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  if ((meta.generation ?? 0) < 0)
    errs.push(fieldErrors.invalid(path.child('generation'), meta.generation, IsNegativeErrorMsg));
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, path.child('finalizers')));
  errs.push(...validateManagedFields(meta.managedFields, path.child('managedFields')));
  return errs;
}

/** apimachinery ValidateObjectMetaAccessor: expects generateName to have been turned into a name already. */
export function validateObjectMetaAccessor(
  meta: ObjectMeta | undefined,
  namespaced: boolean,
  nameFn: NameValidator,
  path: FieldPath = metadataPath(),
): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName)
    for (const msg of nameFn(m.generateName, true))
      errs.push(fieldErrors.invalid(path.child('generateName'), m.generateName, msg));
  if (!m.name) errs.push(fieldErrors.required(path.child('name'), 'name or generateName is required'));
  else
    for (const msg of nameFn(m.name, false)) errs.push(fieldErrors.invalid(path.child('name'), m.name, msg));
  return [...errs, ...validateMetaCommon(m, namespaced, path)];
}

function kubeFinalizerErrors(meta: ObjectMeta | undefined, path: FieldPath): FieldError[] {
  return (meta?.finalizers ?? []).flatMap((f, i) =>
    validateKubeFinalizerName(f, path.child('finalizers').index(i)),
  );
}

/** Core ValidateObjectMeta: the apimachinery checks plus standard-finalizer names. */
export function validateObjectMeta(
  meta: ObjectMeta | undefined,
  namespaced: boolean,
  nameFn: NameValidator,
  path: FieldPath = metadataPath(),
): FieldError[] {
  return [...validateObjectMetaAccessor(meta, namespaced, nameFn, path), ...kubeFinalizerErrors(meta, path)];
}

const same = (a: unknown, b: unknown) => (a ?? '') === (b ?? '');

/** apimachinery ValidateObjectMetaAccessorUpdate. */
export function validateObjectMetaAccessorUpdate(
  meta: ObjectMeta | undefined,
  old: ObjectMeta | undefined,
  path: FieldPath = metadataPath(),
): FieldError[] {
  const n = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const oldSet = new Set(o.finalizers ?? []);
    const extra = [...new Set(n.finalizers ?? [])].filter((f) => !oldSet.has(f)).sort();
    if (extra.length)
      errs.push(
        fieldErrors.forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goSlice(extra)}`,
        ),
      );
  }
  if (!n.resourceVersion)
    errs.push(
      fieldErrors.invalid(
        path.child('resourceVersion'),
        n.resourceVersion ?? '',
        'must be specified for an update',
      ),
    );
  if ((n.generation ?? 0) < (o.generation ?? 0))
    errs.push(fieldErrors.invalid(path.child('generation'), n.generation ?? 0, 'must not be decremented'));

  const immutable = (field: string, changed: boolean, shown: string) => {
    if (changed) errs.push(goErrors.invalid(path.child(field), shown, FieldImmutableErrorMsg));
  };
  immutable('name', !same(n.name, o.name), goQuote(n.name ?? ''));
  immutable('namespace', !same(n.namespace, o.namespace), goQuote(n.namespace ?? ''));
  immutable('uid', !same(n.uid, o.uid), goQuote(n.uid ?? ''));
  immutable(
    'creationTimestamp',
    timeValue(n.creationTimestamp) !== timeValue(o.creationTimestamp),
    goTime(n.creationTimestamp),
  );
  immutable(
    'deletionTimestamp',
    timeValue(n.deletionTimestamp) !== timeValue(o.deletionTimestamp),
    n.deletionTimestamp ? goTime(n.deletionTimestamp) : 'null',
  );
  immutable(
    'deletionGracePeriodSeconds',
    (n.deletionGracePeriodSeconds ?? null) !== (o.deletionGracePeriodSeconds ?? null),
    n.deletionGracePeriodSeconds == null ? 'null' : String(n.deletionGracePeriodSeconds),
  );

  errs.push(...validateLabels(n.labels, path.child('labels')));
  errs.push(...validateAnnotations(n.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateManagedFields(n.managedFields, path.child('managedFields')));
  return errs;
}

/** Core ValidateObjectMetaUpdate: the apimachinery checks plus standard-finalizer names. */
export function validateObjectMetaUpdate(
  meta: ObjectMeta | undefined,
  old: ObjectMeta | undefined,
  path: FieldPath = metadataPath(),
): FieldError[] {
  return [...validateObjectMetaAccessorUpdate(meta, old, path), ...kubeFinalizerErrors(meta, path)];
}

/** Removes repeated errors, keeping the first: what the Status message (ToAggregate) and kubectl show. */
export function dedupe(errs: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = e.toString();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * rest.BeforeCreate: the kind's own validation first; only if that passes,
 * the generic metadata check every kind gets (names must be URL path segments).
 */
export function withGenericCreateChecks(
  meta: ObjectMeta | undefined,
  namespaced: boolean,
  kindErrs: FieldError[],
): FieldError[] {
  return kindErrs.length ? kindErrs : validateObjectMetaAccessor(meta, namespaced, validatePathSegmentName);
}

/**
 * rest.BeforeUpdate: generic metadata checks (validateCommonFields), then the
 * kind's own update validation. Upstream reports errors found by both twice;
 * we keep one, as the Status message and kubectl do.
 */
export function withGenericUpdateChecks(
  meta: ObjectMeta | undefined,
  old: ObjectMeta | undefined,
  namespaced: boolean,
  kindErrs: FieldError[],
): FieldError[] {
  return dedupe([
    ...validateObjectMetaAccessor(meta, namespaced, validatePathSegmentName),
    ...validateObjectMetaAccessorUpdate(meta, old),
    ...kindErrs,
  ]);
}
