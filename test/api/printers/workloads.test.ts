import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { tableConvertorFor } from '../../../src/api/printers/index.js';
import { ago, DAY, HOUR, NOW } from './helpers.js';

const deployments = tableConvertorFor('apps', 'Deployment');
const replicaSets = tableConvertorFor('apps', 'ReplicaSet');
const statefulSets = tableConvertorFor('apps', 'StatefulSet');

const template = (...containers: [string, string][]) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: containers.map(([name, image]) => ({ name, image })) },
});

describe('workload columns', () => {
  const cases: [string, string[][]][] = [
    [
      'Deployment',
      [
        ['Name', 'string', '0'],
        ['Ready', 'string', '0'],
        ['Up-to-date', 'string', '0'],
        ['Available', 'string', '0'],
        ['Age', 'string', '0'],
        ['Containers', 'string', '1'],
        ['Images', 'string', '1'],
        ['Selector', 'string', '1'],
      ],
    ],
    [
      'ReplicaSet',
      [
        ['Name', 'string', '0'],
        ['Desired', 'integer', '0'],
        ['Current', 'integer', '0'],
        ['Ready', 'integer', '0'],
        ['Age', 'string', '0'],
        ['Containers', 'string', '1'],
        ['Images', 'string', '1'],
        ['Selector', 'string', '1'],
      ],
    ],
    [
      'StatefulSet',
      [
        ['Name', 'string', '0'],
        ['Ready', 'string', '0'],
        ['Age', 'string', '0'],
        ['Containers', 'string', '1'],
        ['Images', 'string', '1'],
      ],
    ],
  ];
  for (const [kind, want] of cases) {
    it(kind, () => {
      const cols = tableConvertorFor('apps', kind).columns;
      assert.deepEqual(
        cols.map((c) => [c.name, c.type, String(c.priority)]),
        want,
      );
    });
  }
});

describe('Deployment rows', () => {
  const cases: { name: string; d: Deployment; want: unknown[] }[] = [
    {
      name: 'rolled out',
      d: {
        metadata: { name: 'web', creationTimestamp: ago(3 * HOUR) },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: template(['web', 'nginx:1.27']),
        },
        status: { replicas: 3, readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 },
      },
      want: ['web', '3/3', 3, 3, '3h', 'web', 'nginx:1.27', 'app=web'],
    },
    {
      name: 'new deployment without status; two containers; set-based selector',
      d: {
        metadata: { name: 'api' },
        spec: {
          replicas: 2,
          selector: {
            matchLabels: { tier: 'back', app: 'api' },
            matchExpressions: [
              { key: 'env', operator: 'In', values: ['prod', 'canary'] },
              { key: 'legacy', operator: 'DoesNotExist' },
              { key: 'app', operator: 'Exists' },
            ],
          },
          template: template(['api', 'api:2'], ['sidecar', 'envoy:1']),
        },
      },
      want: [
        'api',
        '0/2',
        0,
        0,
        '<unknown>',
        'api,sidecar',
        'api:2,envoy:1',
        'app=api,app,env in (canary,prod),!legacy,tier=back',
      ],
    },
    {
      name: 'scaled to zero, empty selector prints as empty string',
      d: {
        metadata: { name: 'idle', creationTimestamp: ago(DAY) },
        spec: { replicas: 0, selector: {}, template: template(['c', 'i']) },
        status: {},
      },
      want: ['idle', '0/0', 0, 0, '24h', 'c', 'i', ''],
    },
    {
      name: 'invalid selector operator',
      d: {
        metadata: { name: 'bad', creationTimestamp: ago(DAY) },
        spec: {
          replicas: 1,
          selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] },
          template: template(['c', 'i']),
        },
      },
      want: ['bad', '0/1', 0, 0, '24h', 'c', 'i', '<invalid>'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(deployments.rows(c.d, NOW), [c.want]));
  }
});

describe('ReplicaSet rows', () => {
  const rs = (selector: LabelSelector | undefined, status?: ReplicaSet['status']): ReplicaSet => ({
    metadata: { name: 'web-5d4f8c7b9', creationTimestamp: ago(2 * DAY + 3 * HOUR) },
    spec: { replicas: 3, selector: selector as LabelSelector, template: template(['web', 'nginx']) },
    status: status ?? { replicas: 0 },
  });
  const cases: { name: string; rs: ReplicaSet; want: unknown[] }[] = [
    {
      name: 'scaling up',
      rs: rs(
        { matchLabels: { app: 'web', 'pod-template-hash': '5d4f8c7b9' } },
        { replicas: 2, readyReplicas: 1 },
      ),
      want: ['web-5d4f8c7b9', 3, 2, 1, '2d3h', 'web', 'nginx', 'app=web,pod-template-hash=5d4f8c7b9'],
    },
    {
      name: 'no status counts, NotIn selector',
      rs: rs({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }),
      want: ['web-5d4f8c7b9', 3, 0, 0, '2d3h', 'web', 'nginx', 'env notin (dev)'],
    },
    {
      name: 'empty selector is <none>',
      rs: rs({}),
      want: ['web-5d4f8c7b9', 3, 0, 0, '2d3h', 'web', 'nginx', '<none>'],
    },
    {
      name: 'missing selector is <none>',
      rs: rs(undefined),
      want: ['web-5d4f8c7b9', 3, 0, 0, '2d3h', 'web', 'nginx', '<none>'],
    },
    {
      name: 'invalid selector is <error>',
      rs: rs({ matchExpressions: [{ key: 'env', operator: 'In', values: [] }] }),
      want: ['web-5d4f8c7b9', 3, 0, 0, '2d3h', 'web', 'nginx', '<error>'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(replicaSets.rows(c.rs, NOW), [c.want]));
  }
});

describe('StatefulSet rows', () => {
  const cases: { name: string; ss: StatefulSet; want: unknown[] }[] = [
    {
      name: 'partially ready',
      ss: {
        metadata: { name: 'db', creationTimestamp: ago(45 * DAY) },
        spec: {
          replicas: 3,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          template: template(['pg', 'postgres:16'], ['exporter', 'pg-exporter:0.15']),
        },
        status: { replicas: 3, readyReplicas: 2 },
      },
      want: ['db', '2/3', '45d', 'pg,exporter', 'postgres:16,pg-exporter:0.15'],
    },
    {
      name: 'no status yet',
      ss: {
        metadata: { name: 'cache' },
        spec: { replicas: 1, serviceName: 'cache', selector: {}, template: template(['redis', 'redis:7']) },
      },
      want: ['cache', '0/1', '<unknown>', 'redis', 'redis:7'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(statefulSets.rows(c.ss, NOW), [c.want]));
  }
});
