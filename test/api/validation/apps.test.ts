import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  ControllerRevision,
  Deployment as V1Deployment,
  ReplicaSet as V1ReplicaSet,
  StatefulSet as V1StatefulSet,
} from 'kubernetes-types/apps/v1.js';
import {
  setDeploymentDefaults,
  setReplicaSetDefaults,
  setStatefulSetDefaults,
} from '../../../src/api/defaults/apps.js';
import {
  goLabelSelector,
  labelSelectorAsSelector,
  selectorMatches,
  semanticEqual,
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDeployment,
  validateDeploymentStatusUpdate,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetStatusUpdate,
  validateReplicaSetUpdate,
  validateStatefulSet,
  validateStatefulSetStatusUpdate,
  validateStatefulSetUpdate,
} from '../../../src/api/validation/apps.js';
import { DNS1123_LABEL, LABEL_VALUE, strings, type Writable } from './messages.js';

type Deployment = Writable<V1Deployment>;
type ReplicaSet = Writable<V1ReplicaSet>;
type StatefulSet = Writable<V1StatefulSet>;

const meta = () => ({ name: 'web', namespace: 'default', resourceVersion: '7', uid: 'u1', generation: 1 });
const template = () => ({
  metadata: { labels: { app: 'web', tier: 'fe' } },
  spec: { containers: [{ name: 'web', image: 'svcnet/netexec' }] },
});

function deployment(): Deployment {
  const d: V1Deployment = {
    metadata: meta(),
    spec: { selector: { matchLabels: { app: 'web' } }, template: template() },
  };
  setDeploymentDefaults(d);
  return d as Deployment;
}
function replicaSet(): ReplicaSet {
  const rs: V1ReplicaSet = {
    metadata: meta(),
    spec: { selector: { matchLabels: { app: 'web' } }, template: template() },
  };
  setReplicaSetDefaults(rs);
  return rs as ReplicaSet;
}
function statefulSet(): StatefulSet {
  const ss: V1StatefulSet = {
    metadata: meta(),
    spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template() },
  };
  setStatefulSetDefaults(ss);
  return ss as StatefulSet;
}

const TEMPLATE_LABELS = 'map[string]string{"app":"web", "tier":"fe"}';
const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

type Case<T> = [string, (o: T) => void, string[]];

function runCases<T>(
  name: string,
  make: () => T,
  validate: (o: T) => readonly { toString(): string }[],
  cases: Case<T>[],
) {
  describe(name, () => {
    for (const [title, mutate, want] of cases)
      it(title, () => {
        const o = make();
        mutate(o);
        assert.deepEqual(strings(validate(o)), want);
      });
  });
}

