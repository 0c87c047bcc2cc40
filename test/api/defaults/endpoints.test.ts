import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { setEndpointsDefaults } from '../../../src/api/defaults/endpoints.js';

describe('setEndpointsDefaults', () => {
  const cases: [string, Endpoints, Endpoints][] = [
    ['no subsets', { metadata: { name: 'e' } }, { metadata: { name: 'e' } }],
    [
      'port protocols default to TCP',
      {
        subsets: [
          { addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] },
          { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'x', port: 81, protocol: '' }] },
        ],
      },
      {
        subsets: [
          {
            addresses: [{ ip: '10.0.0.1' }],
            ports: [
              { port: 80, protocol: 'TCP' },
              { port: 53, protocol: 'UDP' },
            ],
          },
          { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'x', port: 81, protocol: 'TCP' }] },
        ],
      },
    ],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => {
      setEndpointsDefaults(input);
      assert.deepEqual(input, want);
    });
  }
});
