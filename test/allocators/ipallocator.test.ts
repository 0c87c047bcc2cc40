import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AllocatorError } from '../../src/allocators/errors.js';
import {
  IPRangeAllocator,
  ipRangeMax,
  ipRangeOffset,
  kubernetesServiceIP,
  parseServiceClusterIPRange,
} from '../../src/allocators/ipallocator.js';
import { parseCIDR } from '../../src/k8s/ip.js';

const first = () => 0;
const notInRange = (ip: string, cidr: string) => ({
  name: 'AllocatorError',
  code: 'NotInRange',
  message: `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`,
});
const allocated = { code: 'Allocated', message: 'provided IP is already allocated' };
const full = { code: 'Full', message: 'range is full' };

test('band offsets and sizes as upstream calculateRangeOffset / RangeSize', () => {
  const rows: [string, number, number][] = [
    // cidr, offset (static band), usable slots
    ['10.0.0.0/30', 0, 2],
    ['10.0.0.0/28', 0, 14],
    ['10.0.0.0/27', 16, 30],
    ['10.0.0.0/24', 16, 254],
    ['10.0.0.0/20', 256, 4094],
    ['10.96.0.0/12', 256, 1048574],
    ['10.0.0.0/32', 0, 0],
    ['fd00::/124', 0, 15],
    ['fd00::/120', 16, 255],
    ['fd00::/112', 256, 65535],
    ['fd00::/108', 256, 65535],
    ['2001:db8::/64', 256, 65535],
  ];
  for (const [cidr, offset, max] of rows) {
    const c = parseCIDR(cidr);
    assert.equal(ipRangeOffset(c), offset, `${cidr} offset`);
    assert.equal(ipRangeMax(c), max, `${cidr} max`);
  }
});

test('IPv4 /24: an ordered sequence of allocations', () => {
  const a = new IPRangeAllocator('10.96.0.0/24', { random: first });
  assert.equal(a.cidr, '10.96.0.0/24');
  assert.equal(a.family, 'IPv4');
  assert.deepEqual([a.used, a.free, a.offset], [0, 254, 16]);
  assert.equal(a.firstIP(), '10.96.0.1', 'default/kubernetes');

  assert.throws(() => a.allocate('10.96.0.0'), notInRange('10.96.0.0', '10.96.0.0/24'), 'network address');
  assert.throws(() => a.allocate('10.96.0.255'), notInRange('10.96.0.255', '10.96.0.0/24'), 'broadcast');
  assert.throws(() => a.allocate('10.96.1.1'), notInRange('10.96.1.1', '10.96.0.0/24'));
  assert.throws(() => a.allocate('fd00::1'), notInRange('fd00::1', '10.96.0.0/24'), 'other family');

  a.allocate('10.96.0.1');
  assert.equal(a.has('10.96.0.1'), true);
  assert.throws(() => a.allocate('10.96.0.1'), allocated);
  assert.throws(() => a.allocate('010.096.000.001'), allocated, 'sloppy spelling is the same address');

  assert.equal(a.allocateNext(), '10.96.0.17', 'dynamic allocation starts above the static band .1-.16');
  assert.equal(a.allocateNext(), '10.96.0.18');
  a.release('10.96.0.17');
  assert.equal(a.has('10.96.0.17'), false);
  assert.equal(a.allocateNext(), '10.96.0.17', 'released address is free again');
  a.allocate('10.96.0.254');
  assert.equal(a.used, 4);

  // Fill the dynamic band (.17-.254): 238 slots, 3 already taken.
  for (let i = 0; i < 235; i++) assert.ok(a.allocateNext());
  assert.equal(a.used, 239);
  assert.equal(a.allocateNext(), '10.96.0.2', 'dynamic band full → static band, .1 is taken');
  for (let i = 0; i < 14; i++) a.allocateNext();
  assert.equal(a.free, 0);
  assert.throws(() => a.allocateNext(), full);
  assert.throws(() => a.allocateNext(), AllocatorError);

  a.release('10.96.0.100');
  a.release('10.96.0.100');
  a.release('192.168.0.1');
  a.release('not-an-ip');
  assert.equal(a.used, 253, 'releasing free, out-of-range or bad values is a no-op');
  assert.equal(a.allocateNext(), '10.96.0.100');
  assert.equal([...a].length, 254);
  assert.equal([...a][0], '10.96.0.1', 'iteration is ascending');
  assert.equal([...a].at(-1), '10.96.0.254');
});

test('IPv4 /12: static band of 256, random start over the dynamic band', () => {
  const asked: number[] = [];
  const a = new IPRangeAllocator('10.96.0.0/12', {
    random: (n) => {
      asked.push(n);
      return asked.length === 1 ? n - 1 : 0;
    },
  });
  assert.equal(a.offset, 256);
  assert.equal(a.allocateNext(), '10.111.255.254', 'random start at the very top of the dynamic band');
  assert.equal(a.allocateNext(), '10.96.1.1', 'first dynamic address: 10.96.0.1 + 256');
  assert.deepEqual(asked, [1048318, 1048318], 'start drawn over max - offset');
  a.allocate('10.96.1.0');
  assert.equal(a.has('10.96.1.0'), true, 'last static address');
  assert.throws(() => a.allocate('10.111.255.255'), notInRange('10.111.255.255', '10.96.0.0/12'));
  assert.throws(() => a.allocate('10.112.0.0'), notInRange('10.112.0.0', '10.96.0.0/12'));
  assert.equal(kubernetesServiceIP('10.96.0.0/12'), '10.96.0.1');
});

