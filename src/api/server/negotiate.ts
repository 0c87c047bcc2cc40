/**
 * Media types the API speaks: what a client accepts (plain JSON, a
 * meta.k8s.io Table, PartialObjectMetadata, aggregated discovery) and what a
 * request body is (JSON, YAML, protobuf, the four patch types).
 */
import { StatusError, statusErrors } from '../../k8s/status.js';

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseMediaTypes(header: string | undefined): MediaType[] {
  if (!header) return [];
  const out: MediaType[] = [];
  for (const part of header.split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    if (!type) continue;
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0)
        p[kv.slice(0, i).trim().toLowerCase()] = kv
          .slice(i + 1)
          .trim()
          .replace(/^"|"$/g, '');
    }
    out.push({ type: type.toLowerCase(), params: p });
  }
  return out;
}

/** The shape a response takes. */
export type ResponseShape =
  | { as: 'object' }
  | { as: 'Table'; version: 'v1' | 'v1beta1' }
  | { as: 'PartialObjectMetadata'; version: 'v1' | 'v1beta1'; list: boolean };

const jsonLike = (t: string) =>
  t === 'application/json' || t === '*/*' || t === 'application/*' || t === 'application/yaml';

/**
 * The first acceptable shape in the client's order. Protobuf-only clients
 * get 406 (we answer JSON; kubectl always accepts JSON as a fallback).
 */
export function negotiateShape(accept: string | undefined): ResponseShape {
  const types = parseMediaTypes(accept);
  if (types.length === 0) return { as: 'object' };
  for (const m of types) {
    if (!jsonLike(m.type)) continue;
    const as = m.params.as;
    const g = m.params.g;
    const v = m.params.v === 'v1beta1' ? 'v1beta1' : 'v1';
    if (!as) return { as: 'object' };
    if (g !== 'meta.k8s.io') continue;
    if (as === 'Table') return { as: 'Table', version: v };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
      return { as: 'PartialObjectMetadata', version: v, list: as === 'PartialObjectMetadataList' };
    }
  }
  throw statusErrors.notAcceptable(
    'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
  );
}

/** Whether the client asked for aggregated discovery (apidiscovery.k8s.io v2 or v2beta1). */
export function wantsAggregatedDiscovery(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const m of parseMediaTypes(accept)) {
    if (
      m.type === 'application/json' &&
      m.params.g === 'apidiscovery.k8s.io' &&
      m.params.as === 'APIGroupDiscoveryList'
    ) {
      if (m.params.v === 'v2' || m.params.v === 'v2beta1') return m.params.v;
    }
    if (m.type === 'application/json' && !m.params.as) return undefined;
  }
  return undefined;
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf';
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function bodyFormat(contentType: string | undefined): BodyFormat {
  const t = parseMediaTypes(contentType)[0]?.type ?? 'application/json';
  if (t === 'application/json') return 'json';
  if (t === 'application/yaml' || t === 'application/x-yaml' || t === 'text/yaml') return 'yaml';
  if (t === 'application/vnd.kubernetes.protobuf') return 'protobuf';
  throw statusErrors.unsupportedMediaType();
}

export function patchType(contentType: string | undefined): PatchType {
  const t = parseMediaTypes(contentType)[0]?.type;
  switch (t) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        `the server does not support the patch type ${JSON.stringify(t ?? '')}: supported types are application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml`,
      );
  }
}
