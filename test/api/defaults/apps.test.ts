import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import {
  setDeploymentDefaults,
  setReplicaSetDefaults,
  setStatefulSetDefaults,
} from '../../../src/api/defaults/apps.js';

const template = () => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'svcnet/netexec' }] },
});

describe('apps/v1 defaults', () => {
  it('Deployment: replicas, RollingUpdate 25%/25%, history 10, deadline 600, pod template', () => {
    const d: Deployment = {
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: template() },
    };
    setDeploymentDefaults(d);
    assert.equal(d.spec?.replicas, 1);
    assert.deepEqual(d.spec?.strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
    assert.equal(d.spec?.revisionHistoryLimit, 10);
    assert.equal(d.spec?.progressDeadlineSeconds, 600);
    const pod = d.spec!.template.spec!;
    assert.equal(pod.restartPolicy, 'Always');
    assert.equal(pod.dnsPolicy, 'ClusterFirst');
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    assert.equal(pod.containers[0]!.imagePullPolicy, 'Always');
  });

  const deploymentCases: [
    string,
    Partial<NonNullable<Deployment['spec']>>,
    Partial<NonNullable<Deployment['spec']>>,
  ][] = [
    ['explicit zero replicas stays', { replicas: 0 }, { replicas: 0 }],
    [
      'Recreate gets no rollingUpdate',
      { strategy: { type: 'Recreate' } },
      { strategy: { type: 'Recreate' } },
    ],
    [
      'a partial rollingUpdate is completed',
      { strategy: { rollingUpdate: { maxSurge: 0 } } },
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '25%' } } },
    ],
    [
      'an unknown type is left for validation',
      { strategy: { type: 'Blue' } },
      { strategy: { type: 'Blue' } },
    ],
    [
      'explicit history and deadline stay',
      { revisionHistoryLimit: 0, progressDeadlineSeconds: 30 },
      { revisionHistoryLimit: 0, progressDeadlineSeconds: 30 },
    ],
  ];
  for (const [name, given, want] of deploymentCases)
    it(`Deployment: ${name}`, () => {
      const d = { metadata: { name: 'x' }, spec: { ...given } } as Deployment;
      setDeploymentDefaults(d);
      for (const [k, v] of Object.entries(want))
        assert.deepEqual((d.spec as unknown as Record<string, unknown>)[k], v, k);
    });

  it('Deployment without spec or template still gets a defaulted pod spec', () => {
    const d: Deployment = { metadata: { name: 'x' } };
    setDeploymentDefaults(d);
    assert.equal(d.spec?.template.spec?.restartPolicy, 'Always');
    assert.equal(d.spec?.template.spec?.containers, undefined);
  });

  it('ReplicaSet: replicas 1 unless set, pod template defaulted', () => {
    const rs: ReplicaSet = { metadata: { name: 'x' }, spec: { selector: {}, template: template() } };
    setReplicaSetDefaults(rs);
    assert.equal(rs.spec?.replicas, 1);
    assert.equal(rs.spec?.template?.spec?.schedulerName, 'default-scheduler');
    const zero: ReplicaSet = { metadata: { name: 'x' }, spec: { replicas: 0, selector: {} } };
    setReplicaSetDefaults(zero);
    assert.equal(zero.spec?.replicas, 0);
  });

  it('StatefulSet: OrderedReady, RollingUpdate partition 0, Retain/Retain, replicas 1, history 10', () => {
    const ss: StatefulSet = {
      metadata: { name: 'mysql' },
      spec: { serviceName: 'mysql', selector: { matchLabels: { app: 'web' } }, template: template() },
    };
    setStatefulSetDefaults(ss);
    assert.equal(ss.spec?.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(ss.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(ss.spec?.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    assert.equal(ss.spec?.replicas, 1);
    assert.equal(ss.spec?.revisionHistoryLimit, 10);
    assert.equal(ss.spec?.minReadySeconds, undefined);
    assert.equal(ss.spec?.template.spec?.restartPolicy, 'Always');
  });

  const ssCases: [
    string,
    Partial<NonNullable<StatefulSet['spec']>>,
    Partial<NonNullable<StatefulSet['spec']>>,
  ][] = [
    [
      'OnDelete gets no rollingUpdate',
      { updateStrategy: { type: 'OnDelete' } },
      { updateStrategy: { type: 'OnDelete' } },
    ],
    [
      'RollingUpdate without rollingUpdate stays without',
      { updateStrategy: { type: 'RollingUpdate' } },
      { updateStrategy: { type: 'RollingUpdate' } },
    ],
    [
      'a given rollingUpdate gets partition 0',
      { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } },
      { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, partition: 0 } } },
    ],
    ['Parallel stays', { podManagementPolicy: 'Parallel' }, { podManagementPolicy: 'Parallel' }],
    [
      'a half-given retention policy is completed',
      { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } },
      { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } },
    ],
  ];
  for (const [name, given, want] of ssCases)
    it(`StatefulSet: ${name}`, () => {
      const ss = { metadata: { name: 'x' }, spec: { ...given } } as StatefulSet;
      setStatefulSetDefaults(ss);
      for (const [k, v] of Object.entries(want))
        assert.deepEqual((ss.spec as unknown as Record<string, unknown>)[k], v, k);
    });

  it('StatefulSet volume claim templates: kind, volumeMode Filesystem, phase Pending', () => {
    const ss = {
      metadata: { name: 'x' },
      spec: {
        volumeClaimTemplates: [
          { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } },
          { metadata: { name: 'raw' }, spec: { volumeMode: 'Block' } },
        ],
      },
    } as StatefulSet;
    setStatefulSetDefaults(ss);
    const [data, raw] = ss.spec!.volumeClaimTemplates!;
    assert.deepEqual(data, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
    assert.equal(raw?.spec?.volumeMode, 'Block');
  });
});
