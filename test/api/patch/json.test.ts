import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch, PatchTypes } from '../../../src/api/patch/index.js';
import { applyJsonPatchOps, type JsonPatchOperation } from '../../../src/api/patch/json.js';
import type { JsonObject, JsonValue } from '../../../src/api/patch/value.js';
import { StatusError } from '../../../src/k8s/status.js';
import { service } from './service-schema.js';

const doc: JsonObject = {
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { ports: [{ port: 80 }, { port: 443 }], type: 'ClusterIP' },
};

const ok: { name: string; ops: JsonPatchOperation[]; want: (d: JsonObject) => void }[] = [
  {
    name: 'add, replace, remove',
    ops: [
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'replace', path: '/spec/type', value: 'NodePort' },
      { op: 'remove', path: '/metadata/labels/app' },
    ],
    want: (d) => {
      assert.deepEqual((d.metadata as JsonObject).labels, { tier: 'front' });
      assert.equal((d.spec as JsonObject).type, 'NodePort');
    },
  },
  {
    name: 'array insert, append with -, negative index',
    ops: [
      { op: 'add', path: '/spec/ports/0', value: { port: 1 } },
      { op: 'add', path: '/spec/ports/-', value: { port: 2 } },
      { op: 'remove', path: '/spec/ports/-1' },
    ],
    want: (d) => assert.deepEqual((d.spec as JsonObject).ports, [{ port: 1 }, { port: 80 }, { port: 443 }]),
  },
  {
    name: 'replace of a missing object key adds it (evanphx v4)',
    ops: [{ op: 'replace', path: '/spec/clusterIP', value: 'None' }],
    want: (d) => assert.equal((d.spec as JsonObject).clusterIP, 'None'),
  },
  {
    name: 'move and copy, escaped pointer tokens',
    ops: [
      { op: 'add', path: '/metadata/labels/a~1b', value: 'x' },
      { op: 'copy', from: '/metadata/labels/a~1b', path: '/metadata/labels/c~0d' },
      { op: 'move', from: '/spec/type', path: '/metadata/labels/type' },
    ],
    want: (d) => {
      assert.deepEqual((d.metadata as JsonObject).labels, {
        app: 'web',
        'a/b': 'x',
        'c~d': 'x',
        type: 'ClusterIP',
      });
      assert.equal('type' in (d.spec as JsonObject), false);
    },
  },
  {
    name: 'test passes on equal values and on null for a missing key',
    ops: [
      { op: 'test', path: '/spec/ports/1', value: { port: 443 } },
      { op: 'test', path: '/spec/missing', value: null },
    ],
    want: (d) => assert.deepEqual(d, doc),
  },
];

const failing: { name: string; ops: JsonPatchOperation[]; message: string }[] = [
  {
    name: 'failed test',
    ops: [{ op: 'test', path: '/spec/type', value: 'NodePort' }],
    message: 'testing value /spec/type failed: test failed',
  },
  {
    name: 'path whose parent does not exist',
    ops: [{ op: 'add', path: '/spec/nope/x', value: 1 }],
    message: 'add operation does not apply: doc is missing path: "/spec/nope/x": missing value',
  },
  {
    name: 'remove of a missing key',
    ops: [{ op: 'remove', path: '/spec/nope' }],
    message: "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value",
  },
  {
    name: 'index out of range',
    ops: [{ op: 'add', path: '/spec/ports/5', value: 1 }],
    message:
      "error in add for path: '/spec/ports/5': Unable to access invalid index: 5: invalid index referenced",
  },
  {
    name: 'index that is not a number',
    ops: [{ op: 'remove', path: '/spec/ports/x' }],
    message: `error in remove for path: '/spec/ports/x': strconv.Atoi: parsing "x": invalid syntax`,
  },
  { name: 'unknown op', ops: [{ op: 'frob', path: '/a' }], message: 'Unexpected kind: frob' },
  { name: 'missing op', ops: [{ path: '/a' }], message: 'Unexpected kind: unknown' },
  {
    name: 'missing path',
    ops: [{ op: 'add', value: 1 }],
    message: 'add operation failed to decode path: missing value',
  },
  {
    name: 'missing from',
    ops: [{ op: 'move', path: '/a' }],
    message: 'move operation failed to decode from: operation, missing from field: missing value',
  },
];

describe('json patch operations', () => {
  for (const c of ok) {
    it(c.name, () => {
      const before = structuredClone(doc);
      c.want(applyJsonPatchOps(doc, c.ops) as JsonObject);
      assert.deepEqual(doc, before);
    });
  }
  for (const c of failing) {
    it(`fails: ${c.name}`, () => {
      assert.throws(() => applyJsonPatchOps(doc, c.ops), { name: 'JsonPatchError', message: c.message });
    });
  }
});

describe('json patch requests', () => {
  const run = (body: string, fieldValidation?: 'Ignore') =>
    applyPatch(PatchTypes.json, doc, body, {
      schema: service,
      ...(fieldValidation ? { fieldValidation } : {}),
    });
  const status = (code: number, reason: string, message: string) => (err: unknown) =>
    err instanceof StatusError && err.code === code && err.reason === reason && err.message === message;

  it('a failed operation is a generic 422 carrying the real error as cause', () => {
    assert.throws(
      () => run(JSON.stringify([{ op: 'test', path: '/spec/type', value: 'x' }])),
      (err: unknown) => {
        assert.ok(err instanceof StatusError);
        assert.deepEqual(err.toStatus(), {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'the server rejected our request due to an error in our request',
          reason: 'Invalid',
          details: {},
          code: 422,
        });
        assert.equal((err.cause as Error).message, 'testing value /spec/type failed: test failed');
        return true;
      },
    );
  });

  it('more than 10000 operations is 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/spec/type', value: 'ClusterIP' }));
    assert.throws(
      () => run(JSON.stringify(ops)),
      status(
        413,
        'RequestEntityTooLarge',
        'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
      ),
    );
  });

  const bad: { name: string; body: string; ignore?: boolean; message: string }[] = [
    {
      name: 'object instead of list',
      body: '{"op":"add"}',
      message:
        'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
    },
    {
      name: 'object instead of list (ignore)',
      body: '{"op":"add"}',
      ignore: true,
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    },
    { name: 'syntax', body: '[{', message: 'error decoding patch: unexpected end of JSON input' },
    {
      name: 'path of the wrong type',
      body: '[{"op":"add","path":1}]',
      message:
        'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.path of type string',
    },
  ];
  for (const c of bad) {
    it(`400: ${c.name}`, () => {
      assert.throws(() => run(c.body, c.ignore ? 'Ignore' : undefined), status(400, 'BadRequest', c.message));
    });
  }

  it('unknown and duplicate op fields are strict errors', () => {
    const out = run('[{"op":"add","path":"/metadata/labels/x","vaule":1,"value":"v","op":"add"}]');
    assert.deepEqual(out.strictErrors, [
      'json patch unknown field "vaule"',
      'json patch duplicate field "op"',
    ]);
    assert.equal(((out.object as JsonObject).metadata as JsonObject).labels?.constructor, Object);
    assert.deepEqual(((out.object as JsonObject).metadata as JsonObject).labels as JsonValue, {
      app: 'web',
      x: 'v',
    });
  });
});
