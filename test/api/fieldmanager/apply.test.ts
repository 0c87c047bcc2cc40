import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ApplyOptions,
  apply,
  lastAppliedAnnotation,
  type ManagedFieldsEntry,
  recordUpdate,
  type UpdateOptions,
  withManagedFields,
} from '../../../src/api/fieldmanager/index.js';
import type { JsonObject } from '../../../src/api/patch/value.js';
import { StatusError } from '../../../src/k8s/status.js';
import { service } from '../patch/service-schema.js';

const t0 = '2024-05-01T10:00:00Z';
const t1 = '2024-05-01T10:01:00Z';
const t2 = '2024-05-01T10:02:00Z';

const applyOpts = (manager: string, time = t1, force = false): ApplyOptions => ({
  manager,
  force,
  time,
  apiVersion: 'v1',
  schema: service,
});
const updateOpts = (manager: string, time = t1, extra: Partial<UpdateOptions> = {}): UpdateOptions => ({
  manager,
  time,
  apiVersion: 'v1',
  schema: service,
  resetFields: [['status']],
  ...extra,
});

const config = (ports: JsonObject[], extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { ports, ...extra },
});

const mf = (o: JsonObject) =>
  ((o.metadata as JsonObject).managedFields ?? []) as unknown as ManagedFieldsEntry[];
const entry = (o: JsonObject, manager: string) => mf(o).find((e) => e.manager === manager);
/** The fieldsV1 of a manager's entry, which must exist. */
const fieldsOf = (entries: ManagedFieldsEntry[], manager: string): JsonObject => {
  const e = entries.find((x) => x.manager === manager);
  assert.ok(e?.fieldsV1, `no entry for ${manager}`);
  return e.fieldsV1;
};
const ports = (o: JsonObject) => (o.spec as JsonObject).ports as JsonObject[];

/** What the registry adds on create: a uid, so later writes are updates. */
const persisted = (o: JsonObject): JsonObject => ({
  ...o,
  metadata: { ...(o.metadata as JsonObject), uid: 'uid-1' },
});

function conflict(err: unknown, message: string, fields: string[]): boolean {
  assert.ok(err instanceof StatusError, String(err));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, message);
  assert.deepEqual(
    err.details?.causes?.map((c) => [c.reason, c.field]),
    fields.map((f) => ['FieldManagerConflict', f]),
  );
  return true;
}

