/**
 * Service validation as the 1.32 apiserver applies it (ValidateService,
 * ValidateServiceUpdate, ValidateServiceStatusUpdate in
 * pkg/apis/core/validation/validation.go), on the v1 object after defaulting.
 *
 * ipFamilyPolicy / ipFamilies / clusterIPs are filled by the registry's
 * allocator before validation (as upstream), so they are validated as set.
 * Address fields get StrictIPCIDRValidation's checks (1.33, KEP-4858): a
 * `clusterIP: 10.96.010.7` is stored as written but read as 10.96.8.7 by
 * libc, so new values must be unambiguous; values already stored may stay.
 */
import type { LoadBalancerStatus, Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { isDualStackIPStrings, isIPv6String, parseIPSloppy } from '../../k8s/ip.js';
import {
  type EndpointIPPolicy,
  UPSTREAM_IP_POLICY,
  validateCIDR,
  validateIPForLegacyField,
  validateNonSpecialIP,
} from '../../k8s/ip-validation.js';
import { goErrors, goServicePortKey, goSlice } from './govalues.js';
import {
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import {
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateQualifiedName,
  validateServiceName,
} from './names.js';
import { externallyAccessible, isHeadlessService, needsHealthCheck } from './serviceutil.js';

// Supported values, sorted as upstream's sets.List prints them.
const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const sessionAffinities = ['ClientIP', 'None'];
export const portProtocols = ['SCTP', 'TCP', 'UDP'];
const ipFamilies = ['IPv4', 'IPv6'];
const ipFamilyPolicies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const trafficPolicies = ['Cluster', 'Local'];
const ipModes = ['Proxy', 'VIP'];

export const MaxClientIPServiceAffinitySeconds = 86400;
export const AnnotationLoadBalancerSourceRanges = 'service.beta.kubernetes.io/load-balancer-source-ranges';
export const AnnotationTopologyMode = 'service.kubernetes.io/topology-mode';
export const DeprecatedAnnotationTopologyAwareHints = 'service.kubernetes.io/topology-aware-hints';

const specPath = () => FieldPath.root('spec');
const LB_ONLY = "may only be used when `type` is 'LoadBalancer'";

/** A named port number or IANA service name (targetPort, probes). */
export function validatePortNumOrName(port: number | string, path: FieldPath): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldErrors.invalid(path, port, m));
  return isValidPortName(port).map((m) => fieldErrors.invalid(path, port, m));
}

function validateServicePort(
  sp: ServicePort,
  requireName: boolean,
  names: Set<string>,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = sp.name ?? '';
  if (requireName && !name) {
    errs.push(fieldErrors.required(path.child('name')));
  } else if (name) {
    errs.push(...validateDNS1123Label(name, path.child('name')));
    if (names.has(name)) errs.push(fieldErrors.duplicate(path.child('name'), name));
    else names.add(name);
  }
  const port = sp.port ?? 0;
  for (const m of isValidPortNum(port)) errs.push(fieldErrors.invalid(path.child('port'), port, m));
  if (!sp.protocol) errs.push(fieldErrors.required(path.child('protocol')));
  else if (!portProtocols.includes(sp.protocol))
    errs.push(fieldErrors.notSupported(path.child('protocol'), sp.protocol, portProtocols));
  // An absent targetPort is the zero int, as Go decodes it.
  errs.push(...validatePortNumOrName(sp.targetPort ?? 0, path.child('targetPort')));
  if (sp.appProtocol != null) errs.push(...validateQualifiedName(sp.appProtocol, path.child('appProtocol')));
  return errs;
}

function validateClientIPAffinityConfig(spec: ServiceSpec, path: FieldPath): FieldError[] {
  const detail = 'when session affinity type is ClientIP';
  const cfg = spec.sessionAffinityConfig;
  if (!cfg) return [fieldErrors.required(path, detail)];
  if (!cfg.clientIP) return [fieldErrors.required(path.child('clientIP'), detail)];
  const timeout = cfg.clientIP.timeoutSeconds;
  const tPath = path.child('clientIP', 'timeoutSeconds');
  if (timeout == null) return [fieldErrors.required(tPath, detail)];
  if (timeout <= 0 || timeout > MaxClientIPServiceAffinitySeconds)
    return [
      fieldErrors.invalid(
        tPath,
        timeout,
        `must be greater than 0 and less than ${MaxClientIPServiceAffinitySeconds}`,
      ),
    ];
  return [];
}

/**
 * ValidateServiceClusterIPsRelatedFields: clusterIP/clusterIPs/ipFamilies/ipFamilyPolicy consistency.
 * `old` (an update) lets the stored clusterIPs stay as written (strict IP validation ratchets).
 */
