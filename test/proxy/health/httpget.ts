/** A one-shot HTTP GET without connection reuse, for the health and metrics server tests. */
import { request } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function get(host: string, port: number, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A mutable fake wall clock (epoch milliseconds). */
export class FakeClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  step(ms: number): void {
    this.t += ms;
  }
}
