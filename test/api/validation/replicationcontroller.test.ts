import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReplicationController as V1RC } from 'kubernetes-types/core/v1.js';
import { setReplicationControllerDefaults } from '../../../src/api/defaults/replicationcontroller.js';
import {
  validateReplicationController,
  validateReplicationControllerStatusUpdate,
  validateReplicationControllerUpdate,
} from '../../../src/api/validation/replicationcontroller.js';
import { strings, type Writable } from './messages.js';

type RC = Writable<V1RC>;

function rc(): RC {
  const o: V1RC = {
    metadata: { name: 'web', namespace: 'default', resourceVersion: '2', uid: 'u1', generation: 1 },
    spec: {
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'svcnet/netexec' }] },
      },
    },
  };
  setReplicationControllerDefaults(o);
  return o as RC;
}

describe('ReplicationController defaults', () => {
  it('selector and labels come from the template; one replica', () => {
    const o = rc();
    assert.deepEqual(o.spec!.selector, { app: 'web' });
    assert.deepEqual(o.metadata!.labels, { app: 'web' });
    assert.equal(o.spec!.replicas, 1);
    assert.equal(o.spec!.template!.spec!.restartPolicy, 'Always');
  });
});

describe('validateReplicationController', () => {
  const cases: [string, (o: RC) => void, string[]][] = [
    ['valid', () => {}, []],
    [
      'selector not matching the template',
      (o) => {
        o.spec!.selector = { app: 'other' };
      },
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'no template',
      (o) => {
        delete o.spec!.template;
      },
      ['spec.template: Required value'],
    ],
    [
      'empty selector (a template without labels)',
      (o) => {
        o.spec!.selector = {};
        o.spec!.template!.metadata = {};
      },
      ['spec.selector: Required value'],
    ],
    [
      'negative replicas and minReadySeconds',
      (o) => {
        o.spec!.replicas = -1;
        o.spec!.minReadySeconds = -3;
      },
      [
        'spec.minReadySeconds: Invalid value: -3: must be greater than or equal to 0',
        'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      ],
    ],
    [
      'restartPolicy and activeDeadlineSeconds',
      (o) => {
        o.spec!.template!.spec!.restartPolicy = 'Never';
        o.spec!.template!.spec!.activeDeadlineSeconds = 10;
      },
      [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
        'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported',
      ],
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const o = rc();
      mutate(o);
      assert.deepEqual(strings(validateReplicationController(o)), want);
    });
  }

  it('the selector may change on update (unlike apps/v1)', () => {
    const old = rc();
    const o = rc();
    o.spec!.selector = { app: 'web' };
    o.spec!.template!.metadata!.labels = { app: 'web', v: '2' };
    assert.deepEqual(strings(validateReplicationControllerUpdate(o, old)), []);
  });

  it('status counts', () => {
    const old = rc();
    const o = rc();
    o.status = { replicas: 1, readyReplicas: 2, availableReplicas: 3 };
    assert.deepEqual(strings(validateReplicationControllerStatusUpdate(o, old)), [
      'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas',
      'status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas',
      'status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas',
    ]);
  });
});
