import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import {
  effectiveTaints,
  filterNode,
  matchesNodeAffinity,
  type NodeInfo,
  tolerates,
} from '../../src/scheduler/filter.js';
import { fitErrorMessage, NO_NODES_MESSAGE, schedulePod } from '../../src/scheduler/schedule.js';

function node(
  name: string,
  over: {
    labels?: Record<string, string>;
    taints?: Taint[];
    unschedulable?: boolean;
    ready?: string;
    pods?: string;
  } = {},
): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...over.labels } },
    spec: { taints: over.taints, unschedulable: over.unschedulable },
    status: {
      conditions: [{ type: 'Ready', status: over.ready ?? 'True' }],
      ...(over.pods ? { allocatable: { pods: over.pods } } : {}),
    },
  };
}

function pod(name: string, spec: Partial<Pod['spec']> = {}, owner?: string): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      ...(owner
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true },
            ],
          }
        : {}),
    },
    spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
  };
}

const info = (n: Node, pods: Pod[] = []): NodeInfo => ({ node: n, pods });

describe('tolerations', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  const cases: [string, Parameters<typeof tolerates>[0], boolean][] = [
    ['equal key and value', { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, true],
    ['default operator is Equal', { key: 'k', value: 'v' }, true],
    ['other value', { key: 'k', value: 'w' }, false],
    ['exists on key', { key: 'k', operator: 'Exists' }, true],
    ['exists without key tolerates everything', { operator: 'Exists' }, true],
    ['other effect', { key: 'k', operator: 'Exists', effect: 'NoExecute' }, false],
  ];
  for (const [name, t, want] of cases) it(name, () => assert.equal(tolerates(t, taint), want));

  it('implies the not-ready/unreachable taint for nodes that are not Ready', () => {
    assert.deepEqual(effectiveTaints(node('a', { ready: 'False' })), [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    ]);
    assert.deepEqual(effectiveTaints(node('a', { ready: 'Unknown' })), [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    ]);
    assert.deepEqual(effectiveTaints(node('a')), []);
  });
});

describe('node affinity', () => {
  const n = node('n1', { labels: { disk: 'ssd', gen: '5' } });
  const req = (key: string, operator: string, values?: string[]) => ({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key, operator, values }] }],
        },
      },
    },
  });
  const cases: [string, Partial<Pod['spec']>, boolean][] = [
    ['no constraints', {}, true],
    ['nodeSelector match', { nodeSelector: { disk: 'ssd' } }, true],
    ['nodeSelector mismatch', { nodeSelector: { disk: 'hdd' } }, false],
    ['In', req('disk', 'In', ['ssd', 'nvme']), true],
    ['NotIn', req('disk', 'NotIn', ['ssd']), false],
    ['NotIn absent label', req('zone', 'NotIn', ['a']), true],
    ['Exists', req('disk', 'Exists'), true],
    ['DoesNotExist', req('disk', 'DoesNotExist'), false],
    ['Gt', req('gen', 'Gt', ['4']), true],
    ['Lt', req('gen', 'Lt', ['4']), false],
    [
      'matchFields metadata.name',
      {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
              ],
            },
          },
        },
      },
      true,
    ],
    [
      'empty term matches nothing',
      {
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } },
        },
      },
      false,
    ],
  ];
  for (const [name, spec, want] of cases)
    it(name, () => assert.equal(matchesNodeAffinity(pod('p', spec), n), want));
});

describe('filterNode', () => {
  it('rejects in upstream order with upstream reasons', () => {
    const cases: [string, NodeInfo, Pod, string | undefined][] = [
      ['fits', info(node('a')), pod('p'), undefined],
      ['cordoned', info(node('a', { unschedulable: true })), pod('p'), 'node(s) were unschedulable'],
      [
        'tainted',
        info(node('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] })),
        pod('p'),
        'node(s) had untolerated taint {dedicated: db}',
      ],
      [
        'PreferNoSchedule is ignored',
        info(node('a', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] })),
        pod('p'),
        undefined,
      ],
      [
        'not ready',
        info(node('a', { ready: 'False' })),
        pod('p'),
        'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
      ],
      [
        'selector',
        info(node('a')),
        pod('p', { nodeSelector: { x: 'y' } }),
        "node(s) didn't match Pod's node affinity/selector",
      ],
      ['full', info(node('a', { pods: '1' }), [pod('q')]), pod('p'), 'Too many pods'],
      [
        'host port in use',
        info(node('a'), [
          pod('q', { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
        ]),
        pod('p', { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
        "node(s) didn't have free ports for the requested pod ports",
      ],
    ];
    for (const [name, i, p, want] of cases) {
      const r = filterNode(p, i);
      assert.equal(r.ok ? undefined : r.reason, want, name);
    }
  });
});

describe('schedulePod', () => {
  it('spreads replicas of one owner, then balances pod counts', () => {
    const a = info(node('a'), [pod('x1', {}, 'rs1'), pod('o1'), pod('o2')]);
    const b = info(node('b'), [pod('x2', {}, 'rs1')]);
    const c = info(node('c'), [pod('o3'), pod('o4'), pod('o5')]);
    // c has no replica of rs1: it wins despite more pods.
    assert.deepEqual(schedulePod(pod('x3', {}, 'rs1'), [a, b, c]), { ok: true, node: 'c', feasible: 3 });
    // Another owner: fewest pods wins.
    assert.deepEqual(schedulePod(pod('y', {}, 'rs2'), [a, b, c]), { ok: true, node: 'b', feasible: 3 });
    // Ties go to the first name.
    assert.deepEqual(schedulePod(pod('z'), [info(node('m')), info(node('k'))]), {
      ok: true,
      node: 'k',
      feasible: 2,
    });
  });

  it('explains failures as upstream', () => {
    const r = schedulePod(pod('p', { nodeSelector: { disk: 'ssd' } }), [info(node('node1'))]);
    assert.equal(r.ok, false);
    assert.equal(
      !r.ok && r.message,
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    );
  });

  it('aggregates and sorts reasons', () => {
    const nodes = [
      info(node('a', { unschedulable: true })),
      info(node('b', { pods: '0' })),
      info(node('c', { pods: '0' })),
      info(node('d', { ready: 'Unknown' })),
    ];
    const r = schedulePod(pod('p'), nodes);
    assert.equal(
      !r.ok && r.message,
      '0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable, 2 Too many pods. preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
    );
    const never = pod('p', { preemptionPolicy: 'Never' });
    assert.match(
      fitErrorMessage(
        never,
        1,
        new Map([['a', { ok: false, reason: 'Too many pods', unresolvable: false }]]),
      ),
      /preemption: not eligible due to preemptionPolicy=Never\.$/,
    );
  });

  it('says so when there are no nodes', () => {
    const r = schedulePod(pod('p'), []);
    assert.equal(!r.ok && r.message, NO_NODES_MESSAGE);
  });
});
