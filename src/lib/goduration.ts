/**
 * Go's time.Duration text form, the one parser and printer for every duration
 * svcnet reads or writes: command-line flags (pflag's DurationVar),
 * KubeProxyConfiguration fields (metav1.Duration), agnhost's flags, kubelet's
 * back-off messages: "30s", "1m30s", "1h0m0s", "250ms", "-1s".
 */

const unitNs: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** time.ParseDuration → nanoseconds; throws Go's message on bad input. */
export function parseGoDuration(text: string): number {
  const bad = () => new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw bad();
  let total = 0;
  // As Go: a number, then a unit running up to the next digit or '.'.
  const re = /^(\d*)(?:\.(\d*))?([^0-9.]*)/;
  while (s !== '') {
    const m = re.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw bad();
    if (m[3] === '') throw new Error(`time: missing unit in duration ${JSON.stringify(text)}`);
    const unit = unitNs[m[3]!];
    if (unit === undefined)
      throw new Error(`time: unknown unit ${JSON.stringify(m[3])} in duration ${JSON.stringify(text)}`);
    total += Number(m[1] || '0') * unit + (m[2] ? Number(`0.${m[2]}`) * unit : 0);
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}

/** time.ParseDuration → nanoseconds, or undefined when `text` is not a Go duration. */
export function maybeGoDuration(text: string): number | undefined {
  try {
    return parseGoDuration(text);
  } catch {
    return undefined;
  }
}

/** time.ParseDuration → milliseconds (what timers take); throws Go's message on bad input. */
export const parseGoDurationMs = (text: string): number => parseGoDuration(text) / 1e6;

/** time.Duration.String() of a millisecond count. */
export const formatGoDurationMs = (ms: number): string => formatGoDuration(ms * 1e6);

/** time.Duration.String() of a nanosecond count. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(Math.round(ns));
  let out: string;
  if (u < 1e9) {
    // Sub-second: the largest of ns, µs, ms that keeps a leading non-zero digit.
    const [div, unit] = u < 1e3 ? [1, 'ns'] : u < 1e6 ? [1e3, 'µs'] : [1e6, 'ms'];
    out = fixed(u, div) + unit;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    out = `${fixed(u, 1e9)}s`;
    if (h > 0 || m > 0) out = `${m}m${out}`;
    if (h > 0) out = `${h}h${out}`;
  }
  return neg ? `-${out}` : out;
}

/** n/div with up to 9 fraction digits, trailing zeros dropped (Go's fmtFrac). */
function fixed(n: number, div: number): string {
  const whole = Math.floor(n / div);
  const frac = n - whole * div;
  if (frac === 0) return String(whole);
  const digits = String(div).length - 1;
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}
