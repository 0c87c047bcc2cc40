/**
 * Field errors as apimachinery's `validation/field` reports them: the same
 * types, paths and message formats, so validation messages read exactly like
 * upstream's (in API Status causes and in configuration errors alike).
 */
import { goQuote, goValue } from './gofmt.js';

/** The cause types of field errors; `type` is what goes into Status causes. */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marks a field error whose bad value is not printed. */
export const omitValue: unique symbol = Symbol('omitValue');

/** A field path such as `spec.ports[0].nodePort` or `metadata.labels[app]`. */
export class FieldPath {
  private constructor(private readonly text: string) {}
  static root(name: string, ...more: string[]): FieldPath {
    return new FieldPath([name, ...more].join('.'));
  }
  child(name: string, ...more: string[]): FieldPath {
    const tail = [name, ...more].join('.');
    return new FieldPath(this.text ? `${this.text}.${tail}` : tail);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}

export class FieldError {
  constructor(
    readonly type: FieldErrorType,
    readonly field: string,
    readonly badValue: unknown,
    readonly detail: string = '',
  ) {}

  /** The message without the field, as in Status causes (`ErrorBody()` upstream). */
  body(): string {
    let s: string;
    if (
      this.type === 'FieldValueRequired' ||
      this.type === 'FieldValueForbidden' ||
      this.type === 'FieldValueTooLong' ||
      this.type === 'InternalError' ||
      this.badValue === omitValue
    ) {
      s = typeText[this.type];
    } else {
      const v = this.badValue;
      s = `${typeText[this.type]}: ${typeof v === 'string' ? goQuote(v) : goValue(v)}`;
    }
    if (this.detail) s += `: ${this.detail}`;
    return s;
  }

  toString(): string {
    return `${this.field}: ${this.body()}`;
  }
}

type P = FieldPath | string;
const f = (p: P) => p.toString();

export const fieldErrors = {
  required: (p: P, detail = '') => new FieldError('FieldValueRequired', f(p), '', detail),
  invalid: (p: P, value: unknown, detail = '') => new FieldError('FieldValueInvalid', f(p), value, detail),
  forbidden: (p: P, detail = '') => new FieldError('FieldValueForbidden', f(p), '', detail),
  duplicate: (p: P, value: unknown) => new FieldError('FieldValueDuplicate', f(p), value),
  notFound: (p: P, value: unknown) => new FieldError('FieldValueNotFound', f(p), value),
  tooLong: (p: P, value: unknown, max: number) =>
    new FieldError('FieldValueTooLong', f(p), value, `may not be more than ${max} bytes`),
  tooMany: (p: P, actual: number, max: number) =>
    new FieldError('FieldValueTooMany', f(p), actual, `must have at most ${max} items`),
  internal: (p: P, err: Error) => new FieldError('InternalError', f(p), '', err.message),
  /** `Unsupported value: "X": supported values: "A", "B"` */
  notSupported: (p: P, value: unknown, supported: readonly string[]) =>
    new FieldError(
      'FieldValueNotSupported',
      f(p),
      value,
      supported.length ? `supported values: ${supported.map(goQuote).join(', ')}` : '',
    ),
};

/** Joins field errors as apimachinery's aggregate does: one message, or `[a, b]`, duplicates removed. */
export function aggregateMessage(errs: readonly FieldError[]): string {
  const msgs = [...new Set(errs.map((e) => e.toString()))];
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}
