import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Namespace as V1Namespace } from 'kubernetes-types/core/v1.js';
import {
  validateNamespace,
  validateNamespaceFinalizeUpdate,
  validateNamespaceStatusUpdate,
  validateNamespaceUpdate,
} from '../../../src/api/validation/namespace.js';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, strings, type Writable } from './messages.js';

type Namespace = Writable<V1Namespace>;

function ns(): Namespace {
  return {
    metadata: { name: 'team-a', resourceVersion: '2', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

const NOT_STANDARD = 'name is neither a standard finalizer name nor is it fully qualified';

describe('validateNamespace', () => {
  const cases: [string, (n: Namespace) => void, string[]][] = [
    ['valid', () => {}, []],
    [
      'name must be a DNS-1123 label',
      (n) => (n.metadata!.name = 'team.a'),
      ['metadata.name: Invalid value: "team.a": must not contain dots'],
    ],
    ['name may start with a digit', (n) => (n.metadata!.name = '1team'), []],
    [
      'bad name',
      (n) => (n.metadata!.name = 'Team'),
      [`metadata.name: Invalid value: "Team": ${DNS1123_LABEL}`],
    ],
    [
      'cluster-scoped',
      (n) => (n.metadata!.namespace = 'default'),
      ['metadata.namespace: Forbidden: not allowed on this type'],
    ],
    ['qualified spec finalizer', (n) => n.spec!.finalizers!.push('example.com/cleanup'), []],
    [
      'unqualified spec finalizer',
      (n) => n.spec!.finalizers!.push('cleanup'),
      [`spec.finalizers: Invalid value: "cleanup": ${NOT_STANDARD}`],
    ],
    [
      'malformed spec finalizer',
      (n) => n.spec!.finalizers!.push('Bad_Domain/x'),
      [`spec.finalizers: Invalid value: "Bad_Domain/x": prefix part ${DNS1123_SUBDOMAIN}`],
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const n = ns();
      mutate(n);
      assert.deepEqual(strings(validateNamespace(n)), want);
    });
  }
});

type UpdateCase = [string, (n: Namespace, old: Namespace) => void, string[]];

function table(
  fn: (n: Namespace, old: Namespace) => ReturnType<typeof validateNamespace>,
  cases: UpdateCase[],
) {
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const old = ns();
      const n = ns();
      mutate(n, old);
      assert.deepEqual(strings(fn(n, old)), want);
    });
  }
}

describe('validateNamespaceUpdate', () => {
  table(validateNamespaceUpdate, [
    ['labels may change', (n) => (n.metadata!.labels!.team = 'a'), []],
    [
      'name immutable',
      (n) => (n.metadata!.name = 'team-b'),
      ['metadata.name: Invalid value: "team-b": field is immutable'],
    ],
    [
      'whole object validated',
      (n) => n.spec!.finalizers!.push('cleanup'),
      [`spec.finalizers: Invalid value: "cleanup": ${NOT_STANDARD}`],
    ],
  ]);
});

describe('validateNamespaceStatusUpdate', () => {
  const deleting = '2024-03-01T00:00:00Z';
  table(validateNamespaceStatusUpdate, [
    ['Active', () => {}, []],
    [
      'Terminating without deletionTimestamp',
      (n) => (n.status!.phase = 'Terminating'),
      ['status.Phase: Invalid value: "Terminating": may only be \'Active\' if `deletionTimestamp` is empty'],
    ],
    [
      'Terminating while deleting',
      (n, old) => {
        n.metadata!.deletionTimestamp = old.metadata!.deletionTimestamp = deleting;
        n.status!.phase = 'Terminating';
      },
      [],
    ],
    [
      'Active while deleting',
      (n, old) => (n.metadata!.deletionTimestamp = old.metadata!.deletionTimestamp = deleting),
      [
        'status.Phase: Invalid value: "Active": may only be \'Terminating\' if `deletionTimestamp` is not empty',
      ],
    ],
    [
      'conditions are free',
      (n) => (n.status!.conditions = [{ type: 'NamespaceDeletionDiscoveryFailure', status: 'False' }]),
      [],
    ],
  ]);
});

describe('validateNamespaceFinalizeUpdate', () => {
  table(validateNamespaceFinalizeUpdate, [
    ['finalizers removed', (n) => (n.spec!.finalizers = []), []],
    [
      'each finalizer checked, by index',
      (n) => (n.spec!.finalizers = ['kubernetes', 'cleanup']),
      [`spec.finalizers[1]: Invalid value: "cleanup": ${NOT_STANDARD}`],
    ],
    [
      'metadata rules apply',
      (n) => (n.metadata!.uid = 'x'),
      ['metadata.uid: Invalid value: "x": field is immutable'],
    ],
  ]);
});
