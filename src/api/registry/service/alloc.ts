/**
 * Service IP and node port allocation, the equivalent of upstream
 * `registry/core/service/storage/alloc.go`: IP family defaulting, cluster IPs
 * on create and on type changes / dual-stack upgrades and downgrades, node
 * ports and health check node ports, each as a transaction the registry
 * commits after the write succeeds or reverts when it fails.
 *
 * Allocation is synchronous and the API server is one process, so two
 * requests can never take the same value; values a transaction holds are
 * tracked as in flight so the leak check never frees them.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { RandomSource } from '../../../allocators/bitmap.js';
import { type IPAllocator, IPRangeAllocator } from '../../../allocators/ipallocator.js';
import {
  DEFAULT_NODE_PORT_RANGE,
  type PortRange,
  PortRangeAllocator,
} from '../../../allocators/portallocator.js';
import { fieldErrors } from '../../../k8s/field.js';
import { goQuote } from '../../../k8s/gofmt.js';
import { type CIDR, canonicalIP, type IPFamily, ipFamilyOf, parseIPSloppy } from '../../../k8s/ip.js';
import { allocatorFailure, internal, invalid } from './apierrors.js';
import { initIPFamilyFields, isMatchingPreferDualStack } from './families.js';
import { collectNodePorts, needsHealthCheck, needsNodePort } from './fields.js';
import { allocHealthCheckNodePort, initNodePorts, updateNodePorts } from './nodeports.js';
import { findLeaks, type LeakCheck, type RepairFinding, repair } from './repair.js';
import {
  addInFlight,
  callbackTransaction,
  type InFlight,
  metaTransaction,
  PortOperation,
  removeInFlight,
  type Transaction,
} from './transaction.js';

export type { Transaction } from './transaction.js';

export interface ServiceAllocatorConfig {
  /** `--service-cluster-ip-range`: one CIDR, or two of different families; the first is the primary family. */
  serviceCIDRs: readonly (string | CIDR)[];
  /** `--service-node-port-range`; default `30000-32767`. */
  nodePortRange?: string | PortRange;
  /** For deterministic tests. */
  random?: RandomSource;
}

export class ServiceAllocator {
  readonly primaryFamily: IPFamily;
  /** One range per configured family. */
  readonly ipAllocators: ReadonlyMap<IPFamily, IPRangeAllocator>;
  readonly nodePorts: PortRangeAllocator;
  /** Values held by open transactions (allocated, or due for release on commit). */
  readonly inFlight: InFlight = { ips: new Map(), ports: new Map() };
  /** Leak candidates and how many more checks they survive (see findLeaks). */
  readonly leakCounters = { ips: new Map<string, number>(), ports: new Map<number, number>() };

  constructor(config: ServiceAllocatorConfig) {
    const cidrs = config.serviceCIDRs;
    if (cidrs.length < 1 || cidrs.length > 2) throw new Error('expected one or two service CIDRs');
    const ranges = cidrs.map((c) => new IPRangeAllocator(c, { random: config.random }));
    if (ranges.length === 2 && ranges[0]!.family === ranges[1]!.family) {
      throw new Error('service CIDRs must be of different IP families');
    }
    this.primaryFamily = ranges[0]!.family;
    this.ipAllocators = new Map(ranges.map((r) => [r.family, r]));
    this.nodePorts = new PortRangeAllocator(config.nodePortRange ?? DEFAULT_NODE_PORT_RANGE, {
      random: config.random,
    });
  }

  get dualStack(): boolean {
    return this.ipAllocators.size === 2;
  }

  /** The first address of the primary range, `default/kubernetes`'s cluster IP. */
  kubernetesServiceIP(): string {
    return this.ipAllocators.get(this.primaryFamily)!.firstIP();
  }

  /**
   * Defaults ipFamilyPolicy and ipFamilies from the request, the old object
   * and the cluster's families, and rejects what the cluster cannot satisfy.
   * Runs on dry runs too, so its results are visible.
   */
  initIPFamilyFields(after: Service, before?: Service): void {
    initIPFamilyFields(after, before, this);
  }

  /**
   * Fills and reserves cluster IPs and node ports of a new Service (mutating
   * it). Throws a StatusError (422 for requested values, 500 when a range is
   * full); on dry run nothing is reserved but the answers are the same.
   */
  allocateCreate(svc: Service, dryRun: boolean): Transaction {
    this.initIPFamilyFields(svc);
    const parts: Transaction[] = [];
    try {
      parts.push(this.ipTransaction(this.allocClusterIPs(svc, dryRun), new Map(), dryRun));
      parts.push(this.allocNodePorts(svc, dryRun));
    } catch (err) {
      metaTransaction(parts).revert();
      throw err;
    }
    return metaTransaction(parts);
  }

