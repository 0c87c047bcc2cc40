import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldPath } from '../../src/k8s/field.js';
import {
  type IP,
  ipBytes,
  isDualStackIPStrings,
  isIPv6String,
  parseCIDRSloppy,
  parseIPSloppy,
} from '../../src/k8s/ip.js';
import {
  strictIPProblem,
  validateCIDR,
  validateIP,
  validateIPForLegacyField,
  validateIPv4Address,
  validateIPv6Address,
  validateNonSpecialIP,
} from '../../src/k8s/ip-validation.js';
import { CIDR_MSG, IP_MSG, strings } from '../api/validation/messages.js';

/** Go's 16-byte net.IP in hex, or null when the text does not parse. */
const hex = (ip: IP | undefined) => (ip ? Buffer.from(ipBytes(ip)).toString('hex') : null);
const v4 = (a: number, b: number, c: number, d: number) =>
  `00000000000000000000ffff${[a, b, c, d].map((x) => x.toString(16).padStart(2, '0')).join('')}`;

describe('parseIPSloppy (Go 1.16 net.ParseIP)', () => {
  const cases: [string, string | null][] = [
    ['10.9.8.7', v4(10, 9, 8, 7)],
    ['010.009.008.007', v4(10, 9, 8, 7)], // legacy: leading zeros are decimal, not octal
    ['0000000001.2.3.4', v4(1, 2, 3, 4)],
    ['::ffff:1.2.3.4', v4(1, 2, 3, 4)],
    ['::', '0'.repeat(32)],
    ['::1', `${'0'.repeat(30)}01`],
    ['2001:db8::ffff', '20010db8000000000000000000000000'.slice(0, 28) + 'ffff'],
    ['2001:DB8:0:0:0:0:0:1', '20010db8000000000000000000000001'],
    ['00002001:db8::1', '20010db8000000000000000000000001'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
    ['', null],
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['256.1.1.1', null],
    ['1.2.3.4 ', null],
    ['a.b.c.d', null],
    ['2001:db8::1::1', null],
    ['1:2:3:4:5:6:7:8:9', null],
    ['1:2:3:4:5:6:7::8', null], // an ellipsis must stand for at least one group
    ['fe80::1%eth0', null],
    ['12345::', null],
    ['1:2:3:4:5:1.2.3.4', null], // embedded IPv4 in the wrong place
    ['localhost', null],
  ];
  for (const [input, want] of cases)
    it(JSON.stringify(input), () => assert.equal(hex(parseIPSloppy(input)), want));

  it('IPv4-mapped IPv6 counts as IPv4', () => {
    assert.equal(parseIPSloppy('::ffff:10.0.0.1')!.family, 'IPv4');
    assert.equal(isIPv6String('::ffff:10.0.0.1'), false);
    assert.equal(isIPv6String('fd00::1'), true);
    assert.equal(isIPv6String('bogus'), false);
  });
});

describe('parseCIDRSloppy', () => {
  const cases: [string, [string, number, number] | null][] = [
    ['10.0.0.0/8', [v4(10, 0, 0, 0), 8, 32]],
    ['10.0.0.1/8', [v4(10, 0, 0, 1), 8, 32]], // host bits are allowed
    ['010.0.0.0/008', [v4(10, 0, 0, 0), 8, 32]],
    ['2001:db8::/64', ['20010db8000000000000000000000000', 64, 128]],
    ['::ffff:1.2.3.4/120', [v4(1, 2, 3, 4), 120, 128]],
    ['10.0.0.0/33', null],
    ['10.0.0.0', null],
    ['10.0.0.0/', null],
    ['10.0.0.0/-1', null],
    ['10.0.0.0/8/8', null],
    ['2001:db8::/129', null],
  ];
  for (const [input, want] of cases)
    it(input, () => {
      const c = parseCIDRSloppy(input);
      assert.deepEqual(c ? [hex(c.address), c.prefix, c.bits] : null, want);
    });
});

describe('isDualStackIPStrings', () => {
  const cases: [string[], boolean | null][] = [
    [['10.0.0.1', 'fd00::1'], true],
    [['fd00::1', '10.0.0.1'], true],
    [['10.0.0.1', '10.0.0.2'], false],
    [['fd00::1', 'fd00::2'], false],
    [['10.0.0.1', '::ffff:10.0.0.2'], false],
    [['10.0.0.1', 'x'], null],
  ];
  for (const [ips, want] of cases)
    it(ips.join(','), () => assert.equal(isDualStackIPStrings(ips) ?? null, want));
});

describe('field validators', () => {
  const p = FieldPath.root('spec', 'externalIPs').index(0);
  const cases: [string, (v: string, p: FieldPath) => ReturnType<typeof validateIP>, string, string[]][] = [
    ['IP ok', validateIP, '10.0.0.1', []],
    ['IP leading zeros ok (1.32 is lenient)', validateIP, '010.0.0.1', []],
    ['IP bad', validateIP, '10.0.0', [`spec.externalIPs[0]: Invalid value: "10.0.0": ${IP_MSG}`]],
    ['IPv4 ok', validateIPv4Address, '1.2.3.4', []],
    [
      'IPv4 rejects IPv6',
      validateIPv4Address,
      'fd00::1',
      ['spec.externalIPs[0]: Invalid value: "fd00::1": must be a valid IPv4 address'],
    ],
    [
      'IPv4 rejects junk',
      validateIPv4Address,
      'x',
      ['spec.externalIPs[0]: Invalid value: "x": must be a valid IPv4 address'],
    ],
    ['IPv6 ok', validateIPv6Address, 'fd00::1', []],
    [
      'IPv6 rejects IPv4',
      validateIPv6Address,
      '1.2.3.4',
      ['spec.externalIPs[0]: Invalid value: "1.2.3.4": must be a valid IPv6 address'],
    ],
    [
      'IPv6 rejects mapped IPv4',
      validateIPv6Address,
      '::ffff:1.2.3.4',
      ['spec.externalIPs[0]: Invalid value: "::ffff:1.2.3.4": must be a valid IPv6 address'],
    ],
    ['CIDR ok', validateCIDR, '192.168.0.0/16', []],
    [
      'CIDR bad',
      validateCIDR,
      '192.168.0.0/40',
      [`spec.externalIPs[0]: Invalid value: "192.168.0.0/40": ${CIDR_MSG}`],
    ],
    ['non-special ok', validateNonSpecialIP, '8.8.8.8', []],
    ['non-special multicast (not link-local) ok', validateNonSpecialIP, '239.1.1.1', []],
    [
      'non-special junk',
      validateNonSpecialIP,
      'x',
      ['spec.externalIPs[0]: Invalid value: "x": must be a valid IP address'],
    ],
    [
      'unspecified v4',
      validateNonSpecialIP,
      '0.0.0.0',
      ['spec.externalIPs[0]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)'],
    ],
    [
      'unspecified v6',
      validateNonSpecialIP,
      '::',
      ['spec.externalIPs[0]: Invalid value: "::": may not be unspecified (::)'],
    ],
    [
      'loopback v4',
      validateNonSpecialIP,
      '127.1.2.3',
      [
        'spec.externalIPs[0]: Invalid value: "127.1.2.3": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      ],
    ],
    [
      'loopback v6',
      validateNonSpecialIP,
      '::1',
      ['spec.externalIPs[0]: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ],
    [
      'link-local v4',
      validateNonSpecialIP,
      '169.254.169.254',
      [
        'spec.externalIPs[0]: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      ],
    ],
    [
      'link-local v6',
      validateNonSpecialIP,
      'fe80::1',
      [
        'spec.externalIPs[0]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      ],
    ],
    [
      'link-local multicast v4',
      validateNonSpecialIP,
      '224.0.0.251',
      [
        'spec.externalIPs[0]: Invalid value: "224.0.0.251": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
      ],
    ],
    [
      'link-local multicast v6',
      validateNonSpecialIP,
      'ff02::fb',
      [
        'spec.externalIPs[0]: Invalid value: "ff02::fb": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
      ],
    ],
    [
      'mapped loopback',
      validateNonSpecialIP,
      '::ffff:127.0.0.1',
      [
        'spec.externalIPs[0]: Invalid value: "::ffff:127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      ],
    ],
  ];
  for (const [name, fn, value, want] of cases) it(name, () => assert.deepEqual(strings(fn(value, p)), want));
});

describe('validateIPForLegacyField (StrictIPCIDRValidation, 1.33)', () => {
  const p = FieldPath.root('spec', 'clusterIPs').index(0);
  const cases: [string, string, string[], string[]][] = [
    ['canonical IPv4', '10.96.0.10', [], []],
    ['canonical IPv6', 'fd00::10', [], []],
    ['non-canonical IPv6 is legal in a legacy field', 'FD00:0:0::10', [], []],
    ['junk', '10.96.0', [], [`spec.clusterIPs[0]: Invalid value: "10.96.0": ${IP_MSG}`]],
    [
      'leading zeros',
      '10.96.010.7',
      [],
      ['spec.clusterIPs[0]: Invalid value: "10.96.010.7": must not have leading 0s'],
    ],
    ['a lone 0 is no leading zero', '10.0.0.0', [], []],
    [
      'leading zeros in an IPv6 group of five digits',
      '00002001:db8::1',
      [],
      ['spec.clusterIPs[0]: Invalid value: "00002001:db8::1": must not have leading 0s'],
    ],
    [
      'leading zeros in embedded IPv4',
      '::ffff:1.2.3.04',
      [],
      ['spec.clusterIPs[0]: Invalid value: "::ffff:1.2.3.04": must not have leading 0s'],
    ],
    [
      'IPv4-mapped IPv6',
      '::ffff:10.96.0.10',
      [],
      ['spec.clusterIPs[0]: Invalid value: "::ffff:10.96.0.10": must not be an IPv4-mapped IPv6 address'],
    ],
    ['IPv4-compatible (not mapped) IPv6 is IPv6', '::10.96.0.10', [], []],
    ['a value the stored object had stays valid', '10.96.010.7', ['10.96.010.7'], []],
    [
      'ratcheting is by value, not by similarity',
      '10.96.010.7',
      ['10.96.10.7', '10.96.0010.7'],
      ['spec.clusterIPs[0]: Invalid value: "10.96.010.7": must not have leading 0s'],
    ],
  ];
  for (const [name, value, validOld, want] of cases)
    it(name, () => assert.deepEqual(strings(validateIPForLegacyField(value, p, validOld)), want));

  it('strictIPProblem says nothing of strict addresses', () => {
    assert.equal(strictIPProblem('127.0.0.1'), undefined);
    assert.equal(strictIPProblem('::1'), undefined);
    assert.equal(strictIPProblem('127.0.00.1'), 'must not have leading 0s');
  });
});
