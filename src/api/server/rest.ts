/**
 * The REST verbs on stored resources: get, list, watch, create, update,
 * patch, delete and deletecollection, with their query parameters
 * (selectors, paging, resourceVersion, dryRun, fieldManager, fieldValidation,
 * force, propagationPolicy...) and response shapes (object, list, Table,
 * PartialObjectMetadata, watch stream).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FieldError } from '../../k8s/field.js';
import { checkFieldSelector, parseFieldSelector, parseLabelSelector } from '../../k8s/selectors.js';
import { statusErrors } from '../../k8s/status.js';
import { PatchTypes, validateFieldManager, validatePatchOptions } from '../patch/index.js';
import { decodeProtobuf } from '../protobuf/index.js';
import type { KubeObject } from '../registry/strategy.js';
import { apiVersionOf, groupResource, type ResourceInfo } from '../resource.js';
import { decodeBody } from '../schema/decode.js';
import { schemaForKind } from '../schema/index.js';
import type { ObjectSchema } from '../schema/types.js';
import type { CachedObject } from '../storage/cacher.js';
import type { DeleteOptions, ListOptions, Registry } from '../storage/registry.js';
import {
  decodeObject,
  type FieldValidation,
  partialMetadata,
  patchObject,
  stampManagedFields,
  tableJSON,
} from './codec.js';
import { bodyFormat, negotiateShape, patchType, type ResponseShape } from './negotiate.js';
import { queryOptionalBool } from './query.js';
import { addWarnings, sendJSON } from './respond.js';
import { serveWatch, type WatchBudget } from './watch.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  verb: Verb;
  registry: Registry;
  namespace: string;
  name: string;
  subresource: '' | 'status' | 'finalize';
  query: URLSearchParams;
  body: () => Promise<Buffer>;
  req: IncomingMessage;
  res: ServerResponse;
  /** What watch streams may hold for slow clients (one per server). */
  watches: WatchBudget;
}

const TABLE_TYPE = (v: string) => `application/json;as=Table;v=${v};g=meta.k8s.io`;

function listKindOf(info: ResourceInfo): string {
  return info.listKind;
}

/** dryRun=All is the only dry run; anything else is a 400 as upstream. */
function dryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All')
      throw statusErrors.badRequest(
        `Invalid dry run value: dryRun: Unsupported value: "${v}": supported values: "All"`,
      );
  }
  return values.length > 0;
}

function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation') ?? '';
  if (v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw statusErrors.badRequest(
    `fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`,
  );
}

/**
 * The field manager: the query parameter, else the client's user agent up to
 * the first '/'. An invalid one is a 422 on the request's options kind
 * (CreateOptions, UpdateOptions; PATCH validates its PatchOptions whole).
 */
function fieldManager(q: URLSearchParams, req: IncomingMessage, optionsKind: string): string {
  const m = q.get('fieldManager') ?? '';
  const errs = validateFieldManager(m, 'fieldManager');
  if (errs.length) throw statusErrors.invalid({ group: 'meta.k8s.io', kind: optionsKind }, '', errs);
  if (m) return m;
  const ua = req.headers['user-agent'] ?? '';
  return ua.split('/')[0]?.slice(0, 128) || 'unknown';
}

function selectors(r: ResourceRequest): Pick<ListOptions, 'labelSelector' | 'fieldSelector'> {
  const labelSelector = parseLabelSelector(r.query.get('labelSelector') ?? '');
  const fieldSelector = parseFieldSelector(r.query.get('fieldSelector') ?? '');
  checkFieldSelector(fieldSelector, r.registry.info.fieldGetters);
  return { labelSelector, fieldSelector };
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw statusErrors.badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return n;
}

