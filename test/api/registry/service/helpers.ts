/** Builders shared by the Service registry tests. */
import assert from 'node:assert/strict';
import type { Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { ServiceAllocator, type ServiceAllocatorConfig } from '../../../../src/api/registry/service/alloc.js';
import { StatusError } from '../../../../src/k8s/status.js';

export const V4 = '10.96.0.0/12';
export const V6 = 'fd00::/108';

/** Deterministic: dynamic allocation takes the lowest free value of the upper band first. */
export function newAlloc(
  cidrs: string[] = [V4],
  more: Partial<ServiceAllocatorConfig> = {},
): ServiceAllocator {
  return new ServiceAllocator({ serviceCIDRs: cidrs, random: () => 0, ...more });
}

export function svc(
  name: string,
  spec: ServiceSpec,
  selector: Record<string, string> | null = { app: name },
): Service {
  const s: Service = {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: structuredClone(spec),
  };
  if (selector && s.spec!.type !== 'ExternalName' && !s.spec!.selector) s.spec!.selector = selector;
  return s;
}

export const tcp = (port: number, more: Partial<ServicePort> = {}): ServicePort => ({
  name: `p${port}`,
  protocol: 'TCP',
  port,
  targetPort: port,
  ...more,
});
export const udp = (port: number, more: Partial<ServicePort> = {}): ServicePort =>
  tcp(port, { name: `u${port}`, protocol: 'UDP', ...more });

/** The fields allocation owns. */
export function ipFields(s: Service) {
  const { clusterIP, clusterIPs, ipFamilies, ipFamilyPolicy } = s.spec ?? {};
  return { clusterIP, clusterIPs, ipFamilies, ipFamilyPolicy };
}

export const nodePorts = (s: Service): (number | undefined)[] => (s.spec?.ports ?? []).map((p) => p.nodePort);

/** Everything the allocator holds, for "nothing leaked / nothing reserved" checks. */
export function held(a: ServiceAllocator): { ips: string[]; ports: number[] } {
  return {
    ips: [...a.ipAllocators.values()].flatMap((r) => [...r.values()]),
    ports: [...a.nodePorts.values()],
  };
}

export function assertStatus(fn: () => unknown, code: number, message: string): StatusError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, `expected a StatusError, got ${String(err)}`);
    assert.equal(err.message, message);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected ${code}: ${message}`);
}

/** A small seeded PRNG (mulberry32), for reproducible random interleavings. */
export function seeded(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
