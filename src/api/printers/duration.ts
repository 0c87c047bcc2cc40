/**
 * Ages as kubectl shows them: apimachinery's duration.HumanDuration and
 * ShortHumanDuration, and the printers' translateTimestampSince. Go converts
 * durations with integer (truncating) division, so every step here truncates.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** ~2-3 significant figures: `90s`, `5m30s`, `45m`, `3h20m`, `20h`, `3d4h`, `100d`, `3y20d`, `10y`. */
export function humanDuration(ms: number): string {
  // Up to 2s in the future is clock skew between machines: call it "now".
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** One unit only: `45s`, `5m`, `3h`, `20d`, `2y`. */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Go's zero time.Time (0001-01-01T00:00:00Z), which metav1.Time.IsZero treats as unset. */
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/**
 * A metav1.Time / MicroTime (RFC 3339 string) as epoch ms, or undefined when
 * unset: missing, null, unparsable, or Go's zero time.
 */
export function parseTime(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms) || ms === GO_ZERO_TIME) return undefined;
  return ms;
}

/** Age of a timestamp: HumanDuration(now - ts), or `<unknown>` when unset. */
export function translateTimestampSince(ts: string | null | undefined, now: Date): string {
  const ms = parseTime(ts);
  return ms === undefined ? '<unknown>' : humanDuration(now.getTime() - ms);
}
