/**
 * core/v1 ReplicationController validation (pkg/apis/core/validation, 1.32:
 * ValidateReplicationController, ValidatePodTemplateSpecForRC and the status
 * checks). Unlike apps/v1 workloads the selector is a plain label map, it may
 * change, and the template may be absent (then it is required).
 */
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { goStringMap, validateReplicaSetStatus } from './apps.js';
import { goErrors } from './govalues.js';
import {
  IsNegativeErrorMsg,
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { validatePodTemplateSpec } from './pod.js';

const spec = FieldPath.root('spec');

const nonNegative = (v: number | undefined, path: FieldPath): FieldError[] =>
  (v ?? 0) < 0 ? [fieldErrors.invalid(path, v, IsNegativeErrorMsg)] : [];

const matchesAll = (sel: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(sel).every(([k, v]) => labels?.[k] === v);

function validateSpec(rc: ReplicationController): FieldError[] {
  const s = rc.spec ?? {};
  const selector = s.selector ?? {};
  const errs = nonNegative(s.minReadySeconds, spec.child('minReadySeconds'));
  // ValidateNonEmptySelector.
  if (Object.keys(selector).length === 0) errs.push(fieldErrors.required(spec.child('selector')));
  errs.push(...nonNegative(s.replicas, spec.child('replicas')));
  const t = s.template;
  const tp = spec.child('template');
  if (!t) {
    errs.push(fieldErrors.required(tp));
    return errs;
  }
  if (Object.keys(selector).length && !matchesAll(selector, t.metadata?.labels))
    errs.push(
      goErrors.invalid(
        tp.child('metadata', 'labels'),
        goStringMap(t.metadata?.labels),
        '`selector` does not match template `labels`',
      ),
    );
  errs.push(...validatePodTemplateSpec(t, tp.toString()));
  const restartPolicy = t.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always')
    errs.push(fieldErrors.notSupported(tp.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (t.spec?.activeDeadlineSeconds != null)
    errs.push(
      fieldErrors.forbidden(
        tp.child('spec', 'activeDeadlineSeconds'),
        'activeDeadlineSeconds in ReplicationController is not Supported',
      ),
    );
  return errs;
}

export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const errs = [...validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain), ...validateSpec(rc)];
  return withGenericCreateChecks(rc.metadata, true, errs);
}

export function validateReplicationControllerUpdate(
  rc: ReplicationController,
  old: ReplicationController,
): FieldError[] {
  const errs = [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateSpec(rc)];
  return withGenericUpdateChecks(rc.metadata, old.metadata, true, errs);
}

export function validateReplicationControllerStatusUpdate(
  rc: ReplicationController,
  old: ReplicationController,
): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(rc.metadata, old.metadata),
    ...validateReplicaSetStatus(rc.status),
  ];
  return withGenericUpdateChecks(rc.metadata, old.metadata, true, errs);
}
