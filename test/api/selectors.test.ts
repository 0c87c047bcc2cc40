import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkFieldSelector,
  exactField,
  type FieldGetters,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../../src/k8s/selectors.js';
import { StatusError } from '../../src/k8s/status.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', version: '3' };
  const rows: { selector: string; match: boolean }[] = [
    { selector: '', match: true },
    { selector: 'app=web', match: true },
    { selector: 'app==web', match: true },
    { selector: 'app!=web', match: false },
    { selector: 'app=db', match: false },
    { selector: 'app', match: true },
    { selector: '!app', match: false },
    { selector: '!missing', match: true },
    { selector: 'missing!=x', match: true },
    { selector: 'app in (web,db)', match: true },
    { selector: 'app in (db)', match: false },
    { selector: 'app notin (db)', match: true },
    { selector: 'missing notin (db)', match: true },
    { selector: 'missing in (db)', match: false },
    { selector: 'app=web,tier=front', match: true },
    { selector: 'app=web, tier in (back, front)', match: true },
    { selector: 'app=web,tier=back', match: false },
    { selector: 'version>2', match: true },
    { selector: 'version<3', match: false },
  ];
  for (const r of rows) {
    it(`${JSON.stringify(r.selector)} ${r.match ? 'matches' : 'does not match'}`, () => {
      assert.equal(matchesLabels(parseLabelSelector(r.selector), labels), r.match);
    });
  }

  it('treats missing labels as empty', () => {
    assert.equal(matchesLabels(parseLabelSelector('app'), undefined), false);
    assert.equal(matchesLabels(parseLabelSelector('!app'), undefined), true);
  });

  for (const bad of ['a b', 'app in ()', 'x>y', '=web', 'app=we b', 'app=web,,x', 'Bad_Key!']) {
    it(`rejects ${JSON.stringify(bad)} with a 400`, () => {
      assert.throws(
        () => parseLabelSelector(bad),
        (e: unknown) =>
          e instanceof StatusError && e.code === 400 && /unable to parse requirement/.test(e.message),
      );
    });
  }
  it('accepts an empty value for = (the label must be empty)', () => {
    assert.equal(matchesLabels(parseLabelSelector('app='), { app: '' }), true);
  });
});

describe('field selectors', () => {
  const getters = {
    'metadata.name': (o: { metadata?: { name?: string } }) => o.metadata?.name,
    'spec.type': (o: { spec?: { type?: string } }) => o.spec?.type,
  } as unknown as FieldGetters;
  const obj = { metadata: { name: 'web' }, spec: { type: 'NodePort' } };

  it('matches = and !=', () => {
    assert.equal(matchesFields(parseFieldSelector('metadata.name=web'), getters, obj), true);
    assert.equal(
      matchesFields(parseFieldSelector('metadata.name==web,spec.type!=ClusterIP'), getters, obj),
      true,
    );
    assert.equal(matchesFields(parseFieldSelector('spec.type=ClusterIP'), getters, obj), false);
  });

  it('honours escapes', () => {
    const reqs = parseFieldSelector('metadata.name=a\\,b');
    assert.deepEqual(reqs, [{ field: 'metadata.name', op: '=', value: 'a,b' }]);
  });

  it('finds the exact name', () => {
    assert.equal(exactField(parseFieldSelector('metadata.name=x'), 'metadata.name'), 'x');
    assert.equal(exactField(parseFieldSelector('metadata.name!=x'), 'metadata.name'), undefined);
  });

  it('rejects unknown fields with the upstream message', () => {
    assert.throws(
      () => checkFieldSelector(parseFieldSelector('spec.foo=bar'), getters),
      (e: unknown) =>
        e instanceof StatusError && e.code === 400 && e.message === 'field label not supported: spec.foo',
    );
  });

  it('rejects terms without an operator', () => {
    assert.throws(
      () => parseFieldSelector('metadata.name'),
      (e: unknown) => e instanceof StatusError && e.code === 400,
    );
  });
});