  /**
   * Adjusts allocations for an update: type changes to and from ExternalName
   * and NodePort/LoadBalancer, dual-stack upgrade (allocates the secondary
   * IP) and downgrade (releases it on commit), node port and health check
   * port changes. What the new object no longer uses is released on commit.
   */
  allocateUpdate(after: Service, before: Service, dryRun: boolean): Transaction {
    this.initIPFamilyFields(after, before);
    const parts: Transaction[] = [];
    try {
      const { allocated, released } = this.updateClusterIPs(after, before, dryRun);
      parts.push(this.ipTransaction(allocated, released, dryRun));
      parts.push(this.updateNodePorts(after, before, dryRun));
    } catch (err) {
      metaTransaction(parts).revert();
      throw err;
    }
    return metaTransaction(parts);
  }

  /** Gives back everything a deleted Service held. */
  releaseAll(svc: Service): void {
    if (svc.spec?.type !== 'ExternalName' && svc.spec?.clusterIPs?.[0] !== 'None') {
      for (const ip of svc.spec?.clusterIPs ?? []) {
        const fam = ipFamilyOf(ip);
        // A family no longer configured has nothing to release.
        if (fam) this.ipAllocators.get(fam)?.release(ip);
      }
    }
    for (const port of collectNodePorts(svc)) this.nodePorts.release(port);
    const hc = svc.spec?.healthCheckNodePort ?? 0;
    if (needsHealthCheck(svc) && hc > 0) this.nodePorts.release(hc);
  }

  /**
   * Rebuilds the allocators from the stored Services (at startup), keeping
   * values of open transactions. Returns the Events the repair controllers
   * would record for values out of range, duplicated or invalid.
   */
  repair(services: readonly Service[]): RepairFinding[] {
    return repair(this, services);
  }

  /**
   * The periodic check: values owned by stored Services but not allocated are
   * re-allocated (and reported); values allocated but owned by no Service and
   * held by no open transaction are released once seen three checks in a row.
   */
  findLeaks(services: readonly Service[]): LeakCheck {
    return findLeaks(this, services);
  }

  /** Cluster IPs for every family the Service lacks one for; upstream `allocClusterIPs`. */
  private allocClusterIPs(svc: Service, dryRun: boolean): Map<IPFamily, string> {
    const spec = svc.spec!;
    if (spec.type === 'ExternalName') return new Map();
    if (spec.clusterIPs?.[0] === 'None') return new Map();
    const clusterIPs = [...(spec.clusterIPs ?? [])];
    spec.clusterIPs = clusterIPs;
    const families = (spec.ipFamilies ?? []) as IPFamily[];
    const toAlloc: [IPFamily, string][] = families.map((fam, i) => {
      if (i >= clusterIPs.length) clusterIPs.push('');
      return [fam, clusterIPs[i]!];
    });
    const allocated = this.allocIPs(svc, toAlloc, dryRun);
    for (const [fam, ip] of allocated) {
      const i = families.indexOf(fam);
      clusterIPs[i] = ip;
      if (i === 0) spec.clusterIP = ip;
    }
    return allocated;
  }

  /** Reserves requested IPs ('' = any), family by family; all or nothing. */
  private allocIPs(svc: Service, toAlloc: [IPFamily, string][], dryRun: boolean): Map<IPFamily, string> {
    const allocated = new Map<IPFamily, string>();
    const views = new Map<IPFamily, IPAllocator>();
    const view = (fam: IPFamily): IPAllocator => {
      const real = this.ipAllocators.get(fam)!;
      if (!dryRun) return real;
      if (!views.has(fam)) views.set(fam, real.dryRun());
      return views.get(fam)!;
    };
    try {
      for (const [fam, ip] of toAlloc) {
        const a = view(fam);
        if (ip === '') {
          try {
            allocated.set(fam, a.allocateNext());
          } catch (err) {
            throw allocatorFailure(err, (m) => internal(`failed to allocate a serviceIP: ${m}`));
          }
          continue;
        }
        if (!parseIPSloppy(ip)) throw internal(`failed to parse service IP ${goQuote(ip)}`);
        try {
          a.allocate(ip);
        } catch (err) {
          const ips = [...(svc.spec?.clusterIPs ?? [])];
          throw allocatorFailure(err, (m) =>
            invalid(svc, [fieldErrors.invalid('spec.clusterIPs', ips, `failed to allocate IP ${ip}: ${m}`)]),
          );
        }
        allocated.set(fam, ip);
      }
    } catch (err) {
      // Upstream leaves a partial dual-stack allocation to the repair loop; give it back now.
      if (!dryRun) for (const [fam, ip] of allocated) this.ipAllocators.get(fam)!.release(ip);
      throw err;
    }
    return allocated;
  }

