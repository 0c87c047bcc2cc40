import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { tableConvertorFor } from '../../../src/api/printers/index.js';
import { ago, MINUTE, NOW } from './helpers.js';

const endpoints = tableConvertorFor('', 'Endpoints');
const slices = tableConvertorFor('discovery.k8s.io', 'EndpointSlice');

const addrs = (...ips: string[]) => ips.map((ip) => ({ ip }));

describe('Endpoints', () => {
  it('columns are NAME ENDPOINTS AGE', () => {
    assert.deepEqual(
      endpoints.columns.map((c) => [c.name, c.format, c.priority]),
      [
        ['Name', 'name', 0],
        ['Endpoints', '', 0],
        ['Age', '', 0],
      ],
    );
  });

  const cases: { name: string; subsets: Endpoints['subsets']; want: string }[] = [
    { name: 'no subsets', subsets: undefined, want: '<none>' },
    { name: 'empty subsets', subsets: [], want: '<none>' },
    { name: 'a subset without addresses', subsets: [{ ports: [{ port: 80 }] }], want: '' },
    {
      name: 'one address, one port',
      subsets: [{ addresses: addrs('10.244.0.5'), ports: [{ port: 8080 }] }],
      want: '10.244.0.5:8080',
    },
    {
      name: 'headless without ports lists bare IPs',
      subsets: [{ addresses: addrs('10.244.0.5', '10.244.0.6') }],
      want: '10.244.0.5,10.244.0.6',
    },
    {
      name: 'every address for every port, address-major within a port',
      subsets: [{ addresses: addrs('10.1.1.1'), ports: [{ port: 80 }, { port: 443 }] }],
      want: '10.1.1.1:80,10.1.1.1:443',
    },
    {
      name: 'exactly three is not truncated',
      subsets: [{ addresses: addrs('10.1.1.1', '10.1.1.2', '10.1.1.3'), ports: [{ port: 80 }] }],
      want: '10.1.1.1:80,10.1.1.2:80,10.1.1.3:80',
    },
    {
      name: 'four addresses: three then + 1 more',
      subsets: [{ addresses: addrs('10.1.1.1', '10.1.1.2', '10.1.1.3', '10.1.1.4'), ports: [{ port: 80 }] }],
      want: '10.1.1.1:80,10.1.1.2:80,10.1.1.3:80 + 1 more...',
    },
    {
      name: 'more counts address × port across subsets',
      subsets: [
        { addresses: addrs('10.1.1.1', '10.1.1.2'), ports: [{ port: 80 }, { port: 443 }] },
        { addresses: addrs('10.2.2.2'), ports: [{ port: 53, protocol: 'UDP' }] },
      ],
      want: '10.1.1.1:80,10.1.1.2:80,10.1.1.1:443 + 2 more...',
    },
    {
      name: 'headless truncation',
      subsets: [{ addresses: addrs('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5') }],
      want: '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...',
    },
    {
      name: 'not-ready addresses are not listed',
      subsets: [
        { addresses: addrs('10.1.1.1'), notReadyAddresses: addrs('10.1.1.9'), ports: [{ port: 80 }] },
      ],
      want: '10.1.1.1:80',
    },
    {
      name: 'only not-ready addresses leave the cell empty',
      subsets: [{ notReadyAddresses: addrs('10.1.1.9'), ports: [{ port: 80 }] }],
      want: '',
    },
    {
      name: 'IPv6 addresses are bracketed',
      subsets: [{ addresses: addrs('fd00::5'), ports: [{ port: 80 }] }],
      want: '[fd00::5]:80',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ep: Endpoints = {
        metadata: { name: 'svc', creationTimestamp: ago(90 * MINUTE) },
        subsets: c.subsets,
      };
      assert.deepEqual(endpoints.rows(ep, NOW), [['svc', c.want, '90m']]);
    });
  }
});

describe('EndpointSlice', () => {
  it('columns are NAME ADDRESSTYPE PORTS ENDPOINTS AGE', () => {
    assert.deepEqual(
      slices.columns.map((c) => c.name),
      ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'],
    );
  });

  const cases: {
    name: string;
    ports: EndpointSlice['ports'];
    endpoints: EndpointSlice['endpoints'];
    want: [string, string];
  }[] = [
    { name: 'nothing set', ports: undefined, endpoints: [], want: ['<unset>', '<unset>'] },
    {
      name: 'one port, one endpoint',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.244.1.2'], conditions: { ready: true } }],
      want: ['80', '10.244.1.2'],
    },
    {
      name: 'ports joined with commas',
      ports: [
        { name: 'http', port: 80 },
        { name: 'https', port: 443 },
      ],
      endpoints: [{ addresses: ['10.244.1.2'] }, { addresses: ['10.244.1.3'] }],
      want: ['80,443', '10.244.1.2,10.244.1.3'],
    },
    {
      name: 'a port without number shows its name; without either, all ports (*)',
      ports: [{ name: 'metrics' }, {}, { name: '' }],
      endpoints: [{ addresses: ['10.244.1.2'] }],
      want: ['metrics,*,', '10.244.1.2'],
    },
    {
      name: 'more than three ports and addresses are truncated',
      ports: [{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }, { port: 5 }],
      endpoints: [
        { addresses: ['10.0.0.1', '10.0.0.2'] },
        { addresses: ['10.0.0.3'], conditions: { ready: false } },
        { addresses: ['10.0.0.4'], conditions: { ready: false, terminating: true } },
      ],
      want: ['1,2,3 + 2 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...'],
    },
    {
      name: 'endpoints without addresses',
      ports: [{ port: 80 }],
      endpoints: [{ addresses: [] }],
      want: ['80', '<unset>'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const slice: EndpointSlice = {
        metadata: { name: 'svc-abcde', creationTimestamp: ago(30 * 1000) },
        addressType: 'IPv4',
        ports: c.ports,
        endpoints: c.endpoints ?? [],
      };
      assert.deepEqual(slices.rows(slice, NOW), [['svc-abcde', 'IPv4', c.want[0], c.want[1], '30s']]);
    });
  }
});
