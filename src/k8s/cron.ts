/**
 * Cron schedules as upstream's CronJobs read them: robfig/cron v3's
 * ParseStandard (five fields, names, ranges, steps, `@hourly`-style
 * descriptors, `@every`, an optional `TZ=`/`CRON_TZ=` prefix) with its error
 * messages, and the next activation after an instant in a time zone.
 */
import { parseGoDurationMs } from '../lib/goduration.js';

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const minutes: Bounds = { min: 0, max: 59 };
const hours: Bounds = { min: 0, max: 23 };
const dom: Bounds = { min: 1, max: 31 };
const months: Bounds = {
  min: 1,
  max: 12,
  names: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    may: 5,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
};
const dow: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** A field as a set of allowed values, plus whether it was `*` or `?` (robfig's starBit). */
interface FieldSet {
  values: Set<number>;
  star: boolean;
}

export type CronSchedule =
  | {
      kind: 'spec';
      minute: FieldSet;
      hour: FieldSet;
      dom: FieldSet;
      month: FieldSet;
      dow: FieldSet;
      /** IANA zone from a TZ= prefix; undefined: the caller's zone. */
      timeZone?: string;
    }
  | { kind: 'every'; everyMs: number; timeZone?: string };

/** Thrown with robfig/cron's message. */
export class CronError extends Error {}

/** strconv.Atoi with its error text. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s))
    throw new CronError(
      `failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`,
    );
  const n = Number(s);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 63 - 1)
    throw new CronError(
      `failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`,
    );
  return n;
}

function mustParseInt(s: string): number {
  const n = atoi(s);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${s}`);
  return n;
}

function intOrName(s: string, names?: Record<string, number>): number {
  const named = names?.[s.toLowerCase()];
  return named ?? mustParseInt(s);
}

function parseRange(expr: string, b: Bounds, into: FieldSet): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = intOrName(lowAndHigh[0]!, b.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1]!, b.names);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new CronError(`too many slashes: ${expr}`);
  if (start < b.min) throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.values.add(v);
  into.star ||= star;
}

function parseField(text: string, b: Bounds): FieldSet {
  const set: FieldSet = { values: new Set(), star: false };
  for (const part of text.split(',')) parseRange(part, b, set);
  return set;
}

const all = (b: Bounds): FieldSet => parseField('*', b);
const one = (v: number): FieldSet => ({ values: new Set([v]), star: false });

function descriptor(spec: string, timeZone: string | undefined): CronSchedule {
  const at = (minute: FieldSet, hour: FieldSet, d: FieldSet, m: FieldSet, w: FieldSet): CronSchedule => ({
    kind: 'spec',
    minute,
    hour,
    dom: d,
    month: m,
    dow: w,
    timeZone,
  });
  switch (spec) {
    case '@yearly':
    case '@annually':
      return at(one(0), one(0), one(1), one(1), all(dow));
    case '@monthly':
      return at(one(0), one(0), one(1), all(months), all(dow));
    case '@weekly':
      return at(one(0), one(0), all(dom), all(months), one(0));
    case '@daily':
    case '@midnight':
      return at(one(0), one(0), all(dom), all(months), all(dow));
    case '@hourly':
      return at(one(0), all(hours), all(dom), all(months), all(dow));
  }
  const every = '@every ';
  if (spec.startsWith(every)) {
    const text = spec.slice(every.length);
    let ms: number;
    try {
      ms = parseGoDurationMs(text);
    } catch (err) {
      throw new CronError(`failed to parse duration ${spec}: ${(err as Error).message}`);
    }
    // robfig rounds below-second delays up to a second.
    return { kind: 'every', everyMs: Math.max(1000, Math.floor(ms / 1000) * 1000), timeZone };
  }
  throw new CronError(`unrecognized descriptor: ${spec}`);
}

/** Whether an IANA zone name is known here (Go's time.LoadLocation succeeding). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return true;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    // ICU matches names case-insensitively; Go opens zoneinfo files, whose names are case-sensitive.
    return !(resolved !== zone && resolved.toLowerCase() === zone.toLowerCase());
  } catch {
    return false;
  }
}

/** cron.ParseStandard: throws CronError with robfig's message. */
export function parseStandard(input: string): CronSchedule {
  let spec = input;
  if (spec.length === 0) throw new CronError('empty spec string');
  let timeZone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    // Go slices to -1 on a missing space, which panics; robfig recovers as a bad location.
    const name = space < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, space);
    if (space < 0 || !isKnownTimeZone(name))
      throw new CronError(`provided bad location ${name}: unknown time zone ${name}`);
    timeZone = name === '' || name === 'UTC' ? 'UTC' : name;
    spec = spec.slice(space).trim();
  }
  if (spec.startsWith('@')) return descriptor(spec, timeZone);
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5)
    throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return {
    kind: 'spec',
    minute: parseField(fields[0]!, minutes),
    hour: parseField(fields[1]!, hours),
    dom: parseField(fields[2]!, dom),
    month: parseField(fields[3]!, months),
    dow: parseField(fields[4]!, dow),
    timeZone,
  };
}

/** The error message of parsing, or undefined when the schedule parses. */
export function scheduleError(spec: string): string | undefined {
  try {
    parseStandard(spec);
    return undefined;
  } catch (err) {
    if (err instanceof CronError) return err.message;
    throw err;
  }
}

// ---- next activation --------------------------------------------------------

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(ms: number, zone: string | undefined): Wall {
  const key = zone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(key, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
  };
}

function dayMatches(s: Extract<CronSchedule, { kind: 'spec' }>, w: Wall): boolean {
  const domMatch = s.dom.values.has(w.day);
  const dowMatch = s.dow.values.has(new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay());
  // A `*` in either field means both must match; otherwise either may.
  return s.dom.star || s.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** robfig gives up after five years without a match (e.g. `0 0 30 2 *`). */
const SEARCH_LIMIT = 5 * 366 * 24 * HOUR;

/**
 * The first activation strictly after `after` (ms since the epoch), in the
 * schedule's TZ= zone, else `zone`, else the process's zone; undefined if
 * none within five years.
 */
export function nextActivation(s: CronSchedule, after: number, zone?: string): number | undefined {
  if (s.kind === 'every') return Math.floor(after / 1000) * 1000 + s.everyMs;
  const tz = s.timeZone ?? zone;
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const limit = t + SEARCH_LIMIT;
  while (t < limit) {
    const w = wallClock(t, tz);
    if (!s.month.values.has(w.month) || !dayMatches(s, w)) {
      // Skip to an hour before the local midnight (DST days are 23-25 hours), then by hours.
      const left = ((23 - w.hour) * 60 + (60 - w.minute)) * MINUTE;
      t += left > 2 * HOUR ? left - HOUR : (60 - w.minute) * MINUTE;
      continue;
    }
    if (!s.hour.values.has(w.hour)) {
      t += (60 - w.minute) * MINUTE;
      continue;
    }
    if (!s.minute.values.has(w.minute)) {
      t += MINUTE;
      continue;
    }
    return t;
  }
  return undefined;
}

/** RFC 3339 of an instant in a zone (`2024-01-02T03:04:00+09:00`, `Z` for UTC), as Go's time.Format does. */
export function formatInZone(ms: number, zone?: string): string {
  const w = wallClock(ms, zone);
  const wallMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const seconds = Math.floor((ms % MINUTE) / 1000);
  const offsetMin = Math.round((wallMs - (ms - (ms % MINUTE))) / MINUTE);
  const pad = (n: number, l = 2) => String(n).padStart(l, '0');
  const date = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(seconds)}`;
  if (offsetMin === 0) return `${date}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${date}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
