/**
 * Request bodies decoded as the apiserver decodes them into Go structs
 * (apimachinery's json/yaml serializer over sigs.k8s.io/json): unknown fields
 * are pruned and, with duplicate fields, reported as strict decoding errors
 * with their paths; JSON null unsets a field; a value of the wrong JSON type
 * fails the request with encoding/json's message. The `fieldValidation`
 * directive then decides: Strict fails with all strict errors, Warn returns
 * them as warnings, Ignore drops them.
 */
import { type StatusError, statusErrors } from '../../k8s/status.js';
import { MICRO_TIME } from './facts.js';
import { type Duplicate, JSONSyntaxError, parseJSON, RawNumber, setOwn } from './json.js';
import { checkQuantity, formatMicroTime, formatTime, parseTime } from './scalars.js';
import type { ArraySchema, MapSchema, ObjectSchema, Schema } from './types.js';
import { parseYAML, YAMLSyntaxError } from './yaml.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface DecodeOptions {
  /** The kind the endpoint serves (`into` upstream); the body's own apiVersion/kind take precedence in messages. */
  group: string;
  version: string;
  kind: string;
  fieldValidation: FieldValidation;
}

export interface DecodeResult {
  obj: Record<string, unknown>;
  /** Warning texts for `Warning: 299 - "..."` headers (fieldValidation=Warn). */
  warnings: string[];
}

/** A value fitted to a schema, before the field validation directive is applied. */
export interface Analysis {
  obj: Record<string, unknown>;
  /** Strict decoding errors, each as upstream words it: `unknown field "spec.portz"`. */
  strictErrors: string[];
  /** A decoding failure (`json: cannot unmarshal ...`), which fails the request whatever the directive. */
  error?: string;
}

/** An error from a custom UnmarshalJSON (IntOrString, Quantity, Time): decoding stops at once. */
class Abort {
  constructor(readonly message: string) {}
}

const SKIP: unique symbol = Symbol('skip');
type Out = unknown | typeof SKIP;

interface Ctx {
  strict: string[];
  seen: Set<string>;
  /** The first encoding/json type error; later ones are dropped as upstream does. */
  saved?: string;
  duplicates?: WeakMap<object, Duplicate[]>;
  /** encoding/json's error context: struct field names from the root, and the innermost struct. */
  stack: string[];
  struct: string;
}

const MAX_STRICT_ERRORS = 100;

function strictError(ctx: Ctx, msg: string): void {
  if (ctx.strict.length >= MAX_STRICT_ERRORS || ctx.seen.has(msg)) return;
  ctx.seen.add(msg);
  ctx.strict.push(msg);
}

/** The Go type of a schema, as encoding/json prints it (`v1.ServiceSpec`, `[]string`, `map[string]string`). */
export function goTypeOf(s: Schema): string {
  switch (s.type) {
    case 'object':
    case 'any':
    case 'int-or-string':
    case 'quantity':
      return s.name ? shortName(s.name) : 'interface {}';
    case 'map':
      return s.goType ?? `map[string]${goTypeOf(s.values)}`;
    case 'array':
      return `[]${goTypeOf(s.items)}`;
    case 'string':
      return s.goType ?? (s.name ? shortName(s.name) : 'string');
    case 'integer':
      return s.goType ?? (s.format === 'int64' ? 'int64' : 'int32');
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
  }
}

/** `io.k8s.api.core.v1.ServiceSpec` → `v1.ServiceSpec`. */
function shortName(name: string): string {
  const parts = name.split('.');
  return parts.slice(-2).join('.');
}

function describe(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || v instanceof RawNumber) return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function numberText(v: number | RawNumber): string {
  return v instanceof RawNumber ? v.text : String(v);
}

function typeErrorMessage(ctx: Ctx, value: string, goType: string): string {
  return ctx.stack.length
    ? `json: cannot unmarshal ${value} into Go struct field ${ctx.struct}.${ctx.stack.join('.')} of type ${goType}`
    : `json: cannot unmarshal ${value} into Go value of type ${goType}`;
}

function typeError(ctx: Ctx, value: string, goType: string): typeof SKIP {
  ctx.saved ??= typeErrorMessage(ctx, value, goType);
  return SKIP;
}

const INT_RANGE = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

