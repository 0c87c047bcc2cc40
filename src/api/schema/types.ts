/**
 * The structural schema of the API's kinds: what the decoder prunes and
 * type-checks against, what strategic merge patch and server-side apply
 * read list and map semantics from, and what /openapi/v3 publishes.
 *
 * Nodes reference each other directly (the graph may be cyclic); `name` is
 * the OpenAPI definition name (`io.k8s.api.core.v1.ServiceSpec`) when the node
 * is a named definition.
 */

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

interface Documented {
  description?: string;
}

/** A struct: a fixed set of named fields. */
export interface ObjectSchema extends Documented {
  type: 'object';
  name?: string;
  properties: Record<string, Schema>;
  required?: string[];
  /** `+structType=atomic`: applied and patched as a whole. Default granular. */
  structType?: 'atomic' | 'granular';
  /** For top-level kinds: the GVKs this definition serves (x-kubernetes-group-version-kind). */
  gvk?: GroupVersionKind[];
}

/** A map with string keys (JSON object with arbitrary keys), e.g. labels. */
export interface MapSchema extends Documented {
  type: 'map';
  name?: string;
  values: Schema;
  /** `+mapType=atomic`. Default granular. */
  mapType?: 'atomic' | 'granular';
  /** The Go type when it is a named one (`v1.ResourceList`), for decode errors. */
  goType?: string;
}

export interface ArraySchema extends Documented {
  type: 'array';
  items: Schema;
  /** Server-side apply semantics (`+listType`); built-in lists default to atomic. */
  listType: 'atomic' | 'set' | 'map';
  /** For listType map: the keys that identify an item (`+listMapKey`). */
  listMapKeys?: string[];
  /** Strategic merge patch semantics (`patchStrategy` struct tag). Absent: replace. */
  patchStrategy?: 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';
  /** Strategic merge patch merge key (`patchMergeKey` struct tag). */
  patchMergeKey?: string;
}

export interface ScalarSchema extends Documented {
  type: 'string' | 'integer' | 'number' | 'boolean';
  name?: string;
  /** OpenAPI format: int32, int64, double, byte, date-time, ... */
  format?: string;
  enum?: string[];
  /** The Go type when it is a named one (`v1.ServiceType`, `types.UID`), for decode errors. */
  goType?: string;
  /** The value the API server defaults this field to (server-side apply needs list-map key defaults). */
  default?: unknown;
}

/** A value that is either an integer or a string (`intstr.IntOrString`). */
export interface IntOrStringSchema extends Documented {
  type: 'int-or-string';
  name?: string;
}

/** A `resource.Quantity`: a string or a number, normalised to a string. */
export interface QuantitySchema extends Documented {
  type: 'quantity';
  name?: string;
}

/** Anything: preserved as is (e.g. `fieldsV1`, `runtime.RawExtension`). */
export interface AnySchema extends Documented {
  type: 'any';
  name?: string;
}

export type Schema =
  | ObjectSchema
  | MapSchema
  | ArraySchema
  | ScalarSchema
  | IntOrStringSchema
  | QuantitySchema
  | AnySchema;
