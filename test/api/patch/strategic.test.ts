import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch, PatchTypes } from '../../../src/api/patch/index.js';
import { applyStrategicMergePatch } from '../../../src/api/patch/strategic.js';
import type { JsonObject } from '../../../src/api/patch/value.js';
import { StatusError } from '../../../src/k8s/status.js';
import { service } from './service-schema.js';

const live: JsonObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
  spec: {
    type: 'ClusterIP',
    selector: { app: 'web' },
    clusterIP: '10.96.0.10',
    clusterIPs: ['10.96.0.10'],
    sessionAffinity: 'None',
    ports: [
      { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
    ],
  },
};

const spec = (o: JsonObject) => o.spec as JsonObject;
const meta = (o: JsonObject) => o.metadata as JsonObject;

interface Case {
  name: string;
  patch: JsonObject;
  check: (out: JsonObject) => void;
}

const cases: Case[] = [
  {
    name: 'kubectl client-side apply removing a port',
    patch: {
      spec: {
        '$setElementOrder/ports': [{ port: 443 }],
        ports: [
          { port: 443, targetPort: 9443 },
          { $patch: 'delete', port: 80 },
        ],
        type: 'NodePort',
      },
    },
    check: (out) => {
      assert.deepEqual(spec(out).ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 9443 }]);
      assert.equal(spec(out).type, 'NodePort');
    },
  },
  {
    name: 'kubectl client-side apply adding a port',
    patch: {
      spec: {
        '$setElementOrder/ports': [{ port: 80 }, { port: 8443 }, { port: 443 }],
        ports: [{ port: 8443, targetPort: 8443 }],
      },
    },
    check: (out) =>
      assert.deepEqual(
        (spec(out).ports as JsonObject[]).map((p) => p.port),
        [80, 8443, 443],
      ),
  },
  {
    name: '$setElementOrder for a list the original lacks drops directive items',
    patch: {
      metadata: {
        '$setElementOrder/ownerReferences': [{ uid: 'b' }, { uid: 'a' }],
        ownerReferences: [{ uid: 'b' }, { uid: 'a' }, { uid: 'c', $patch: 'delete' }],
      },
    },
    check: (out) => assert.deepEqual(meta(out).ownerReferences, [{ uid: 'b' }, { uid: 'a' }]),
  },
  {
    name: 'null deletes a field, unmentioned fields stay',
    patch: { spec: { clusterIP: null, sessionAffinity: 'ClientIP' } },
    check: (out) => {
      assert.equal('clusterIP' in spec(out), false);
      assert.equal(spec(out).sessionAffinity, 'ClientIP');
      assert.deepEqual(spec(out).clusterIPs, ['10.96.0.10']);
    },
  },
  {
    name: 'null for an absent field is ignored',
    patch: { spec: { externalName: null } },
    check: (out) => assert.deepEqual(out, live),
  },
  {
    name: 'maps merge key by key',
    patch: { metadata: { labels: { tier: null, env: 'prod' } } },
    check: (out) => assert.deepEqual(meta(out).labels, { app: 'web', env: 'prod' }),
  },
  {
    name: '$patch: replace on a map replaces it',
    patch: { metadata: { labels: { $patch: 'replace', only: 'me' } } },
    check: (out) => assert.deepEqual(meta(out).labels, { only: 'me' }),
  },
  {
    name: '$patch: delete on a map empties it',
    patch: { spec: { selector: { $patch: 'delete' } } },
    check: (out) => assert.deepEqual(spec(out).selector, {}),
  },
  {
    name: 'merge list: a new item is appended, an existing one merged',
    patch: {
      spec: {
        ports: [
          { port: 8443, name: 'alt' },
          { port: 80, targetPort: 9090 },
        ],
      },
    },
    check: (out) =>
      // Patch items first in patch order, server-only items interleaved by live order.
      assert.deepEqual(spec(out).ports, [
        { port: 8443, name: 'alt' },
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 9090 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
      ]),
  },
  {
    name: '$setElementOrder orders the merged list',
    patch: { spec: { '$setElementOrder/ports': [{ port: 443 }, { port: 80 }] } },
    check: (out) =>
      assert.deepEqual(
        (spec(out).ports as JsonObject[]).map((p) => p.port),
        [443, 80],
      ),
  },
  {
    name: '$patch: replace inside a merge list replaces the whole list',
    patch: { spec: { ports: [{ $patch: 'replace' }, { port: 53, protocol: 'UDP' }] } },
    check: (out) => assert.deepEqual(spec(out).ports, [{ port: 53, protocol: 'UDP' }]),
  },
  {
    name: 'a list without merge strategy is replaced',
    patch: { spec: { clusterIPs: ['10.96.0.11'] } },
    check: (out) => assert.deepEqual(spec(out).clusterIPs, ['10.96.0.11']),
  },
  {
    name: 'primitive list with merge strategy: union without duplicates',
    patch: { metadata: { finalizers: ['b', 'c'] } },
    check: (out) => assert.deepEqual(meta(out).finalizers, ['a', 'b', 'c']),
  },
  {
    name: '$deleteFromPrimitiveList removes values',
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
    check: (out) => assert.deepEqual(meta(out).finalizers, ['b']),
  },
  {
    name: '$setElementOrder on a primitive list',
    patch: { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], finalizers: ['c'] } },
    check: (out) => assert.deepEqual(meta(out).finalizers, ['c', 'b', 'a']),
  },
  {
    name: '$retainKeys clears the keys not listed',
    patch: { spec: { $retainKeys: ['type', 'ports'], type: 'NodePort' } },
    check: (out) => assert.deepEqual(Object.keys(spec(out)).sort(), ['ports', 'type']),
  },
  {
    name: 'a new field keeps its value without directives and nulls',
    patch: {
      metadata: {
        ownerReferences: [
          { uid: 'u1', name: 'rs', extra: null },
          { uid: 'u2', $patch: 'delete' },
        ],
      },
    },
    check: (out) => assert.deepEqual(meta(out).ownerReferences, [{ uid: 'u1', name: 'rs' }]),
  },
  {
    name: 'a type change replaces the value',
    patch: { spec: { selector: 'oops' } },
    check: (out) => assert.equal(spec(out).selector, 'oops'),
  },
  {
    name: 'merge key values compare by type: port 80 is not "80"',
    patch: { spec: { ports: [{ port: '80', name: 'str' }] } },
    check: (out) => assert.equal((spec(out).ports as JsonObject[]).length, 3),
  },
];