/** strconv.ParseInt plus the overflow check of the target width; undefined when Go refuses the literal. */
function toInteger(v: number | RawNumber, width: 'int32' | 'int64'): number | undefined {
  const text = numberText(v);
  if (!/^-?[0-9]+$/.test(text)) return undefined;
  const big = BigInt(text);
  const [lo, hi] = INT_RANGE[width];
  if (big < lo || big > hi) return undefined;
  return Number(big);
}

const joinKey = (path: string, k: string) => (path ? `${path}.${k}` : k);

/** The zero value Go stores for a JSON null inside a list or map. */
function zeroValue(s: Schema): unknown {
  switch (s.type) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
    case 'int-or-string':
      return 0;
    case 'boolean':
      return false;
    case 'quantity':
      return '0';
    case 'object':
      return {};
    default:
      return null;
  }
}

function walk(v: unknown, s: Schema, path: string, ctx: Ctx): Out {
  switch (s.type) {
    case 'object':
      return walkStruct(v, s, path, ctx);
    case 'map':
      return walkMap(v, s, path, ctx);
    case 'array':
      return walkArray(v, s, path, ctx);
    case 'string':
      if (typeof v === 'string') {
        if (s.format === 'date-time') return decodeTime(v, s.name === MICRO_TIME);
        if (s.format === 'byte') return decodeBytes(v, ctx);
        return v;
      }
      // metav1.Time's UnmarshalJSON decodes into a string first and returns at once.
      if (s.format === 'date-time') throw new Abort(typeErrorMessage(ctx, describe(v), 'string'));
      return typeError(ctx, describe(v), goTypeOf(s));
    case 'integer': {
      if (typeof v === 'number' || v instanceof RawNumber) {
        const width = s.format === 'int64' ? 'int64' : 'int32';
        const n = toInteger(v, width);
        return n === undefined ? typeError(ctx, `number ${numberText(v)}`, goTypeOf(s)) : n;
      }
      return typeError(ctx, describe(v), goTypeOf(s));
    }
    case 'number':
      if (typeof v === 'number') return v;
      if (v instanceof RawNumber) return v.value;
      return typeError(ctx, describe(v), 'float64');
    case 'boolean':
      return typeof v === 'boolean' ? v : typeError(ctx, describe(v), 'bool');
    case 'int-or-string': {
      if (typeof v === 'string') return v;
      // IntOrString.UnmarshalJSON decodes non-strings into its int32 and returns at once.
      if (typeof v === 'number' || v instanceof RawNumber) {
        const n = toInteger(v, 'int32');
        if (n === undefined) throw new Abort(typeErrorMessage(ctx, `number ${numberText(v)}`, 'int32'));
        return n;
      }
      throw new Abort(typeErrorMessage(ctx, describe(v), 'int32'));
    }
    case 'quantity': {
      const text =
        typeof v === 'string'
          ? v
          : typeof v === 'number' || v instanceof RawNumber
            ? numberText(v)
            : undefined;
      const err = text === undefined ? checkQuantity(JSON.stringify(v)) : checkQuantity(text);
      if (err) throw new Abort(err);
      return text;
    }
    case 'any':
      return plain(v);
  }
}

/**
 * A []byte field: encoding/json decodes it with base64.StdEncoding, saving
 * the error and going on; the value is re-encoded canonically, as Go emits it.
 */
function decodeBytes(text: string, ctx: Ctx): Out {
  const bad = base64ErrorOffset(text);
  if (bad !== undefined) {
    ctx.saved ??= `illegal base64 data at input byte ${bad}`;
    return SKIP;
  }
  return Buffer.from(text.replace(/[\r\n]/g, ''), 'base64').toString('base64');
}

const B64 = /[A-Za-z0-9+/]/;

/** Where Go's base64.StdEncoding.DecodeString fails (CorruptInputError), or undefined. Newlines are skipped. */
export function base64ErrorOffset(src: string): number | undefined {
  let si = 0;
  const skipNewlines = () => {
    while (si < src.length && (src[si] === '\n' || src[si] === '\r')) si++;
  };
  for (;;) {
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return undefined;
        return si - j;
      }
      const c = src[si++]!;
      if (B64.test(c)) continue;
      if (c === '\n' || c === '\r') {
        j--;
        continue;
      }
      if (c !== '=') return si - 1;
      // Padding: only in the last two positions of a quantum, and then nothing but newlines.
      if (j < 2) return si - 1;
      if (j === 2) {
        skipNewlines();
        if (si === src.length) return src.length;
        if (src[si] !== '=') return si - 1;
        si++;
      }
      skipNewlines();
      return si < src.length ? si : undefined;
    }
  }
}

