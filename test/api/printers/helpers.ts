/** Shared fixtures for the printer tests: a fixed clock and timestamps relative to it. */
export const NOW = new Date('2024-06-01T12:00:00Z');

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An RFC 3339 timestamp `ms` before NOW, as the API stores it (whole seconds). */
export function ago(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** An RFC 3339 MicroTime `ms` before NOW. */
export function agoMicro(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString().replace(/Z$/, '000Z');
}
