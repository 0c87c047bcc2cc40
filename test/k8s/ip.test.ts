import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalIP,
  cidrContains,
  formatIP,
  ipFamilyOf,
  joinHostPort,
  parseCIDR,
  parseIPSloppy,
  splitHostPort,
} from '../../src/k8s/ip.js';

test('addresses parse like ParseIPSloppy and print like net.IP.String', () => {
  const rows: [string, string | undefined, string | undefined][] = [
    ['10.96.0.1', 'IPv4', '10.96.0.1'],
    ['010.096.000.001', 'IPv4', '10.96.0.1'],
    ['256.0.0.1', undefined, undefined],
    ['10.0.0', undefined, undefined],
    ['FD00:0:0:0:0:0:0:1', 'IPv6', 'fd00::1'],
    ['2001:db8:0:0:1:0:0:1', 'IPv6', '2001:db8::1:0:0:1'],
    ['::ffff:1.2.3.4', 'IPv4', '1.2.3.4'],
    ['fd00::1/64', undefined, undefined],
    ['fe80::1%eth0', undefined, undefined],
    ['None', undefined, undefined],
    ['', undefined, undefined],
  ];
  for (const [text, family, canonical] of rows) {
    assert.equal(ipFamilyOf(text), family, text);
    assert.equal(canonicalIP(text), canonical, text);
  }
  assert.equal(formatIP({ family: 'IPv6', value: 0n }), '::');
});

test('CIDRs are masked and checked', () => {
  const c = parseCIDR('10.96.7.7/12');
  assert.deepEqual([c.text, c.family, c.prefix, c.bits], ['10.96.0.0/12', 'IPv4', 12, 32]);
  assert.equal(cidrContains(c, parseIPSloppy('10.111.255.255')!), true);
  assert.equal(cidrContains(c, parseIPSloppy('10.112.0.0')!), false);
  assert.equal(cidrContains(c, parseIPSloppy('fd00::1')!), false);
  assert.equal(parseCIDR('fd00::1:2/108').text, 'fd00::/108');
  for (const bad of ['10.0.0.0/33', 'fd00::/129', '10.0.0.0', '10.0.0.0/x', 'x/8', '/8'])
    assert.throws(() => parseCIDR(bad), { message: `invalid CIDR address: ${bad}` }, bad);
});

test('splitHostPort and joinHostPort as Go net', () => {
  const ok: [string, string, string][] = [
    ['127.0.0.1:80', '127.0.0.1', '80'],
    ['[::1]:10256', '::1', '10256'],
    [':10256', '', '10256'],
    ['localhost:http', 'localhost', 'http'],
    ['[fe80::1%eth0]:53', 'fe80::1%eth0', '53'],
  ];
  for (const [addr, host, port] of ok) assert.deepEqual(splitHostPort(addr), { host, port }, addr);
  const bad: [string, string][] = [
    ['127.0.0.1', 'address 127.0.0.1: missing port in address'],
    ['::1:80', 'address ::1:80: too many colons in address'],
    ['[::1]80', 'address [::1]80: missing port in address'],
    ['[::1]', 'address [::1]: missing port in address'],
    ['[::1:80', "address [::1:80: missing ']' in address"],
    ['[::1]:80:90', 'address [::1]:80:90: too many colons in address'],
    ['a]:80', "address a]:80: unexpected ']' in address"],
  ];
  for (const [addr, msg] of bad) assert.throws(() => splitHostPort(addr), { message: msg }, addr);
  assert.equal(joinHostPort('10.0.0.1', 80), '10.0.0.1:80');
  assert.equal(joinHostPort('fd00::1', '53'), '[fd00::1]:53');
});
