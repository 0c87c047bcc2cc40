/**
 * A JSON parser that keeps what JSON.parse throws away and Go's decoder
 * reports: duplicate keys (with where they occurred, for strict decoding) and
 * the literal text of numbers that are not plain integers (`1.0`, `1e3`,
 * integers beyond 2^53), which Go refuses for integer fields by their text.
 * Syntax errors carry encoding/json's messages.
 */
import { SvcnetError } from '../../lib/errors.js';

/** A number whose literal text matters: fractional/exponent form, or an unsafe integer. */
export class RawNumber {
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}
}

/** A key seen again in an object; `at` counts the distinct keys seen before it. */
export interface Duplicate {
  key: string;
  at: number;
}

export interface Parsed {
  value: unknown;
  /** Duplicate keys of each parsed object that had any. */
  duplicates: WeakMap<object, Duplicate[]>;
}

export class JSONSyntaxError extends SvcnetError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super('JSON_SYNTAX', message);
  }
}

/** Go's escapes for control bytes in quoted output. */
const goEscapes: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
};

/** encoding/json's quoteChar: how a byte is shown in syntax errors. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  if (c === '\\') return "'\\\\'";
  const code = c.charCodeAt(0);
  if (goEscapes[code]) return `'${goEscapes[code]}'`;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${c}'`;
}

const PLAIN_INT = /^-?(?:0|[1-9][0-9]*)$/;

/** Sets own property `k` even when it is `__proto__`. */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawNumber);
}

/** Decoding an object into an existing struct or map keeps what is already there (Go). */
function mergeInto(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const k of Object.keys(src)) {
    const t = target[k];
    const s = src[k];
    if (Object.hasOwn(target, k) && isPlainObject(t) && isPlainObject(s)) mergeInto(t, s);
    else setOwn(target, k, s);
  }
}

class Parser {
  private i = 0;
  readonly duplicates = new WeakMap<object, Duplicate[]>();

  constructor(private readonly s: string) {}

  private fail(what: string): never {
    if (this.i >= this.s.length) throw new JSONSyntaxError('unexpected end of JSON input', this.i);
    throw new JSONSyntaxError(`invalid character ${quoteChar(this.s[this.i]!)} ${what}`, this.i);
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  parse(): unknown {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail('after top-level value');
    return v;
  }

  private value(): unknown {
    const c = this.s.charCodeAt(this.i);
    switch (c) {
      case 0x7b:
        return this.object();
      case 0x5b:
        return this.array();
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal('true', true);
      case 0x66:
        return this.literal('false', false);
      case 0x6e:
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail('looking for beginning of value');
    }
  }

  private literal(word: string, v: unknown): unknown {
    for (let k = 1; k < word.length; k++) {
      this.i++;
      if (this.s[this.i] !== word[k]) this.fail(`in literal ${word} (expecting '${word[k]}')`);
    }
    this.i++;
    return v;
  }

  private object(): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    let distinct = 0;
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return o;
    }
    for (;;) {
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail('looking for beginning of object key string');
      const k = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail('after object key');
      this.i++;
      this.ws();
      const v = this.value();
      if (Object.hasOwn(o, k)) {
        const list = this.duplicates.get(o) ?? [];
        if (list.length === 0) this.duplicates.set(o, list);
        list.push({ key: k, at: distinct });
        const prev = o[k];
        if (isPlainObject(prev) && isPlainObject(v)) mergeInto(prev, v);
        else setOwn(o, k, v);
      } else {
        setOwn(o, k, v);
        distinct++;
      }
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        this.ws();
      } else if (c === 0x7d) {
        this.i++;
        return o;
      } else this.fail('after object key:value pair');
    }
  }

  private array(): unknown[] {
    const a: unknown[] = [];
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return a;
    }
    for (;;) {
      a.push(this.value());
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        this.ws();
      } else if (c === 0x5d) {
        this.i++;
        return a;
      } else this.fail('after array element');
    }
  }

  private string(): string {
    const s = this.s;
    const start = ++this.i;
    // Fast path: no escapes and no control characters.
    const end = s.indexOf('"', start);
    if (end >= 0) {
      let plain = true;
      for (let k = start; k < end; k++) {
        const c = s.charCodeAt(k);
        if (c < 0x20 || c === 0x5c) {
          plain = false;
          break;
        }
      }
      if (plain) {
        this.i = end + 1;
        return s.slice(start, end);
      }
    }
    let out = '';
    let run = start;
    for (;;) {
      if (this.i >= s.length) this.fail('in string literal');
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('in string literal');
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(run, this.i);
      this.i++;
      const e = s[this.i];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          let code = 0;
          for (let k = 0; k < 4; k++) {
            this.i++;
            const h = s[this.i];
            const d = h === undefined ? Number.NaN : Number.parseInt(h, 16);
            if (Number.isNaN(d)) this.fail('in \\u hexadecimal character escape');
            code = code * 16 + d;
          }
          out += String.fromCharCode(code);
          break;
        }
        default:
          this.fail('in string escape code');
      }
      this.i++;
      run = this.i;
    }
  }

  private number(): number | RawNumber {
    const s = this.s;
    const start = this.i;
    const digit = () => {
      const c = s.charCodeAt(this.i);
      return c >= 0x30 && c <= 0x39;
    };
    if (s.charCodeAt(this.i) === 0x2d) {
      this.i++;
      if (!digit()) this.fail('in numeric literal');
    }
    if (s.charCodeAt(this.i) === 0x30) this.i++;
    else while (digit()) this.i++;
    if (s.charCodeAt(this.i) === 0x2e) {
      this.i++;
      if (!digit()) this.fail('after decimal point in numeric literal');
      while (digit()) this.i++;
    }
    const c = s.charCodeAt(this.i);
    if (c === 0x65 || c === 0x45) {
      this.i++;
      const sign = s.charCodeAt(this.i);
      if (sign === 0x2b || sign === 0x2d) this.i++;
      if (!digit()) this.fail('in exponent of numeric literal');
      while (digit()) this.i++;
    }
    const text = s.slice(start, this.i);
    const n = Number(text);
    return PLAIN_INT.test(text) && Number.isSafeInteger(n) ? n : new RawNumber(text, n);
  }
}

/** Parses JSON text; throws JSONSyntaxError with encoding/json's wording. */
export function parseJSON(text: string): Parsed {
  const p = new Parser(text);
  const value = p.parse();
  return { value, duplicates: p.duplicates };
}
