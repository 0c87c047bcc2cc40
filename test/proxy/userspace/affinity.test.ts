import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint } from '../../../src/proxy/model/types.js';
import { AffinityTable } from '../../../src/proxy/userspace/affinity.js';

const ep = (ip: string): Endpoint => ({
  ip,
  port: 80,
  ready: true,
  serving: true,
  terminating: false,
  isLocal: true,
});
const [a, b] = [ep('10.0.0.1'), ep('10.0.0.2')];

describe('AffinityTable', () => {
  it('binds a client to its endpoint within the timeout since last use', () => {
    let now = 0;
    const t = new AffinityTable(10, () => now);
    assert.equal(t.lookup('1.1.1.1', [a, b]), undefined);
    t.record('1.1.1.1', b);
    now = 10_000;
    assert.equal(t.lookup('1.1.1.1', [a, b]), b, 'exactly at the timeout: still bound');
    t.record('1.1.1.1', b);
    now = 20_000;
    assert.equal(t.lookup('1.1.1.1', [a, b]), b, 'refreshed at 10 s');
    now = 20_001;
    assert.equal(t.lookup('1.1.1.1', [a, b]), undefined, 'expired');
    assert.equal(t.size, 0, 'an expired entry is dropped on lookup');
  });

  it('ignores a binding whose endpoint is no longer current, and matches by address and port', () => {
    const t = new AffinityTable(100, () => 0);
    t.record('1.1.1.1', a);
    assert.equal(t.lookup('1.1.1.1', [b]), undefined);
    assert.equal(t.lookup('1.1.1.1', [{ ...a, port: 81 }]), undefined);
    const same = { ...a };
    assert.equal(t.lookup('1.1.1.1', [b, same]), same);
  });

  it('forgets a client, and sweeps expired entries as new ones are recorded', () => {
    let now = 0;
    const t = new AffinityTable(1, () => now);
    t.record('1.1.1.1', a);
    t.record('2.2.2.2', a);
    t.forget('1.1.1.1');
    assert.equal(t.size, 1);
    now = 5_000;
    t.record('3.3.3.3', b);
    assert.equal(t.size, 1, '2.2.2.2 expired and was swept');
  });

  it('follows a changed timeout', () => {
    let now = 0;
    const t = new AffinityTable(100, () => now);
    t.record('1.1.1.1', a);
    now = 50_000;
    t.timeoutSeconds = 10;
    assert.equal(t.lookup('1.1.1.1', [a]), undefined);
  });
});
