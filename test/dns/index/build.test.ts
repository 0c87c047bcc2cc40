import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reverseName } from '../../../src/dns/index/addresses.js';
import { buildIndex, type IndexInput, indexStats } from '../../../src/dns/index/build.js';
import type { IndexConfig } from '../../../src/dns/index/config.js';
import { ns, pod, type Rendered, render, slice, svc } from './helpers.js';

const SERIAL = 1700000000;
const SOA = `cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${SERIAL} 7200 1800 86400 5`;
const tcp = (name: string, port: number) => ({ name, port, protocol: 'TCP' });

function fixture(config: Partial<IndexConfig> = {}): IndexInput {
  return {
    namespaces: [ns('default'), ns('kube-system'), ns('other')],
    services: [
      svc('default', 'web', { clusterIPs: ['10.96.0.20'], ports: [tcp('http', 80), tcp('https', 443)] }),
      svc('default', 'dual', { clusterIPs: ['10.96.0.30', 'fd00::30'], ports: [tcp('http', 80)] }),
      svc('default', 'h', { clusterIPs: ['None'], ports: [tcp('http', 8080), tcp('metrics', 9090)] }),
      svc('default', 'h6', { clusterIPs: ['None'], ports: [tcp('http', 80)] }),
      svc('default', 'hds', { clusterIPs: ['None', 'None'], ports: [tcp('pg', 5432)] }),
      svc('default', 'empty', { clusterIPs: ['None'], ports: [tcp('http', 80)] }),
      svc('default', 'noep', { clusterIPs: ['10.96.0.40'], ports: [tcp('http', 80)] }),
      svc('default', 'noports', { clusterIPs: ['None'] }),
      svc('default', 'unnamed', { clusterIPs: ['10.96.0.50'], ports: [{ port: 80, protocol: 'TCP' }] }),
      svc('default', 'ext', { type: 'ExternalName', externalName: 'example.com' }),
      svc('default', 'extin', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
      svc('default', 'extchain', { type: 'ExternalName', externalName: 'ext.default.svc.cluster.local.' }),
      svc('default', 'extloop', { type: 'ExternalName', externalName: 'extloop.default.svc.cluster.local' }),
      svc('kube-system', 'kube-dns', {
        clusterIPs: ['10.96.0.10'],
        ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, tcp('dns-tcp', 53), tcp('metrics', 9153)],
      }),
      svc('other', 'web', { clusterIPs: ['10.96.1.20'], ports: [tcp('http', 80)] }),
    ],
    slices: [
      slice(
        'default',
        'web',
        'web-a',
        [{ ip: '10.0.0.1' }, { ip: '10.0.0.2', ready: true }, { ip: '10.0.0.3', ready: false }],
        [tcp('http', 8080), tcp('https', 8443)],
      ),
      slice(
        'default',
        'h',
        'h-a',
        [
          { ip: '10.0.1.1', hostname: 'web-0' },
          { ip: '10.0.1.2', hostname: 'web-1' },
          { ip: '10.0.1.3', hostname: 'web-2' },
          { ip: '10.0.1.4', hostname: 'web-3', ready: false },
        ],
        [tcp('http', 8080), tcp('metrics', 9090)],
      ),
      slice('default', 'h6', 'h6-a', [{ ip: 'fd00::1:1' }, { ip: 'fd00:1::' }], [tcp('http', 80)], 'IPv6'),
      slice('default', 'hds', 'hds-v4', [{ ip: '10.0.2.1', hostname: 'db-0' }], [tcp('pg', 5432)]),
      slice('default', 'hds', 'hds-v6', [{ ip: 'fd00::2:1', hostname: 'db-0' }], [tcp('pg', 5432)], 'IPv6'),
      slice('default', 'empty', 'empty-a', [{ ip: '10.0.3.1', ready: false }], [tcp('http', 80)]),
      slice('default', 'noports', 'noports-a', [{ ip: '10.0.4.1' }]),
      slice('default', 'orphan', 'orphan-a', [{ ip: '10.0.5.1' }], [tcp('http', 80)]),
    ],
    pods: [
      pod('default', 'p1', '10.244.0.5'),
      pod('default', 'gone', '10.244.0.6', true),
      pod('other', 'p2', '10.244.0.7'),
    ],
    config: { serial: SERIAL, ...config },
  };
}

