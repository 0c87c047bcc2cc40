/**
 * A graceful stop ends every watch stream cleanly, even for a client that
 * reads slowly: what the server already wrote reaches it, then the end.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { loadKubeconfig } from '../../../src/client/kubeconfig.js';
import { Services } from '../../../src/client/resources.js';
import { startTestApi } from '../../lib/testapi.js';

describe('stopping with a slow watch reader', () => {
  it('delivers the whole stream and its end to a client that reads only after the stop began', async () => {
    const t = await startTestApi('drain');
    try {
      // Megabytes: most of the initial events wait in the server's buffers for the reader.
      const big = 'x'.repeat(8000);
      const creates: Promise<unknown>[] = [];
      for (let i = 0; i < 400; i++) {
        const svc: Service = {
          metadata: { name: `s-${i}`, annotations: { big } },
          spec: { ports: [{ port: 80 }] },
        };
        creates.push(t.client.create(Services, 'default', svc));
      }
      await Promise.all(creates);

      const conn = loadKubeconfig(t.server.kubeconfigPath);
      const events: string[] = [];
      let ending = '';
      let paused: (() => void) | undefined;
      const done = new Promise<void>((resolve) => {
        const req = request(
          `${conn.server}/api/v1/namespaces/default/services?watch=true&resourceVersion=0`,
          { ca: conn.ca, headers: { authorization: `Bearer ${conn.token}` } },
          (res) => {
            res.pause();
            paused = () => res.resume();
            let buf = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              buf += d;
              for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
                events.push(buf.slice(0, i));
                buf = buf.slice(i + 1);
              }
            });
            res.on('end', () => {
              ending = 'end';
              resolve();
            });
            res.on('error', (err) => {
              ending = `error: ${err.message}`;
              resolve();
            });
          },
        );
        req.on('error', (err) => {
          ending = `error: ${err.message}`;
          resolve();
        });
        req.end();
      });
      // The response has started; its data piles up unread.
      while (!paused) await new Promise((r) => setTimeout(r, 10));
      const stopped = t.server.stop();
      // The stop has ended the stream and is waiting for the connection; only now the client reads.
      await new Promise((r) => setTimeout(r, 300));
      paused();
      await done;
      await stopped;
      assert.equal(ending, 'end');
      assert.equal(events.filter((e) => e.includes('"ADDED"') && e.includes('"name":"s-')).length, 400);
    } finally {
      await t.stop().catch(() => {});
    }
  });
});
