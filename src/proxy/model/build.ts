/**
 * The pure heart of the proxy: Services + EndpointSlices + our Node + config →
 * what this node must do for every service port (a NodeState). Semantics are
 * kube-proxy's (pkg/proxy/service.go, endpointslicecache.go, topology.go), with
 * one per-family pass as the dual-stack meta-proxier makes.
 */
import type { Node, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { formatIP, type IPFamily, inAnyCIDR, ipFamilyOf, parseIPSloppy } from '../../k8s/ip.js';
import { categorizeEndpoints, type PortPolicy } from './categorize.js';
import { endpointsByPort, portKey } from './endpoints.js';
import {
  ANNOTATION_SCHEDULER,
  DEFAULT_AFFINITY_TIMEOUT_SECONDS,
  isSchedulerName,
  LABEL_SERVICE_NAME,
  LABEL_TOPOLOGY_ZONE,
  SCHEDULER_NAMES,
} from './names.js';
import { servesLabels, skipReason } from './serve.js';
import type { Endpoint, Frontend, FrontendAction, NodeState, Protocol, ServicePortState } from './types.js';

export interface ModelConfig {
  /**
   * service.kubernetes.io/service-proxy-name value this proxy also serves.
   * Default: none — services carrying the label are skipped, as kube-proxy does.
   */
  proxyName?: string;
  /**
   * Where nodePorts listen: IPs (used as given), CIDRs and the keywords `primary`,
   * `all`, `localhost` (matched against nodeIPs). Empty: every one of nodeIPs.
   */
  nodePortAddresses: string[];
  /** The proxy's scheduler, used unless a service's annotation picks a valid one. */
  defaultScheduler: string;
  /** IP families this proxy handles (default both). */
  ipFamilies?: IPFamily[];
}

export interface BuildInput {
  services: Service[];
  slices: EndpointSlice[];
  node?: Node;
  nodeName: string;
  nodeIPs: string[];
  config: ModelConfig;
}

/** `namespace/name:portName/PROTOCOL`. */
export function servicePortKey(namespace: string, name: string, portName: string, protocol: string): string {
  return `${namespace}/${name}:${portName}/${protocol}`;
}

export function buildNodeState(input: BuildInput): NodeState {
  const { config, nodeName } = input;
  const families = new Set<IPFamily>(config.ipFamilies ?? ['IPv4', 'IPv6']);
  const zone = input.node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE] || undefined;
  const nodePortIPs = nodePortAddresses(config.nodePortAddresses, input.nodeIPs);
  const problems: NodeState['problems'] = [];
  const services = new Map<string, ServicePortState>();

  const slicesBySvc = new Map<string, EndpointSlice[]>();
  for (const slice of input.slices) {
    const svcName = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
    if (!svcName || !servesLabels(slice.metadata?.labels, config.proxyName)) continue;
    const key = `${slice.metadata?.namespace ?? ''}/${svcName}`;
    const list = slicesBySvc.get(key);
    if (list) list.push(slice);
    else slicesBySvc.set(key, [slice]);
  }

  const ordered = [...input.services].sort((a, b) => cmp(svcKey(a), svcKey(b)));
  for (const svc of ordered) {
    if (skipReason(svc, config.proxyName) !== undefined) continue;
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const object = `Service/${ns}/${name}`;
    const spec = svc.spec ?? {};

    const sliceProblems: { slice: string; message: string }[] = [];
    const eps = endpointsByPort(slicesBySvc.get(`${ns}/${name}`) ?? [], nodeName, sliceProblems);
    for (const p of sliceProblems)
      problems.push({ object: `EndpointSlice/${ns}/${p.slice}`, message: p.message });

    const report = (message: string) => problems.push({ object, message });
    const clusterIPs = serviceAddresses(
      'clusterIP',
      spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP ?? ''],
      report,
    );
    const externalIPs = serviceAddresses('externalIP', spec.externalIPs ?? [], report);
    const lbIPs = serviceAddresses(
      'load balancer ingress IP',
      (svc.status?.loadBalancer?.ingress ?? [])
        .filter((ing) => ing.ip && ing.ipMode !== 'Proxy')
        .map((ing) => ing.ip!),
      report,
    );

    const scheduler = serviceScheduler(svc, config.defaultScheduler, report);
    const externalLocal = externalPolicyLocal(svc);
    const internalLocal = spec.internalTrafficPolicy === 'Local';
    const sessionAffinity =
      spec.sessionAffinity === 'ClientIP'
        ? {
            timeoutSeconds:
              spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS,
          }
        : undefined;
    let healthCheckNodePort: number | undefined;
    if (spec.type === 'LoadBalancer' && externalLocal) {
      if (spec.healthCheckNodePort) healthCheckNodePort = spec.healthCheckNodePort;
      else report('Service has no healthcheck nodeport');
    }

    const states: ServicePortState[] = [];
    for (const port of spec.ports ?? []) {
      const protocol = (port.protocol ?? 'TCP') as Protocol;
      const portName = port.name ?? '';
      const state: ServicePortState = {
        key: servicePortKey(ns, name, portName, protocol),
        namespace: ns,
        name,
        portName,
        protocol,
        frontends: [],
        scheduler,
        localEndpointCount: 0,
      };
      if (sessionAffinity) state.sessionAffinity = { ...sessionAffinity };
      if (healthCheckNodePort !== undefined) state.healthCheckNodePort = healthCheckNodePort;
      const portEndpoints = eps.get(portKey(portName, protocol)) ?? [];
      for (const family of families) {
        const ips = ofFamily(clusterIPs, family);
        // The family's proxier only handles services with a cluster IP of that family.
        if (ips.length === 0) continue;
        state.frontends.push(
          ...familyFrontends(family, ips, port, protocol, {
            nodePortIPs,
            externalIPs: ofFamily(externalIPs, family),
            lbIPs: ofFamily(lbIPs, family),
            endpoints: portEndpoints.filter((ep) => ipFamilyOf(ep.ip) === family),
            internalLocal,
            externalLocal,
            zone,
          }),
        );
      }
      states.push(state);
    }

    // Health checks count distinct local ready IPs over all the service's ports.
    const localReady = new Set<string>();
    for (const list of eps.values()) for (const ep of list) if (ep.isLocal && ep.ready) localReady.add(ep.ip);
    for (const state of states) {
      state.localEndpointCount = localReady.size;
      services.set(state.key, state);
    }
  }
  return { services, problems };
}

