import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonSet as V1DaemonSet } from 'kubernetes-types/apps/v1.js';
import { setDaemonSetDefaults } from '../../../src/api/defaults/apps.js';
import { daemonSetStrategy } from '../../../src/api/registry/daemonset.js';
import {
  validateDaemonSet,
  validateDaemonSetStatusUpdate,
  validateDaemonSetUpdate,
} from '../../../src/api/validation/apps.js';
import { strings, type Writable } from './messages.js';

type DaemonSet = Writable<V1DaemonSet>;

function daemonSet(): DaemonSet {
  const ds: V1DaemonSet = {
    metadata: {
      name: 'agent',
      namespace: 'default',
      resourceVersion: '3',
      uid: 'u1',
      generation: 1,
      annotations: { 'deprecated.daemonset.template.generation': '1' },
    },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'c', image: 'svcnet/netexec' }] },
      },
    },
  };
  setDaemonSetDefaults(ds);
  return ds as DaemonSet;
}

describe('DaemonSet defaults', () => {
  it('RollingUpdate with maxUnavailable 1, maxSurge 0, and 10 revisions kept', () => {
    const ds = daemonSet();
    assert.deepEqual(ds.spec!.updateStrategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    assert.equal(ds.spec!.revisionHistoryLimit, 10);
  });
  it('OnDelete gets no rollingUpdate', () => {
    const ds: V1DaemonSet = { spec: { updateStrategy: { type: 'OnDelete' } } as V1DaemonSet['spec'] };
    setDaemonSetDefaults(ds);
    assert.deepEqual(ds.spec!.updateStrategy, { type: 'OnDelete' });
  });
});

describe('validateDaemonSet', () => {
  const cases: [string, (ds: DaemonSet) => void, string[]][] = [
    ['valid', () => {}, []],
    [
      'selector does not match the template',
      (ds) => {
        ds.spec!.selector = { matchLabels: { app: 'other' } };
      },
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"agent"}: `selector` does not match template `labels`',
      ],
    ],
    [
      'empty selector',
      (ds) => {
        ds.spec!.selector = {};
      },
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset',
      ],
    ],
    [
      'restartPolicy other than Always',
      (ds) => {
        ds.spec!.template.spec!.restartPolicy = 'OnFailure';
      },
      ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
    [
      'activeDeadlineSeconds',
      (ds) => {
        ds.spec!.template.spec!.activeDeadlineSeconds = 5;
      },
      [
        'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported',
      ],
    ],
    [
      'negative minReadySeconds and revisionHistoryLimit',
      (ds) => {
        ds.spec!.minReadySeconds = -1;
        ds.spec!.revisionHistoryLimit = -2;
      },
      [
        'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
        'spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0',
      ],
    ],
    [
      'unknown strategy type',
      (ds) => {
        ds.spec!.updateStrategy = { type: 'Recreate' };
      },
      [
        'spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Recreate", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"',
      ],
    ],
    [
      'RollingUpdate without rollingUpdate',
      (ds) => {
        ds.spec!.updateStrategy = { type: 'RollingUpdate' };
      },
      ['spec.updateStrategy.rollingUpdate: Required value'],
    ],
    [
      'both maxUnavailable and maxSurge',
      (ds) => {
        ds.spec!.updateStrategy!.rollingUpdate = { maxUnavailable: 1, maxSurge: '10%' };
      },
      [
        'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"10%"}: may not be set when maxUnavailable is non-zero',
      ],
    ],
    [
      'neither maxUnavailable nor maxSurge',
      (ds) => {
        ds.spec!.updateStrategy!.rollingUpdate = { maxUnavailable: 0, maxSurge: 0 };
      },
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    ],
    [
      'over 100% and a bad percent',
      (ds) => {
        ds.spec!.updateStrategy!.rollingUpdate = { maxUnavailable: '110%', maxSurge: 'x%' };
      },
      [
        "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"x%\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"110%"}: must not be greater than 100%',
      ],
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const ds = daemonSet();
      mutate(ds);
      assert.deepEqual(strings(validateDaemonSet(ds)), want);
    });
  }
});

describe('validateDaemonSetUpdate', () => {
  it('the selector is immutable', () => {
    const old = daemonSet();
    const ds = daemonSet();
    ds.spec!.selector = { matchLabels: { app: 'agent', x: 'y' } };
    ds.spec!.template.metadata!.labels = { app: 'agent', x: 'y' };
    ds.metadata!.annotations!['deprecated.daemonset.template.generation'] = '2';
    assert.deepEqual(strings(validateDaemonSetUpdate(ds, old)), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"agent", "x":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
  it('templateGeneration must move with the template', () => {
    const old = daemonSet();
    const ds = daemonSet();
    ds.spec!.template.spec!.containers[0]!.image = 'svcnet/other';
    assert.deepEqual(strings(validateDaemonSetUpdate(ds, old)), [
      'spec.templateGeneration: Invalid value: 1: must be incremented upon template update',
    ]);
    const same = daemonSet();
    same.metadata!.annotations!['deprecated.daemonset.template.generation'] = '2';
    assert.deepEqual(strings(validateDaemonSetUpdate(same, old)), [
      'spec.templateGeneration: Invalid value: 2: must not be incremented without template update',
    ]);
  });
  it('the strategy bumps the template generation on a template change and keeps it otherwise', () => {
    const old = daemonSet();
    const ds = daemonSet();
    ds.spec!.template.spec!.containers[0]!.image = 'svcnet/other';
    daemonSetStrategy.prepareForUpdate!(ds, old);
    assert.equal(ds.metadata!.annotations!['deprecated.daemonset.template.generation'], '2');
    assert.deepEqual(strings(validateDaemonSetUpdate(ds, old)), []);
    const edited = daemonSet();
    delete edited.metadata!.annotations;
    daemonSetStrategy.prepareForUpdate!(edited, old);
    assert.equal(edited.metadata!.annotations!['deprecated.daemonset.template.generation'], '1');
  });
  it('create starts the template generation at 1', () => {
    const ds = daemonSet();
    delete ds.metadata!.annotations;
    daemonSetStrategy.prepareForCreate!(ds);
    assert.equal(ds.metadata!.annotations!['deprecated.daemonset.template.generation'], '1');
  });
});

describe('validateDaemonSetStatusUpdate', () => {
  it('negative counts and a decremented collision count', () => {
    const old = daemonSet();
    old.status = {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
      collisionCount: 2,
    };
    const ds = daemonSet();
    ds.status = {
      currentNumberScheduled: -1,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: -2,
      collisionCount: 1,
    };
    assert.deepEqual(strings(validateDaemonSetStatusUpdate(ds, old)), [
      'status.currentNumberScheduled: Invalid value: -1: must be greater than or equal to 0',
      'status.numberReady: Invalid value: -2: must be greater than or equal to 0',
      'status.collisionCount: Invalid value: 1: cannot be decremented',
    ]);
  });
});
