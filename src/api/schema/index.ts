/**
 * The API's schemas at run time: dist/schemas/definitions.json (written by
 * tools/gen-schemas.ts) loaded once and turned into the Schema graph of
 * types.ts. Named definitions become shared nodes, so the graph is cyclic
 * where the API is (e.g. JSONSchemaProps would be; ours are trees).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GO_TYPE_KEY, INT_OR_STRING, QUANTITY } from './facts.js';
import type {
  ArraySchema,
  GroupVersionKind,
  MapSchema,
  ObjectSchema,
  ScalarSchema,
  Schema,
} from './types.js';

export type { GroupVersionKind, ObjectSchema, Schema } from './types.js';

/** One OpenAPI v3 schema object as definitions.json holds it. */
export interface OpenAPISchema {
  $ref?: string;
  allOf?: OpenAPISchema[];
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenAPISchema>;
  required?: string[];
  items?: OpenAPISchema;
  additionalProperties?: OpenAPISchema;
  enum?: string[];
  default?: unknown;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-patch-strategy'?: ArraySchema['patchStrategy'];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  [GO_TYPE_KEY]?: string;
}

const REF_PREFIX = '#/components/schemas/';

/** Where definitions.json lives: $SVCNET_DEFINITIONS, else the nearest dist/schemas above this module. */
export function definitionsPath(): string {
  const env = process.env.SVCNET_DEFINITIONS;
  if (env) return env;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const p of [
      join(dir, 'dist', 'schemas', 'definitions.json'),
      join(dir, 'schemas', 'definitions.json'),
    ]) {
      if (existsSync(p)) return p;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(
    'dist/schemas/definitions.json not found: run `npm run build` (node dist/tools/gen-schemas.js) first',
  );
}

interface Loaded {
  raw: Readonly<Record<string, OpenAPISchema>>;
  nodes: ReadonlyMap<string, Schema>;
  byGVK: ReadonlyMap<string, ObjectSchema>;
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (!loaded) {
    const raw = JSON.parse(readFileSync(definitionsPath(), 'utf8')) as Record<string, OpenAPISchema>;
    loaded = build(raw);
  }
  return loaded;
}

const gvkKey = (g: GroupVersionKind) => `${g.group}/${g.version}/${g.kind}`;

/** Builds the graph: a node per definition first, then their properties, so references can be shared. */
function build(raw: Readonly<Record<string, OpenAPISchema>>): Loaded {
  const nodes = new Map<string, Schema>();
  const byGVK = new Map<string, ObjectSchema>();
  for (const [name, def] of Object.entries(raw)) {
    const description = def.description;
    if (name === INT_OR_STRING) nodes.set(name, { type: 'int-or-string', name, description });
    else if (name === QUANTITY) nodes.set(name, { type: 'quantity', name, description });
    else if (def.type === 'object' && !def.properties) nodes.set(name, { type: 'any', name, description });
    else if (def.type === 'object') {
      const node: ObjectSchema = { type: 'object', name, description, properties: {} };
      if (def.required) node.required = def.required;
      if (def['x-kubernetes-map-type'] === 'atomic') node.structType = 'atomic';
      const gvks = def['x-kubernetes-group-version-kind'];
      if (gvks) {
        node.gvk = gvks;
        for (const g of gvks) byGVK.set(gvkKey(g), node);
      }
      nodes.set(name, node);
    } else nodes.set(name, { ...convert(def, nodes), name } as Schema);
  }
  for (const [name, def] of Object.entries(raw)) {
    const node = nodes.get(name)!;
    if (node.type !== 'object') continue;
    for (const [p, s] of Object.entries(def.properties ?? {})) node.properties[p] = convert(s, nodes);
  }
  return { raw, nodes, byGVK };
}

function refTarget(s: OpenAPISchema): string | undefined {
  const ref = s.$ref ?? s.allOf?.[0]?.$ref;
  return ref?.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

function convert(s: OpenAPISchema, nodes: ReadonlyMap<string, Schema>): Schema {
  const target = refTarget(s);
  if (target) {
    const node = nodes.get(target);
    if (!node) throw new Error(`definitions.json: dangling reference to ${target}`);
    return node;
  }
  const description = s.description;
  if (s.type === 'array') {
    const a: ArraySchema = {
      type: 'array',
      description,
      items: convert(s.items ?? {}, nodes),
      listType: s['x-kubernetes-list-type'] ?? 'atomic',
    };
    if (s['x-kubernetes-list-map-keys']) a.listMapKeys = s['x-kubernetes-list-map-keys'];
    if (s['x-kubernetes-patch-strategy']) a.patchStrategy = s['x-kubernetes-patch-strategy'];
    if (s['x-kubernetes-patch-merge-key']) a.patchMergeKey = s['x-kubernetes-patch-merge-key'];
    return a;
  }
  if (s.type === 'object') {
    if (!s.additionalProperties) return { type: 'any', description };
    const values = convert(s.additionalProperties, nodes);
    const m: MapSchema = { type: 'map', description, values };
    if (s['x-kubernetes-map-type']) m.mapType = s['x-kubernetes-map-type'];
    if (values.type === 'quantity') m.goType = 'v1.ResourceList';
    return m;
  }
  if (s.type === 'string' || s.type === 'integer' || s.type === 'number' || s.type === 'boolean') {
    const sc: ScalarSchema = { type: s.type, description };
    if (s.format) sc.format = s.format;
    if (s.enum) sc.enum = s.enum;
    if (s.default !== undefined) sc.default = s.default;
    if (s[GO_TYPE_KEY]) sc.goType = s[GO_TYPE_KEY];
    return sc;
  }
  return { type: 'any', description };
}

/** The schema of a served kind (by its x-kubernetes-group-version-kind). */
export function schemaForKind(gvk: GroupVersionKind): ObjectSchema | undefined {
  return load().byGVK.get(gvkKey(gvk));
}

/** A named definition: `io.k8s.api.core.v1.ServiceSpec`. */
export function definition(name: string): Schema | undefined {
  return load().nodes.get(name);
}

/** Every named definition, by name. */
export function allDefinitions(): ReadonlyMap<string, Schema> {
  return load().nodes;
}

/** The definitions as OpenAPI v3 component schemas (includes private `x-svcnet-` keys). */
export function openapiDefinitions(): Readonly<Record<string, OpenAPISchema>> {
  return load().raw;
}