/** A service address as the proxy uses it: its canonical text and family. */
interface Address {
  ip: string;
  family: IPFamily;
}

/**
 * A Service's addresses of one field, read as kube-proxy reads them
 * (ParseIPSloppy, then the canonical text: a stored `010.96.0.7` is served
 * on 10.96.0.7, the address its allocator reserved). One that does not parse
 * is reported, never dropped silently. '' and `None` are no address.
 */
function serviceAddresses(field: string, texts: readonly string[], report: (m: string) => void): Address[] {
  const out: Address[] = [];
  for (const text of texts) {
    if (text === '' || text === 'None') continue;
    const ip = parseIPSloppy(text);
    if (ip) out.push({ ip: formatIP(ip), family: ip.family });
    else report(`${field} ${JSON.stringify(text)} is not a valid IP address; not served`);
  }
  return out;
}

const ofFamily = (addresses: readonly Address[], family: IPFamily): string[] =>
  addresses.filter((a) => a.family === family).map((a) => a.ip);

interface FamilyContext {
  nodePortIPs: string[];
  /** This family's external and load-balancer IPs. */
  externalIPs: string[];
  lbIPs: string[];
  endpoints: Endpoint[];
  internalLocal: boolean;
  externalLocal: boolean;
  zone: string | undefined;
}

