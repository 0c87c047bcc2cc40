import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSlice as V1EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  validateEndpointSlice,
  validateEndpointSliceUpdate,
} from '../../../src/api/validation/endpointslice.js';
import {
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  LABEL_VALUE,
  QNAME_NAME_PART,
  QNAME_TOO_MANY_SLASHES,
  strings,
  type Writable,
} from './messages.js';

type EndpointSlice = Writable<V1EndpointSlice>;

function slice(): EndpointSlice {
  return {
    metadata: {
      name: 'web-abc12',
      namespace: 'default',
      resourceVersion: '4',
      labels: { 'kubernetes.io/service-name': 'web' },
    },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.244.0.5'],
        conditions: { ready: true, serving: true, terminating: false },
        hostname: 'web-0',
        nodeName: 'node-1',
        zone: 'zone-a',
        hints: { forZones: [{ name: 'zone-a' }] },
        targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u' },
      },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }],
  };
}

const ep = (s: EndpointSlice) => s.endpoints[0]!;

const cases: [string, (s: EndpointSlice) => void, string[]][] = [
  ['valid', () => {}, []],
  ['no endpoints (placeholder slice)', (s) => (s.endpoints = []), []],
  [
    'IPv6',
    (s) => {
      s.addressType = 'IPv6';
      ep(s).addresses = ['fd00::5'];
    },
    [],
  ],
  [
    'FQDN',
    (s) => {
      s.addressType = 'FQDN';
      ep(s).addresses = ['db.example.com'];
    },
    [],
  ],
  ['addressType required', (s) => (s.addressType = ''), ['addressType: Required value']],
  [
    'addressType supported (IP is deprecated)',
    (s) => (s.addressType = 'IP'),
    ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"'],
  ],
  [
    'too many endpoints',
    (s) => (s.endpoints = Array.from({ length: 1001 }, () => ({ addresses: ['bogus'] }))),
    ['endpoints: Too many: 1001: must have at most 1000 items'],
  ],
  [
    '1000 endpoints',
    (s) => (s.endpoints = Array.from({ length: 1000 }, () => ({ addresses: ['10.0.0.1'] }))),
    [],
  ],
  [
    'an endpoint needs an address',
    (s) => (ep(s).addresses = []),
    ['endpoints[0].addresses: Required value: must contain at least 1 address'],
  ],
  [
    'too many addresses',
    (s) => (ep(s).addresses = Array.from({ length: 101 }, () => '10.0.0.1')),
    ['endpoints[0].addresses: Too many: 101: must have at most 100 items'],
  ],
  [
    'addresses with leading zeros or IPv4-mapped are rejected (strict, 1.33)',
    (s) => (ep(s).addresses = ['10.244.0.05', '::ffff:10.244.0.6']),
    [
      'endpoints[0].addresses[0]: Invalid value: "10.244.0.05": must not have leading 0s',
      'endpoints[0].addresses[1]: Invalid value: "::ffff:10.244.0.6": must not be an IPv4-mapped IPv6 address',
    ],
  ],
  [
    'IPv4 slice with IPv6 and special addresses',
    (s) => (ep(s).addresses = ['fd00::5', '0.0.0.0']),
    [
      'endpoints[0].addresses[0]: Invalid value: "fd00::5": must be a valid IPv4 address',
      'endpoints[0].addresses[1]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
    ],
  ],
  [
    'IPv4 slice with junk',
    (s) => (ep(s).addresses = ['web']),
    [
      'endpoints[0].addresses[0]: Invalid value: "web": must be a valid IPv4 address',
      'endpoints[0].addresses[0]: Invalid value: "web": must be a valid IP address',
    ],
  ],
  [
    'IPv6 slice with IPv4 and loopback',
    (s) => {
      s.addressType = 'IPv6';
      ep(s).addresses = ['10.0.0.1', '::1'];
    },
    [
      'endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address',
      'endpoints[0].addresses[1]: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ],
  ],
  [
    'FQDN slice with a bad name',
    (s) => {
      s.addressType = 'FQDN';
      ep(s).addresses = ['db'];
    },
    [
      'endpoints[0].addresses[0]: Invalid value: "db": should be a domain with at least two segments separated by dots',
    ],
  ],
  [
    'bad nodeName',
    (s) => (ep(s).nodeName = 'Node 1'),
    [`endpoints[0].nodeName: Invalid value: "Node 1": ${DNS1123_SUBDOMAIN}`],
  ],
  [
    'bad hostname',
    (s) => (ep(s).hostname = 'web_0'),
    [`endpoints[0].hostname: Invalid value: "web_0": ${DNS1123_LABEL}`],
  ],
  [
    'deprecatedTopology labels',
    (s) => (ep(s).deprecatedTopology = { 'kubernetes.io/hostname': 'node-1', 'a b': '-' }),
    [
      `endpoints[0].deprecatedTopology: Invalid value: "a b": ${QNAME_NAME_PART}`,
      `endpoints[0].deprecatedTopology: Invalid value: "-": ${LABEL_VALUE}`,
    ],
  ],
  [
    'deprecatedTopology at most 16',
    (s) =>
      (ep(s).deprecatedTopology = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))),
    ['endpoints[0].deprecatedTopology: Too many: 17: must have at most 16 items'],
  ],
  [
    'deprecatedTopology may not carry the zone',
    (s) => (ep(s).deprecatedTopology = { 'topology.kubernetes.io/zone': 'zone-a' }),
    [
      'endpoints[0].deprecatedTopology[topology.kubernetes.io/zone]: Internal error: reserved key was not removed in conversion',
    ],
  ],
  [
    'hints: duplicate and bad zones',
    (s) => (ep(s).hints = { forZones: [{ name: 'zone-a' }, { name: 'zone-a' }, { name: 'zone a' }] }),
    [
      'endpoints[0].hints.forZones[1].name: Duplicate value: "zone-a"',
      `endpoints[0].hints.forZones[2].name: Invalid value: "zone a": ${LABEL_VALUE}`,
    ],
  ],
  [
    'hints: at most 8 zones',
    (s) => (ep(s).hints = { forZones: Array.from({ length: 9 }, (_, i) => ({ name: `z${i}` })) }),
    ['endpoints[0].hints.forZones: Too many: 9: must have at most 8 items'],
  ],
  ['unnamed port', (s) => (s.ports = [{ name: '', port: 80, protocol: 'TCP' }]), []],
  [
    'duplicate port names',
    (s) => s.ports!.push({ name: 'http', port: 8081, protocol: 'TCP' }),
    ['ports[1].name: Duplicate value: "http"'],
  ],
  [
    'two unnamed ports',
    (s) =>
      (s.ports = [
        { name: '', port: 80, protocol: 'TCP' },
        { name: '', port: 81, protocol: 'TCP' },
      ]),
    ['ports[1].name: Duplicate value: ""'],
  ],
  [
    'bad port name',
    (s) => (s.ports![0]!.name = 'HTTP'),
    [`ports[0].name: Invalid value: "HTTP": ${DNS1123_LABEL}`],
  ],
  ['protocol required', (s) => delete s.ports![0]!.protocol, ['ports[0].protocol: Required value']],
  [
    'protocol supported',
    (s) => (s.ports![0]!.protocol = 'ICMP'),
    ['ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
  ],
  [
    'bad appProtocol',
    (s) => (s.ports![0]!.appProtocol = 'a/b/c'),
    [`ports[0].appProtocol: Invalid value: "a/b/c": ${QNAME_TOO_MANY_SLASHES}`],
  ],
  [
    'too many ports',
    (s) => (s.ports = Array.from({ length: 20001 }, (_, i) => ({ name: `p${i}`, port: 1, protocol: 'TCP' }))),
    ['ports: Too many: 20001: must have at most 20000 items'],
  ],
  ['port number is not range-checked', (s) => delete s.ports![0]!.port, []],
];

