import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  humanDuration,
  shortHumanDuration,
  translateTimestampSince,
} from '../../../src/api/printers/index.js';
import { ago, DAY, HOUR, MINUTE, NOW, SECOND } from './helpers.js';

const YEAR = 365 * DAY;

describe('humanDuration', () => {
  const cases: [number, string][] = [
    // upstream duration_test.go
    [SECOND, '1s'],
    [70 * SECOND, '70s'],
    [190 * SECOND, '3m10s'],
    [70 * MINUTE, '70m'],
    [47 * HOUR, '47h'],
    [49 * HOUR, '2d1h'],
    [(8 * 24 + 2) * HOUR, '8d'],
    [367 * DAY, '367d'],
    [(365 * 2 * 24 + 25) * HOUR, '2y1d'],
    [(365 * 8 * 24 + 2) * HOUR, '8y'],
    // negative and zero: up to 2s of clock skew is "now"
    [0, '0s'],
    [-999, '0s'],
    [-1 * SECOND, '0s'],
    [-1999, '0s'],
    [-2 * SECOND, '<invalid>'],
    [-1 * HOUR, '<invalid>'],
    // band edges
    [1999, '1s'],
    [119 * SECOND, '119s'],
    [120 * SECOND, '2m'],
    [121 * SECOND, '2m1s'],
    [9 * MINUTE + 59 * SECOND, '9m59s'],
    [10 * MINUTE, '10m'],
    [10 * MINUTE + 59 * SECOND, '10m'],
    [179 * MINUTE, '179m'],
    [3 * HOUR, '3h'],
    [3 * HOUR + 1 * MINUTE, '3h1m'],
    [7 * HOUR + 59 * MINUTE, '7h59m'],
    [8 * HOUR, '8h'],
    [47 * HOUR + 59 * MINUTE, '47h'],
    [48 * HOUR, '2d'],
    [7 * DAY + 23 * HOUR, '7d23h'],
    [8 * DAY, '8d'],
    [729 * DAY, '729d'],
    [730 * DAY, '2y'],
    [7 * YEAR + 364 * DAY, '7y364d'],
    [8 * YEAR, '8y'],
    [100 * YEAR + 200 * DAY, '100y'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('shortHumanDuration', () => {
  const cases: [number, string][] = [
    [SECOND, '1s'],
    [70 * SECOND, '1m'],
    [190 * SECOND, '3m'],
    [70 * MINUTE, '1h'],
    [47 * HOUR, '1d'],
    [49 * HOUR, '2d'],
    [(8 * 24 + 2) * HOUR, '8d'],
    [367 * DAY, '1y'],
    [(365 * 2 * 24 + 25) * HOUR, '2y'],
    [(365 * 8 * 24 + 2) * HOUR, '8y'],
    [0, '0s'],
    [-1 * SECOND, '0s'],
    [-2 * SECOND, '<invalid>'],
    [59 * SECOND, '59s'],
    [59 * MINUTE, '59m'],
    [23 * HOUR, '23h'],
    [364 * DAY, '364d'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms}ms → ${want}`, () => assert.equal(shortHumanDuration(ms), want));
  }
});

describe('translateTimestampSince', () => {
  const cases: [string | undefined | null, string][] = [
    [undefined, '<unknown>'],
    [null, '<unknown>'],
    ['', '<unknown>'],
    ['0001-01-01T00:00:00Z', '<unknown>'],
    [ago(5 * MINUTE), '5m'],
    [ago(3 * DAY + 4 * HOUR), '3d4h'],
    ['2024-06-01T12:00:01Z', '0s'],
    ['2024-06-01T12:00:05Z', '<invalid>'],
  ];
  for (const [ts, want] of cases) {
    it(`${String(ts)} → ${want}`, () => assert.equal(translateTimestampSince(ts, NOW), want));
  }
});
