import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ProxyHealthServer } from '../../src/proxy/health/proxy.js';
import {
  exponentialBuckets,
  MetricsServer,
  NETWORK_PROGRAMMING_BUCKETS,
  ProxyMetrics,
  SYNC_BUCKETS,
} from '../../src/proxy/metrics.js';
import { get } from './health/httpget.js';

const HOST = '127.97.202.1';

describe('ProxyMetrics', () => {
  test('buckets as upstream', () => {
    assert.deepEqual(exponentialBuckets(1, 2, 4), [1, 2, 4, 8]);
    assert.equal(SYNC_BUCKETS.length, 15);
    assert.equal(SYNC_BUCKETS[0], 0.001);
    assert.equal(SYNC_BUCKETS[14], 16.384);
    // MergeBuckets' leading 0, then 0.25, 0.5, 1..59, 60..115, 120..300.
    assert.equal(NETWORK_PROGRAMMING_BUCKETS.length, 1 + 2 + 59 + 12 + 7);
    assert.deepEqual(NETWORK_PROGRAMMING_BUCKETS.slice(0, 5), [0, 0.25, 0.5, 1, 2]);
    assert.deepEqual(NETWORK_PROGRAMMING_BUCKETS.slice(-3), [240, 270, 300]);
  });

  test('process metrics count file descriptors, as Go kube-proxy exports them', async () => {
    const text = await new ProxyMetrics({ processMetrics: true }).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    assert.ok(value('process_open_fds') > 0, 'process_open_fds');
    assert.ok(value('process_max_fds') >= value('process_open_fds'), 'process_max_fds');
  });

  test('helpers feed the right series', async () => {
    const m = new ProxyMetrics();
    m.observeSync(0.002, 'full');
    m.observeSync(0.003, 'partial');
    m.observeSync(0.004);
    m.synced(1_700_000_000_500);
    m.queued(1_700_000_000_000);
    const ep = { namespace: 'ns', service: 'web', port: 'http', endpoint: '127.245.1.1:8080' };
    m.connectionOpened(ep);
    m.connectionOpened(ep);
    m.connectionClosed(ep);
    m.setFrontendErrors([
      { namespace: 'ns', service: 'web', port: 'http', frontend: '127.97.1.1:80/TCP', reason: 'EACCES' },
      {
        namespace: 'ns',
        service: 'db',
        port: '',
        frontend: '127.97.1.2:5432/SCTP',
        reason: 'UnsupportedProtocol',
      },
    ]);
    m.setFrontendErrors([
      { namespace: 'ns', service: 'web', port: 'http', frontend: '127.97.1.1:80/TCP', reason: 'EACCES' },
    ]);
    const text = await m.text();
    const lines = new Set(text.split('\n'));
    for (const want of [
      'kubeproxy_sync_proxy_rules_duration_seconds_count 3',
      'kubeproxy_sync_full_proxy_rules_duration_seconds_count 1',
      'kubeproxy_sync_partial_proxy_rules_duration_seconds_count 1',
      'kubeproxy_sync_full_proxy_rules_duration_seconds_bucket{le="0.002"} 1',
      'kubeproxy_sync_proxy_rules_last_timestamp_seconds 1700000000.5',
      'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds 1700000000',
      'svcnet_proxy_endpoint_connections_total{namespace="ns",service="web",port="http",endpoint="127.245.1.1:8080"} 2',
      'svcnet_proxy_endpoint_active_connections{namespace="ns",service="web",port="http",endpoint="127.245.1.1:8080"} 1',
      'svcnet_proxy_frontend_errors{namespace="ns",service="web",port="http",frontend="127.97.1.1:80/TCP",reason="EACCES"} 1',
    ]) {
      assert.ok(lines.has(want), `missing line: ${want}`);
    }
    assert.ok(!text.includes('UnsupportedProtocol'), 'replaced frontend errors are gone');
    m.forgetEndpoint(ep);
    assert.ok(!(await m.text()).includes('127.245.1.1:8080'));
  });

  test('two instances do not share a registry', async () => {
    const a = new ProxyMetrics();
    const b = new ProxyMetrics();
    a.endpointChangesTotal.inc(5);
    assert.ok((await a.text()).includes('kubeproxy_sync_proxy_rules_endpoint_changes_total 5'));
    assert.ok((await b.text()).includes('kubeproxy_sync_proxy_rules_endpoint_changes_total 0'));
  });
});

