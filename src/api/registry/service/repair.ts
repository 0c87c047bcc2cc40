/**
 * The repair controllers of upstream (`ipallocator/controller/repair.go`,
 * `portallocator/controller/repair.go`), run against the in-memory
 * allocators: rebuild what the stored Services say is allocated, report what
 * is wrong with the event reasons and messages upstream records, and free
 * leaked values only after they were seen leaked on several checks in a row.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { isAllocatorError } from '../../../allocators/errors.js';
import { IPRangeAllocator } from '../../../allocators/ipallocator.js';
import { PortRangeAllocator } from '../../../allocators/portallocator.js';
import { formatIP, type IPFamily, parseIPSloppy } from '../../../k8s/ip.js';
import type { ServiceAllocator } from './alloc.js';
import { collectHeldNodePorts, isServiceIPSet } from './fields.js';

/** An Event to record on a Service (involvedObject = that Service). */
export interface RepairFinding {
  namespace: string;
  name: string;
  uid?: string;
  type: 'Warning';
  reason: string;
  message: string;
  /** `ipallocator-repair-controller` or `portallocator-repair-controller`, the upstream event source. */
  source: string;
}

/** A value allocated to no stored Service: flagged on first sight, released on the third check. */
export interface LeakFinding {
  kind: 'ClusterIP' | 'NodePort';
  value: string;
  released: boolean;
  /** The message upstream logs. */
  message: string;
}

export interface LeakCheck {
  /** Events for stored Services (values re-allocated, duplicates, out of range...). */
  findings: RepairFinding[];
  /** Leaks flagged on first sight and leaks released. */
  leaks: LeakFinding[];
  /** The released ones among `leaks`. */
  released: LeakFinding[];
}

/** How many checks must see a leak before it is freed, to let in-progress writes land. */
export const NUM_REPAIRS_BEFORE_LEAK_CLEANUP = 3;

const IP_SOURCE = 'ipallocator-repair-controller';
const PORT_SOURCE = 'portallocator-repair-controller';

interface Rebuilt {
  ips: Map<IPFamily, IPRangeAllocator>;
  ports: PortRangeAllocator;
  findings: RepairFinding[];
}

/**
 * Allocates every stored Service's values into fresh allocators. With
 * `repairLive`, values the live allocators lack are reported and re-allocated.
 */
function rebuild(alloc: ServiceAllocator, services: readonly Service[], repairLive: boolean): Rebuilt {
  const ips = new Map([...alloc.ipAllocators].map(([f, a]) => [f, new IPRangeAllocator(a.range)] as const));
  const ports = new PortRangeAllocator(alloc.nodePorts.portRange);
  const findings: RepairFinding[] = [];
  const event = (svc: Service, source: string, reason: string, message: string) => {
    findings.push({
      namespace: svc.metadata?.namespace ?? '',
      name: svc.metadata?.name ?? '',
      ...(svc.metadata?.uid ? { uid: svc.metadata.uid } : {}),
      type: 'Warning',
      reason,
      message,
      source,
    });
  };

  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    for (const text of svc.spec?.clusterIPs ?? [svc.spec!.clusterIP!]) {
      const parsed = parseIPSloppy(text);
      if (!parsed) {
        event(
          svc,
          IP_SOURCE,
          'ClusterIPNotValid',
          `Cluster IP ${text} is not a valid IP; please recreate service`,
        );
        continue;
      }
      const ip = formatIP(parsed);
      const family = parsed.family;
      const rebuilt = ips.get(family);
      if (!rebuilt) {
        event(
          svc,
          IP_SOURCE,
          'ClusterIPNotValid',
          `Cluster IP ${ip}(${family}) is of ip family that is no longer configured on cluster; please recreate service`,
        );
        continue;
      }
      try {
        rebuilt.allocate(ip);
      } catch (err) {
        if (isAllocatorError(err, 'Allocated')) {
          event(
            svc,
            IP_SOURCE,
            'ClusterIPAlreadyAllocated',
            `Cluster IP [${family}]:${ip} was assigned to multiple services; please recreate service`,
          );
        } else if (isAllocatorError(err, 'NotInRange')) {
          event(
            svc,
            IP_SOURCE,
            'ClusterIPOutOfRange',
            `Cluster IP [${family}]:${ip} is not within the service CIDR ${rebuilt.cidr}; please recreate service`,
          );
        } else {
          throw err;
        }
        continue;
      }
      alloc.leakCounters.ips.delete(ip);
      const live = alloc.ipAllocators.get(family)!;
      if (repairLive && !live.has(ip)) {
        event(
          svc,
          IP_SOURCE,
          'ClusterIPNotAllocated',
          `Cluster IP [${family}]:${ip} is not allocated; repairing`,
        );
        live.allocate(ip);
      }
    }
  }

  for (const svc of services) {
    for (const port of collectHeldNodePorts(svc)) {
      try {
        ports.allocate(port);
      } catch (err) {
        if (isAllocatorError(err, 'Allocated')) {
          event(
            svc,
            PORT_SOURCE,
            'PortAlreadyAllocated',
            `Port ${port} was assigned to multiple services; please recreate service`,
          );
        } else if (isAllocatorError(err, 'NotInRange')) {
          event(
            svc,
            PORT_SOURCE,
            'PortOutOfRange',
            `Port ${port} is not within the port range ${ports.range}; please recreate service`,
          );
        } else {
          throw err;
        }
        continue;
      }
      alloc.leakCounters.ports.delete(port);
      if (repairLive && !alloc.nodePorts.has(port)) {
        event(svc, PORT_SOURCE, 'PortNotAllocated', `Port ${port} is not allocated; repairing`);
        alloc.nodePorts.allocate(port);
      }
    }
  }
  return { ips, ports, findings };
}