describe('server-side apply', () => {
  it('creates the object when absent, owning exactly what it applied', () => {
    const out = apply(
      undefined,
      config([{ port: 80, targetPort: 8080 }], { selector: { app: 'web' } }),
      applyOpts('kubectl'),
    );
    assert.deepEqual(out.spec, { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'web' } });
    assert.deepEqual(mf(out), [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        time: t1,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': {
            'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { 'f:port': {}, 'f:targetPort': {}, '.': {} } },
            'f:selector': { 'f:app': {} },
          },
        },
      },
    ]);
  });

  it('re-applying without a port removes it', () => {
    const first = persisted(apply(undefined, config([{ port: 80 }, { port: 443 }]), applyOpts('kubectl')));
    const second = apply(first, config([{ port: 443 }]), applyOpts('kubectl', t2));
    assert.deepEqual(ports(second), [{ port: 443 }]);
    assert.deepEqual(entry(second, 'kubectl')?.fieldsV1, {
      'f:spec': { 'f:ports': { 'k:{"port":443,"protocol":"TCP"}': { 'f:port': {}, '.': {} } } },
    });
    assert.equal(entry(second, 'kubectl')?.time, t2);
  });

  it('re-applying without a struct field removes it', () => {
    const first = persisted(
      apply(
        undefined,
        config([{ port: 80 }], {
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        }),
        applyOpts('kubectl'),
      ),
    );
    const second = apply(first, config([{ port: 80 }]), applyOpts('kubectl', t2));
    assert.deepEqual(second.spec, { ports: [{ port: 80 }] });
  });

  it('a field two managers applied stays when one of them stops applying it', () => {
    const a = persisted(
      apply(undefined, config([{ port: 80 }, { port: 443, targetPort: 8443 }]), applyOpts('a')),
    );
    const b = apply(a, config([{ port: 443, targetPort: 8443 }]), applyOpts('b'));
    assert.ok(entry(b, 'a') && entry(b, 'b'), 'both own port 443');
    const again = apply(b, config([{ port: 80 }]), applyOpts('a', t2));
    assert.deepEqual(ports(again), [{ port: 80 }, { port: 443, targetPort: 8443 }]);
    assert.deepEqual(entry(again, 'b')?.fieldsV1, {
      'f:spec': {
        'f:ports': { 'k:{"port":443,"protocol":"TCP"}': { 'f:port': {}, 'f:targetPort': {}, '.': {} } },
      },
    });
  });

  it('no-op apply keeps the object and the timestamps', () => {
    const first = persisted(apply(undefined, config([{ port: 80 }]), applyOpts('kubectl')));
    const second = apply(first, config([{ port: 80 }]), applyOpts('kubectl', t2));
    assert.deepEqual(second, first);
  });

  it('conflicts with an updater, then force takes ownership', () => {
    const created = config([{ port: 80, protocol: 'TCP', targetPort: 8080 }], { type: 'ClusterIP' });
    const live = persisted(
      withManagedFields(
        created,
        recordUpdate(undefined, created, updateOpts('kubectl-client-side-apply', t0)),
      ),
    );
    const change = config([{ port: 80, targetPort: 9090 }]);
    assert.throws(
      () => apply(live, change, applyOpts('ci')),
      (err) =>
        conflict(
          err,
          'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.ports[port=80,protocol="TCP"].targetPort',
          ['.spec.ports[port=80,protocol="TCP"].targetPort'],
        ),
    );
    const forced = apply(live, change, applyOpts('ci', t1, true));
    assert.equal(ports(forced)[0]?.targetPort, 9090);
    const csa = fieldsOf(mf(forced), 'kubectl-client-side-apply');
    assert.deepEqual(
      ((csa['f:spec'] as JsonObject)['f:ports'] as JsonObject)[
        'k:{"port":80,"protocol":"TCP"}'
      ] as JsonObject,
      {
        'f:port': {},
        'f:protocol': {},
        '.': {},
      },
    );
  });

  it('lists several conflicts grouped by manager', () => {
    const a = persisted(
      apply(undefined, config([{ port: 80, targetPort: 1 }], { type: 'ClusterIP' }), applyOpts('a')),
    );
    const b = apply(a, { ...config([]), metadata: { name: 'web', labels: { x: 'y' } } }, applyOpts('b'));
    assert.throws(
      () =>
        apply(
          b,
          {
            ...config([{ port: 80, targetPort: 2 }], { type: 'NodePort' }),
            metadata: { name: 'web', labels: { x: 'z' } },
          },
          applyOpts('c'),
        ),
      (err) =>
        conflict(
          err,
          'Apply failed with 3 conflicts: conflicts with "a":\n- .spec.type\n- .spec.ports[port=80,protocol="TCP"].targetPort\nconflicts with "b":\n- .metadata.labels.x',
          ['.spec.type', '.spec.ports[port=80,protocol="TCP"].targetPort', '.metadata.labels.x'],
        ),
    );
  });

  it('an update after apply moves ownership to the updater', () => {
    const applied = persisted(
      apply(undefined, config([{ port: 80, targetPort: 8080 }], { type: 'ClusterIP' }), applyOpts('a')),
    );
    const edited = structuredClone(applied);
    (edited.spec as JsonObject).type = 'NodePort';
    const managed = recordUpdate(applied, edited, updateOpts('kubectl-edit', t2));
    const after = withManagedFields(edited, managed);
    assert.deepEqual(entry(after, 'kubectl-edit'), {
      manager: 'kubectl-edit',
      operation: 'Update',
      apiVersion: 'v1',
      time: t2,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:type': {} } },
    });
    assert.equal((fieldsOf(mf(after), 'a')['f:spec'] as JsonObject)['f:type'], undefined);
    assert.throws(
      () => apply(after, config([{ port: 80, targetPort: 8080 }], { type: 'ClusterIP' }), applyOpts('a')),
      (err) =>
        conflict(err, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .spec.type', [
          '.spec.type',
        ]),
    );
  });

  it('fields of an object without managedFields belong to before-first-apply', () => {
    const live = persisted(config([{ port: 80, protocol: 'TCP', targetPort: 8080 }]));
    assert.throws(
      () => apply(live, config([{ port: 80, targetPort: 1 }]), applyOpts('kubectl')),
      (err) =>
        conflict(
          err,
          'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .spec.ports[port=80,protocol="TCP"].targetPort',
          ['.spec.ports[port=80,protocol="TCP"].targetPort'],
        ),
    );
  });

  it('atomic lists, maps and structs are owned and replaced whole', () => {
    const first = persisted(
      apply(
        undefined,
        config([], {
          clusterIPs: ['10.0.0.1'],
          parameters: { a: '1', b: '2' },
          tls: { secretName: 's', hosts: ['x'] },
        }),
        applyOpts('a'),
      ),
    );
    const second = apply(
      first,
      config([], { parameters: { a: '1' }, tls: { secretName: 't' } }),
      applyOpts('a', t2),
    );
    // `ports: []` is applied as an empty list: kept, owned by nobody.
    assert.deepEqual(second.spec, { ports: [], parameters: { a: '1' }, tls: { secretName: 't' } });
    assert.deepEqual(entry(second, 'a')?.fieldsV1, { 'f:spec': { 'f:parameters': {}, 'f:tls': {} } });
  });

  it('sets are owned by value', () => {
    const out = apply(
      undefined,
      { ...config([]), metadata: { name: 'web', finalizers: ['a', 'b'] } },
      applyOpts('a'),
    );
    assert.deepEqual(fieldsOf(mf(out), 'a')['f:metadata'], {
      'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} },
    });
  });

  it('status is a reset field on the main resource', () => {
    const out = apply(
      undefined,
      { ...config([{ port: 80 }]), status: { loadBalancer: {} } },
      {
        ...applyOpts('a'),
        resetFields: [['status']],
      },
    );
    assert.deepEqual(out.status, { loadBalancer: {} });
    assert.equal(fieldsOf(mf(out), 'a')['f:status'], undefined);
  });

  const rejected: { name: string; applied: JsonObject; code: number; message: string }[] = [
    {
      name: 'wrong kind',
      applied: { ...config([]), kind: 'Pod' },
      code: 400,
      message: 'invalid object type: /v1, Kind=Pod',
    },
    {
      name: 'no apiVersion or kind',
      applied: { metadata: { name: 'web' } },
      code: 400,
      message: 'invalid object type: /, Kind=',
    },
    {
      name: 'managedFields in the configuration',
      applied: { ...config([]), metadata: { name: 'web', managedFields: [] } },
      code: 400,
      message: 'metadata.managedFields must be nil',
    },
    {
      name: 'duplicate list map keys',
      applied: config([{ port: 80 }, { port: 80, protocol: 'TCP' }]),
      code: 400,
      message:
        'failed to create typed patch object (default/web; /v1, Kind=Service): .spec.ports: duplicate entries for key [port=80,protocol="TCP"]',
    },
    {
      name: 'a field the schema does not declare',
      applied: config([{ port: 80 }], { portz: 1 }),
      code: 400,
      message:
        'failed to create typed patch object (default/web; /v1, Kind=Service): .spec.portz: field not declared in schema',
    },
    {
      name: 'a scalar of the wrong type',
      applied: config([{ port: 80, nodePort: 'x' }]),
      code: 400,
      message:
        'failed to create typed patch object (default/web; /v1, Kind=Service): .spec.ports[port=80,protocol="TCP"].nodePort: expected numeric (int or float), got string',
    },
    {
      name: 'an atomic list item of the wrong type',
      applied: config([], { clusterIPs: [1] }),
      code: 400,
      message:
        'failed to create typed patch object (default/web; /v1, Kind=Service): .spec.clusterIPs[0]: expected string, got &value.valueUnstructured{Value:1}',
    },
    {
      name: 'list map item without its key',
      applied: config([{ name: 'http' }]),
      code: 400,
      message:
        'failed to create typed patch object (default/web; /v1, Kind=Service): .spec.ports: element 0: associative list with keys has an element that omits key field "port" (and doesn\'t have default value)',
    },
  ];
  for (const c of rejected) {
    it(`rejects: ${c.name}`, () => {
      assert.throws(
        () => apply(undefined, c.applied, applyOpts('a')),
        (err: unknown) => err instanceof StatusError && err.code === c.code && err.message === c.message,
      );
    });
  }
});

