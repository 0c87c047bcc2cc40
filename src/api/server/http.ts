/**
 * The HTTPS front of the API server: authentication (admin bearer token or a
 * client certificate signed by our CA; health and version are public to
 * anonymous clients), deadlines and caps for clients that stall (serving.ts),
 * bounded request bodies and watch buffers, and routing of every path
 * kubectl uses to health, version, discovery, OpenAPI or a resource verb.
 */
import { timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, ServerResponse, STATUS_CODES } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { bearerToken } from '../../k8s/bearer.js';
import { goQuote } from '../../k8s/gofmt.js';
import { StatusError, statusErrors } from '../../k8s/status.js';
import type { Logger } from '../../lib/log.js';
import type { OpenAPIV2 } from '../openapi/v2.js';
import type { Subresource } from '../resource.js';
import type { Registry } from '../storage/registry.js';
import { handleBinding } from './binding.js';
import type { DiscoveryDocs } from './discovery.js';
import { type HealthCheck, serveHealth } from './health.js';
import type { ApiMetrics } from './metrics.js';
import { wantsAggregatedDiscovery } from './negotiate.js';
import { serveOpenApiV2 } from './openapiv2.js';
import { handlePodLog } from './podlog.js';
import { isStreamSubresource, proxyUpgrade, streamTarget } from './podstream.js';
import { queryBool, watchRequested } from './query.js';
import { sendError, sendJSON } from './respond.js';
import { handleResource, type Verb } from './rest.js';
import { handleScale } from './scale.js';
import {
  ConnectionGuard,
  checkingIntervalMs,
  DEFAULT_SERVING_LIMITS,
  type ServingLimits,
  TLS_SERVER_OPTIONS,
} from './serving.js';
import { WatchBudget } from './watch.js';

/** Upstream's default limit for request bodies (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface OpenApiDocs {
  index: string;
  documents: Map<string, { json: string; hash: string }>;
  /** /openapi/v2, derived from the same documents. */
  v2: OpenAPIV2;
}

export type { HealthCheck } from './health.js';

export interface HttpDeps {
  tls: { cert: string; key: string; ca: string };
  token: string;
  /** `${group}/${resource}` → registry ('' group for core). */
  registries: Map<string, Registry>;
  discovery: DiscoveryDocs;
  openapi: () => OpenApiDocs;
  version: Record<string, string>;
  /** Named health checks (true: healthy); readyz also fails while shutting down. */
  checks: { livez: Record<string, HealthCheck>; readyz: Record<string, HealthCheck> };
  /** /metrics, and the instrumentation of every request. */
  metrics?: ApiMetrics;
  /** Overrides of DEFAULT_SERVING_LIMITS. */
  limits?: Partial<ServingLimits>;
  log: Logger;
}

const PUBLIC = /^\/(healthz|livez|readyz)(\/.*)?$|^\/version\/?$/;

/**
 * Who sent a request, as upstream's authenticator chain decides: `user` (a
 * client certificate our CA signed, or the admin bearer token), `anonymous`
 * (no credential: the public paths only), `invalid` (a credential that fails:
 * 401 on every path, never anonymous, as upstream's union.NewFailOnError).
 */
export type Authn = 'user' | 'anonymous' | 'invalid';

/**
 * Whether the connection presented a certificate our CA signed. `authorized`
 * alone is not enough: on a resumed TLS session Node reports the verify result
 * of the session, which is "ok" for one that had no certificate at all.
 */
function certified(sock: TLSSocket): boolean {
  return sock.authorized && Object.keys(sock.getPeerCertificate() ?? {}).length > 0;
}

function authenticator(adminToken: string): (req: IncomingMessage) => Authn {
  const token = Buffer.from(adminToken);
  return (req) => {
    const sock = req.socket as TLSSocket;
    if (certified(sock)) return 'user';
    const bearer = bearerToken(req.headers.authorization);
    if (bearer !== undefined) {
      const given = Buffer.from(bearer);
      return given.length === token.length && timingSafeEqual(given, token) ? 'user' : 'invalid';
    }
    // A certificate our CA did not sign (or expired) fails too.
    return Object.keys(sock.getPeerCertificate() ?? {}).length > 0 ? 'invalid' : 'anonymous';
  };
}

/** What route() needs: the dependencies and the server's watch budget. */
type ServeContext = HttpDeps & { watches: WatchBudget };

