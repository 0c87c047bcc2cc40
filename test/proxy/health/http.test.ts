import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { joinHostPort } from '../../../src/k8s/ip.js';
import {
  goListenError,
  goTimeString,
  listenAddress as splitHostPort,
} from '../../../src/proxy/health/http.js';

describe('splitHostPort', () => {
  const ok: [string, string, number][] = [
    ['0.0.0.0:10256', '0.0.0.0', 10256],
    ['127.0.0.1:0', '127.0.0.1', 0],
    ['[::]:10256', '::', 10256],
    ['[::1]:10249', '::1', 10249],
    [':10256', '', 10256],
  ];
  for (const [addr, host, port] of ok) {
    test(addr, () => assert.deepEqual(splitHostPort(addr), { host, port }));
  }
  const bad: [string, RegExp][] = [
    ['127.0.0.1', /missing port in address/],
    ['::1:80', /too many colons/],
    ['[::1]80', /missing port in address/],
    ['127.0.0.1:http', /invalid port/],
    ['127.0.0.1:70000', /invalid port/],
  ];
  for (const [addr, msg] of bad) {
    test(`bad ${addr}`, () => assert.throws(() => splitHostPort(addr), msg));
  }
});

test('joinHostPort', () => {
  assert.equal(joinHostPort('127.0.0.1', 80), '127.0.0.1:80');
  assert.equal(joinHostPort('::1', 80), '[::1]:80');
});

test('goTimeString is Go time.Time.String() in UTC', () => {
  const cases: [number | undefined, string][] = [
    [undefined, '0001-01-01 00:00:00 +0000 UTC'],
    [Date.UTC(2024, 0, 2, 3, 4, 5), '2024-01-02 03:04:05 +0000 UTC'],
    [Date.UTC(2024, 0, 2, 3, 4, 5, 500), '2024-01-02 03:04:05.5 +0000 UTC'],
    [Date.UTC(2024, 11, 31, 23, 59, 59, 999) + 0.999, '2024-12-31 23:59:59.999999 +0000 UTC'],
    [Date.UTC(2024, 0, 2, 3, 4, 5, 10) + 0.2, '2024-01-02 03:04:05.0102 +0000 UTC'],
  ];
  for (const [ms, want] of cases) assert.equal(goTimeString(ms), want);
});

test('goListenError words bind errors as Go does', () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  assert.equal(goListenError('0.0.0.0:80', err('EACCES')), 'listen tcp 0.0.0.0:80: bind: permission denied');
  assert.equal(
    goListenError('127.0.0.1:1', err('EADDRINUSE')),
    'listen tcp 127.0.0.1:1: bind: address already in use',
  );
  assert.equal(
    goListenError('10.0.0.1:1', err('EADDRNOTAVAIL')),
    'listen tcp 10.0.0.1:1: bind: cannot assign requested address',
  );
  assert.equal(goListenError('1.2.3.4:1', new Error('boom')), 'listen tcp 1.2.3.4:1: boom');
});