type Want = Partial<Rendered> & { rcode?: string };
type Case = [name: string, type: string, want: Want];

const NODATA: Want = { rcode: 'NOERROR', answer: [], authority: [SOA] };
const NXDOMAIN: Want = { rcode: 'NXDOMAIN', answer: [], authority: [SOA] };

function run(input: IndexInput, cases: Case[]): void {
  const index = buildIndex(input);
  for (const [name, type, want] of cases) {
    test(`${name} ${type}`, () => {
      const got = render(index.lookup({ name, type }));
      const expected: Rendered = {
        rcode: want.rcode ?? 'NOERROR',
        answer: want.answer ?? [],
        authority: want.authority ?? [],
        additional: want.additional ?? [],
      };
      if (want.chase !== undefined) expected.chase = want.chase;
      assert.deepEqual(got, expected);
    });
  }
}

describe('ClusterIP services', () => {
  run(fixture(), [
    ['web.default.svc.cluster.local', 'A', { answer: ['web.default.svc.cluster.local. 5 IN A 10.96.0.20'] }],
    ['web.default.svc.cluster.local.', 'A', { answer: ['web.default.svc.cluster.local. 5 IN A 10.96.0.20'] }],
    ['web.other.svc.cluster.local', 'A', { answer: ['web.other.svc.cluster.local. 5 IN A 10.96.1.20'] }],
    ['web.default.svc.cluster.local', 'AAAA', NODATA],
    [
      'dual.default.svc.cluster.local',
      'A',
      { answer: ['dual.default.svc.cluster.local. 5 IN A 10.96.0.30'] },
    ],
    [
      'dual.default.svc.cluster.local',
      'AAAA',
      { answer: ['dual.default.svc.cluster.local. 5 IN AAAA fd00::30'] },
    ],
    // No endpoints at all: the cluster IP is still answered.
    [
      'noep.default.svc.cluster.local',
      'A',
      { answer: ['noep.default.svc.cluster.local. 5 IN A 10.96.0.40'] },
    ],
    [
      '_http._tcp.web.default.svc.cluster.local',
      'SRV',
      {
        answer: [
          '_http._tcp.web.default.svc.cluster.local. 5 IN SRV 0 100 80 web.default.svc.cluster.local.',
        ],
        additional: ['web.default.svc.cluster.local. 5 IN A 10.96.0.20'],
      },
    ],
    [
      'web.default.svc.cluster.local',
      'SRV',
      {
        answer: [
          'web.default.svc.cluster.local. 5 IN SRV 0 50 80 web.default.svc.cluster.local.',
          'web.default.svc.cluster.local. 5 IN SRV 0 50 443 web.default.svc.cluster.local.',
        ],
        additional: ['web.default.svc.cluster.local. 5 IN A 10.96.0.20'],
      },
    ],
    [
      'dual.default.svc.cluster.local',
      'SRV',
      {
        answer: ['dual.default.svc.cluster.local. 5 IN SRV 0 50 80 dual.default.svc.cluster.local.'],
        additional: [
          'dual.default.svc.cluster.local. 5 IN A 10.96.0.30',
          'dual.default.svc.cluster.local. 5 IN AAAA fd00::30',
        ],
      },
    ],
    [
      '_dns._udp.kube-dns.kube-system.svc.cluster.local',
      'SRV',
      {
        answer: [
          '_dns._udp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.',
        ],
        additional: ['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10'],
      },
    ],
    // A port name or protocol the service does not have: the name does not exist.
    ['_http._udp.web.default.svc.cluster.local', 'SRV', NXDOMAIN],
    ['_ftp._tcp.web.default.svc.cluster.local', 'SRV', NXDOMAIN],
    ['foo.bar.web.default.svc.cluster.local', 'A', NXDOMAIN],
    // Unnamed ports have no _port._proto SRV, but the bare name lists them (CoreDNS).
    ['_http._tcp.unnamed.default.svc.cluster.local', 'SRV', NXDOMAIN],
    [
      'unnamed.default.svc.cluster.local',
      'SRV',
      {
        answer: ['unnamed.default.svc.cluster.local. 5 IN SRV 0 100 80 unnamed.default.svc.cluster.local.'],
        additional: ['unnamed.default.svc.cluster.local. 5 IN A 10.96.0.50'],
      },
    ],
    // CoreDNS serves endpoint names for ClusterIP services too; ready ones only.
    [
      '10-0-0-1.web.default.svc.cluster.local',
      'A',
      { answer: ['10-0-0-1.web.default.svc.cluster.local. 5 IN A 10.0.0.1'] },
    ],
    ['10-0-0-3.web.default.svc.cluster.local', 'A', NXDOMAIN],
    ['10-0-0-1.web.default.svc.cluster.local', 'AAAA', NODATA],
  ]);
});