export function createApiHttpServer(deps: HttpDeps): Server {
  const limits: ServingLimits = { ...DEFAULT_SERVING_LIMITS, ...deps.limits };
  const authenticate = authenticator(deps.token);
  const guard = new ConnectionGuard(limits.maxUnauthenticatedPerAddress, limits.maxUnauthenticated);
  const ctx: ServeContext = {
    ...deps,
    watches: new WatchBudget(limits.watchBufferBytes, limits.watchBufferTotalBytes, deps.log),
  };

  const drain: DrainState = {
    draining: false,
    inflight: new Map(),
    sockets: new Set(),
    upgraded: new Set(),
    guard,
  };
  const server = createServer(
    {
      cert: deps.tls.cert,
      key: deps.tls.key,
      ca: deps.tls.ca,
      requestCert: true,
      rejectUnauthorized: false,
      ...TLS_SERVER_OPTIONS,
      // Go bounds the TLS handshake by ReadHeaderTimeout too.
      handshakeTimeout: limits.headerTimeoutMs,
      noDelay: true,
      keepAliveTimeout: 65_000,
      // Deadlines for receiving a request: its header, then all of it. A response (a watch) has none.
      headersTimeout: limits.headerTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(limits),
    },
    (req, res) => {
      const auth = authenticate(req);
      if (auth === 'user') guard.authenticated(req.socket);
      deps.metrics?.track(req, res, auth === 'user');
      const watch = watchRequested(req.url ?? '');
      drain.inflight.set(res, watch);
      // While draining, a connection closes after its response (Go's Shutdown does the same).
      if (drain.draining) res.shouldKeepAlive = false;
      res.once('finish', () => {
        if (drain.draining) req.socket.end();
      });
      res.once('close', () => {
        drain.inflight.delete(res);
        drain.changed?.();
      });
      route(ctx, req, res, auth).catch((err) => {
        if (!(err instanceof StatusError))
          deps.log.error(err, 'Unhandled error', { method: req.method, url: req.url });
        sendError(res, err);
      });
    },
  );
  // Node hands CONNECT to this event, not to the request handler, and drops the
  // connection when nothing listens. No resource here is connected to: a Status, as for any
  // method a resource does not serve.
  server.on('connect', (req: IncomingMessage, sock: Duplex) => {
    sock.on('error', () => sock.destroy());
    writeStatus(sock, authenticate(req) === 'user' ? methodNotAllowed() : statusErrors.unauthorized());
  });
  // Upgrade requests (exec, attach, port-forward streams; or any request that asks for one).
  server.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => {
    sock.on('error', () => sock.destroy());
    // A stream would outlive the stop: refused as upstream's WithWaitGroup refuses requests then.
    if (drain.draining) {
      writeStatus(sock, statusErrors.serviceUnavailable('apiserver is shutting down'), 'Retry-After: 1\r\n');
      return;
    }
    // Node's closeAllConnections() no longer knows a connection once it is upgraded.
    drain.upgraded.add(sock);
    sock.once('close', () => drain.upgraded.delete(sock));
    const auth = authenticate(req);
    if (auth === 'user') guard.authenticated(req.socket);
    const status = deps.metrics?.trackUpgrade(req, sock, auth === 'user').code ?? (() => {});
    serveUpgrade(ctx, req, sock, head, auth, status).catch((err) => {
      if (!(err instanceof StatusError))
        deps.log.error(err, 'Unhandled error', { method: req.method, url: req.url });
      const e = err instanceof StatusError ? err : statusErrors.internal(err);
      status(e.code);
      writeStatus(sock, e);
    });
  });
  server.on('connection', (raw: Socket) => guard.admit(raw));
  server.on('secureConnection', (sock: TLSSocket) => {
    guard.secured(sock);
    if (certified(sock)) guard.authenticated(sock);
    drain.sockets.add(sock);
    sock.once('close', () => drain.sockets.delete(sock));
  });
  // Once listening, a failed accept (out of file descriptors) is logged, not fatal.
  server.once('listening', () =>
    server.on('error', (err) => deps.log.error(err, 'Accepting a connection failed')),
  );
  drains.set(server, drain);
  return server;
}