describe('strategic merge patch', () => {
  for (const c of cases) {
    it(c.name, () => {
      const before = structuredClone(live);
      const out = applyStrategicMergePatch(live, c.patch, service);
      c.check(out);
      assert.deepEqual(live, before, 'original untouched');
    });
  }
});

interface ErrorCase {
  name: string;
  patch: JsonObject;
  code: number;
  reason: string;
  message: string;
}

const errorCases: ErrorCase[] = [
  {
    name: 'unknown $patch on a map',
    patch: { spec: { selector: { $patch: 'foo' } } },
    code: 400,
    reason: 'BadRequest',
    message: 'unknown patch type: foo in map: map[$patch:foo]',
  },
  {
    name: 'unknown $patch on a list item',
    patch: { spec: { ports: [{ $patch: 'foo', port: 80 }] } },
    code: 400,
    reason: 'BadRequest',
    message: 'unknown patch type: foo in map: map[$patch:foo port:80]',
  },
  {
    name: '$patch: merge in a list',
    patch: { spec: { ports: [{ $patch: 'merge', port: 80 }] } },
    code: 400,
    reason: 'BadRequest',
    message: 'merging lists cannot yet be specified in the patch',
  },
  {
    name: 'delete directive without merge key',
    patch: { spec: { ports: [{ $patch: 'delete', name: 'http' }] } },
    code: 400,
    reason: 'BadRequest',
    message: 'map: map[$patch:delete name:http] does not contain declared merge key: port',
  },
  {
    name: 'list item without merge key',
    patch: { spec: { ports: [{ targetPort: 1 }] } },
    code: 400,
    reason: 'BadRequest',
    message: 'map: map[targetPort:1] does not contain declared merge key: port',
  },
  {
    name: '$setElementOrder that is not a list',
    patch: { spec: { '$setElementOrder/ports': 'x' } },
    code: 400,
    reason: 'BadRequest',
    message: 'expected a []interface {}, but received a string',
  },
  {
    name: '$setElementOrder without a slash',
    patch: { spec: { $setElementOrderports: [] } },
    code: 400,
    reason: 'BadRequest',
    message: 'invalid patch format of setElementOrder list',
  },
  {
    name: '$setElementOrder that contradicts the patch list',
    patch: { spec: { '$setElementOrder/ports': [{ port: 80 }], ports: [{ port: 443, name: 'x' }] } },
    code: 400,
    reason: 'BadRequest',
    message:
      "The order in patch list:\n[map[name:x port:443]]\n doesn't match $setElementOrder list:\n[map[port:80]]\n",
  },
  {
    name: '$deleteFromPrimitiveList without a slash',
    patch: { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } },
    code: 400,
    reason: 'BadRequest',
    message: 'invalid patch format of primitive list',
  },
  {
    name: '$retainKeys that is not a list',
    patch: { spec: { $retainKeys: 'type' } },
    code: 400,
    reason: 'BadRequest',
    message: 'invalid patch format of retainKeys',
  },
  {
    name: '$retainKeys missing a patched key',
    patch: { spec: { $retainKeys: ['type'], clusterIP: 'None' } },
    code: 400,
    reason: 'BadRequest',
    message: 'invalid patch format of retainKeys',
  },
  {
    name: 'list of lists',
    patch: { spec: { '$setElementOrder/externalIPs': [], externalIPs: [['x']] } },
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
  },
  {
    name: 'mixed element types',
    patch: { metadata: { finalizers: [1] } },
    code: 400,
    reason: 'BadRequest',
    message: 'list element types are not identical: [[a b] [1]]',
  },
  {
    name: '$setElementOrder for a list that is not a list',
    patch: { spec: { '$setElementOrder/type': [] } },
    code: 400,
    reason: 'BadRequest',
    message: 'expected a []interface {}, but received a string',
  },
  {
    name: '$setElementOrder for a field the struct does not have',
    patch: { spec: { '$setElementOrder/portz': [] } },
    code: 400,
    reason: 'BadRequest',
    message: 'unable to find api field in struct ServiceSpec for the json field "portz"',
  },
  {
    name: '$setElementOrder for a field that is not a list',
    patch: { spec: { '$setElementOrder/sessionAffinityConfig': [] } },
    code: 400,
    reason: 'BadRequest',
    message: 'expected slice or array type, but got: struct',
  },
];