function objectResponse(r: ResourceRequest, code: number, obj: KubeObject | CachedObject): void {
  const shape = negotiateShape(r.req.headers.accept);
  const o = 'json' in obj && 'key' in obj ? (obj as CachedObject) : undefined;
  const plain = (o ? o.obj : obj) as KubeObject;
  if (shape.as === 'Table') {
    const meta = { resourceVersion: plain.metadata?.resourceVersion ?? '' };
    sendJSON(
      r.res,
      code,
      tableJSON(r.registry.info, [plain], shape, r.query.get('includeObject') ?? 'Metadata', meta),
      TABLE_TYPE(shape.version),
    );
  } else if (shape.as === 'PartialObjectMetadata') {
    sendJSON(r.res, code, JSON.stringify(partialMetadata(plain, shape.version)));
  } else {
    sendJSON(r.res, code, o ? o.json : JSON.stringify(plain));
  }
}

export async function handleResource(r: ResourceRequest): Promise<void> {
  const info = r.registry.info;
  switch (r.verb) {
    case 'get':
      return objectResponse(r, 200, await r.registry.get(r.namespace, r.name));
    case 'list':
      return list(r);
    case 'watch':
      return serveWatch(r, selectors(r));
    case 'create':
      return create(r);
    case 'update':
      return update(r);
    case 'patch':
      return patch(r);
    case 'delete':
      return remove(r);
    case 'deletecollection':
      return deleteCollection(r);
    default:
      throw statusErrors.methodNotSupported(groupResource(info), r.verb);
  }
}

async function list(r: ResourceRequest): Promise<void> {
  const info = r.registry.info;
  const q = r.query;
  const match = q.get('resourceVersionMatch') ?? '';
  if (match !== '' && match !== 'NotOlderThan' && match !== 'Exact') {
    throw statusErrors.badRequest(
      `resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
    );
  }
  const result = await r.registry.list(r.namespace, {
    ...selectors(r),
    limit: intParam(q, 'limit'),
    continue: q.get('continue') ?? undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: match as ListOptions['resourceVersionMatch'],
  });
  const listMeta: Record<string, unknown> = { resourceVersion: String(result.revision) };
  if (result.continue) listMeta.continue = result.continue;
  if (result.remainingItemCount !== undefined) listMeta.remainingItemCount = result.remainingItemCount;
  const shape: ResponseShape = negotiateShape(r.req.headers.accept);
  if (shape.as === 'Table') {
    const body = tableJSON(
      info,
      result.items.map((i) => i.obj as KubeObject),
      shape,
      q.get('includeObject') ?? 'Metadata',
      listMeta,
    );
    return sendJSON(r.res, 200, body, TABLE_TYPE(shape.version));
  }
  if (shape.as === 'PartialObjectMetadata') {
    const items = result.items.map((i) => partialMetadata(i.obj as KubeObject, shape.version));
    return sendJSON(
      r.res,
      200,
      JSON.stringify({
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${shape.version}`,
        metadata: listMeta,
        items,
      }),
    );
  }
  // Items are already JSON text in the cache: the list is a join.
  const head = JSON.stringify({ kind: listKindOf(info), apiVersion: apiVersionOf(info), metadata: listMeta });
  const body = `${head.slice(0, -1)},"items":[${result.items.map((i) => i.json).join(',')}]}`;
  sendJSON(r.res, 200, body);
}

/** The request body as an object of the endpoint's kind, with field validation as asked. */
async function decodeRequest(r: ResourceRequest) {
  const format = bodyFormat(r.req.headers['content-type']);
  return decodeObject(r.registry.info, await r.body(), format, fieldValidation(r.query));
}

async function create(r: ResourceRequest): Promise<void> {
  const info = r.registry.info;
  if (r.name || r.subresource) throw statusErrors.methodNotSupported(groupResource(info), 'create');
  const q = r.query;
  const dry = dryRun(q);
  const manager = fieldManager(q, r.req, 'CreateOptions');
  const { obj, warnings } = await decodeRequest(r);
  info.strategy.defaults?.(obj);
  stampManagedFields(info, undefined, obj, manager, '');
  const created = await r.registry.create(obj, { dryRun: dry, namespace: r.namespace });
  addWarnings(r.res, warnings);
  objectResponse(r, 201, created);
}

