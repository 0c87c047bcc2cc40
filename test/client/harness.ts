/**
 * Test servers for the API client: a scripted fake API server (HTTPS; each
 * request is handed to the test, which answers it byte by byte, so watch
 * protocol sequences are exact) and an HTTP proxy in front of a real API
 * server that can hold requests, end watch streams cleanly and switch to
 * another server (so reconnects happen exactly when a test says).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { kubeconfigYaml } from '../../src/api/kubeconfig.js';
import { ensurePki, type Pki } from '../../src/api/pki.js';
import { createClient } from '../../src/client/client.js';
import type { ApiClient } from '../../src/client/types.js';

/** Polls `fn` until it answers something truthy; fails after `ms` (a deadline, not a timing assertion). */
export async function until<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  what = 'condition',
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A request the fake server received, for the test to answer. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  req: IncomingMessage;
  res: ServerResponse;
}

/** Answers a request with a JSON body. */
export function reply(r: FakeRequest, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  r.res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  r.res.end(text);
}

/** A Status body as the API server sends with a failure. */
export const status = (code: number, reason: string, message = reason) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
});

/** Starts a watch response; the test writes events (or raw bytes) and ends it. */
export function stream(r: FakeRequest) {
  r.res.writeHead(200, { 'Content-Type': 'application/json' });
  r.res.flushHeaders();
  return {
    event(type: string, object: unknown): void {
      r.res.write(`${JSON.stringify({ type, object })}\n`);
    },
    raw(data: string | Buffer): void {
      r.res.write(data);
    },
    end(): void {
      r.res.end();
    },
  };
}

