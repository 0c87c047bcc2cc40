import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CIDRSet, CIDRSetFullError } from '../../../src/controllers/nodeipam/cidrset.js';

describe('CIDRSet', () => {
  it('hands out /24s of the host-mode range in order', () => {
    const s = new CIDRSet('127.244.0.0/16', 24);
    assert.equal(s.size, 256);
    assert.deepEqual(
      [s.allocateNext(), s.allocateNext(), s.allocateNext()],
      ['127.244.0.0/24', '127.244.1.0/24', '127.244.2.0/24'],
    );
  });

  it('skips occupied subnets and does not reuse a released one at once', () => {
    const s = new CIDRSet('10.244.0.0/22', 24);
    assert.ok(s.occupy('10.244.0.0/24'));
    assert.ok(s.occupy('10.244.2.0/24'));
    assert.equal(s.allocateNext(), '10.244.1.0/24');
    assert.ok(s.release('10.244.0.0/24'));
    assert.equal(s.allocateNext(), '10.244.3.0/24');
    // Wraps around to the released one.
    assert.equal(s.allocateNext(), '10.244.0.0/24');
    assert.throws(() => s.allocateNext(), CIDRSetFullError);
  });

  it('rejects CIDRs that are not its subnets', () => {
    const s = new CIDRSet('127.244.0.0/16', 24);
    const cases: [string, boolean][] = [
      ['127.244.7.0/24', true],
      ['127.245.0.0/24', false],
      ['127.244.0.0/25', false],
      ['fd00::/64', false],
      ['garbage', false],
    ];
    for (const [c, want] of cases) assert.equal(s.occupy(c), want, c);
  });

  it('supports IPv6 with a /64 mask', () => {
    const s = new CIDRSet('fd00:10:244::/56', 64);
    assert.equal(s.allocateNext(), 'fd00:10:244::/64');
    assert.equal(s.allocateNext(), 'fd00:10:244:1::/64');
  });

  it('refuses mask sizes outside the cluster CIDR', () => {
    assert.throws(() => new CIDRSet('10.0.0.0/16', 8), /invalid node CIDR mask size/);
    assert.throws(() => new CIDRSet('10.0.0.0/8', 28), /too big/);
  });
});
