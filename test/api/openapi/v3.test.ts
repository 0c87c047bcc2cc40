import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildOpenAPIV3 } from '../../../src/api/openapi/v3.js';
import { useFreshDefinitions } from '../schema/definitions-fixture.js';
import { served } from './served.js';

useFreshDefinitions();

// biome-ignore lint/suspicious/noExplicitAny: the tests walk parsed JSON documents.
type J = Record<string, any>;
const openapi = buildOpenAPIV3(served);
const doc = (path: string): J => JSON.parse(openapi.documents.get(path)!.json);

describe('/openapi/v3', () => {
  it('indexes every document with its content hash', () => {
    const index = JSON.parse(openapi.index) as { paths: Record<string, { serverRelativeURL: string }> };
    assert.deepEqual(Object.keys(index.paths).sort(), [
      'api',
      'api/v1',
      'apis',
      'apis/apps',
      'apis/apps/v1',
      'apis/discovery.k8s.io',
      'apis/discovery.k8s.io/v1',
    ]);
    for (const [path, { serverRelativeURL }] of Object.entries(index.paths)) {
      const d = openapi.documents.get(path)!;
      assert.equal(d.hash, createHash('sha512').update(d.json).digest('hex').toUpperCase());
      assert.equal(serverRelativeURL, `/openapi/v3/${path}?hash=${d.hash}`);
    }
  });

  it('is deterministic', () => {
    assert.equal(buildOpenAPIV3(served).index, openapi.index);
  });

  it('lays out the operations as the apiserver does', () => {
    const v1 = doc('api/v1');
    assert.equal(v1.openapi, '3.0.0');
    assert.deepEqual(v1.info, { title: 'Kubernetes', version: 'unversioned' });
    const item = v1.paths['/api/v1/namespaces/{namespace}/services/{name}'];
    assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
    assert.deepEqual(
      item.parameters.map((p: J) => [p.name, p.in]),
      [
        ['name', 'path'],
        ['namespace', 'path'],
        ['pretty', 'query'],
      ],
    );
    const ops: Record<string, [string, string]> = {
      get: ['readCoreV1NamespacedService', 'get'],
      put: ['replaceCoreV1NamespacedService', 'put'],
      patch: ['patchCoreV1NamespacedService', 'patch'],
      delete: ['deleteCoreV1NamespacedService', 'delete'],
    };
    for (const [method, [id, action]] of Object.entries(ops)) {
      assert.equal(item[method].operationId, id);
      assert.equal(item[method]['x-kubernetes-action'], action);
      assert.deepEqual(item[method]['x-kubernetes-group-version-kind'], {
        group: '',
        kind: 'Service',
        version: 'v1',
      });
      assert.deepEqual(item[method].tags, ['core_v1']);
    }
    const patch = item.patch;
    assert.deepEqual(
      patch.parameters.map((p: J) => p.name),
      ['dryRun', 'fieldManager', 'fieldValidation', 'force'],
    );
    assert.deepEqual(Object.keys(patch.requestBody.content).sort(), [
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
    assert.equal(
      patch.responses['200'].content['application/json'].schema.$ref,
      '#/components/schemas/io.k8s.api.core.v1.Service',
    );
    const list = v1.paths['/api/v1/namespaces/{namespace}/services'].get;
    assert.equal(list.operationId, 'listCoreV1NamespacedService');
    assert.ok(list.parameters.some((p: J) => p.name === 'watch'));
    assert.equal(
      list.responses['200'].content['application/json;stream=watch'].schema.$ref,
      '#/components/schemas/io.k8s.api.core.v1.ServiceList',
    );
    assert.equal(v1.paths['/api/v1/services'].get.operationId, 'listCoreV1ServiceForAllNamespaces');
    assert.equal(
      v1.paths['/api/v1/watch/namespaces/{namespace}/services/{name}'].get['x-kubernetes-action'],
      'watch',
    );
    assert.equal(v1.paths['/api/v1/namespaces/{name}'].get.operationId, 'readCoreV1Namespace');
    assert.equal(
      v1.paths['/api/v1/namespaces/{namespace}/endpoints'].delete.operationId,
      'deleteCoreV1CollectionNamespacedEndpoints',
    );
    assert.equal(
      v1.paths['/api/v1/namespaces/{namespace}/services/{name}/status'].patch.operationId,
      'patchCoreV1NamespacedServiceStatus',
    );
    const binding = v1.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post;
    assert.equal(binding.operationId, 'createCoreV1NamespacedPodBinding');
    assert.deepEqual(binding['x-kubernetes-group-version-kind'], {
      group: '',
      kind: 'Binding',
      version: 'v1',
    });
    const scale = doc('apis/apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    assert.equal(scale.get.operationId, 'readAppsV1NamespacedDeploymentScale');
    assert.deepEqual(scale.put['x-kubernetes-group-version-kind'], {
      group: 'autoscaling',
      kind: 'Scale',
      version: 'v1',
    });
    const slices =
      doc('apis/discovery.k8s.io/v1').paths[
        '/apis/discovery.k8s.io/v1/namespaces/{namespace}/endpointslices'
      ];
    assert.equal(slices.post.operationId, 'createDiscoveryV1NamespacedEndpointSlice');
    assert.equal(slices.post.description, 'create an EndpointSlice');
    assert.deepEqual(slices.post.tags, ['discovery_v1']);
  });

  it('gives kubectl a PATCH with the GVK and fieldValidation for every served kind', () => {
    for (const r of served) {
      if (!r.verbs.includes('patch')) continue;
      const d = doc(r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`);
      const patches = Object.values(d.paths as Record<string, J>)
        .map((p) => p.patch as J | undefined)
        .filter((op: J | undefined) => op?.['x-kubernetes-group-version-kind']?.kind === r.kind);
      assert.ok(patches.length, r.kind);
      for (const op of patches)
        assert.ok(
          op?.parameters.some((p: J) => p.name === 'fieldValidation'),
          r.kind,
        );
    }
  });

  it('embeds every schema the operations reach, and only published keys', () => {
    for (const [path, d] of openapi.documents) {
      const parsed = JSON.parse(d.json) as J;
      const schemas = parsed.components.schemas as Record<string, unknown>;
      for (const m of d.json.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
        assert.ok(schemas[m[1]!], `${path}: ${m[1]}`);
      assert.ok(!d.json.includes('x-svcnet-'), path);
      assert.deepEqual(parsed.components.securitySchemes.BearerToken.type, 'apiKey');
    }
    const v1 = doc('api/v1').components.schemas;
    assert.ok(v1['io.k8s.api.core.v1.Service']);
    assert.ok(v1['io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent']);
    assert.ok(v1['io.k8s.apimachinery.pkg.apis.meta.v1.Patch']);
    assert.equal(v1['io.k8s.api.apps.v1.Deployment'], undefined);
    assert.ok(doc('apis/apps/v1').components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  });

  it('serves the discovery roots', () => {
    assert.equal(doc('api').paths['/api/'].get.operationId, 'getCoreAPIVersions');
    assert.equal(doc('apis').paths['/apis/'].get.operationId, 'getAPIVersions');
    const apps = doc('apis/apps').paths['/apis/apps/'].get;
    assert.equal(apps.operationId, 'getAppsAPIGroup');
    assert.equal(
      apps.responses['200'].content['application/json'].schema.$ref,
      '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup',
    );
    assert.equal(
      doc('apis/discovery.k8s.io').paths['/apis/discovery.k8s.io/'].get.operationId,
      'getDiscoveryAPIGroup',
    );
  });
});
