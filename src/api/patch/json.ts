/**
 * JSON patch (RFC 6902, `application/json-patch+json`) as the apiserver runs
 * it: gopkg.in/evanphx/json-patch.v4 semantics (negative indices, `replace`
 * of a missing object key adds it, a missing `test` target equals null,
 * copying a missing key copies null) and its error texts, with the handler's
 * limits (10000 operations, 3 MiB accumulated by `copy`).
 *
 * The operations are implemented here rather than with fast-json-patch,
 * whose semantics and messages differ on exactly those points.
 */

import { goQuote } from '../../k8s/gofmt.js';
import { StatusError } from '../../k8s/status.js';
import { SvcnetError } from '../../lib/errors.js';
import { cannotUnmarshal, decodeJSON, JsonSyntaxError, jsonKind } from './decode.js';
import {
  deepClone,
  deepEqual,
  goJSON,
  isObject,
  type JsonObject,
  type JsonValue,
  setOwnValue,
} from './value.js';

/** handlers/patch.go maxJSONPatchOperations. */
export const maxJSONPatchOperations = 10000;
/** apiserver JSONPatchMaxCopyBytes. */
export const maxAccumulatedCopyBytes = 3 * 1024 * 1024;

export type JsonPatchOperation = JsonObject;

/** A failed operation; the message is evanphx's, the API answers 422. */
export class JsonPatchError extends SvcnetError {
  constructor(message: string) {
    super('JSON_PATCH', message);
  }
}

const missing = 'missing value';
const invalidIndex = 'invalid index referenced';

type Container = { kind: 'doc'; v: JsonObject } | { kind: 'ary'; v: JsonValue[] };

function decodeKey(k: string): string {
  return k.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** strconv.Atoi, with its error text. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new JsonPatchError(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n))
    throw new JsonPatchError(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  return n;
}

function badIndex(idx: number): JsonPatchError {
  return new JsonPatchError(`Unable to access invalid index: ${idx}: ${invalidIndex}`);
}

/** The stored value at key; undefined when absent (a JSON null counts as absent, as a nil node). */
function get(c: Container, key: string): JsonValue | undefined {
  if (c.kind === 'doc') return Object.hasOwn(c.v, key) ? (c.v[key] ?? undefined) : undefined;
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.v.length) throw badIndex(idx);
    idx += c.v.length;
  }
  if (idx >= c.v.length) throw badIndex(idx);
  return c.v[idx] ?? undefined;
}

function set(c: Container, key: string, val: JsonValue): void {
  if (c.kind === 'doc') {
    setOwnValue(c.v, key, val);
    return;
  }
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -c.v.length) throw badIndex(idx);
    idx += c.v.length;
  }
  c.v[idx] = val;
}

function add(c: Container, key: string, val: JsonValue): void {
  if (c.kind === 'doc') {
    setOwnValue(c.v, key, val);
    return;
  }
  if (key === '-') {
    c.v.push(val);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (err) {
    throw new JsonPatchError(`value was not a proper array index: '${key}': ${(err as Error).message}`);
  }
  const size = c.v.length + 1;
  if (idx >= size) throw badIndex(idx);
  if (idx < 0) {
    if (idx < -size) throw badIndex(idx);
    idx += size;
  }
  c.v.splice(idx, 0, val);
}

function remove(c: Container, key: string): void {
  if (c.kind === 'doc') {
    if (!Object.hasOwn(c.v, key))
      throw new JsonPatchError(`Unable to remove nonexistent key: ${key}: ${missing}`);
    delete c.v[key];
    return;
  }
  let idx = atoi(key);
  if (idx >= c.v.length) throw badIndex(idx);
  if (idx < 0) {
    if (idx < -c.v.length) throw badIndex(idx);
    idx += c.v.length;
  }
  c.v.splice(idx, 1);
}

function asContainer(v: JsonValue | undefined): Container | undefined {
  if (Array.isArray(v)) return { kind: 'ary', v };
  if (isObject(v)) return { kind: 'doc', v };
  return undefined;
}

/** evanphx findObject: the container of the last path segment, or undefined. */
function findObject(root: Container, path: string): [Container, string] | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let doc = root;
  for (const part of split.slice(1, -1)) {
    let next: JsonValue | undefined;
    try {
      next = get(doc, decodeKey(part));
    } catch {
      return undefined;
    }
    const c = asContainer(next);
    if (!c) return undefined;
    doc = c;
  }
  return [doc, decodeKey(split[split.length - 1]!)];
}

/** Operation.Path()/From(): the string, or the error evanphx reports. */
function stringField(op: JsonPatchOperation, name: 'path' | 'from'): string | JsonPatchError {
  const v = op[name];
  if (v === undefined || v === null) {
    return new JsonPatchError(
      name === 'path'
        ? `operation missing path field: ${missing}`
        : `operation, missing from field: ${missing}`,
    );
  }
  if (typeof v !== 'string') return new JsonPatchError(cannotUnmarshal(v, 'string'));
  return v;
}

