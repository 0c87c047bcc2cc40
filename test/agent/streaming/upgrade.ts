/** Test helpers: an upgrade request's outcome, as a client sees it. */
import { request } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeOutcome = { code: number; body: string } | { code: 101; socket: Duplex };

/** Sends an upgrade request; resolves the refusal (code and body) or the upgraded socket. */
export function tryUpgrade(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<UpgradeOutcome> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', ...headers },
    });
    req.on('upgrade', (_res, socket) => resolve({ code: 101, socket }));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
