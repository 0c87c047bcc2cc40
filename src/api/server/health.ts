/**
 * /healthz, /livez and /readyz as the apiserver's healthz package serves them:
 * `ok` when every check passes; `?verbose` lists each check (`[+]etcd ok`);
 * a failing check answers 500 with the list (`[-]etcd failed: reason
 * withheld`: the reason goes to the log, not to anonymous clients);
 * `?exclude=<name>` (repeatable) skips a check, saying so; `/livez/<name>`
 * runs one check.
 */
import type { ServerResponse } from 'node:http';
import { goQuote } from '../../k8s/gofmt.js';
import { sendText } from './respond.js';

/** A named health check: true when healthy. */
export type HealthCheck = () => boolean | Promise<boolean>;

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

/** The status code and body of one health request. */
export async function healthResponse(
  kind: HealthEndpoint,
  checks: Readonly<Record<string, HealthCheck>>,
  only: string | undefined,
  q: URLSearchParams,
): Promise<{ code: number; body: string }> {
  if (only !== undefined) {
    const check = Object.hasOwn(checks, only) ? checks[only] : undefined;
    if (!check) return { code: 404, body: '404 page not found\n' };
    return (await check())
      ? { code: 200, body: 'ok' }
      : { code: 500, body: `internal server error: ${only} check failed\n` };
  }
  const excluded = new Set(q.getAll('exclude'));
  const lines: string[] = [];
  let ok = true;
  // Checks run one after another, in order, as upstream's handler runs them.
  for (const [name, check] of Object.entries(checks)) {
    if (excluded.delete(name)) {
      lines.push(`[+]${name} excluded: ok`);
      continue;
    }
    const pass = await check();
    ok &&= pass;
    lines.push(pass ? `[+]${name} ok` : `[-]${name} failed: reason withheld`);
  }
  if (excluded.size) {
    const names = [...excluded].sort().map(goQuote).join(', ');
    lines.push(`warn: some health checks cannot be excluded: no matches for ${names}`);
  }
  if (!ok) return { code: 500, body: `${lines.join('\n')}\n${kind} check failed\n` };
  if (!q.has('verbose')) return { code: 200, body: 'ok' };
  return { code: 200, body: `${lines.join('\n')}\n${kind} check passed\n` };
}

export async function serveHealth(
  res: ServerResponse,
  kind: HealthEndpoint,
  checks: Readonly<Record<string, HealthCheck>>,
  only: string | undefined,
  q: URLSearchParams,
): Promise<void> {
  const { code, body } = await healthResponse(kind, checks, only, q);
  sendText(res, code, body);
}