function wrap(prefix: string, err: unknown): JsonPatchError {
  return new JsonPatchError(`${prefix}: ${(err as Error).message}`);
}

interface State {
  root: Container;
  copied: number;
}

function opAdd(s: State, op: JsonPatchOperation): void {
  const path = stringField(op, 'path');
  if (path instanceof Error) throw new JsonPatchError(`add operation failed to decode path: ${missing}`);
  const found = findObject(s.root, path);
  if (!found)
    throw new JsonPatchError(`add operation does not apply: doc is missing path: "${path}": ${missing}`);
  try {
    add(found[0], found[1], deepClone(op.value ?? null));
  } catch (err) {
    throw wrap(`error in add for path: '${path}'`, err);
  }
}

function opRemove(s: State, op: JsonPatchOperation): void {
  const path = stringField(op, 'path');
  if (path instanceof Error) throw new JsonPatchError(`remove operation failed to decode path: ${missing}`);
  const found = findObject(s.root, path);
  if (!found)
    throw new JsonPatchError(`remove operation does not apply: doc is missing path: "${path}": ${missing}`);
  try {
    remove(found[0], found[1]);
  } catch (err) {
    throw wrap(`error in remove for path: '${path}'`, err);
  }
}

function opReplace(s: State, op: JsonPatchOperation): void {
  const path = stringField(op, 'path');
  if (path instanceof Error) throw wrap('replace operation failed to decode path', path);
  if (path === '') {
    const c = asContainer(deepClone(op.value));
    if (!c) throw new JsonPatchError('replace operation value must be object or array: %!w(<nil>)');
    s.root = c;
    return;
  }
  const found = findObject(s.root, path);
  if (!found)
    throw new JsonPatchError(`replace operation does not apply: doc is missing path: ${path}: ${missing}`);
  try {
    get(found[0], found[1]);
  } catch {
    throw new JsonPatchError(`replace operation does not apply: doc is missing key: ${path}: ${missing}`);
  }
  try {
    set(found[0], found[1], deepClone(op.value ?? null));
  } catch (err) {
    throw wrap(`error in remove for path: '${path}'`, err);
  }
}

function opMove(s: State, op: JsonPatchOperation): void {
  const from = stringField(op, 'from');
  if (from instanceof Error) throw wrap('move operation failed to decode from', from);
  const src = findObject(s.root, from);
  if (!src)
    throw new JsonPatchError(`move operation does not apply: doc is missing from path: ${from}: ${missing}`);
  let val: JsonValue | undefined;
  try {
    val = get(src[0], src[1]);
    remove(src[0], src[1]);
  } catch (err) {
    throw wrap(`error in move for path: '${src[1]}'`, err);
  }
  const path = stringField(op, 'path');
  if (path instanceof Error) throw wrap('move operation failed to decode path', path);
  const dst = findObject(s.root, path);
  if (!dst) {
    throw new JsonPatchError(
      `move operation does not apply: doc is missing destination path: ${path}: ${missing}`,
    );
  }
  try {
    add(dst[0], dst[1], val ?? null);
  } catch (err) {
    throw wrap(`error in move for path: '${path}'`, err);
  }
}

function opTest(s: State, op: JsonPatchOperation): void {
  const path = stringField(op, 'path');
  if (path instanceof Error) throw wrap('test operation failed to decode path', path);
  const failed = () => new JsonPatchError(`testing value ${path} failed: test failed`);
  if (path === '') {
    if (!deepEqual(s.root.v, op.value)) throw failed();
    return;
  }
  const found = findObject(s.root, path);
  if (!found) throw new JsonPatchError(`test operation does not apply: is missing path: ${path}: ${missing}`);
  let val: JsonValue | undefined;
  try {
    val = get(found[0], found[1]);
  } catch (err) {
    throw wrap(`error in test for path: '${path}'`, err);
  }
  const expected = op.value;
  if (val === undefined) {
    if (expected === undefined || expected === null) return;
    throw failed();
  }
  if (expected === undefined || !deepEqual(val, expected)) throw failed();
}