describe('strategic merge patch errors', () => {
  for (const c of errorCases) {
    it(c.name, () => {
      assert.throws(
        () => applyStrategicMergePatch(live, c.patch, service),
        (err: unknown) => {
          assert.ok(err instanceof StatusError);
          assert.equal(err.code, c.code);
          assert.equal(err.reason, c.reason);
          assert.equal(err.message, c.message);
          return true;
        },
      );
    });
  }
});

describe('strategic merge patch bodies', () => {
  const cases: { name: string; body: string; code: number; message: string }[] = [
    { name: 'syntax error', body: '{"spec":', code: 400, message: 'unexpected end of JSON input' },
    {
      name: 'bad character',
      body: '{"spec": x}',
      code: 400,
      message: "invalid character 'x' looking for beginning of value",
    },
    {
      name: 'not an object',
      body: '[1]',
      code: 400,
      message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => applyPatch(PatchTypes.strategic, live, c.body, { schema: service }),
        (err: unknown) => err instanceof StatusError && err.code === c.code && err.message === c.message,
      );
    });
  }

  it('reports duplicate keys as strict errors', () => {
    const out = applyPatch(PatchTypes.strategic, live, '{"spec":{"type":"A","type":"NodePort"}}', {
      schema: service,
    });
    assert.equal(spec(out.object as JsonObject).type, 'NodePort');
    assert.deepEqual(out.strictErrors, ['duplicate field "spec.type"']);
  });

  it('null body is a no-op', () => {
    assert.deepEqual(applyPatch(PatchTypes.strategic, live, 'null', { schema: service }).object, live);
  });
});