export function validateServiceClusterIPsRelatedFields(svc: Service, old?: Service): FieldError[] {
  const spec = svc.spec ?? {};
  // ExternalName services must have none of these; checked by validateService.
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ipsPath = specPath().child('clusterIPs');
  const famPath = specPath().child('ipFamilies');
  const ips = spec.clusterIPs;
  const families = spec.ipFamilies ?? [];

  if (spec.clusterIP) {
    if (!ips?.length) errs.push(fieldErrors.required(ipsPath));
    else if (ips[0] !== spec.clusterIP)
      errs.push(goErrors.invalid(ipsPath, goSlice(ips), 'first value must match `clusterIP`'));
  } else if (ips?.length) {
    errs.push(goErrors.invalid(ipsPath, goSlice(ips), 'must be empty when `clusterIP` is not specified'));
  }

  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (!ipFamilies.includes(f)) errs.push(fieldErrors.notSupported(famPath.index(i), f, ipFamilies));
    if (seen.has(f)) errs.push(fieldErrors.duplicate(famPath.index(i), f));
    seen.add(f);
  });

  if (spec.ipFamilyPolicy != null && !ipFamilyPolicies.includes(spec.ipFamilyPolicy))
    errs.push(
      fieldErrors.notSupported(specPath().child('ipFamilyPolicy'), spec.ipFamilyPolicy, ipFamilyPolicies),
    );

  let hasInvalidIPs = false;
  (ips ?? []).forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips!.length > 1) {
        hasInvalidIPs = true;
        errs.push(goErrors.invalid(ipsPath, goSlice(ips), "'None' must be the first and only value"));
      }
      return;
    }
    const ipErrs = validateIPForLegacyField(ip, ipsPath.index(i), old?.spec?.clusterIPs);
    if (ipErrs.length) hasInvalidIPs = true;
    errs.push(...ipErrs);
  });
  if ((ips?.length ?? 0) > 2)
    errs.push(goErrors.invalid(ipsPath, goSlice(ips), 'may only hold up to 2 values'));

  // Bad IPs would skew the family checks below.
  if (hasInvalidIPs) return errs;

  if (ips && ips.length > 1 && !isDualStackIPStrings(ips))
    errs.push(goErrors.invalid(ipsPath, goSlice(ips), 'may specify no more than one IP for each IP family'));

  if (!isHeadlessService(svc) && ips?.length && families.length) {
    ips.forEach((ip, i) => {
      if (i > families.length - 1) return;
      if (families[i] === 'IPv4' && isIPv6String(ip))
        errs.push(
          fieldErrors.invalid(
            ipsPath.index(i),
            ip,
            `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
      if (families[i] === 'IPv6' && !isIPv6String(ip))
        errs.push(
          fieldErrors.invalid(
            ipsPath.index(i),
            ip,
            `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
    });
  }
  return errs;
}

function validateLoadBalancerClassField(old: Service | undefined, svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const path = specPath().child('loadBalancerClass');
  const cls = svc.spec?.loadBalancerClass;
  const isLB = svc.spec?.type === 'LoadBalancer';
  if (
    old &&
    old.spec?.type === 'LoadBalancer' &&
    isLB &&
    (old.spec?.loadBalancerClass ?? null) !== (cls ?? null)
  )
    errs.push(fieldErrors.invalid(path, cls ?? null, 'may not change once set'));
  if (isLB) {
    if (cls != null) errs.push(...validateQualifiedName(cls, path));
  } else if (cls != null) {
    errs.push(fieldErrors.forbidden(path, LB_ONLY));
  }
  return errs;
}

function validateServiceExternalTrafficPolicy(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  const etpPath = specPath().child('externalTrafficPolicy');
  const etp = spec.externalTrafficPolicy ?? '';
  if (!externallyAccessible(svc)) {
    if (etp)
      errs.push(fieldErrors.invalid(etpPath, etp, 'may only be set for externally-accessible services'));
  } else if (!etp) {
    errs.push(fieldErrors.required(etpPath));
  } else if (!trafficPolicies.includes(etp)) {
    errs.push(fieldErrors.notSupported(etpPath, etp, trafficPolicies));
  }

  const hcPath = specPath().child('healthCheckNodePort');
  const hc = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(svc)) {
    if (hc !== 0)
      errs.push(
        fieldErrors.invalid(
          hcPath,
          hc,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
  } else if (hc === 0) {
    errs.push(fieldErrors.required(hcPath));
  } else {
    for (const m of isValidPortNum(hc)) errs.push(fieldErrors.invalid(hcPath, hc, m));
  }
  return errs;
}

function validateServiceInternalTrafficPolicy(svc: Service): FieldError[] {
  const path = specPath().child('internalTrafficPolicy');
  const itp = svc.spec?.internalTrafficPolicy;
  const t = svc.spec?.type;
  if (itp == null) {
    // Not forbidden on ExternalName for historical reasons, only required on the others.
    return t === 'NodePort' || t === 'LoadBalancer' || t === 'ClusterIP' ? [fieldErrors.required(path)] : [];
  }
  return trafficPolicies.includes(itp) ? [] : [fieldErrors.notSupported(path, itp, trafficPolicies)];
}

function validateServiceTrafficDistribution(svc: Service): FieldError[] {
  const td = svc.spec?.trafficDistribution;
  // 1.32 knows only PreferClose (PreferSameZone/PreferSameNode come in 1.33).
  if (td == null || td === 'PreferClose') return [];
  return [fieldErrors.notSupported(specPath().child('trafficDistribution'), td, ['PreferClose'])];
}

/** ValidateService without the generic registry's metadata checks; `old` on update. */
function validateServiceOnly(svc: Service, policy: EndpointIPPolicy, old?: Service): FieldError[] {
  const metaPath = FieldPath.root('metadata');
  const errs = validateObjectMeta(svc.metadata, true, validateServiceName, metaPath);
  const ann = svc.metadata?.annotations ?? {};
  if (
    Object.hasOwn(ann, AnnotationTopologyMode) &&
    Object.hasOwn(ann, DeprecatedAnnotationTopologyAwareHints) &&
    ann[AnnotationTopologyMode] !== ann[DeprecatedAnnotationTopologyAwareHints]
  ) {
    errs.push(
      fieldErrors.invalid(
        metaPath.child('annotations').key(AnnotationTopologyMode),
        ann[AnnotationTopologyMode],
        `must match annotations[${DeprecatedAnnotationTopologyAwareHints}] when both are specified`,
      ),
    );
  }

  const spec = svc.spec ?? {};
  const ports = spec.ports ?? [];
  const sp = specPath();
  const headless = isHeadlessService(svc);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName')
    errs.push(fieldErrors.required(sp.child('ports')));

  switch (spec.type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (headless)
        errs.push(
          fieldErrors.invalid(
            sp.child('clusterIPs').index(0),
            'None',
            `may not be set to 'None' for ${spec.type} services`,
          ),
        );
      break;
    case 'ExternalName': {
      if (spec.clusterIPs?.length)
        errs.push(fieldErrors.forbidden(sp.child('clusterIPs'), 'may not be set for ExternalName services'));
      if (spec.ipFamilies?.length)
        errs.push(fieldErrors.forbidden(sp.child('ipFamilies'), 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy != null)
        errs.push(
          fieldErrors.forbidden(sp.child('ipFamilyPolicy'), 'may not be set for ExternalName services'),
        );
      // A CNAME may end in a dot to mark it fully qualified.
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname) errs.push(...validateDNS1123Subdomain(cname, sp.child('externalName')));
      else errs.push(fieldErrors.required(sp.child('externalName')));
      break;
    }
  }

  const names = new Set<string>();
  ports.forEach((p, i) => {
    errs.push(...validateServicePort(p, ports.length > 1, names, sp.child('ports').index(i)));
  });

  if (spec.selector != null) errs.push(...validateLabels(spec.selector, sp.child('selector')));

  const affinity = spec.sessionAffinity ?? '';
  if (!affinity) errs.push(fieldErrors.required(sp.child('sessionAffinity')));
  else if (!sessionAffinities.includes(affinity))
    errs.push(fieldErrors.notSupported(sp.child('sessionAffinity'), affinity, sessionAffinities));
  if (affinity === 'ClientIP') {
    errs.push(...validateClientIPAffinityConfig(spec, sp.child('sessionAffinityConfig')));
  } else if (affinity === 'None' && spec.sessionAffinityConfig != null) {
    errs.push(
      fieldErrors.forbidden(
        sp.child('sessionAffinityConfig'),
        'must not be set when session affinity is None',
      ),
    );
  }

  errs.push(...validateServiceClusterIPsRelatedFields(svc, old));

  (spec.externalIPs ?? []).forEach((ip, i) => {
    const p = sp.child('externalIPs').index(i);
    const ipErrs = validateIPForLegacyField(ip, p, old?.spec?.externalIPs);
    errs.push(...(ipErrs.length ? ipErrs : validateNonSpecialIP(ip, p, policy)));
  });

  if (!spec.type) errs.push(fieldErrors.required(sp.child('type')));
  else if (!serviceTypes.includes(spec.type))
    errs.push(fieldErrors.notSupported(sp.child('type'), spec.type, serviceTypes));

  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort)
        errs.push(
          fieldErrors.forbidden(
            sp.child('ports').index(i).child('nodePort'),
            "may not be used when `type` is 'ClusterIP'",
          ),
        );
    });
  }

  // Duplicate (protocol, nodePort) and (protocol, port) pairs.
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol ?? ''}/${p.nodePort}`;
    if (nodePorts.has(key))
      errs.push(fieldErrors.duplicate(sp.child('ports').index(i).child('nodePort'), p.nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol ?? ''}/${p.port ?? 0}`;
    if (portKeys.has(key))
      errs.push(
        goErrors.duplicate(sp.child('ports').index(i), goServicePortKey(p.protocol ?? '', p.port ?? 0)),
      );
    portKeys.add(key);
  });

  const ranges = spec.loadBalancerSourceRanges ?? [];
  if (ranges.length > 0) {
    // Upstream's path is capitalised, a historical accident kept for compatibility.
    const p = sp.child('LoadBalancerSourceRanges');
    if (spec.type !== 'LoadBalancer') errs.push(fieldErrors.forbidden(p, LB_ONLY));
    // Values may be space-padded, a leftover from the annotation.
    for (const [i, r] of ranges.entries()) errs.push(...validateCIDR(r.trim(), p.index(i)));
  } else if (Object.hasOwn(ann, AnnotationLoadBalancerSourceRanges)) {
    const p = metaPath.child('annotations').key(AnnotationLoadBalancerSourceRanges);
    if (spec.type !== 'LoadBalancer') errs.push(fieldErrors.forbidden(p, LB_ONLY));
    const val = (ann[AnnotationLoadBalancerSourceRanges] ?? '').trim();
    if (val) for (const c of val.split(',')) errs.push(...validateCIDR(c.trim(), p));
  }

  if (spec.allocateLoadBalancerNodePorts != null && spec.type !== 'LoadBalancer')
    errs.push(fieldErrors.forbidden(sp.child('allocateLoadBalancerNodePorts'), LB_ONLY));
  // Upstream reports this one without the `spec.` prefix.
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts == null)
    errs.push(fieldErrors.required(FieldPath.root('allocateLoadBalancerNodePorts')));

  errs.push(...validateLoadBalancerClassField(undefined, svc));
  errs.push(...validateServiceExternalTrafficPolicy(svc));
  errs.push(...validateServiceInternalTrafficPolicy(svc));
  errs.push(...validateServiceTrafficDistribution(svc));
  return errs;
}