async function update(r: ResourceRequest): Promise<void> {
  const info = r.registry.info;
  const q = r.query;
  const dry = dryRun(q);
  const manager = fieldManager(q, r.req, 'UpdateOptions');
  const { obj, warnings } = await decodeRequest(r);
  if (obj.metadata?.name !== undefined && obj.metadata.name !== r.name) {
    throw statusErrors.badRequest(
      `the name of the object (${obj.metadata.name}) does not match the name on the URL (${r.name})`,
    );
  }
  info.strategy.defaults?.(obj);
  const result = await r.registry.update(
    r.namespace,
    r.name,
    (current) => {
      const next = structuredClone(obj);
      stampManagedFields(info, current, next, manager, r.subresource);
      return next;
    },
    {
      dryRun: dry,
      subresource: r.subresource,
      allowCreate: info.allowCreateOnUpdate && r.subresource === '',
    },
  );
  addWarnings(r.res, warnings);
  objectResponse(r, result.created ? 201 : 200, result.object);
}

async function patch(r: ResourceRequest): Promise<void> {
  const info = r.registry.info;
  const q = r.query;
  const type = patchType(r.req.headers['content-type']);
  const force = queryOptionalBool(q, 'force');
  // ValidatePatchOptions: apply needs a field manager, force is for apply only (422s).
  const invalid = validatePatchOptions(PatchTypes[type], {
    force,
    fieldManager: q.get('fieldManager') ?? '',
    dryRun: q.getAll('dryRun'),
    fieldValidation: q.get('fieldValidation') ?? '',
  });
  if (invalid) throw invalid;
  const dry = dryRun(q);
  const manager = fieldManager(q, r.req, 'PatchOptions');
  const body = await r.body();
  const validation = fieldValidation(q);
  let warnings: string[] = [];
  const result = await r.registry.update(
    r.namespace,
    r.name,
    (current) => {
      if (!current && type !== 'apply') throw statusErrors.notFound(groupResource(info), r.name);
      const d = patchObject(info, current, {
        type,
        body,
        fieldValidation: validation,
        manager,
        force: force === true,
        subresource: r.subresource,
      });
      // handlers/patch.go checkName: a patch may not rename the object, nor take its name (or metadata) away.
      const patchedName = d.obj.metadata?.name ?? '';
      if (patchedName !== r.name) {
        throw statusErrors.badRequest(
          `the name of the object (${patchedName}) does not match the name on the URL (${r.name})`,
        );
      }
      info.strategy.defaults?.(d.obj);
      warnings = d.warnings;
      return d.obj;
    },
    { dryRun: dry, subresource: r.subresource, allowCreate: type === 'apply' && r.subresource === '' },
  );
  addWarnings(r.res, warnings);
  objectResponse(r, result.created ? 201 : 200, result.object);
}

function deleteOptionsSchema(): ObjectSchema {
  const s = schemaForKind({ group: '', version: 'v1', kind: 'DeleteOptions' });
  if (!s) throw statusErrors.internal(new Error('no schema for DeleteOptions'));
  return s;
}

