import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addressFromReverse,
  dashedIP,
  podLabelToIP,
  recordAddress,
  reverseName,
} from '../../../src/dns/index/addresses.js';

describe('recordAddress', () => {
  test('canonical text as Go prints it; invalid input is undefined', () => {
    for (const [input, want] of [
      ['10.0.0.1', '10.0.0.1'],
      ['0.0.0.0', '0.0.0.0'],
      ['255.255.255.255', '255.255.255.255'],
      ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
      ['fd00::1', 'fd00::1'],
      ['::', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
      ['1:0:1:1:1:1:1:1', '1:0:1:1:1:1:1:1'],
      ['::ffff:10.1.2.3', '10.1.2.3'],
      ['64:ff9b::10.1.2.3', '64:ff9b::a01:203'],
      ['010.0.0.1', undefined],
      ['256.0.0.1', undefined],
      ['1.2.3', undefined],
      ['1.2.3.4.5', undefined],
      ['', undefined],
      ['1:2:3:4:5:6:7:8:9', undefined],
      ['1::2::3', undefined],
      ['12345::', undefined],
      ['1:2:3:4:5:6:7::8', undefined],
      [':1:2:3:4:5:6:7', undefined],
      ['fd00::g', undefined],
      ['None', undefined],
    ] as const) {
      assert.equal(recordAddress(input)?.ip, want, input);
    }
    assert.equal(recordAddress('fd00::1')?.family, 6);
    assert.equal(recordAddress('::ffff:10.1.2.3')?.family, 4);
  });
});

describe('labels', () => {
  test('dashedIP follows CoreDNS endpointHostname', () => {
    assert.equal(dashedIP('10.0.0.1'), '10-0-0-1');
    assert.equal(dashedIP('fd00::1'), 'fd00--1');
    assert.equal(dashedIP('5678:abcd::'), '5678-abcd--0');
  });

  test('podLabelToIP: three dashes and no "--" is IPv4, else IPv6', () => {
    assert.equal(podLabelToIP('10-244-0-5'), '10.244.0.5');
    assert.equal(podLabelToIP('fd00--5'), 'fd00::5');
    assert.equal(podLabelToIP('1-2--3'), '1:2::3');
    assert.equal(podLabelToIP('fd00-1-2-3'), 'fd00.1.2.3');
  });
});

describe('reverse names', () => {
  test('round trip and exact forms', () => {
    assert.equal(reverseName('10.96.0.10'), '10.0.96.10.in-addr.arpa');
    assert.equal(
      reverseName('2001:db8::567:89ab'),
      'b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
    for (const ip of ['10.96.0.10', '2001:db8::567:89ab', 'fd00::30', '::', '1::']) {
      assert.equal(addressFromReverse(reverseName(ip)), ip);
    }
  });

  test('partial or malformed reverse names give no address', () => {
    for (const name of [
      '10.in-addr.arpa',
      '0.96.10.in-addr.arpa',
      '1.1.0.96.10.in-addr.arpa',
      '256.0.96.10.in-addr.arpa',
      'x.0.96.10.in-addr.arpa',
      '0.ip6.arpa',
      `${'0.'.repeat(31)}g.ip6.arpa`,
      `${'00.'.repeat(32)}ip6.arpa`,
      'example.com',
    ]) {
      assert.equal(addressFromReverse(name), '', name);
    }
  });
});
