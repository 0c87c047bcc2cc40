/**
 * Time formats the way kubelet prints them: RFC 3339 seconds (metav1.Time), micro seconds
 * (metav1.MicroTime on Leases) and RFC3339Nano (log timestamps).
 */

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
