/**
 * Node validation (ValidateNode, ValidateNodeUpdate in
 * pkg/apis/core/validation): name, pod CIDRs (valid, one per family, and
 * fixed once set), taints, and unique status addresses.
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { parseCIDRSloppy } from '../../k8s/ip.js';
import { validateCIDR } from '../../k8s/ip-validation.js';
import {
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import { isValidLabelValue, validateNodeName, validateQualifiedName } from './names.js';

const taintEffects = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];
const podCIDRsChanged = 'node updates may not change podCIDR except from "" to valid';

function validatePodCIDRs(cidrs: string[] | undefined): FieldError[] {
  const path = FieldPath.root('spec', 'podCIDRs');
  const list = cidrs ?? [];
  const errs: FieldError[] = list.flatMap((c, i) => validateCIDR(c, path.index(i)));
  if (list.length > 1 && errs.length === 0) {
    const families = new Set(list.map((c) => parseCIDRSloppy(c)!.bits));
    if (families.size !== list.length || list.length > 2)
      errs.push(fieldErrors.invalid(path, list, 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    list.forEach((c, i) => {
      if (seen.has(c)) errs.push(fieldErrors.duplicate(path.index(i), c));
      seen.add(c);
    });
  }
  return errs;
}

function validateTaints(taints: Taint[] | undefined): FieldError[] {
  const path = FieldPath.root('spec', 'taints');
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = path.index(i);
    errs.push(...validateQualifiedName(t.key ?? '', p.child('key')));
    if (t.value)
      for (const m of isValidLabelValue(t.value))
        errs.push(fieldErrors.invalid(p.child('value'), t.value, m));
    if (!t.effect) errs.push(fieldErrors.required(p.child('effect')));
    else if (!taintEffects.includes(t.effect))
      errs.push(fieldErrors.notSupported(p.child('effect'), t.effect, taintEffects));
    const key = `${t.key}/${t.effect}`;
    if (seen.has(key)) errs.push(fieldErrors.duplicate(p, `${t.key}=${t.value ?? ''}:${t.effect}`));
    seen.add(key);
  });
  return errs;
}

function validateAddresses(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const k = `${a.type}/${a.address}`;
    if (seen.has(k)) errs.push(fieldErrors.duplicate(FieldPath.root('status', 'addresses').index(i), a));
    seen.add(k);
  });
  return errs;
}

export function validateNode(node: Node): FieldError[] {
  return withGenericCreateChecks(node.metadata, false, [
    ...validateObjectMeta(node.metadata, false, validateNodeName),
    ...validatePodCIDRs(node.spec?.podCIDRs),
    ...validateTaints(node.spec?.taints),
  ]);
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs: FieldError[] = [
    ...validateObjectMetaUpdate(node.metadata, old.metadata),
    ...validateAddresses(node),
  ];
  const before = old.spec?.podCIDRs ?? [];
  const now = node.spec?.podCIDRs ?? [];
  if (before.length > 0) {
    const path = FieldPath.root('spec', 'podCIDRs');
    if (before.length !== now.length) errs.push(fieldErrors.forbidden(path, podCIDRsChanged));
    else
      for (const [i, c] of before.entries())
        if (c !== now[i]) errs.push(fieldErrors.forbidden(path, podCIDRsChanged));
  } else errs.push(...validatePodCIDRs(now));
  const oldProvider = old.spec?.providerID ?? '';
  if (oldProvider && oldProvider !== (node.spec?.providerID ?? ''))
    errs.push(
      fieldErrors.forbidden(
        FieldPath.root('spec', 'providerID'),
        'node updates may not change providerID except from "" to valid',
      ),
    );
  errs.push(...validateTaints(node.spec?.taints));
  return withGenericUpdateChecks(node.metadata, old.metadata, false, errs);
}
