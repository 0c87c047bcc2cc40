import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldSet } from '../../../src/api/fieldmanager/fieldset.js';
import {
  keyElement,
  type PathElement,
  parsePathElement,
  pathString,
  serializePathElement,
} from '../../../src/api/fieldmanager/path.js';
import {
  compareTyped,
  ensureNamedFieldsAreMembers,
  toFieldSet,
} from '../../../src/api/fieldmanager/typed.js';
import type { JsonObject } from '../../../src/api/patch/value.js';
import { service } from '../patch/service-schema.js';

const f = (field: string): PathElement => ({ field });
const port80 = keyElement([
  ['protocol', 'TCP'],
  ['port', 80],
]);

describe('path elements', () => {
  const cases: { pe: PathElement; wire: string; human: string }[] = [
    { pe: f('spec'), wire: 'f:spec', human: '.spec' },
    { pe: port80, wire: 'k:{"port":80,"protocol":"TCP"}', human: '[port=80,protocol="TCP"]' },
    { pe: { value: 'a<b' }, wire: 'v:"a\\u003cb"', human: '[="a<b"]' },
    { pe: { value: 5 }, wire: 'v:5', human: '[=5]' },
    { pe: { index: 3 }, wire: 'i:3', human: '[3]' },
  ];
  for (const c of cases) {
    it(`${c.wire} round trips`, () => {
      assert.equal(serializePathElement(c.pe), c.wire);
      assert.deepEqual(parsePathElement(c.wire), c.pe);
      assert.equal(pathString([c.pe]), c.human);
    });
  }

  it('rejects malformed keys and ignores unknown types', () => {
    assert.throws(() => parsePathElement('f'), /key must be 2 characters long/);
    assert.throws(() => parsePathElement('fx'), /missing colon: fx/);
    assert.throws(() => parsePathElement('k:{'), Error);
    assert.equal(parsePathElement('r:x'), undefined);
  });
});

const svc: JsonObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a'] },
  spec: {
    clusterIPs: ['10.0.0.1'],
    parameters: { x: 'y' },
    tls: { secretName: 's' },
    selector: { app: 'web' },
    ports: [{ port: 80, targetPort: 8080 }],
  },
};

describe('FieldsV1 encoding', () => {
  it('encodes an object by its schema, and decodes back', () => {
    const set = toFieldSet(svc, service);
    const wire = JSON.stringify(set.toFieldsV1());
    assert.equal(
      wire,
      JSON.stringify({
        'f:apiVersion': {},
        'f:kind': {},
        'f:metadata': { 'f:finalizers': { 'v:"a"': {} }, 'f:labels': { 'f:app': {} }, 'f:name': {} },
        'f:spec': {
          'f:clusterIPs': {},
          'f:parameters': {},
          'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { 'f:port': {}, 'f:targetPort': {}, '.': {} } },
          'f:selector': { 'f:app': {} },
          'f:tls': {},
        },
      }),
    );
    const back = FieldSet.fromFieldsV1(JSON.parse(wire));
    assert.ok(back.equals(set));
    assert.ok(back.has([f('spec'), f('ports'), port80]));
    assert.ok(back.has([f('spec'), f('ports'), port80, f('targetPort')]));
    assert.ok(!back.has([f('spec'), f('ports')]));
    assert.ok(!back.has([f('spec')]));
  });

  it('drops unknown element types and keeps members with children', () => {
    const set = FieldSet.fromFieldsV1({ 'f:a': { '.': {}, 'f:b': {} }, 'x:c': {} });
    assert.deepEqual(set.paths(), [[f('a')], [f('a'), f('b')]]);
  });

  it('set algebra: parent − child = parent, recursive difference drops subtrees', () => {
    const a = FieldSet.of([f('a')], [f('a'), f('b')], [f('c')]);
    const b = FieldSet.of([f('a'), f('b')], [f('c')]);
    assert.deepEqual(a.difference(b).paths(), [[f('a')]]);
    assert.deepEqual(a.recursiveDifference(FieldSet.of([f('a')])).paths(), [[f('c')]]);
    assert.deepEqual(a.intersection(b).paths(), [[f('c')], [f('a'), f('b')]]);
    assert.ok(a.union(b).equals(a));
  });

  it('names struct fields as members for pruning', () => {
    const set = ensureNamedFieldsAreMembers(FieldSet.of([f('spec'), f('selector'), f('app')]), service);
    assert.deepEqual(set.paths(), [
      [f('spec')],
      [f('spec'), f('selector')],
      [f('spec'), f('selector'), f('app')],
    ]);
  });
});

describe('compare', () => {
  it('reports leaves and appearing containers', () => {
    const before: JsonObject = { spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 1 }] } };
    const after: JsonObject = {
      spec: {
        ports: [{ port: 80, protocol: 'TCP', targetPort: 2 }],
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } },
      },
      metadata: { labels: {} },
    };
    const c = compareTyped(before, after, service);
    assert.deepEqual(c.modified.paths().map(pathString), ['.spec.ports[port=80,protocol="TCP"].targetPort']);
    assert.deepEqual(c.added.paths().map(pathString), [
      '.metadata',
      '.metadata.labels',
      '.spec.sessionAffinityConfig',
      '.spec.sessionAffinityConfig.clientIP',
      '.spec.sessionAffinityConfig.clientIP.timeoutSeconds',
    ]);
    assert.ok(c.removed.isEmpty());
  });
});
