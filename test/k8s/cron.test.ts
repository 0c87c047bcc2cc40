import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatInZone, nextActivation, parseStandard, scheduleError } from '../../src/k8s/cron.js';

const at = (iso: string) => Date.parse(iso);
const next = (spec: string, after: string, zone?: string) => {
  const t = nextActivation(parseStandard(spec), at(after), zone);
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('parseStandard (robfig/cron v3)', () => {
  const errors: [string, string | undefined][] = [
    ['*/5 * * * *', undefined],
    ['0 0 1,15 * sun', undefined],
    ['? * * * *', undefined],
    ['@every 90s', undefined],
    ['', 'empty spec string'],
    ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
    ['0 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['0 0 * 13 *', 'end of range (13) above maximum (12): 13'],
    ['0 0 * * 7', 'end of range (7) above maximum (6): 7'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['1/2/3 * * * *', 'too many slashes: 1/2/3'],
    ['-1 * * * *', 'failed to parse int from : strconv.Atoi: parsing "": invalid syntax'],
    ['@every x', 'failed to parse duration @every x: time: invalid duration "x"'],
    ['TZ=Nowhere/Land 0 * * * *', 'provided bad location Nowhere/Land: unknown time zone Nowhere/Land'],
  ];
  for (const [spec, want] of errors) it(JSON.stringify(spec), () => assert.equal(scheduleError(spec), want));
});

describe('nextActivation', () => {
  it('steps, ranges and names in UTC', () => {
    assert.equal(next('*/15 * * * *', '2024-03-01T10:07:30Z', 'UTC'), '2024-03-01T10:15:00.000Z');
    assert.equal(next('0 9-17 * * mon-fri', '2024-03-01T17:00:00Z', 'UTC'), '2024-03-04T09:00:00.000Z');
    assert.equal(next('@monthly', '2024-01-31T12:00:00Z', 'UTC'), '2024-02-01T00:00:00.000Z');
    assert.equal(next('0 0 29 2 *', '2024-03-01T00:00:00Z', 'UTC'), '2028-02-29T00:00:00.000Z');
    assert.equal(next('0 0 30 2 *', '2024-03-01T00:00:00Z', 'UTC'), undefined);
  });
  it('is strictly after the instant', () => {
    assert.equal(next('0 * * * *', '2024-03-01T10:00:00Z', 'UTC'), '2024-03-01T11:00:00.000Z');
  });
  it('a restricted day of month and day of week match either (robfig dayMatches)', () => {
    // The 13th, or any Friday: Friday 2024-03-08 comes first.
    assert.equal(next('0 0 13 * 5', '2024-03-01T12:00:00Z', 'UTC'), '2024-03-08T00:00:00.000Z');
    // With a `*` day of month, only the day of week decides.
    assert.equal(next('0 0 * * 5', '2024-03-01T12:00:00Z', 'UTC'), '2024-03-08T00:00:00.000Z');
  });
  it('reads the wall clock of the time zone, across DST', () => {
    assert.equal(next('0 9 * * *', '2024-06-01T00:00:00Z', 'Asia/Tokyo'), '2024-06-02T00:00:00.000Z');
    // Berlin's 02:30 does not exist on 2024-03-31: the next one is a day later.
    assert.equal(next('30 2 * * *', '2024-03-30T02:00:00Z', 'Europe/Berlin'), '2024-04-01T00:30:00.000Z');
    assert.equal(next('30 0 * * *', '2024-03-30T12:00:00Z', 'Europe/Berlin'), '2024-03-30T23:30:00.000Z');
    assert.equal(next('TZ=America/New_York 0 12 * * *', '2024-11-03T12:00:00Z'), '2024-11-03T17:00:00.000Z');
  });
  it('@every adds the interval', () => {
    assert.equal(next('@every 1m30s', '2024-03-01T10:00:10Z'), '2024-03-01T10:01:40.000Z');
  });
});

describe('formatInZone', () => {
  it('prints RFC 3339 with the zone offset', () => {
    assert.equal(formatInZone(at('2024-06-01T00:00:00Z'), 'UTC'), '2024-06-01T00:00:00Z');
    assert.equal(formatInZone(at('2024-06-01T00:00:00Z'), 'Asia/Tokyo'), '2024-06-01T09:00:00+09:00');
    assert.equal(formatInZone(at('2024-01-15T12:30:00Z'), 'America/New_York'), '2024-01-15T07:30:00-05:00');
    assert.equal(formatInZone(at('2024-01-15T12:30:00Z'), 'Asia/Kolkata'), '2024-01-15T18:00:00+05:30');
  });
});
