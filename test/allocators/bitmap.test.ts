import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AllocationBitmap, type RandomSource } from '../../src/allocators/bitmap.js';

/** Answers the given values in turn and records each bound it was asked for. */
function scripted(...values: number[]): RandomSource & { asked: number[] } {
  const asked: number[] = [];
  const f = ((n: number) => {
    asked.push(n);
    return (values.shift() ?? 0) % n;
  }) as RandomSource & { asked: number[] };
  f.asked = asked;
  return f;
}

test('bitmap: upper band from a random start, wrap, then the lower band', () => {
  const rnd = scripted(5, 5, 5, 5, 2);
  // 10 slots, static band 0..3, dynamic band 4..9 (6 slots).
  const b = new AllocationBitmap(10, 4, rnd);
  assert.equal(b.next(), 9, 'random 5 of 6 → slot 4+5');
  assert.equal(b.next(), 4, 'slot 9 taken → wraps to the start of the upper band');
  assert.equal(b.next(), 5);
  assert.deepEqual(rnd.asked, [6, 6, 6], 'the start is drawn over the upper band only');
  b.set(6);
  b.set(7);
  b.set(8);
  assert.equal(b.used, 6);
  assert.equal(b.next(), 2, 'upper band full → lower band, random start 2 (of 4)');
  assert.equal(rnd.asked.at(-2), 6, 'upper band still tried first');
  assert.equal(rnd.asked.at(-1), 4, 'then a start in the static band');
  assert.deepEqual([...b], [2, 4, 5, 6, 7, 8, 9], 'iteration is ascending');
});

test('bitmap: set/clear/has, full, reset', () => {
  const b = new AllocationBitmap(70, 0, () => 0);
  assert.equal(b.set(69), true);
  assert.equal(b.set(69), false, 'already set');
  assert.equal(b.has(69), true);
  assert.equal(b.has(70), false, 'out of range is never set');
  assert.throws(() => b.set(70), RangeError);
  for (let i = 0; i < 69; i++) assert.equal(b.next(), i, 'offset 0, random 0: ascending');
  assert.equal(b.free, 0);
  assert.equal(b.next(), undefined, 'full');
  assert.equal(b.clear(33), true);
  assert.equal(b.clear(33), false);
  assert.equal(b.findNext(), 33, 'findNext does not take');
  assert.equal(
    b.findNext((i) => i === 33),
    undefined,
    'extra taken slots count as used',
  );
  assert.equal(b.next(), 33);
  assert.deepEqual([...b].length, 70);
  b.reset();
  assert.equal(b.used, 0);
  assert.deepEqual([...b], []);
});

test('bitmap: word-skipping scan finds the one free slot in a large map', () => {
  const b = new AllocationBitmap(100_000, 256, () => 0);
  for (let i = 0; i < 100_000; i++) b.set(i);
  b.clear(77_777);
  b.clear(12);
  assert.equal(b.next(), 77_777, 'upper band first');
  assert.equal(b.next(), 12, 'then the static band');
  assert.equal(b.next(), undefined);
});

test('bitmap: zero-size and offset not smaller than size', () => {
  const empty = new AllocationBitmap(0, 0, () => 0);
  assert.equal(empty.next(), undefined);
  const allStatic = new AllocationBitmap(3, 5, () => 0);
  assert.equal(allStatic.offset, 3);
  assert.deepEqual(
    [allStatic.next(), allStatic.next(), allStatic.next(), allStatic.next()],
    [0, 1, 2, undefined],
  );
});
