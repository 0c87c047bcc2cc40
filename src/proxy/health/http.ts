/**
 * Small HTTP pieces the proxy's health and metrics servers share: parsing a
 * `host:port` bind address, listening and closing, Go's `time.Time` text,
 * Go's 404 page and Go's wording for listen errors, so bodies and messages
 * read exactly like kube-proxy's.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { splitHostPort } from '../../k8s/ip.js';
import { errText } from '../../lib/errors.js';

/** Wall-clock time in milliseconds since the epoch (fractions allowed); tests inject a fake. */
export interface Clock {
  now(): number;
}

/** The real clock, with sub-millisecond precision. */
export const systemClock: Clock = { now: () => performance.timeOrigin + performance.now() };

export interface HostPort {
  host: string;
  port: number;
}

/** A listen address: Go's net.SplitHostPort plus a port check (`0.0.0.0:10256`, `[::]:10256`, `127.0.0.1:0`). */
export function listenAddress(addr: string): HostPort {
  const { host, port: portText } = splitHostPort(addr);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`address ${addr}: invalid port`);
  return { host, port };
}

/** Go listens on every address, both families, for an unspecified host; Node does the same without one. */
const isWildcard = (host: string) => host === '' || host === '0.0.0.0' || host === '::';

/** Starts `server` listening; rejects with the bind error (EADDRINUSE, EACCES, ...). */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    if (isWildcard(host)) server.listen(port);
    else server.listen(port, host);
  });
}

/** Stops accepting, drops open (keep-alive) connections, and resolves once closed. */
export function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The port a listening server got (for port 0). */
export function boundPort(server: Server): number {
  const a = server.address();
  return a && typeof a === 'object' ? a.port : 0;
}

const syscallText: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EAFNOSUPPORT: 'address family not supported by protocol',
};

/** A bind failure in Go's words: `listen tcp 127.0.0.1:80: bind: permission denied`. */
export function goListenError(addr: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const text = syscallText[code];
  if (text) return `listen tcp ${addr}: bind: ${text}`;
  return `listen tcp ${addr}: ${errText(err)}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Go's time.Time.String() in UTC (`2006-01-02 15:04:05.999999999 -0700 MST`,
 * trailing zeros of the fraction dropped); undefined is Go's zero time.
 */
export function goTimeString(ms: number | undefined): string {
  if (ms === undefined) return '0001-01-01 00:00:00 +0000 UTC';
  const whole = Math.floor(ms);
  const d = new Date(whole);
  // Doubles near today's epoch milliseconds hold about a quarter of a microsecond: keep microseconds.
  const micros = Math.min((whole % 1000) * 1000 + Math.round((ms - whole) * 1000), 999_999);
  const frac =
    micros > 0
      ? `.${String(micros * 1000)
          .padStart(9, '0')
          .replace(/0+$/, '')}`
      : '';
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date} ${time}${frac} +0000 UTC`;
}

/** The request's path without its query, as Go's ServeMux matches it. */
export function requestPath(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Writes a response with Go's handler defaults (explicit Content-Length, nosniff). */
export function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Go's http.NotFound. */
export function sendNotFound(res: ServerResponse): void {
  send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
}
