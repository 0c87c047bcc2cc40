/**
 * A JSON parser that keeps what JSON.parse throws away and Go's decoder
 * reports: duplicate keys (with where they occurred, for strict decoding) and
 * the literal text of numbers that are not plain integers (`1.0`, `1e3`,
 * integers beyond 2^53), which Go refuses for integer fields by their text.
 * Syntax errors carry encoding/json's messages, nesting past MAX_JSON_DEPTH
 * included.
 */
import { SvcnetError } from '../../lib/errors.js';

/**
 * How deep request JSON may nest (objects and arrays), here and in the patch
 * decoders. encoding/json allows 10,000 levels, which Go's growable stacks
 * take in their stride; Node's stack is fixed (about 1 MB), and V8's own
 * structuredClone and JSON.stringify give up at about 1,900 and 4,100 levels
 * of objects. 1,000 leaves every recursive step after decoding (patching,
 * schema fitting, cloning, serialising, in the API server and its clients)
 * room to spare; no Kubernetes object comes near it. The error is Go's.
 */
export const MAX_JSON_DEPTH = 1000;

/** encoding/json's error for nesting past the limit, at the bracket that went too deep. */
export const depthExceeded = (bracket: string) => `invalid character '${bracket}' exceeded max depth`;

/**
 * The bracket of an object or array nested deeper than `limit` in a parsed
 * value, if any: for JSON that arrives another way (JSON.parse of protobuf's
 * embedded raw JSON). Iterative, so as not to overflow on what it rejects.
 */
export function tooDeep(value: unknown, limit: number): '{' | '[' | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [v, depth] = top;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return Array.isArray(v) ? '[' : '{';
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return undefined;
}

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
  /** Objects and arrays open at this.i (their recursion is this deep: bounded by MAX_JSON_DEPTH). */
  private depth = 0;
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

  /** Enters an object or array at this.i; Go's scanner fails at the bracket past the limit. */
  private enter(): void {
    if (++this.depth > MAX_JSON_DEPTH) throw new JSONSyntaxError(depthExceeded(this.s[this.i]!), this.i);
  }

  private object(): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    let distinct = 0;
    this.enter();
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      this.depth--;
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
        this.depth--;
        return o;
      } else this.fail('after object key:value pair');
    }
  }

  private array(): unknown[] {
    const a: unknown[] = [];
    this.enter();
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      this.depth--;
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
        this.depth--;
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
