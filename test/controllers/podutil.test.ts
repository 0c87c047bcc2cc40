import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import {
  adoptPatch,
  apiReason,
  generateNamePrefix,
  getControllerOf,
  hasAllLabels,
  isEmptySelector,
  isNamespaceTerminating,
  isPodActive,
  isPodAvailable,
  isPodReady,
  newControllerRef,
  podFromTemplate,
  releasePatch,
  selectorMatches,
  slowStartBatch,
} from '../../src/controllers/podutil.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const readyPod = (status: string, since = '2026-01-01T00:00:00Z'): Pod => ({
  status: { conditions: [{ type: 'Ready', status, lastTransitionTime: since }] },
});

describe('pod readiness and availability', () => {
  it('reads the Ready condition', () => {
    assert.equal(isPodReady(readyPod('True')), true);
    assert.equal(isPodReady(readyPod('False')), false);
    assert.equal(isPodReady({}), false);
  });
  const cases: [string, Pod, number, number, boolean][] = [
    ['ready, no minReadySeconds', readyPod('True'), 0, T0, true],
    ['not ready', readyPod('False'), 0, T0 + 60_000, false],
    ['ready for 5s of 10', readyPod('True'), 10, T0 + 5_000, false],
    ['ready for exactly 10s of 10 (strictly before)', readyPod('True'), 10, T0 + 10_000, false],
    ['ready for 11s of 10', readyPod('True'), 10, T0 + 11_000, true],
  ];
  for (const [name, pod, minReady, now, want] of cases) {
    it(`available: ${name}`, () => assert.equal(isPodAvailable(pod, minReady, now), want));
  }
  it('active: not finished, not being deleted', () => {
    assert.equal(isPodActive({ status: { phase: 'Running' } }), true);
    assert.equal(isPodActive({ status: { phase: 'Succeeded' } }), false);
    assert.equal(isPodActive({ status: { phase: 'Failed' } }), false);
    assert.equal(isPodActive({ metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }), false);
  });
});

describe('selectors', () => {
  const table: [string, LabelSelector | undefined, Record<string, string>, boolean][] = [
    ['nil matches nothing', undefined, { a: '1' }, false],
    ['empty matches everything', {}, { a: '1' }, true],
    ['matchLabels hit', { matchLabels: { a: '1' } }, { a: '1', b: '2' }, true],
    ['matchLabels miss', { matchLabels: { a: '1' } }, { a: '2' }, false],
    ['In', { matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] }, { a: '2' }, true],
    ['In, absent', { matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] }, {}, false],
    ['NotIn, absent', { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, {}, true],
    [
      'NotIn, present',
      { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] },
      { a: '1' },
      false,
    ],
    ['Exists', { matchExpressions: [{ key: 'a', operator: 'Exists' }] }, { a: '' }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { a: 'x' }, false],
    [
      'unknown operator',
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      { a: '2' },
      false,
    ],
  ];
  for (const [name, sel, labels, want] of table) {
    it(name, () => assert.equal(selectorMatches(sel, labels), want));
  }
  it('empty selector detection', () => {
    assert.equal(isEmptySelector({}), true);
    assert.equal(isEmptySelector({ matchLabels: {} }), true);
    assert.equal(isEmptySelector({ matchLabels: { a: '1' } }), false);
  });
  it('fully labeled: every template label with the same value', () => {
    assert.equal(hasAllLabels({ a: '1' }, { a: '1', b: '2' }), true);
    assert.equal(hasAllLabels({ a: '1', c: '3' }, { a: '1' }), false);
  });
});

describe('owner references and pod creation', () => {
  const rs = { metadata: { name: 'web-abc', uid: 'u1', namespace: 'default' } };
  it('newControllerRef as metav1.NewControllerRef', () => {
    assert.deepEqual(newControllerRef(rs, 'apps/v1', 'ReplicaSet'), {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web-abc',
      uid: 'u1',
      controller: true,
      blockOwnerDeletion: true,
    });
  });
  it('getControllerOf picks the controller reference', () => {
    const pod: Pod = {
      metadata: {
        ownerReferences: [
          { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'x' },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'r', controller: true },
        ],
      },
    };
    assert.equal(getControllerOf(pod)?.uid, 'r');
    assert.equal(getControllerOf({}), undefined);
  });
  it('podFromTemplate copies labels, annotations, spec and sets generateName + owner', () => {
    const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
    const pod = podFromTemplate(
      {
        metadata: { labels: { app: 'web' }, annotations: { a: 'b' }, name: 'ignored' },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
      'default',
      'web-abc',
      ref,
    );
    assert.deepEqual(pod.metadata, {
      namespace: 'default',
      generateName: 'web-abc-',
      labels: { app: 'web' },
      annotations: { a: 'b' },
      ownerReferences: [ref],
    });
    assert.equal(pod.spec?.containers[0]?.image, 'nginx');
  });
  it('generateName prefix falls back to the name when name- is not valid', () => {
    assert.equal(generateNamePrefix('web'), 'web-');
    assert.equal(generateNamePrefix('Web'), 'Web');
  });
  it('adoption and release patches', () => {
    const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
    assert.deepEqual(adoptPatch(ref, 'p1'), { metadata: { ownerReferences: [ref], uid: 'p1' } });
    assert.deepEqual(releasePatch('u1', 'p1'), {
      metadata: { ownerReferences: [{ $patch: 'delete', uid: 'u1' }], uid: 'p1' },
    });
  });
});

describe('slowStartBatch', () => {
  const table: [string, number, number | undefined, number, number[]][] = [
    // name, count, call number that fails (1-based), successes, batch sizes
    ['all succeed', 10, undefined, 10, [1, 2, 4, 3]],
    ['first fails', 10, 1, 0, [1]],
    ['fails in the third batch: its other calls still count', 10, 5, 6, [1, 2, 4]],
    ['nothing to do', 0, undefined, 0, []],
  ];
  for (const [name, count, failAt, successes, batches] of table) {
    it(name, async () => {
      let calls = 0;
      let inBatch = 0;
      const sizes: number[] = [];
      let lastTick = -1;
      const r = await slowStartBatch(count, 1, async () => {
        const n = ++calls;
        // Calls of one batch start in the same tick.
        if (lastTick !== sizes.length || inBatch === 0) {
          sizes.push(0);
          lastTick = sizes.length;
        }
        sizes[sizes.length - 1]!++;
        inBatch++;
        await Promise.resolve();
        inBatch--;
        if (n === failAt) throw new Error('boom');
      });
      assert.equal(r.successes, successes);
      assert.deepEqual(sizes, batches);
      assert.equal(r.error === undefined, failAt === undefined);
    });
  }
});

describe('API error helpers', () => {
  it('reads reasons and the NamespaceTerminating cause', () => {
    assert.equal(apiReason({ reason: 'NotFound' }), 'NotFound');
    assert.equal(apiReason({ status: { reason: 'Conflict' } }), 'Conflict');
    assert.equal(apiReason(new Error('x')), undefined);
    assert.equal(
      isNamespaceTerminating({ status: { details: { causes: [{ type: 'NamespaceTerminating' }] } } }),
      true,
    );
    assert.equal(isNamespaceTerminating({ status: {} }), false);
  });
});