describe('headless services', () => {
  const hA = ['10.0.1.1', '10.0.1.2', '10.0.1.3'].map((ip) => `h.default.svc.cluster.local. 5 IN A ${ip}`);
  const glue = ['web-0', 'web-1', 'web-2'].map(
    (h, i) => `${h}.h.default.svc.cluster.local. 5 IN A 10.0.1.${i + 1}`,
  );
  run(fixture(), [
    ['h.default.svc.cluster.local', 'A', { answer: hA }],
    ['h.default.svc.cluster.local', 'AAAA', NODATA],
    [
      'web-1.h.default.svc.cluster.local',
      'A',
      { answer: ['web-1.h.default.svc.cluster.local. 5 IN A 10.0.1.2'] },
    ],
    ['web-3.h.default.svc.cluster.local', 'A', NXDOMAIN],
    ['web-9.h.default.svc.cluster.local', 'A', NXDOMAIN],
    // 3 endpoints × 1 matching port: weight floor(100/3).
    [
      '_http._tcp.h.default.svc.cluster.local',
      'SRV',
      {
        answer: ['web-0', 'web-1', 'web-2'].map(
          (h) =>
            `_http._tcp.h.default.svc.cluster.local. 5 IN SRV 0 33 8080 ${h}.h.default.svc.cluster.local.`,
        ),
        additional: glue,
      },
    ],
    // 3 endpoints × 2 ports: six records of weight floor(100/6).
    [
      'h.default.svc.cluster.local',
      'SRV',
      {
        answer: ['web-0', 'web-1', 'web-2'].flatMap((h) =>
          [8080, 9090].map(
            (p) => `h.default.svc.cluster.local. 5 IN SRV 0 16 ${p} ${h}.h.default.svc.cluster.local.`,
          ),
        ),
        additional: glue,
      },
    ],
    [
      'web-2.h.default.svc.cluster.local',
      'SRV',
      {
        answer: [8080, 9090].map(
          (p) => `web-2.h.default.svc.cluster.local. 5 IN SRV 0 50 ${p} web-2.h.default.svc.cluster.local.`,
        ),
        additional: ['web-2.h.default.svc.cluster.local. 5 IN A 10.0.1.3'],
      },
    ],
    // No ready endpoint: NXDOMAIN whatever the type.
    ['empty.default.svc.cluster.local', 'A', NXDOMAIN],
    ['empty.default.svc.cluster.local', 'AAAA', NXDOMAIN],
    ['empty.default.svc.cluster.local', 'SRV', NXDOMAIN],
    ['empty.default.svc.cluster.local', 'TXT', NODATA],
    // IPv6 endpoints without hostnames: dashed labels, a trailing dash gets a 0.
    [
      'h6.default.svc.cluster.local',
      'AAAA',
      {
        answer: [
          'h6.default.svc.cluster.local. 5 IN AAAA fd00::1:1',
          'h6.default.svc.cluster.local. 5 IN AAAA fd00:1::',
        ],
      },
    ],
    ['h6.default.svc.cluster.local', 'A', NODATA],
    [
      'fd00--1-1.h6.default.svc.cluster.local',
      'AAAA',
      { answer: ['fd00--1-1.h6.default.svc.cluster.local. 5 IN AAAA fd00::1:1'] },
    ],
    [
      'fd00-1--0.h6.default.svc.cluster.local',
      'AAAA',
      { answer: ['fd00-1--0.h6.default.svc.cluster.local. 5 IN AAAA fd00:1::'] },
    ],
    // Dual-stack StatefulSet-style: one name, both families, one SRV per port.
    [
      'db-0.hds.default.svc.cluster.local',
      'A',
      { answer: ['db-0.hds.default.svc.cluster.local. 5 IN A 10.0.2.1'] },
    ],
    [
      'db-0.hds.default.svc.cluster.local',
      'AAAA',
      { answer: ['db-0.hds.default.svc.cluster.local. 5 IN AAAA fd00::2:1'] },
    ],
    [
      '_pg._tcp.hds.default.svc.cluster.local',
      'SRV',
      {
        answer: [
          '_pg._tcp.hds.default.svc.cluster.local. 5 IN SRV 0 50 5432 db-0.hds.default.svc.cluster.local.',
        ],
        additional: [
          'db-0.hds.default.svc.cluster.local. 5 IN A 10.0.2.1',
          'db-0.hds.default.svc.cluster.local. 5 IN AAAA fd00::2:1',
        ],
      },
    ],
    // A slice without ports: addresses, but nothing for SRV to point at.
    [
      'noports.default.svc.cluster.local',
      'A',
      { answer: ['noports.default.svc.cluster.local. 5 IN A 10.0.4.1'] },
    ],
    ['noports.default.svc.cluster.local', 'SRV', NODATA],
  ]);
});

