import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Obj } from '../../../src/client/types.js';
import { ServiceHealthServer, serviceHealthBody } from '../../../src/proxy/health/service.js';
import { get } from './httpget.js';

// Addresses only this file uses.
const IP1 = '127.97.203.1';
const IP2 = '127.97.203.2';

/** Ports free on both addresses right now (bound to port 0, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < n) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((r) => s.listen(0, IP1, r));
      const port = (s.address() as { port: number }).port;
      // Also free on IP2?
      const probe = createServer();
      const ok = await new Promise<boolean>((r) => {
        probe.once('error', () => r(false));
        probe.listen(port, IP2, () => r(true));
      });
      if (ok) {
        await new Promise((r) => probe.close(r));
        ports.push(port);
      }
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
  return ports;
}

const body = (ns: string, name: string, n: number, healthy: boolean) =>
  `{\n\t"service": {\n\t\t"namespace": "${ns}",\n\t\t"name": "${name}"\n\t},\n\t"localEndpoints": ${n},\n\t"serviceProxyHealthy": ${healthy}\n}`;

describe('serviceHealthBody', () => {
  test('matches upstream dedented template exactly', () => {
    assert.equal(serviceHealthBody('a/b', 18, true), body('a', 'b', 18, true));
    assert.equal(serviceHealthBody('ns/svc', 0, false), body('ns', 'svc', 0, false));
    // %q escaping
    assert.equal(serviceHealthBody('n/we"ird', 1, true), body('n', 'we\\"ird', 1, true));
  });
});

describe('ServiceHealthServer over HTTP', () => {
  const proxy = { healthy: true, isHealthy: () => proxy.healthy };
  const events: { obj: Obj; type: string; reason: string; message: string }[] = [];
  const hcs = new ServiceHealthServer({
    hostname: 'node-1',
    nodeIPs: [IP1, IP2],
    proxyHealth: proxy,
    events: { event: (obj, type, reason, message) => events.push({ obj, type, reason, message }) },
  });
  let p: number[] = [];
  before(async () => {
    p = await freePorts(5);
  });
  after(() => hcs.stop());

  async function expect(
    ip: string,
    port: number,
    ns: string,
    name: string,
    status: number,
    n: number,
    healthy = true,
  ) {
    const r = await get(ip, port, '/any/path?x=1');
    assert.equal(r.status, status, `${ns}/${name} on ${ip}:${port}`);
    assert.equal(r.body, body(ns, name, n, healthy));
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-load-balancing-endpoint-weight'], String(n));
  }

  test('sync nothing, unknown endpoints dropped', async () => {
    assert.deepEqual(await hcs.syncServices(new Map()), []);
    hcs.syncEndpoints(new Map([['a/b', 93]]));
    assert.equal(hcs.served().size, 0);
  });

  test('one service: 503 without local endpoints, 200 with, on every node address', async () => {
    assert.deepEqual(await hcs.syncServices(new Map([['a/b', p[0]]])), []);
    assert.deepEqual(hcs.served(), new Map([['a/b', p[0]]]));
    for (const ip of [IP1, IP2]) await expect(ip, p[0], 'a', 'b', 503, 0);
    const steps: [Map<string, number>, number, number][] = [
      [new Map([['a/b', 18]]), 200, 18],
      [new Map([['a/b', 0]]), 503, 0],
      [new Map([['a/b', 11]]), 200, 11],
      [new Map(), 503, 0],
    ];
    for (const [counts, status, n] of steps) {
      hcs.syncEndpoints(counts);
      for (const ip of [IP1, IP2]) await expect(ip, p[0], 'a', 'b', status, n);
    }
  });

  test('several services: removed closed, unchanged kept, re-ported moved, new opened', async () => {
    await hcs.syncServices(
      new Map([
        ['a/b', p[0]],
        ['c/d', p[1]],
        ['e/f', p[2]],
      ]),
    );
    hcs.syncEndpoints(
      new Map([
        ['a/b', 9],
        ['c/d', 3],
        ['e/f', 7],
      ]),
    );
    await expect(IP1, p[0], 'a', 'b', 200, 9);
    await expect(IP1, p[1], 'c', 'd', 200, 3);
    await expect(IP1, p[2], 'e', 'f', 200, 7);

    const errs = await hcs.syncServices(
      new Map([
        ['c/d', p[1]],
        ['e/f', p[3]],
        ['g/h', p[4]],
      ]),
    );
    assert.deepEqual(errs, []);
    assert.deepEqual(
      hcs.served(),
      new Map([
        ['c/d', p[1]],
        ['e/f', p[3]],
        ['g/h', p[4]],
      ]),
    );
    await assert.rejects(get(IP1, p[0], '/'), { code: 'ECONNREFUSED' });
    await assert.rejects(get(IP1, p[2], '/'), { code: 'ECONNREFUSED' });
    await expect(IP1, p[1], 'c', 'd', 200, 3); // kept its count
    await expect(IP1, p[3], 'e', 'f', 503, 0); // re-opened: count starts at 0
    await expect(IP2, p[4], 'g', 'h', 503, 0);

    hcs.syncEndpoints(
      new Map([
        ['e/f', 7],
        ['g/h', 6],
      ]),
    );
    await expect(IP1, p[1], 'c', 'd', 503, 0);
    await expect(IP1, p[3], 'e', 'f', 200, 7);
    await expect(IP2, p[4], 'g', 'h', 200, 6);
  });

  test('an unhealthy proxy makes every check 503, with serviceProxyHealthy false', async () => {
    proxy.healthy = false;
    await expect(IP1, p[1], 'c', 'd', 503, 0, false);
    await expect(IP1, p[3], 'e', 'f', 503, 7, false);
    proxy.healthy = true;
    await expect(IP1, p[3], 'e', 'f', 200, 7, true);
  });

  test('a port that cannot be bound is reported, evented and retried; the rest are served', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(p[0], IP2, r));
    try {
      const wanted = new Map([
        ['c/d', p[1]],
        ['x/y', p[0]],
        ['e/f', p[3]],
      ]);
      const errs = await hcs.syncServices(wanted);
      assert.equal(errs.length, 1);
      assert.equal(errs[0].service, 'x/y');
      assert.equal(errs[0].port, p[0]);
      assert.equal(
        errs[0].message,
        `node node-1 failed to start healthcheck "x/y" on port ${p[0]}: listen tcp ${IP2}:${p[0]}: bind: address already in use`,
      );
      assert.equal((errs[0].cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
      assert.equal(events.length, 1);
      assert.equal(events[0].type, 'Warning');
      assert.equal(events[0].reason, 'FailedToStartServiceHealthcheck');
      assert.equal(events[0].message, errs[0].message);
      assert.deepEqual(events[0].obj.metadata, { namespace: 'x', name: 'y', uid: 'x/y' });
      // The half-opened address was closed again.
      await assert.rejects(get(IP1, p[0], '/'), { code: 'ECONNREFUSED' });
      assert.equal(hcs.served().has('x/y'), false);
      await expect(IP1, p[1], 'c', 'd', 503, 0);
      await expect(IP1, p[3], 'e', 'f', 200, 7);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    // Freed: the next sync opens it.
    assert.deepEqual(
      await hcs.syncServices(
        new Map([
          ['c/d', p[1]],
          ['x/y', p[0]],
        ]),
      ),
      [],
    );
    await expect(IP2, p[0], 'x', 'y', 503, 0);
  });

  test('stop closes everything', async () => {
    await hcs.stop();
    assert.equal(hcs.served().size, 0);
    await assert.rejects(get(IP1, p[1], '/'), { code: 'ECONNREFUSED' });
  });
});