describe('validateEndpointSlice', () => {
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const s = slice();
      mutate(s);
      assert.deepEqual(strings(validateEndpointSlice(s)), want);
    });
  }
});

describe('validateEndpointSliceUpdate', () => {
  const updates: [string, (s: EndpointSlice) => void, string[]][] = [
    ['endpoints may change', (s) => (ep(s).addresses = ['10.244.0.6']), []],
    [
      'addressType immutable',
      (s) => {
        s.addressType = 'IPv6';
        ep(s).addresses = ['fd00::6'];
      },
      ['addressType: Invalid value: "IPv6": field is immutable'],
    ],
    [
      'name immutable',
      (s) => (s.metadata!.name = 'web-xyz'),
      ['metadata.name: Invalid value: "web-xyz": field is immutable'],
    ],
    [
      'resourceVersion required',
      (s) => delete s.metadata!.resourceVersion,
      ['metadata.resourceVersion: Invalid value: "": must be specified for an update'],
    ],
  ];
  for (const [name, mutate, want] of updates) {
    it(name, () => {
      const s = slice();
      mutate(s);
      assert.deepEqual(strings(validateEndpointSliceUpdate(s, slice())), want);
    });
  }
});

describe('validateEndpointSliceUpdate: strict addresses ratchet only while endpoints are unchanged (KEP-4858)', () => {
  const stored = () => {
    const s = slice();
    ep(s).addresses = ['10.244.0.05'];
    return s;
  };
  it('a label change keeps a stored address with leading zeros', () => {
    const s = stored();
    s.metadata!.labels!.extra = 'x';
    assert.deepEqual(strings(validateEndpointSliceUpdate(s, stored())), []);
  });
  it('changing the endpoints revalidates every address', () => {
    const s = stored();
    ep(s).conditions = { ready: false };
    assert.deepEqual(strings(validateEndpointSliceUpdate(s, stored())), [
      'endpoints[0].addresses[0]: Invalid value: "10.244.0.05": must not have leading 0s',
    ]);
  });
});
