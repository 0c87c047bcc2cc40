import assert from 'node:assert/strict';
import { test } from 'node:test';
import { microTime, rfc3339, rfc3339Nano } from '../../src/agent/timefmt.js';
import { formatGoDurationMs as goDuration } from '../../src/lib/goduration.js';

test('goDuration prints like Go time.Duration.String()', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [10_000, '10s'],
    [20_000, '20s'],
    [80_000, '1m20s'],
    [160_000, '2m40s'],
    [300_000, '5m0s'],
    [1500, '1.5s'],
    [250, '250ms'],
    [3_600_000, '1h0m0s'],
    [-2000, '-2s'],
  ];
  for (const [ms, want] of cases) assert.equal(goDuration(ms), want, `${ms}`);
});

test('timestamps: RFC 3339 seconds, micro, nano with zeros trimmed', () => {
  const t = Date.UTC(2024, 0, 2, 3, 4, 5, 120);
  assert.equal(rfc3339(t), '2024-01-02T03:04:05Z');
  assert.equal(microTime(t), '2024-01-02T03:04:05.120000Z');
  assert.equal(rfc3339Nano(t), '2024-01-02T03:04:05.12Z');
  assert.equal(rfc3339Nano(Date.UTC(2024, 0, 2, 3, 4, 5, 0)), '2024-01-02T03:04:05Z');
});