test('IPv4 /28: no static band, exhaustion', () => {
  const a = new IPRangeAllocator('192.168.1.16/28', { random: first });
  assert.equal(a.cidr, '192.168.1.16/28');
  assert.equal(a.offset, 0);
  const got = Array.from({ length: 14 }, () => a.allocateNext());
  assert.equal(got[0], '192.168.1.17', 'no band: the first address is first');
  assert.equal(got[13], '192.168.1.30');
  assert.throws(() => a.allocateNext(), full);
  assert.throws(() => a.allocate('192.168.1.31'), notInRange('192.168.1.31', '192.168.1.16/28'));
  a.release('192.168.1.20');
  assert.equal(a.allocateNext(), '192.168.1.20');
});

test('IPv6 /108: capped at 65536 addresses, no broadcast', () => {
  const a = new IPRangeAllocator('FD00::/108', { random: first });
  assert.equal(a.cidr, 'fd00::/108');
  assert.equal(a.family, 'IPv6');
  assert.deepEqual([a.max, a.offset], [65535, 256]);
  assert.equal(a.firstIP(), 'fd00::1');
  assert.equal(a.allocateNext(), 'fd00::101', 'fd00::1 + 256');
  a.allocate('fd00::ffff');
  assert.equal(a.has('FD00:0:0::FFFF'), true, 'any spelling, canonical inside');
  assert.throws(() => a.allocate('fd00::'), notInRange('fd00::', 'fd00::/108'));
  assert.throws(
    () => a.allocate('fd00::1:0'),
    notInRange('fd00::1:0', 'fd00::/108'),
    'inside the CIDR but past the 65536-address cap',
  );
  assert.throws(() => a.allocate('10.0.0.1'), notInRange('10.0.0.1', 'fd00::/108'));
  assert.deepEqual([...a], ['fd00::101', 'fd00::ffff']);
});

test('IPv6 /64: capped, exhaustion of a /124', () => {
  const big = new IPRangeAllocator('2001:db8::/64', { random: first });
  assert.deepEqual([big.max, big.offset, big.free], [65535, 256, 65535]);
  assert.equal(big.allocateNext(), '2001:db8::101');
  assert.throws(() => big.allocate('2001:db8::1:0'), notInRange('2001:db8::1:0', '2001:db8::/64'));

  const small = new IPRangeAllocator('fd00::10/124', { random: first });
  for (let i = 1; i <= 15; i++) assert.equal(small.allocateNext(), `fd00::${(0x10 + i).toString(16)}`);
  assert.throws(() => small.allocateNext(), full);
});

test('dry run checks like a real allocation and reserves nothing', () => {
  const a = new IPRangeAllocator('10.0.0.0/29', { random: first });
  a.allocate('10.0.0.1');
  const dry = a.dryRun();
  assert.equal(dry.cidr, '10.0.0.0/29');
  assert.throws(() => dry.allocate('10.0.0.1'), allocated, 'conflict with a real allocation');
  assert.throws(() => dry.allocate('10.0.0.9'), notInRange('10.0.0.9', '10.0.0.0/29'));
  dry.allocate('10.0.0.2');
  assert.throws(() => dry.allocate('10.0.0.2'), allocated, 'a dry run never hands out a value twice');
  assert.equal(dry.has('10.0.0.2'), true);
  assert.equal(a.has('10.0.0.2'), false);
  const next = [dry.allocateNext(), dry.allocateNext(), dry.allocateNext(), dry.allocateNext()];
  assert.deepEqual(next, ['10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
  assert.throws(() => dry.allocateNext(), full);
  dry.release('10.0.0.1');
  assert.deepEqual([a.used, [...a]], [1, ['10.0.0.1']], 'the real range is untouched');
  assert.equal(a.dryRun().allocateNext(), '10.0.0.2', 'a new dry run starts from the real state');
});

test('--service-cluster-ip-range parsing', () => {
  assert.deepEqual(
    parseServiceClusterIPRange('10.96.0.1/12,fd00::/108').map((c) => c.text),
    ['10.96.0.0/12', 'fd00::/108'],
  );
  assert.throws(() => parseServiceClusterIPRange('10.0.0.0/8'), {
    message:
      'specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12',
  });
  assert.throws(() => parseServiceClusterIPRange('10.0.0.0/16,fd00::/64'), {
    message:
      'specified --service-cluster-ip-range[1] is too large; for 128-bit addresses, the mask must be >= 108',
  });
  assert.throws(() => parseServiceClusterIPRange('10.0.0.0/16,10.1.0.0/16'), {
    message: '--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family',
  });
  assert.throws(() => parseServiceClusterIPRange('a,b,c'), {
    message: '--service-cluster-ip-range must not contain more than two entries',
  });
  assert.throws(() => parseServiceClusterIPRange('10.0.0.0'), { message: 'invalid CIDR address: 10.0.0.0' });
});