  /** Holds `allocated` (released on revert) and `released` (released on commit) until settled. */
  private ipTransaction(
    allocated: Map<IPFamily, string>,
    released: Map<IPFamily, string>,
    dryRun: boolean,
  ): Transaction {
    if (dryRun) return callbackTransaction(noop, noop);
    // Keyed canonically, as the allocators list them.
    const held = [...allocated.values(), ...released.values()].map((ip) => canonicalIP(ip) ?? ip);
    for (const ip of held) addInFlight(this.inFlight.ips, ip);
    let settled = false;
    const settle = (toRelease: Map<IPFamily, string>) => {
      if (settled) return;
      settled = true;
      for (const ip of held) removeInFlight(this.inFlight.ips, ip);
      for (const [fam, ip] of toRelease) this.ipAllocators.get(fam)?.release(ip);
    };
    return callbackTransaction(
      () => settle(released),
      () => settle(allocated),
    );
  }

  /** Upstream `updateClusterIPs`: cases A-D of a type change or stack change. */
  private updateClusterIPs(
    after: Service,
    before: Service,
    dryRun: boolean,
  ): { allocated: Map<IPFamily, string>; released: Map<IPFamily, string> } {
    const none = new Map<IPFamily, string>();
    if (isMatchingPreferDualStack(after, before)) return { allocated: none, released: none };
    const spec = after.spec!;
    const old = before.spec ?? {};

    // A: from ExternalName to a type with cluster IPs.
    if (old.type === 'ExternalName' && spec.type !== 'ExternalName') {
      return { allocated: this.allocClusterIPs(after, dryRun), released: none };
    }
    if (old.clusterIPs?.[0] === 'None') return { allocated: none, released: none };

    // B: to ExternalName: everything goes.
    if (old.type !== 'ExternalName' && spec.type === 'ExternalName') {
      const released = new Map<IPFamily, string>();
      (old.ipFamilies ?? []).forEach((fam, i) => {
        const ip = old.clusterIPs?.[i];
        if (ip) released.set(fam as IPFamily, ip);
      });
      return { allocated: none, released };
    }

    const oldFamilies = old.ipFamilies ?? [];
    const families = (spec.ipFamilies ?? []) as IPFamily[];
    // C: upgrade to dual-stack: the secondary, requested or next.
    if (oldFamilies.length === 1 && families.length === 2) {
      const clusterIPs = [...(spec.clusterIPs ?? [])];
      if (clusterIPs.length < 2) clusterIPs.push('');
      spec.clusterIPs = clusterIPs;
      const allocated = this.allocIPs(after, [[families[1]!, clusterIPs[1]!]], dryRun);
      clusterIPs[1] = allocated.get(families[1]!)!;
      return { allocated, released: none };
    }
    // D: downgrade: the old secondary goes on commit.
    if (oldFamilies.length === 2 && families.length === 1) {
      const ip = old.clusterIPs?.[1];
      const released = new Map<IPFamily, string>();
      if (ip) released.set(oldFamilies[1] as IPFamily, ip);
      return { allocated: none, released };
    }
    return { allocated: none, released: none };
  }

  /** Node ports and health check port of a new Service; upstream `txnAllocNodePorts`. */
  private allocNodePorts(svc: Service, dryRun: boolean): Transaction {
    const op = new PortOperation(this.nodePorts, dryRun, this.inFlight);
    try {
      if (needsNodePort(svc)) initNodePorts(svc, op);
      if (needsHealthCheck(svc)) allocHealthCheckNodePort(svc, op);
    } catch (err) {
      op.revert();
      throw err;
    }
    return op;
  }

  /** Upstream `txnUpdateNodePorts`. */
  private updateNodePorts(after: Service, before: Service, dryRun: boolean): Transaction {
    const op = new PortOperation(this.nodePorts, dryRun, this.inFlight);
    try {
      const type = after.spec?.type;
      if (needsNodePort(before) && (type === 'ExternalName' || type === 'ClusterIP')) {
        for (const port of collectNodePorts(before)) op.releaseDeferred(port);
      }
      if (needsNodePort(after)) updateNodePorts(after, before, op);

      const needed = needsHealthCheck(before);
      const needs = needsHealthCheck(after);
      if (!needed && needs) allocHealthCheckNodePort(after, op);
      else if (needed && !needs && before.spec?.healthCheckNodePort) {
        op.releaseDeferred(before.spec.healthCheckNodePort);
      }
    } catch (err) {
      op.revert();
      throw err;
    }
    return op;
  }
}

const noop = (): void => {};
