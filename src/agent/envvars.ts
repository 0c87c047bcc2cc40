/**
 * The environment a container starts with, as kubelet builds it
 * (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables, pkg/kubelet/envvars):
 * service links, envFrom, env with `$(VAR)` expansion and the downward API.
 * The runtime adds HOSTNAME; we do it here so every runtime sees the same map.
 * Pure apart from reading the machine's CPU count and memory as the default
 * node allocatable for resourceFieldRef.
 */
import { cpus, totalmem } from 'node:os';
import type { Container, EnvVar, Pod, Service } from 'kubernetes-types/core/v1.js';
import { goQuote } from '../k8s/gofmt.js';
import { joinHostPort } from '../k8s/ip.js';
import { quantityValue } from '../k8s/quantity.js';
import { SvcnetError } from '../lib/errors.js';

/** Services whose env vars every pod gets, whatever its namespace or enableServiceLinks. */
const MASTER_SERVICES = new Set(['kubernetes']);

export interface EnvOptions {
  /** The pod's IPs as the agent assigned them; default pod.status.podIPs / podIP. */
  podIPs?: string[];
  /** The node's IPs; default pod.status.hostIPs / hostIP. */
  hostIPs?: string[];
  /** Node allocatable, the default for unset limits in resourceFieldRef (kubelet's defaultPodLimitsForDownwardAPI). Default: this machine's CPUs and memory. */
  nodeAllocatable?: Record<string, string>;
  /** ConfigMap `data` and Secret data (values decoded) by name, for the names the container refers to: absent means not found. */
  configMaps?: Record<string, Record<string, string>>;
  secrets?: Record<string, Record<string, string>>;
  /** For setHostnameAsFQDN; default cluster.local. */
  clusterDomain?: string;
  /** kubelet's --master-service-namespace; default "default". */
  masterServiceNamespace?: string;
}

export interface ContainerEnvResult {
  env: Record<string, string>;
  error?: { reason: 'CreateContainerConfigError'; message: string };
}

/** `my-db` → `MY_DB` (dots kept, as upstream). */
export function envVarName(name: string): string {
  return name.replaceAll('-', '_').toUpperCase();
}

function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

/** kubelet's envvars.FromServices for one service, appended to `out` in upstream's order. */
function serviceVars(svc: Service, out: Record<string, string>): void {
  const ports = svc.spec?.ports ?? [];
  const ip = svc.spec?.clusterIP ?? '';
  if (ports.length === 0) return;
  const prefix = envVarName(svc.metadata?.name ?? '');
  out[`${prefix}_SERVICE_HOST`] = ip;
  out[`${prefix}_SERVICE_PORT`] = String(ports[0].port);
  for (const p of ports) {
    if (p.name) out[`${prefix}_SERVICE_PORT_${envVarName(p.name)}`] = String(p.port);
  }
  ports.forEach((p, i) => {
    const proto = p.protocol || 'TCP';
    const url = `${proto.toLowerCase()}://${joinHostPort(ip, p.port)}`;
    if (i === 0) out[`${prefix}_PORT`] = url;
    const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out[pp] = url;
    out[`${pp}_PROTO`] = proto.toLowerCase();
    out[`${pp}_PORT`] = String(p.port);
    out[`${pp}_ADDR`] = ip;
  });
}

/**
 * The service env vars a pod in `namespace` sees: default/kubernetes always,
 * other services of its own namespace when enableServiceLinks; headless and
 * IP-less services never.
 */
export function serviceEnv(
  services: Service[],
  namespace: string,
  enableServiceLinks: boolean,
  masterServiceNamespace = 'default',
): Record<string, string> {
  const byName = new Map<string, Service>();
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const name = svc.metadata?.name ?? '';
    const ns = svc.metadata?.namespace ?? '';
    if (ns === masterServiceNamespace && MASTER_SERVICES.has(name)) {
      if (!byName.has(name)) byName.set(name, svc);
    } else if (ns === namespace && enableServiceLinks) {
      byName.set(name, svc);
    }
  }
  const out: Record<string, string> = {};
  // Sorted so the result does not depend on list order (upstream iterates a Go map).
  for (const name of [...byName.keys()].sort()) serviceVars(byName.get(name)!, out);
  return out;
}