describe('PTR', () => {
  run(fixture(), [
    [
      '20.0.96.10.in-addr.arpa',
      'PTR',
      { answer: ['20.0.96.10.in-addr.arpa. 5 IN PTR web.default.svc.cluster.local.'] },
    ],
    [
      '1.1.0.10.in-addr.arpa',
      'PTR',
      { answer: ['1.1.0.10.in-addr.arpa. 5 IN PTR web-0.h.default.svc.cluster.local.'] },
    ],
    [
      '1.0.0.10.in-addr.arpa',
      'PTR',
      { answer: ['1.0.0.10.in-addr.arpa. 5 IN PTR 10-0-0-1.web.default.svc.cluster.local.'] },
    ],
    // A slice whose service is gone still answers its PTR, as CoreDNS's endpoint index does.
    [
      '1.5.0.10.in-addr.arpa',
      'PTR',
      { answer: ['1.5.0.10.in-addr.arpa. 5 IN PTR 10-0-5-1.orphan.default.svc.cluster.local.'] },
    ],
    [
      reverseName('fd00::30'),
      'PTR',
      { answer: [`${reverseName('fd00::30')}. 5 IN PTR dual.default.svc.cluster.local.`] },
    ],
    [
      reverseName('fd00:1::'),
      'PTR',
      { answer: [`${reverseName('fd00:1::')}. 5 IN PTR fd00-1--0.h6.default.svc.cluster.local.`] },
    ],
    [
      '3.0.0.10.in-addr.arpa',
      'PTR',
      { ...NXDOMAIN, authority: [SOA.replaceAll('cluster.local', 'in-addr.arpa')] },
    ],
    [
      '9.9.9.10.in-addr.arpa',
      'PTR',
      { ...NXDOMAIN, authority: [SOA.replaceAll('cluster.local', 'in-addr.arpa')] },
    ],
    ['10.in-addr.arpa', 'PTR', { ...NXDOMAIN, authority: [SOA.replaceAll('cluster.local', 'in-addr.arpa')] }],
    ['in-addr.arpa', 'SOA', { answer: [SOA.replaceAll('cluster.local', 'in-addr.arpa')] }],
    ['web.default.svc.cluster.local', 'PTR', NODATA],
    ['nope.default.svc.cluster.local', 'PTR', NXDOMAIN],
  ]);
});