function opCopy(s: State, op: JsonPatchOperation): void {
  const from = stringField(op, 'from');
  if (from instanceof Error) throw wrap('copy operation failed to decode from', from);
  const src = findObject(s.root, from);
  if (!src)
    throw new JsonPatchError(`copy operation does not apply: doc is missing from path: ${from}: ${missing}`);
  let val: JsonValue | undefined;
  try {
    val = get(src[0], src[1]);
  } catch (err) {
    throw wrap(`error in copy for from: '${from}'`, err);
  }
  const path = stringField(op, 'path');
  if (path instanceof Error) throw new JsonPatchError(`copy operation failed to decode path: ${missing}`);
  const dst = findObject(s.root, path);
  if (!dst) {
    throw new JsonPatchError(
      `copy operation does not apply: doc is missing destination path: ${path}: ${missing}`,
    );
  }
  if (val !== undefined) {
    s.copied += Buffer.byteLength(goJSON(val));
    if (s.copied > maxAccumulatedCopyBytes) {
      throw new JsonPatchError(
        `Unable to complete the copy, the accumulated size increase of copy is ${s.copied}, exceeding the limit ${maxAccumulatedCopyBytes}`,
      );
    }
  }
  try {
    add(dst[0], dst[1], val === undefined ? null : deepClone(val));
  } catch (err) {
    throw wrap('error while adding value during copy', err);
  }
}

const ops: Record<string, (s: State, op: JsonPatchOperation) => void> = {
  add: opAdd,
  remove: opRemove,
  replace: opReplace,
  move: opMove,
  test: opTest,
  copy: opCopy,
};

/**
 * Applies the operations in order to a copy of the document. Throws
 * JsonPatchError (evanphx's message) when an operation does not apply.
 */
export function applyJsonPatchOps(
  original: JsonObject | JsonValue[],
  patch: JsonPatchOperation[],
): JsonValue {
  const state: State = { root: asContainer(deepClone(original))!, copied: 0 };
  for (const op of patch) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    const fn = Object.hasOwn(ops, kind) ? ops[kind] : undefined;
    if (!fn) throw new JsonPatchError(`Unexpected kind: ${kind}`);
    fn(state, op);
  }
  return state.root.v;
}

const opFields = new Set(['op', 'path', 'from', 'value']);

/**
 * Reads a JSON patch body as the patch handler does. Strict/Warn field
 * validation (the default) decodes into the handler's op struct first, so
 * wrong types are a 400 `error decoding patch: ...` and unknown or
 * duplicate op fields become strict errors (`json patch unknown field "vaule"`).
 */
export function decodeJsonPatch(
  body: string,
  strict: boolean,
): { patch: JsonPatchOperation[]; strictErrors: string[] } {
  let decoded: ReturnType<typeof decodeJSON>;
  try {
    decoded = decodeJSON(body);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new StatusError(400, 'BadRequest', strict ? `error decoding patch: ${err.message}` : err.message);
  }
  const v = decoded.value;
  const strictErrors: string[] = [];
  if (strict) {
    if (v !== null && !Array.isArray(v)) {
      throw new StatusError(
        400,
        'BadRequest',
        `error decoding patch: ${cannotUnmarshal(v, '[]handlers.jsonPatchOp')}`,
      );
    }
    for (const op of v ?? []) {
      if (op === null) continue;
      if (!isObject(op)) {
        throw new StatusError(
          400,
          'BadRequest',
          `error decoding patch: ${cannotUnmarshal(op, 'handlers.jsonPatchOp')}`,
        );
      }
      for (const [k, fv] of Object.entries(op)) {
        if (!opFields.has(k)) {
          strictErrors.push(`json patch unknown field ${goQuote(k)}`);
        } else if (k !== 'value' && fv !== null && typeof fv !== 'string') {
          throw new StatusError(
            400,
            'BadRequest',
            `error decoding patch: json: cannot unmarshal ${jsonKind(fv)} into Go struct field jsonPatchOp.${k} of type string`,
          );
        }
      }
    }
    strictErrors.push(...decoded.duplicates.map((d) => `json patch ${d}`));
  }
  // evanphx DecodePatch: a list of objects.
  if (!Array.isArray(v)) throw new StatusError(400, 'BadRequest', cannotUnmarshal(v, 'jsonpatch.Patch'));
  const patch: JsonPatchOperation[] = [];
  for (const op of v) {
    if (op !== null && !isObject(op)) {
      throw new StatusError(400, 'BadRequest', cannotUnmarshal(op, 'jsonpatch.Operation'));
    }
    patch.push(op ?? {});
  }
  if (patch.length > maxJSONPatchOperations) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${patch.length}`,
    );
  }
  return { patch, strictErrors };
}

/**
 * The error a failed operation is answered with: upstream wraps it in a
 * generic 422 whose message does not include evanphx's text (kubectl prints
 * "The request is invalid: the server rejected our request due to an error
 * in our request"). The original message is kept as the error's cause.
 */
export function jsonPatchFailure(err: JsonPatchError): StatusError {
  const status = new StatusError(
    422,
    'Invalid',
    'the server rejected our request due to an error in our request',
    {},
  );
  (status as Error).cause = err;
  return status;
}