/** A Status answer written on a connection Node handed over (CONNECT, upgrade), which then closes. */
function writeStatus(sock: Duplex, err: StatusError, extraHeaders = ''): void {
  const body = JSON.stringify(err.toStatus());
  sock.end(
    `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code]}\r\nContent-Type: application/json\r\n${extraHeaders}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * An upgrade request: pods/exec, attach and portforward are validated and
 * proxied to the node's agent (podstream.ts); any other path is served as
 * an ordinary request on the handed-over connection (Go ignores an Upgrade
 * header where nothing upgrades), which closes after the answer.
 */
async function serveUpgrade(
  ctx: ServeContext,
  req: IncomingMessage,
  sock: Duplex,
  head: Buffer,
  auth: Authn,
  status: (code: number) => void,
): Promise<void> {
  const url = requestURL(req.url ?? '/');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const target = parseResourcePath(path, ctx.registries);
  const nodes = ctx.registries.get('/nodes');
  if (target && isStreamSubresource(target.subresource) && nodes && target.name) {
    if (auth !== 'user') throw statusErrors.unauthorized();
    if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed();
    const { registry, namespace, name, subresource } = target;
    const where = await streamTarget(subresource, registry, nodes, namespace, name, url.searchParams);
    proxyUpgrade(req, sock, head, where, {
      token: ctx.token,
      onStatus: status,
      onError: (err) => {
        status(500);
        writeStatus(sock, statusErrors.internal(err));
      },
    });
    return;
  }
  // The body of an upgrade request is not parsed by Node: one is refused rather than awaited.
  if (Number(req.headers['content-length'] ?? '0') > 0 || req.headers['transfer-encoding'])
    throw statusErrors.badRequest('a request body with an Upgrade header is not supported here');
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(sock as Socket);
  res.once('finish', () => {
    status(res.statusCode);
    res.detachSocket(sock as Socket);
    sock.end();
  });
  await route(ctx, req, res, auth).catch((err) => sendError(res, err));
}

/** Requests in flight on one server (response → is a watch), for a graceful stop. */
interface DrainState {
  draining: boolean;
  inflight: Map<ServerResponse, boolean>;
  /** Open connections, to tell the ones still flushing from the stalled ones. */
  sockets: Set<TLSSocket>;
  /** Upgraded connections (exec, attach, port-forward streams), ended when the server closes. */
  upgraded: Set<Duplex>;
  /** Knows the connections still in their TLS handshake. */
  guard: ConnectionGuard;
  changed?: () => void;
}

const drains = new WeakMap<Server, DrainState>();

/**
 * The first half of a graceful stop, as Go's http.Server.Shutdown: stop
 * accepting connections, close idle ones, and let the requests in flight
 * finish, their connections closing after the response. Resolves when only
 * watches remain (or after timeoutMs); end those (stop the registries), then
 * await the returned `closed`, which force-closes a connection once it has
 * made no progress for graceMs (a slow reader still draining its watch stream
 * gets to read the end of it), and everything after timeoutMs. Upgrade
 * requests are refused while draining; open streams end when `closed` is called.
 */
export async function drainApiHttpServer(
  server: Server,
  timeoutMs: number,
  graceMs = 5000,
): Promise<{ closed: () => Promise<void> }> {
  const drain = drains.get(server);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  if (drain) {
    drain.draining = true;
    for (const res of drain.inflight.keys()) if (!res.headersSent) res.shouldKeepAlive = false;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      drain.changed = () => {
        if ([...drain.inflight.values()].every((watch) => watch)) {
          clearTimeout(t);
          resolve();
        }
      };
      drain.changed();
    });
  }
  return {
    closed: async () => {
      // No closeIdleConnections() here: it destroys a connection whose response just finished,
      // dropping what is still buffered (a slow reader's watch loses its last chunk). Responses
      // that finish while draining end their connection gracefully ('finish' above).
      // Streams are long-running as watches are, which have ended by now; an active one makes
      // progress, so the watchdog would never cut it, and closeAllConnections() skips it.
      for (const sock of drain?.upgraded ?? []) sock.destroy();
      const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
      const progress = new Map<Socket, { mark: string; at: number }>();
      const watchdog = setInterval(() => {
        const now = Date.now();
        const watch = (sock: Socket, mark: string) => {
          const seen = progress.get(sock);
          if (!seen || seen.mark !== mark) progress.set(sock, { mark, at: now });
          else if (now - seen.at >= graceMs) sock.destroy();
        };
        for (const sock of drain?.sockets ?? []) watch(sock, `${sock.bytesWritten}/${sock.writableLength}`);
        // A connection still in its TLS handshake gets the same grace (Go's Shutdown closes new
        // connections that have sent no request within 5 s), not the handshake deadline.
        for (const raw of drain?.guard.handshaking() ?? []) watch(raw, 'handshake');
      }, 100);
      await closed;
      clearTimeout(cut);
      clearInterval(watchdog);
    },
  };
}

function readBody(req: IncomingMessage): () => Promise<Buffer> {
  let promise: Promise<Buffer> | undefined;
  return () => {
    promise ??= new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? '0');
      if (declared > MAX_BODY_BYTES) {
        req.resume();
        reject(statusErrors.tooLarge(MAX_BODY_BYTES));
        return;
      }
      let chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          // Answer 413 at once, and read (discarding) what the client still sends so
          // the answer reaches it; a body that goes on and on gets its connection cut.
          reject(statusErrors.tooLarge(MAX_BODY_BYTES));
          chunks = [];
          if (size > 8 * MAX_BODY_BYTES) req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
    return promise;
  };
}

async function route(
  deps: ServeContext,
  req: IncomingMessage,
  res: ServerResponse,
  auth: Authn,
): Promise<void> {
  const url = requestURL(req.url ?? '/');
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  if (auth === 'invalid' || (auth === 'anonymous' && !PUBLIC.test(path))) {
    throw statusErrors.unauthorized();
  }
  const method = req.method ?? 'GET';

  const health = /^\/(healthz|livez|readyz)(?:\/(.+))?$/.exec(path);
  if (health) {
    const kind = health[1] as 'healthz' | 'livez' | 'readyz';
    const checks = kind === 'readyz' ? deps.checks.readyz : deps.checks.livez;
    return serveHealth(res, kind, checks, health[2], url.searchParams);
  }
  if (path === '/version') return sendJSON(res, 200, JSON.stringify(deps.version, null, 2));
  if (path === '/') {
    // The root lists what is served, as upstream's index does (`kubectl get --raw /`).
    const paths = [
      ...deps.discovery.legacy.keys(),
      '/healthz',
      '/livez',
      '/readyz',
      '/version',
      '/openapi/v2',
      '/openapi/v3',
      ...(deps.metrics ? ['/metrics'] : []),
    ];
    return sendJSON(res, 200, JSON.stringify({ paths: [...new Set(paths)].sort() }, null, 2));
  }

  if (path === '/api' || path === '/apis') {
    const dv = wantsAggregatedDiscovery(req.headers.accept);
    if (dv) {
      const doc = deps.discovery.aggregated.get(`${dv}:${path}`)!;
      if (req.headers['if-none-match'] === doc.etag) {
        res.writeHead(304, { ETag: doc.etag });
        res.end();
        return;
      }
      res.setHeader('ETag', doc.etag);
      res.setHeader('Vary', 'Accept');
      return sendJSON(
        res,
        200,
        doc.json,
        `application/json;g=apidiscovery.k8s.io;v=${dv};as=APIGroupDiscoveryList`,
      );
    }
  }
  const legacy = deps.discovery.legacy.get(path);
  if (legacy !== undefined) return sendJSON(res, 200, legacy);

  if (path === '/openapi/v3' || path.startsWith('/openapi/v3/')) return serveOpenApi(deps, req, res, path);
  if (path === '/openapi/v2') return serveOpenApiV2(req, res, deps.openapi().v2);
  if (path === '/metrics' && deps.metrics) {
    const { contentType, body } = await deps.metrics.exposition();
    res.writeHead(200, { 'Content-Type': contentType });
    res.end(body);
    return;
  }

  const q = url.searchParams;
  const bindings = /^\/api\/v1\/namespaces\/([^/]+)\/bindings$/.exec(path);
  const pods = deps.registries.get('/pods');
  if (bindings && pods) {
    if (method !== 'POST') throw methodNotAllowed();
    const namespace = unescapeSegment(bindings[1]!);
    return handleBinding({ pods, namespace, name: '', query: q, body: readBody(req), req, res });
  }
  const target = parseResourcePath(path, deps.registries);
  if (!target) throw statusErrors.noResource();
  const { registry, namespace, name, subresource } = target;
  if (subresource === 'scale') {
    if (!['GET', 'PUT', 'PATCH'].includes(method)) throw methodNotAllowed();
    return handleScale({ method, registry, namespace, name, query: q, body: readBody(req), req, res });
  }
  if (subresource === 'binding') {
    if (method !== 'POST') throw methodNotAllowed();
    return handleBinding({ pods: registry, namespace, name, query: q, body: readBody(req), req, res });
  }
  if (subresource === 'log') {
    const nodes = deps.registries.get('/nodes');
    if (method !== 'GET' || !nodes) throw methodNotAllowed();
    return handlePodLog({ pods: registry, nodes, namespace, name, query: q, req, res, token: deps.token });
  }
  if (isStreamSubresource(subresource)) {
    const nodes = deps.registries.get('/nodes');
    if ((method !== 'GET' && method !== 'POST') || !nodes || !name) throw methodNotAllowed();
    // Validated as an upgrade would be (a missing pod is a 404 still), then refused as upstream's proxy does.
    await streamTarget(subresource, registry, nodes, namespace, name, q);
    throw statusErrors.badRequest('Upgrade request required');
  }
  if (subresource === 'eviction') throw methodNotAllowed();
  let verb: Verb;
  switch (method) {
    case 'GET':
      verb = queryBool(q, 'watch') ? 'watch' : name ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      throw new StatusError(
        405,
        'MethodNotAllowed',
        `the server does not allow this method on the requested resource`,
      );
  }
  if (!name && (verb === 'update' || verb === 'patch')) {
    throw new StatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }
  if (name && verb === 'create' && !subresource) {
    throw new StatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }
  if (subresource && (verb === 'delete' || verb === 'create' || verb === 'watch')) {
    throw new StatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }
  if (subresource === 'finalize' && verb !== 'update') {
    throw new StatusError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }
  await handleResource({
    verb,
    registry,
    namespace,
    name,
    subresource: subresource as '' | 'status' | 'finalize',
    query: q,
    body: readBody(req),
    req,
    res,
    watches: deps.watches,
  });
}

/**
 * The request target as a URL, refused as Go's url.ParseRequestURI refuses it
 * (before any handler, authentication included): a `%` in the path not
 * followed by two hex digits, or a target that is no URL at all.
 */
export function requestURL(raw: string): URL {
  const q = raw.indexOf('?');
  const rawPath = q >= 0 ? raw.slice(0, q) : raw;
  const bad = /%(?![0-9a-fA-F]{2})/.exec(rawPath);
  if (bad) {
    const seq = rawPath.slice(bad.index, bad.index + 3);
    throw statusErrors.badRequest(`parse ${goQuote(raw)}: invalid URL escape ${goQuote(seq)}`);
  }
  try {
    return new URL(raw, 'https://localhost');
  } catch {
    throw statusErrors.badRequest(`parse ${goQuote(raw)}: invalid URI for request`);
  }
}

/**
 * A path segment as text: its escapes and raw bytes (Node reads the request
 * line as latin1) decoded as UTF-8, never throwing (invalid UTF-8 becomes
 * U+FFFD, and the name then fails validation or is not found).
 */
export function unescapeSegment(s: string): string {
  const bytes = s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) =>
    String.fromCharCode(Number.parseInt(h, 16)),
  );
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

interface ResourceTarget {
  registry: Registry;
  namespace: string;
  name: string;
  subresource: '' | Subresource;
}

const methodNotAllowed = () =>
  new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

/** /api/v1/..., /apis/<group>/<version>/... → registry, namespace, name, subresource. */
export function parseResourcePath(
  path: string,
  registries: Map<string, Registry>,
): ResourceTarget | undefined {
  const parts = path.split('/').filter(Boolean).map(unescapeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else return undefined;
  const lookup = (resource: string) => {
    const r = registries.get(`${group}/${resource}`);
    return r && r.info.version === version ? r : undefined;
  };
  const sub = (s: string | undefined, r: Registry): '' | Subresource | undefined => {
    if (s === undefined) return '';
    return (r.info.subresources as string[]).includes(s) ? (s as Subresource) : undefined;
  };
  // /namespaces/<ns>/<resource>[/<name>[/<sub>]] for namespaced resources.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const nsRegistry = lookup('namespaces');
    // /namespaces/<name>/status|finalize is the namespace's own subresource.
    if (rest.length === 3 && nsRegistry) {
      const s = sub(rest[2], nsRegistry);
      if (s) return { registry: nsRegistry, namespace: '', name: rest[1]!, subresource: s };
    }
    const r = lookup(rest[2]!);
    if (!r?.info.namespaced || rest.length > 5) return undefined;
    const s = sub(rest[4], r);
    if (s === undefined) return undefined;
    return { registry: r, namespace: rest[1]!, name: rest[3] ?? '', subresource: s };
  }
  const r = lookup(rest[0]!);
  if (!r || rest.length > 3) return undefined;
  if (r.info.namespaced) {
    // A namespaced resource at the root lists/watches across namespaces.
    return rest.length === 1 ? { registry: r, namespace: '', name: '', subresource: '' } : undefined;
  }
  const s = sub(rest[2], r);
  if (s === undefined) return undefined;
  return { registry: r, namespace: '', name: rest[1] ?? '', subresource: s };
}

function serveOpenApi(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, path: string): void {
  const docs = deps.openapi();
  if (path === '/openapi/v3') return sendJSON(res, 200, docs.index);
  const doc = docs.documents.get(path.slice('/openapi/v3/'.length));
  if (!doc) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  const etag = `"${doc.hash}"`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return;
  }
  res.setHeader('ETag', etag);
  // With ?hash= the URL names the content: it may be cached for a long time, as upstream allows.
  res.setHeader('Cache-Control', req.url?.includes('hash=') ? 'public, immutable' : 'no-cache, private');
  sendJSON(res, 200, doc.json);
}
