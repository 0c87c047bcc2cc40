import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createLogger, type Logger, silentLogger } from '../../src/lib/log.js';
import type { ApplyResult, BackendStats, ProxyBackend } from '../../src/proxy/backend.js';
import { BACKEND_MODES, createBackend } from '../../src/proxy/backends.js';
import { SUPPORTED_MODES } from '../../src/proxy/config/types.js';
import { ProxyHealthServer } from '../../src/proxy/health/proxy.js';
import { ServiceHealthServer } from '../../src/proxy/health/service.js';
import { ProxyMetrics } from '../../src/proxy/metrics.js';
import type { NodeState } from '../../src/proxy/model/types.js';
import { Proxier } from '../../src/proxy/proxier.js';
import { ManualClock } from '../lib/clock.js';
import { ep, NODE, node, slice, svc } from './model/fixtures.js';

/** A backend that records what it is given: the seam seen from the proxier's side. */
class RecordingBackend implements ProxyBackend {
  readonly mode = 'recording';
  readonly capabilities = {
    schedulers: ['random'] as const,
    protocols: ['TCP', 'UDP'] as const,
    drop: { TCP: 'silent', UDP: 'silent' } as const,
  };
  readonly applied: Pick<NodeState, 'services'>[] = [];
  result: ApplyResult = { applied: 0, failed: [], unsupported: [] };
  counters: BackendStats = { endpoints: [], frontends: [] };
  stopped = false;