let pkiCache: Pki | undefined;
/** One serving certificate for 127.0.0.1, made once per test process. */
function testPki(): Pki {
  if (!pkiCache) {
    const dir = mkdtempSync(join(tmpdir(), 'svcnet-fakeapi-pki-'));
    try {
      pkiCache = ensurePki(dir, { ips: ['127.0.0.1'], dns: ['localhost'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return pkiCache;
}

/** Closes a server and every connection it still has. */
function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * A fake API server: requests queue up until the test takes them with
 * `next()` and answers them. Nothing is answered unless the test does.
 */
export class FakeApi {
  private readonly waiting: FakeRequest[] = [];
  private readonly takers: ((r: FakeRequest) => void)[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly clients: ApiClient[] = [];
  /** Every request, in arrival order (method and URL). */
  readonly log: string[] = [];
  /** Connections accepted so far (a reused keep-alive connection counts once). */
  connections = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly dir: string,
    readonly kubeconfigPath: string,
  ) {}

  static async start(): Promise<FakeApi> {
    const pki = testPki();
    const server = createServer({ cert: pki.serverCert, key: pki.serverKey });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'svcnet-fakeapi-'));
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(url, pki));
    const api = new FakeApi(server, url, dir, kubeconfigPath);
    server.on('secureConnection', (s: Socket) => {
      api.connections++;
      api.sockets.add(s);
      s.on('close', () => api.sockets.delete(s));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', url);
        api.log.push(`${req.method} ${req.url}`);
        const r: FakeRequest = {
          method: req.method ?? '',
          path: u.pathname,
          query: u.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          req,
          res,
        };
        const take = api.takers.shift();
        if (take) take(r);
        else api.waiting.push(r);
      });
    });
    return api;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** A client of this server (closed with it). */
  client(timeoutMs?: number): ApiClient {
    const c = createClient({ kubeconfig: this.kubeconfigPath, userAgent: 'svcnet-test', timeoutMs });
    this.clients.push(c);
    return c;
  }

  /** The next request not yet taken; fails the test if none arrives within the deadline. */
  next(deadlineMs = 10_000): Promise<FakeRequest> {
    const r = this.waiting.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const take = (req: FakeRequest) => {
        clearTimeout(t);
        resolve(req);
      };
      const t = setTimeout(() => {
        this.takers.splice(this.takers.indexOf(take), 1);
        reject(new Error(`no request within ${deadlineMs} ms; so far: ${this.log.join(', ')}`));
      }, deadlineMs);
      this.takers.push(take);
    });
  }

  /** The next request, which must be `method` on `path` (and is answered by the caller). */
  async expect(method: string, path: string): Promise<FakeRequest> {
    const r = await this.next();
    if (r.method !== method || r.path !== path)
      throw new Error(`expected ${method} ${path}, got ${r.method} ${r.path}?${r.query}`);
    return r;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    await closeServer(this.server, this.sockets);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A request the proxy has seen: method, path and query. */
export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

/**
 * An HTTPS proxy in front of a real API server (same certificate and
 * token). While `hold` is set, requests wait unforwarded; `endWatches()`
 * ends open watch responses as a server timeout does; `target` can move to
 * a restarted server.
 */
export class ApiProxy {
  hold = false;
  readonly requests: ProxiedRequest[] = [];
  private readonly held: (() => void)[] = [];
  private readonly watches = new Set<{ end(): void }>();
  private readonly sockets = new Set<Socket>();
  private readonly clients: ApiClient[] = [];

  private constructor(
    private readonly server: Server,
    readonly kubeconfigPath: string,
    private readonly dir: string,
    private target: string,
    private readonly ca: string,
  ) {}

  /** Serves with the API server's own PKI (in `dataDir/pki`) and forwards to `target`. */
  static async start(dataDir: string, target: string): Promise<ApiProxy> {
    const pkiDir = join(dataDir, 'pki');
    const read = (f: string) => readFileSync(join(pkiDir, f), 'utf8');
    const server = createServer({ cert: read('apiserver.crt'), key: read('apiserver.key') });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'svcnet-apiproxy-'));
    const kubeconfigPath = join(dir, 'kubeconfig');
    const kc = parse(readFileSync(join(dataDir, 'kubeconfig'), 'utf8')) as {
      clusters: { cluster: { server: string } }[];
    };
    for (const c of kc.clusters) c.cluster.server = url;
    writeFileSync(kubeconfigPath, stringify(kc));
    const proxy = new ApiProxy(server, kubeconfigPath, dir, target, read('ca.crt'));
    server.on('secureConnection', (s: Socket) => {
      proxy.sockets.add(s);
      s.on('close', () => proxy.sockets.delete(s));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => proxy.handle(req, res));
    return proxy;
  }

  /** A client that goes through the proxy (closed with it). */
  client(): ApiClient {
    const c = createClient({ kubeconfig: this.kubeconfigPath, userAgent: 'svcnet-test' });
    this.clients.push(c);
    return c;
  }

  /** Requests waiting while held. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Watch responses being streamed. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** Forwards what was held (to the current target) and stops holding. */
  release(target?: string): void {
    if (target) this.target = target;
    this.hold = false;
    for (const go of this.held.splice(0)) go();
  }

  /** Ends every open watch response cleanly, as a server does at timeoutSeconds. */
  endWatches(): void {
    for (const w of [...this.watches]) w.end();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', 'https://proxy');
    this.requests.push({ method: req.method ?? '', path: u.pathname, query: u.searchParams });
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const go = () => this.forward(req, res, Buffer.concat(body), u.searchParams.get('watch') === 'true');
      if (this.hold) this.held.push(go);
      else go();
    });
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer, isWatch: boolean): void {
    const headers = { ...req.headers };
    delete headers.host;
    const opts = { method: req.method, headers, ca: this.ca, agent: false as const };
    const up = request(`${this.target}${req.url}`, opts, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      let ended = false;
      // Clean: the response ends as a complete chunked body; otherwise the connection is cut.
      const finish = (clean: boolean) => {
        if (ended) return;
        ended = true;
        this.watches.delete(w);
        if (clean) res.end();
        else res.destroy();
        up.destroy();
      };
      const w = { end: () => finish(true) };
      if (isWatch) this.watches.add(w);
      upRes.on('data', (c: Buffer) => {
        if (!ended) res.write(c);
      });
      upRes.on('end', () => finish(true));
      upRes.on('close', () => finish(false));
      upRes.on('error', () => finish(false));
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    up.end(body);
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    this.hold = false;
    this.held.length = 0;
    await closeServer(this.server, this.sockets);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