describe('ExternalName services', () => {
  run(fixture(), [
    [
      'ext.default.svc.cluster.local',
      'A',
      { answer: ['ext.default.svc.cluster.local. 5 IN CNAME example.com.'], chase: 'example.com' },
    ],
    [
      'ext.default.svc.cluster.local',
      'AAAA',
      { answer: ['ext.default.svc.cluster.local. 5 IN CNAME example.com.'], chase: 'example.com' },
    ],
    [
      'ext.default.svc.cluster.local',
      'CNAME',
      { answer: ['ext.default.svc.cluster.local. 5 IN CNAME example.com.'] },
    ],
    ['ext.default.svc.cluster.local', 'SRV', NODATA],
    ['ext.default.svc.cluster.local', 'TXT', NODATA],
    ['x.ext.default.svc.cluster.local', 'A', NXDOMAIN],
    [
      'extin.default.svc.cluster.local',
      'A',
      {
        answer: [
          'extin.default.svc.cluster.local. 5 IN CNAME web.default.svc.cluster.local.',
          'web.default.svc.cluster.local. 5 IN A 10.96.0.20',
        ],
      },
    ],
    // The in-zone target has no AAAA: CoreDNS drops the CNAME and answers NODATA.
    ['extin.default.svc.cluster.local', 'AAAA', NODATA],
    [
      'extchain.default.svc.cluster.local',
      'A',
      {
        answer: [
          'extchain.default.svc.cluster.local. 5 IN CNAME ext.default.svc.cluster.local.',
          'ext.default.svc.cluster.local. 5 IN CNAME example.com.',
        ],
        chase: 'example.com',
      },
    ],
    ['extloop.default.svc.cluster.local', 'A', NODATA],
  ]);
});

describe('pods', () => {
  const insecure: Case[] = [
    [
      '10-244-0-5.default.pod.cluster.local',
      'A',
      { answer: ['10-244-0-5.default.pod.cluster.local. 5 IN A 10.244.0.5'] },
    ],
    // insecure echoes any valid address, pod or not.
    [
      '10-244-0-99.default.pod.cluster.local',
      'A',
      { answer: ['10-244-0-99.default.pod.cluster.local. 5 IN A 10.244.0.99'] },
    ],
    ['10-244-0-5.default.pod.cluster.local', 'AAAA', NODATA],
    [
      'fd00--5.default.pod.cluster.local',
      'AAAA',
      { answer: ['fd00--5.default.pod.cluster.local. 5 IN AAAA fd00::5'] },
    ],
    ['1-2-3.default.pod.cluster.local', 'A', NXDOMAIN],
    ['010-1-1-1.default.pod.cluster.local', 'A', NXDOMAIN],
    ['1-2-3-256.default.pod.cluster.local', 'A', NXDOMAIN],
    ['10-244-0-5.nope.pod.cluster.local', 'A', NXDOMAIN],
    ['default.pod.cluster.local', 'A', NODATA],
  ];
  describe('insecure (default)', () => run(fixture(), insecure));
  describe('disabled', () =>
    run(fixture({ pods: 'disabled' }), [
      ['10-244-0-5.default.pod.cluster.local', 'A', NXDOMAIN],
      ['default.pod.cluster.local', 'A', NXDOMAIN],
    ]));
  describe('verified', () =>
    run(fixture({ pods: 'verified' }), [
      [
        '10-244-0-5.default.pod.cluster.local',
        'A',
        { answer: ['10-244-0-5.default.pod.cluster.local. 5 IN A 10.244.0.5'] },
      ],
      ['10-244-0-99.default.pod.cluster.local', 'A', NXDOMAIN],
      // Being deleted, or in another namespace.
      ['10-244-0-6.default.pod.cluster.local', 'A', NXDOMAIN],
      ['10-244-0-7.default.pod.cluster.local', 'A', NXDOMAIN],
      [
        '10-244-0-7.other.pod.cluster.local',
        'A',
        { answer: ['10-244-0-7.other.pod.cluster.local. 5 IN A 10.244.0.7'] },
      ],
    ]));
});

