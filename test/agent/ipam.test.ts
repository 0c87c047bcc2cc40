import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimPodIPs, PodIPAllocator, PodIPClaimError } from '../../src/agent/ipam.js';

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

const claimError = (code: string) => (err: unknown) => err instanceof PodIPClaimError && err.code === code;

test('claim adopts an in-range IP, refuses taken or out-of-range ones', () => {
  const a = new PodIPAllocator('127.244.0.0/24');
  assert.equal(a.claim('old', '127.244.0.77'), '127.244.0.77');
  assert.equal(a.get('old'), '127.244.0.77');
  assert.equal(a.claim('old', '127.244.0.77'), '127.244.0.77', 'claiming its own IP again is no change');
  assert.throws(() => a.claim('other', '127.244.0.77'), claimError('POD_IP_IN_USE'));
  assert.throws(() => a.claim('x', '127.244.1.5'), claimError('POD_IP_OUT_OF_RANGE'));
  assert.throws(
    () => a.claim('x', '127.244.0.1'),
    claimError('POD_IP_OUT_OF_RANGE'),
    'the gateway is never a pod IP',
  );
  assert.throws(() => a.claim('x', '127.244.0.255'), claimError('POD_IP_OUT_OF_RANGE'));
  assert.throws(() => a.claim('x', 'not-an-ip'), claimError('POD_IP_INVALID'));
  assert.throws(() => a.claim('old', '127.244.0.78'), claimError('POD_IP_CHANGED'), 'a pod never moves');
  assert.equal(a.get('old'), '127.244.0.77');
  assert.equal(a.inRange('127.244.0.254'), true);
  assert.equal(a.size, 1);
});

test('claim names the pod holding the address', () => {
  const a = new PodIPAllocator('127.244.0.0/24');
  a.allocate('uid-a', 'default/aaa');
  assert.throws(() => a.claim('uid-b', '127.244.0.2', 'default/web'), {
    message: '127.244.0.2 is held by pod default/aaa',
  });
  assert.throws(() => a.claim('uid-b', '127.245.0.2'), {
    message: "127.245.0.2 is not a pod address in the node's podCIDR 127.244.0.0/24",
  });
});

test('claims come before allocations: a new pod never gets an existing pod’s address', () => {
  const a = new PodIPAllocator('127.244.3.0/29'); // usable .2-.6
  const results = claimPodIPs(a, [
    { uid: 'web-1', pod: 'default/web-1', statusIP: '127.244.3.2' },
    { uid: 'web-2', pod: 'default/web-2', statusIP: '127.244.3.4' },
  ]);
  assert.deepEqual(results.get('web-1'), { ip: '127.244.3.2' });
  assert.deepEqual(results.get('web-2'), { ip: '127.244.3.4' });
  // A fresh allocator's first address is .2: taken, so the new pod gets the next free one.
  assert.equal(a.allocate('aaa'), '127.244.3.3');
  assert.equal(a.allocate('bbb'), '127.244.3.5');
});

test('a claim of an address another pod holds, or outside the podCIDR, is an error for that pod only', () => {
  const a = new PodIPAllocator('127.244.3.0/24');
  const results = claimPodIPs(a, [
    { uid: 'young', pod: 'default/young', created: '2024-01-02T00:00:00Z', statusIP: '127.244.3.9' },
    { uid: 'old', pod: 'default/old', created: '2024-01-01T00:00:00Z', statusIP: '127.244.3.9' },
    { uid: 'moved', pod: 'default/moved', statusIP: '127.244.9.9' },
    { uid: 'fine', pod: 'default/fine', statusIP: '127.244.3.10' },
  ]);
  assert.deepEqual(results.get('old'), { ip: '127.244.3.9' }, 'the older pod keeps a doubly claimed address');
  const young = results.get('young');
  assert.ok(young && 'error' in young);
  assert.equal(young.ip, '127.244.3.9');
  assert.equal(young.error.code, 'POD_IP_IN_USE');
  assert.equal(young.error.message, '127.244.3.9 is held by pod default/old');
  const moved = results.get('moved');
  assert.ok(moved && 'error' in moved);
  assert.equal(moved.error.code, 'POD_IP_OUT_OF_RANGE');
  assert.deepEqual(results.get('fine'), { ip: '127.244.3.10' });
  assert.equal(a.get('young'), undefined, 'a failed claim holds nothing');
  assert.equal(a.get('moved'), undefined);
  assert.equal(a.size, 2);
});

test('the status IP is the source of truth; records fill in only where the status is silent', () => {
  const a = new PodIPAllocator('127.244.3.0/24');
  const results = claimPodIPs(a, [
    // Its status write was lost: the agent's record is all there is.
    { uid: 'lost', pod: 'default/lost', recordedIP: '127.244.3.7' },
    // A stale record naming another address: the status wins.
    { uid: 'both', pod: 'default/both', statusIP: '127.244.3.5', recordedIP: '127.244.3.6' },
    // A record naming an address the API says another pod has: that pod keeps it.
    { uid: 'stale', pod: 'default/stale', recordedIP: '127.244.3.5' },
    { uid: 'none', pod: 'default/none' },
  ]);
  assert.deepEqual(results.get('lost'), { ip: '127.244.3.7' });
  assert.deepEqual(results.get('both'), { ip: '127.244.3.5' });
  const stale = results.get('stale');
  assert.ok(stale && 'error' in stale);
  assert.equal(stale.error.code, 'POD_IP_IN_USE');
  assert.equal(results.has('none'), false, 'a pod with nothing to claim is given an address later');
  assert.equal(a.get('both'), '127.244.3.5');
  assert.equal(a.get('lost'), '127.244.3.7');
});

test('the allocator writes down every address it gives before it is used, and forgets released ones', () => {
  const log: string[] = [];
  const a = new PodIPAllocator('127.244.3.0/24', {
    put: (ip, owner, pod) => log.push(`put ${ip} ${owner} ${pod}`),
    remove: (ip, owner) => log.push(`remove ${ip} ${owner}`),
  });
  a.allocate('u1', 'default/one');
  a.claim('u2', '127.244.3.40', 'default/two');
  a.claim('u2', '127.244.3.40', 'default/two');
  a.release('u1');
  assert.throws(() => a.claim('u3', '127.244.3.40'));
  assert.deepEqual(log, [
    'put 127.244.3.2 u1 default/one',
    'put 127.244.3.40 u2 default/two',
    'remove 127.244.3.2 u1',
  ]);
});

test('IPv6 ranges', () => {
  const a = new PodIPAllocator('fd00:10:244::/64');
  assert.equal(a.allocate('p'), 'fd00:10:244::2');
});
