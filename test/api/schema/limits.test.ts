/**
 * What the body decoders refuse, and how: JSON nested past MAX_JSON_DEPTH
 * (encoding/json's error), YAML nested past MAX_YAML_DEPTH, YAML aliases
 * counted as go-yaml counts them, anchors that contain themselves, keys a
 * Go map cannot have, protobuf's embedded JSON; and what they still take.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJSON, JsonSyntaxError } from '../../../src/api/patch/decode.js';
import { decodeProtobuf, encodeProtobuf } from '../../../src/api/protobuf/index.js';
import type { KubeObject } from '../../../src/api/registry/strategy.js';
import { JSONSyntaxError, MAX_JSON_DEPTH, parseJSON, tooDeep } from '../../../src/api/schema/json.js';
import { MAX_YAML_DEPTH, parseYAML, YAMLSyntaxError } from '../../../src/api/schema/yaml.js';
import { StatusError } from '../../../src/k8s/status.js';

const objects = (n: number) => `${'{"a":'.repeat(n - 1)}{}${'}'.repeat(n - 1)}`;
const arrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('JSON nesting', () => {
  it('takes JSON nested exactly MAX_JSON_DEPTH deep, in both parsers', () => {
    for (const text of [objects(MAX_JSON_DEPTH), arrays(MAX_JSON_DEPTH)]) {
      assert.equal(tooDeep(parseJSON(text).value, MAX_JSON_DEPTH), undefined);
      assert.equal(tooDeep(decodeJSON(text).value, MAX_JSON_DEPTH), undefined);
    }
  });

  it("refuses one level more with encoding/json's error, at the bracket that went too deep", () => {
    for (const [text, bracket] of [
      [objects(MAX_JSON_DEPTH + 1), '{'],
      [arrays(MAX_JSON_DEPTH + 1), '['],
      [`{"a":[${objects(MAX_JSON_DEPTH)}]}`, '{'],
      [objects(200_000), '{'],
    ] as const) {
      const message = `invalid character '${bracket}' exceeded max depth`;
      assert.throws(
        () => parseJSON(text),
        (e: unknown) => e instanceof JSONSyntaxError && e.message === message,
      );
      assert.throws(
        () => decodeJSON(text),
        (e: unknown) => e instanceof JsonSyntaxError && e.message === message,
      );
    }
  });

  it('tooDeep finds the first container past the limit without recursing', () => {
    assert.equal(tooDeep(JSON.parse(objects(300_000)), MAX_JSON_DEPTH), '{');
    assert.equal(tooDeep(JSON.parse(`[${objects(5)}]`), 5), '{');
    assert.equal(tooDeep(JSON.parse(`{"a":${arrays(5)}}`), 5), '[');
    assert.equal(tooDeep([[1]], 2), undefined);
    assert.equal(tooDeep('x', 0), undefined);
  });

  it('refuses protobuf bodies whose embedded JSON (managedFields) nests too deep', () => {
    const svc = (fieldsV1: unknown) =>
      ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'web',
          managedFields: [{ manager: 'm', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1 }],
        },
      }) as unknown as KubeObject;
    const ok = decodeProtobuf(encodeProtobuf(svc(JSON.parse(objects(MAX_JSON_DEPTH - 1)))));
    assert.ok(ok.object.metadata?.managedFields);
    assert.throws(
      () => decodeProtobuf(encodeProtobuf(svc(JSON.parse(objects(MAX_JSON_DEPTH + 1))))),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 400 &&
        e.message ===
          "unable to decode protobuf body: embedded raw object: invalid character '{' exceeded max depth",
    );
  });
});

const yamlError = (message: string) => (e: unknown) => e instanceof YAMLSyntaxError && e.message === message;
const depthError = yamlError(`yaml: exceeded max depth of ${MAX_YAML_DEPTH}`);

/** A billion laughs: a0 holds ten scalars, each further anchor ten aliases of the one before. */
function laughs(anchors: number): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < anchors; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