function decodeTime(text: string, micro: boolean): string {
  const t = parseTime(text);
  if (typeof t === 'string') throw new Abort(t);
  return micro ? formatMicroTime(t, text) : formatTime(t);
}

/** Free-form JSON (RawExtension, FieldsV1): kept as is, numbers unwrapped. */
function plain(v: unknown): unknown {
  if (v instanceof RawNumber) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(o, k, plain((v as Record<string, unknown>)[k]));
    return o;
  }
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawNumber);
}

function walkStruct(v: unknown, s: ObjectSchema, path: string, ctx: Ctx): Out {
  if (!isObject(v)) return typeError(ctx, describe(v), goTypeOf(s));
  const out: Record<string, unknown> = {};
  const dups = ctx.duplicates?.get(v);
  let d = 0;
  const emitDuplicates = (upTo: number) => {
    for (; dups && d < dups.length && dups[d]!.at <= upTo; d++) {
      const k = dups[d]!.key;
      // Unknown fields are never duplicates upstream: they were not decoded at all.
      if (Object.hasOwn(s.properties, k))
        strictError(ctx, `duplicate field ${JSON.stringify(joinKey(path, k))}`);
    }
  };
  const keys = Object.keys(v);
  const struct = ctx.struct;
  const short = s.name ? shortName(s.name).split('.')[1]! : '';
  for (let i = 0; i < keys.length; i++) {
    emitDuplicates(i);
    const k = keys[i]!;
    const prop = Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (!prop) {
      strictError(ctx, `unknown field ${JSON.stringify(joinKey(path, k))}`);
      continue;
    }
    const value = v[k];
    if (value === null || value === undefined) continue;
    ctx.stack.push(k);
    ctx.struct = short;
    const r = walk(value, prop, joinKey(path, k), ctx);
    ctx.stack.pop();
    ctx.struct = struct;
    if (r !== SKIP) setOwn(out, k, r);
  }
  emitDuplicates(Number.POSITIVE_INFINITY);
  return out;
}

function walkMap(v: unknown, s: MapSchema, path: string, ctx: Ctx): Out {
  if (!isObject(v)) return typeError(ctx, describe(v), goTypeOf(s));
  const out: Record<string, unknown> = {};
  const dups = ctx.duplicates?.get(v);
  for (const dup of dups ?? []) strictError(ctx, `duplicate field ${JSON.stringify(joinKey(path, dup.key))}`);
  for (const k of Object.keys(v)) {
    const value = v[k];
    const r =
      value === null || value === undefined
        ? zeroValue(s.values)
        : walk(value, s.values, joinKey(path, k), ctx);
    if (r !== SKIP) setOwn(out, k, r);
  }
  return out;
}

function walkArray(v: unknown, s: ArraySchema, path: string, ctx: Ctx): Out {
  if (!Array.isArray(v)) return typeError(ctx, describe(v), goTypeOf(s));
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) {
    const item = v[i];
    const r =
      item === null || item === undefined ? zeroValue(s.items) : walk(item, s.items, `${path}[${i}]`, ctx);
    out.push(r === SKIP ? zeroValue(s.items) : r);
  }
  return out;
}

/** Fits a parsed value to a schema: prunes unknown fields, drops nulls, collects strict and type errors. */
export function analyze(
  value: unknown,
  schema: ObjectSchema,
  duplicates?: WeakMap<object, Duplicate[]>,
): Analysis {
  const ctx: Ctx = { strict: [], seen: new Set(), duplicates, stack: [], struct: '' };
  // A JSON null document decodes into nothing: the zero object.
  const root = value === null || value === undefined ? {} : value;
  try {
    const r = walk(root, schema, '', ctx);
    const obj = r === SKIP || !isObject(r) ? {} : r;
    return { obj, strictErrors: ctx.strict, error: ctx.saved };
  } catch (e) {
    if (e instanceof Abort) return { obj: {}, strictErrors: ctx.strict, error: e.message };
    throw e;
  }
}

/** The version part of an apiVersion: `apps/v1` → `v1`. */
function versionOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}

