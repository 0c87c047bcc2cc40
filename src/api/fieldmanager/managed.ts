/**
 * metadata.managedFields on the wire and in memory: entries keyed by a
 * manager identifier (the JSON of manager, operation, apiVersion for
 * updates, subresource), each owning a FieldSet; encoding sorts entries as
 * upstream (operation, time, manager, apiVersion, subresource).
 */
import { type FieldError, fieldErrors } from '../../k8s/field.js';
import { goQuote } from '../../k8s/gofmt.js';
import { SvcnetError } from '../../lib/errors.js';
import { validateFieldManager } from '../patch/options.js';
import { goJSON, isObject, type JsonObject, type JsonValue } from '../patch/value.js';
import { FieldSet } from './fieldset.js';

/** A metav1.ManagedFieldsEntry; field order is the wire order. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: JsonObject;
  subresource?: string;
}

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Decoded managed fields: sets and times by manager identifier. */
export interface Managed {
  fields: Map<string, VersionedSet>;
  times: Map<string, string | undefined>;
}

export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

export function copyManaged(m: Managed): Managed {
  return { fields: new Map(m.fields), times: new Map(m.times) };
}

export interface ManagerInfo {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
}

/** BuildManagerIdentifier: `{"manager":"kubectl","operation":"Apply"}`; appliers are not keyed by version. */
export function managerIdentifier(e: ManagerInfo): string {
  const parts: string[] = [];
  if (e.manager) parts.push(`"manager":${goJSON(e.manager)}`);
  if (e.operation) parts.push(`"operation":${goJSON(e.operation)}`);
  if (e.apiVersion && e.operation !== 'Apply') parts.push(`"apiVersion":${goJSON(e.apiVersion)}`);
  if (e.subresource) parts.push(`"subresource":${goJSON(e.subresource)}`);
  return `{${parts.join(',')}}`;
}

export function parseManagerIdentifier(id: string): ManagerInfo {
  try {
    const v = JSON.parse(id) as JsonValue;
    if (isObject(v)) {
      const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
      return {
        ...(str('manager') ? { manager: str('manager') } : {}),
        ...(str('operation') ? { operation: str('operation') } : {}),
        ...(str('apiVersion') ? { apiVersion: str('apiVersion') } : {}),
        ...(str('subresource') ? { subresource: str('subresource') } : {}),
      };
    }
  } catch {
    // Not an identifier: a bare manager name.
  }
  return { manager: id };
}

/** printManager: how conflicts name a manager (`"kubectl-client-side-apply" using v1`). */
export function printManager(id: string): string {
  let info: ManagerInfo;
  try {
    const v = JSON.parse(id) as JsonValue;
    if (!isObject(v)) return goQuote(id);
    info = parseManagerIdentifier(id);
  } catch {
    return goQuote(id);
  }
  let s = goQuote(info.manager ?? '');
  if (info.subresource) s += ` with subresource ${goQuote(info.subresource)}`;
  if (info.operation === 'Update') s += ` using ${info.apiVersion ?? ''}`;
  return s;
}

export class ManagedFieldsDecodeError extends SvcnetError {
  constructor(message: string) {
    super('MANAGED_FIELDS_DECODE', message);
  }
}

/** DecodeManagedFields: throws ManagedFieldsDecodeError for entries upstream cannot decode. */
export function decodeManagedFields(entries: unknown): Managed {
  const m = emptyManaged();
  if (entries === undefined || entries === null) return m;
  if (!Array.isArray(entries)) throw new ManagedFieldsDecodeError('managedFields must be a list');
  entries.forEach((raw, i) => {
    const e = (isObject(raw) ? raw : {}) as ManagedFieldsEntry & JsonObject;
    if (e.operation !== 'Apply' && e.operation !== 'Update') {
      throw new ManagedFieldsDecodeError('operation must be `Apply` or `Update`');
    }
    if (!e.apiVersion) throw new ManagedFieldsDecodeError('apiVersion must not be empty');
    if (!e.fieldsType) throw new ManagedFieldsDecodeError(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') {
      throw new ManagedFieldsDecodeError(
        `invalid fieldsType ${goQuote(String(e.fieldsType))} in managed fields entry ${i}`,
      );
    }
    const id = managerIdentifier(e);
    let set: FieldSet;
    try {
      set =
        e.fieldsV1 === undefined || e.fieldsV1 === null
          ? FieldSet.empty()
          : FieldSet.fromFieldsV1(e.fieldsV1);
    } catch (err) {
      throw new ManagedFieldsDecodeError(
        `error decoding versioned set: error decoding set: ${(err as Error).message}`,
      );
    }
    m.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' });
    m.times.set(id, typeof e.time === 'string' ? e.time : undefined);
  });
  return m;
}

function seconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** encodeManagedFields: the wire entries, sorted; empty when nothing is managed. */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of m.fields) {
    const info = parseManagerIdentifier(id);
    const time = m.times.get(id);
    const e: ManagedFieldsEntry = {};
    if (info.manager) e.manager = info.manager;
    e.operation = vs.applied ? 'Apply' : (info.operation ?? 'Update');
    e.apiVersion = vs.apiVersion;
    if (time) e.time = time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = vs.set.toFieldsV1();
    if (info.subresource) e.subresource = info.subresource;
    out.push(e);
  }
  return out.sort(
    (p, q) =>
      cmp(p.operation ?? '', q.operation ?? '') ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager ?? '', q.manager ?? '') ||
      cmp(p.apiVersion ?? '', q.apiVersion ?? '') ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
}

/** isResetManagedFields: `[]` or `[{}]` in a request clears managedFields. */
export function isResetManagedFields(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  return v.length === 1 && isObject(v[0]) && Object.keys(v[0]).length === 0;
}

/** metav1.Time as JSON: RFC 3339, UTC, whole seconds. */
export function formatTime(t: string | Date): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** apimachinery MaxSubresourceNameLength. */
const maxSubresourceNameLength = 256;

/**
 * ValidateManagedFields (ObjectMeta validation): operation Apply or
 * Update, fieldsType FieldsV1, a printable manager of at most 128 bytes,
 * a subresource of at most 256.
 */
export function validateManagedFields(
  entries: readonly ManagedFieldsEntry[],
  path = 'metadata.managedFields',
): FieldError[] {
  const errs: FieldError[] = [];
  entries.forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (e.operation !== 'Apply' && e.operation !== 'Update') {
      errs.push(fieldErrors.invalid(`${p}.operation`, e.operation ?? '', 'must be `Apply` or `Update`'));
    }
    if (e.fieldsType && e.fieldsType !== 'FieldsV1') {
      errs.push(fieldErrors.invalid(`${p}.fieldsType`, e.fieldsType, 'must be `FieldsV1`'));
    }
    errs.push(...validateFieldManager(e.manager ?? '', `${p}.manager`));
    if (e.subresource && e.subresource.length > maxSubresourceNameLength) {
      errs.push(fieldErrors.tooLong(`${p}.subresource`, e.subresource, maxSubresourceNameLength));
    }
  });
  return errs;
}
