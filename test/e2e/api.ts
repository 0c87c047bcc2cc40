/**
 * A raw HTTPS client for the e2e tests that talk to the API server directly
 * (node:https, the cluster's CA, the admin token or client certificate, a
 * keep-alive agent), and watch streams read line by line.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import type { Cluster } from './harness.js';

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A response, or the network error that stopped the request (connection refused, reset...). */
export type Outcome = { ok: true; res: Response } | { ok: false; error: NodeJS.ErrnoException };

export interface ApiOptions {
  /** Bearer token; default: the admin token from DATA_DIR/pki (null: none). */
  token?: string | null;
  /** Client certificate and key (PEM). */
  cert?: string;
  key?: string;
  /** Sockets the keep-alive agent may open (default 32). */
  maxSockets?: number;
}

export interface WatchEvent {
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: test code inspects arbitrary objects
  object: any;
}

export class Api {
  readonly agent: Agent;
  private readonly token: string | null;

  constructor(
    readonly url: string,
    readonly ca: string,
    private readonly opts: ApiOptions & { token: string | null },
  ) {
    this.token = opts.token;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: opts.maxSockets ?? 32,
      ca,
      cert: opts.cert,
      key: opts.key,
    });
  }

  /** A client for the cluster's API server (the port may change across restarts: pass it). */
  static of(c: Cluster, opts: ApiOptions = {}): Api {
    const ca = readFileSync(join(c.dataDir, 'pki', 'ca.crt'), 'utf8');
    const token =
      opts.token === undefined
        ? readFileSync(join(c.dataDir, 'pki', 'admin-token'), 'utf8').trim()
        : opts.token;
    return new Api(`https://127.0.0.1:${c.port}`, ca, { ...opts, token });
  }

  close(): void {
    this.agent.destroy();
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { Accept: 'application/json', ...extra };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    return h;
  }

  /** One request; rejects only on network errors. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 30_000,
  ): Promise<Response> {
    return new Promise((resolve, reject) => {
      let payload: Buffer | undefined;
      if (body !== undefined) {
        payload = Buffer.isBuffer(body)
          ? body
          : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      }
      const h = this.headers({
        ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
        ...headers,
      });
      if (h['Transfer-Encoding']) delete h['Content-Length'];
      const req = request(`${this.url}${path}`, { method, agent: this.agent, headers: h }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload) req.end(payload);
      else req.end();
    });
  }

  /** A request whose network failure is a value, not a rejection. */
  async attempt(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Outcome> {
    try {
      return { ok: true, res: await this.request(method, path, body, headers) };
    } catch (error) {
      return { ok: false, error: error as NodeJS.ErrnoException };
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON
  async json(method: string, path: string, body?: unknown, expect?: number): Promise<any> {
    const r = await this.request(method, path, body);
    if (expect !== undefined && r.status !== expect)
      throw new Error(`${method} ${path}: expected ${expect}, got ${r.status}: ${r.body}`);
    return JSON.parse(r.body);
  }

  /**
   * Opens a watch (path with ?watch=true...) on its own connection; events
   * are collected as they arrive. `done` resolves when the server ends the
   * stream (or it breaks); close() ends it from this side.
   */
  watch(path: string): Watch {
    return new Watch(this, path);
  }

  /** Options for a raw request on a fresh connection (no agent). */
  rawOptions(method: string, headers: Record<string, string> = {}) {
    return {
      method,
      ca: this.ca,
      cert: this.opts.cert,
      key: this.opts.key,
      agent: false as const,
      headers: this.headers(headers),
    };
  }
}

export class Watch {
  readonly events: WatchEvent[] = [];
  status = 0;
  /** How the stream ended: 'end' (server closed it cleanly), 'closed' (we did), or an error. */
  ending?: string;
  readonly done: Promise<void>;
  private destroy: () => void = () => {};
  private waiters: {
    pred: (e: WatchEvent[]) => boolean;
    resolve: () => void;
    reject: (err: Error) => void;
  }[] = [];

  constructor(api: Api, path: string) {
    this.done = new Promise((resolve) => {
      const req = request(`${api.url}${path}`, api.rawOptions('GET'), (res) => {
        this.status = res.statusCode ?? 0;
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const line = buf.slice(0, i).trim();
            buf = buf.slice(i + 1);
            if (line) this.events.push(JSON.parse(line) as WatchEvent);
          }
          this.wake();
        });
        res.on('end', () => {
          if (buf.trim()) this.events.push(JSON.parse(buf) as WatchEvent);
          this.ending ??= 'end';
          resolve();
          this.wake();
        });
        res.on('error', (err) => {
          this.ending ??= `error: ${err.message}`;
          resolve();
          this.wake();
        });
      });
      req.on('error', (err) => {
        this.ending ??= `error: ${err.message}`;
        resolve();
        this.wake();
      });
      req.end();
      this.destroy = () => {
        this.ending ??= 'closed';
        req.destroy();
        resolve();
        this.wake();
      };
    });
  }

  /** Resolves once pred(events) holds; fails after timeoutMs or when the stream ends first. */
  until(pred: (events: WatchEvent[]) => boolean, timeoutMs = 15_000, what = 'watch events'): Promise<void> {
    if (pred(this.events)) return Promise.resolve();
    const describe = (why: string) =>
      new Error(
        `${why} waiting for ${what}; got ${this.events.length} events: ${JSON.stringify(
          this.events.map((e) => [e.type, e.object?.metadata?.name ?? e.object?.message]),
        )}`,
      );
    if (this.ending) return Promise.reject(describe(`stream ended (${this.ending})`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== entry);
        reject(describe('timed out'));
      }, timeoutMs);
      const entry = {
        pred,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
        reject: (err: Error) => {
          clearTimeout(t);
          reject(err);
        },
      };
      this.waiters.push(entry);
    });
  }

  /** Resolves when the stream has at least n events. */
  count(n: number, timeoutMs?: number): Promise<void> {
    return this.until((e) => e.length >= n, timeoutMs, `${n} watch events`);
  }

  close(): Promise<void> {
    this.destroy();
    return this.done;
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      if (w.pred(this.events)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      } else if (this.ending) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.reject(new Error(`watch stream ended (${this.ending}) before the expected events`));
      }
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A Service manifest for direct API calls. */
export function service(
  name: string,
  spec: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, ...meta },
    spec: { ports: [{ port: 80, protocol: 'TCP' }], ...spec },
  };
}
