/**
 * How the HTTPS front protects itself from clients that connect and then
 * stall: header, body and TLS handshake deadlines (kube-apiserver's
 * http.Server settings), a cap on connections that have not authenticated
 * yet (per client address and in all), and the TLS versions and cipher
 * suites offered. Limits for watch streams that are not read are in watch.ts.
 */
import type { Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';

export interface ServingLimits {
  /**
   * A request's header must arrive whole within this of its first byte (of
   * the connection's start for the first request): Go's ReadHeaderTimeout,
   * which kube-apiserver sets to 32 s. It also bounds the TLS handshake, as
   * Go derives its handshake timeout from it.
   */
  headerTimeoutMs: number;
  /**
   * The whole request, body included, must arrive within this (a response
   * being written, such as a watch, is not bounded): kube-apiserver's
   * --request-timeout, 1 min.
   */
  requestTimeoutMs: number;
  /**
   * Connections that have not authenticated yet (TLS handshake, header, or
   * only anonymous requests so far) from one client address, and from all:
   * past a cap the oldest such connection is closed, so stalled connections
   * can neither exhaust the server nor lock out a client that authenticates.
   */
  maxUnauthenticatedPerAddress: number;
  maxUnauthenticated: number;
  /**
   * Bytes a watch stream may have waiting for a client that does not read,
   * and all watch streams together; past either the stream (the largest, for
   * the total) is closed and the client re-lists, as upstream's cacher does
   * with an unresponsive watcher.
   */
  watchBufferBytes: number;
  watchBufferTotalBytes: number;
}

export const DEFAULT_SERVING_LIMITS: Readonly<ServingLimits> = {
  headerTimeoutMs: 32_000,
  requestTimeoutMs: 60_000,
  maxUnauthenticatedPerAddress: 256,
  maxUnauthenticated: 1024,
  watchBufferBytes: 16 * 1024 * 1024,
  watchBufferTotalBytes: 64 * 1024 * 1024,
};

/**
 * TLS as kube-apiserver offers it with its defaults: TLS 1.2 at least; for
 * TLS 1.2 only ECDHE key exchange with AEAD ciphers (Go's defaults without
 * its remaining CBC-SHA1 suites), TLS 1.3 with Go's three suites.
 */
export const TLS_SERVER_OPTIONS: Pick<SecureContextOptions, 'minVersion' | 'ciphers'> = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
};

/** Node's deadline checks run this often: a stalled connection outlives its deadline by at most this. */
export function checkingIntervalMs(limits: ServingLimits): number {
  return Math.max(50, Math.min(1000, Math.floor(limits.headerTimeoutMs / 4)));
}

/** The client address of a connection (an IPv4-mapped IPv6 address as IPv4). */
function clientAddress(sock: Socket): string {
  const a = sock.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

interface Pending {
  raw: Socket;
  address: string;
  key: string;
  secure: boolean;
}

/**
 * Counts the connections that have not authenticated yet, per client address
 * and in all. A connection is counted from its TCP accept until it presents a
 * valid client certificate or its first authenticated request; past a cap the
 * oldest counted connection (of that address, or of all) is closed, never the
 * new one: a client that authenticates promptly always gets in, while
 * connections that stall cost at most the caps.
 */
export class ConnectionGuard {
  private readonly byKey = new Map<string, Pending>();
  /** Insertion order is age: the first entry is the oldest. */
  private readonly byAddress = new Map<string, Set<Pending>>();
  private readonly all = new Set<Pending>();

  constructor(
    private readonly perAddress: number,
    private readonly total: number,
  ) {}

  /** A new TCP connection (before TLS). */
  admit(raw: Socket): void {
    const p: Pending = {
      raw,
      address: clientAddress(raw),
      key: `${raw.remoteAddress}|${raw.remotePort}`,
      secure: false,
    };
    const mine = this.byAddress.get(p.address);
    if (mine && mine.size >= this.perAddress) this.evict(first(mine));
    if (this.all.size >= this.total) this.evict(first(this.all));
    // After the evictions, which drop an address's set once it is empty.
    const set = this.byAddress.get(p.address) ?? new Set<Pending>();
    this.byAddress.set(p.address, set);
    set.add(p);
    this.all.add(p);
    this.byKey.set(p.key, p);
    raw.once('close', () => this.forget(p));
  }

  /** The TLS handshake of a connection finished. */
  secured(sock: Socket): void {
    const p = this.byKey.get(`${sock.remoteAddress}|${sock.remotePort}`);
    if (p) p.secure = true;
  }

  /** The connection proved who it is: it no longer counts. */
  authenticated(sock: Socket): void {
    const p = this.byKey.get(`${sock.remoteAddress}|${sock.remotePort}`);
    if (p) this.forget(p);
  }

  /** Connections still in their TLS handshake. */
  handshaking(): Socket[] {
    return [...this.all].filter((p) => !p.secure).map((p) => p.raw);
  }

  private evict(p: Pending | undefined): void {
    if (!p) return;
    this.forget(p);
    p.raw.destroy();
  }

  private forget(p: Pending): void {
    if (this.byKey.get(p.key) === p) this.byKey.delete(p.key);
    this.all.delete(p);
    const mine = this.byAddress.get(p.address);
    mine?.delete(p);
    if (mine?.size === 0) this.byAddress.delete(p.address);
  }
}

function first<T>(set: Set<T>): T | undefined {
  return set.values().next().value;
}
