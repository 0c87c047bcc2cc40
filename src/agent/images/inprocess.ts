/**
 * The lifecycle of a container that runs inside the agent's process: its own
 * listening sockets on the pod IP, its open connections, helper child
 * processes and shutdown timers, all torn down together when it exits. No
 * timers run while a container is idle, so hundreds of them stay cheap.
 */
import type { ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import type * as net from 'node:net';
import { isIPv6 } from 'node:net';
import { joinHostPort } from '../../k8s/ip.js';
import { type ExitStatus, type RunningContainer, StartError } from './types.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's log package prefix (LstdFlags, UTC as in a container): `2006/01/02 15:04:05 `. */
export function goLogTime(d = new Date()): string {
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A listen/bind failure as the Go runtime words it, naming the address. */
export function listenErrorMessage(proto: 'tcp' | 'udp', host: string, port: number, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRINUSE'
      ? 'bind: address already in use'
      : code === 'EACCES'
        ? 'bind: permission denied'
        : code === 'EADDRNOTAVAIL'
          ? 'bind: cannot assign requested address'
          : String((err as Error).message ?? err);
  return `listen ${proto} ${joinHostPort(host, port)}: ${why}`;
}

export const EXIT_KILLED: ExitStatus = { exitCode: 137, signal: 'SIGKILL', reason: 'Error' };

/** Status for a container that exits with `code` (truncated to a byte as the kernel does). */
export function exitWith(code: number, message?: string): ExitStatus {
  const exitCode = code & 0xff;
  return { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', ...(message ? { message } : {}) };
}

export class InProcessContainer implements RunningContainer {
  readonly exited: Promise<ExitStatus>;
  /** Set once SIGTERM arrived (images use it, e.g. netexec's /readyz). */
  terminating = false;
  /** What SIGTERM does; the default ends the container with 0 at once. */
  onTerm: () => void = () => this.exit(exitWith(0));
  private resolveExit!: (s: ExitStatus) => void;
  private done = false;
  private readonly servers = new Set<net.Server>();
  private readonly udp = new Set<dgram.Socket>();
  private readonly conns = new Set<net.Socket>();
  private readonly children = new Set<ChildProcess>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor() {
    this.exited = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
  }

  get ended(): boolean {
    return this.done;
  }

  kill(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (this.done) return;
    if (signal === 'SIGKILL') {
      this.exit(EXIT_KILLED);
      return;
    }
    if (this.terminating) return;
    this.terminating = true;
    this.onTerm();
  }

  /** Listens on host:port, tracking connections; rejects with StartError('RunContainerError'). */
  async listen(server: net.Server, host: string, port: number): Promise<void> {
    server.on('connection', (s: net.Socket) => {
      if (this.done) {
        s.destroy();
        return;
      }
      this.conns.add(s);
      s.once('close', () => this.conns.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) =>
        reject(new StartError('RunContainerError', listenErrorMessage('tcp', host, port, err)));
      server.once('error', onError);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.servers.add(server);
  }

  /** Binds a UDP socket on host:port; rejects with StartError('RunContainerError'). */
  async bindUDP(host: string, port: number): Promise<dgram.Socket> {
    const sock = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        sock.close();
        reject(new StartError('RunContainerError', listenErrorMessage('udp', host, port, err)));
      };
      sock.once('error', onError);
      sock.bind({ address: host, port, exclusive: true }, () => {
        sock.off('error', onError);
        resolve();
      });
    });
    // A send error to one client must not end the server.
    sock.on('error', () => {});
    this.udp.add(sock);
    return sock;
  }

  /** A timer that dies with the container. */
  after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** A helper process (netexec's /shell) killed with the container. */
  track(child: ChildProcess): void {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  /** Stops accepting and waits for open connections to finish, at most `ms`; true if they all did. */
  async drain(ms: number): Promise<boolean> {
    const closing = [...this.servers].map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const s of this.servers) (s as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), ms);
    });
    const ok = await Promise.race([Promise.all(closing).then(() => true), timedOut]);
    clearTimeout(timer);
    return ok;
  }

  /** Ends the container: every socket, child and timer goes; resolves `exited` once the ports are free. */
  exit(status: ExitStatus): void {
    if (this.done) return;
    this.done = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.children) c.kill('SIGKILL');
    const closing: Promise<void>[] = [];
    for (const s of this.servers) closing.push(new Promise((r) => s.close(() => r())));
    for (const c of this.conns) c.destroy();
    for (const u of this.udp) closing.push(new Promise((r) => u.close(() => r())));
    this.servers.clear();
    this.udp.clear();
    void Promise.all(closing).then(() => this.resolveExit(status));
  }
}