/** Upgrading to dual-stack may add a clusterIP; only a SingleStack downgrade may drop the secondary. */
function validateUpgradeDowngradeClusterIPs(old: Service, svc: Service): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  if (isHeadlessService(old) && isHeadlessService(svc)) return [];
  const errs: FieldError[] = [];
  const oldIPs = old.spec?.clusterIPs ?? [];
  const newIPs = svc.spec?.clusterIPs ?? [];
  const shown = goSlice(svc.spec?.clusterIPs);
  const p = specPath().child('clusterIPs');
  if (oldIPs.length === newIPs.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== newIPs[i]) errs.push(goErrors.invalid(p.index(i), shown, 'may not change once set'));
    });
  } else if (oldIPs.length > newIPs.length) {
    if (newIPs.length === 0)
      errs.push(goErrors.invalid(p.index(0), shown, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0])
      errs.push(goErrors.invalid(p.index(0), shown, 'may not change once set'));
    if (newIPs.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack')
      errs.push(
        fieldErrors.invalid(
          specPath().child('ipFamilyPolicy'),
          svc.spec?.ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary clusterIP",
        ),
      );
  } else if (oldIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
    errs.push(goErrors.invalid(p.index(0), shown, 'may not change once set'));
  }
  return errs;
}

function validateUpgradeDowngradeIPFamilies(old: Service, svc: Service): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  // Headless services may change families, and so may a switch to or from headless.
  if (isHeadlessService(old) || isHeadlessService(svc)) return [];
  const errs: FieldError[] = [];
  const oldF = old.spec?.ipFamilies ?? [];
  const newF = svc.spec?.ipFamilies ?? [];
  const p0 = specPath().child('ipFamilies').index(0);
  const shownFamilies = goSlice(svc.spec?.ipFamilies, 'core.IPFamily');
  // Upstream prints clusterIPs as the bad value of some ipFamilies errors.
  const shownIPs = goSlice(svc.spec?.clusterIPs);
  if (oldF.length === newF.length) {
    oldF.forEach((f, i) => {
      if (f !== newF[i]) errs.push(goErrors.invalid(p0, shownFamilies, 'may not change once set'));
    });
  } else if (oldF.length > newF.length) {
    if ((svc.spec?.clusterIPs?.length ?? 0) === 0)
      errs.push(goErrors.invalid(p0, shownFamilies, 'primary ipFamily can not be unset'));
    if (newF.length > 0 && newF[0] !== oldF[0])
      errs.push(goErrors.invalid(p0, shownIPs, 'may not change once set'));
    if (newF.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack')
      errs.push(
        fieldErrors.invalid(
          specPath().child('ipFamilyPolicy'),
          svc.spec?.ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary ipFamily",
        ),
      );
  } else if (oldF.length > 0 && newF.length > 0 && newF[0] !== oldF[0]) {
    errs.push(goErrors.invalid(p0, shownIPs, 'may not change once set'));
  }
  return errs;
}

