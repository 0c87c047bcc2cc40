/**
 * Watchers that never read: past the bytes one stream may have waiting, or
 * the bytes all streams together may have, a stalled watch is closed (the
 * client re-lists, as with upstream's unresponsive watchers), while a watcher
 * that reads gets every event.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { ServingLimits } from '../../../src/api/server/serving.js';
import { Services } from '../../../src/client/resources.js';
import { startTestApi } from '../../lib/testapi.js';
import { type Creds, creds, eventually, head, isClosed, tls } from './net.js';

const WATCH = '/api/v1/namespaces/default/services?watch=true';
/**
 * 400 Services of 40 KB: 16 MB per watcher, of which the kernel's socket
 * buffers hold about 4 MB; the limits below are well over what a reader in
 * this process may have waiting while the writes come.
 */
const COUNT = 400;
const big = 'x'.repeat(40_000);

/** A watch that reads everything; `names` are the Services it saw added (but default/kubernetes). */
function reader(c: Creds) {
  const names: string[] = [];
  let ended = false;
  let buf = '';
  const req = request(
    { host: '127.0.0.1', port: c.port, path: WATCH, ca: c.ca, agent: false, servername: 'localhost' },
    (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const e = JSON.parse(buf.slice(0, i)) as { type: string; object: Service };
          const name = e.object.metadata!.name!;
          if (e.type === 'ADDED' && name !== 'kubernetes') names.push(name);
          buf = buf.slice(i + 1);
        }
      });
      res.on('close', () => {
        ended = true;
      });
    },
  );
  req.setHeader('Authorization', `Bearer ${c.token}`);
  req.on('error', () => {
    ended = true;
  });
  req.end();
  return { names, ended: () => ended, close: () => req.destroy() };
}

/** A watch whose client stops reading once the response has started. */
async function stalled(c: Creds) {
  const s = await tls(c);
  s.write(head(c, 'GET', WATCH));
  await eventually(() => s.text().startsWith('HTTP/1.1 200'), 'a stalled watch to start');
  s.pause();
  return s;
}

async function scenario(limits: Partial<ServingLimits>): Promise<void> {
  const t = await startTestApi('watchbudget', 'svcnet-test', { serving: limits });
  const c = creds(t);
  const sockets: Awaited<ReturnType<typeof stalled>>[] = [];
  const r = reader(c);
  try {
    for (let i = 0; i < 3; i++) sockets.push(await stalled(c));
    for (let i = 0; i < COUNT; i += 10) {
      const batch: Promise<Service>[] = [];
      for (let j = i; j < i + 10; j++) {
        const s: Service = {
          metadata: { name: `s-${j}`, annotations: { big } },
          spec: { ports: [{ port: 80 }] },
        };
        batch.push(t.client.create(Services, 'default', s));
      }
      await Promise.all(batch);
    }
    await eventually(
      () => r.names.length === COUNT,
      () => `the reader to see every Service (saw ${r.names.length}, ended: ${r.ended()})`,
    );
    await t.client.create(Services, 'default', {
      metadata: { name: 'sentinel' },
      spec: { ports: [{ port: 80 }] },
    });
    await eventually(() => r.names.includes('sentinel'), 'the reader to see the sentinel');
    // A stalled watch that was closed ends once its client reads what the kernel still held;
    // one left open would go on to the sentinel instead.
    for (const s of sockets) s.resume();
    await eventually(
      () => sockets.every((s) => isClosed(s) || s.text().includes('"name":"sentinel"')),
      'the stalled watches to end or catch up',
    );
    assert.deepEqual(
      sockets.map((s) => s.text().includes('"name":"sentinel"')),
      [false, false, false],
      'no stalled watch lived to see the sentinel',
    );
    assert.equal(r.ended(), false, 'the reading watch is still open');
    assert.deepEqual(r.names, [...Array.from({ length: COUNT }, (_, i) => `s-${i}`), 'sentinel']);
  } finally {
    r.close();
    for (const s of sockets) s.destroy();
    await t.stop();
  }
}

describe('watchers that never read', () => {
  it('closes a stalled watch past its own buffer limit; a reader gets everything', () =>
    scenario({ watchBufferBytes: 2 * 1024 * 1024, watchBufferTotalBytes: 1024 * 1024 * 1024 }));

  it('closes stalled watches past the limit for all watches together; a reader gets everything', () =>
    scenario({ watchBufferBytes: 1024 * 1024 * 1024, watchBufferTotalBytes: 4 * 1024 * 1024 }));
});
