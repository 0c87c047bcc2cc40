import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { prepareNamespaceForCreate, setNamespaceDefaults } from '../../../src/api/defaults/namespace.js';

describe('setNamespaceDefaults', () => {
  const cases: [string, Namespace, Namespace][] = [
    [
      'name label and Active phase',
      { metadata: { name: 'team-a' } },
      {
        metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
        status: { phase: 'Active' },
      },
    ],
    [
      'the name label is forced to the name',
      { metadata: { name: 'team-a', labels: { x: 'y', 'kubernetes.io/metadata.name': 'other' } } },
      {
        metadata: { name: 'team-a', labels: { x: 'y', 'kubernetes.io/metadata.name': 'team-a' } },
        status: { phase: 'Active' },
      },
    ],
    [
      'no label without a name (generateName)',
      { metadata: { generateName: 'team-' } },
      { metadata: { generateName: 'team-' }, status: { phase: 'Active' } },
    ],
    [
      'phase kept',
      { metadata: { name: 'old' }, status: { phase: 'Terminating' } },
      {
        metadata: { name: 'old', labels: { 'kubernetes.io/metadata.name': 'old' } },
        status: { phase: 'Terminating' },
      },
    ],
    [
      'spec.finalizers are not a default',
      { metadata: { name: 'n' }, spec: {} },
      {
        metadata: { name: 'n', labels: { 'kubernetes.io/metadata.name': 'n' } },
        spec: {},
        status: { phase: 'Active' },
      },
    ],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => {
      setNamespaceDefaults(input);
      assert.deepEqual(input, want);
    });
  }
});

describe('prepareNamespaceForCreate (strategy, not defaults)', () => {
  const cases: [string, Namespace, Namespace][] = [
    [
      'adds the kubernetes finalizer',
      { metadata: { name: 'n' } },
      { metadata: { name: 'n' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
    ],
    [
      'appends it after other finalizers',
      { metadata: { name: 'n' }, spec: { finalizers: ['example.com/x'] } },
      {
        metadata: { name: 'n' },
        spec: { finalizers: ['example.com/x', 'kubernetes'] },
        status: { phase: 'Active' },
      },
    ],
    [
      'not twice; client status discarded',
      { metadata: { name: 'n' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } },
      { metadata: { name: 'n' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
    ],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => {
      prepareNamespaceForCreate(input);
      assert.deepEqual(input, want);
    });
  }
});