describe('client-side apply upgrade (kubectl apply --server-side after kubectl apply)', () => {
  const csaConfig = config([{ port: 80, targetPort: 8080 }], { type: 'ClusterIP' });
  const lastApplied = `${JSON.stringify(csaConfig)}\n`;
  const created: JsonObject = {
    ...csaConfig,
    metadata: { name: 'web', namespace: 'default', annotations: { [lastAppliedAnnotation]: lastApplied } },
    spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], type: 'ClusterIP' },
  };
  const live = persisted(
    withManagedFields(created, recordUpdate(undefined, created, updateOpts('kubectl-client-side-apply', t0))),
  );

  it('kubectl takes over fields that still hold their last-applied values', () => {
    const out = apply(
      live,
      config([{ port: 80, targetPort: 9090 }], { type: 'ClusterIP' }),
      applyOpts('kubectl'),
    );
    assert.equal(ports(out)[0]?.targetPort, 9090);
    const annotation = ((out.metadata as JsonObject).annotations as JsonObject)[lastAppliedAnnotation];
    assert.equal(
      annotation,
      '{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"ports":[{"port":80,"targetPort":9090}],"type":"ClusterIP"}}\n',
    );
    assert.deepEqual(entry(out, 'kubectl')?.operation, 'Apply');
  });

  it('another manager gets no such pass', () => {
    assert.throws(
      () => apply(live, config([{ port: 80, targetPort: 9090 }], { type: 'ClusterIP' }), applyOpts('other')),
      (err) => err instanceof StatusError && err.code === 409,
    );
  });

  it('fields changed since the last client-side apply still conflict', () => {
    const edited = structuredClone(live);
    (edited.spec as JsonObject).type = 'NodePort';
    const after = withManagedFields(edited, recordUpdate(live, edited, updateOpts('kubectl-edit', t1)));
    assert.throws(
      () =>
        apply(
          after,
          config([{ port: 80, targetPort: 9090 }], { type: 'ClusterIP' }),
          applyOpts('kubectl', t2),
        ),
      (err) =>
        conflict(err, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .spec.type', [
          '.spec.type',
        ]),
    );
  });
});

