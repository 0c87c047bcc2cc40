/**
 * /openapi/v2 is derived from the v3 documents: every reference resolves,
 * operations keep the GVK and patch-strategy extensions kubectl reads, the
 * protobuf form decodes back to the same content, and the server negotiates
 * its format and ETag as kube-openapi does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { buildOpenAPIV2, openAPIV2Document } from '../../../src/api/openapi/v2.js';
import { buildOpenAPIV3 } from '../../../src/api/openapi/v3.js';
import { chooseV2Format } from '../../../src/api/server/openapiv2.js';
import { startTestApi, type TestApi } from '../../lib/testapi.js';
import { useFreshDefinitions } from '../schema/definitions-fixture.js';
import { RawClient } from '../server/raw.js';
import { served } from './served.js';

useFreshDefinitions();

// biome-ignore lint/suspicious/noExplicitAny: the test walks JSON documents
type Obj = Record<string, any>;

/** Every `$ref` in a JSON value. */
function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) k === '$ref' ? out.push(String(x)) : refs(x, out);
  return out;
}

describe('openapi v2 document', () => {
  const v3 = buildOpenAPIV3(served);
  const doc = openAPIV2Document(v3, 'v1.32.0') as Obj;

  it('is Swagger 2.0 whose references all resolve to definitions', () => {
    assert.equal(doc.swagger, '2.0');
    const all = refs(doc);
    assert.ok(all.length > 100);
    for (const r of all) {
      assert.match(r, /^#\/definitions\//);
      assert.ok(doc.definitions[r.slice('#/definitions/'.length)], r);
    }
    for (const [name, d] of Object.entries(doc.definitions as Obj)) assert.equal(d.allOf, undefined, name);
  });

  it('keeps the operation extensions and the fieldValidation parameter kubectl looks for', () => {
    const patch = doc.paths['/api/v1/namespaces/{namespace}/services/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', kind: 'Service', version: 'v1' });
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.ok(patch.parameters.some((p: Obj) => p.in === 'query' && p.name === 'fieldValidation'));
    const body = patch.parameters.find((p: Obj) => p.in === 'body');
    assert.deepEqual(body.schema, { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' });
    assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
    assert.ok(patch.produces.includes('application/json'));
    const ns = doc.paths['/api/v1/namespaces/{namespace}/services'].parameters;
    assert.ok(ns.some((p: Obj) => p.in === 'path' && p.name === 'namespace' && p.type === 'string'));
  });

  it('keeps the definitions extensions strategic merge patch needs', () => {
    const containers = doc.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers;
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.deepEqual(containers.items, { $ref: '#/definitions/io.k8s.api.core.v1.Container' });
    const svc = doc.definitions['io.k8s.api.core.v1.Service'];
    assert.deepEqual(svc['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Service', version: 'v1' }]);
    // A field that refers to another definition is that $ref (v3's allOf wrapper and default dropped).
    assert.deepEqual(Object.keys(svc.properties.spec).sort(), ['$ref', 'description']);
  });

  it('encodes as gnostic openapi.v2.Document', () => {
    const built = buildOpenAPIV2(v3, 'v1.32.0');
    // A reader with the full message definitions, field numbers from gnostic's OpenAPIv2.proto.
    const root = protobuf.parse(
      `syntax = "proto3"; package t;
       message Any { string yaml = 2; }
       message NamedAny { string name = 1; Any value = 2; }
       message TypeItem { repeated string value = 1; }
       message Schema { string _ref = 1; string description = 4; TypeItem type = 22; Properties properties = 25; repeated NamedAny vendor_extension = 31; }
       message NamedSchema { string name = 1; Schema value = 2; }
       message Properties { repeated NamedSchema additional_properties = 1; }
       message Definitions { repeated NamedSchema additional_properties = 1; }
       message Info { string title = 1; string version = 2; }
       message Operation { string operation_id = 5; repeated NamedAny vendor_extension = 13; }
       message PathItem { Operation get = 2; Operation patch = 8; }
       message NamedPathItem { string name = 1; PathItem value = 2; }
       message Paths { repeated NamedPathItem path = 2; }
       message Document { string swagger = 1; Info info = 2; Paths paths = 8; Definitions definitions = 9; }`,
      { keepCase: true },
    ).root;
    const d = root
      .lookupType('t.Document')
      .toObject(root.lookupType('t.Document').decode(built.proto)) as Obj;
    assert.equal(d.swagger, '2.0');
    assert.equal(d.info.version, 'v1.32.0');
    assert.equal(d.definitions.additional_properties.length, Object.keys(doc.definitions).length);
    const svc = d.definitions.additional_properties.find((n: Obj) => n.name === 'io.k8s.api.core.v1.Service');
    assert.deepEqual(svc.value.type.value, ['object']);
    const gvk = svc.value.vendor_extension.find((e: Obj) => e.name === 'x-kubernetes-group-version-kind');
    assert.deepEqual(JSON.parse(gvk.value.yaml), [{ group: '', kind: 'Service', version: 'v1' }]);
    const item = d.paths.path.find((p: Obj) => p.name === '/api/v1/namespaces/{namespace}/services/{name}');
    assert.equal(item.value.patch.operation_id, 'patchCoreV1NamespacedService');
    assert.match(built.jsonETag, /^"[0-9A-F]{128}"$/);
    assert.notEqual(built.jsonETag, built.protoETag);
  });

  it('chooses the format from Accept as kube-openapi does', () => {
    const rows: [string | undefined, string | undefined][] = [
      [undefined, 'json'],
      ['', 'json'],
      ['*/*', 'json'],
      ['application/json', 'json'],
      ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'proto'],
      ['application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'proto'],
      ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json', 'proto'],
      ['text/html', undefined],
      ['application/json;q=0, text/plain', undefined],
    ];
    for (const [accept, want] of rows) assert.equal(chooseV2Format(accept), want, String(accept));
  });
});

describe('GET /openapi/v2', () => {
  let api: TestApi;
  let raw: RawClient;
  before(async () => {
    api = await startTestApi('openapiv2');
    raw = new RawClient(api);
  });
  after(async () => {
    raw?.close();
    await api?.stop();
  });

  it('serves JSON and protobuf with an ETag each, 304 on If-None-Match, 406 otherwise, 401 anonymously', async () => {
    const json = await raw.send({ method: 'GET', path: '/openapi/v2' });
    assert.equal(json.status, 200);
    assert.equal(json.contentType, 'application/json');
    const doc = JSON.parse(json.body) as Obj;
    assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch);
    const proto = await raw.send({
      method: 'GET',
      path: '/openapi/v2',
      headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
    });
    assert.equal(proto.status, 200);
    assert.equal(proto.contentType, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const etag = String(json.headers?.etag);
    assert.notEqual(etag, String(proto.headers?.etag));
    assert.match(etag, /^"[0-9A-F]{128}"$/);
    const cached = await raw.send({ method: 'GET', path: '/openapi/v2', headers: { 'If-None-Match': etag } });
    assert.equal(cached.status, 304);
    assert.equal(
      (await raw.send({ method: 'GET', path: '/openapi/v2', headers: { Accept: 'text/html' } })).status,
      406,
    );
    assert.equal((await raw.send({ method: 'GET', path: '/openapi/v2', anonymous: true })).status, 401);
  });
});