describe('zone apex, NS and dns-version', () => {
  run(fixture(), [
    ['dns-version.cluster.local', 'TXT', { answer: ['dns-version.cluster.local. 28800 IN TXT "1.1.0"'] }],
    ['cluster.local', 'SOA', { answer: [SOA] }],
    [
      'cluster.local',
      'NS',
      {
        answer: ['cluster.local. 5 IN NS kube-dns.kube-system.svc.cluster.local.'],
        additional: ['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10'],
      },
    ],
    ['ns.dns.cluster.local', 'A', { answer: ['ns.dns.cluster.local. 5 IN A 10.96.0.10'] }],
    ['ns.dns.cluster.local', 'AAAA', NODATA],
    ['cluster.local', 'A', NODATA],
    ['svc.cluster.local', 'A', NODATA],
    ['pod.cluster.local', 'A', NODATA],
    // CoreDNS answers SOA only at the apex and TXT only for dns-version: NODATA elsewhere.
    ['web.default.svc.cluster.local', 'SOA', NODATA],
    ['web.default.svc.cluster.local', 'NS', NODATA],
    ['nope.default.svc.cluster.local', 'NS', NXDOMAIN],
    ['web.default.svc.cluster.local', 'TXT', NODATA],
    ['cluster.local', 'AXFR', { rcode: 'REFUSED' }],
    ['cluster.local', 'IXFR', { rcode: 'REFUSED' }],
  ]);

  test('NS from the endpoints holding a local address, then the addresses themselves', () => {
    const input = fixture({ localIPs: ['10.0.1.2'] });
    let got = render(buildIndex(input).lookup({ name: 'cluster.local', type: 'NS' }));
    assert.deepEqual(got.answer, [
      'cluster.local. 5 IN NS web-0.h.default.svc.cluster.local.',
      'cluster.local. 5 IN NS web-1.h.default.svc.cluster.local.',
      'cluster.local. 5 IN NS web-2.h.default.svc.cluster.local.',
    ]);
    assert.deepEqual(got.additional, glueH());
    const bare: IndexInput = {
      namespaces: [],
      services: [],
      slices: [],
      config: { localIPs: ['127.0.0.1'] },
    };
    got = render(buildIndex(bare).lookup({ name: 'ns.dns.cluster.local', type: 'A' }));
    assert.deepEqual(got.answer, ['ns.dns.cluster.local. 5 IN A 127.0.0.1']);
    got = render(buildIndex(bare).lookup({ name: 'cluster.local', type: 'NS' }));
    assert.deepEqual(got.answer, ['cluster.local. 5 IN NS ns.dns.cluster.local.']);
    assert.deepEqual(got.additional, ['ns.dns.cluster.local. 5 IN A 127.0.0.1']);
  });
});

function glueH(): string[] {
  return ['web-0', 'web-1', 'web-2'].map(
    (h, i) => `${h}.h.default.svc.cluster.local. 5 IN A 10.0.1.${i + 1}`,
  );
}

