/**
 * Bad values that upstream prints with Go's `%#v` or a `String()` method and
 * that errors.ts' goValue cannot infer from JSON: typed nil slices, struct
 * literals, times. Errors built here carry the rendered text and print it as is.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { FieldError, type FieldErrorType, type FieldPath } from '../../k8s/field.js';
import { goQuote } from '../../k8s/gofmt.js';

const typeText: Partial<Record<FieldErrorType, string>> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotSupported: 'Unsupported value',
};

/** A field error whose bad value is already rendered Go-style. */
class GoValueError extends FieldError {
  constructor(type: FieldErrorType, field: string, goText: string, detail: string) {
    super(type, field, goText, detail);
  }
  override body(): string {
    const s = `${typeText[this.type]}: ${String(this.badValue)}`;
    return this.detail ? `${s}: ${this.detail}` : s;
  }
}

export const goErrors = {
  invalid: (p: FieldPath, goText: string, detail: string): FieldError =>
    new GoValueError('FieldValueInvalid', p.toString(), goText, detail),
  duplicate: (p: FieldPath, goText: string): FieldError =>
    new GoValueError('FieldValueDuplicate', p.toString(), goText, ''),
  notSupported: (p: FieldPath, goText: string, supported: readonly string[]): FieldError =>
    new GoValueError(
      'FieldValueNotSupported',
      p.toString(),
      goText,
      `supported values: ${supported.map(goQuote).join(', ')}`,
    ),
};

/** `%#v` of a string slice: `[]string(nil)` when absent, `[]T{"a", "b"}` otherwise. */
export function goSlice(v: readonly string[] | undefined | null, elem = 'string'): string {
  if (v == null) return `[]${elem}(nil)`;
  return `[]${elem}{${v.map(goQuote).join(', ')}}`;
}

const ptr = (type: string, v: unknown): string =>
  v == null ? `(*${type})(nil)` : `(*${type})(${typeof v === 'string' ? goQuote(v) : String(v)})`;

/**
 * `%#v` of a metav1.OwnerReference. Go prints pointer addresses for set
 * `*bool` fields; we print the value instead, which is the only deviation.
 */
export function goOwnerReference(r: OwnerReference): string {
  return (
    `v1.OwnerReference{APIVersion:${goQuote(r.apiVersion ?? '')}, Kind:${goQuote(r.kind ?? '')}, ` +
    `Name:${goQuote(r.name ?? '')}, UID:${goQuote(r.uid ?? '')}, Controller:${ptr('bool', r.controller)}, ` +
    `BlockOwnerDeletion:${ptr('bool', r.blockOwnerDeletion)}}`
  );
}

export function goOwnerReferences(refs: readonly OwnerReference[]): string {
  return `[]v1.OwnerReference{${refs.map(goOwnerReference).join(', ')}}`;
}

/** `%#v` of the core.ServicePort key ValidateService uses to find duplicate ports. */
export function goServicePortKey(protocol: string, port: number): string {
  return (
    `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, ` +
    `TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`
  );
}

/**
 * A metav1.Time as Go's time.Time.String() prints it:
 * `2024-01-02 03:04:05 +0000 UTC`; a fixed offset prints as `+0900 +0900`.
 * Absent is the zero time.
 */
export function goTime(t: string | undefined | null): string {
  if (!t) return '0001-01-01 00:00:00 +0000 UTC';
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(t);
  if (!m) return t;
  const frac = m[7] ? m[7].replace(/0+$/, '') : '';
  const zone =
    m[8]!.toUpperCase() === 'Z' ? '+0000 UTC' : `${m[8]!.replace(':', '')} ${m[8]!.replace(':', '')}`;
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}${frac === '.' ? '' : frac} ${zone}`;
}

/** Milliseconds since the epoch of an RFC 3339 time, or undefined for the zero time. */
export function timeValue(t: string | undefined | null): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  // Go's zero time (0001-01-01T00:00:00Z) counts as unset.
  return Number.isNaN(ms) || ms === -62135596800000 ? undefined : ms;
}
