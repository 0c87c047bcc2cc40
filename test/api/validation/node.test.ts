/** Node and Lease validation with upstream's messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { setNodeDefaults } from '../../../src/api/defaults/node.js';
import { validateLease, validateLeaseUpdate } from '../../../src/api/validation/lease.js';
import { validateNode, validateNodeUpdate } from '../../../src/api/validation/node.js';

const node = (cidrs?: string[], rv?: string): Node => {
  const n: Node = {
    metadata: { name: 'node-a', ...(rv ? { resourceVersion: rv } : {}) },
    spec: cidrs ? { podCIDRs: cidrs } : {},
  };
  setNodeDefaults(n);
  return n;
};
const msgs = (errs: { toString(): string }[]) => errs.map(String);

describe('validateNode', () => {
  const cases: { name: string; cidrs?: string[]; want: string[] }[] = [
    { name: 'no CIDRs', want: [] },
    { name: 'one CIDR', cidrs: ['10.244.1.0/24'], want: [] },
    { name: 'dual stack', cidrs: ['10.244.1.0/24', 'fd00::/64'], want: [] },
    {
      name: 'bad CIDR',
      cidrs: ['10.244.1.0'],
      want: [
        'spec.podCIDRs[0]: Invalid value: "10.244.1.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    },
    {
      name: 'two of a family',
      cidrs: ['10.244.1.0/24', '10.244.2.0/24'],
      want: [
        'spec.podCIDRs: Invalid value: []string{"10.244.1.0/24", "10.244.2.0/24"}: may specify no more than one CIDR for each IP family',
      ],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(msgs(validateNode(node(c.cidrs))), c.want));

  it('podCIDR mirrors podCIDRs', () => {
    assert.equal(node(['10.244.1.0/24']).spec?.podCIDR, '10.244.1.0/24');
    const n: Node = { spec: { podCIDR: '10.244.3.0/24' } };
    setNodeDefaults(n);
    assert.deepEqual(n.spec?.podCIDRs, ['10.244.3.0/24']);
  });

  it('pod CIDRs may go from none to valid, then never change', () => {
    assert.deepEqual(msgs(validateNodeUpdate(node(['10.244.1.0/24'], '2'), node(undefined, '1'))), []);
    assert.deepEqual(msgs(validateNodeUpdate(node(['10.244.2.0/24'], '2'), node(['10.244.1.0/24'], '1'))), [
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    ]);
  });
});

describe('validateLease', () => {
  const lease = (spec: Lease['spec']): Lease => ({
    metadata: { name: 'node-a', namespace: 'kube-node-lease' },
    spec,
  });
  const cases: { name: string; spec: Lease['spec']; want: string[] }[] = [
    {
      name: 'valid',
      spec: { holderIdentity: 'node-a', leaseDurationSeconds: 40, leaseTransitions: 0 },
      want: [],
    },
    {
      name: 'zero duration',
      spec: { leaseDurationSeconds: 0 },
      want: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'],
    },
    {
      name: 'negative transitions',
      spec: { leaseTransitions: -1 },
      want: ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(msgs(validateLease(lease(c.spec))), c.want));

  it('updates check the spec too', () => {
    const old = { ...lease({}), metadata: { ...lease({}).metadata, resourceVersion: '1' } };
    const next = { ...old, spec: { leaseDurationSeconds: -3 } };
    assert.deepEqual(msgs(validateLeaseUpdate(next, old)), [
      'spec.leaseDurationSeconds: Invalid value: -3: must be greater than 0',
    ]);
  });
});
