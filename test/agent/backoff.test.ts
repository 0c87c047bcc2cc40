import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../../src/agent/backoff.js';

test('crash-loop back-off: first restart immediate, then 10s doubling to 5m', () => {
  let now = 0;
  const b = new Backoff(() => now);
  const k = 'uid/web';
  // First exit: not in back-off; the restart records 10s.
  assert.equal(b.isInBackOffSince(k, now), false);
  b.next(k, now);
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) {
    now += 1000; // the container runs 1s, then exits
    const finished = now;
    assert.equal(b.isInBackOffSince(k, finished), true);
    seen.push(b.get(k));
    now += b.remaining(k, finished);
    assert.equal(b.isInBackOffSince(k, finished), false);
    b.next(k, finished);
  }
  assert.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('back-off resets after the container ran for twice the maximum (10 minutes)', () => {
  let now = 0;
  const b = new Backoff(() => now);
  b.next('k', 0);
  now = 1000;
  b.next('k', 1000); // 20s
  assert.equal(b.get('k'), 20_000);
  now += 11 * 60_000;
  assert.equal(b.isInBackOffSince('k', now), false);
  b.next('k', now);
  assert.equal(b.get('k'), 10_000);
});

test('forgetPrefix drops one pod', () => {
  const b = new Backoff(() => 0);
  b.next('a/x', 0);
  b.next('b/x', 0);
  b.forgetPrefix('a/');
  assert.equal(b.get('a/x'), 0);
  assert.equal(b.get('b/x'), 10_000);
});
