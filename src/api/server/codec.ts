/**
 * Turning request bodies into objects and objects into response shapes,
 * over the schema, protobuf, patch, field manager and printer modules:
 * decode (JSON/YAML/protobuf, strict field validation), patch (four types),
 * managedFields bookkeeping, and meta.k8s.io Tables.
 */
import { fieldErrors } from '../../k8s/field.js';
import { statusErrors } from '../../k8s/status.js';
import { recordUpdate, apply as serverSideApply } from '../fieldmanager/index.js';
import {
  applyPatch,
  applyStrictError,
  decodeApplyPatch,
  type JsonObject,
  PatchTypes,
  strictPatchError,
} from '../patch/index.js';
import { tableConvertorFor } from '../printers/index.js';
import { decodeProtobuf } from '../protobuf/index.js';
import type { KubeObject } from '../registry/strategy.js';
import { apiVersionOf, type ResourceInfo } from '../resource.js';
import { analyze, checkObject, decodeBody } from '../schema/decode.js';
import { schemaForKind } from '../schema/index.js';
import type { ObjectSchema } from '../schema/types.js';
import type { BodyFormat, PatchType, ResponseShape } from './negotiate.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface Decoded {
  obj: KubeObject;
  warnings: string[];
}

export function schemaOf(info: ResourceInfo): ObjectSchema {
  const s = schemaForKind({ group: info.group, version: info.version, kind: info.kind });
  if (!s) throw statusErrors.internal(new Error(`no schema for ${info.kind}`));
  return s;
}

const decodeOpts = (info: ResourceInfo, fieldValidation: FieldValidation) => ({
  group: info.group,
  version: info.version,
  kind: info.kind,
  fieldValidation,
});

