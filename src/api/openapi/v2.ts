/**
 * /openapi/v2: the Swagger 2.0 document kube-apiserver still serves, derived
 * from the same paths and component schemas as /openapi/v3 (so the two never
 * disagree), in JSON and in the protobuf form client-go's discovery client
 * asks for (gnostic's openapi.v2.Document). kubectl reads it when the v3
 * documents do not answer its question: `apply` of a kind the server does not
 * serve falls back to v2 to learn whether to validate on the client, and
 * aborts the whole file when v2 cannot be downloaded.
 */
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import type { OpenAPIV3 } from './v3.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export interface OpenAPIV2 {
  json: Buffer;
  jsonETag: string;
  proto: Buffer;
  protoETag: string;
}

const V3_REF = '#/components/schemas/';
const V2_REF = '#/definitions/';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

const isObject = (v: Json | undefined): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);

/** A v3 schema as v2 writes it: `#/definitions/` refs, `allOf: [one $ref]` as that $ref. */
export function schemaV2(s: Json): Json {
  if (Array.isArray(s)) return s.map(schemaV2);
  if (!isObject(s)) return s;
  const out: JsonObject = {};
  const allOf = s.allOf;
  const single = Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) ? allOf[0] : undefined;
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace(V3_REF, V2_REF);
    else if (single?.$ref !== undefined && (k === 'allOf' || k === 'default')) continue;
    else if (k === 'properties' && isObject(v)) {
      out.properties = Object.fromEntries(Object.entries(v).map(([n, p]) => [n, schemaV2(p)]));
    } else out[k] = k.startsWith('x-') || k === 'enum' || k === 'default' ? v : schemaV2(v);
  }
  if (single?.$ref !== undefined) out.$ref = String(single.$ref).replace(V3_REF, V2_REF);
  return out;
}

/** A v3 parameter (`schema: {type}`) as a v2 one (the type inline). */
function parameterV2(p: JsonObject): JsonObject {
  const { schema, ...rest } = p;
  return { ...rest, ...(isObject(schema) ? schema : {}) };
}

function operationV2(op: JsonObject): JsonObject {
  const out: JsonObject = {};
  const produces = new Set<string>();
  const params: Json[] = Array.isArray(op.parameters) ? op.parameters.filter(isObject).map(parameterV2) : [];
  for (const [k, v] of Object.entries(op)) {
    if (k === 'parameters') continue;
    if (k === 'requestBody' && isObject(v)) {
      const content = isObject(v.content) ? v.content : {};
      const first = Object.values(content).find(isObject);
      // Upstream puts the body first among an operation's own parameters.
      params.unshift({
        in: 'body',
        name: 'body',
        ...(v.required === true ? { required: true } : {}),
        schema: schemaV2(first?.schema ?? {}),
      });
      out.consumes = Object.keys(content);
    } else if (k === 'responses' && isObject(v)) {
      const responses: JsonObject = {};
      for (const [code, r] of Object.entries(v)) {
        if (!isObject(r)) continue;
        const content = isObject(r.content) ? r.content : {};
        for (const t of Object.keys(content)) produces.add(t);
        const first = Object.values(content).find(isObject);
        responses[code] = {
          description: r.description ?? '',
          ...(first?.schema ? { schema: schemaV2(first.schema) } : {}),
        };
      }
      out.responses = responses;
    } else out[k] = v;
  }
  if (params.length) out.parameters = params;
  if (produces.size) out.produces = [...produces];
  out.schemes = ['https'];
  return out;
}

/** Sorted keys, as Go's encoding/json writes maps. */
function sorted(v: Json): Json {
  if (Array.isArray(v)) return v.map(sorted);
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sorted(v[k]!)]),
  );
}

