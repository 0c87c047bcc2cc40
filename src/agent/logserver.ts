/**
 * The agent's HTTP server on nodeIP:kubeletPort (kubelet's read-only port
 * role): `GET /containerLogs/<ns>/<pod>/<container>` with kubelet's query
 * (follow, tailLines, previous, timestamps, sinceSeconds, sinceTime,
 * limitBytes) and `/healthz`. The API server's pods/log proxies here; its
 * pods/exec, attach and portforward upgrade to the streaming endpoints.
 * Every path but /healthz needs the API server's bearer token (auth.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { authorize } from './auth.js';
import { type ContainerLog, formatLine, type LogReadOptions, truncateBytes } from './logs.js';
import { refuseUpgrade } from './streaming/refusal.js';

/** Finds a container's log, or answers why not (HTTP code + kubelet's message). */
export type LogLookup = (
  namespace: string,
  pod: string,
  container: string,
  previous: boolean,
) => ContainerLog | { code: number; message: string };

export interface LogServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The server's 'upgrade' listener: the streaming endpoints (streaming/index.ts). */
export type UpgradeListener = (req: IncomingMessage, sock: Duplex, head: Buffer) => void;

export interface LogServerOptions {
  host: string;
  port: number;
  /** The bearer token requests must carry (auth.ts); undefined refuses all but /healthz. */
  token: string | undefined;
  lookup: LogLookup;
  onUpgrade?: UpgradeListener;
}

export async function startLogServer(opts: LogServerOptions): Promise<LogServer> {
  const { token, lookup, onUpgrade } = opts;
  const server = createServer((req, res) => {
    const denied = authorize(pathOf(req), req.headers, token);
    if (denied) return text(res, denied.code, denied.message);
    try {
      handle(req, res, lookup);
    } catch (err) {
      if (!res.headersSent) text(res, 500, `${(err as Error).message}\n`);
      else res.destroy();
    }
  });
  // Upgraded connections are no longer the server's: closeAllConnections() leaves them open, and
  // close() would wait for them. They are kept here and destroyed on close.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => {
    sock.on('error', () => sock.destroy());
    const denied = authorize(pathOf(req), req.headers, token);
    if (denied) return refuseUpgrade(sock, denied.code, denied.message);
    if (!onUpgrade) return refuseUpgrade(sock, 404, '404 page not found');
    upgraded.add(sock);
    sock.once('close', () => upgraded.delete(sock));
    onUpgrade(req, sock, head);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const sock of upgraded) sock.destroy();
      upgraded.clear();
      return closeServer(server);
    },
  };
}

/** The request's path; '' for a target URL cannot parse (no /healthz: it must authenticate). */
function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://agent').pathname;
  } catch {
    return '';
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const text = (res: ServerResponse, code: number, body: string) => {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body);
};

const intParam = (v: string | null): number | undefined => {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : Number.NaN;
};

const boolParam = (v: string | null): boolean => v === 'true' || v === '1' || v === '';

function handle(req: IncomingMessage, res: ServerResponse, lookup: LogLookup): void {
  const url = new URL(req.url ?? '/', 'http://agent');
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'Method Not Allowed');
  if (url.pathname === '/healthz') return text(res, 200, 'ok');
  const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
  if (!m) return text(res, 404, '404 page not found\n');
  const [ns, pod, container] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ''));
  const q = url.searchParams;
  const tailLines = intParam(q.get('tailLines'));
  const sinceSeconds = intParam(q.get('sinceSeconds'));
  const limitBytes = intParam(q.get('limitBytes'));
  for (const [name, v] of [
    ['tailLines', tailLines],
    ['sinceSeconds', sinceSeconds],
    ['limitBytes', limitBytes],
  ] as const) {
    if (v !== undefined && (Number.isNaN(v) || v < 0))
      return text(res, 400, `invalid ${name}: ${q.get(name)}`);
  }
  const sinceTime = q.get('sinceTime');
  let sinceMs: number | undefined;
  if (sinceSeconds !== undefined) sinceMs = Date.now() - sinceSeconds * 1000;
  else if (sinceTime) {
    sinceMs = Date.parse(sinceTime);
    if (Number.isNaN(sinceMs)) return text(res, 400, `invalid sinceTime: ${sinceTime}`);
  }
  const found = lookup(ns ?? '', pod ?? '', container ?? '', boolParam(q.get('previous')));
  if (!('read' in found)) return text(res, found.code, found.message);

  const timestamps = boolParam(q.get('timestamps'));
  const opts: LogReadOptions = { timestamps, sinceMs, limitBytes };
  if (tailLines !== undefined) opts.tailLines = tailLines;
  const head = found.read(opts);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
  if (!boolParam(q.get('follow')) || found.closed || req.method === 'HEAD') {
    res.end(head);
    return;
  }
  // Follow: what is there now, then new lines until the instance exits or the reader leaves.
  let budget = limitBytes === undefined ? Number.POSITIVE_INFINITY : limitBytes - Buffer.byteLength(head);
  res.write(head);
  if (budget <= 0) {
    res.end();
    return;
  }
  const unsubscribe = found.follow((line) => {
    if (!line) {
      res.end();
      return;
    }
    let chunk = formatLine(line, timestamps);
    if (Buffer.byteLength(chunk) >= budget) {
      chunk = truncateBytes(chunk, budget);
      budget = 0;
      res.end(chunk);
      unsubscribe();
      return;
    }
    budget -= Buffer.byteLength(chunk);
    res.write(chunk);
  });
  res.on('close', unsubscribe);
}
