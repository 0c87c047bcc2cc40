import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareKeys, prefixEnd } from '../../src/store/keys.js';

describe('compareKeys', () => {
  it('orders as UTF-8 bytes do', () => {
    const keys = [
      '',
      '/',
      '/a',
      '/a/',
      '/a/b',
      '/ab',
      '/é',
      '/\ud7ff',
      '/\ue000',
      '/\uffff',
      '/\u{10000}',
      '/\u{1f600}',
      '/\u{10ffff}',
    ];
    for (const [i, a] of keys.entries()) {
      for (const [j, b] of keys.entries()) {
        const want = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
        assert.equal(Math.sign(compareKeys(a, b)), want, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        assert.equal(want, Math.sign(i - j));
      }
    }
  });
});

describe('prefixEnd', () => {
  const table: { name: string; prefix: string; want: string | undefined }[] = [
    { name: 'a path', prefix: '/registry/services/', want: '/registry/services0' },
    { name: 'empty: no bound', prefix: '', want: undefined },
    { name: 'skips the surrogate range', prefix: '/a\ud7ff', want: '/a\ue000' },
    { name: 'into the astral planes', prefix: '/a\uffff', want: '/a\u{10000}' },
    { name: 'carries past U+10FFFF', prefix: '/a\u{10ffff}', want: '/b' },
    { name: 'all U+10FFFF: no bound', prefix: '\u{10ffff}\u{10ffff}', want: undefined },
  ];
  for (const { name, prefix, want } of table) {
    it(name, () => assert.equal(prefixEnd(prefix), want));
  }

  it('bounds exactly the keys with the prefix', () => {
    const prefix = '/registry/services/';
    const end = prefixEnd(prefix)!;
    for (const key of ['/registry/services/', '/registry/services/a', '/registry/services/\u{10ffff}']) {
      assert.ok(compareKeys(key, prefix) >= 0 && compareKeys(key, end) < 0, key);
    }
    for (const key of ['/registry/services', '/registry/servicesx', '/registry/services0', '/registry/t']) {
      assert.ok(compareKeys(key, prefix) < 0 || compareKeys(key, end) >= 0, key);
    }
  });
});
