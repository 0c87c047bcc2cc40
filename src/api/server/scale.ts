/**
 * The `scale` subresource of any resource that lists it (deployments,
 * replicasets, statefulsets): an autoscaling/v1 Scale view of the object's
 * spec.replicas, status.replicas and selector. GET reads it; PUT and PATCH
 * (merge, strategic, json) write spec.replicas on the object, honouring a
 * resourceVersion the client gives — what `kubectl scale` does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { FieldPath, fieldErrors } from '../../k8s/field.js';
import { StatusError, statusErrors } from '../../k8s/status.js';
import type { KubeObject } from '../registry/strategy.js';
import { groupResource, type ResourceInfo } from '../resource.js';
import type { Registry } from '../storage/registry.js';
import { IsNegativeErrorMsg } from '../validation/meta.js';
import { decodeObject, type FieldValidation, patchObject } from './codec.js';
import { bodyFormat, patchType } from './negotiate.js';
import { sendJSON } from './respond.js';

export interface Scale {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
  };
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

interface Scalable extends KubeObject {
  spec?: { replicas?: number; selector?: LabelSelector };
  status?: { replicas?: number };
}

/** metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key. */
export function selectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const e of sel.matchExpressions ?? []) {
    const values = [...new Set(e.values ?? [])].sort().join(',');
    const text =
      e.operator === 'In'
        ? `${e.key} in (${values})`
        : e.operator === 'NotIn'
          ? `${e.key} notin (${values})`
          : e.operator === 'Exists'
            ? e.key
            : `!${e.key}`;
    reqs.push([e.key, text]);
  }
  reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return reqs.map((r) => r[1]).join(',');
}

/** A ReplicationController's selector is a label map (upstream scaleFromRC: SelectorFromSet). */
function scaleSelector(obj: KubeObject): string {
  const spec = (obj as { spec?: { selector?: unknown } }).spec;
  if (obj.kind === 'ReplicationController')
    return selectorString({ matchLabels: (spec?.selector ?? {}) as Record<string, string> });
  return selectorString(spec?.selector as LabelSelector | undefined);
}

/** The Scale of an object (upstream scaleFromDeployment and friends). */
export function scaleOf(obj: KubeObject): Scale {
  const o = obj as Scalable;
  const m = o.metadata ?? {};
  const metadata: Scale['metadata'] = {};
  if (m.name !== undefined) metadata.name = m.name;
  if (m.namespace !== undefined) metadata.namespace = m.namespace;
  if (m.uid !== undefined) metadata.uid = m.uid;
  if (m.resourceVersion !== undefined) metadata.resourceVersion = m.resourceVersion;
  if (m.creationTimestamp !== undefined) metadata.creationTimestamp = m.creationTimestamp;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: scaleSelector(obj) },
  };
}

/** ValidateScale: replicas must not be negative. */
function validateScale(scale: Scale): void {
  const replicas = scale.spec?.replicas ?? 0;
  if (replicas < 0) {
    throw statusErrors.invalid({ group: 'autoscaling', kind: 'Scale' }, scale.metadata?.name ?? '', [
      fieldErrors.invalid(FieldPath.root('spec', 'replicas'), replicas, IsNegativeErrorMsg),
    ]);
  }
}

/** A stand-in ResourceInfo so the codec decodes and patches autoscaling/v1 Scale bodies. */
function scaleInfo(parent: ResourceInfo): ResourceInfo {
  return { ...parent, group: 'autoscaling', version: 'v1', kind: 'Scale', subresources: [] };
}

export interface ScaleRequest {
  method: string;
  registry: Registry;
  namespace: string;
  name: string;
  query: URLSearchParams;
  body: () => Promise<Buffer>;
  req: IncomingMessage;
  res: ServerResponse;
}

function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation') ?? '';
  return v === 'Strict' || v === 'Ignore' ? v : 'Warn';
}

export async function handleScale(r: ScaleRequest): Promise<void> {
  const info = r.registry.info;
  if (r.method === 'GET') {
    const o = await r.registry.get(r.namespace, r.name);
    return sendJSON(r.res, 200, JSON.stringify(scaleOf(o.obj as KubeObject)));
  }
  const dryRun = r.query.getAll('dryRun').includes('All');
  const sInfo = scaleInfo(info);
  let wanted: Scale | undefined;
  let patch: { type: ReturnType<typeof patchType>; body: Buffer } | undefined;
  if (r.method === 'PUT') {
    const format = bodyFormat(r.req.headers['content-type']);
    wanted = decodeObject(sInfo, await r.body(), format, fieldValidation(r.query)).obj as unknown as Scale;
    if (wanted.metadata?.name !== undefined && wanted.metadata.name !== r.name) {
      throw statusErrors.badRequest(
        `the name of the object (${wanted.metadata.name}) does not match the name on the URL (${r.name})`,
      );
    }
  } else if (r.method === 'PATCH') {
    const type = patchType(r.req.headers['content-type']);
    if (type === 'apply') throw statusErrors.unsupportedMediaType();
    patch = { type, body: await r.body() };
  } else {
    throw new StatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }
  const result = await r.registry.update(
    r.namespace,
    r.name,
    (current) => {
      if (!current) throw statusErrors.notFound(groupResource(info), r.name);
      let scale = wanted;
      if (patch) {
        scale = patchObject(sInfo, scaleOf(current) as unknown as KubeObject, {
          type: patch.type,
          body: patch.body,
          fieldValidation: fieldValidation(r.query),
          manager: 'scale',
          force: false,
          subresource: 'scale',
        }).obj as unknown as Scale;
      }
      validateScale(scale!);
      const next = current as Scalable;
      next.spec = { ...next.spec, replicas: scale!.spec?.replicas ?? 0 };
      // A Scale that names a version updates only that version of the object.
      const rv = scale!.metadata?.resourceVersion;
      next.metadata = { ...next.metadata, resourceVersion: rv || next.metadata?.resourceVersion };
      return next;
    },
    { dryRun },
  );
  sendJSON(r.res, 200, JSON.stringify(scaleOf(result.object)));
}