/**
 * `$(VAR)` expansion as kubelet does it (third_party/forked/golang/expansion):
 * `$$` is an escaped `$`, a reference to an unknown variable and an
 * unterminated `$(` stay as written.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) continue;
    out += input.slice(checkpoint, i);
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 1;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 1;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close;
      }
    } else {
      // `$` followed by anything else is kept together with that character.
      const cp = input.codePointAt(i + 1)!;
      const ch = String.fromCodePoint(cp);
      out += `$${ch}`;
      i += ch.length;
    }
    checkpoint = i + 1;
  }
  return out + input.slice(checkpoint);
}

/** kubelet's expansion of command and args against the container's final environment. */
export function expandArgs(args: string[], env: Record<string, string>): string[] {
  const lookup = (name: string) => (Object.hasOwn(env, name) ? env[name] : undefined);
  return args.map((a) => expand(a, lookup));
}

/** The pod's hostname as its containers see it (kubelet's GeneratePodHostNameAndDomain). */
export function podHostname(pod: Pod, clusterDomain = 'cluster.local'): string {
  let host = pod.spec?.hostname || pod.metadata?.name || '';
  if (host.length > 63) host = host.slice(0, 63).replace(/[-.]+$/, '');
  const sub = pod.spec?.subdomain;
  if (pod.spec?.setHostnameAsFQDN && sub) {
    host = `${host}.${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}`;
  }
  return host;
}

/** A reference kubelet cannot resolve (its message is upstream's). */
export class EnvError extends SvcnetError {
  constructor(message: string) {
    super('CONTAINER_ENV', message);
  }
}

/** fieldpath.FormatMap: `key="value"` lines, keys sorted. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k])}`)
    .join('\n');
}

const SUBSCRIPTED = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/s;

export function fieldRefValue(fieldPath: string, pod: Pod, podIPs: string[], hostIPs: string[]): string {
  const meta = pod.metadata ?? {};
  const sub = SUBSCRIPTED.exec(fieldPath);
  if (sub) {
    const map = sub[1] === 'metadata.labels' ? meta.labels : meta.annotations;
    return map?.[sub[2]] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
    case 'spec.host':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return hostIPs[0] ?? '';
    case 'status.hostIPs':
      return hostIPs.join(',');
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
  }
  throw new EnvError(`field label not supported: ${fieldPath}`);
}

/** A resource.Quantity as a number (enough precision for env values). */
export function parseQuantity(q: string): number {
  const v = quantityValue(q);
  if (Number.isNaN(v))
    throw new EnvError(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  return v;
}

export function defaultAllocatable(): Record<string, string> {
  return { cpu: String(cpus().length), memory: String(totalmem()) };
}

/** resourceFieldRef: ceil(value / divisor); CPU compared in millicores as upstream. */
export function resourceValue(
  resource: string,
  divisorRaw: string | undefined,
  container: Container,
  allocatable: Record<string, string>,
): string {
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  const name = resource.slice(dot + 1);
  if ((kind !== 'limits' && kind !== 'requests') || !name) {
    throw new EnvError(`unsupported container resource : ${resource}`);
  }
  let raw = container.resources?.[kind]?.[name];
  // Unset (or zero) limits default to node allocatable, as kubelet does for the downward API.
  if (kind === 'limits' && (raw === undefined || parseQuantity(raw) === 0)) raw = allocatable[name];
  const value = raw === undefined ? 0 : parseQuantity(raw);
  let divisor = divisorRaw === undefined ? 0 : parseQuantity(divisorRaw);
  if (divisor === 0) divisor = 1;
  if (name === 'cpu') {
    const milli = (x: number) => Math.ceil(Math.round(x * 1e6) / 1e3);
    return String(Math.ceil(milli(value) / milli(divisor)));
  }
  if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) {
    return String(Math.ceil(Math.ceil(value) / Math.ceil(divisor)));
  }
  throw new EnvError(`unsupported container resource : ${resource}`);
}

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The environment of one container of a pod: HOSTNAME, then kubelet's
 * variables (envFrom, env in order with `$(VAR)` expanded against the
 * variables declared before it and the service links, then the remaining
 * service links). A reference kubelet cannot resolve yields
 * CreateContainerConfigError, as upstream.
 */
