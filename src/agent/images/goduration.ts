/** Go's time.ParseDuration and Duration.String, for agnhost's flags and log lines. */
import { formatGoDuration, parseGoDuration as parseOrThrow } from '../../lib/goduration.js';

export { formatGoDuration };

/** Nanoseconds, or undefined when `s` is not a Go duration ("1.5s", "300ms", "1h2m", "0"). */
export function parseGoDuration(s: string): number | undefined {
  try {
    return parseOrThrow(s);
  } catch {
    return undefined;
  }
}