/** The Swagger 2.0 document of everything the v3 documents describe. */
export function openAPIV2Document(v3: OpenAPIV3, version: string): JsonObject {
  const paths: JsonObject = {};
  const definitions: JsonObject = {};
  for (const doc of v3.documents.values()) {
    const d = JSON.parse(doc.json) as JsonObject;
    const schemas = isObject(d.components) && isObject(d.components.schemas) ? d.components.schemas : {};
    for (const [name, s] of Object.entries(schemas)) definitions[name] ??= schemaV2(s);
    for (const [path, item] of Object.entries(isObject(d.paths) ? d.paths : {})) {
      if (!isObject(item)) continue;
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(item)) {
        if ((METHODS as readonly string[]).includes(k) && isObject(v)) out[k] = operationV2(v);
        else if (k === 'parameters' && Array.isArray(v)) out.parameters = v.filter(isObject).map(parameterV2);
        else out[k] = v;
      }
      paths[path] = out;
    }
  }
  return sorted({
    definitions,
    info: { title: 'Kubernetes', version },
    paths,
    security: [{ BearerToken: [] }],
    securityDefinitions: {
      BearerToken: {
        description: 'Bearer Token authentication',
        in: 'header',
        name: 'authorization',
        type: 'apiKey',
      },
    },
    swagger: '2.0',
  }) as JsonObject;
}

/**
 * The messages of gnostic's OpenAPIv2.proto (github.com/google/gnostic-models,
 * openapiv2/OpenAPIv2.proto, Copyright 2020 Google LLC, Apache License 2.0)
 * that the document uses, with that file's field numbers; fields we never
 * write are left out (a decoder skips nothing it expects).
 */
const GNOSTIC_V2_SUBSET = `
syntax = "proto3";
package openapi.v2;
message Any { string yaml = 2; }
message NamedAny { string name = 1; Any value = 2; }
message Document {
  string swagger = 1; Info info = 2; Paths paths = 8; Definitions definitions = 9;
  repeated SecurityRequirement security = 12; SecurityDefinitions security_definitions = 13;
  repeated NamedAny vendor_extension = 16;
}
message Info { string title = 1; string version = 2; string description = 3; }
message Paths { repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2; }
message NamedPathItem { string name = 1; PathItem value = 2; }
message PathItem {
  string _ref = 1; Operation get = 2; Operation put = 3; Operation post = 4; Operation delete = 5;
  Operation options = 6; Operation head = 7; Operation patch = 8;
  repeated ParametersItem parameters = 9; repeated NamedAny vendor_extension = 10;
}
message Operation {
  repeated string tags = 1; string summary = 2; string description = 3; string operation_id = 5;
  repeated string produces = 6; repeated string consumes = 7; repeated ParametersItem parameters = 8;
  Responses responses = 9; repeated string schemes = 10; bool deprecated = 11;
  repeated NamedAny vendor_extension = 13;
}
message ParametersItem { oneof oneof { Parameter parameter = 1; } }
message Parameter { oneof oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } }
message BodyParameter {
  string description = 1; string name = 2; string in = 3; bool required = 4; Schema schema = 5;
  repeated NamedAny vendor_extension = 6;
}
message NonBodyParameter {
  oneof oneof { QueryParameterSubSchema query_parameter_sub_schema = 3; PathParameterSubSchema path_parameter_sub_schema = 4; }
}
message QueryParameterSubSchema {
  bool required = 1; string in = 2; string description = 3; string name = 4; string type = 6;
  string format = 7; bool unique_items = 20; repeated NamedAny vendor_extension = 23;
}
message PathParameterSubSchema {
  bool required = 1; string in = 2; string description = 3; string name = 4; string type = 5;
  string format = 6; bool unique_items = 19; repeated NamedAny vendor_extension = 22;
}
message Responses { repeated NamedResponseValue response_code = 1; repeated NamedAny vendor_extension = 2; }
message NamedResponseValue { string name = 1; ResponseValue value = 2; }
message ResponseValue { oneof oneof { Response response = 1; } }
message Response { string description = 1; SchemaItem schema = 2; repeated NamedAny vendor_extension = 5; }
message SchemaItem { oneof oneof { Schema schema = 1; } }
message Schema {
  string _ref = 1; string format = 2; string title = 3; string description = 4; Any default = 5;
  double multiple_of = 6; double maximum = 7; bool exclusive_maximum = 8; double minimum = 9;
  bool exclusive_minimum = 10; int64 max_length = 11; int64 min_length = 12; string pattern = 13;
  int64 max_items = 14; int64 min_items = 15; bool unique_items = 16; int64 max_properties = 17;
  int64 min_properties = 18; repeated string required = 19; repeated Any enum = 20;
  AdditionalPropertiesItem additional_properties = 21; TypeItem type = 22; ItemsItem items = 23;
  repeated Schema all_of = 24; Properties properties = 25; string discriminator = 26;
  bool read_only = 27; Any example = 30; repeated NamedAny vendor_extension = 31;
}
message AdditionalPropertiesItem { oneof oneof { Schema schema = 1; bool boolean = 2; } }
message TypeItem { repeated string value = 1; }
message ItemsItem { repeated Schema schema = 1; }
message Properties { repeated NamedSchema additional_properties = 1; }
message NamedSchema { string name = 1; Schema value = 2; }
message Definitions { repeated NamedSchema additional_properties = 1; }
message SecurityDefinitions { repeated NamedSecurityDefinitionsItem additional_properties = 1; }
message NamedSecurityDefinitionsItem { string name = 1; SecurityDefinitionsItem value = 2; }
message SecurityDefinitionsItem { oneof oneof { ApiKeySecurity api_key_security = 2; } }
message ApiKeySecurity {
  string type = 1; string name = 2; string in = 3; string description = 4; repeated NamedAny vendor_extension = 5;
}
message SecurityRequirement { repeated NamedStringArray additional_properties = 1; }
message NamedStringArray { string name = 1; StringArray value = 2; }
message StringArray { repeated string value = 1; }
`;