describe('negative answers', () => {
  run(fixture(), [
    ['nope.default.svc.cluster.local', 'A', NXDOMAIN],
    ['nope.default.svc.cluster.local', 'AAAA', NXDOMAIN],
    ['nope.default.svc.cluster.local', 'SRV', NXDOMAIN],
    ['nope.default.svc.cluster.local', 'MX', NXDOMAIN],
    ['web.default.svc.cluster.local', 'MX', NODATA],
    // Unsupported types: a fake A lookup picks NODATA or NXDOMAIN.
    ['web.default.svc.cluster.local', 'HINFO', NODATA],
    ['web.default.svc.cluster.local', 'ANY', NODATA],
    ['nope.default.svc.cluster.local', 'HINFO', NXDOMAIN],
    // Namespaces exist only as Namespace objects.
    ['web.nope.svc.cluster.local', 'A', NXDOMAIN],
    ['nope.svc.cluster.local', 'A', NXDOMAIN],
    ['default.svc.cluster.local', 'A', NODATA],
    ['default.svc.cluster.local', 'SRV', NODATA],
    // Malformed or too long: NXDOMAIN, never SERVFAIL.
    ['a.b.c.web.default.svc.cluster.local', 'A', NXDOMAIN],
    ['web.default.foo.cluster.local', 'A', NXDOMAIN],
    ['dns.cluster.local', 'A', NXDOMAIN],
    [`${'x'.repeat(64)}.default.svc.cluster.local`, 'A', NXDOMAIN],
    ['web..default.svc.cluster.local', 'A', NXDOMAIN],
    [`${'a.'.repeat(130)}cluster.local`, 'A', NXDOMAIN],
  ]);

  test('the namespaces option hides other namespaces', () => {
    const index = buildIndex(fixture({ namespaces: ['other'] }));
    assert.equal(index.lookup({ name: 'web.default.svc.cluster.local', type: 'A' }).rcode, 'NXDOMAIN');
    assert.equal(index.lookup({ name: 'web.other.svc.cluster.local', type: 'A' }).rcode, 'NOERROR');
    assert.equal(index.lookup({ name: '20.0.96.10.in-addr.arpa', type: 'PTR' }).rcode, 'NXDOMAIN');
  });

  test('out-of-zone questions are refused, inZone says so', () => {
    const index = buildIndex(fixture());
    assert.equal(index.lookup({ name: 'example.com', type: 'A' }).rcode, 'REFUSED');
    for (const [name, want] of [
      ['cluster.local', true],
      ['Web.Default.SVC.Cluster.Local.', true],
      ['1.0.0.10.in-addr.arpa', true],
      ['in-addr.arpa', true],
      ['example.com', false],
      ['notcluster.local', false],
      ['', false],
    ] as const) {
      assert.equal(index.inZone(name), want, name);
    }
  });
});

describe('case', () => {
  const soa =
    'Cluster.Local. 5 IN SOA ns.dns.Cluster.Local. hostmaster.Cluster.Local. 1700000000 7200 1800 86400 5';
  run(fixture(), [
    ['WEB.Default.svc.CLUSTER.local', 'A', { answer: ['WEB.Default.svc.CLUSTER.local. 5 IN A 10.96.0.20'] }],
    [
      '_HTTP._Tcp.Web.Default.SVC.Cluster.Local',
      'SRV',
      {
        answer: [
          '_HTTP._Tcp.Web.Default.SVC.Cluster.Local. 5 IN SRV 0 100 80 web.default.svc.Cluster.Local.',
        ],
        additional: ['web.default.svc.Cluster.Local. 5 IN A 10.96.0.20'],
      },
    ],
    ['Nope.Default.svc.Cluster.Local', 'A', { rcode: 'NXDOMAIN', authority: [soa] }],
    ['Web.Default.svc.Cluster.Local', 'AAAA', { rcode: 'NOERROR', authority: [soa] }],
    ['DNS-Version.Cluster.Local', 'TXT', { answer: ['DNS-Version.Cluster.Local. 28800 IN TXT "1.1.0"'] }],
    [
      'WEB-1.H.default.svc.cluster.local',
      'A',
      { answer: ['WEB-1.H.default.svc.cluster.local. 5 IN A 10.0.1.2'] },
    ],
  ]);
});

