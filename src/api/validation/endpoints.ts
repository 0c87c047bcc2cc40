/** Endpoints validation (ValidateEndpoints / ValidateEndpointsUpdate, 1.32; addresses checked strictly as 1.33). */
import type { EndpointAddress, EndpointPort, Endpoints } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import {
  type EndpointIPPolicy,
  UPSTREAM_IP_POLICY,
  validateIPForLegacyField,
  validateNonSpecialIP,
} from '../../k8s/ip-validation.js';
import { semanticEqual } from './apps.js';
import {
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import {
  isValidPortNum,
  validateDNS1123Label,
  validateEndpointsName,
  validateNodeName,
  validateQualifiedName,
} from './names.js';
import { portProtocols } from './service.js';

function validateEndpointAddress(
  addr: EndpointAddress,
  path: FieldPath,
  policy: EndpointIPPolicy,
  validOld: readonly string[],
): FieldError[] {
  const errs: FieldError[] = [];
  const ip = addr.ip ?? '';
  errs.push(...validateIPForLegacyField(ip, path.child('ip'), validOld));
  if (addr.hostname) errs.push(...validateDNS1123Label(addr.hostname, path.child('hostname')));
  if (addr.nodeName != null)
    for (const m of validateNodeName(addr.nodeName, false))
      errs.push(fieldErrors.invalid(path.child('nodeName'), addr.nodeName, m));
  errs.push(...validateNonSpecialIP(ip, path.child('ip'), policy));
  return errs;
}

function validateEndpointPort(port: EndpointPort, requireName: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = port.name ?? '';
  if (requireName && !name) errs.push(fieldErrors.required(path.child('name')));
  else if (name) errs.push(...validateDNS1123Label(name, path.child('name')));
  const num = port.port ?? 0;
  for (const m of isValidPortNum(num)) errs.push(fieldErrors.invalid(path.child('port'), num, m));
  if (!port.protocol) errs.push(fieldErrors.required(path.child('protocol')));
  else if (!portProtocols.includes(port.protocol))
    errs.push(fieldErrors.notSupported(path.child('protocol'), port.protocol, portProtocols));
  if (port.appProtocol != null)
    errs.push(...validateQualifiedName(port.appProtocol, path.child('appProtocol')));
  return errs;
}

/**
 * Strict IP validation ratchets only when the update leaves `subsets` as they
 * were (KEP-4858: Endpoints are too large to compare address by address).
 */
function keptAddresses(ep: Endpoints, old: Endpoints | undefined): string[] {
  if (!old || !semanticEqual(ep.subsets, old.subsets)) return [];
  return (old.subsets ?? []).flatMap((ss) =>
    [...(ss.addresses ?? []), ...(ss.notReadyAddresses ?? [])].map((a) => a.ip ?? ''),
  );
}

function validateEndpointsOnly(ep: Endpoints, policy: EndpointIPPolicy, old?: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, true, validateEndpointsName);
  const subsets = FieldPath.root('subsets');
  const validOld = keptAddresses(ep, old);
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = subsets.index(i);
    // Headless services' endpoints may have no ports, but every subset needs an address.
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length)
      errs.push(fieldErrors.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    for (const [j, a] of (ss.addresses ?? []).entries())
      errs.push(...validateEndpointAddress(a, p.child('addresses').index(j), policy, validOld));
    for (const [j, a] of (ss.notReadyAddresses ?? []).entries())
      errs.push(...validateEndpointAddress(a, p.child('notReadyAddresses').index(j), policy, validOld));
    const ports = ss.ports ?? [];
    for (const [j, port] of ports.entries())
      errs.push(...validateEndpointPort(port, ports.length > 1, p.child('ports').index(j)));
  });
  return errs;
}

export function validateEndpoints(
  ep: Endpoints,
  policy: EndpointIPPolicy = UPSTREAM_IP_POLICY,
): FieldError[] {
  return withGenericCreateChecks(ep.metadata, true, validateEndpointsOnly(ep, policy));
}

/** Node names may change on update (a reused node IP or pod CIDR). */
export function validateEndpointsUpdate(
  ep: Endpoints,
  old: Endpoints,
  policy: EndpointIPPolicy = UPSTREAM_IP_POLICY,
): FieldError[] {
  return withGenericUpdateChecks(ep.metadata, old.metadata, true, [
    ...validateObjectMetaUpdate(ep.metadata, old.metadata),
    ...validateEndpointsOnly(ep, policy, old),
  ]);
}
