/**
 * networking.k8s.io/v1 Ingress and IngressClass validation
 * (pkg/apis/networking/validation, 1.32), with upstream's messages: rules
 * and paths, pathType, service and resource backends, TLS hosts and secret
 * names, the class annotation agreeing with spec.ingressClassName, and
 * IngressClass controllers and parameters.
 */
import type {
  HTTPIngressPath,
  Ingress,
  IngressBackend,
  IngressClass,
  IngressClassParametersReference,
  IngressLoadBalancerStatus,
  IngressRule,
  IngressSpec,
} from 'kubernetes-types/networking/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { parseIPSloppy } from '../../k8s/ip.js';
import { validateIPForLegacyField } from '../../k8s/ip-validation.js';
import { goErrors, goSlice } from './govalues.js';
import {
  FieldImmutableErrorMsg,
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import {
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNSSubdomain,
  validateDomainPrefixedPath,
  validateNamespaceName,
  validatePathSegmentName,
  validateServiceName,
} from './names.js';

/** The legacy annotation that names an Ingress's class (before spec.ingressClassName). */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** Marks the IngressClass the DefaultIngressClass admission assigns to class-less Ingresses. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidPathSuffixes = ['/..', '/.'];
const MAX_CONTROLLER_LEN = 250;

interface Options {
  allowInvalidSecretName: boolean;
  allowInvalidWildcardHostRule: boolean;
}

/** TypedLocalObjectReference checks shared by resource backends and class parameters. */
function validateTypedRef(
  ref: { apiGroup?: string; kind?: string; name?: string } | undefined,
  path: FieldPath,
): FieldError[] {
  if (!ref) return [];
  const errs: FieldError[] = [];
  if (ref.apiGroup != null)
    for (const m of isDNS1123Subdomain(ref.apiGroup))
      errs.push(fieldErrors.invalid(path.child('apiGroup'), ref.apiGroup, m));
  for (const f of ['kind', 'name'] as const) {
    const v = ref[f] ?? '';
    if (!v) errs.push(fieldErrors.required(path.child(f), `${f} is required`));
    else
      for (const m of validatePathSegmentName(v, false)) errs.push(fieldErrors.invalid(path.child(f), v, m));
  }
  return errs;
}

function validateBackend(b: IngressBackend, path: FieldPath): FieldError[] {
  const hasResource = b.resource != null;
  const svc = b.service;
  if (hasResource && svc)
    return [fieldErrors.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedRef(b.resource, path.child('resource'));
  if (!svc) return [fieldErrors.invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const np = path.child('service', 'name');
  if (!svc.name) errs.push(fieldErrors.required(np));
  else for (const m of validateServiceName(svc.name, false)) errs.push(fieldErrors.invalid(np, svc.name, m));
  const name = svc.port?.name ?? '';
  const num = svc.port?.number ?? 0;
  if (name && num) errs.push(fieldErrors.invalid(path, '', 'cannot set both port name & port number'));
  else if (name)
    for (const m of isValidPortName(name))
      errs.push(fieldErrors.invalid(path.child('service', 'port', 'name'), name, m));
  else if (num)
    for (const m of isValidPortNum(num))
      errs.push(fieldErrors.invalid(path.child('service', 'port', 'number'), num, m));
  else errs.push(fieldErrors.required(path, 'port name or number is required'));
  return errs;
}

function validatePath(p: HTTPIngressPath, path: FieldPath): FieldError[] {
  if (p.pathType == null) return [fieldErrors.required(path.child('pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = p.path ?? '';
  const pp = path.child('path');
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(fieldErrors.invalid(pp, value, 'must be an absolute path'));
      if (value) {
        for (const seq of invalidPathSequences)
          if (value.includes(seq)) errs.push(fieldErrors.invalid(pp, value, `must not contain '${seq}'`));
        for (const suf of invalidPathSuffixes)
          if (value.endsWith(suf)) errs.push(fieldErrors.invalid(pp, value, `cannot end with '${suf}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (value && !value.startsWith('/'))
        errs.push(fieldErrors.invalid(pp, value, 'must be an absolute path'));
      break;
    default:
      errs.push(fieldErrors.notSupported(path.child('pathType'), p.pathType, pathTypes));
  }
  errs.push(...validateBackend(p.backend ?? {}, path.child('backend')));
  return errs;
}

function validateRuleValue(r: IngressRule, path: FieldPath): FieldError[] {
  if (!r.http) return [];
  const hp = path.child('http');
  const paths = r.http.paths ?? [];
  const errs = paths.length ? [] : [fieldErrors.required(hp.child('paths'))];
  paths.forEach((p, i) => {
    errs.push(...validatePath(p, hp.child('paths').index(i)));
  });
  return errs;
}

/** A host check shared by rules and TLS: wildcard or plain DNS subdomain. */
const hostErrors = (host: string): string[] =>
  host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);

function validateRules(rules: IngressRule[], path: FieldPath, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((r, i) => {
    const host = r.host ?? '';
    const hp = path.index(i).child('host');
    if (host) {
      if (parseIPSloppy(host))
        errs.push(fieldErrors.invalid(hp, host, 'must be a DNS name, not an IP address'));
      for (const m of hostErrors(host)) errs.push(fieldErrors.invalid(hp, host, m));
    }
    if (!host.includes('*') || !opts.allowInvalidWildcardHostRule)
      errs.push(...validateRuleValue(r, path.index(i)));
  });
  return errs;
}

function validateTLS(spec: IngressSpec, path: FieldPath, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  (spec.tls ?? []).forEach((tls, t) => {
    (tls.hosts ?? []).forEach((host, i) => {
      for (const m of hostErrors(host))
        errs.push(fieldErrors.invalid(path.index(t).child('hosts').index(i), host, m));
    });
    const secret = tls.secretName ?? '';
    if (!opts.allowInvalidSecretName && secret)
      for (const m of nameIsDNSSubdomain(secret, false))
        errs.push(fieldErrors.invalid(path.index(t).child('secretName'), secret, m));
  });
  return errs;
}

function validateIngressSpec(spec: IngressSpec | undefined, opts: Options): FieldError[] {
  const s = spec ?? {};
  const p = FieldPath.root('spec');
  const errs: FieldError[] = [];
  const rules = s.rules ?? [];
  if (rules.length === 0 && !s.defaultBackend)
    errs.push(
      goErrors.invalid(
        p,
        goSlice(s.rules ? [] : undefined, 'networking.IngressRule'),
        'either `defaultBackend` or `rules` must be specified',
      ),
    );
  if (s.defaultBackend) errs.push(...validateBackend(s.defaultBackend, p.child('defaultBackend')));
  if (rules.length) errs.push(...validateRules(rules, p.child('rules'), opts));
  if (s.tls?.length) errs.push(...validateTLS(s, p.child('tls'), opts));
  if (s.ingressClassName != null)
    for (const m of nameIsDNSSubdomain(s.ingressClassName, false))
      errs.push(fieldErrors.invalid(p.child('ingressClassName'), s.ingressClassName, m));
  return errs;
}

function validateIngress(ing: Ingress, opts: Options): FieldError[] {
  return [
    ...validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain),
    ...validateIngressSpec(ing.spec, opts),
  ];
}

export function validateIngressCreate(ing: Ingress): FieldError[] {
  const errs = validateIngress(ing, { allowInvalidSecretName: false, allowInvalidWildcardHostRule: false });
  const annotation = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  const className = ing.spec?.ingressClassName;
  if (annotation !== undefined && className != null && annotation !== className)
    errs.push(
      fieldErrors.invalid(
        FieldPath.root('annotations').child(INGRESS_CLASS_ANNOTATION),
        annotation,
        'must match `ingressClassName` when both are specified',
      ),
    );
  return withGenericCreateChecks(ing.metadata, true, errs);
}

/** Stored objects that already break the newer rules keep being updatable (upstream's ratcheting options). */
export function validateIngressUpdate(ing: Ingress, old: Ingress): FieldError[] {
  const opts: Options = {
    allowInvalidSecretName: (old.spec?.tls ?? []).some(
      (t) => !!t.secretName && nameIsDNSSubdomain(t.secretName, false).length > 0,
    ),
    allowInvalidWildcardHostRule: (old.spec?.rules ?? []).some(
      (r) => (r.host ?? '').includes('*') && validateRuleValue(r, FieldPath.root('x')).length > 0,
    ),
  };
  const errs = [...validateObjectMetaUpdate(ing.metadata, old.metadata), ...validateIngress(ing, opts)];
  return withGenericUpdateChecks(ing.metadata, old.metadata, true, errs);
}

function validateLBStatus(st: IngressLoadBalancerStatus | undefined): FieldError[] {
  const errs: FieldError[] = [];
  (st?.ingress ?? []).forEach((ing, i) => {
    const p = FieldPath.root('status', 'loadBalancer').child('ingress').index(i);
    if (ing.ip) errs.push(...validateIPForLegacyField(ing.ip, p.child('ip')));
    const host = ing.hostname ?? '';
    if (host) {
      for (const m of isDNS1123Subdomain(host)) errs.push(fieldErrors.invalid(p.child('hostname'), host, m));
      if (parseIPSloppy(host))
        errs.push(fieldErrors.invalid(p.child('hostname'), host, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

export function validateIngressStatusUpdate(ing: Ingress, old: Ingress): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(ing.metadata, old.metadata),
    ...validateLBStatus(ing.status?.loadBalancer),
  ];
  return withGenericUpdateChecks(ing.metadata, old.metadata, true, errs);
}

// --- IngressClass ---------------------------------------------------------------

const scopes = ['Cluster', 'Namespace'];

function validateParameters(
  params: IngressClassParametersReference | undefined,
  path: FieldPath,
): FieldError[] {
  if (!params) return [];
  const errs = validateTypedRef(params, path);
  if (params.scope == null) {
    errs.push(fieldErrors.required(path.child('scope')));
    return errs;
  }
  if (!scopes.includes(params.scope)) {
    errs.push(fieldErrors.notSupported(path.child('scope'), params.scope, scopes));
    return errs;
  }
  if (params.scope === 'Namespace') {
    if (params.namespace == null)
      errs.push(fieldErrors.required(path.child('namespace'), "`parameters.scope` is set to 'Namespace'"));
    else
      for (const m of validateNamespaceName(params.namespace, false))
        errs.push(fieldErrors.invalid(path.child('namespace'), params.namespace, m));
  }
  if (params.scope === 'Cluster' && params.namespace != null)
    errs.push(fieldErrors.forbidden(path.child('namespace'), "`parameters.scope` is set to 'Cluster'"));
  return errs;
}

function validateIngressClassOnly(ic: IngressClass): FieldError[] {
  const p = FieldPath.root('spec');
  const controller = ic.spec?.controller ?? '';
  const errs = validateObjectMeta(ic.metadata, false, nameIsDNSSubdomain);
  if (controller.length > MAX_CONTROLLER_LEN)
    errs.push(fieldErrors.tooLong(p.child('controller'), '', MAX_CONTROLLER_LEN));
  errs.push(...validateDomainPrefixedPath(controller, p.child('controller')));
  errs.push(...validateParameters(ic.spec?.parameters, p.child('parameters')));
  return errs;
}

export function validateIngressClass(ic: IngressClass): FieldError[] {
  return withGenericCreateChecks(ic.metadata, false, validateIngressClassOnly(ic));
}

export function validateIngressClassUpdate(ic: IngressClass, old: IngressClass): FieldError[] {
  const errs = validateObjectMetaUpdate(ic.metadata, old.metadata);
  const controller = ic.spec?.controller ?? '';
  if (controller !== (old.spec?.controller ?? ''))
    errs.push(fieldErrors.invalid(FieldPath.root('spec', 'controller'), controller, FieldImmutableErrorMsg));
  errs.push(...validateIngressClassOnly(ic));
  return withGenericUpdateChecks(ic.metadata, old.metadata, false, errs);
}
