import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatPortRange,
  PortRangeAllocator,
  parsePortRange,
  portRangeOffset,
} from '../../src/allocators/portallocator.js';

const allocated = { code: 'Allocated', message: 'provided port is already allocated' };
const notInRange = (range: string) => ({
  code: 'NotInRange',
  message: `provided port is not in the valid range. The range of valid ports is ${range}`,
});
const full = { code: 'Full', message: 'range is full' };

test('--service-node-port-range parsing as apimachinery net.ParsePortRange', () => {
  const ok: [string, number, number][] = [
    ['30000-32767', 30000, 2768],
    [' 30000-32767 ', 30000, 2768],
    ['80', 80, 1],
    ['0-0', 0, 1],
    ['', 0, 0],
  ];
  for (const [text, base, size] of ok) assert.deepEqual(parsePortRange(text), { base, size }, text);
  const bad: [string, string][] = [
    [
      '30000+100',
      'unable to parse port range: 30000+100: strconv.Atoi: parsing "30000+100": invalid syntax, expected hyphen in port range or a single port number',
    ],
    ['a-b', 'unable to parse port range: a-b: strconv.Atoi: parsing "a": invalid syntax'],
    ['30000-', 'unable to parse port range: 30000-: strconv.Atoi: parsing "": invalid syntax'],
    ['2-1', 'end port cannot be less than start port: 2-1'],
    ['1-70000', 'the port range cannot be greater than 65535: 1-70000'],
    ['70000', 'the port range should between 0 and 65535'],
  ];
  for (const [text, message] of bad) assert.throws(() => parsePortRange(text), { message }, text);
  assert.equal(formatPortRange({ base: 30000, size: 2768 }), '30000-32767');
  assert.equal(formatPortRange({ base: 0, size: 0 }), '');
});

test('KEP-3668 static band: min(max(16, size/32), 128), none up to 16 ports', () => {
  const rows: [number, number][] = [
    [1, 0],
    [16, 0],
    [17, 16],
    [512, 16],
    [1000, 31],
    [2768, 86],
    [4096, 128],
    [20000, 128],
  ];
  for (const [size, offset] of rows)
    assert.equal(portRangeOffset({ base: 30000, size }), offset, String(size));
});

test('30000-32767: an ordered sequence of allocations', () => {
  const a = new PortRangeAllocator('30000-32767', { random: () => 0 });
  assert.deepEqual([a.range, a.offset, a.free], ['30000-32767', 86, 2768]);
  a.allocate(30080);
  assert.equal(a.has(30080), true);
  assert.throws(() => a.allocate(30080), allocated);
  assert.throws(() => a.allocate(80), notInRange('30000-32767'));
  assert.throws(() => a.allocate(32768), notInRange('30000-32767'));
  assert.equal(a.allocateNext(), 30086, 'dynamic allocation starts above the static band 30000-30085');
  assert.equal(a.allocateNext(), 30087);
  a.allocate(32767);
  a.release(30086);
  a.release(30086);
  a.release(80);
  assert.equal(a.used, 3);
  assert.equal(a.allocateNext(), 30086);
  assert.deepEqual([...a], [30080, 30086, 30087, 32767]);
});

test('small range: dynamic band, then static band, then full', () => {
  const a = new PortRangeAllocator('30000-30019', { random: () => 0 });
  assert.equal(a.offset, 16);
  const got = Array.from({ length: 5 }, () => a.allocateNext());
  assert.deepEqual(got, [30016, 30017, 30018, 30019, 30000]);
  for (let i = 0; i < 15; i++) a.allocateNext();
  assert.equal(a.free, 0);
  assert.throws(() => a.allocateNext(), full);
  a.release(30007);
  assert.equal(a.allocateNext(), 30007);
});

test('a random start anywhere in the dynamic band, wrapping', () => {
  const a = new PortRangeAllocator('30000-32767', { random: (n) => n - 1 });
  assert.equal(a.allocateNext(), 32767);
  assert.equal(a.allocateNext(), 30086, 'top taken → wraps to the bottom of the dynamic band');
});

test('dry run: checks without reserving', () => {
  const a = new PortRangeAllocator('30000-30002', { random: () => 0 });
  a.allocate(30000);
  const dry = a.dryRun();
  assert.throws(() => dry.allocate(30000), allocated);
  assert.throws(() => dry.allocate(80), notInRange('30000-30002'));
  assert.equal(dry.allocateNext(), 30001);
  assert.equal(dry.allocateNext(), 30002, 'never the same port twice in one dry run');
  assert.throws(() => dry.allocateNext(), full);
  assert.deepEqual([...a], [30000]);
  assert.equal(a.has(30001), false);
});
