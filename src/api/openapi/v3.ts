/**
 * /openapi/v3: an index of documents (one per group-version, plus the
 * discovery roots `api`, `apis` and `apis/<group>`), each an OpenAPI 3.0
 * document with the operations served and every component schema they reach.
 * kubectl reads these for `explain` and to learn that the server validates
 * fields itself (a PATCH operation with the kind's GVK and a fieldValidation
 * parameter), after which it sends fieldValidation=Strict.
 *
 * Documents are built once from the served resources; the caller serves
 * `index` and `documents.get(path)` and may use `hash` as the ETag.
 */
import { createHash } from 'node:crypto';
import { type GVK, kindsByDefinition } from '../schema/facts.js';
import { type OpenAPISchema, openapiDefinitions } from '../schema/index.js';
import { groupVersionPaths, type KindInfo, ref, type ServedResource, tagOf } from './operations.js';

export type { ServedResource, ServedSubresource } from './operations.js';

export interface OpenAPIDocument {
  json: string;
  /** Upper-case hex SHA-512 of `json`, as kube-openapi computes it. */
  hash: string;
}

export interface OpenAPIV3 {
  /** JSON of /openapi/v3. */
  index: string;
  /** Documents by path: `api/v1`, `apis/apps/v1`, `api`, `apis`, `apis/apps`. */
  documents: Map<string, OpenAPIDocument>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const REF = /"\$ref":"#\/components\/schemas\/([^"]+)"/g;

const gvkKey = (g: GVK) => `${g.group}/${g.version}/${g.kind}`;

/** Definition names by the GVK they carry, for resolving a served kind to its schema. */
function kindIndex(): Map<string, string> {
  const m = new Map<string, string>();
  for (const [def, gvks] of kindsByDefinition) for (const g of gvks) m.set(gvkKey(g), def);
  return m;
}

function kindInfoResolver(defs: Readonly<Record<string, OpenAPISchema>>): (gvk: GVK) => KindInfo {
  const byGVK = kindIndex();
  const byKind = new Map<string, GVK>();
  for (const [, gvks] of kindsByDefinition) if (gvks.length === 1) byKind.set(gvks[0]!.kind, gvks[0]!);
  return (wanted) => {
    const gvk = wanted.version ? wanted : (byKind.get(wanted.kind) ?? wanted);
    const definition = byGVK.get(gvkKey(gvk));
    if (!definition || !defs[definition]) throw new Error(`openapi: no schema for ${gvkKey(gvk)}`);
    const list = byGVK.get(gvkKey({ ...gvk, kind: `${gvk.kind}List` }));
    return { gvk, definition, listDefinition: list && defs[list] ? list : undefined };
  };
}

/** The definitions a set of paths reaches, transitively. */
function reachable(paths: JsonObject, defs: Readonly<Record<string, OpenAPISchema>>): string[] {
  const seen = new Set<string>();
  const queue = [...JSON.stringify(paths).matchAll(REF)].map((m) => m[1]!);
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    const def = defs[name];
    if (!def) throw new Error(`openapi: reference to unknown definition ${name}`);
    seen.add(name);
    for (const m of JSON.stringify(def).matchAll(REF)) queue.push(m[1]!);
  }
  return [...seen].sort();
}

/** Drops the private `x-svcnet-*` keys and sorts object keys, as upstream serialises maps. */
function publish(v: unknown): Json {
  if (Array.isArray(v)) return v.map(publish);
  if (v && typeof v === 'object') {
    const o: JsonObject = {};
    for (const k of Object.keys(v).sort()) {
      if (k.startsWith('x-svcnet-')) continue;
      o[k] = publish((v as Record<string, unknown>)[k]);
    }
    return o;
  }
  return v as Json;
}

function document(paths: JsonObject, defs: Readonly<Record<string, OpenAPISchema>>): OpenAPIDocument {
  const schemas: Record<string, unknown> = {};
  for (const name of reachable(paths, defs)) schemas[name] = defs[name];
  const doc = {
    components: {
      schemas,
      securitySchemes: {
        BearerToken: {
          description: 'Bearer Token authentication',
          in: 'header',
          name: 'authorization',
          type: 'apiKey',
        },
      },
    },
    info: { title: 'Kubernetes', version: 'unversioned' },
    openapi: '3.0.0',
    paths,
  };
  const json = JSON.stringify(publish(doc));
  return { json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
}

const okResponse = (schema: JsonObject): JsonObject => ({
  content: Object.fromEntries(
    ['application/json', 'application/vnd.kubernetes.protobuf', 'application/yaml'].map((t) => [
      t,
      { schema },
    ]),
  ),
  description: 'OK',
});

/** A discovery root document: one GET returning APIVersions, APIGroupList or APIGroup. */
function discoveryPaths(
  path: string,
  operationId: string,
  description: string,
  tag: string,
  def: string,
): JsonObject {
  return {
    [path]: {
      get: {
        description,
        operationId,
        responses: { 200: okResponse(ref(`${META}${def}`)), 401: { description: 'Unauthorized' } },
        tags: [tag],
      },
    },
  };
}

/** Builds /openapi/v3 and its documents for the served resources. */
export function buildOpenAPIV3(resources: readonly ServedResource[]): OpenAPIV3 {
  const defs = openapiDefinitions();
  const kindInfo = kindInfoResolver(defs);
  const byGV = new Map<string, ServedResource[]>();
  for (const r of resources) {
    const key = r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
    const list = byGV.get(key) ?? [];
    list.push(r);
    byGV.set(key, list);
  }

  const documents = new Map<string, OpenAPIDocument>();
  documents.set(
    'api',
    document(
      discoveryPaths('/api/', 'getCoreAPIVersions', 'get available API versions', 'core', 'APIVersions'),
      defs,
    ),
  );
  documents.set(
    'apis',
    document(
      discoveryPaths('/apis/', 'getAPIVersions', 'get available API versions', 'apis', 'APIGroupList'),
      defs,
    ),
  );
  const groups = new Set(resources.map((r) => r.group).filter((g) => g));
  for (const g of [...groups].sort()) {
    const word = tagOf(g, '').slice(0, -1);
    const opId = `get${word.charAt(0).toUpperCase()}${word.slice(1)}APIGroup`;
    documents.set(
      `apis/${g}`,
      document(discoveryPaths(`/apis/${g}/`, opId, 'get information of a group', word, 'APIGroup'), defs),
    );
  }
  for (const [key, list] of [...byGV].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const { group, version } = list[0]!;
    documents.set(key, document(groupVersionPaths(group, version, list, kindInfo), defs));
  }

  const index: JsonObject = {};
  for (const [path, doc] of [...documents].sort(([a], [b]) => (a < b ? -1 : 1))) {
    index[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${doc.hash}` };
  }
  return { index: JSON.stringify({ paths: index }), documents };
}
