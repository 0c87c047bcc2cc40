/**
 * Server-side apply (FieldManager.Apply): versionCheck, the
 * last-applied-configuration upgrade for `kubectl` (lastAppliedManager and
 * lastAppliedUpdater), "before-first-apply", then the structured merge.
 */
import { type StatusCause, StatusError } from '../../k8s/status.js';
import { unknownError } from '../patch/status.js';
import { deepClone, goJSON, isObject, type JsonObject, type JsonValue, setOwnValue } from '../patch/value.js';
import { type ApplyOptions, type Ctx, context, stripMeta, updateChain } from './chain.js';
import type { FieldSet } from './fieldset.js';
import {
  copyManaged,
  decodeManagedFields,
  encodeManagedFields,
  type Managed,
  managerIdentifier,
  printManager,
} from './managed.js';
import { emptyObjectLike, metadataOf, withManagedFields, withoutManagedFields } from './object.js';
import { pathString } from './path.js';
import { compareTyped, TypedError, toFieldSet, validateTyped } from './typed.js';
import { ApplyConflicts, type Conflict, updaterApply } from './updater.js';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** apimachinery TotalAnnotationSizeLimitB. */
const totalAnnotationSizeLimit = 256 * 1024;

function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const parts = av.split('/');
  const [group, version] = parts.length === 2 ? parts : parts.length === 1 ? ['', parts[0]] : ['', ''];
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

function conflictError(conflicts: readonly Conflict[]): StatusError {
  const sorted = [...conflicts].sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0));
  const causes: StatusCause[] = sorted.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (sorted.length === 1) {
    const c = sorted[0]!;
    message = `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${pathString(c.path)}`;
  } else {
    const lines: string[] = [];
    let last: string | undefined;
    for (const c of sorted) {
      if (c.manager !== last) lines.push(`conflicts with ${printManager(c.manager)}:`);
      last = c.manager;
      lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

function objectGVKNN(obj: JsonObject): string {
  const meta = metadataOf(obj) ?? {};
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  const name = typeof meta.name === 'string' ? meta.name : '';
  return `${ns}/${name}; ${gvkString(obj.apiVersion, obj.kind)}`;
}

/** structuredMerge.Apply + stripMeta + managedFieldsUpdater.Apply. */
function applyCore(
  live: JsonObject,
  applied: JsonObject,
  m: Managed,
  id: string,
  force: boolean,
  ctx: Ctx,
): { object: JsonObject; managed: Managed } {
  if (metadataOf(applied)?.managedFields !== undefined && metadataOf(applied)?.managedFields !== null) {
    throw new StatusError(400, 'BadRequest', 'metadata.managedFields must be nil');
  }
  try {
    validateTyped(applied, ctx.updater.schema);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    // The client's configuration is wrong: 400 with upstream's text. kube-apiserver 1.32
    // answers 500 here, a bug it tracks (kubernetes#122480, #139253; the fix, #139255, a 400).
    throw new StatusError(
      400,
      'BadRequest',
      `failed to create typed patch object (${objectGVKNN(applied)}): ${err.message}`,
    );
  }
  const liveObj = withoutManagedFields(live);
  let res: ReturnType<typeof updaterApply>;
  try {
    res = updaterApply(liveObj, applied, ctx.version, m.fields, id, force, ctx.updater);
  } catch (err) {
    if (!(err instanceof TypedError)) throw err;
    throw unknownError(`failed to create typed live object (${objectGVKNN(liveObj)}): ${err.message}`);
  }
  const managed = { fields: res.managers, times: new Map(m.times) };
  stripMeta(managed, id);
  if (res.object === undefined) return { object: liveObj, managed };
  managed.times.set(id, ctx.time);
  return { object: dropNulls(res.object) as JsonObject, managed };
}

/** Nulls left where removal emptied a container, or applied explicitly, decode to absent fields. */
function dropNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, fv] of Object.entries(v)) if (fv !== null) setOwnValue(out, k, dropNulls(fv));
  return out;
}

