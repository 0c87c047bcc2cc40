import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { ServiceAllocator } from '../../../../src/api/registry/service/alloc.js';
import { collectHeldNodePorts, isServiceIPSet } from '../../../../src/api/registry/service/fields.js';
import { serviceHooks } from '../../../../src/api/registry/service/hooks.js';
import { StatusError } from '../../../../src/k8s/status.js';
import { held, seeded, svc, tcp, udp } from './helpers.js';

/** What stored Services own: every cluster IP and held node port, each exactly once. */
function owned(store: Map<string, Service>): { ips: string[]; ports: number[] } {
  const ips: string[] = [];
  const ports: number[] = [];
  for (const s of store.values()) {
    if (isServiceIPSet(s)) ips.push(...s.spec!.clusterIPs!);
    ports.push(...collectHeldNodePorts(s));
  }
  return { ips, ports };
}

const sorted = <T>(xs: T[]): T[] => [...xs].sort((x, y) => String(x).localeCompare(String(y)));

test('hundreds of interleaved creates, updates and deletes with random failures: no duplicates, no leaks', async (t) => {
  const rnd = seeded(20240611);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  // Small ranges, so that values are reused and ranges run full.
  const alloc = new ServiceAllocator({
    serviceCIDRs: ['10.0.0.0/26', 'fd00::/122'],
    nodePortRange: '30000-30063',
    random: (n) => Math.floor(rnd() * n),
  });
  const hooks = serviceHooks(alloc);
  const store = new Map<string, Service>();
  const pause = async () => {
    for (let i = Math.floor(rnd() * 4); i > 0; i--) await new Promise((r) => setImmediate(r));
  };
  const stats = { created: 0, failed: 0, rejected: 0, updated: 0, conflicts: 0, deleted: 0 };

  const specs = (): ServiceSpec => {
    const kind = pick([
      'ClusterIP',
      'NodePort',
      'LoadBalancer',
      'LoadBalancerLocal',
      'Headless',
      'ExternalName',
    ]);
    const policy = pick(['SingleStack', 'PreferDualStack', undefined] as const);
    const ports = rnd() < 0.3 ? [tcp(53), udp(53)] : [tcp(80)];
    switch (kind) {
      case 'ExternalName':
        return { type: 'ExternalName', externalName: 'example.com' };
      case 'Headless':
        return { type: 'ClusterIP', clusterIP: 'None', ports };
      case 'LoadBalancer':
      case 'LoadBalancerLocal':
        return {
          type: 'LoadBalancer',
          ipFamilyPolicy: policy,
          allocateLoadBalancerNodePorts: rnd() < 0.8,
          externalTrafficPolicy: kind === 'LoadBalancer' ? 'Cluster' : 'Local',
          ports,
        };
      default:
        return { type: kind as 'ClusterIP' | 'NodePort', ipFamilyPolicy: policy, ports };
    }
  };

  const create = async (i: number) => {
    await pause();
    const s = svc(`s${i}`, specs());
    const dryRun = rnd() < 0.1;
    let finish: (ok: boolean) => void;
    try {
      finish = hooks.beginCreate(s, { dryRun, namespace: 'default' });
    } catch (err) {
      assert.ok(err instanceof StatusError && err.code === 500, String(err)); // a full range
      stats.rejected++;
      return;
    }
    hooks.prepareForCreate(s);
    await pause(); // the write to the store is in flight
    if (dryRun || rnd() < 0.25) {
      finish(false);
      stats.failed++;
      return;
    }
    store.set(s.metadata!.name!, s);
    finish(true);
    stats.created++;
  };

  const updateOne = async () => {
    await pause();
    const names = [...store.keys()];
    if (names.length === 0) return;
    const old = store.get(pick(names))!;
    const next = structuredClone(old);
    const target = specs();
    next.spec = { ...target, selector: old.spec!.selector };
    let finish: (ok: boolean) => void;
    try {
      finish = hooks.beginUpdate(next, old, { dryRun: false, namespace: 'default' });
    } catch (err) {
      assert.ok(err instanceof StatusError && [422, 500].includes(err.code), String(err));
      stats.rejected++;
      return;
    }
    hooks.prepareForUpdate(next, old);
    await pause();
    // Compare-and-swap: a concurrent update or delete wins, this write fails.
    if (store.get(old.metadata!.name!) !== old || rnd() < 0.2) {
      finish(false);
      stats.conflicts++;
      return;
    }
    store.set(old.metadata!.name!, next);
    finish(true);
    stats.updated++;
  };

  const deleteOne = async () => {
    await pause();
    const names = [...store.keys()];
    if (names.length === 0) return;
    const name = pick(names);
    const s = store.get(name)!;
    store.delete(name);
    hooks.afterDelete(s);
    stats.deleted++;
  };

  let running = true;
  const checks = { runs: 0, released: 0 };
  const leakLoop = async () => {
    while (running) {
      const list = [...store.values()]; // listed, then checked a moment later, like the real loop
      await pause();
      await new Promise((r) => setImmediate(r));
      const { leaks } = alloc.findLeaks(list);
      checks.runs++;
      const now = owned(store);
      for (const l of leaks.filter((x) => x.released)) {
        checks.released++;
        assert.ok(
          !now.ips.includes(l.value) && !now.ports.includes(Number(l.value)),
          `released a live value ${l.value}`,
        );
      }
    }
  };

  const loop = leakLoop();
  const ops: Promise<void>[] = [];
  for (let i = 0; i < 400; i++) {
    const r = rnd();
    ops.push(r < 0.6 ? create(i) : r < 0.8 ? updateOne() : deleteOne());
    // Start them over time, so leak checks interleave with all phases.
    if (i % 10 === 9) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(ops);
  running = false;
  await loop;

  // No value is owned twice, and every owned value is allocated.
  const own = owned(store);
  assert.equal(new Set(own.ips).size, own.ips.length, 'duplicate cluster IP');
  assert.equal(new Set(own.ports).size, own.ports.length, 'duplicate node port');
  assert.equal(alloc.inFlight.ips.size + alloc.inFlight.ports.size, 0, 'every transaction settled');

  // Values a stale check re-allocated for just-deleted Services are leaks that fresh checks clean up.
  for (let i = 0; i < 3; i++) {
    const { findings } = alloc.findLeaks([...store.values()]);
    assert.deepEqual(findings, [], 'stored Services are all allocated and consistent');
  }
  assert.deepEqual(
    { ips: sorted(held(alloc).ips), ports: sorted(held(alloc).ports) },
    { ips: sorted(own.ips), ports: sorted(own.ports) },
    'the allocators hold exactly what the stored Services own',
  );
  assert.ok(
    stats.created > 100 && stats.failed > 20 && stats.updated > 10 && stats.deleted > 10,
    JSON.stringify(stats),
  );
  assert.ok(checks.runs > 10, JSON.stringify(checks));
  t.diagnostic(JSON.stringify({ stats, checks }));
});
