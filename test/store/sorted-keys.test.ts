import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SortedKeys } from '../../src/store/sorted-keys.js';

describe('SortedKeys', () => {
  it('matches a sorted array through random inserts, deletes and scans across chunk splits', () => {
    const keys = new SortedKeys();
    const model = new Set<string>();
    let seed = 2463534242;
    const rand = (n: number) => {
      // xorshift32
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    for (let step = 0; step < 6000; step++) {
      const key = `/k/${rand(20000).toString(36)}`;
      if (model.has(key)) {
        assert.equal(keys.delete(key), true);
        model.delete(key);
      } else if (rand(4) > 0) {
        keys.insert(key);
        model.add(key);
      } else {
        assert.equal(keys.delete(key), false);
      }
      if (step % 500 === 0 || step === 5999) {
        const sorted = [...model].sort();
        assert.equal(keys.size, sorted.length);
        assert.deepEqual([...keys.from('')], sorted);
        const from = `/k/${rand(3000).toString(36)}`;
        assert.deepEqual(
          [...keys.from(from)],
          sorted.filter((k) => k >= from),
        );
      }
    }
    assert.ok(keys.size > 1100, 'enough keys to split chunks');
  });

  it('handles an empty set and scans past the end', () => {
    const keys = new SortedKeys();
    assert.deepEqual([...keys.from('')], []);
    assert.equal(keys.delete('/a'), false);
    keys.insert('/b');
    keys.insert('/a');
    assert.deepEqual([...keys.from('/a\0')], ['/b']);
    assert.deepEqual([...keys.from('/c')], []);
    assert.equal(keys.delete('/a'), true);
    assert.equal(keys.delete('/b'), true);
    assert.equal(keys.size, 0);
    assert.deepEqual([...keys.from('')], []);
  });
});