/** Startup: the allocators become exactly what the stored Services hold, plus open transactions. */
export function repair(alloc: ServiceAllocator, services: readonly Service[]): RepairFinding[] {
  const rebuilt = rebuild(alloc, services, false);
  for (const [family, live] of alloc.ipAllocators) {
    const fresh = rebuilt.ips.get(family)!;
    const keep = [...fresh.values(), ...[...live.values()].filter((ip) => alloc.inFlight.ips.has(ip))];
    live.reset();
    for (const ip of keep) if (!live.has(ip)) live.allocate(ip);
  }
  const keepPorts = [
    ...rebuilt.ports.values(),
    ...[...alloc.nodePorts.values()].filter((p) => alloc.inFlight.ports.has(p)),
  ];
  alloc.nodePorts.reset();
  for (const p of keepPorts) if (!alloc.nodePorts.has(p)) alloc.nodePorts.allocate(p);
  alloc.leakCounters.ips.clear();
  alloc.leakCounters.ports.clear();
  return rebuilt.findings;
}

/**
 * Periodic: re-allocates missing values, and counts down values allocated
 * but owned by no stored Service and no open transaction; the third
 * consecutive sighting releases them.
 */
export function findLeaks(alloc: ServiceAllocator, services: readonly Service[]): LeakCheck {
  const rebuilt = rebuild(alloc, services, true);
  const leaks: LeakFinding[] = [];

  const check = <K>(
    live: Iterable<K>,
    owned: (k: K) => boolean,
    inFlight: Map<K, number>,
    counters: Map<K, number>,
    release: (k: K) => void,
    kind: LeakFinding['kind'],
    noun: string,
  ) => {
    const candidates = new Set<K>();
    for (const k of [...live]) {
      if (owned(k) || inFlight.has(k)) continue;
      candidates.add(k);
      const count = counters.get(k);
      if (count === undefined) {
        counters.set(k, NUM_REPAIRS_BEFORE_LEAK_CLEANUP - 2);
        leaks.push({
          kind,
          value: String(k),
          released: false,
          message: `the ${noun} ${k} may have leaked: flagging for later clean up`,
        });
      } else if (count > 0) {
        counters.set(k, count - 1);
      } else {
        release(k);
        counters.delete(k);
        candidates.delete(k);
        leaks.push({
          kind,
          value: String(k),
          released: true,
          message: `the ${noun} ${k} appears to have leaked: cleaning up`,
        });
      }
    }
    // A value that stopped looking leaked starts from scratch if it ever does again.
    for (const k of [...counters.keys()]) if (!candidates.has(k)) counters.delete(k);
  };

  const ipCandidates: [IPRangeAllocator, IPRangeAllocator][] = [...alloc.ipAllocators].map(([f, live]) => [
    live,
    rebuilt.ips.get(f)!,
  ]);
  // One counter map across families: textual IPs of different families never collide.
  const allLiveIPs = ipCandidates.flatMap(([live]) => [...live.values()]);
  const ownedIP = (ip: string) => ipCandidates.some(([, fresh]) => fresh.has(ip));
  const releaseIP = (ip: string) => {
    for (const [live] of ipCandidates) live.release(ip);
  };
  check(
    allLiveIPs,
    ownedIP,
    alloc.inFlight.ips,
    alloc.leakCounters.ips,
    releaseIP,
    'ClusterIP',
    'cluster IP',
  );
  check(
    alloc.nodePorts.values(),
    (p) => rebuilt.ports.has(p),
    alloc.inFlight.ports,
    alloc.leakCounters.ports,
    (p) => alloc.nodePorts.release(p),
    'NodePort',
    'node port',
  );
  return { findings: rebuilt.findings, leaks, released: leaks.filter((l) => l.released) };
}
