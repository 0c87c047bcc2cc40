/**
 * The scalar types with custom JSON decoding upstream: resource.Quantity
 * (ParseQuantity's format and suffix checks) and metav1.Time / MicroTime
 * (time.Parse with RFC 3339, re-encoded in UTC).
 */

const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const SUFFIXES = new Set([
  '',
  'Ki',
  'Mi',
  'Gi',
  'Ti',
  'Pi',
  'Ei',
  'n',
  'u',
  'm',
  'k',
  'M',
  'G',
  'T',
  'P',
  'E',
]);

export const quantityFormatError =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const quantitySuffixError = "unable to parse quantity's suffix";

/** Checks a quantity string as resource.ParseQuantity does; returns the error message or undefined. */
export function checkQuantity(raw: string): string | undefined {
  const s = raw.trim();
  const m = QUANTITY_RE.exec(s);
  if (!m) return quantityFormatError;
  const num = m[1]!;
  // At most one decimal point and at least one digit.
  if ((num.match(/\./g) ?? []).length > 1 || !/[0-9]/.test(num)) return quantityFormatError;
  const suffix = m[2]!;
  if (SUFFIXES.has(suffix) || /^[eE][-+]?[0-9]+$/.test(suffix)) return undefined;
  return quantitySuffixError;
}

// time.RFC3339 is "2006-01-02T15:04:05Z07:00"; Go reports which layout element failed.
const RFC3339 = '2006-01-02T15:04:05Z07:00';
const steps: ReadonlyArray<readonly [string, RegExp]> = [
  ['2006', /^[0-9]{4}/],
  ['-', /^-/],
  ['01', /^[0-9]{2}/],
  ['-', /^-/],
  ['02', /^[0-9]{2}/],
  ['T', /^T/],
  ['15', /^[0-9]{2}/],
  [':', /^:/],
  ['04', /^[0-9]{2}/],
  [':', /^:/],
  ['05', /^[0-9]{2}(\.[0-9]+)?/],
  ['Z07:00', /^(Z|[+-][0-9]{2}:[0-9]{2})/],
];

/**
 * Parses an RFC 3339 time like Go's time.Parse(time.RFC3339, s); returns the
 * instant or Go's error message.
 */
export function parseTime(s: string): Date | string {
  let rest = s;
  for (const [elem, re] of steps) {
    const m = re.exec(rest);
    if (!m)
      return `parsing time ${JSON.stringify(s)} as ${JSON.stringify(RFC3339)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`;
    rest = rest.slice(m[0].length);
  }
  if (rest) return `parsing time ${JSON.stringify(s)}: extra text: ${JSON.stringify(rest)}`;
  const month = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  if (month < 1 || month > 12) return `parsing time ${JSON.stringify(s)}: month out of range`;
  if (day < 1 || day > 31) return `parsing time ${JSON.stringify(s)}: day out of range`;
  if (Number(s.slice(11, 13)) > 23) return `parsing time ${JSON.stringify(s)}: hour out of range`;
  if (Number(s.slice(14, 16)) > 59) return `parsing time ${JSON.stringify(s)}: minute out of range`;
  if (Number(s.slice(17, 19)) > 59) return `parsing time ${JSON.stringify(s)}: second out of range`;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return `parsing time ${JSON.stringify(s)}: day out of range`;
  return d;
}

/** metav1.Time's wire form: UTC, whole seconds. */
export function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** metav1.MicroTime's wire form: UTC, six fractional digits. */
export function formatMicroTime(d: Date, source: string): string {
  // Date keeps milliseconds only; take the sub-millisecond digits from the source when in UTC.
  const frac = /\.([0-9]+)/.exec(source)?.[1] ?? '';
  const micros = source.endsWith('Z')
    ? frac.padEnd(6, '0').slice(0, 6)
    : d.toISOString().slice(20, 23).padEnd(6, '0');
  return `${d.toISOString().slice(0, 19)}.${micros}Z`;
}