/** `Service in version "v1" cannot be handled as a Service: <why>` (apiserver transformDecodeError). */
function cannotHandle(body: unknown, opts: DecodeOptions, why: string): StatusError {
  const b = isObject(body) ? body : {};
  const kind = typeof b.kind === 'string' && b.kind ? b.kind : opts.kind;
  const version = typeof b.apiVersion === 'string' && b.apiVersion ? versionOf(b.apiVersion) : opts.version;
  return statusErrors.badRequest(
    `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${opts.kind}: ${why}`,
  );
}

/** apiserver's summarizeData: the first 30 bytes, hex-encoded unless the body looks like JSON. */
function summarize(text: string): string {
  const data = Buffer.from(text, 'utf8');
  if (data.length === 0) return '<empty>';
  const head = data.subarray(0, 30);
  const more = data.length > 30 ? ' ...' : '';
  return data[0] === 0x7b ? `${head.toString('utf8')}${more}` : `${head.toString('hex')}${more}`;
}

function unrecognized(text: string, opts: DecodeOptions, why: string): StatusError {
  return statusErrors.badRequest(
    `the object provided is unrecognized (must be of type ${opts.kind}): ${why} (${summarize(text)})`,
  );
}

// The anonymous struct the JSON serializer first decodes apiVersion/kind into.
const findKindType =
  'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/** Applies the fieldValidation directive to an analysis: throws 400 BadRequest or returns warnings. */
function settle(
  body: unknown,
  a: Analysis,
  opts: DecodeOptions,
  yamlDuplicates: string[] = [],
): DecodeResult {
  if (a.error) throw cannotHandle(body, opts, a.error);
  if (opts.fieldValidation === 'Ignore') return { obj: a.obj, warnings: [] };
  const errs = [...a.strictErrors];
  if (yamlDuplicates.length) errs.unshift(`yaml: unmarshal errors:\n  ${yamlDuplicates.join('\n  ')}`);
  if (errs.length === 0) return { obj: a.obj, warnings: [] };
  if (opts.fieldValidation === 'Strict')
    throw cannotHandle(body, opts, `strict decoding error: ${errs.join(', ')}`);
  return { obj: a.obj, warnings: [...yamlDuplicates, ...a.strictErrors] };
}

/**
 * Decodes a request body into an object of `schema`'s shape, as the apiserver
 * does for create and update. Throws a 400 StatusError on malformed input, a
 * type mismatch, or (Strict) unknown/duplicate fields.
 */
export function decodeBody(
  text: string,
  format: 'json' | 'yaml',
  schema: ObjectSchema,
  opts: DecodeOptions,
): DecodeResult {
  if (format === 'yaml') {
    let parsed: ReturnType<typeof parseYAML>;
    try {
      parsed = parseYAML(text);
    } catch (e) {
      if (e instanceof YAMLSyntaxError)
        throw unrecognized(text, opts, `error converting YAML to JSON: ${e.message}`);
      throw e;
    }
    if (parsed.value !== null && !isObject(parsed.value)) {
      throw unrecognized(
        text,
        opts,
        `couldn't get version/kind; json parse error: json: cannot unmarshal ${describe(parsed.value)} into Go value of type ${findKindType}`,
      );
    }
    const a = analyze(parsed.value, schema);
    return settle(parsed.value, a, opts, opts.fieldValidation === 'Ignore' ? [] : parsed.duplicateLines);
  }
  let parsed: ReturnType<typeof parseJSON>;
  try {
    parsed = parseJSON(text);
  } catch (e) {
    if (e instanceof JSONSyntaxError)
      throw unrecognized(text, opts, `couldn't get version/kind; json parse error: ${e.message}`);
    throw e;
  }
  const v = parsed.value;
  if (v !== null && !isObject(v)) {
    throw unrecognized(
      text,
      opts,
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${describe(v)} into Go value of type ${findKindType}`,
    );
  }
  return settle(v, analyze(v, schema, parsed.duplicates), opts);
}

/**
 * Checks an already-parsed object (a patch result, a protobuf-decoded body)
 * against `schema` with the same rules as decodeBody.
 */
export function checkObject(obj: unknown, schema: ObjectSchema, opts: DecodeOptions): DecodeResult {
  return settle(obj, analyze(obj, schema), opts);
}