function familyFrontends(
  family: IPFamily,
  clusterIPs: string[],
  port: ServicePort,
  protocol: Protocol,
  ctx: FamilyContext,
): Frontend[] {
  const nodePort = port.nodePort ?? 0;
  const nodeIPs = nodePort ? ctx.nodePortIPs.filter((ip) => ipFamilyOf(ip) === family) : [];
  const { externalIPs, lbIPs } = ctx;
  const policy: PortPolicy = {
    internalPolicyLocal: ctx.internalLocal,
    externalPolicyLocal: ctx.externalLocal,
    externallyAccessible: nodePort !== 0 || externalIPs.length > 0 || lbIPs.length > 0,
  };
  const cat = categorizeEndpoints(ctx.endpoints, policy, ctx.zone);
  const internal = (ctx.internalLocal ? cat.local : cat.cluster) ?? [];
  const external = (ctx.externalLocal ? cat.local : cat.cluster) ?? [];
  const fe = (kind: Frontend['kind'], ip: string, p: number, endpoints: Endpoint[]): Frontend => ({
    kind,
    ip,
    port: p,
    protocol,
    action: frontendAction(endpoints, cat.hasAnyEndpoints),
    endpoints,
  });
  return [
    ...clusterIPs.map((ip) => fe('ClusterIP', ip, port.port, internal)),
    ...nodeIPs.map((ip) => fe('NodePort', ip, nodePort, external)),
    ...externalIPs.map((ip) => fe('ExternalIP', ip, port.port, external)),
    ...lbIPs.map((ip) => fe('LoadBalancer', ip, port.port, external)),
  ];
}

/**
 * Upstream's verdict for a frontend: no usable endpoint anywhere rejects; endpoints elsewhere
 * but none this frontend may use (a Local policy without local endpoints) drops.
 */
export function frontendAction(endpoints: readonly Endpoint[], hasAnyEndpoints: boolean): FrontendAction {
  if (endpoints.length > 0) return 'serve';
  return hasAnyEndpoints ? 'drop' : 'reject';
}

/** apiservice.ExternalPolicyLocal: Local policy counts only for externally reachable services. */
function externalPolicyLocal(svc: Service): boolean {
  const spec = svc.spec ?? {};
  const external =
    spec.type === 'NodePort' ||
    spec.type === 'LoadBalancer' ||
    ((spec.type ?? 'ClusterIP') === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
  return external && spec.externalTrafficPolicy === 'Local';
}

function serviceScheduler(svc: Service, fallback: string, report: (message: string) => void): string {
  const wanted = svc.metadata?.annotations?.[ANNOTATION_SCHEDULER];
  if (wanted === undefined) return fallback;
  if (isSchedulerName(wanted)) return wanted;
  report(
    `invalid ${ANNOTATION_SCHEDULER} annotation ${JSON.stringify(wanted)}: must be one of ${SCHEDULER_NAMES.join(', ')}; using ${fallback}`,
  );
  return fallback;
}

/** The addresses nodePorts listen on (see ModelConfig.nodePortAddresses), deduplicated and sorted. */
export function nodePortAddresses(spec: readonly string[], nodeIPs: readonly string[]): string[] {
  const out = new Set<string>();
  if (spec.length === 0) for (const ip of nodeIPs) out.add(ip);
  const cidrs: string[] = [];
  for (const entry of spec) {
    if (entry === 'primary') for (const ip of nodeIPs) out.add(ip);
    else if (entry === 'all') cidrs.push('0.0.0.0/0', '::/0');
    else if (entry === 'localhost') cidrs.push('127.0.0.0/8', '::1/128');
    else if (entry.includes('/')) cidrs.push(entry);
    else if (ipFamilyOf(entry)) out.add(entry);
  }
  if (cidrs.length > 0) for (const ip of nodeIPs) if (inAnyCIDR(ip, cidrs)) out.add(ip);
  return [...out].sort(cmp);
}

function svcKey(svc: Service): string {
  return `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
