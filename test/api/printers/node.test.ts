import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Namespace, Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import { tableConvertorFor } from '../../../src/api/printers/index.js';
import { ago, DAY, NOW } from './helpers.js';

const nodes = tableConvertorFor('', 'Node');
const namespaces = tableConvertorFor('', 'Namespace');

const ready = (status: string): NodeCondition => ({ type: 'Ready', status });

function node(n: {
  labels?: Record<string, string>;
  conditions?: NodeCondition[];
  unschedulable?: boolean;
  status?: Node['status'];
}): Node {
  return {
    metadata: { name: 'node-1', creationTimestamp: ago(10 * DAY), labels: n.labels },
    spec: { unschedulable: n.unschedulable },
    status: { conditions: n.conditions, nodeInfo: NODE_INFO, ...n.status },
  };
}

const NODE_INFO = {
  architecture: 'amd64',
  bootID: '',
  containerRuntimeVersion: 'containerd://1.7.0',
  kernelVersion: '6.1.0-13-amd64',
  kubeProxyVersion: '',
  kubeletVersion: 'v1.32.4',
  machineID: '',
  operatingSystem: 'linux',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  systemUUID: '',
};

describe('Node columns', () => {
  it('NAME STATUS ROLES AGE VERSION + wide', () => {
    assert.deepEqual(
      nodes.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Status', 0],
        ['Roles', 0],
        ['Age', 0],
        ['Version', 0],
        ['Internal-IP', 1],
        ['External-IP', 1],
        ['OS-Image', 1],
        ['Kernel-Version', 1],
        ['Container-Runtime', 1],
      ],
    );
  });
});

describe('Node STATUS and ROLES', () => {
  const cases: { name: string; node: Node; want: [string, string] }[] = [
    { name: 'Ready', node: node({ conditions: [ready('True')] }), want: ['Ready', '<none>'] },
    { name: 'NotReady', node: node({ conditions: [ready('False')] }), want: ['NotReady', '<none>'] },
    {
      name: 'Ready=Unknown is NotReady',
      node: node({ conditions: [ready('Unknown')] }),
      want: ['NotReady', '<none>'],
    },
    { name: 'no Ready condition is Unknown', node: node({ conditions: [] }), want: ['Unknown', '<none>'] },
    {
      name: 'other conditions are ignored',
      node: node({ conditions: [{ type: 'MemoryPressure', status: 'True' }, ready('True')] }),
      want: ['Ready', '<none>'],
    },
    {
      name: 'the last Ready condition wins',
      node: node({ conditions: [ready('True'), ready('False')] }),
      want: ['NotReady', '<none>'],
    },
    {
      name: 'cordoned',
      node: node({ conditions: [ready('True')], unschedulable: true }),
      want: ['Ready,SchedulingDisabled', '<none>'],
    },
    {
      name: 'cordoned without Ready',
      node: node({ unschedulable: true }),
      want: ['Unknown,SchedulingDisabled', '<none>'],
    },
    {
      name: 'roles from node-role labels, sorted, and kubernetes.io/role',
      node: node({
        conditions: [ready('True')],
        labels: {
          'node-role.kubernetes.io/worker': '',
          'node-role.kubernetes.io/control-plane': '',
          'kubernetes.io/role': 'edge',
          'node-role.kubernetes.io/': 'ignored',
          'kubernetes.io/hostname': 'node-1',
        },
      }),
      want: ['Ready', 'control-plane,edge,worker'],
    },
    {
      name: 'duplicate roles appear once; an empty kubernetes.io/role is ignored',
      node: node({
        conditions: [ready('True')],
        labels: { 'node-role.kubernetes.io/master': '', 'kubernetes.io/role': 'master' },
      }),
      want: ['Ready', 'master'],
    },
    {
      name: 'empty kubernetes.io/role',
      node: node({ conditions: [ready('True')], labels: { 'kubernetes.io/role': '' } }),
      want: ['Ready', '<none>'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const row = nodes.rows(c.node, NOW)[0]!;
      assert.deepEqual(row.slice(0, 5), ['node-1', c.want[0], c.want[1], '10d', 'v1.32.4']);
    });
  }
});

describe('Node wide columns', () => {
  it('first internal and external address, node info', () => {
    const n = node({
      conditions: [ready('True')],
      status: {
        addresses: [
          { type: 'Hostname', address: 'node-1' },
          { type: 'InternalIP', address: '10.0.0.1' },
          { type: 'ExternalIP', address: '203.0.113.1' },
          { type: 'InternalIP', address: '10.0.0.2' },
        ],
      },
    });
    assert.deepEqual(nodes.rows(n, NOW)[0]!.slice(5), [
      '10.0.0.1',
      '203.0.113.1',
      'Debian GNU/Linux 12 (bookworm)',
      '6.1.0-13-amd64',
      'containerd://1.7.0',
    ]);
  });

  it('missing addresses are <none>, missing node info <unknown>, missing version empty', () => {
    const n: Node = { metadata: { name: 'bare' }, status: {} };
    assert.deepEqual(nodes.rows(n, NOW), [
      [
        'bare',
        'Unknown',
        '<none>',
        '<unknown>',
        '',
        '<none>',
        '<none>',
        '<unknown>',
        '<unknown>',
        '<unknown>',
      ],
    ]);
  });
});

describe('Namespace', () => {
  it('columns are NAME STATUS AGE', () => {
    assert.deepEqual(
      namespaces.columns.map((c) => c.name),
      ['Name', 'Status', 'Age'],
    );
  });
  const cases: { name: string; ns: Namespace; want: unknown[] }[] = [
    {
      name: 'Active',
      ns: { metadata: { name: 'default', creationTimestamp: ago(400 * DAY) }, status: { phase: 'Active' } },
      want: ['default', 'Active', '400d'],
    },
    {
      name: 'Terminating',
      ns: { metadata: { name: 'old', creationTimestamp: ago(DAY) }, status: { phase: 'Terminating' } },
      want: ['old', 'Terminating', '24h'],
    },
    { name: 'no status', ns: { metadata: { name: 'new' } }, want: ['new', '', '<unknown>'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(namespaces.rows(c.ns, NOW), [c.want]));
  }
});
