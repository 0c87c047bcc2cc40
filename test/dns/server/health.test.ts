import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DnsMetrics, startHealthServer, typeLabel } from '../../../src/dns/metrics.js';

describe('DnsMetrics', () => {
  it('uses CoreDNS names, labels and buckets', async () => {
    const m = new DnsMetrics();
    m.report({
      server: 'dns://127.0.0.1:53',
      zone: '.',
      proto: 'udp',
      family: 1,
      qtype: 'SRV',
      rcode: 'NOERROR',
      plugin: 'kubernetes',
      seconds: 0.0001,
      requestBytes: 40,
      responseBytes: 120,
      dnssecOk: false,
    });
    m.observeProgramming('cluster_ip', 0.5);
    const text = await m.text();
    for (const line of [
      'coredns_dns_requests_total{server="dns://127.0.0.1:53",zone=".",view="",proto="udp",family="1",type="SRV"} 1',
      'coredns_dns_responses_total{server="dns://127.0.0.1:53",zone=".",view="",rcode="NOERROR",plugin="kubernetes"} 1',
      'coredns_dns_request_duration_seconds_bucket{le="0.00025",server="dns://127.0.0.1:53",zone=".",view="",type="SRV"} 1',
      'coredns_dns_request_duration_seconds_bucket{le="8.192",server="dns://127.0.0.1:53",zone=".",view="",type="SRV"} 1',
      'coredns_dns_response_size_bytes_bucket{le="511",server="dns://127.0.0.1:53",zone=".",view="",proto="udp"} 1',
      'coredns_kubernetes_dns_programming_duration_seconds_bucket{le="0.512",service_kind="cluster_ip"} 1',
      'coredns_kubernetes_dns_programming_duration_seconds_bucket{le="524.288",service_kind="cluster_ip"} 1',
      '# TYPE coredns_cache_hits_total counter',
      '# TYPE coredns_cache_misses_total counter',
      '# TYPE coredns_forward_requests_total counter',
    ]) {
      assert.ok(text.includes(line), `missing ${line}`);
    }
  });

  it('counts problems per object while they last (svcnet_dns_object_problems)', async () => {
    const m = new DnsMetrics();
    m.setObjectProblems([
      { object: 'Service/default/lz' },
      { object: 'EndpointSlice/default/h-a' },
      { object: 'EndpointSlice/default/h-a' },
    ]);
    const text = await m.text();
    assert.ok(text.includes('svcnet_dns_object_problems{kind="Service",namespace="default",name="lz"} 1'));
    assert.ok(
      text.includes('svcnet_dns_object_problems{kind="EndpointSlice",namespace="default",name="h-a"} 2'),
    );
    m.setObjectProblems([]);
    assert.ok(!(await m.text()).includes('svcnet_dns_object_problems{'));
  });

  it('labels uncommon query types "other"', () => {
    const cases: [string, string][] = [
      ['A', 'A'],
      ['AXFR', 'AXFR'],
      ['UNKNOWN_65', 'HTTPS'],
      ['NAPTR', 'other'],
      ['UNKNOWN_99', 'other'],
    ];
    for (const [t, want] of cases) assert.equal(typeLabel(t), want);
  });
});

describe('startHealthServer', () => {
  it('serves /health, /ready (503 until ready) and /metrics', async () => {
    let ready = false;
    const metrics = new DnsMetrics();
    const hs = await startHealthServer({ address: '127.0.0.1', port: 0, ready: () => ready, metrics });
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${hs.port}${path}`);
      return { status: r.status, body: await r.text() };
    };
    try {
      assert.deepEqual(await get('/health'), { status: 200, body: 'OK' });
      assert.deepEqual(await get('/ready'), { status: 503, body: 'kubernetes' });
      ready = true;
      assert.deepEqual(await get('/ready'), { status: 200, body: 'OK' });
      const m = await get('/metrics');
      assert.equal(m.status, 200);
      assert.match(m.body, /# TYPE coredns_dns_requests_total counter/);
      assert.equal((await get('/nope')).status, 404);
    } finally {
      await hs.close();
    }
  });
});
