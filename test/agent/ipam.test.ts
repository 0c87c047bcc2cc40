import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodIPAllocator } from '../../src/agent/ipam.js';

test('allocates from .2, skips network, gateway and broadcast, round-robin', () => {
  const a = new PodIPAllocator('127.244.3.0/29'); // .0-.7: usable .2-.6
  const got = ['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => a.allocate(p));
  assert.deepEqual(got, ['127.244.3.2', '127.244.3.3', '127.244.3.4', '127.244.3.5', '127.244.3.6']);
  assert.throws(() => a.allocate('p6'), /no IP addresses available in range set: 127.244.3.0\/29/);
  assert.equal(a.allocate('p1'), '127.244.3.2', 'an owner keeps its IP');
  a.release('p2');
  assert.equal(a.allocate('p6'), '127.244.3.3');
  a.release('p4');
  a.release('p5');
  assert.equal(a.allocate('p7'), '127.244.3.5', 'the next free one after the last one given');
});

test('reserve adopts an in-range IP, refuses taken or out-of-range ones', () => {
  const a = new PodIPAllocator('127.244.0.0/24');
  assert.equal(a.reserve('old', '127.244.0.77'), true);
  assert.equal(a.get('old'), '127.244.0.77');
  assert.equal(a.reserve('other', '127.244.0.77'), false);
  assert.equal(a.reserve('x', '127.244.1.5'), false);
  assert.equal(a.reserve('x', '127.244.0.1'), false, 'the gateway is never a pod IP');
  assert.equal(a.reserve('x', '127.244.0.255'), false);
  assert.equal(a.inRange('127.244.0.254'), true);
  assert.equal(a.size, 1);
});

test('IPv6 ranges', () => {
  const a = new PodIPAllocator('fd00:10:244::/64');
  assert.equal(a.allocate('p'), 'fd00:10:244::2');
});