describe('MetricsServer over HTTP', () => {
  const metrics = new ProxyMetrics();
  let server: MetricsServer;
  let health: ProxyHealthServer;
  before(async () => {
    server = await MetricsServer.start({
      bindAddress: `${HOST}:0`,
      proxyMode: 'userspace',
      metrics,
      configz: () => ({ mode: 'userspace' }),
    });
    health = new ProxyHealthServer({ bindAddress: `${HOST}:0`, healthTimeoutMs: 60_000, metrics });
    await health.start();
  });
  after(async () => {
    await server.stop();
    await health.stop();
  });

  test('/metrics has every upstream name, with help texts and types', async () => {
    await get(HOST, health.port, '/healthz');
    await get(HOST, health.port, '/livez');
    const r = await get(HOST, server.port, '/metrics');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const names: [string, string, string][] = [
      ['kubeproxy_sync_proxy_rules_duration_seconds', 'histogram', 'SyncProxyRules latency in seconds'],
      [
        'kubeproxy_sync_full_proxy_rules_duration_seconds',
        'histogram',
        'SyncProxyRules latency in seconds for full resyncs',
      ],
      [
        'kubeproxy_sync_partial_proxy_rules_duration_seconds',
        'histogram',
        'SyncProxyRules latency in seconds for partial resyncs',
      ],
      [
        'kubeproxy_network_programming_duration_seconds',
        'histogram',
        'In Cluster Network Programming Latency in seconds',
      ],
      [
        'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
        'gauge',
        'The last time proxy rules were successfully synced',
      ],
      [
        'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds',
        'gauge',
        'The last time a sync of proxy rules was queued',
      ],
      [
        'kubeproxy_sync_proxy_rules_endpoint_changes_pending',
        'gauge',
        'Pending proxy rules Endpoint changes',
      ],
      [
        'kubeproxy_sync_proxy_rules_endpoint_changes_total',
        'counter',
        'Cumulative proxy rules Endpoint changes',
      ],
      ['kubeproxy_sync_proxy_rules_service_changes_pending', 'gauge', 'Pending proxy rules Service changes'],
      [
        'kubeproxy_sync_proxy_rules_service_changes_total',
        'counter',
        'Cumulative proxy rules Service changes',
      ],
      ['kubeproxy_proxy_healthz_total', 'counter', 'Cumulative proxy healthz HTTP status'],
      ['kubeproxy_proxy_livez_total', 'counter', 'Cumulative proxy livez HTTP status'],
    ];
    for (const [name, type, help] of names) {
      assert.ok(r.body.includes(`# HELP ${name} [ALPHA] ${help}\n`), `help of ${name}`);
      assert.ok(r.body.includes(`# TYPE ${name} ${type}\n`), `type of ${name}`);
    }
    for (const name of [
      'svcnet_proxy_endpoint_connections_total',
      'svcnet_proxy_endpoint_active_connections',
      'svcnet_proxy_frontend_errors',
    ]) {
      assert.ok(r.body.includes(`# TYPE ${name} `), name);
    }
    assert.ok(r.body.includes('kubeproxy_proxy_healthz_total{code="200"} 1\n'));
    assert.ok(r.body.includes('kubeproxy_proxy_livez_total{code="200"} 1\n'));
    assert.ok(r.body.includes('kubeproxy_network_programming_duration_seconds_bucket{le="300"} 0\n'));
  });

  test('/proxyMode, /healthz, /configz and 404', async () => {
    const cases: [string, number, string, string][] = [
      ['/proxyMode', 200, 'text/plain; charset=utf-8', 'userspace'],
      ['/healthz', 200, 'text/plain; charset=utf-8', 'ok'],
      ['/healthz/ping', 200, 'text/plain; charset=utf-8', 'ok'],
      ['/healthz?verbose', 200, 'text/plain; charset=utf-8', '[+]ping ok\nhealthz check passed\n'],
      ['/configz', 200, 'application/json', '{"kubeproxy.config.k8s.io":{"mode":"userspace"}}'],
      ['/nope', 404, 'text/plain; charset=utf-8', '404 page not found\n'],
    ];
    for (const [path, status, type, body] of cases) {
      const r = await get(HOST, server.port, path);
      assert.equal(r.status, status, path);
      assert.equal(r.headers['content-type'], type, path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(r.body, body, path);
    }
  });

  test('a bind failure is reported in upstream words', async () => {
    await assert.rejects(
      MetricsServer.start({ bindAddress: `${HOST}:${server.port}`, proxyMode: 'x', metrics }),
      {
        message: `starting metrics server failed: listen tcp ${HOST}:${server.port}: bind: address already in use`,
      },
    );
  });
});
