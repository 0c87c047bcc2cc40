import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { descriptorReserve, frontendCap, roundRobin } from '../../../src/proxy/userspace/limits.js';

describe('how the userspace proxy shares descriptors', () => {
  it('caps listeners per Service at 1/16 of the limit unless told; unbounded when the limit is unknown', () => {
    assert.equal(frontendCap(20000), 1250);
    assert.equal(frontendCap(1024), 64);
    assert.equal(frontendCap(8), 1);
    assert.equal(frontendCap(20000, 100), 100);
    assert.equal(frontendCap(20000, 0), 1250, '0 is the default');
    assert.equal(frontendCap(undefined), Number.POSITIVE_INFINITY);
    assert.equal(frontendCap(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
  });

  it('keeps 1/8 of the limit, at least 32, for connections', () => {
    assert.equal(descriptorReserve(20000), 2500);
    assert.equal(descriptorReserve(256), 32);
    assert.equal(descriptorReserve(100), 32);
    assert.equal(descriptorReserve(20000, 10), 10);
    assert.equal(descriptorReserve(undefined), 0);
  });

  it('opens new listeners one Service at a time in turn', () => {
    const items = ['a1', 'a2', 'a3', 'b1', 'c1', 'c2'];
    assert.deepEqual(
      roundRobin(items, (s) => s[0]!),
      ['a1', 'b1', 'c1', 'a2', 'c2', 'a3'],
    );
    assert.deepEqual(
      roundRobin([], (s: string) => s),
      [],
    );
  });
});