/** Checks apiVersion/kind in a body against the endpoint and fills them in, first, as upstream serialises. */
function checkTypeMeta(info: ResourceInfo, obj: KubeObject): KubeObject {
  const want = apiVersionOf(info);
  if (obj.apiVersion && obj.apiVersion !== want) {
    throw statusErrors.badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`,
    );
  }
  if (obj.kind && obj.kind !== info.kind) {
    throw statusErrors.badRequest(
      `${obj.kind} in version "${info.version}" cannot be handled as a ${info.kind}: the object provided is of kind ${obj.kind}, not ${info.kind}`,
    );
  }
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { apiVersion: want, kind: info.kind, ...rest };
}

export function decodeObject(
  info: ResourceInfo,
  body: Buffer,
  format: BodyFormat,
  fieldValidation: FieldValidation,
): Decoded {
  let result: { obj: Record<string, unknown>; warnings: string[] };
  if (format === 'protobuf') {
    const d = decodeProtobuf(body, { apiVersion: apiVersionOf(info), kind: info.kind });
    result = checkObject(
      { ...d.object, apiVersion: d.apiVersion, kind: d.kind },
      schemaOf(info),
      decodeOpts(info, fieldValidation),
    );
  } else {
    result = decodeBody(body.toString('utf8'), format, schemaOf(info), decodeOpts(info, fieldValidation));
  }
  return { obj: checkTypeMeta(info, result.obj as KubeObject), warnings: result.warnings };
}

export interface PatchRequest {
  type: PatchType;
  body: Buffer;
  fieldValidation: FieldValidation;
  manager: string;
  force: boolean;
  subresource: string;
}

/** What managedFields ignore on each endpoint: status on the main resource, spec on /status (upstream resetFields). */
function resetFields(info: ResourceInfo, subresource: string): string[][] {
  if (!info.subresources.includes('status')) return [];
  return subresource === 'status' ? [['spec']] : [['status']];
}

/** Applies a patch of any type to the current object (undefined only for apply, which creates). */
export function patchObject(info: ResourceInfo, current: KubeObject | undefined, req: PatchRequest): Decoded {
  const schema = schemaOf(info);
  const time = new Date();
  const text = req.body.toString('utf8');
  const warnings: string[] = [];
  if (req.type === 'apply') {
    const applied = decodeApplyPatch(text);
    const merged = serverSideApply(current as JsonObject | undefined, applied.patch, {
      manager: req.manager,
      force: req.force,
      time,
      apiVersion: apiVersionOf(info),
      schema,
      kind: info.kind,
      resetFields: resetFields(info, req.subresource),
    });
    if (applied.strictError) {
      if (req.fieldValidation === 'Strict') throw applyStrictError(applied.strictError);
      if (req.fieldValidation === 'Warn') warnings.push(applied.strictError);
    }
    const checked = checkObject(merged, schema, decodeOpts(info, 'Ignore'));
    return { obj: checkTypeMeta(info, checked.obj as KubeObject), warnings };
  }
  if (!current) throw statusErrors.internal(new Error('patch of a missing object'));
  const type = PatchTypes[req.type];
  const out = applyPatch(type, current as JsonObject, text, { schema, fieldValidation: req.fieldValidation });
  const an = analyze(out.object, schema);
  if (an.error) {
    throw statusErrors.invalid({ group: '', kind: '' }, '', [
      fieldErrors.invalid('patch', JSON.stringify(out.object), an.error),
    ]);
  }
  const strict = [...out.strictErrors, ...an.strictErrors];
  if (strict.length && req.fieldValidation === 'Strict')
    throw strictPatchError(type, out.object, text, strict);
  if (req.fieldValidation === 'Warn') warnings.push(...strict);
  const obj = checkTypeMeta(info, an.obj as KubeObject);
  stampManagedFields(info, current, obj, req.manager, req.subresource, time);
  return { obj, warnings };
}

/** Records the writer of a non-apply write in managedFields. */
export function stampManagedFields(
  info: ResourceInfo,
  current: KubeObject | undefined,
  updated: KubeObject,
  manager: string,
  subresource: string,
  time = new Date(),
): void {
  const managedFields = recordUpdate(current as JsonObject | undefined, updated as JsonObject, {
    manager,
    subresource,
    time,
    apiVersion: apiVersionOf(info),
    schema: schemaOf(info),
    resetFields: resetFields(info, subresource),
  });
  const meta = { ...updated.metadata } as Record<string, unknown>;
  if (managedFields.length) meta.managedFields = managedFields;
  else delete meta.managedFields;
  updated.metadata = meta;
}

/** A meta.k8s.io Table of objects (one row each, as the printers make them). */
export function tableJSON(
  info: ResourceInfo,
  objects: readonly KubeObject[],
  shape: Extract<ResponseShape, { as: 'Table' }>,
  includeObject: string,
  listMeta: Record<string, unknown>,
  withHeaders = true,
): string {
  const conv = tableConvertorFor(info.group, info.kind);
  const now = new Date();
  // Built as text, the same bytes as JSON.stringify of the Table: each row's
  // object part is JSON that the watch cache's frozen objects can reuse.
  const rows: string[] = [];
  for (const o of objects) {
    const object =
      includeObject === 'Object'
        ? JSON.stringify(o)
        : includeObject !== 'None'
          ? partialMetadataJSON(o, shape.version)
          : undefined;
    const conditions = conv.conditions?.(o);
    for (const cells of conv.rows(o, now)) {
      let row = `{"cells":${JSON.stringify(cells)}`;
      if (conditions) row += `,"conditions":${JSON.stringify(conditions)}`;
      if (object !== undefined) row += `,"object":${object}`;
      rows.push(`${row}}`);
    }
  }
  const head = JSON.stringify({
    kind: 'Table',
    apiVersion: `meta.k8s.io/${shape.version}`,
    metadata: listMeta,
    columnDefinitions: withHeaders ? conv.columns : [],
  });
  return `${head.slice(0, -1)},"rows":[${rows.join(',')}]}`;
}

/**
 * JSON of metadata, remembered for frozen metadata: the watch cache's objects
 * are deep-frozen and shared, so every Table list after the first reuses it.
 */
const metadataJSON = new WeakMap<object, string>();
function partialMetadataJSON(o: KubeObject, version: string): string {
  const head = `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/${version}"`;
  const meta = o.metadata;
  if (meta === undefined) return `${head}}`;
  let json = metadataJSON.get(meta);
  if (json === undefined) {
    json = JSON.stringify(meta);
    if (meta !== null && Object.isFrozen(meta)) metadataJSON.set(meta, json);
  }
  return `${head},"metadata":${json}}`;
}

export function partialMetadata(o: KubeObject, version = 'v1'): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata };
}
