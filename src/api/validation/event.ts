/**
 * core/v1 Event validation. Events written through the core v1 API get only
 * the "legacy" rules (ValidateEventCreate skips the strict events.k8s.io
 * rules for v1 and v1beta1 requests, for backwards compatibility), plus the
 * generic registry's metadata checks: names must be URL path segments, labels
 * and annotations well formed, name/namespace/uid immutable on update.
 */
import type { Event } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { timeValue } from './govalues.js';
import { withGenericCreateChecks, withGenericUpdateChecks } from './meta.js';
import { byteLength, isDNS1123Subdomain, isQualifiedName } from './names.js';

export const ReportingInstanceLengthLimit = 128;
export const ActionLengthLimit = 128;
export const ReasonLengthLimit = 128;
export const NoteLengthLimit = 1024;

const atMost = (n: number) => `can have at most ${n} characters`;

/** legacyValidateEvent: namespace agreement, and the newer fields when eventTime is set. */
function legacyValidateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  const nsPath = FieldPath.root('involvedObject', 'namespace');
  const mismatch = () => fieldErrors.invalid(nsPath, involvedNs, 'does not match event.namespace');

  if (timeValue(ev.eventTime) === undefined) {
    // An old-style event: its namespace must match the involved object's
    // ("default" is tolerated for cluster-scoped objects, for old clients).
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== involvedNs) {
      errs.push(mismatch());
    }
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
    const controller = ev.reportingComponent ?? '';
    if (!controller) errs.push(fieldErrors.required(FieldPath.root('reportingController')));
    for (const m of isQualifiedName(controller))
      errs.push(fieldErrors.invalid(FieldPath.root('reportingController'), controller, m));
    const instance = ev.reportingInstance ?? '';
    if (!instance) errs.push(fieldErrors.required(FieldPath.root('reportingInstance')));
    if (byteLength(instance) > ReportingInstanceLengthLimit)
      errs.push(
        fieldErrors.invalid(FieldPath.root('reportingInstance'), '', atMost(ReportingInstanceLengthLimit)),
      );
    const action = ev.action ?? '';
    if (!action) errs.push(fieldErrors.required(FieldPath.root('action')));
    if (byteLength(action) > ActionLengthLimit)
      errs.push(fieldErrors.invalid(FieldPath.root('action'), '', atMost(ActionLengthLimit)));
    const reason = ev.reason ?? '';
    if (!reason) errs.push(fieldErrors.required(FieldPath.root('reason')));
    if (byteLength(reason) > ReasonLengthLimit)
      errs.push(fieldErrors.invalid(FieldPath.root('reason'), '', atMost(ReasonLengthLimit)));
    if (byteLength(ev.message ?? '') > NoteLengthLimit)
      errs.push(fieldErrors.invalid(FieldPath.root('message'), '', atMost(NoteLengthLimit)));
  }

  for (const m of isDNS1123Subdomain(ns)) errs.push(fieldErrors.invalid(FieldPath.root('namespace'), ns, m));
  return errs;
}

export function validateEvent(ev: Event): FieldError[] {
  return withGenericCreateChecks(ev.metadata, true, legacyValidateEvent(ev));
}

/** v1 events may be updated freely (count, lastTimestamp...), within the legacy rules. */
export function validateEventUpdate(ev: Event, old: Event): FieldError[] {
  return withGenericUpdateChecks(ev.metadata, old.metadata, true, legacyValidateEvent(ev));
}
