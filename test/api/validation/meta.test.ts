import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectMeta as V1ObjectMeta } from 'kubernetes-types/meta/v1.js';
import {
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from '../../../src/api/validation/meta.js';
import { nameIsDNSSubdomain, validateNamespaceName } from '../../../src/api/validation/names.js';
import {
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  LABEL_VALUE,
  QNAME_NAME_PART,
  strings,
  type Writable,
} from './messages.js';

type ObjectMeta = Writable<V1ObjectMeta>;

const base = (): ObjectMeta => ({ name: 'obj', namespace: 'default' });

describe('validateObjectMeta', () => {
  const cases: [string, (m: ObjectMeta) => void, string[], boolean?][] = [
    ['valid', () => {}, []],
    [
      'name required',
      (m) => delete m.name,
      ['metadata.name: Required value: name or generateName is required'],
    ],
    ['bad name', (m) => (m.name = 'Obj'), [`metadata.name: Invalid value: "Obj": ${DNS1123_SUBDOMAIN}`]],
    ['generateName checked as a prefix', (m) => (m.generateName = 'obj-'), []],
    [
      'bad generateName',
      (m) => (m.generateName = 'Obj-'),
      [`metadata.generateName: Invalid value: "Obj-": ${DNS1123_SUBDOMAIN}`],
    ],
    ['namespace required', (m) => delete m.namespace, ['metadata.namespace: Required value']],
    [
      'bad namespace',
      (m) => (m.namespace = 'a.b'),
      ['metadata.namespace: Invalid value: "a.b": must not contain dots'],
    ],
    [
      'namespace forbidden when cluster-scoped',
      () => {},
      ['metadata.namespace: Forbidden: not allowed on this type'],
      false,
    ],
    [
      'negative generation',
      (m) => (m.generation = -1),
      ['metadata.generation: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'bad label key and value',
      (m) => (m.labels = { '-k': 'v', k: '-v' }),
      [
        `metadata.labels: Invalid value: "-k": ${QNAME_NAME_PART}`,
        `metadata.labels: Invalid value: "-v": ${LABEL_VALUE}`,
      ],
    ],
    ['annotation keys ignore case', (m) => (m.annotations = { 'Example.COM/Key': 'x' }), []],
    [
      'bad annotation key',
      (m) => (m.annotations = { 'a b': 'x' }),
      [`metadata.annotations: Invalid value: "a b": ${QNAME_NAME_PART}`],
    ],
    ['annotations at the size limit', (m) => (m.annotations = { k: 'x'.repeat(256 * 1024 - 1) }), []],
    [
      'annotations over 256 KiB',
      (m) => (m.annotations = { k: 'x'.repeat(256 * 1024) }),
      ['metadata.annotations: Too long: may not be more than 262144 bytes'],
    ],
    [
      'owner reference fields required',
      (m) => (m.ownerReferences = [{ apiVersion: '', kind: '', name: '', uid: '' }]),
      [
        'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
        'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
        'metadata.ownerReferences.name: Invalid value: "": must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
      ],
    ],
    [
      'events cannot own',
      (m) => (m.ownerReferences = [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }]),
      [
        'metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", UID:"u", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}: /v1, Kind=Event is disallowed from being an owner',
      ],
    ],
    [
      'one controller only',
      (m) =>
        (m.ownerReferences = [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
        ]),
      [
        'metadata.ownerReferences: Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"a", UID:"1", Controller:(*bool)(true), BlockOwnerDeletion:(*bool)(nil)}, v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"b", UID:"2", Controller:(*bool)(true), BlockOwnerDeletion:(*bool)(nil)}}: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b',
      ],
    ],
    [
      'qualified and standard finalizers',
      (m) => (m.finalizers = ['example.com/cleanup', 'kubernetes', 'orphan']),
      [],
    ],
    [
      'unqualified non-standard finalizer',
      (m) => (m.finalizers = ['cleanup']),
      [
        'metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
      ],
    ],
    [
      'malformed finalizer',
      (m) => (m.finalizers = ['-x/y']),
      [`metadata.finalizers: Invalid value: "-x/y": prefix part ${DNS1123_SUBDOMAIN}`],
    ],
    [
      'orphan and foreground deletion conflict',
      (m) => (m.finalizers = ['orphan', 'foregroundDeletion']),
      [
        'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
      ],
    ],
    [
      'managed fields',
      (m) =>
        (m.managedFields = [
          { operation: 'Patch', fieldsType: 'FieldsV2', manager: 'a\u0007b', subresource: 's'.repeat(257) },
        ]),
      [
        'metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`',
        'metadata.managedFields[0].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`',
        'metadata.managedFields[0].manager: Invalid value: "a\\ab": invalid character U+0007 (at position 1)',
        'metadata.managedFields[0].subresource: Too long: may not be more than 256 bytes',
      ],
    ],
    [
      'field manager length',
      (m) => (m.managedFields = [{ operation: 'Apply', manager: 'm'.repeat(129) }]),
      ['metadata.managedFields[0].manager: Too long: may not be more than 128 bytes'],
    ],
  ];
  for (const [name, mutate, want, namespaced = true] of cases) {
    it(name, () => {
      const m = base();
      mutate(m);
      assert.deepEqual(strings(validateObjectMeta(m, namespaced, nameIsDNSSubdomain)), want);
    });
  }

  it('uses the kind name validator for namespaces', () => {
    assert.deepEqual(strings(validateObjectMeta({ name: 'a.b' }, false, validateNamespaceName)), [
      'metadata.name: Invalid value: "a.b": must not contain dots',
    ]);
    assert.deepEqual(strings(validateObjectMeta({ name: '-a' }, false, validateNamespaceName)), [
      `metadata.name: Invalid value: "-a": ${DNS1123_LABEL}`,
    ]);
  });
});

describe('validateObjectMetaUpdate', () => {
  const old = (): ObjectMeta => ({
    name: 'obj',
    namespace: 'default',
    uid: 'u1',
    resourceVersion: '7',
    generation: 2,
    creationTimestamp: '2024-01-02T03:04:05Z',
  });
  const cases: [string, (m: ObjectMeta, o: ObjectMeta) => void, string[]][] = [
    ['unchanged', () => {}, []],
    [
      'resourceVersion required',
      (m) => delete m.resourceVersion,
      ['metadata.resourceVersion: Invalid value: "": must be specified for an update'],
    ],
    [
      'generation may not go down',
      (m) => (m.generation = 1),
      ['metadata.generation: Invalid value: 1: must not be decremented'],
    ],
    [
      'name immutable',
      (m) => (m.name = 'other'),
      ['metadata.name: Invalid value: "other": field is immutable'],
    ],
    [
      'namespace immutable',
      (m) => (m.namespace = 'x'),
      ['metadata.namespace: Invalid value: "x": field is immutable'],
    ],
    ['uid immutable', (m) => (m.uid = 'u2'), ['metadata.uid: Invalid value: "u2": field is immutable']],
    [
      'creationTimestamp immutable',
      (m) => (m.creationTimestamp = '2024-01-02T03:04:06Z'),
      ['metadata.creationTimestamp: Invalid value: 2024-01-02 03:04:06 +0000 UTC: field is immutable'],
    ],
    [
      'creationTimestamp: same instant, other offset',
      (m) => (m.creationTimestamp = '2024-01-02T12:04:05+09:00'),
      [],
    ],
    [
      'deletionTimestamp may not be set by update',
      (m) => (m.deletionTimestamp = '2024-02-01T00:00:00Z'),
      ['metadata.deletionTimestamp: Invalid value: 2024-02-01 00:00:00 +0000 UTC: field is immutable'],
    ],
    [
      'deletionTimestamp may not be cleared',
      (_m, o) => (o.deletionTimestamp = '2024-02-01T00:00:00Z'),
      ['metadata.deletionTimestamp: Invalid value: null: field is immutable'],
    ],
    [
      'deletionGracePeriodSeconds immutable',
      (m) => (m.deletionGracePeriodSeconds = 30),
      ['metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable'],
    ],
    [
      'no new finalizers while deleting',
      (m, o) => {
        o.deletionTimestamp = m.deletionTimestamp = '2024-02-01T00:00:00Z';
        o.finalizers = ['kubernetes'];
        m.finalizers = ['kubernetes', 'example.com/b', 'example.com/a'];
      },
      [
        'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/a", "example.com/b"}',
      ],
    ],
    [
      'finalizers may be removed while deleting',
      (m, o) => {
        o.deletionTimestamp = m.deletionTimestamp = '2024-02-01T00:00:00Z';
        o.finalizers = ['kubernetes'];
      },
      [],
    ],
    [
      'labels and standard finalizers still checked',
      (m) => {
        m.labels = { k: '-' };
        m.finalizers = ['custom'];
      },
      [
        `metadata.labels: Invalid value: "-": ${LABEL_VALUE}`,
        'metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
      ],
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const o = old();
      const m = old();
      mutate(m, o);
      assert.deepEqual(strings(validateObjectMetaUpdate(m, o)), want);
    });
  }
});

describe('generic registry checks', () => {
  it('create: kind errors win; otherwise names must be path segments', () => {
    const kindErr = validateObjectMeta({ name: 'Bad', namespace: 'ns' }, true, nameIsDNSSubdomain);
    assert.deepEqual(strings(withGenericCreateChecks({ name: 'Bad', namespace: 'ns' }, true, kindErr)), [
      `metadata.name: Invalid value: "Bad": ${DNS1123_SUBDOMAIN}`,
    ]);
    assert.deepEqual(strings(withGenericCreateChecks({ name: 'a/b', namespace: 'ns' }, true, [])), [
      'metadata.name: Invalid value: "a/b": may not contain \'/\'',
    ]);
  });
  it('update: common checks first, repeated errors once', () => {
    const o: ObjectMeta = { name: 'a', namespace: 'ns', resourceVersion: '1' };
    const m: ObjectMeta = { name: 'b', namespace: 'ns', resourceVersion: '1' };
    assert.deepEqual(strings(withGenericUpdateChecks(m, o, true, validateObjectMetaUpdate(m, o))), [
      'metadata.name: Invalid value: "b": field is immutable',
    ]);
  });
});
