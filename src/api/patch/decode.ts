/**
 * A JSON reader that fails the way Go's `encoding/json` fails (same syntax
 * error texts, nesting past MAX_JSON_DEPTH included) and, like
 * `sigs.k8s.io/json` strict decoding, reports duplicate object keys instead
 * of silently keeping the last one.
 */

import { SvcnetError } from '../../lib/errors.js';
import { depthExceeded, MAX_JSON_DEPTH } from '../schema/json.js';
import type { JsonObject, JsonValue } from './value.js';

/** A syntax error with Go's message, e.g. `invalid character 'x' looking for beginning of value`. */
export class JsonSyntaxError extends SvcnetError {
  constructor(message: string) {
    super('JSON_SYNTAX', message);
  }
}

export interface Decoded {
  value: JsonValue;
  /** Strict-decoding complaints: `duplicate field "spec.ports"`. */
  duplicates: string[];
}

/** Go's quoteChar: how a byte appears in syntax error messages. */
function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1)}'`;
}

const ws = new Set([' ', '\t', '\n', '\r']);

class Reader {
  i = 0;
  /** Objects and arrays open at this.i: the recursion is bounded by MAX_JSON_DEPTH. */
  private depth = 0;
  readonly duplicates: string[] = [];
  constructor(private readonly s: string) {}

  private fail(context: string): never {
    if (this.i >= this.s.length) throw new JsonSyntaxError('unexpected end of JSON input');
    throw new JsonSyntaxError(`invalid character ${quoteChar(this.s[this.i]!)} ${context}`);
  }

  private skip(): void {
    while (this.i < this.s.length && ws.has(this.s[this.i]!)) this.i++;
  }

  document(): JsonValue {
    this.skip();
    const v = this.value([]);
    this.skip();
    if (this.i < this.s.length) this.fail('after top-level value');
    return v;
  }

  private value(path: string[]): JsonValue {
    this.skip();
    const c = this.s[this.i];
    if (c === '{' || c === '[') {
      if (++this.depth > MAX_JSON_DEPTH) throw new JsonSyntaxError(depthExceeded(c));
      const v = c === '{' ? this.object(path) : this.array(path);
      this.depth--;
      return v;
    }
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    return this.fail('looking for beginning of value');
  }

  private literal<T extends JsonValue>(word: string, v: T): T {
    for (let k = 0; k < word.length; k++, this.i++) {
      if (this.s[this.i] !== word[k]) this.fail(`in literal ${word} (expecting ${quoteChar(word[k]!)})`);
    }
    return v;
  }

  private number(): number {
    const start = this.i;
    if (this.s[this.i] === '-') this.i++;
    const digit = () => this.i < this.s.length && this.s[this.i]! >= '0' && this.s[this.i]! <= '9';
    if (this.s[this.i] === '0') this.i++;
    else if (digit()) while (digit()) this.i++;
    else this.fail('in numeric literal');
    if (this.s[this.i] === '.') {
      this.i++;
      if (!digit()) this.fail('after decimal point in numeric literal');
      while (digit()) this.i++;
    }
    if (this.s[this.i] === 'e' || this.s[this.i] === 'E') {
      this.i++;
      if (this.s[this.i] === '+' || this.s[this.i] === '-') this.i++;
      if (!digit()) this.fail('in exponent of numeric literal');
      while (digit()) this.i++;
    }
    return Number(this.s.slice(start, this.i));
  }

  private string(): string {
    const start = this.i;
    this.i++;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail('');
      if (c === '"') break;
      if (c === '\\') {
        this.i++;
        const e = this.s[this.i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(this.s[this.i + k] ?? '')) {
              this.i += k;
              this.fail('in \\u hexadecimal character escape');
            }
          }
          this.i += 5;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail('in string escape code');
        this.i++;
        continue;
      }
      if (c < ' ') this.fail('in string literal');
      this.i++;
    }
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  private array(path: string[]): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.skip();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(path));
      this.skip();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      this.fail('after array element');
    }
  }

  private object(path: string[]): JsonObject {
    this.i++;
    const out: JsonObject = {};
    this.skip();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skip();
      if (this.s[this.i] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skip();
      if (this.s[this.i] !== ':') this.fail('after object key');
      this.i++;
      const childPath = [...path, key];
      const v = this.value(childPath);
      if (Object.hasOwn(out, key)) this.duplicates.push(`duplicate field "${childPath.join('.')}"`);
      // Defined as own data property even for "__proto__".
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.skip();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      this.fail('after object key:value pair');
    }
  }
}

/** Parses JSON text; throws JsonSyntaxError with Go's wording. */
export function decodeJSON(text: string): Decoded {
  const r = new Reader(text);
  const value = r.document();
  return { value, duplicates: r.duplicates };
}

/** The JSON kind Go names in unmarshal type errors. */
export function jsonKind(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** `json: cannot unmarshal array into Go value of type map[string]interface {}` */
export function cannotUnmarshal(v: JsonValue, goType: string): string {
  return `json: cannot unmarshal ${jsonKind(v)} into Go value of type ${goType}`;
}