describe('YAML nesting', () => {
  it('takes flow and block nesting well inside the limit', () => {
    const flow = parseYAML(`a: ${arrays(400)}\n`).value as { a: unknown };
    assert.equal(tooDeep(flow.a, 400), undefined);
    assert.equal(tooDeep(flow.a, 399), '[');
    const block = Array.from({ length: 120 }, (_, i) => `${' '.repeat(i * 2)}k:`).join('\n');
    assert.equal(tooDeep(parseYAML(`${block} 1\n`).value, 120), undefined);
  });

  it('refuses deep flow, deep block and deep compact sequences before composing them', () => {
    for (const text of [
      `a: ${arrays(MAX_YAML_DEPTH)}\n`,
      `a: ${'{b: '.repeat(100_000)}`,
      `${'- '.repeat(MAX_YAML_DEPTH)}x\n`,
      `${Array.from({ length: MAX_YAML_DEPTH }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`,
      '['.repeat(1_000_000),
    ]) {
      assert.throws(() => parseYAML(text), depthError, text.slice(0, 40));
    }
  });

  it('counts values reached through aliases at the depth they are expanded to', () => {
    const step = 100;
    const lines = [`a0: &a0 ${arrays(step)}`];
    for (let i = 1; i < 4; i++) lines.push(`a${i}: &a${i} ${'['.repeat(step)}*a${i - 1}${']'.repeat(step)}`);
    const v = parseYAML(`${lines.join('\n')}\n`).value as Record<string, unknown>;
    assert.equal(tooDeep(v.a3, 4 * step), undefined);
    lines.push(
      `a4: &a4 ${'['.repeat(step)}*a3${']'.repeat(step)}`,
      `a5: ${'['.repeat(step)}*a4${']'.repeat(step)}`,
    );
    assert.throws(() => parseYAML(`${lines.join('\n')}\n`), depthError);
  });
});

describe('YAML aliases, as go-yaml counts them', () => {
  it('takes a document mostly of aliases while expansion stays within 99% of the decoding', () => {
    // a0..a2: 1,320 nodes decoded through aliases of 1,358 (97%).
    const v = parseYAML(laughs(3)).value as Record<string, unknown[][]>;
    assert.equal(v.a2!.flat().length, 100);
  });

  it('refuses a billion laughs with "document contains excessive aliasing"', () => {
    // a0..a3: 13,530 of 13,580 (99.6%) through aliases.
    assert.throws(() => parseYAML(laughs(4)), yamlError('yaml: document contains excessive aliasing'));
    assert.throws(() => parseYAML(laughs(10)), yamlError('yaml: document contains excessive aliasing'));
  });

  it('takes many aliases of small anchors, shared in the result', () => {
    const text = `a: &a {x: 1}\nb:\n${'- *a\n'.repeat(20_000)}`;
    const v = parseYAML(text).value as { a: unknown; b: unknown[] };
    assert.equal(v.b.length, 20_000);
    assert.deepEqual(v.b[19_999], { x: 1 });
  });

  it('refuses an anchor that contains itself, and an alias to no anchor, as go-yaml does', () => {
    assert.throws(() => parseYAML('a: &x [*x]\n'), yamlError("yaml: anchor 'x' value contains itself"));
    assert.throws(
      () => parseYAML('a: &x {b: {c: *x}}\n'),
      yamlError("yaml: anchor 'x' value contains itself"),
    );
    assert.throws(() => parseYAML('a: *nope\n'), yamlError("yaml: unknown anchor 'nope' referenced"));
  });

  it('merges `<<` maps, the first map and the keys already set winning', () => {
    const v = parseYAML('b: &b {x: 1, z: 1}\nc: &c {x: 2, w: 2}\nm:\n  z: 0\n  <<: [*b, *c]\n').value;
    assert.deepEqual(v, { b: { x: 1, z: 1 }, c: { x: 2, w: 2 }, m: { z: 0, x: 1, w: 2 } });
    assert.throws(
      () => parseYAML('<<: 5\n'),
      yamlError('yaml: map merge requires map or sequence of maps as the value'),
    );
  });

  it("refuses a collection as a key, as a Go map[string]interface{} can't hold it", () => {
    assert.throws(
      () => parseYAML('? [a, b]\n: 1\n'),
      yamlError('yaml: invalid map key: []interface {}{"a", "b"}'),
    );
  });

  it('keeps __proto__ an ordinary key', () => {
    const v = parseYAML('__proto__: {polluted: 1}\nb: &p {__proto__: {x: 1}}\nc: *p\n').value as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(v), ['__proto__', 'b', 'c']);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
