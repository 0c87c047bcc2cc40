/**
 * Raw HTTPS requests to an in-process API server (test/lib/testapi.ts) with
 * the admin token, for tests that send what no well-behaved client sends:
 * malformed paths, hostile bodies, odd headers. Also a logger that keeps the
 * server's lines, to assert nothing was logged as "Unhandled error".
 */
import { Agent, request } from 'node:https';
import { loadKubeconfig } from '../../../src/client/kubeconfig.js';
import { createLogger, type Logger } from '../../../src/lib/log.js';
import type { TestApi } from '../../lib/testapi.js';

export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
  /** The response's headers (absent for a CONNECT answer). */
  headers?: Record<string, string | string[] | undefined>;
}

export interface RawRequest {
  method: string;
  /** Sent as it is: the path and query of the request line. */
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Send no Authorization header. */
  anonymous?: boolean;
}

export class RawClient {
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly token: string;

  constructor(api: TestApi) {
    const conn = loadKubeconfig(api.server.kubeconfigPath);
    this.url = new URL(conn.server);
    this.token = conn.token ?? '';
    this.agent = new Agent({ keepAlive: true, maxSockets: 4, ca: conn.ca });
  }

  /**
   * One request; rejects only on network errors, or when no answer came
   * within `timeoutMs`. With `streamMs`, a response still streaming (a
   * watch) that long after its headers is cut, and what came is returned.
   */
  send(r: RawRequest, opts: { streamMs?: number; timeoutMs?: number } = {}): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...r.headers };
      if (!r.anonymous) headers.Authorization ??= `Bearer ${this.token}`;
      if (r.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(r.body));
      const timers: NodeJS.Timeout[] = [];
      const settle = (f: () => void) => {
        for (const t of timers) clearTimeout(t);
        f();
      };
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: r.method,
          path: r.path,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          const answer = (): RawResponse => ({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          });
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => settle(() => resolve(answer())));
          res.on('error', (err) => settle(() => reject(err)));
          if (opts.streamMs !== undefined) {
            timers.push(
              setTimeout(() => {
                const a = answer();
                settle(() => resolve(a));
                req.destroy();
              }, opts.streamMs),
            );
          }
        },
      );
      // A CONNECT is answered on this event (the socket is then the caller's): keep the status.
      req.on('connect', (res, sock) => {
        sock.destroy();
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: '',
          }),
        );
      });
      if (opts.timeoutMs !== undefined) {
        timers.push(
          setTimeout(() => {
            settle(() => reject(new Error(`no answer within ${opts.timeoutMs} ms`)));
            req.destroy();
          }, opts.timeoutMs),
        );
      }
      req.on('error', (err) => settle(() => reject(err)));
      req.end(r.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A text logger whose lines are kept in `lines`. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ write: (l) => lines.push(l) }), lines };
}

/** The Status of a response, asserting it is one. */
export function statusOf(r: RawResponse): { code: number; reason: string; message: string } {
  const s = JSON.parse(r.body) as { kind?: string; code: number; reason: string; message: string };
  if (s.kind !== 'Status') throw new Error(`not a Status: ${r.body.slice(0, 200)}`);
  return s;
}
