/**
 * Serving /openapi/v2 as kube-openapi's handler does: the format chosen from
 * Accept (JSON, or gnostic protobuf under either of its media type
 * spellings; no Accept means any), a quoted SHA-512 ETag per format, 304 for
 * a matching If-None-Match, 406 when nothing acceptable is offered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenAPIV2 } from '../openapi/v2.js';

const PROTO = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const OFFERS = [
  { type: 'application/json', proto: false },
  { type: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', proto: true },
  { type: PROTO, proto: true },
] as const;

/** The first offer the Accept header's clauses (in their order) take, or undefined. */
export function chooseV2Format(accept: string | undefined): 'json' | 'proto' | undefined {
  const clauses = (accept?.trim() ? accept : '*/*')
    .split(',')
    .map((c) => {
      const [range = '', ...params] = c.split(';').map((s) => s.trim());
      const q = params.find((p) => p.startsWith('q='));
      return { range: range.toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((c) => c.range && c.q > 0);
  for (const { range } of clauses) {
    const [type, sub] = range.split('/');
    for (const offer of OFFERS) {
      const [ot, os] = offer.type.split('/');
      if ((type === ot || type === '*') && (sub === os || sub === '*')) return offer.proto ? 'proto' : 'json';
    }
  }
  return undefined;
}

export function serveOpenApiV2(req: IncomingMessage, res: ServerResponse, doc: OpenAPIV2): void {
  const format = chooseV2Format(req.headers.accept);
  if (!format) {
    res.writeHead(406);
    res.end();
    return;
  }
  const [body, etag, type] =
    format === 'proto' ? [doc.proto, doc.protoETag, PROTO] : [doc.json, doc.jsonETag, 'application/json'];
  res.setHeader('Etag', etag);
  res.setHeader('Vary', 'Accept');
  const match = req.headers['if-none-match'];
  if (match?.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    res.writeHead(304);
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}
