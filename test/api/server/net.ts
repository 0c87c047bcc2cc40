/**
 * Raw connections to a test API server, for tests of what the HTTPS front
 * does with clients that stall: TLS sockets that send what the test says,
 * plain TCP sockets that never start TLS, and polling with a deadline.
 */
import { readFileSync } from 'node:fs';
import { type Socket, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import type { TestApi } from '../../lib/testapi.js';

export interface Creds {
  port: number;
  ca: string;
  token: string;
  cert: string;
  key: string;
}

export function creds(t: TestApi): Creds {
  const pki = join(t.dir, 'pki');
  const read = (f: string) => readFileSync(join(pki, f), 'utf8');
  return {
    port: t.server.port,
    ca: read('ca.crt'),
    token: read('admin-token').trim(),
    cert: read('admin.crt'),
    key: read('admin.key'),
  };
}

/** A TLS connection, resolved once the handshake is done. */
export function tls(
  c: Creds,
  opts: { localAddress?: string; cert?: boolean } = {},
): Promise<TLSSocket & { text: () => string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const s = connect({
      socket: tcpConnect({ host: '127.0.0.1', port: c.port, localAddress: opts.localAddress }),
      ca: c.ca,
      servername: 'localhost',
      ...(opts.cert ? { cert: c.cert, key: c.key } : {}),
    });
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      text += d;
    });
    s.once('secureConnect', () => resolve(Object.assign(s, { text: () => text })));
    s.once('error', reject);
    s.on('error', () => {});
  });
}

/** A TCP connection that never starts TLS. */
export function tcp(c: Creds): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: '127.0.0.1', port: c.port }, () => resolve(s));
    s.once('error', reject);
    s.on('error', () => {});
  });
}

/** Whether the server has closed (or reset) the socket. */
export const isClosed = (s: Socket): boolean => s.destroyed || s.readableEnded;

/** Polls until `check` holds, failing with `what` after deadlineMs. */
export async function eventually(
  check: () => boolean,
  what: string | (() => string),
  deadlineMs = 20_000,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An HTTP/1.1 request head with the admin token. */
export const head = (c: Creds, method: string, path: string, extra = ''): string =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${c.token}\r\n${extra}\r\n`;
