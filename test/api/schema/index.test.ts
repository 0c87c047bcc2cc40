import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allDefinitions, definition, schemaForKind } from '../../../src/api/schema/index.js';
import type { ArraySchema, MapSchema, ObjectSchema } from '../../../src/api/schema/types.js';
import { useFreshDefinitions } from './definitions-fixture.js';

useFreshDefinitions();

describe('schema graph', () => {
  it('finds served kinds by group, version and kind', () => {
    for (const [group, kind] of [
      ['', 'Service'],
      ['', 'Endpoints'],
      ['', 'Namespace'],
      ['', 'Event'],
      ['', 'Pod'],
      ['', 'Node'],
      ['', 'Binding'],
      ['', 'ServiceList'],
      ['discovery.k8s.io', 'EndpointSlice'],
      ['apps', 'Deployment'],
      ['apps', 'ReplicaSet'],
      ['apps', 'StatefulSet'],
      ['autoscaling', 'Scale'],
      ['', 'Status'],
      ['apps', 'DeleteOptions'],
    ] as const) {
      const s = schemaForKind({ group, version: 'v1', kind });
      assert.equal(s?.type, 'object', `${group}/${kind}`);
    }
    assert.equal(schemaForKind({ group: '', version: 'v1', kind: 'LimitRange' }), undefined);
    assert.equal(schemaForKind({ group: 'apps', version: 'v1', kind: 'Service' }), undefined);
  });

  it('shares named definitions as nodes', () => {
    const svc = schemaForKind({ group: '', version: 'v1', kind: 'Service' })!;
    const spec = definition('io.k8s.api.core.v1.ServiceSpec');
    assert.equal(svc.properties.spec, spec);
    assert.equal(svc.properties.metadata, definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'));
    assert.deepEqual(svc.gvk, [{ group: '', kind: 'Service', version: 'v1' }]);
    assert.ok(allDefinitions().size > 200);
  });

  it('carries list and map semantics', () => {
    const spec = definition('io.k8s.api.core.v1.ServiceSpec') as ObjectSchema;
    const ports = spec.properties.ports as ArraySchema;
    assert.deepEqual(
      [ports.listType, ports.listMapKeys, ports.patchStrategy, ports.patchMergeKey],
      ['map', ['port', 'protocol'], 'merge', 'port'],
    );
    assert.equal(ports.items, definition('io.k8s.api.core.v1.ServicePort'));
    const externalIPs = spec.properties.externalIPs as ArraySchema;
    assert.equal(externalIPs.listType, 'atomic');
    const selector = spec.properties.selector as MapSchema;
    assert.deepEqual([selector.type, selector.mapType, selector.values.type], ['map', 'atomic', 'string']);
    // Lists with no marker are atomic.
    const items = (definition('io.k8s.api.core.v1.ServiceList') as ObjectSchema).properties
      .items as ArraySchema;
    assert.equal(items.listType, 'atomic');
    assert.equal(
      (definition('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector') as ObjectSchema).structType,
      'atomic',
    );
  });

  it('models the special scalars', () => {
    const port = definition('io.k8s.api.core.v1.ServicePort') as ObjectSchema;
    assert.equal(port.properties.targetPort!.type, 'int-or-string');
    assert.deepEqual(port.properties.port, {
      type: 'integer',
      description: port.properties.port!.description,
      format: 'int32',
      default: 0,
    });
    // Server-side apply keys ports by (port, protocol): protocol's default completes a key.
    assert.equal((port.properties.protocol as { default?: unknown }).default, 'TCP');
    const limits = (definition('io.k8s.api.core.v1.ResourceRequirements') as ObjectSchema).properties
      .limits as MapSchema;
    assert.deepEqual([limits.values.type, limits.goType], ['quantity', 'v1.ResourceList']);
    const meta = definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta') as ObjectSchema;
    assert.equal(meta.properties.creationTimestamp!.type, 'string');
    assert.equal((meta.properties.creationTimestamp as { format?: string }).format, 'date-time');
    assert.equal(meta.properties.managedFields!.type, 'array');
    assert.equal(definition('io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1')!.type, 'any');
    const type = (definition('io.k8s.api.core.v1.ServiceSpec') as ObjectSchema).properties.type as {
      goType?: string;
      enum?: string[];
    };
    assert.equal(type.goType, 'v1.ServiceType');
    assert.equal(type.enum?.length, 4);
  });
});