runCases<Deployment>('validateDeployment', deployment, (d) => validateDeployment(d as V1Deployment), [
  ['valid', () => {}, []],
  [
    'negative replicas',
    (d) => (d.spec!.replicas = -1),
    ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'no selector: required, and the template cannot match a nil selector',
    (d) => delete (d.spec as { selector?: unknown }).selector,
    [
      'spec.selector: Required value',
      `spec.template.metadata.labels: Invalid value: ${TEMPLATE_LABELS}: \`selector\` does not match template \`labels\``,
    ],
  ],
  [
    'empty selector',
    (d) => (d.spec!.selector = { matchLabels: {} }),
    [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ],
  ],
  [
    'selector does not match template labels',
    (d) => (d.spec!.selector = { matchLabels: { app: 'db' } }),
    [
      `spec.template.metadata.labels: Invalid value: ${TEMPLATE_LABELS}: \`selector\` does not match template \`labels\``,
    ],
  ],
  [
    'matchExpressions select the template',
    (d) =>
      (d.spec!.selector = {
        matchExpressions: [
          { key: 'app', operator: 'In', values: ['web', 'api'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      }),
    [],
  ],
  [
    'bad matchExpressions',
    (d) =>
      (d.spec!.selector = {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'a', operator: 'In', values: [] },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Like', values: ['bad value!'] },
        ],
      }),
    [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Like": not a valid selector operator',
      `spec.selector.matchExpressions[2].values[0]: Invalid value: "bad value!": ${LABEL_VALUE}`,
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"a", Operator:"In", Values:[]string{}}, v1.LabelSelectorRequirement{Key:"b", Operator:"Exists", Values:[]string{"x"}}, v1.LabelSelectorRequirement{Key:"c", Operator:"Like", Values:[]string{"bad value!"}}}}: invalid label selector',
    ],
  ],
  [
    'restartPolicy must be Always',
    (d) => (d.spec!.template.spec!.restartPolicy = 'Never'),
    ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
  ],
  [
    'activeDeadlineSeconds is not supported',
    (d) => (d.spec!.template.spec!.activeDeadlineSeconds = 5),
    [
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    ],
  ],
  [
    'pod spec errors come from the pod template validation',
    (d) => (d.spec!.template.spec!.containers = []),
    ['spec.template.spec.containers: Required value'],
  ],
  [
    'maxUnavailable and maxSurge both 0',
    (d) => (d.spec!.strategy!.rollingUpdate = { maxUnavailable: 0, maxSurge: '0%' }),
    [
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ],
  ],
  [
    'bad percents and negative ints',
    (d) => (d.spec!.strategy!.rollingUpdate = { maxUnavailable: '150%', maxSurge: -1 }),
    [
      'spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    ],
  ],
  [
    'a percent that is not one',
    (d) => (d.spec!.strategy!.rollingUpdate = { maxUnavailable: 'ten', maxSurge: 1 }),
    [
      `spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"ten"}: ${PERCENT_MSG}`,
    ],
  ],
  [
    'maxSurge over 100% is fine',
    (d) => (d.spec!.strategy!.rollingUpdate = { maxUnavailable: 0, maxSurge: '200%' }),
    [],
  ],
  [
    'Recreate with rollingUpdate',
    (d) => (d.spec!.strategy!.type = 'Recreate'),
    ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
  ],
  [
    'unknown strategy type',
    (d) => (d.spec!.strategy = { type: 'BlueGreen' }),
    [
      'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
    ],
  ],
  [
    'negative minReadySeconds and revisionHistoryLimit',
    (d) => {
      d.spec!.minReadySeconds = -1;
      d.spec!.revisionHistoryLimit = -2;
    },
    [
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0',
    ],
  ],
  [
    'progressDeadlineSeconds must exceed minReadySeconds',
    (d) => {
      d.spec!.minReadySeconds = 600;
    },
    ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds'],
  ],
  [
    'bad name',
    (d) => (d.metadata!.name = 'Web'),
    [
      "metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
  ],
]);