let documentType: protobuf.Type | undefined;
function gnosticDocument(): protobuf.Type {
  documentType ??= protobuf
    .parse(GNOSTIC_V2_SUBSET, { keepCase: true })
    .root.lookupType('openapi.v2.Document');
  return documentType;
}

type Plain = { [k: string]: unknown };

/** gnostic keeps any value it has no message for as YAML text; JSON is YAML. */
const any = (v: Json): Plain => ({ yaml: `${JSON.stringify(v)}\n` });

const extensions = (o: JsonObject): Plain[] =>
  Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, v]) => ({ name, value: any(v) }));

const SCHEMA_SCALARS: Record<string, string> = {
  format: 'format',
  title: 'title',
  description: 'description',
  multipleOf: 'multiple_of',
  maximum: 'maximum',
  exclusiveMaximum: 'exclusive_maximum',
  minimum: 'minimum',
  exclusiveMinimum: 'exclusive_minimum',
  maxLength: 'max_length',
  minLength: 'min_length',
  pattern: 'pattern',
  maxItems: 'max_items',
  minItems: 'min_items',
  uniqueItems: 'unique_items',
  maxProperties: 'max_properties',
  minProperties: 'min_properties',
  discriminator: 'discriminator',
  readOnly: 'read_only',
};

function schemaProto(s: JsonObject): Plain {
  const out: Plain = {};
  for (const [k, v] of Object.entries(s)) {
    const scalar = SCHEMA_SCALARS[k];
    if (scalar) out[scalar] = v;
    else if (k === '$ref') out._ref = v;
    else if (k === 'default' || k === 'example') out[k] = any(v);
    else if (k === 'required' && Array.isArray(v)) out.required = v;
    else if (k === 'enum' && Array.isArray(v)) out.enum = v.map(any);
    else if (k === 'type') out.type = { value: Array.isArray(v) ? v : [v] };
    else if (k === 'items')
      out.items = { schema: (Array.isArray(v) ? v : [v]).filter(isObject).map(schemaProto) };
    else if (k === 'allOf' && Array.isArray(v)) out.all_of = v.filter(isObject).map(schemaProto);
    else if (k === 'additionalProperties')
      out.additional_properties = isObject(v) ? { schema: schemaProto(v) } : { boolean: v === true };
    else if (k === 'properties' && isObject(v))
      out.properties = {
        additional_properties: Object.entries(v)
          .filter((e): e is [string, JsonObject] => isObject(e[1]))
          .map(([name, p]) => ({ name, value: schemaProto(p) })),
      };
  }
  const ext = extensions(s);
  if (ext.length) out.vendor_extension = ext;
  return out;
}

