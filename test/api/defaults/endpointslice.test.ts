import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { setEndpointSliceDefaults } from '../../../src/api/defaults/endpointslice.js';

const slice = (ports?: EndpointSlice['ports']): EndpointSlice => ({
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.0.0.1'] }],
  ...(ports ? { ports } : {}),
});

describe('setEndpointSliceDefaults', () => {
  const cases: [string, EndpointSlice, EndpointSlice][] = [
    ['no ports', slice(), slice()],
    ['name "" and protocol TCP', slice([{ port: 80 }]), slice([{ port: 80, name: '', protocol: 'TCP' }])],
    [
      'set values stay',
      slice([{ name: 'dns', port: 53, protocol: 'UDP', appProtocol: 'dns' }]),
      slice([{ name: 'dns', port: 53, protocol: 'UDP', appProtocol: 'dns' }]),
    ],
    [
      'only absent values are defaulted',
      slice([{ name: '', protocol: '' }]),
      slice([{ name: '', protocol: '' }]),
    ],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => {
      setEndpointSliceDefaults(input);
      assert.deepEqual(input, want);
    });
  }
});
