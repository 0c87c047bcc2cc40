/**
 * Real sockets for data-plane tests: small TCP and UDP servers standing in
 * for pods, and clients that connect through a proxy. Everything is tracked
 * so a test file can end it all (clients after each test, pods at the end).
 */
import dgram from 'node:dgram';
import net from 'node:net';

export interface Addr {
  ip: string;
  port: number;
}

export interface UdpAnswer {
  reply?: string;
  /** `ip:port` the reply came from. */
  from?: string;
}

export class Sockets {
  private readonly servers: net.Server[] = [];
  private readonly udpServers: dgram.Socket[] = [];
  private readonly clients = new Set<net.Socket>();
  private readonly udpClients = new Set<dgram.Socket>();
  /** Pod-side connections, destroyed with the pods. */
  private readonly podConns = new Set<net.Socket>();

  /** A pod that says its name on connect, then echoes. */
  async namedEcho(ip: string, name: string, port = 0): Promise<Addr> {
    const s = net.createServer({ allowHalfOpen: true }, (c) => {
      this.trackPod(c);
      c.write(`${name}\n`);
      c.pipe(c);
    });
    return this.listen(s, ip, port);
  }

  /** A TCP pod with its own connection handler. */
  async tcpServer(ip: string, onConn: (c: net.Socket) => void, port = 0): Promise<Addr> {
    const s = net.createServer({ allowHalfOpen: true }, (c) => {
      this.trackPod(c);
      onConn(c);
    });
    return this.listen(s, ip, port);
  }

  /** A UDP pod answering `name:message`. */
  async udpEcho(ip: string, name: string, port = 0): Promise<Addr> {
    const s = dgram.createSocket(net.isIPv4(ip) ? 'udp4' : 'udp6');
    s.on('message', (m, r) => s.send(`${name}:${m}`, r.port, r.address));
    await new Promise<void>((r) => s.bind(port, ip, r));
    this.udpServers.push(s);
    return { ip, port: s.address().port };
  }

  connect(ip: string, port: number, localAddress?: string): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const c = net.connect({ host: ip, port, localAddress, allowHalfOpen: true });
      this.clients.add(c);
      c.once('connect', () => resolve(c));
      c.once('error', reject);
    });
  }

  /** Starts a connection without waiting for it; state() tells how it went so far. */
  connecting(ip: string, port: number): { socket: net.Socket; state(): 'pending' | 'connected' | 'failed' } {
    let state: 'pending' | 'connected' | 'failed' = 'pending';
    const socket = net.connect({ host: ip, port });
    this.clients.add(socket);
    socket.once('connect', () => {
      state = 'connected';
    });
    socket.once('error', () => {
      state = 'failed';
    });
    return { socket, state: () => state };
  }

  /** Connects and returns the serving pod's name (its first line). */
  async whoAmI(ip: string, port: number, localAddress?: string): Promise<string> {
    const c = await this.connect(ip, port, localAddress);
    const [name] = await readLines(c, 1);
    c.destroy();
    return name!;
  }

  /** The error a connection attempt ends with (undefined: it closed without one); fails if it has not ended within 20 s. */
  connectError(ip: string, port: number): Promise<{ code?: string }> {
    let timer: NodeJS.Timeout | undefined;
    return new Promise<{ code?: string }>((resolve, reject) => {
      const c = net.connect({ host: ip, port });
      this.clients.add(c);
      c.on('data', () => {});
      c.once('error', (err: NodeJS.ErrnoException) => resolve({ code: err.code }));
      c.once('close', () => resolve({ code: undefined }));
      timer = setTimeout(
        () => reject(new Error(`a connection to ${ip}:${port} still open after 20 s`)),
        20_000,
      );
    }).finally(() => clearTimeout(timer));
  }

  /** Sends one datagram and waits up to timeoutMs for one answer (on `sock` if given). */
  udpAsk(ip: string, port: number, msg: string, sock?: dgram.Socket, timeoutMs = 1000): Promise<UdpAnswer> {
    const s = sock ?? this.udpClient(ip);
    return new Promise<UdpAnswer>((resolve) => {
      const timer = setTimeout(() => done({}), timeoutMs);
      const onMsg = (m: Buffer, r: dgram.RemoteInfo) =>
        done({ reply: m.toString(), from: `${r.address}:${r.port}` });
      const done = (v: UdpAnswer) => {
        clearTimeout(timer);
        s.off('message', onMsg);
        if (!sock) this.closeUdp(s);
        resolve(v);
      };
      s.on('message', onMsg);
      s.send(msg, port, ip);
    });
  }

  /** A UDP client socket, closed by closeClients() unless closed before. */
  udpClient(ip = '127.0.0.1'): dgram.Socket {
    const s = dgram.createSocket(net.isIPv4(ip) ? 'udp4' : 'udp6');
    this.udpClients.add(s);
    s.once('close', () => this.udpClients.delete(s));
    return s;
  }

  /**
   * Sends a datagram from a socket connected to ip:port and resolves with the error code
   * the kernel reports (an ICMP port unreachable gives ECONNREFUSED), or with the reply.
   */
  udpConnected(
    ip: string,
    port: number,
    msg: string,
    deadlineMs = 5000,
  ): Promise<{ code?: string; reply?: string }> {
    const s = this.udpClient(ip);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.closeUdp(s);
        reject(new Error(`no answer and no error from ${ip}:${port} within ${deadlineMs} ms`));
      }, deadlineMs);
      const done = (v: { code?: string; reply?: string }) => {
        clearTimeout(timer);
        this.closeUdp(s);
        resolve(v);
      };
      s.once('error', (err: NodeJS.ErrnoException) => done({ code: err.code }));
      s.once('message', (m) => done({ reply: m.toString() }));
      s.connect(port, ip, () => s.send(msg));
    });
  }

  /** Ends the client sockets (after each test). */
  closeClients(): void {
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    for (const s of this.udpClients) this.closeUdp(s);
  }

  /** Ends everything: clients, pods and their connections. */
  async closeAll(): Promise<void> {
    this.closeClients();
    for (const c of this.podConns) c.destroy();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
    for (const s of this.udpServers) this.closeUdp(s);
    this.servers.length = 0;
    this.udpServers.length = 0;
  }

  private async listen(s: net.Server, ip: string, port: number): Promise<Addr> {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, ip, () => {
        s.off('error', reject);
        resolve();
      });
    });
    this.servers.push(s);
    return { ip, port: (s.address() as net.AddressInfo).port };
  }

  private trackPod(c: net.Socket): void {
    this.podConns.add(c);
    c.once('close', () => this.podConns.delete(c));
    c.on('error', () => {});
  }

  private closeUdp(s: dgram.Socket): void {
    this.udpClients.delete(s);
    try {
      s.close();
    } catch {
      // already closed
    }
  }
}

/** Reads until n lines arrived (or the socket ended). */
export function readLines(c: net.Socket, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      if (lines.length > n) {
        c.off('data', onData);
        resolve(lines.slice(0, n));
      }
    };
    c.on('data', onData);
    c.once('end', () => resolve(buf.split('\n').filter(Boolean)));
    c.once('error', reject);
  });
}

/** Polls `check` until it returns a value other than undefined/false, failing after deadlineMs. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  deadlineMs = 5000,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
