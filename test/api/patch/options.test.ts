import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeApplyPatch, PatchTypes, validatePatchOptions } from '../../../src/api/patch/index.js';
import { StatusError } from '../../../src/k8s/status.js';

describe('PatchOptions validation', () => {
  const cases: {
    name: string;
    type: (typeof PatchTypes)[keyof typeof PatchTypes];
    opts: object;
    message?: string;
  }[] = [
    {
      name: 'apply with a field manager',
      type: PatchTypes.apply,
      opts: { fieldManager: 'kubectl', force: false },
    },
    {
      name: 'apply without a field manager',
      type: PatchTypes.apply,
      opts: {},
      message:
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    },
    {
      name: 'force on a merge patch',
      type: PatchTypes.merge,
      opts: { force: true },
      message:
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    },
    {
      name: 'unprintable field manager',
      type: PatchTypes.strategic,
      opts: { fieldManager: 'a\u0007' },
      message:
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\a": invalid character U+0007 (at position 1)',
    },
    {
      name: 'unknown dryRun and fieldValidation',
      type: PatchTypes.json,
      opts: { dryRun: ['Some'], fieldValidation: 'Loose' },
      message:
        'PatchOptions.meta.k8s.io "" is invalid: [dryRun: Unsupported value: []string{"Some"}: supported values: "All", fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"]',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const err = validatePatchOptions(c.type, c.opts);
      if (!c.message) return assert.equal(err, undefined);
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 422);
      assert.equal(err.message, c.message);
    });
  }
});

describe('apply patch bodies', () => {
  it('reads JSON and YAML', () => {
    assert.deepEqual(decodeApplyPatch('{"apiVersion":"v1","kind":"Service"}'), {
      patch: { apiVersion: 'v1', kind: 'Service' },
    });
    assert.deepEqual(
      decodeApplyPatch('apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - port: 80\n').patch,
      {
        apiVersion: 'v1',
        kind: 'Service',
        spec: { ports: [{ port: 80 }] },
      },
    );
    assert.deepEqual(decodeApplyPatch('').patch, {});
  });

  it('reports duplicate keys for strict decoding', () => {
    assert.equal(
      decodeApplyPatch('{"kind":"Service","spec":{"type":"A","type":"B"}}').strictError,
      'error converting YAML to JSON: yaml: unmarshal errors:\n  line 1: key "type" already set in map',
    );
  });

  for (const [name, body, message] of [
    [
      'a list',
      '[1]',
      'error decoding YAML: json: cannot unmarshal array into Go value of type map[string]interface {}',
    ],
    [
      'a scalar',
      'hello',
      'error decoding YAML: json: cannot unmarshal string into Go value of type map[string]interface {}',
    ],
  ] as const) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => decodeApplyPatch(body),
        (err: unknown) => err instanceof StatusError && err.code === 400 && err.message === message,
      );
    });
  }

  it('rejects malformed YAML', () => {
    assert.throws(
      () => decodeApplyPatch('a: [1\n'),
      (err: unknown) =>
        err instanceof StatusError && err.code === 400 && err.message.startsWith('error decoding YAML: '),
    );
  });
});
