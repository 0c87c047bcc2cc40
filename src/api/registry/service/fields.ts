/**
 * Service field rules the registry applies around allocation, as upstream:
 * which types need which allocated values (`pkg/api/service`,
 * `registry/core/service/strategy.go`), and the fix-ups of an update's body
 * (`storage/storage.go` normalizeClusterIPs / patchAllocatedValues,
 * `strategy.go` dropTypeDependentFields). All mutate the new object in place.
 */
import type { Service, ServiceSpec, ServiceStatus } from 'kubernetes-types/core/v1.js';

/** The spec, created empty when absent. */
export function specOf(svc: Service): ServiceSpec {
  svc.spec ??= {};
  return svc.spec;
}

/** kubernetes-types marks status read-only; the registry owns it. */
export function setStatus(svc: Service, status: ServiceStatus): void {
  (svc as { status?: ServiceStatus }).status = status;
}

export const needsClusterIP = (svc: Service): boolean => svc.spec?.type !== 'ExternalName';

export const needsNodePort = (svc: Service): boolean =>
  svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';

/** LoadBalancer with externalTrafficPolicy Local (upstream `NeedsHealthCheck` / `needsHCNodePort`). */
export const needsHealthCheck = (svc: Service): boolean =>
  svc.spec?.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';

/** NodePort, LoadBalancer, or ClusterIP with external IPs (upstream `ExternallyAccessible`). */
export const externallyAccessible = (svc: Service): boolean =>
  svc.spec?.type === 'LoadBalancer' ||
  svc.spec?.type === 'NodePort' ||
  (svc.spec?.type === 'ClusterIP' && (svc.spec.externalIPs?.length ?? 0) > 0);

/** Has a real cluster IP: neither empty nor `None` (upstream `helper.IsServiceIPSet`). */
export const isServiceIPSet = (svc: Service): boolean => {
  const ip = svc.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
};

