import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import {
  type IPFamily,
  nodeEligible,
  ProxyHealthServer,
  TO_BE_DELETED_TAINT,
} from '../../../src/proxy/health/proxy.js';
import { ProxyMetrics } from '../../../src/proxy/metrics.js';
import { FakeClock, get } from './httpget.js';

const HOST = '127.97.201.1';
// 2024-01-02 03:04:05.123456 UTC
const T0 = Date.UTC(2024, 0, 2, 3, 4, 5) + 123.456;
const T0_TEXT = '2024-01-02 03:04:05.123456 +0000 UTC';

const node = (tweak: (n: Node) => void = () => {}): Node => {
  const n: Node = { metadata: { name: 'n1' }, spec: {} };
  tweak(n);
  return n;
};
const tainted = (key: string) => node((n) => (n.spec = { taints: [{ key, effect: 'NoSchedule' }] }));
const deleted = () => node((n) => (n.metadata = { name: 'n1', deletionTimestamp: '2024-01-02T03:04:05Z' }));

async function counterValue(metrics: ProxyMetrics, name: string, code: string): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => v.labels.code === code)?.value ?? 0;
}

describe('ProxyHealthServer over HTTP', () => {
  const clock = new FakeClock(T0);
  const metrics = new ProxyMetrics();
  const hs = new ProxyHealthServer({ bindAddress: `${HOST}:0`, healthTimeoutMs: 10_000, clock, metrics });
  before(() => hs.start());
  after(() => hs.stop());

  test('answers 200 at start-up with exact body and headers', async () => {
    const r = await get(HOST, hs.port, '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.body, `{"lastUpdated": "${T0_TEXT}","currentTime": "${T0_TEXT}", "nodeEligible": true}`);
    const l = await get(HOST, hs.port, '/livez');
    assert.equal(l.status, 200);
    assert.equal(l.body, `{"lastUpdated": "${T0_TEXT}","currentTime": "${T0_TEXT}"}`);
    assert.equal(l.headers['content-type'], 'application/json');
  });

  test('unknown paths are Go 404s', async () => {
    const r = await get(HOST, hs.port, '/healthz/x');
    assert.equal(r.status, 404);
    assert.equal(r.body, '404 page not found\n');
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  });

  test('healthz 200 → 503 once a queued update waits 2×syncPeriod → 200 after updated()', async () => {
    hs.updated();
    const updatedAt = clock.now();
    clock.step(25_000);
    assert.equal((await get(HOST, hs.port, '/healthz')).status, 200, 'nothing queued: healthy however old');
    hs.queuedUpdate();
    clock.step(9_999);
    assert.equal((await get(HOST, hs.port, '/healthz')).status, 200, 'queued but not late yet');
    hs.queuedUpdate(); // a later queue does not move the oldest pending time
    clock.step(1);
    const late = await get(HOST, hs.port, '/healthz');
    assert.equal(late.status, 503);
    // Unhealthy: lastUpdated is the last real update, not now.
    assert.equal(updatedAt, T0);
    assert.equal(
      late.body,
      `{"lastUpdated": "${T0_TEXT}","currentTime": "2024-01-02 03:04:40.123456 +0000 UTC", "nodeEligible": true}`,
    );
    assert.equal((await get(HOST, hs.port, '/livez')).status, 503);
    hs.updated();
    assert.equal((await get(HOST, hs.port, '/healthz')).status, 200);
    assert.equal((await get(HOST, hs.port, '/livez')).status, 200);
  });

  test('metrics count every answer by code', async () => {
    assert.equal(await counterValue(metrics, 'kubeproxy_proxy_healthz_total', '200'), 4);
    assert.equal(await counterValue(metrics, 'kubeproxy_proxy_healthz_total', '503'), 1);
    assert.equal(await counterValue(metrics, 'kubeproxy_proxy_livez_total', '200'), 2);
    assert.equal(await counterValue(metrics, 'kubeproxy_proxy_livez_total', '503'), 1);
  });

  test('nodeEligible false for a deleting or ToBeDeleted-tainted node; livez ignores the node', async () => {
    const cases: [string, Node | undefined, number][] = [
      ['other taint', tainted('other'), 200],
      ['ToBeDeleted taint', tainted(TO_BE_DELETED_TAINT), 503],
      ['other taint again', tainted('other'), 200],
      ['being deleted', deleted(), 503],
      ['plain node', node(), 200],
      ['node gone', undefined, 503],
    ];
    for (const [name, n, status] of cases) {
      hs.setNode(n);
      const r = await get(HOST, hs.port, '/healthz');
      assert.equal(r.status, status, name);
      assert.ok(r.body.endsWith(`"nodeEligible": ${status === 200}}`), `${name}: ${r.body}`);
      assert.equal((await get(HOST, hs.port, '/livez')).status, 200, `${name}: livez`);
    }
    hs.setNode(node());
  });
});

describe('ProxyHealthServer state (upstream testProxyHealthUpdater sequence)', () => {
  test('dual-stack: each family must catch up', () => {
    const clock = new FakeClock(T0);
    const hs = new ProxyHealthServer({ healthTimeoutMs: 10_000, clock });
    // Each step: families updated, then families queued, then time passed (ms); expected health.
    type Step = { name: string; update?: IPFamily[]; queue?: IPFamily[]; wait?: number; healthy: boolean };
    const both: IPFamily[] = ['IPv4', 'IPv6'];
    const steps: Step[] = [
      { name: 'default', healthy: true },
      { name: 'first updates', update: both, healthy: true },
      { name: 'no queue, time passes', wait: 25_000, healthy: true },
      { name: 'IPv4 late', queue: ['IPv4'], wait: 25_000, healthy: false },
      { name: 'both update', update: both, wait: 5_000, healthy: true },
      { name: 'IPv6 late', queue: ['IPv6'], wait: 25_000, healthy: false },
      { name: 'both update', update: both, wait: 5_000, healthy: true },
      { name: 'both late', queue: both, wait: 25_000, healthy: false },
      { name: 'both update', update: both, wait: 5_000, healthy: true },
      { name: 'IPv6 late', queue: ['IPv6'], wait: 25_000, healthy: false },
      { name: 'IPv4 update does not help', update: ['IPv4'], healthy: false },
      { name: 'IPv6 update', update: ['IPv6'], healthy: true },
      { name: 'both late', queue: both, wait: 25_000, healthy: false },
      { name: 'IPv4 only', update: ['IPv4'], healthy: false },
      { name: 'IPv6 too', update: ['IPv6'], healthy: true },
    ];
    for (const s of steps) {
      for (const f of s.update ?? []) hs.updated(f);
      for (const f of s.queue ?? []) hs.queuedUpdate(f);
      clock.step(s.wait ?? 0);
      assert.equal(hs.isHealthy(), s.healthy, s.name);
    }
  });

  test('a family with no update on record is healthy while starting up', () => {
    const clock = new FakeClock(T0);
    const hs = new ProxyHealthServer({ healthTimeoutMs: 10_000, clock });
    hs.queuedUpdate('IPv4');
    clock.step(60_000);
    assert.deepEqual(hs.health(), { healthy: true, lastUpdated: undefined });
    hs.updated('IPv4');
    assert.deepEqual(hs.health(), { healthy: true, lastUpdated: T0 + 60_000 });
  });

  test('nodeEligible', () => {
    assert.equal(nodeEligible(node()), true);
    assert.equal(nodeEligible(tainted('other')), true);
    assert.equal(nodeEligible(tainted(TO_BE_DELETED_TAINT)), false);
    assert.equal(nodeEligible(deleted()), false);
    assert.equal(nodeEligible(undefined), false);
  });

  test('a bind failure is reported in upstream words', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, HOST, r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const hs = new ProxyHealthServer({ bindAddress: `${HOST}:${port}`, healthTimeoutMs: 1000 });
      await assert.rejects(hs.start(), {
        message: `failed to start proxy healthz on ${HOST}:${port}: listen tcp ${HOST}:${port}: bind: address already in use`,
      });
      await hs.stop();
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