function parameterProto(p: JsonObject): Plain {
  if (p.in === 'body') {
    return {
      parameter: {
        body_parameter: {
          name: p.name,
          in: 'body',
          required: p.required === true,
          ...(p.description ? { description: p.description } : {}),
          schema: schemaProto(isObject(p.schema) ? p.schema : {}),
        },
      },
    };
  }
  const sub: Plain = {
    in: p.in,
    name: p.name,
    required: p.required === true,
    description: p.description ?? '',
    type: p.type ?? '',
    unique_items: p.uniqueItems === true,
    ...(p.format ? { format: p.format } : {}),
  };
  const which = p.in === 'path' ? 'path_parameter_sub_schema' : 'query_parameter_sub_schema';
  return { parameter: { non_body_parameter: { [which]: sub } } };
}

function operationProto(op: JsonObject): Plain {
  const responses = isObject(op.responses) ? op.responses : {};
  return {
    tags: op.tags ?? [],
    description: op.description ?? '',
    operation_id: op.operationId ?? '',
    consumes: op.consumes ?? [],
    produces: op.produces ?? [],
    schemes: op.schemes ?? [],
    parameters: (Array.isArray(op.parameters) ? op.parameters : []).filter(isObject).map(parameterProto),
    responses: {
      response_code: Object.entries(responses)
        .filter((e): e is [string, JsonObject] => isObject(e[1]))
        .map(([name, r]) => ({
          name,
          value: {
            response: {
              description: r.description ?? '',
              ...(isObject(r.schema) ? { schema: { schema: schemaProto(r.schema) } } : {}),
            },
          },
        })),
    },
    vendor_extension: extensions(op),
  };
}

/** The document as gnostic's openapi.v2.Document message. */
export function encodeOpenAPIV2(doc: JsonObject): Buffer {
  const info = isObject(doc.info) ? doc.info : {};
  const paths = isObject(doc.paths) ? doc.paths : {};
  const definitions = isObject(doc.definitions) ? doc.definitions : {};
  const security = isObject(doc.securityDefinitions) ? doc.securityDefinitions : {};
  const plain: Plain = {
    swagger: doc.swagger,
    info: { title: info.title, version: info.version },
    paths: {
      path: Object.entries(paths)
        .filter((e): e is [string, JsonObject] => isObject(e[1]))
        .map(([name, item]) => {
          const value: Plain = {};
          for (const m of METHODS) if (isObject(item[m])) value[m] = operationProto(item[m]);
          if (Array.isArray(item.parameters))
            value.parameters = item.parameters.filter(isObject).map(parameterProto);
          return { name, value };
        }),
    },
    definitions: {
      additional_properties: Object.entries(definitions)
        .filter((e): e is [string, JsonObject] => isObject(e[1]))
        .map(([name, s]) => ({ name, value: schemaProto(s) })),
    },
    security: (Array.isArray(doc.security) ? doc.security : []).filter(isObject).map((req) => ({
      additional_properties: Object.entries(req).map(([name, scopes]) => ({
        name,
        value: { value: Array.isArray(scopes) ? scopes : [] },
      })),
    })),
    security_definitions: {
      additional_properties: Object.entries(security)
        .filter((e): e is [string, JsonObject] => isObject(e[1]))
        .map(([name, d]) => ({
          name,
          value: {
            api_key_security: { type: d.type, name: d.name, in: d.in, description: d.description ?? '' },
          },
        })),
    },
  };
  const type = gnosticDocument();
  return Buffer.from(type.encode(type.fromObject(plain)).finish());
}

/** kube-openapi's ETag: the upper-case hex SHA-512 of the bytes served, quoted. */
const etag = (b: Buffer) => `"${createHash('sha512').update(b).digest('hex').toUpperCase()}"`;

export function buildOpenAPIV2(v3: OpenAPIV3, version: string): OpenAPIV2 {
  const doc = openAPIV2Document(v3, version);
  const json = Buffer.from(JSON.stringify(doc));
  const proto = encodeOpenAPIV2(doc);
  return { json, jsonETag: etag(json), proto, protoETag: etag(proto) };
}
