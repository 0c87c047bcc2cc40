import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersistentVolume as V1PV, PersistentVolumeClaim as V1PVC } from 'kubernetes-types/core/v1.js';
import {
  setPersistentVolumeClaimDefaults,
  setPersistentVolumeDefaults,
} from '../../../src/api/defaults/storage.js';
import {
  persistentVolumeClaimStrategy,
  persistentVolumeStrategy,
} from '../../../src/api/registry/storage.js';
import {
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeUpdate,
} from '../../../src/api/validation/storage.js';
import { DNS1123_SUBDOMAIN, strings, type Writable } from './messages.js';

type PV = Writable<V1PV>;
type PVC = Writable<V1PVC>;

function pv(): PV {
  const o: V1PV = {
    metadata: { name: 'pv1', resourceVersion: '1', uid: 'v1' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } },
  };
  setPersistentVolumeDefaults(o);
  return o as PV;
}
function pvc(): PVC {
  const o: V1PVC = {
    metadata: { name: 'c1', namespace: 'default', resourceVersion: '1', uid: 'c1' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '500Mi' } } },
  };
  setPersistentVolumeClaimDefaults(o);
  return o as PVC;
}

const MODES = '"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"';

describe('PersistentVolume defaults and create', () => {
  it('Retain, Filesystem, hostPath type unset; a new volume is Pending', () => {
    const o = pv();
    assert.equal(o.spec!.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(o.spec!.volumeMode, 'Filesystem');
    assert.equal(o.spec!.hostPath!.type, '');
    persistentVolumeStrategy.prepareForCreate!(o);
    assert.equal(o.status!.phase, 'Pending');
    assert.match(o.status!.lastPhaseTransitionTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const c = pvc();
    persistentVolumeClaimStrategy.prepareForCreate!(c);
    assert.equal(c.status!.phase, 'Pending');
  });
});

describe('validatePersistentVolume', () => {
  const cases: [string, (o: PV) => void, string[]][] = [
    ['valid', () => {}, []],
    [
      'no access modes, an unknown one',
      (o) => {
        o.spec!.accessModes = [];
      },
      ['spec.accessModes: Required value'],
    ],
    [
      'an unknown access mode and RWOP mixed',
      (o) => {
        o.spec!.accessModes = ['ReadWriteOncePod', 'ReadOnlyMany', 'Everything'];
      },
      [
        `spec.accessModes: Unsupported value: "Everything": supported values: ${MODES}`,
        'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
      ],
    ],
    [
      'no capacity',
      (o) => {
        o.spec!.capacity = {};
      },
      [
        'spec.capacity: Required value',
        'spec.capacity: Unsupported value: core.ResourceList{}: supported values: "storage"',
      ],
    ],
    [
      'zero capacity',
      (o) => {
        o.spec!.capacity = { storage: '0' };
      },
      ['spec.capacity[storage]: Invalid value: "0": must be greater than zero'],
    ],
    [
      'an unknown reclaim policy',
      (o) => {
        o.spec!.persistentVolumeReclaimPolicy = 'Keep';
      },
      [
        'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
      ],
    ],
    [
      'no volume source',
      (o) => {
        delete o.spec!.hostPath;
      },
      ['spec: Required value: must specify a volume type'],
    ],
    [
      'two volume sources',
      (o) => {
        o.spec!.nfs = { server: 'nfs.local', path: '/export' };
      },
      ['spec.nfs: Forbidden: may not specify more than 1 volume type'],
    ],
    [
      'hostPath without a path',
      (o) => {
        o.spec!.hostPath = { path: '' };
      },
      ['spec.hostPath.path: Required value'],
    ],
    [
      'local without node affinity',
      (o) => {
        delete o.spec!.hostPath;
        o.spec!.local = { path: '/mnt/disk' };
      },
      ['spec.nodeAffinity: Required value: Local volume requires node affinity'],
    ],
    [
      'Recycle of a hostPath /',
      (o) => {
        o.spec!.hostPath = { path: '/' };
        o.spec!.persistentVolumeReclaimPolicy = 'Recycle';
      },
      ["spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"],
    ],
    [
      'a bad storage class and volume mode',
      (o) => {
        o.spec!.storageClassName = 'Fast_SSD';
        o.spec!.volumeMode = 'Raw';
      },
      [
        `spec.storageClassName: Invalid value: "Fast_SSD": ${DNS1123_SUBDOMAIN}`,
        'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"',
      ],
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const o = pv();
      mutate(o);
      assert.deepEqual(strings(validatePersistentVolume(o)), want);
    });
  }

  it('the volume source is immutable', () => {
    const o = pv();
    o.spec!.hostPath = { path: '/other', type: '' };
    assert.deepEqual(strings(validatePersistentVolumeUpdate(o, pv())), [
      'spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation',
    ]);
  });
});

describe('validatePersistentVolumeClaim', () => {
  const cases: [string, (o: PVC) => void, string[]][] = [
    ['valid', () => {}, []],
    [
      'no access modes',
      (o) => {
        o.spec!.accessModes = [];
      },
      ['spec.accessModes: Required value: at least 1 access mode is required'],
    ],
    [
      'no storage request',
      (o) => {
        o.spec!.resources = {};
      },
      ['spec.resources[storage]: Required value'],
    ],
    [
      'a negative request',
      (o) => {
        o.spec!.resources = { requests: { storage: '-1Gi' } };
      },
      ['spec.resources[storage]: Invalid value: "-1Gi": must be greater than zero'],
    ],
    [
      'a data source of another group without apiGroup',
      (o) => {
        o.spec!.dataSource = { kind: 'VolumeSnapshot', name: 's1' };
      },
      [
        'spec.dataSource: Invalid value: "VolumeSnapshot": must be \'PersistentVolumeClaim\' when referencing the default apiGroup',
      ],
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const o = pvc();
      mutate(o);
      assert.deepEqual(strings(validatePersistentVolumeClaim(o)), want);
    });
  }

  it('the spec is immutable but for a first volumeName and a larger request once bound', () => {
    const old = pvc();
    const named = pvc();
    named.spec!.volumeName = 'pv1';
    assert.deepEqual(strings(validatePersistentVolumeClaimUpdate(named, old)), []);
    const changed = pvc();
    changed.spec!.accessModes = ['ReadWriteMany'];
    assert.deepEqual(strings(validatePersistentVolumeClaimUpdate(changed, old)), [
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
    const bound = pvc();
    bound.status = { phase: 'Bound' };
    bound.spec!.resources = { requests: { storage: '2Gi' } };
    assert.deepEqual(strings(validatePersistentVolumeClaimUpdate(bound, old)), []);
    const smaller = pvc();
    smaller.status = { phase: 'Bound' };
    smaller.spec!.resources = { requests: { storage: '100Mi' } };
    assert.deepEqual(strings(validatePersistentVolumeClaimUpdate(smaller, old)), [
      'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    ]);
  });
});
