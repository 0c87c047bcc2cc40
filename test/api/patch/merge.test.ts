import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch, PatchTypes, strictPatchError } from '../../../src/api/patch/index.js';
import type { JsonObject, JsonValue } from '../../../src/api/patch/value.js';
import { StatusError } from '../../../src/k8s/status.js';
import { service } from './service-schema.js';

const live: JsonObject = {
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
  spec: { type: 'ClusterIP', ports: [{ port: 80 }, { port: 443 }], clusterIPs: ['10.96.0.1'] },
};

const cases: { name: string; patch: JsonValue; want: JsonValue }[] = [
  {
    name: 'null deletes, objects merge recursively',
    patch: { metadata: { labels: { tier: null, env: 'prod' } } },
    want: { ...live, metadata: { name: 'web', labels: { app: 'web', env: 'prod' } } },
  },
  {
    name: 'lists are replaced whole',
    patch: { spec: { ports: [{ port: 8080 }] } },
    want: { ...live, spec: { ...(live.spec as JsonObject), ports: [{ port: 8080 }] } },
  },
  {
    name: 'nulls inside a newly added object are pruned',
    patch: { spec: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10, x: null } } } },
    want: {
      ...live,
      spec: { ...(live.spec as JsonObject), sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } },
    },
  },
  {
    name: 'a scalar replaces an object',
    patch: { spec: 'gone' },
    want: { ...live, spec: 'gone' },
  },
  { name: 'an empty patch changes nothing', patch: {}, want: live },
  { name: 'an array patch replaces the document', patch: [1, null], want: [1, null] },
];

describe('merge patch', () => {
  for (const c of cases) {
    it(c.name, () => {
      const out = applyPatch(PatchTypes.merge, live, JSON.stringify(c.patch), {
        schema: service,
        fieldValidation: 'Ignore',
      });
      assert.deepEqual(out.object, c.want);
    });
  }

  const errors: { name: string; body: string; fieldValidation?: 'Ignore'; message: string }[] = [
    { name: 'null patch', body: 'null', message: 'Invalid JSON Patch' },
    {
      name: 'scalar patch (strict)',
      body: '"x"',
      message:
        'error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}',
    },
    { name: 'scalar patch (ignore)', body: '3', fieldValidation: 'Ignore', message: 'Invalid JSON Patch' },
    {
      name: 'syntax error (strict)',
      body: '{"a":}',
      message: "error decoding patch: invalid character '}' looking for beginning of value",
    },
    {
      name: 'syntax error (ignore)',
      body: '{"a":}',
      fieldValidation: 'Ignore',
      message: 'Invalid JSON Patch',
    },
  ];
  for (const c of errors) {
    it(`400: ${c.name}`, () => {
      assert.throws(
        () =>
          applyPatch(PatchTypes.merge, live, c.body, {
            schema: service,
            ...(c.fieldValidation ? { fieldValidation: c.fieldValidation } : {}),
          }),
        (err: unknown) =>
          err instanceof StatusError &&
          err.code === 400 &&
          err.reason === 'BadRequest' &&
          err.message === c.message,
      );
    });
  }

  it('duplicate keys are strict errors, answered as 422 with the patched JSON', () => {
    const body = '{"metadata":{"name":"web","name":"web"}}';
    const out = applyPatch(PatchTypes.merge, live, body, { schema: service });
    assert.deepEqual(out.strictErrors, ['duplicate field "metadata.name"']);
    const err = strictPatchError(PatchTypes.merge, { a: '<b>' }, body, out.strictErrors);
    assert.equal(err.code, 422);
    assert.equal(
      err.message,
      ' "" is invalid: patch: Invalid value: "{\\"a\\":\\"\\\\u003cb\\\\u003e\\"}": strict decoding error: duplicate field "metadata.name"',
    );
    assert.deepEqual(err.details?.causes?.[0]?.field, 'patch');
  });
});