export function buildContainerEnv(
  pod: Pod,
  container: Container,
  services: Service[],
  opts: EnvOptions = {},
): ContainerEnvResult {
  const ns = pod.metadata?.namespace ?? 'default';
  const svcEnv = serviceEnv(
    services,
    ns,
    pod.spec?.enableServiceLinks ?? true,
    opts.masterServiceNamespace ?? 'default',
  );
  const podIPs = opts.podIPs ?? podIPsOf(pod);
  const hostIPs = opts.hostIPs ?? hostIPsOf(pod);
  const tmp: Record<string, string> = {};
  try {
    for (const from of container.envFrom ?? []) {
      const ref = from.configMapRef ?? from.secretRef;
      if (!ref) continue;
      const isCM = from.configMapRef !== undefined;
      const data = (isCM ? opts.configMaps : opts.secrets)?.[ref.name ?? ''];
      if (!data) {
        if (ref.optional) continue;
        throw new EnvError(`${isCM ? 'configmap' : 'secret'} ${goQuote(ref.name ?? '')} not found`);
      }
      for (const [k, v] of Object.entries(data)) {
        const key = (from.prefix ?? '') + k;
        // Upstream skips invalid names (and records an event).
        if (ENV_VAR_NAME.test(key)) tmp[key] = v;
      }
    }
    const lookup = (name: string) =>
      Object.hasOwn(tmp, name) ? tmp[name] : Object.hasOwn(svcEnv, name) ? svcEnv[name] : undefined;
    for (const ev of container.env ?? []) {
      const v = envValue(ev, pod, container, ns, podIPs, hostIPs, lookup, opts);
      if (v !== undefined) tmp[ev.name] = v;
    }
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    return { env: {}, error: { reason: 'CreateContainerConfigError', message: err.message } };
  }
  // The runtime sets HOSTNAME first; anything kubelet passes overrides it.
  const env: Record<string, string> = { HOSTNAME: podHostname(pod, opts.clusterDomain) };
  Object.assign(env, svcEnv, tmp);
  return { env };
}

/** One env entry's value; undefined when an optional source is missing (the variable is left out). */
function envValue(
  ev: EnvVar,
  pod: Pod,
  container: Container,
  ns: string,
  podIPs: string[],
  hostIPs: string[],
  lookup: (name: string) => string | undefined,
  opts: EnvOptions,
): string | undefined {
  if (ev.value) return expand(ev.value, lookup);
  const src = ev.valueFrom;
  if (!src) return '';
  if (src.fieldRef) return fieldRefValue(src.fieldRef.fieldPath, pod, podIPs, hostIPs);
  if (src.resourceFieldRef) {
    const ref = src.resourceFieldRef;
    let target = container;
    if (ref.containerName) {
      const found = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
        (c) => c.name === ref.containerName,
      );
      if (!found) throw new EnvError(`container ${ref.containerName} not found`);
      target = found;
    }
    const divisor = ref.divisor === undefined ? undefined : String(ref.divisor);
    return resourceValue(ref.resource, divisor, target, opts.nodeAllocatable ?? defaultAllocatable());
  }
  const keyRef = src.configMapKeyRef ?? src.secretKeyRef;
  if (keyRef) {
    const isCM = src.configMapKeyRef !== undefined;
    const name = keyRef.name ?? '';
    const data = (isCM ? opts.configMaps : opts.secrets)?.[name];
    if (!data) {
      if (keyRef.optional) return undefined;
      throw new EnvError(`${isCM ? 'configmap' : 'secret'} ${goQuote(name)} not found`);
    }
    if (!Object.hasOwn(data, keyRef.key)) {
      if (keyRef.optional) return undefined;
      throw new EnvError(`couldn't find key ${keyRef.key} in ${isCM ? 'ConfigMap' : 'Secret'} ${ns}/${name}`);
    }
    return data[keyRef.key];
  }
  return '';
}

function podIPsOf(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

function hostIPsOf(pod: Pod): string[] {
  const ips = (pod.status?.hostIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length === 0 && pod.status?.hostIP) ips.push(pod.status.hostIP);
  return ips;
}
