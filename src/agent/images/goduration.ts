/** Go's time.ParseDuration and Duration.String, for agnhost's flags and log lines. */

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Nanoseconds, or undefined when `s` is not a Go duration ("1.5s", "300ms", "1h2m", "0"). */
export function parseGoDuration(s: string): number | undefined {
  if (s === '0' || s === '+0' || s === '-0') return 0;
  const m = /^([-+]?)((?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m || s === '' || /^[-+]?$/.test(s)) return undefined;
  let total = 0;
  for (const part of s.slice(m[1].length).matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * UNITS[part[2]];
  }
  return Math.round(m[1] === '-' ? -total : total);
}

function trimFraction(n: number, digits: number): string {
  return n.toFixed(digits).replace(/\.?0+$/, '');
}

/** Duration.String: "0s", "1.5s", "300ms", "1m30s", "1h0m0s". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const a = Math.abs(ns);
  if (a < 1e3) return `${sign}${a}ns`;
  if (a < 1e6) return `${sign}${trimFraction(a / 1e3, 3)}µs`;
  if (a < 1e9) return `${sign}${trimFraction(a / 1e6, 6)}ms`;
  const h = Math.floor(a / 3600e9);
  const m = Math.floor((a % 3600e9) / 60e9);
  const sec = trimFraction((a % 60e9) / 1e9, 9);
  if (h > 0) return `${sign}${h}h${m}m${sec}s`;
  if (m > 0) return `${sign}${m}m${sec}s`;
  return `${sign}${sec}s`;
}