function validateServiceExternalTrafficFieldsUpdate(old: Service, svc: Service): FieldError[] {
  if (
    needsHealthCheck(old) &&
    needsHealthCheck(svc) &&
    (svc.spec?.healthCheckNodePort ?? 0) !== (old.spec?.healthCheckNodePort ?? 0)
  )
    return [fieldErrors.forbidden(specPath().child('healthCheckNodePort'), 'field is immutable')];
  return [];
}

export function validateLoadBalancerStatus(
  status: LoadBalancerStatus | undefined,
  path: FieldPath,
  spec: ServiceSpec | undefined,
  oldStatus?: LoadBalancerStatus,
): FieldError[] {
  const errs: FieldError[] = [];
  const oldIPs = (oldStatus?.ingress ?? []).flatMap((ing) => (ing.ip ? [ing.ip] : []));
  const ingPath = path.child('ingress');
  const ingress = status?.ingress ?? [];
  // AllowServiceLBStatusOnNonLB is off by default.
  if (spec?.type !== 'LoadBalancer' && ingress.length !== 0)
    return [fieldErrors.forbidden(ingPath, "may only be used when `spec.type` is 'LoadBalancer'")];
  ingress.forEach((ing, i) => {
    const p = ingPath.index(i);
    const ip = ing.ip ?? '';
    if (ip) errs.push(...validateIPForLegacyField(ip, p.child('ip'), oldIPs));
    if (ing.ipMode == null) {
      if (ip) errs.push(fieldErrors.required(p.child('ipMode'), 'must be specified when `ip` is set'));
    } else if (!ip) {
      errs.push(fieldErrors.forbidden(p.child('ipMode'), 'may not be specified when `ip` is not set'));
    } else if (!ipModes.includes(ing.ipMode)) {
      errs.push(fieldErrors.notSupported(p.child('ipMode'), ing.ipMode, ipModes));
    }
    const host = ing.hostname ?? '';
    if (host) {
      for (const m of isDNS1123Subdomain(host)) errs.push(fieldErrors.invalid(p.child('hostname'), host, m));
      if (parseIPSloppy(host))
        errs.push(fieldErrors.invalid(p.child('hostname'), host, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** Validation of a Service on create, as the apiserver reports it. */
export function validateService(svc: Service, policy: EndpointIPPolicy = UPSTREAM_IP_POLICY): FieldError[] {
  return withGenericCreateChecks(svc.metadata, true, validateServiceOnly(svc, policy));
}

/** Validation of a Service update: immutable fields, dual-stack transitions, then the whole object. */
export function validateServiceUpdate(
  svc: Service,
  old: Service,
  policy: EndpointIPPolicy = UPSTREAM_IP_POLICY,
): FieldError[] {
  return withGenericUpdateChecks(svc.metadata, old.metadata, true, [
    ...validateObjectMetaUpdate(svc.metadata, old.metadata),
    ...validateUpgradeDowngradeClusterIPs(old, svc),
    ...validateUpgradeDowngradeIPFamilies(old, svc),
    ...validateLoadBalancerClassField(old, svc),
    ...validateServiceExternalTrafficFieldsUpdate(old, svc),
    ...validateServiceOnly(svc, policy, old),
  ]);
}

/** Validation of a write to services/status: metadata update rules and the load balancer status. */
export function validateServiceStatusUpdate(svc: Service, old: Service): FieldError[] {
  return withGenericUpdateChecks(svc.metadata, old.metadata, true, [
    ...validateObjectMetaUpdate(svc.metadata, old.metadata),
    ...validateLoadBalancerStatus(
      svc.status?.loadBalancer,
      FieldPath.root('status', 'loadBalancer'),
      svc.spec,
      old.status?.loadBalancer,
    ),
  ]);
}
