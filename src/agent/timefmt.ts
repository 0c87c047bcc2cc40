/**
 * Time formats the way kubelet prints them: Go's `time.Duration.String()`
 * (back-off messages), RFC 3339 seconds (metav1.Time), micro seconds
 * (metav1.MicroTime on Leases) and RFC3339Nano (log timestamps).
 */

/** Go's Duration.String(): `10s`, `1m20s`, `5m0s`, `1.5s`, `250ms`, `0s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) {
    out = `${trimZeros(rest.toFixed(3))}ms`;
  } else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = `${trimZeros((rest / 1000).toFixed(3))}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

const trimZeros = (n: string): string => (n.includes('.') ? n.replace(/\.?0+$/, '') : n);

/** metav1.Time: RFC 3339 in UTC, whole seconds. */
export const rfc3339 = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** metav1.MicroTime: RFC 3339 with six fraction digits. */
export const microTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 23)}000Z`;

/** Go's RFC3339Nano: fraction digits with trailing zeros dropped (none when whole). */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}
