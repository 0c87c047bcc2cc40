import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../../src/dns/index/config.js';
import { isMalformed, matchZone, parseRequest } from '../../../src/dns/index/names.js';

describe('parseRequest (CoreDNS parse.go grammar)', () => {
  const r = (p: Partial<NonNullable<ReturnType<typeof parseRequest>>>) => ({
    port: '',
    protocol: '',
    endpoint: '',
    service: '',
    namespace: '',
    podOrSvc: '',
    ...p,
  });
  test('table', () => {
    for (const [base, want] of [
      ['', r({})],
      ['svc', r({})],
      ['pod', r({})],
      ['default.svc', r({ podOrSvc: 'svc', namespace: 'default' })],
      ['web.default.svc', r({ podOrSvc: 'svc', namespace: 'default', service: 'web' })],
      [
        'web-0.web.default.svc',
        r({ podOrSvc: 'svc', namespace: 'default', service: 'web', endpoint: 'web-0' }),
      ],
      [
        '_http._tcp.web.default.svc',
        r({ podOrSvc: 'svc', namespace: 'default', service: 'web', port: 'http', protocol: 'tcp' }),
      ],
      [
        'http.tcp.web.default.svc',
        r({ podOrSvc: 'svc', namespace: 'default', service: 'web', port: 'http', protocol: 'tcp' }),
      ],
      ['1-2-3-4.default.pod', r({ podOrSvc: 'pod', namespace: 'default', service: '1-2-3-4' })],
      ['a.b.c.web.default.svc', undefined],
      ['web.default.foo', undefined],
      ['dns', undefined],
    ] as const) {
      assert.deepEqual(parseRequest(base), want, base);
    }
  });
});

describe('zones and names', () => {
  test('matchZone picks the longest zone', () => {
    const zones = ['cluster.local', 'in-addr.arpa', '96.10.in-addr.arpa'];
    assert.equal(matchZone(zones, 'web.default.svc.cluster.local'), 'cluster.local');
    assert.equal(matchZone(zones, '10.0.96.10.in-addr.arpa'), '96.10.in-addr.arpa');
    assert.equal(matchZone(zones, '1.0.0.10.in-addr.arpa'), 'in-addr.arpa');
    assert.equal(matchZone(zones, 'xcluster.local'), undefined);
  });

  test('isMalformed: empty labels, long labels, long names', () => {
    assert.equal(isMalformed('a.b'), false);
    assert.equal(isMalformed('a..b'), true);
    assert.equal(isMalformed(`${'x'.repeat(63)}.b`), false);
    assert.equal(isMalformed(`${'x'.repeat(64)}.b`), true);
    assert.equal(isMalformed('a.'.repeat(127) + 'a'), true);
  });

  test('resolveConfig defaults and normalisation', () => {
    const c = resolveConfig();
    assert.deepEqual(c.zones, ['cluster.local', 'in-addr.arpa', 'ip6.arpa']);
    assert.equal(c.primaryZone, 'cluster.local');
    assert.equal(c.ttl, 5);
    assert.equal(c.pods, 'insecure');
    assert.deepEqual(c.dnsService, { namespace: 'kube-system', name: 'kube-dns' });
    const d = resolveConfig({ zones: ['in-addr.arpa', 'Cluster.Example.'], ttl: -3 });
    assert.deepEqual(d.zones, ['in-addr.arpa', 'cluster.example']);
    assert.equal(d.primaryZone, 'cluster.example');
    assert.equal(d.ttl, 0);
  });
});