/** Whether NodePort/LoadBalancer ports get node ports allocated when none is requested. */
export function shouldAllocateNodePorts(svc: Service): boolean {
  if (svc.spec?.type === 'NodePort') return true;
  if (svc.spec?.type === 'LoadBalancer') return svc.spec.allocateLoadBalancerNodePorts !== false;
  return false;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean => {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** clusterIPs equal element-wise, unset equal to empty (storage's `sameClusterIPs`). */
export const sameClusterIPList = (a: Service, b: Service): boolean =>
  sameList(a.spec?.clusterIPs, b.spec?.clusterIPs);

export const sameIPFamilyList = (a: Service, b: Service): boolean =>
  sameList(a.spec?.ipFamilies, b.spec?.ipFamilies);

/** Every non-zero nodePort of the ports, in order (storage's `collectServiceNodePorts`). */
export const collectNodePorts = (svc: Service): number[] =>
  (svc.spec?.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0);

/**
 * The node ports a Service holds in the allocator, as the repair controller
 * counts them: one per (port, protocol) but shared across protocols, plus the
 * health check port unless a non-TCP node port already holds that number.
 */
export function collectHeldNodePorts(svc: Service): number[] {
  const out: number[] = [];
  const seen = new Map<number, Set<string>>();
  for (const p of svc.spec?.ports ?? []) {
    const np = p.nodePort ?? 0;
    if (np === 0) continue;
    const proto = p.protocol ?? 'TCP';
    const protos = seen.get(np);
    if (!protos) {
      seen.set(np, new Set([proto]));
      out.push(np);
    } else if (protos.has(proto)) {
      out.push(np);
    } else {
      protos.add(proto);
    }
  }
  const hc = svc.spec?.healthCheckNodePort ?? 0;
  if (hc !== 0) {
    const protos = seen.get(hc);
    if (!protos || protos.has('TCP')) out.push(hc);
  }
  return out;
}

/**
 * Keeps clusterIP and clusterIPs in step before anything reads them: an old
 * client may send only the singular field, or clear/change it without
 * touching the plural.
 */
export function normalizeClusterIPs(after: Service, before?: Service): void {
  const spec = specOf(after);
  if (!before) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  const old = before.spec ?? {};
  const oldIP = old.clusterIP ?? '';
  if ((old.clusterIPs?.length ?? 0) > 0 && !spec.clusterIPs?.length && oldIP === (spec.clusterIP ?? '')) {
    spec.clusterIPs = [...old.clusterIPs!];
  }
  const newIP = spec.clusterIP ?? '';
  if (oldIP !== newIP) {
    if (oldIP !== '' && newIP === '') {
      if (sameClusterIPList(before, after)) delete spec.clusterIPs;
    } else if (sameClusterIPList(before, after)) {
      spec.clusterIPs = [newIP];
    }
  }
}

/**
 * Lets clients resubmit a body without the values the server allocated for
 * them: omitted clusterIP(s), nodePorts (matched by port name, unless the
 * value is already used by another port of the new body) and
 * healthCheckNodePort come from the stored object.
 */
export function patchAllocatedValues(after: Service, before: Service): void {
  const spec = specOf(after);
  const old = before.spec ?? {};
  if (needsClusterIP(before) && needsClusterIP(after)) {
    if (!spec.clusterIP && old.clusterIP !== undefined) spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs?.length && (old.clusterIPs?.length ?? 0) > 0) spec.clusterIPs = [...old.clusterIPs!];
  }
  if (needsNodePort(before) && needsNodePort(after)) {
    const newUsed = new Set(collectNodePorts(after));
    const used = new Set(collectNodePorts(before).filter((n) => newUsed.has(n)));
    const byName = new Map<string, number>();
    for (const p of old.ports ?? []) byName.set(p.name ?? '', p.nodePort ?? 0);
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const oldVal = byName.get(p.name ?? '') ?? 0;
      // Go's zero value: a port absent from the old object patches in 0, i.e. nothing.
      if (oldVal !== 0 && !used.has(oldVal)) p.nodePort = oldVal;
    }
  }
  if (needsHealthCheck(before) && needsHealthCheck(after)) {
    if (!spec.healthCheckNodePort && old.healthCheckNodePort)
      spec.healthCheckNodePort = old.healthCheckNodePort;
  }
}

/**
 * Clears fields the new type does not use, but only those the user left as
 * they were (a changed value is theirs, and validation judges it): cluster
 * IPs and families, node ports, health check port, LoadBalancer-only fields,
 * externalTrafficPolicy, and the load balancer status. Only on update.
 */
export function dropTypeDependentFields(newSvc: Service, oldSvc: Service | undefined): void {
  if (!oldSvc) return;
  const spec = specOf(newSvc);
  const old = oldSvc.spec ?? {};

  if (needsClusterIP(oldSvc) && !needsClusterIP(newSvc)) {
    if ((old.clusterIP ?? '') === (spec.clusterIP ?? '') && sameClusterIPList(oldSvc, newSvc)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameFamiliesDeep(old.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if ((old.ipFamilyPolicy ?? '') === (spec.ipFamilyPolicy ?? '')) delete spec.ipFamilyPolicy;
  }

  if (needsNodePort(oldSvc) && !needsNodePort(newSvc)) {
    const oldPorts = new Set(collectNodePorts(oldSvc));
    // Ports may be added, removed or changed, as long as no node port is net-new.
    if (collectNodePorts(newSvc).every((n) => oldPorts.has(n))) {
      for (const p of spec.ports ?? []) delete p.nodePort;
    }
  }

  if (
    needsHealthCheck(oldSvc) &&
    !needsHealthCheck(newSvc) &&
    (old.healthCheckNodePort ?? 0) === (spec.healthCheckNodePort ?? 0)
  ) {
    delete spec.healthCheckNodePort;
  }

  if (old.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (
      spec.allocateLoadBalancerNodePorts !== undefined &&
      old.allocateLoadBalancerNodePorts !== undefined &&
      spec.allocateLoadBalancerNodePorts === old.allocateLoadBalancerNodePorts
    ) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (old.loadBalancerClass === spec.loadBalancerClass) delete spec.loadBalancerClass;
  }

  if (
    externallyAccessible(oldSvc) &&
    !externallyAccessible(newSvc) &&
    (old.externalTrafficPolicy ?? '') === (spec.externalTrafficPolicy ?? '')
  ) {
    delete spec.externalTrafficPolicy;
  }

  // Load balancer de-provisioning is asynchronous, but users need not see that.
  if (spec.type !== 'LoadBalancer') {
    setStatus(newSvc, { ...(newSvc.status ?? {}), loadBalancer: {} });
  }
}

/** reflect.DeepEqual on slices: unset differs from empty. */
function sameFamiliesDeep(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameList(a, b);
}
