import * as dgram from 'node:dgram';
import * as http from 'node:http';
import type { ContainerSpec } from '../../../src/agent/images/types.js';

/** A container spec with captured output. */
export function makeSpec(
  over: Partial<ContainerSpec> = {},
): ContainerSpec & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    namespace: 'default',
    podName: 'web-1',
    podUID: 'uid-1',
    containerName: 'main',
    image: 'svcnet/netexec',
    podIP: '127.244.250.1',
    hostname: 'web-1',
    command: [],
    args: [],
    env: { HOSTNAME: 'web-1', GREETING: 'hello' },
    stdout: (c) => out.push(c),
    stderr: (c) => err.push(c),
    ...over,
    out,
    err,
  };
}

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One HTTP request on a fresh connection. */
export function get(
  host: string,
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, method: 'GET', agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One UDP datagram and its answer, or undefined after `ms`. */
export function udp(host: string, port: number, msg: string, ms = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, ms);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(m.toString());
    });
    s.on('error', () => {});
    s.send(msg, port, host);
  });
}

/** Whether something accepts TCP connections on host:port. */
export function refuses(host: string, port: number): Promise<boolean> {
  return get(host, port, '/').then(
    () => false,
    () => true,
  );
}
