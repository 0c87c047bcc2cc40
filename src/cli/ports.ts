/**
 * The fixed ports `up` listens on (API server, cluster DNS and its metrics,
 * the proxy's health and metrics servers, the agent's log server), each a
 * flag. A port left at its default that something else holds (a second
 * `svcnet up` on this machine) is replaced by a free one, and the caller says
 * where; a port given explicitly that is taken is an error, as it would be
 * for the component itself.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { SvcnetError } from '../lib/errors.js';

export interface PortRequest {
  /** The flag that sets it, for messages: `--dns-port`. */
  flag: string;
  /** What listens there, for messages: `cluster DNS`. */
  what: string;
  host: string;
  port: number;
  /** Given on the command line (never moved). */
  explicit: boolean;
  /** DNS needs the port free for both. */
  udp?: boolean;
}

/** A request with its port decided; `movedFrom`: the default that was taken, when it moved. */
export type PortChoice<R extends PortRequest = PortRequest> = R & { movedFrom?: number };

function tcpFree(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen({ host, port, exclusive: true }, () => {
      const bound = (s.address() as { port: number }).port;
      s.close(() => resolve(bound));
    });
  });
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind({ address: host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** Whether `port` on `host` can be listened on now (0 always can). */
export async function portFree(host: string, port: number, udp = false): Promise<boolean> {
  if (port === 0) return true;
  if ((await tcpFree(host, port)) === undefined) return false;
  return !udp || udpFree(host, port);
}

/** A port free on `host` now (for TCP, and UDP too when asked), other than those in `avoid`. */
export async function freePortOn(
  host: string,
  udp = false,
  avoid: ReadonlySet<number> = new Set(),
): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = await tcpFree(host, 0);
    if (port !== undefined && !avoid.has(port) && (!udp || (await udpFree(host, port)))) return port;
  }
  throw new Error(`no free port on ${host}`);
}

export class PortTakenError extends SvcnetError<'PORT_TAKEN'> {
  constructor(readonly request: PortRequest) {
    super(
      'PORT_TAKEN',
      `port ${request.port} on ${request.host} (${request.flag}, ${request.what}) is in use`,
    );
  }
}

/** Each request's port, a free one for taken defaults; throws PortTakenError for a taken explicit one. */
export async function choosePorts<R extends PortRequest>(requests: readonly R[]): Promise<PortChoice<R>[]> {
  const chosen: PortChoice<R>[] = [];
  const used = new Set<string>();
  const key = (host: string, port: number) => `${host}:${port}`;
  for (const r of requests) {
    const clash = r.port !== 0 && used.has(key(r.host, r.port));
    if (!clash && (await portFree(r.host, r.port, r.udp))) {
      chosen.push({ ...r });
    } else if (r.explicit) {
      throw new PortTakenError(r);
    } else {
      const avoid = new Set(chosen.filter((c) => c.host === r.host).map((c) => c.port));
      chosen.push({ ...r, port: await freePortOn(r.host, r.udp, avoid), movedFrom: r.port });
    }
    used.add(key(r.host, chosen.at(-1)!.port));
  }
  return chosen;
}
