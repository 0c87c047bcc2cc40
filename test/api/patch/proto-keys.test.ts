/**
 * `__proto__` in a patch body is an ordinary key, for every patch type: it
 * never reaches Object.prototype (the HTTP fuzz found a merge patch of
 * `{"metadata":{"__proto__":{"kind":false}}}` giving every object in the
 * API server a `kind`), nor replaces the prototype of the patched object.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { applyPatch, PatchTypes } from '../../../src/api/patch/index.js';
import type { JsonObject } from '../../../src/api/patch/value.js';
import { service } from './service-schema.js';

const live = (): JsonObject => ({
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { type: 'ClusterIP', ports: [{ port: 80 }] },
});

const builtins = [Object.prototype, Array.prototype];
const pristine = builtins.map((p) => Object.getOwnPropertyNames(p).join(','));

/** Every plain object in `v` has Object.prototype as its prototype. */
function ordinary(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (Array.isArray(v)) return v.every(ordinary);
  return Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(ordinary);
}

describe('__proto__ in patches', () => {
  afterEach(() => {
    assert.deepEqual(
      builtins.map((p) => Object.getOwnPropertyNames(p).join(',')),
      pristine,
      'a built-in prototype gained properties',
    );
    assert.equal(({} as Record<string, unknown>).kind, undefined);
  });

  const body = '{"metadata":{"__proto__":{"kind":false,"polluted":1}},"__proto__":{"x":1}}';

  for (const type of [PatchTypes.merge, PatchTypes.strategic]) {
    it(`${type} keeps it an own key`, () => {
      const { object } = applyPatch(type, live(), body, { schema: service, fieldValidation: 'Ignore' });
      const o = object as Record<string, Record<string, unknown>>;
      assert.ok(ordinary(o));
      assert.ok(Object.hasOwn(o, '__proto__'));
      assert.deepEqual(Object.getOwnPropertyDescriptor(o.metadata, '__proto__')?.value, {
        kind: false,
        polluted: 1,
      });
      assert.equal(o.metadata!.kind, undefined);
    });
  }

  it('a JSON patch adds and replaces it as an own key', () => {
    const ops = JSON.stringify([
      { op: 'add', path: '/__proto__', value: { kind: false } },
      { op: 'add', path: '/metadata/__proto__', value: { polluted: 1 } },
      { op: 'replace', path: '/metadata/__proto__', value: { polluted: 2 } },
    ]);
    const { object } = applyPatch(PatchTypes.json, live(), ops, {
      schema: service,
      fieldValidation: 'Ignore',
    });
    const o = object as Record<string, Record<string, unknown>>;
    assert.ok(ordinary(o));
    assert.equal(o.kind, undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(o.metadata, '__proto__')?.value, { polluted: 2 });
  });
});
