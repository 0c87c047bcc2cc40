import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGoDuration, parseGoDuration } from '../../src/lib/goduration.js';

describe('Go durations', () => {
  const parse: [string, number][] = [
    ['0', 0],
    ['0s', 0],
    ['30s', 30e9],
    ['1m30s', 90e9],
    ['1.5s', 1.5e9],
    ['250ms', 250e6],
    ['2h22m', (2 * 60 + 22) * 60e9],
    ['-1s', -1e9],
    ['+5m', 300e9],
    ['10us', 10e3],
    ['10µs', 10e3],
    ['7ns', 7],
    ['.5s', 0.5e9],
  ];
  for (const [text, ns] of parse) it(`parses ${text}`, () => assert.equal(parseGoDuration(text), ns));

  for (const bad of ['', '5', 's', '1x', '1s2', '--1s', '1.s.']) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      assert.throws(
        () => parseGoDuration(bad),
        /^Error: time: (invalid duration|unknown unit|missing unit)/,
      ));
  }

  const format: [number, string][] = [
    [0, '0s'],
    [30e9, '30s'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [24 * 3600e9, '24h0m0s'],
    [1.5e9, '1.5s'],
    [250e6, '250ms'],
    [1.5e6, '1.5ms'],
    [10e3, '10µs'],
    [7, '7ns'],
    [-1e9, '-1s'],
    [15 * 60e9, '15m0s'],
  ];
  for (const [ns, text] of format) it(`formats ${text}`, () => assert.equal(formatGoDuration(ns), text));
});
