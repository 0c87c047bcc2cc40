/**
 * The Update side of the field manager chain (buildManagerInfo →
 * managedFieldsUpdater → stripMeta → structured merge, capped by
 * capManagers), shared by non-apply writes and by apply's
 * "before-first-apply" step.
 */
import type { JsonObject } from '../patch/value.js';
import type { ObjectSchema } from '../schema/types.js';
import { FieldSet } from './fieldset.js';
import {
  decodeManagedFields,
  emptyManaged,
  formatTime,
  isResetManagedFields,
  type Managed,
  managerIdentifier,
} from './managed.js';
import { metadataOf, withoutManagedFields } from './object.js';
import type { Path } from './path.js';
import { type UpdaterOptions, updaterUpdate } from './updater.js';

/** DefaultMaxUpdateManagers. */
const maxUpdateManagers = 10;

export interface FieldManagerOptions {
  /** The fieldManager (`unknown` when empty). */
  manager: string;
  /** When the operation happens; stored as RFC 3339 seconds. */
  time: string | Date;
  /** The group/version of the request, e.g. `v1` or `apps/v1`. */
  apiVersion: string;
  schema: ObjectSchema;
  /**
   * The strategy's reset fields (`GetResetFields`): paths of field names
   * whose changes nobody owns through this endpoint, e.g. `[['status']]` on
   * the main resource, `[['spec']]` on `/status`.
   */
  resetFields?: readonly (readonly string[])[];
}

export interface UpdateOptions extends FieldManagerOptions {
  subresource?: string;
}

export interface ApplyOptions extends FieldManagerOptions {
  force: boolean;
  /** The kind served; defaults to the schema's GVK for `apiVersion`. */
  kind?: string;
}

export interface Ctx {
  version: string;
  time: string;
  updater: UpdaterOptions;
}

export function context(opts: FieldManagerOptions): Ctx {
  const ignored = (opts.resetFields ?? []).reduce(
    (s, p) => s.insert(p.map((field) => ({ field }))),
    FieldSet.empty(),
  );
  return {
    version: opts.apiVersion,
    time: formatTime(opts.time),
    updater: { schema: opts.schema, ...(ignored.isEmpty() ? {} : { ignored }) },
  };
}

/** stripMeta: fields no manager ever owns. */
const stripSet = FieldSet.of(
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'clusterName',
    'generation',
    'managedFields',
    'resourceVersion',
  ].map((f): Path => [{ field: 'metadata' }, { field: f }]),
);

// --- the Update side of the chain ---

export function stripMeta(m: Managed, manager: string): void {
  const vs = m.fields.get(manager);
  if (!vs) return;
  const set = vs.set.difference(stripSet);
  if (set.isEmpty()) m.fields.delete(manager);
  else m.fields.set(manager, { ...vs, set });
}

/** structuredMerge.Update + stripMeta. */
function structuredUpdate(
  live: JsonObject,
  next: JsonObject,
  m: Managed,
  manager: string,
  ctx: Ctx,
): Managed {
  const fields = updaterUpdate(
    withoutManagedFields(live),
    withoutManagedFields(next),
    ctx.version,
    m.fields,
    manager,
    ctx.updater,
  );
  const out = { fields, times: new Map(m.times) };
  stripMeta(out, manager);
  return out;
}

/** managedFieldsUpdater.Update: merge into the manager's entry and stamp the time only when it took fields. */
function managedFieldsUpdate(
  live: JsonObject,
  next: JsonObject,
  m: Managed,
  manager: string,
  ctx: Ctx,
): Managed {
  const self = 'current-operation';
  const out = structuredUpdate(live, next, m, self, ctx);
  const vs = out.fields.get(self);
  if (vs) {
    out.fields.delete(self);
    const prev = out.fields.get(manager);
    out.fields.set(manager, prev ? { ...vs, set: vs.set.union(prev.set) } : vs);
    out.times.set(manager, ctx.time);
  }
  return out;
}

/** capManagers: merge the oldest update entries into `ancient-changes` buckets beyond 10. */
function capManagers(m: Managed): Managed {
  const updaters = [...m.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= maxUpdateManagers) return m;
  const secs = (id: string) => {
    const t = m.times.get(id);
    return t ? Math.floor(Date.parse(t) / 1000) || 0 : 0;
  };
  updaters.sort((a, b) => secs(a) - secs(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > maxUpdateManagers; i++) {
    const id = updaters[i]!;
    const vs = m.fields.get(id)!;
    const bucket = managerIdentifier({
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: vs.apiVersion,
    });
    const first = firstByVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstByVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!m.fields.has(bucket)) {
      m.fields.set(bucket, m.fields.get(first)!);
      m.fields.delete(first);
    }
    m.fields.set(bucket, { ...vs, set: vs.set.union(m.fields.get(bucket)!.set) });
    m.fields.delete(id);
    length--;
    m.times.set(bucket, m.times.get(id));
  }
  return m;
}

export function updateChain(
  live: JsonObject,
  next: JsonObject,
  m: Managed,
  manager: string,
  subresource: string,
  ctx: Ctx,
) {
  const id = managerIdentifier({
    manager: manager || 'unknown',
    operation: 'Update',
    apiVersion: ctx.version,
    subresource,
  });
  return capManagers(managedFieldsUpdate(live, next, m, id, ctx));
}

/** decodeLiveOrNew: the managed fields an update starts from. */
export function decodeLiveOrNew(
  live: JsonObject | undefined,
  next: JsonObject,
  subresource: boolean,
): Managed {
  const fromLive = () => {
    try {
      return decodeManagedFields(metadataOf(live)?.managedFields);
    } catch {
      return emptyManaged();
    }
  };
  if (subresource) return fromLive();
  const requested = metadataOf(next)?.managedFields;
  if (isResetManagedFields(requested)) return emptyManaged();
  try {
    const m = decodeManagedFields(requested);
    if (m.fields.size) return m;
  } catch {
    // Invalid managedFields in a request are ignored in favour of the live ones.
  }
  return fromLive();
}
