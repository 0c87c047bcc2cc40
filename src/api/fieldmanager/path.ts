/**
 * Path elements of structured-merge-diff (`fieldpath.PathElement`): how a
 * child is selected from its parent, their total order, their FieldsV1 key
 * encoding (`f:name`, `k:{"port":80,"protocol":"TCP"}`, `v:"x"`, `i:0`) and
 * their human form in conflict messages (`.spec.ports[port=80,protocol="TCP"]`).
 */
import { goQuote } from '../../k8s/gofmt.js';
import { SvcnetError } from '../../lib/errors.js';
import { compareStrings, goJSON, isObject, type JsonValue } from '../patch/value.js';

export type PathElement =
  /** A struct field or map key. */
  | { field: string }
  /** An item of a list map, by its key fields (sorted by name). */
  | { key: [string, JsonValue][] }
  /** An item of a set, by value. */
  | { value: JsonValue }
  /** An item of a list by position (only in deduced schemas). */
  | { index: number };

export type Path = readonly PathElement[];

function rank(v: JsonValue): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isObject(v)) return 4;
  return 5;
}

/** value.Compare: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (typeof a === 'number') return a === b ? 0 : a < (b as number) ? -1 : 1;
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a)) {
    const bl = b as JsonValue[];
    for (let i = 0; ; i++) {
      if (i >= a.length) return i >= bl.length ? 0 : -1;
      if (i >= bl.length) return 1;
      const c = compareValues(a[i]!, bl[i]!);
      if (c) return c;
    }
  }
  if (isObject(a)) {
    const bm = b as Record<string, JsonValue>;
    const ka = Object.keys(a).sort(compareStrings);
    const kb = Object.keys(bm).sort(compareStrings);
    for (let i = 0; ; i++) {
      if (i >= ka.length) return i >= kb.length ? 0 : -1;
      if (i >= kb.length) return 1;
      const c = compareStrings(ka[i]!, kb[i]!) || compareValues(a[ka[i]!]!, bm[kb[i]!]!);
      if (c) return c;
    }
  }
  return 0;
}

function kindRank(pe: PathElement): number {
  if ('field' in pe) return 0;
  if ('key' in pe) return 1;
  if ('value' in pe) return 2;
  return 3;
}

/** PathElement.Compare: field names < keys < values < indices. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('field' in a) return compareStrings(a.field, (b as { field: string }).field);
  if ('key' in a) {
    const bk = (b as { key: [string, JsonValue][] }).key;
    for (let i = 0; ; i++) {
      if (i >= a.key.length) return i >= bk.length ? 0 : -1;
      if (i >= bk.length) return 1;
      const c = compareStrings(a.key[i]![0], bk[i]![0]) || compareValues(a.key[i]![1], bk[i]![1]);
      if (c) return c;
    }
  }
  if ('value' in a) return compareValues(a.value, (b as { value: JsonValue }).value);
  const bi = (b as { index: number }).index;
  return a.index === bi ? 0 : a.index < bi ? -1 : 1;
}

/** A key path element with its fields sorted, as value.FieldList.Sort does. */
export function keyElement(fields: [string, JsonValue][]): PathElement {
  return { key: [...fields].sort((x, y) => compareStrings(x[0], y[0])) };
}

/** The FieldsV1 key of a path element. */
export function serializePathElement(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:{${pe.key.map(([n, v]) => `${goJSON(n)}:${goJSON(v)}`).join(',')}}`;
  if ('value' in pe) return `v:${goJSON(pe.value)}`;
  return `i:${pe.index}`;
}

export class PathElementError extends SvcnetError {
  constructor(message: string) {
    super('FIELD_PATH_ELEMENT', message);
  }
}

/**
 * Parses a FieldsV1 key. Returns undefined for an unknown element type,
 * which readers drop (a newer version may know it); throws for malformed keys.
 */
export function parsePathElement(s: string): PathElement | undefined {
  if (s.length < 2) throw new PathElementError('key must be 2 characters long:');
  if (s[1] !== ':') throw new PathElementError(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { field: body };
    case 'v':
      return { value: parseJSON(body) };
    case 'k': {
      const v = parseJSON(body);
      if (!isObject(v)) throw new PathElementError(`expected an object for a key, got ${body}`);
      return keyElement(Object.entries(v));
    }
    case 'i': {
      if (!/^[+-]?\d+$/.test(body))
        throw new PathElementError(`strconv.Atoi: parsing ${goQuote(body)}: invalid syntax`);
      return { index: Number(body) };
    }
    default:
      return undefined;
  }
}

function parseJSON(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new PathElementError((err as Error).message);
  }
}

/** value.ToString. */
function valueString(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  return Object.keys(v)
    .sort(compareStrings)
    .map((k) => `${k}=${valueString(v[k]!)}`)
    .join('');
}

/** PathElement.String. */
export function pathElementString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** Path.String: `.spec.ports[port=80,protocol="TCP"].targetPort`. */
export function pathString(path: Path): string {
  return path.map(pathElementString).join('');
}
