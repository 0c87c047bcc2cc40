/** Writing API responses: JSON bodies, Status errors, warnings. */
import type { ServerResponse } from 'node:http';
import { StatusError, statusErrors } from '../../k8s/status.js';
import { prettyRequested } from './query.js';

export const JSON_TYPE = 'application/json';

export function sendJSON(res: ServerResponse, code: number, body: string, contentType = JSON_TYPE): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = contentType.startsWith(JSON_TYPE) && wantsPretty(res) ? indent(body) : body;
  // Encoded once: Buffer.byteLength and then end(string) would each walk a large list body.
  const bytes = Buffer.from(text, 'utf8');
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': bytes.length });
  res.end(bytes);
}

/** JSON with two-space indentation, as upstream's pretty serializer writes it. */
function indent(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/** `?pretty=true`, or a curl/Wget/browser client (upstream's isPrettyPrint); not for watch streams. */
function wantsPretty(res: ServerResponse): boolean {
  const req = res.req as ServerResponse['req'] | undefined;
  const url = req?.url;
  if (!url) return false;
  const i = url.indexOf('?');
  const raw = i >= 0 ? url.slice(i + 1) : '';
  return prettyRequested(raw, new URLSearchParams(raw), req.headers['user-agent'] ?? '');
}

export function sendText(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const se = err instanceof StatusError ? err : statusErrors.internal(err);
  sendJSON(res, se.code, JSON.stringify(se.toStatus()));
}

/**
 * A warning text apimachinery's NewWarningHeader accepts: valid UTF-8 without
 * control characters (it refuses the rest, and the warning is dropped).
 */
function headerSafe(text: string): boolean {
  const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  return !loneSurrogate.test(text) && !/\p{Cc}/u.test(text.replace(/[\r\n]+/g, ' '));
}

/** Adds `Warning: 299 - "..."` headers, as the API server reports field validation warnings. */
export function addWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  const existing = res.getHeader('Warning');
  const prior = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  // Header values are bytes: the UTF-8 of the text, which Node writes from a latin1 string.
  const quote = (w: string) =>
    Buffer.from(`299 - ${JSON.stringify(w.replace(/[\r\n]+/g, ' '))}`, 'utf8').toString('latin1');
  const safe = warnings.filter(headerSafe);
  if (safe.length) res.setHeader('Warning', [...prior, ...safe.map(quote)]);
}
