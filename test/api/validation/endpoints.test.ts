import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { validateEndpoints, validateEndpointsUpdate } from '../../../src/api/validation/endpoints.js';
import {
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  IP_MSG,
  PORT_RANGE,
  QNAME_TOO_MANY_SLASHES,
  strings,
} from './messages.js';

function endpoints(): Endpoints {
  return {
    metadata: { name: 'web', namespace: 'default', resourceVersion: '3' },
    subsets: [
      {
        addresses: [{ ip: '10.244.0.5', hostname: 'web-0', nodeName: 'node-1' }],
        notReadyAddresses: [{ ip: 'fd00::5' }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ],
  };
}

const ss = (e: Endpoints) => e.subsets![0]!;

const cases: [string, (e: Endpoints) => void, string[]][] = [
  ['valid', () => {}, []],
  ['no subsets', (e) => delete e.subsets, []],
  ['names are DNS subdomains', (e) => (e.metadata!.name = 'web.v2'), []],
  [
    'bad name',
    (e) => (e.metadata!.name = 'Web'),
    [`metadata.name: Invalid value: "Web": ${DNS1123_SUBDOMAIN}`],
  ],
  ['no ports (headless)', (e) => delete ss(e).ports, []],
  [
    'a subset needs an address',
    (e) => (e.subsets = [{ ports: [{ port: 80, protocol: 'TCP' }] }]),
    ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`'],
  ],
  ['only not-ready addresses', (e) => delete ss(e).addresses, []],
  [
    'bad IP',
    (e) => (ss(e).addresses![0]!.ip = '10.244.0'),
    [
      `subsets[0].addresses[0].ip: Invalid value: "10.244.0": ${IP_MSG}`,
      'subsets[0].addresses[0].ip: Invalid value: "10.244.0": must be a valid IP address',
    ],
  ],
  [
    'special IPs',
    (e) => {
      ss(e).addresses![0]!.ip = '127.0.0.1';
      ss(e).notReadyAddresses![0]!.ip = 'fe80::1';
    },
    [
      'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'subsets[0].notReadyAddresses[0].ip: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    ],
  ],
  [
    'addresses with leading zeros or IPv4-mapped are rejected (strict, 1.33)',
    (e) => {
      ss(e).addresses![0]!.ip = '10.244.0.05';
      ss(e).notReadyAddresses![0]!.ip = '::ffff:10.244.0.6';
    },
    [
      'subsets[0].addresses[0].ip: Invalid value: "10.244.0.05": must not have leading 0s',
      'subsets[0].notReadyAddresses[0].ip: Invalid value: "::ffff:10.244.0.6": must not be an IPv4-mapped IPv6 address',
    ],
  ],
  [
    'bad hostname',
    (e) => (ss(e).addresses![0]!.hostname = 'web.0'),
    ['subsets[0].addresses[0].hostname: Invalid value: "web.0": must not contain dots'],
  ],
  [
    'bad nodeName',
    (e) => (ss(e).addresses![0]!.nodeName = 'Node_1'),
    [`subsets[0].addresses[0].nodeName: Invalid value: "Node_1": ${DNS1123_SUBDOMAIN}`],
  ],
  [
    'port name required when several',
    (e) => ss(e).ports!.push({ port: 8443, protocol: 'TCP' }),
    ['subsets[0].ports[1].name: Required value'],
  ],
  [
    'bad port name',
    (e) => (ss(e).ports![0]!.name = 'Http'),
    [`subsets[0].ports[0].name: Invalid value: "Http": ${DNS1123_LABEL}`],
  ],
  [
    'bad port',
    (e) => (ss(e).ports![0]!.port = 0),
    [`subsets[0].ports[0].port: Invalid value: 0: ${PORT_RANGE}`],
  ],
  [
    'protocol required',
    (e) => delete ss(e).ports![0]!.protocol,
    ['subsets[0].ports[0].protocol: Required value'],
  ],
  [
    'protocol supported',
    (e) => (ss(e).ports![0]!.protocol = 'HTTP'),
    ['subsets[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  ],
  [
    'bad appProtocol',
    (e) => (ss(e).ports![0]!.appProtocol = 'x/y/z'),
    [`subsets[0].ports[0].appProtocol: Invalid value: "x/y/z": ${QNAME_TOO_MANY_SLASHES}`],
  ],
];

describe('validateEndpoints', () => {
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const e = endpoints();
      mutate(e);
      assert.deepEqual(strings(validateEndpoints(e)), want);
    });
  }
});

describe('validateEndpointsUpdate', () => {
  const updates: [string, (e: Endpoints) => void, string[]][] = [
    ['nodeName may change', (e) => (ss(e).addresses![0]!.nodeName = 'node-2'), []],
    ['addresses may change', (e) => (ss(e).addresses = [{ ip: '10.244.1.9' }]), []],
    [
      'name immutable',
      (e) => (e.metadata!.name = 'api'),
      ['metadata.name: Invalid value: "api": field is immutable'],
    ],
    [
      'new object validated',
      (e) => (ss(e).ports![0]!.port = 70000),
      [`subsets[0].ports[0].port: Invalid value: 70000: ${PORT_RANGE}`],
    ],
  ];
  for (const [name, mutate, want] of updates) {
    it(name, () => {
      const e = endpoints();
      mutate(e);
      assert.deepEqual(strings(validateEndpointsUpdate(e, endpoints())), want);
    });
  }
});

describe('validateEndpointsUpdate: strict addresses ratchet only while subsets are unchanged (KEP-4858)', () => {
  const stored = () => {
    const e = endpoints();
    ss(e).addresses![0]!.ip = '10.244.0.05';
    return e;
  };
  it('a label change keeps a stored address with leading zeros', () => {
    const e = stored();
    e.metadata!.labels = { app: 'web' };
    assert.deepEqual(strings(validateEndpointsUpdate(e, stored())), []);
  });
  it('changing the subsets revalidates every address', () => {
    const e = stored();
    ss(e).addresses!.push({ ip: '10.244.0.7' });
    assert.deepEqual(strings(validateEndpointsUpdate(e, stored())), [
      'subsets[0].addresses[0].ip: Invalid value: "10.244.0.05": must not have leading 0s',
    ]);
  });
});