  async apply(state: Pick<NodeState, 'services'>): Promise<ApplyResult> {
    this.applied.push(state);
    return this.result;
  }
  stats(): BackendStats {
    return this.counters;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

const NODE_IP = '127.97.205.1';
let proxiers: Proxier[] = [];
afterEach(async () => {
  await Promise.all(proxiers.map((p) => p.stop()));
  proxiers = [];
});

function setup(opts: { minSyncPeriodMs?: number; clock?: ManualClock; log?: Logger } = {}) {
  const backend = new RecordingBackend();
  const objects = {
    services: [] as Service[],
    slices: [] as EndpointSlice[],
    node: node() as Node | undefined,
  };
  const metrics = new ProxyMetrics();
  const health = new ProxyHealthServer({ healthTimeoutMs: 60_000 });
  const proxier = new Proxier({
    backend,
    source: {
      services: () => objects.services,
      slices: () => objects.slices,
      node: () => objects.node,
      service: (key) => objects.services.find((s) => `${s.metadata?.namespace}/${s.metadata?.name}` === key),
      slicesOf: (ns, name) =>
        objects.slices.filter(
          (s) => s.metadata?.namespace === ns && s.metadata?.labels?.['kubernetes.io/service-name'] === name,
        ),
    },
    log: opts.log ?? silentLogger,
    nodeName: NODE,
    nodeIPs: [NODE_IP],
    nodePortAddresses: [],
    scheduler: 'random',
    syncPeriodMs: 60_000,
    minSyncPeriodMs: opts.minSyncPeriodMs ?? 0,
    clock: opts.clock,
    metrics,
    health,
    serviceHealth: new ServiceHealthServer({ hostname: NODE, nodeIPs: [NODE_IP], proxyHealth: health }),
  });
  proxiers.push(proxier);
  proxier.start();
  return { backend, objects, metrics, health, proxier };
}

const metricLines = async (m: ProxyMetrics) => new Set((await m.text()).split('\n'));

describe('Proxier', () => {
  it('hands the backend the whole state, frontends without endpoints included (the model decides)', async () => {
    const { backend, objects, proxier, health } = setup();
    const empty = svc('empty', { clusterIP: '127.97.205.10' });
    const web = svc('web', { clusterIP: '127.97.205.11' });
    objects.services.push(empty, web);
    objects.slices.push(slice('web', 'web-1', [ep('127.245.205.1')]));
    proxier.onServiceChange(undefined, empty);
    proxier.onServiceChange(undefined, web);
    await proxier.synced();
    const last = backend.applied.at(-1)!;
    assert.deepEqual(
      [...last.services.values()].map((s) => `${s.key} ${s.frontends.map((f) => f.action).join(',')}`),
      ['ns/empty:http/TCP reject', 'ns/web:http/TCP serve'],
    );
    assert.equal(proxier.state()?.services.size, 2);
    assert.ok(health.health().lastUpdated !== undefined, 'health saw the update');
    assert.equal(proxier.mode, 'recording');
  });

  it('reports failed frontends, Local policies without local endpoints, and endpoint traffic as metrics', async () => {
    const { backend, objects, proxier, metrics } = setup();
    const etp = svc('etp', {
      type: 'NodePort',
      clusterIP: '127.97.205.12',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', port: 80, nodePort: 30205, protocol: 'TCP' }],
    });
    const itp = svc('itp', { clusterIP: '127.97.205.13', internalTrafficPolicy: 'Local' });
    objects.services.push(etp, itp);
    objects.slices.push(
      slice('etp', 'etp-1', [ep('127.245.205.2')]),
      slice('itp', 'itp-1', [ep('127.245.205.3'), ep('127.245.205.4', 'RL')]),
    );
    backend.result = {
      applied: 2,
      failed: [
        {
          service: 'ns/itp:http/TCP',
          frontend: 'TCP/127.97.205.13:80',
          kind: 'ClusterIP',
          message: 'listen tcp 127.97.205.13:80: address already in use',
          code: 'EADDRINUSE',
        },
      ],
      unsupported: [],
    };
    // Two frontends of one service port reach one endpoint: one series, summed.
    backend.counters = {
      endpoints: [
        {
          service: 'ns/etp:http/TCP',
          frontend: 'TCP/127.97.205.12:80',
          endpoint: '127.245.205.2:8080',
          active: 1,
          inactive: 0,
          total: 3,
        },
        {
          service: 'ns/etp:http/TCP',
          frontend: `TCP/${NODE_IP}:30205`,
          endpoint: '127.245.205.2:8080',
          active: 0,
          inactive: 2,
          total: 4,
        },
      ],
      frontends: [],
    };
    proxier.onServiceChange(undefined, etp);
    await proxier.synced();
    const lines = await metricLines(metrics);
    for (const want of [
      'svcnet_proxy_frontend_errors{namespace="ns",service="itp",port="http",frontend="TCP/127.97.205.13:80",reason="EADDRINUSE"} 1',
      'kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy="external"} 1',
      'kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy="internal"} 0',
      'svcnet_proxy_endpoint_connections_total{namespace="ns",service="etp",port="http",endpoint="127.245.205.2:8080"} 7',
      'svcnet_proxy_endpoint_active_connections{namespace="ns",service="etp",port="http",endpoint="127.245.205.2:8080"} 3',
      'kubeproxy_sync_full_proxy_rules_duration_seconds_count 1',
    ]) {
      assert.ok(lines.has(want), `missing line: ${want}`);
    }
    // The local itp endpoint leaves: its ClusterIP now drops.
    objects.slices[1] = slice('itp', 'itp-1', [ep('127.245.205.3')]);
    proxier.onEndpointSliceChange(undefined, objects.slices[1]);
    await proxier.synced();
    assert.ok(
      (await metricLines(metrics)).has(
        'kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy="internal"} 1',
      ),
    );
  });

  it('reports an address it cannot parse: a warning once, and a metric per object while it lasts', async () => {
    const lines: string[] = [];
    const { objects, proxier, metrics } = setup({ log: createLogger({ write: (l) => lines.push(l) }) });
    const bad = svc('bad', { clusterIP: '127.97.205.300' });
    objects.services.push(bad);
    objects.slices.push(slice('bad', 'bad-1', [ep('127.245.205.999')]));
    proxier.onServiceChange(undefined, bad);
    await proxier.synced();
    await proxier.synced();
    const text = await metricLines(metrics);
    for (const want of [
      'svcnet_proxy_object_problems{kind="Service",namespace="ns",name="bad"} 1',
      'svcnet_proxy_object_problems{kind="EndpointSlice",namespace="ns",name="bad-1"} 1',
    ])
      assert.ok(text.has(want), `missing line: ${want}`);
    const warnings = lines.filter((l) => l.startsWith('W') && l.includes('"Skipped"'));
    assert.equal(warnings.length, 2, warnings.join(''));
    assert.match(
      warnings.join(''),
      /clusterIP \\"127\.97\.205\.300\\" is not a valid IP address; not served/,
    );
    // Fixed: the series goes.
    objects.services[0] = svc('bad', { clusterIP: '127.97.205.30' });
    objects.slices[0] = slice('bad', 'bad-1', [ep('127.245.205.9')]);
    proxier.onServiceChange(bad, objects.services[0]);
    await proxier.synced();
    assert.ok(![...(await metricLines(metrics))].some((l) => l.startsWith('svcnet_proxy_object_problems{')));
  });

  it('counts frontends left out for want of descriptors or over the cap per service port, not one series each', async () => {
    const { backend, objects, proxier, metrics } = setup();
    const huge = svc('huge', {
      clusterIP: '127.97.205.40',
      ports: [1, 2, 3].map((n) => ({ name: `p${n}`, port: n, protocol: 'TCP' as const })),
    });
    objects.services.push(huge);
    const failed = (port: number, code: string, ip = '127.97.205.40') => ({
      service: `ns/huge:p${port}/TCP`,
      frontend: `TCP/${ip}:${port}`,
      kind: 'ClusterIP' as const,
      message: 'not served',
      code,
    });
    backend.result = {
      applied: 0,
      failed: [
        failed(1, 'ServiceFrontendLimit'),
        failed(1, 'ServiceFrontendLimit', NODE_IP),
        failed(1, 'EMFILE'),
        failed(2, 'ServiceFrontendLimit'),
      ],
      unsupported: [],
    };
    proxier.onServiceChange(undefined, huge);
    await proxier.synced();
    const lines = await metricLines(metrics);
    for (const want of [
      'svcnet_proxy_frontend_errors{namespace="ns",service="huge",port="p1",frontend="",reason="ServiceFrontendLimit"} 2',
      'svcnet_proxy_frontend_errors{namespace="ns",service="huge",port="p1",frontend="",reason="EMFILE"} 1',
      'svcnet_proxy_frontend_errors{namespace="ns",service="huge",port="p2",frontend="",reason="ServiceFrontendLimit"} 1',
    ])
      assert.ok(lines.has(want), `missing line: ${want}`);
  });

  it('stop stops the backend', async () => {
    const { backend, proxier } = setup();
    await proxier.synced();
    await proxier.stop();
    assert.equal(backend.stopped, true);
  });
});

describe('backends by mode', () => {
  it('has a backend for every mode the configuration accepts, and none other', () => {
    assert.deepEqual([...BACKEND_MODES].sort(), [...SUPPORTED_MODES].sort());
  });

  it('builds the userspace backend (also for a blank mode); an unknown mode is an error', async () => {
    for (const mode of ['userspace', '']) {
      const b = createBackend(mode, { log: silentLogger, defaultScheduler: 'random' });
      assert.equal(b.mode, 'userspace');
      await b.stop();
    }
    assert.throws(
      () => createBackend('nftables', { log: silentLogger, defaultScheduler: 'random' }),
      /unknown proxy mode "nftables" \(have: userspace\)/,
    );
  });

  it('a Node heartbeat does not sync; a change of its labels or addresses does', async () => {
    const clock = new ManualClock();
    const { backend, objects, proxier } = setup({ clock });
    await clock.advance(0);
    const n = node();
    proxier.onNodeChange(n);
    await clock.advance(0);
    const applied = backend.applied.length;
    proxier.onNodeChange({ ...n, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    await clock.advance(5000);
    assert.equal(backend.applied.length, applied, 'a status heartbeat asked for no sync');
    objects.node = node('zone-b');
    proxier.onNodeChange(objects.node);
    await clock.advance(0);
    assert.equal(backend.applied.length, applied + 1, 'a new zone label did');
  });

  it('two syncs start back to back, then one per minSyncPeriod, but the first ready endpoint of a Service at once', async () => {
    const clock = new ManualClock();
    const { backend, objects, proxier } = setup({ minSyncPeriodMs: 1000, clock });
    await clock.advance(0);
    assert.equal(backend.applied.length, 1, 'the first sync');
    const web = svc('web', { clusterIP: '127.97.205.12' });
    objects.services.push(web);
    proxier.onServiceChange(undefined, web);
    await clock.advance(0);
    assert.equal(backend.applied.length, 2, 'the second token');
    const other = svc('other', { clusterIP: '127.97.205.13' });
    objects.services.push(other);
    proxier.onServiceChange(undefined, other);
    await clock.advance(0);
    assert.equal(backend.applied.length, 2, 'the bucket is empty: this change waits');
    // web refuses (no endpoints); its first ready endpoint does not wait.
    const first = slice('web', 'web-1', [ep('127.245.205.2')]);
    objects.slices.push(first);
    proxier.onEndpointSliceChange(undefined, first);
    await clock.advance(0);
    assert.equal(backend.applied.length, 3);
    const served = [...backend.applied.at(-1)!.services.values()].find((s) => s.name === 'web')!;
    assert.deepEqual(
      served.frontends.map((f) => f.action),
      ['serve'],
    );
    // Once served, more endpoints wait for a token as usual.
    const more = slice('web', 'web-1', [ep('127.245.205.2'), ep('127.245.205.3')]);
    objects.slices[objects.slices.indexOf(first)] = more;
    proxier.onEndpointSliceChange(first, more);
    await clock.advance(999);
    assert.equal(backend.applied.length, 3);
    await clock.advance(1);
    assert.equal(backend.applied.length, 4);
  });
});
