import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalIP,
  cidrContains,
  formatIP,
  ipFamilyOf,
  parseCIDR,
  parseIPSloppy,
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