/** allowedConflictsFromLastApplied: fields client-side apply set that still hold their applied values. */
function allowedFromLastApplied(live: JsonObject, ctx: Ctx): FieldSet | undefined {
  const annotations = metadataOf(live)?.annotations;
  const text = isObject(annotations) ? annotations[lastAppliedAnnotation] : undefined;
  if (typeof text !== 'string' || !text) return undefined;
  let last: JsonValue;
  try {
    last = JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
  if (!isObject(last) || last.apiVersion !== ctx.version) return undefined;
  try {
    const schema = ctx.updater.schema;
    const set = toFieldSet(last, schema);
    const c = compareTyped(last, withoutManagedFields(live), schema);
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

function setLastApplied(obj: JsonObject, applied: JsonObject): JsonObject {
  const copy = deepClone(applied);
  const meta = metadataOf(copy);
  if (meta && isObject(meta.annotations)) delete meta.annotations[lastAppliedAnnotation];
  const value = `${goJSON(copy)}\n`;
  const objMeta = metadataOf(obj) ?? {};
  const annotations: JsonObject = { ...(isObject(objMeta.annotations) ? objMeta.annotations : {}) };
  annotations[lastAppliedAnnotation] = value;
  let size = 0;
  for (const [k, v] of Object.entries(annotations))
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  if (size > totalAnnotationSizeLimit) delete annotations[lastAppliedAnnotation];
  return { ...obj, metadata: { ...objMeta, annotations } };
}

/**
 * Server-side apply of `applied` (an `application/apply-patch+yaml` body)
 * to `live` (undefined when the object does not exist yet: apply creates
 * it). Returns the object to store, with its new managedFields. Throws:
 * 400 for a wrong kind or managedFields in the configuration, 409 with
 * FieldManagerConflict causes when it would change fields others own
 * (unless `force`), 400 for a configuration the schema does not type (an
 * undeclared field, a list item without its key or repeating one).
 *
 * `kubectl` (the manager of `kubectl apply --server-side`) may take over
 * fields that client-side apply set, when they still hold the values of
 * the last-applied-configuration annotation, and keeps that annotation in
 * step with what it applied.
 */
export function apply(live: JsonObject | undefined, applied: JsonObject, opts: ApplyOptions): JsonObject {
  const ctx = context(opts);
  const kind =
    opts.kind ??
    opts.schema.gvk?.find((g) => (g.group ? `${g.group}/${g.version}` : g.version) === opts.apiVersion)
      ?.kind ??
    opts.schema.gvk?.[0]?.kind ??
    '';
  const liveObj = live ?? {};

  let managed: Managed;
  try {
    managed = decodeManagedFields(metadataOf(liveObj)?.managedFields);
  } catch (err) {
    throw unknownError(`failed to decode managed fields: ${(err as Error).message}`);
  }

  // versionCheck
  const expected = gvkString(opts.apiVersion, kind);
  const got = gvkString(applied.apiVersion, applied.kind);
  if (got !== expected) throw new StatusError(400, 'BadRequest', `invalid object type: ${got}`);

  const manager = opts.manager;
  const id = managerIdentifier({ manager: manager || 'unknown', operation: 'Apply' });

  // skipNonApplied: fields that predate tracking belong to "before-first-apply".
  let current = withoutManagedFields(liveObj);
  if (!managed.fields.size) {
    try {
      managed = updateChain(
        emptyObjectLike(current, opts.schema),
        current,
        managed,
        'before-first-apply',
        '',
        ctx,
      );
    } catch (err) {
      if (!(err instanceof TypedError)) throw err;
      throw unknownError(`failed to create manager for existing fields: ${err.message}`);
    }
  }

  const run = (force: boolean) => applyCore(current, applied, copyManaged(managed), id, force, ctx);
  let result: { object: JsonObject; managed: Managed };
  try {
    result = run(opts.force);
  } catch (err) {
    if (!(err instanceof ApplyConflicts)) throw err;
    // lastAppliedManager: kubectl may take over what client-side apply set.
    const allowed = manager === 'kubectl' ? allowedFromLastApplied(liveObj, ctx) : undefined;
    if (!allowed) throw conflictError(err.conflicts);
    const remaining = err.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length) throw conflictError(remaining);
    result = run(true);
  }

  current = result.object;
  // lastAppliedUpdater: keep the client-side apply annotation in step.
  const annotations = metadataOf(current)?.annotations;
  if (manager === 'kubectl' && isObject(annotations) && annotations[lastAppliedAnnotation]) {
    current = setLastApplied(current, applied);
  }
  return withManagedFields(current, encodeManagedFields(result.managed));
}