describe('validateDeploymentUpdate', () => {
  it('allows spec changes but not the selector', () => {
    const old = deployment();
    const d = deployment();
    d.spec!.replicas = 5;
    d.spec!.template.spec!.containers[0]!.image = 'nginx:1.27';
    assert.deepEqual(strings(validateDeploymentUpdate(d as V1Deployment, old as V1Deployment)), []);
    d.spec!.selector = { matchLabels: { app: 'web', tier: 'fe' } };
    assert.deepEqual(strings(validateDeploymentUpdate(d as V1Deployment, old as V1Deployment)), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
  it('status: counts are checked against each other; collisionCount may not drop', () => {
    const old = deployment();
    old.status = { collisionCount: 2 };
    const d = deployment();
    d.status = {
      replicas: 2,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: -1,
      collisionCount: 1,
    };
    assert.deepEqual(strings(validateDeploymentStatusUpdate(d as V1Deployment, old as V1Deployment)), [
      'status.updatedReplicas: Invalid value: -1: must be greater than or equal to 0',
      'status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas',
      'status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas',
      'status.collisionCount: Invalid value: 1: cannot be decremented',
    ]);
  });
});

runCases<ReplicaSet>('validateReplicaSet', replicaSet, (rs) => validateReplicaSet(rs as V1ReplicaSet), [
  ['valid', () => {}, []],
  [
    'negative replicas and minReadySeconds',
    (rs) => {
      rs.spec!.replicas = -1;
      rs.spec!.minReadySeconds = -1;
    },
    [
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
    ],
  ],
  [
    'empty selector (upstream says "deployment" here too)',
    (rs) => (rs.spec!.selector = {}),
    [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ],
  ],
  [
    'template without labels',
    (rs) => delete rs.spec!.template!.metadata,
    [
      'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
    ],
  ],
]);

describe('validateReplicaSetUpdate', () => {
  it('selector is immutable, errors are not repeated', () => {
    const old = replicaSet();
    const rs = replicaSet();
    rs.spec!.replicas = -3;
    rs.spec!.selector = { matchLabels: { app: 'web', tier: 'fe' } };
    assert.deepEqual(strings(validateReplicaSetUpdate(rs as V1ReplicaSet, old as V1ReplicaSet)), [
      'spec.replicas: Invalid value: -3: must be greater than or equal to 0',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
  it('status', () => {
    const rs = replicaSet();
    rs.status = {
      replicas: 1,
      fullyLabeledReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
      observedGeneration: -1,
    };
    assert.deepEqual(
      strings(validateReplicaSetStatusUpdate(rs as V1ReplicaSet, replicaSet() as V1ReplicaSet)),
      [
        'status.observedGeneration: Invalid value: -1: must be greater than or equal to 0',
        'status.fullyLabeledReplicas: Invalid value: 2: cannot be greater than status.replicas',
      ],
    );
  });
});

runCases<StatefulSet>('validateStatefulSet', statefulSet, (ss) => validateStatefulSet(ss as V1StatefulSet), [
  ['valid', () => {}, []],
  ['empty serviceName is allowed', (ss) => (ss.spec!.serviceName = ''), []],
  [
    'names are DNS labels',
    (ss) => (ss.metadata!.name = 'web.v1'),
    ['metadata.name: Invalid value: "web.v1": must not contain dots'],
  ],
  [
    'names are DNS labels (not subdomain-shaped either)',
    (ss) => (ss.metadata!.name = 'Web'),
    [`metadata.name: Invalid value: "Web": ${DNS1123_LABEL}`],
  ],
  [
    'bad podManagementPolicy',
    (ss) => (ss.spec!.podManagementPolicy = 'Random'),
    [`spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`],
  ],
  [
    'bad updateStrategy type',
    (ss) => (ss.spec!.updateStrategy = { type: 'Sometimes' }),
    [
      `spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"Sometimes", RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'`,
    ],
  ],
  [
    'OnDelete with rollingUpdate',
    (ss) => (ss.spec!.updateStrategy!.type = 'OnDelete'),
    [
      "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:0, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy 'RollingUpdate'",
    ],
  ],
  [
    'negative partition, zero maxUnavailable',
    (ss) => (ss.spec!.updateStrategy!.rollingUpdate = { partition: -1, maxUnavailable: '0%' }),
    [
      'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: cannot be 0',
    ],
  ],
  [
    'bad retention policy',
    (ss) => (ss.spec!.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep', whenScaled: 'Delete' }),
    [
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    ],
  ],
  [
    'negative replicas, minReadySeconds, ordinals.start',
    (ss) => {
      ss.spec!.replicas = -1;
      ss.spec!.minReadySeconds = -1;
      ss.spec!.ordinals = { start: -1 };
    },
    [
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0',
    ],
  ],
  [
    'empty selector',
    (ss) => (ss.spec!.selector = { matchLabels: {} }),
    [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset',
    ],
  ],
  [
    'mismatched selector; the pod spec itself is not validated',
    (ss) => {
      ss.spec!.selector = { matchLabels: { app: 'db' } };
      ss.spec!.template.spec!.containers = [];
    },
    [
      `spec.template.metadata.labels: Invalid value: ${TEMPLATE_LABELS}: \`selector\` does not match template \`labels\``,
    ],
  ],
  [
    'an unparseable selector has an empty detail',
    (ss) =>
      (ss.spec!.selector = {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'x', operator: 'Near' }],
      }),
    [
      'spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"x", Operator:"Near", Values:[]string(nil)}}}',
    ],
  ],
  [
    'restartPolicy and activeDeadlineSeconds',
    (ss) => {
      ss.spec!.template.spec!.restartPolicy = 'OnFailure';
      ss.spec!.template.spec!.activeDeadlineSeconds = 10;
    },
    [
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported',
    ],
  ],
]);

const SS_FORBIDDEN =
  "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

runCases<StatefulSet>(
  'validateStatefulSetUpdate',
  statefulSet,
  (ss) => validateStatefulSetUpdate(ss as V1StatefulSet, statefulSet() as V1StatefulSet),
  [
    ['no change', () => {}, []],
    [
      'the allowed fields',
      (ss) => {
        ss.spec!.replicas = 3;
        ss.spec!.template.spec!.containers[0]!.image = 'mysql:8';
        ss.spec!.updateStrategy = { type: 'OnDelete' };
        ss.spec!.minReadySeconds = 5;
        ss.spec!.ordinals = { start: 1 };
        ss.spec!.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' };
      },
      [],
    ],
    ['serviceName', (ss) => (ss.spec!.serviceName = 'other'), [SS_FORBIDDEN]],
    ['selector', (ss) => (ss.spec!.selector = { matchLabels: { app: 'web', tier: 'fe' } }), [SS_FORBIDDEN]],
    ['podManagementPolicy', (ss) => (ss.spec!.podManagementPolicy = 'Parallel'), [SS_FORBIDDEN]],
    [
      'volumeClaimTemplates',
      (ss) => (ss.spec!.volumeClaimTemplates = [{ metadata: { name: 'data' } }]),
      [SS_FORBIDDEN],
    ],
    [
      'revisionHistoryLimit (allowed only from 1.34)',
      (ss) => (ss.spec!.revisionHistoryLimit = 3),
      [SS_FORBIDDEN],
    ],
    [
      'the new spec is validated too',
      (ss) => (ss.spec!.replicas = -1),
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
  ],
);

describe('validateStatefulSetUpdate zero values', () => {
  it('an absent serviceName equals an empty one', () => {
    const old = statefulSet();
    delete (old.spec as { serviceName?: string }).serviceName;
    const ss = statefulSet();
    ss.spec!.serviceName = '';
    assert.deepEqual(strings(validateStatefulSetUpdate(ss as V1StatefulSet, old as V1StatefulSet)), []);
  });
});

describe('validateStatefulSetStatusUpdate', () => {
  it('counts and collisionCount', () => {
    const old = statefulSet();
    old.status = { replicas: 1, collisionCount: 1 };
    const ss = statefulSet();
    ss.status = {
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 3,
      currentReplicas: 3,
      collisionCount: 0,
    };
    assert.deepEqual(strings(validateStatefulSetStatusUpdate(ss as V1StatefulSet, old as V1StatefulSet)), [
      'status.currentReplicas: Invalid value: 3: cannot be greater than status.replicas',
      'status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas',
      'status.availableReplicas: Invalid value: 3: cannot be greater than status.readyReplicas',
      'status.collisionCount: Invalid value: 0: cannot be decremented',
    ]);
  });
});

describe('ControllerRevision', () => {
  const cr = (): ControllerRevision => ({
    metadata: meta(),
    data: { spec: { template: { a: 1 } } },
    revision: 2,
  });
  it('requires data and a non-negative revision', () => {
    assert.deepEqual(strings(validateControllerRevision(cr())), []);
    const bad = { ...cr(), data: undefined, revision: -1 } as ControllerRevision;
    assert.deepEqual(strings(validateControllerRevision(bad)), [
      'data: Required value: data is mandatory',
      'revision: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
  it('data is immutable; revision and labels may change', () => {
    const moved = { ...cr(), revision: 5, metadata: { ...meta(), labels: { a: 'b' } } };
    assert.deepEqual(strings(validateControllerRevisionUpdate(moved, cr())), []);
    const changed = { ...cr(), data: { x: 1 } };
    assert.deepEqual(strings(validateControllerRevisionUpdate(changed, cr())), [
      'data: Invalid value: runtime.RawExtension{Raw:[]uint8{0x7b, 0x22, 0x78, 0x22, 0x3a, 0x31, 0x7d}, Object:runtime.Object(nil)}: field is immutable',
    ]);
  });
});

describe('label selector helpers', () => {
  const cases: [
    string,
    Parameters<typeof labelSelectorAsSelector>[0],
    Record<string, string> | undefined,
    boolean | 'error',
  ][] = [
    ['nil selects nothing', undefined, { a: 'b' }, false],
    ['empty selects everything', {}, undefined, true],
    ['matchLabels', { matchLabels: { a: 'b' } }, { a: 'b', c: 'd' }, true],
    ['matchLabels mismatch', { matchLabels: { a: 'b' } }, { a: 'c' }, false],
    [
      'NotIn with absent key',
      { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x'] }] },
      {},
      true,
    ],
    ['Exists', { matchExpressions: [{ key: 'a', operator: 'Exists' }] }, { a: '' }, true],
    ['bad label value', { matchLabels: { a: 'b c' } }, {}, 'error'],
    ['bad key', { matchExpressions: [{ key: '-a', operator: 'Exists' }] }, {}, 'error'],
  ];
  for (const [name, sel, labels, want] of cases)
    it(name, () => {
      const s = labelSelectorAsSelector(sel);
      if (want === 'error') assert.equal(s, undefined);
      else assert.equal(selectorMatches(s!, labels), want);
    });
  it('renders nil selectors and semantic equality treats zero values as absent', () => {
    assert.equal(goLabelSelector(undefined), 'null');
    assert.ok(semanticEqual({ a: '', b: [], c: { d: 0 } }, {}));
    assert.ok(!semanticEqual({ a: 'x' }, {}));
    assert.ok(!semanticEqual([1], [1, 2]));
  });
});
