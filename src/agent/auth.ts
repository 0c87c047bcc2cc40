/**
 * Who may use the agent's HTTP endpoints. kubelet authenticates the API
 * server; the agent does it with a bearer token: every path but /healthz
 * needs `Authorization: Bearer <T>`, T the token of the agent's own
 * kubeconfig (the API server's, which it injects when it proxies pods/log,
 * exec, attach and portforward). An agent whose kubeconfig has no token
 * refuses them all. A request with an Origin header comes from a browser
 * page (kubectl and client-go never send one; browsers apply no CORS to
 * WebSockets), and is refused whatever it carries.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '../k8s/bearer.js';

/** Why a request is refused: an HTTP code and its plain-text body. */
export interface Denial {
  code: 401 | 403;
  message: string;
}

/** Undefined when the request may go on; else why not. */
export function authorize(
  path: string,
  headers: IncomingHttpHeaders,
  token: string | undefined,
): Denial | undefined {
  if (path === '/healthz') return undefined;
  if (headers.origin !== undefined) return { code: 403, message: 'Forbidden: cross-origin request\n' };
  const given = bearerToken(headers.authorization);
  if (!token || given === undefined || !sameSecret(given, token))
    return { code: 401, message: 'Unauthorized\n' };
  return undefined;
}

/** Constant-time comparison (a length mismatch is no secret worth hiding). */
function sameSecret(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}