describe('managedFields of non-apply writes', () => {
  const svc = config([{ port: 80, protocol: 'TCP', targetPort: 8080 }], {
    type: 'ClusterIP',
    selector: { app: 'web' },
  });
  (svc.metadata as JsonObject).labels = { app: 'web' };
  svc.status = { loadBalancer: {} };

  it('create: the creator owns every field it set, containers it added included', () => {
    assert.deepEqual(recordUpdate(undefined, svc, updateOpts('kubectl-create', t0)), [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: t0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {}, '.': {} } },
          'f:spec': {
            'f:ports': {
              'k:{"port":80,"protocol":"TCP"}': {
                'f:port': {},
                'f:protocol': {},
                'f:targetPort': {},
                '.': {},
              },
              '.': {},
            },
            'f:selector': { 'f:app': {}, '.': {} },
            'f:type': {},
          },
        },
      },
    ]);
  });

  const live = persisted(
    withManagedFields(svc, recordUpdate(undefined, svc, updateOpts('kubectl-create', t0))),
  );

  it('an update that changes nothing leaves the entries alone', () => {
    assert.deepEqual(recordUpdate(live, structuredClone(live), updateOpts('kubectl-edit', t2)), mf(live));
  });

  it('entries of one manager merge; the previous owner loses changed fields', () => {
    const next = structuredClone(live);
    (next.spec as JsonObject).type = 'NodePort';
    const once = withManagedFields(next, recordUpdate(live, next, updateOpts('kubectl-edit', t1)));
    const next2 = structuredClone(once);
    ((next2.metadata as JsonObject).labels as JsonObject).tier = 'front';
    const twice = recordUpdate(once, next2, updateOpts('kubectl-edit', t2));
    assert.deepEqual(
      twice.map((e) => [e.manager, e.time]),
      [
        ['kubectl-create', t0],
        ['kubectl-edit', t2],
      ],
    );
    assert.deepEqual(twice[1]?.fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:tier': {} } },
      'f:spec': { 'f:type': {} },
    });
    const create = fieldsOf(twice, 'kubectl-create');
    assert.equal((create['f:spec'] as JsonObject)['f:type'], undefined);
  });

  it('removed fields are dropped from their owners', () => {
    const next = structuredClone(live);
    delete (next.spec as JsonObject).selector;
    const out = recordUpdate(live, next, updateOpts('kubectl-edit', t1));
    assert.equal(out.length, 1, 'kubectl-edit removed but set nothing');
    assert.equal((fieldsOf(out, 'kubectl-create')['f:spec'] as JsonObject)['f:selector'], undefined);
  });

  it('a status update is its own entry, and status is not owned through the main resource', () => {
    const next = structuredClone(live);
    next.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } };
    const viaStatus = recordUpdate(
      live,
      next,
      updateOpts('controller', t1, { subresource: 'status', resetFields: [['spec']] }),
    );
    assert.deepEqual(
      viaStatus.find((e) => e.manager === 'controller'),
      {
        manager: 'controller',
        operation: 'Update',
        apiVersion: 'v1',
        time: t1,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': { 'f:loadBalancer': { 'f:ingress': {} } } },
        subresource: 'status',
      },
    );
    assert.deepEqual(recordUpdate(live, next, updateOpts('kubectl-edit', t1)), mf(live));
  });

  it('managedFields sent in a request replace the live ones; [] and [{}] reset them', () => {
    const custom: ManagedFieldsEntry[] = [
      {
        manager: 'me',
        operation: 'Update',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:type': {} } },
      },
    ];
    const sent = {
      ...live,
      metadata: { ...(live.metadata as JsonObject), managedFields: custom as unknown as JsonObject[] },
    };
    assert.deepEqual(recordUpdate(live, sent, updateOpts('kubectl-edit')), custom);
    for (const reset of [[], [{}]]) {
      const r = { ...live, metadata: { ...(live.metadata as JsonObject), managedFields: reset } };
      assert.deepEqual(recordUpdate(live, r, updateOpts('kubectl-edit')), []);
    }
  });

  it('invalid managedFields in a request are ignored in favour of the live ones', () => {
    const bad = {
      ...live,
      metadata: { ...(live.metadata as JsonObject), managedFields: [{ manager: 'x', operation: 'Bogus' }] },
    };
    assert.deepEqual(recordUpdate(live, bad, updateOpts('kubectl-edit')), mf(live));
  });

  it('more than 10 updaters are merged into ancient-changes', () => {
    let obj = live;
    for (let i = 0; i < 11; i++) {
      const next = structuredClone(obj);
      ((next.metadata as JsonObject).labels as JsonObject)[`l${i}`] = 'x';
      obj = withManagedFields(
        next,
        recordUpdate(obj, next, updateOpts(`m${i}`, `2024-05-01T11:${String(i).padStart(2, '0')}:00Z`)),
      );
    }
    const managers = mf(obj).map((e) => e.manager);
    assert.equal(managers.length, 10);
    assert.ok(managers.includes('ancient-changes'));
    assert.ok(!managers.includes('kubectl-create') && !managers.includes('m0'));
  });
});
