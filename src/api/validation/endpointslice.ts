/**
 * EndpointSlice validation (pkg/apis/discovery/validation, 1.32). Runs after
 * defaulting, so every port has a name ("" by default) and a protocol.
 *
 * The EndpointSlice strategy drops deprecatedTopology on v1 writes before
 * validation (dropTopologyOnV1); the checks on it here apply when it is kept.
 */
import type { Endpoint, EndpointHints, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import {
  type EndpointIPPolicy,
  UPSTREAM_IP_POLICY,
  validateIPv4Address,
  validateIPv6Address,
  validateNonSpecialIP,
  validateStrictIP,
} from '../../k8s/ip-validation.js';
import { semanticEqual } from './apps.js';
import {
  FieldImmutableErrorMsg,
  validateLabels,
  validateObjectMeta,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import {
  isValidLabelValue,
  validateDNS1123Label,
  validateEndpointSliceName,
  validateFullyQualifiedDomainName,
  validateNodeName,
  validateQualifiedName,
} from './names.js';
import { portProtocols } from './service.js';

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
export const maxEndpoints = 1000;
export const maxAddresses = 100;
export const maxPorts = 20000;
export const maxTopologyLabels = 16;
export const maxZoneHints = 8;

function validateHints(hints: EndpointHints, path: FieldPath): FieldError[] {
  const fz = path.child('forZones');
  const zones = hints.forZones ?? [];
  if (zones.length > maxZoneHints) return [fieldErrors.tooMany(fz, zones.length, maxZoneHints)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  zones.forEach((z, i) => {
    const p = fz.index(i).child('name');
    const name = z.name ?? '';
    if (seen.has(name)) errs.push(fieldErrors.duplicate(p, name));
    else seen.add(name);
    for (const m of isValidLabelValue(name)) errs.push(fieldErrors.invalid(p, name, m));
  });
  return errs;
}

function validateEndpoint(
  ep: Endpoint,
  addressType: string,
  path: FieldPath,
  policy: EndpointIPPolicy,
  validOld: readonly string[],
): FieldError[] {
  const errs: FieldError[] = [];
  const addrPath = path.child('addresses');
  const addrs = ep.addresses ?? [];
  if (addrs.length === 0) errs.push(fieldErrors.required(addrPath, 'must contain at least 1 address'));
  else if (addrs.length > maxAddresses) errs.push(fieldErrors.tooMany(addrPath, addrs.length, maxAddresses));
  addrs.forEach((a, i) => {
    const p = addrPath.index(i);
    // Unknown address types are reported once, on addressType.
    if (addressType === 'IPv4')
      errs.push(
        ...validateIPv4Address(a, p),
        ...validateStrictIP(a, p, validOld),
        ...validateNonSpecialIP(a, p, policy),
      );
    else if (addressType === 'IPv6')
      errs.push(
        ...validateIPv6Address(a, p),
        ...validateStrictIP(a, p, validOld),
        ...validateNonSpecialIP(a, p, policy),
      );
    else if (addressType === 'FQDN') errs.push(...validateFullyQualifiedDomainName(a, p));
  });

  if (ep.nodeName != null)
    for (const m of validateNodeName(ep.nodeName, false))
      errs.push(fieldErrors.invalid(path.child('nodeName'), ep.nodeName, m));

  const topoPath = path.child('deprecatedTopology');
  const topo = ep.deprecatedTopology ?? {};
  const topoLen = Object.keys(topo).length;
  if (topoLen > maxTopologyLabels) errs.push(fieldErrors.tooMany(topoPath, topoLen, maxTopologyLabels));
  errs.push(...validateLabels(topo, topoPath));
  if (Object.hasOwn(topo, 'topology.kubernetes.io/zone'))
    errs.push(
      fieldErrors.internal(
        topoPath.key('topology.kubernetes.io/zone'),
        new Error('reserved key was not removed in conversion'),
      ),
    );

  if (ep.hostname != null) errs.push(...validateDNS1123Label(ep.hostname, path.child('hostname')));
  if (ep.hints != null) errs.push(...validateHints(ep.hints, path.child('hints')));
  return errs;
}

function validatePorts(ports: EndpointPort[], path: FieldPath): FieldError[] {
  if (ports.length > maxPorts) return [fieldErrors.tooMany(path, ports.length, maxPorts)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = path.index(i);
    const name = port.name ?? '';
    if (name) errs.push(...validateDNS1123Label(name, p.child('name')));
    if (names.has(name)) errs.push(fieldErrors.duplicate(p.child('name'), name));
    else names.add(name);
    if (port.protocol == null) errs.push(fieldErrors.required(p.child('protocol')));
    else if (!portProtocols.includes(port.protocol))
      errs.push(fieldErrors.notSupported(p.child('protocol'), port.protocol, portProtocols));
    if (port.appProtocol != null)
      errs.push(...validateQualifiedName(port.appProtocol, p.child('appProtocol')));
  });
  return errs;
}

/** Strict IP validation ratchets only when `endpoints` is unchanged (KEP-4858), as for Endpoints. */
function keptAddresses(slice: EndpointSlice, old: EndpointSlice | undefined): string[] {
  if (!old || !semanticEqual(slice.endpoints, old.endpoints)) return [];
  return (old.endpoints ?? []).flatMap((ep) => ep.addresses ?? []);
}

function validateEndpointSliceOnly(
  slice: EndpointSlice,
  policy: EndpointIPPolicy,
  old?: EndpointSlice,
): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, true, validateEndpointSliceName);
  const at = slice.addressType ?? '';
  if (!at) errs.push(fieldErrors.required(FieldPath.root('addressType')));
  else if (!addressTypes.includes(at))
    errs.push(fieldErrors.notSupported(FieldPath.root('addressType'), at, addressTypes));

  const endpoints = slice.endpoints ?? [];
  const epPath = FieldPath.root('endpoints');
  if (endpoints.length > maxEndpoints) errs.push(fieldErrors.tooMany(epPath, endpoints.length, maxEndpoints));
  else {
    const validOld = keptAddresses(slice, old);
    for (const [i, ep] of endpoints.entries())
      errs.push(...validateEndpoint(ep, at, epPath.index(i), policy, validOld));
  }

  errs.push(...validatePorts(slice.ports ?? [], FieldPath.root('ports')));
  return errs;
}

export function validateEndpointSlice(
  slice: EndpointSlice,
  policy: EndpointIPPolicy = UPSTREAM_IP_POLICY,
): FieldError[] {
  return withGenericCreateChecks(slice.metadata, true, validateEndpointSliceOnly(slice, policy));
}

/** addressType is immutable; metadata update rules come from the generic registry checks. */
export function validateEndpointSliceUpdate(
  slice: EndpointSlice,
  old: EndpointSlice,
  policy: EndpointIPPolicy = UPSTREAM_IP_POLICY,
): FieldError[] {
  const errs = validateEndpointSliceOnly(slice, policy, old);
  if ((slice.addressType ?? '') !== (old.addressType ?? ''))
    errs.push(
      fieldErrors.invalid(FieldPath.root('addressType'), slice.addressType ?? '', FieldImmutableErrorMsg),
    );
  return withGenericUpdateChecks(slice.metadata, old.metadata, true, errs);
}