/** DeleteOptions from the body (JSON) and the query, query winning as upstream's decoding does. */
async function deleteOptions(r: ResourceRequest): Promise<DeleteOptions> {
  const q = r.query;
  let body: {
    gracePeriodSeconds?: number;
    preconditions?: { uid?: string; resourceVersion?: string };
    propagationPolicy?: string;
    orphanDependents?: boolean;
    dryRun?: string[];
  } = {};
  const raw = await r.body();
  if (raw.length > 0) {
    // Go typed clients send DeleteOptions as protobuf; kubectl delete sends JSON.
    const format = bodyFormat(r.req.headers['content-type']);
    if (format === 'protobuf') {
      body = decodeProtobuf(raw, { apiVersion: 'v1', kind: 'DeleteOptions' }).object as typeof body;
    } else {
      // Decoded into the DeleteOptions struct, as upstream: JSON null is no options, a
      // non-object or a field of the wrong type is a 400 with encoding/json's words.
      body = decodeBody(raw.toString('utf8'), format, deleteOptionsSchema(), {
        group: '',
        version: 'v1',
        kind: 'DeleteOptions',
        fieldValidation: 'Ignore',
      }).obj as typeof body;
    }
  }
  const policy = q.get('propagationPolicy') ?? body.propagationPolicy;
  const orphanDependents = queryOptionalBool(q, 'orphanDependents') ?? body.orphanDependents;
  if (policy !== undefined && orphanDependents !== undefined) {
    // ValidateDeleteOptions: the deprecated field and the policy may not both be given.
    throw statusErrors.invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', [
      new FieldError(
        'FieldValueInvalid',
        'propagationPolicy',
        policy,
        'orphanDependents and deletionPropagation cannot be both set',
      ),
    ]);
  }
  if (policy !== undefined && policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
    throw statusErrors.invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', [
      new FieldError(
        'FieldValueNotSupported',
        'propagationPolicy',
        policy,
        'supported values: "Foreground", "Background", "Orphan", "nil"',
      ),
    ]);
  }
  for (const v of body.dryRun ?? []) {
    if (v !== 'All')
      throw statusErrors.badRequest(
        `Invalid dry run value: dryRun: Unsupported value: "${v}": supported values: "All"`,
      );
  }
  return {
    dryRun: dryRun(q) || (body.dryRun?.length ?? 0) > 0,
    preconditions: body.preconditions,
    propagationPolicy: policy as DeleteOptions['propagationPolicy'],
    orphanDependents,
    gracePeriodSeconds: intParam(q, 'gracePeriodSeconds') ?? body.gracePeriodSeconds,
  };
}

/** Upstream's Job REST warning: without a policy, a batch/v1 Job's pods are kept. */
const ORPHAN_DEFAULT_WARNING =
  'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning';

function warnOrphanDefault(r: ResourceRequest, opts: DeleteOptions): void {
  if (
    r.registry.info.strategy.defaultOrphanDependents &&
    opts.propagationPolicy === undefined &&
    opts.orphanDependents === undefined
  )
    addWarnings(r.res, [ORPHAN_DEFAULT_WARNING]);
}

async function remove(r: ResourceRequest): Promise<void> {
  const info = r.registry.info;
  if (r.subresource) throw statusErrors.methodNotSupported(groupResource(info), 'delete');
  const opts = await deleteOptions(r);
  warnOrphanDefault(r, opts);
  const { object, deleted } = await r.registry.delete(r.namespace, r.name, opts);
  // As upstream's DeleteResource: 202 when the object stays and the deprecated
  // orphanDependents=false asked for cascading; 200 otherwise.
  const code = !deleted && opts.orphanDependents === false ? 202 : 200;
  // An object finalizers (or a grace period) keep is answered as it now is, with its
  // deletionTimestamp; one gone at once as itself (ReturnDeletedObject) or as a Status.
  if (!deleted || info.returnDeletedObject) return objectResponse(r, code, object);
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: r.name,
      ...(info.group ? { group: info.group } : {}),
      kind: info.resource,
      uid: object.metadata?.uid,
    },
  };
  sendJSON(r.res, code, JSON.stringify(status));
}

async function deleteCollection(r: ResourceRequest): Promise<void> {
  const info = r.registry.info;
  const opts = await deleteOptions(r);
  warnOrphanDefault(r, opts);
  const deleted = await r.registry.deleteCollection(r.namespace, selectors(r), opts);
  sendJSON(
    r.res,
    200,
    JSON.stringify({ kind: info.listKind, apiVersion: apiVersionOf(info), metadata: {}, items: deleted }),
  );
}