describe('config', () => {
  test('ttl: records carry it, the SOA min(ttl, 300), capped at 3600', () => {
    for (const [ttl, rec, soaTtl, min] of [
      [30, 30, 30, 30],
      [600, 600, 300, 600],
      [5000, 3600, 300, 3600],
      [0, 0, 0, 0],
    ] as const) {
      const index = buildIndex(fixture({ ttl }));
      const a = index.lookup({ name: 'web.default.svc.cluster.local', type: 'A' });
      assert.equal(a.answers[0]?.type === 'A' && a.answers[0].ttl, rec);
      const n = index.lookup({ name: 'nope.default.svc.cluster.local', type: 'A' }).authority[0];
      assert.ok(n?.type === 'SOA');
      assert.equal(n.ttl, soaTtl);
      assert.equal(n.data.minimum, min);
    }
  });

  test('other zones: answers name the zone asked, PTRs the first forward zone', () => {
    const index = buildIndex(fixture({ zones: ['k8s.example.', 'cluster.local', 'in-addr.arpa'] }));
    const lines = (name: string, type: string) => render(index.lookup({ name, type })).answer;
    assert.deepEqual(lines('web.default.svc.cluster.local', 'A'), [
      'web.default.svc.cluster.local. 5 IN A 10.96.0.20',
    ]);
    assert.deepEqual(lines('web.default.svc.k8s.example', 'A'), [
      'web.default.svc.k8s.example. 5 IN A 10.96.0.20',
    ]);
    assert.deepEqual(lines('20.0.96.10.in-addr.arpa', 'PTR'), [
      '20.0.96.10.in-addr.arpa. 5 IN PTR web.default.svc.k8s.example.',
    ]);
    assert.equal(index.inZone(reverseName('fd00::30')), false);
  });
});

describe('indexStats', () => {
  test('counts services by kind, ready addresses, reverse names and pods', () => {
    assert.deepEqual(indexStats(buildIndex(fixture())), {
      namespaces: 3,
      services: 15,
      clusterIP: 6,
      headless: 5,
      externalName: 4,
      endpoints: 11,
      reverse: 18,
      pods: 2,
    });
  });
});

describe('addresses that do not parse (strictly, as CoreDNS)', () => {
  const input: IndexInput = {
    namespaces: [ns('default')],
    services: [
      // Stored before strict validation: libc would read 010 as 8, so no record rather than a guess.
      svc('default', 'lz', { clusterIPs: ['10.96.010.7'], ports: [tcp('http', 80)] }),
      svc('default', 'half', { clusterIPs: ['10.96.0.61', 'fd00::6::1'], ports: [tcp('http', 80)] }),
      svc('default', 'h', { clusterIPs: ['None'], ports: [tcp('http', 80)] }),
    ],
    slices: [slice('default', 'h', 'h-a', [{ ip: '10.0.7.01' }, { ip: '10.0.7.2' }], [tcp('http', 80)])],
    config: { serial: SERIAL },
  };
  const index = buildIndex(input);

  test('are reported per object, never dropped silently', () => {
    assert.deepEqual(index.problems(), [
      {
        object: 'Service/default/lz',
        message: 'clusterIP "10.96.010.7" is not a valid IP address; no record',
      },
      {
        object: 'Service/default/half',
        message: 'clusterIP "fd00::6::1" is not a valid IP address; no record',
      },
      {
        object: 'EndpointSlice/default/h-a',
        message: 'endpoint address "10.0.7.01" is not a valid IP address; no record',
      },
    ]);
  });

  test('and the rest is answered', () => {
    assert.deepEqual(render(index.lookup({ name: 'half.default.svc.cluster.local.', type: 'A' })).answer, [
      'half.default.svc.cluster.local. 5 IN A 10.96.0.61',
    ]);
    assert.deepEqual(render(index.lookup({ name: 'h.default.svc.cluster.local.', type: 'A' })).answer, [
      'h.default.svc.cluster.local. 5 IN A 10.0.7.2',
    ]);
    assert.deepEqual(render(index.lookup({ name: 'lz.default.svc.cluster.local.', type: 'A' })).answer, []);
  });

  test('a clean index has none', () => assert.deepEqual(buildIndex(fixture()).problems(), []));
});
