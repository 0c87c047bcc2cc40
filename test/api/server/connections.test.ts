/**
 * Clients that connect and stall: an unfinished TLS handshake, header or body
 * is closed after its deadline (short ones here), while a watch, once
 * authenticated, outlives them; connections that have not authenticated are
 * capped per address and in all (the oldest goes), while clients that
 * authenticate keep being served; a stop does not wait for a stalled
 * handshake.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { Services } from '../../../src/client/resources.js';
import { startTestApi, type TestApi } from '../../lib/testapi.js';
import { type Creds, creds, eventually, head, isClosed, tcp, tls } from './net.js';

const PARTIAL = 'GET / HTTP/1.1\r\nHost: x\r\nX:';
const svc = (name: string): Service => ({ metadata: { name }, spec: { ports: [{ port: 80 }] } });

describe('deadlines for stalled requests', () => {
  let t: TestApi;
  let c: Creds;
  before(async () => {
    t = await startTestApi('deadlines', 'svcnet-test', {
      serving: { headerTimeoutMs: 1000, requestTimeoutMs: 2000 },
    });
    c = creds(t);
  });
  after(() => t?.stop());

  it('closes a connection whose request header never completes', async () => {
    const s = await tls(c);
    try {
      s.write(PARTIAL);
      await eventually(() => isClosed(s), 'the half-sent header to be closed');
    } finally {
      s.destroy();
    }
  });

  it('closes a connection that sends nothing after the handshake', async () => {
    const s = await tls(c);
    try {
      await eventually(() => isClosed(s), 'the silent connection to be closed');
    } finally {
      s.destroy();
    }
  });

  it('closes a TLS handshake that never starts', async () => {
    const s = await tcp(c);
    try {
      await eventually(() => isClosed(s), 'the plain TCP connection to be closed');
    } finally {
      s.destroy();
    }
  });

  it('closes an authenticated request whose body never completes', async () => {
    const s = await tls(c);
    try {
      s.write(head(c, 'POST', '/api/v1/namespaces/default/services', 'Content-Length: 1000\r\n'));
      s.write('{"apiVersion":');
      await eventually(() => isClosed(s), 'the half-sent body to be closed');
    } finally {
      s.destroy();
    }
  });

  it('keeps a watch open past the header and body deadlines', async () => {
    const watch = await tls(c);
    const stalled = await Promise.all([tls(c), tls(c)]);
    try {
      watch.write(head(c, 'GET', '/api/v1/namespaces/default/services?watch=true'));
      await eventually(() => watch.text().startsWith('HTTP/1.1 200'), 'the watch to start');
      // Started after the watch, these are closed only once both deadlines have passed for it too.
      stalled[0]!.write(PARTIAL);
      stalled[1]!.write(head(c, 'POST', '/api/v1/namespaces/default/services', 'Content-Length: 10\r\n'));
      await eventually(() => stalled.every(isClosed), 'the stalled requests to be closed');
      await t.client.create(Services, 'default', svc('after-deadlines'));
      await eventually(() => watch.text().includes('"name":"after-deadlines"'), 'the watch event');
      assert.equal(isClosed(watch), false);
    } finally {
      watch.destroy();
      for (const s of stalled) s.destroy();
    }
  });
});

describe('connections that have not authenticated', () => {
  let t: TestApi;
  let c: Creds;
  // A server each: connections a test leaves behind must not count in the next.
  beforeEach(async () => {
    t = await startTestApi('conncap', 'svcnet-test', {
      serving: { maxUnauthenticatedPerAddress: 4, maxUnauthenticated: 6 },
    });
    c = creds(t);
  });
  afterEach(() => t?.stop());

  /** Opens n half-open connections one after another (so their age is their order). */
  async function halfOpen(n: number, localAddress?: string) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const s = await tls(c, { localAddress });
      s.write(PARTIAL);
      out.push(s);
    }
    return out;
  }

  async function get(s: Awaited<ReturnType<typeof tls>>, path: string): Promise<void> {
    const before = s.text().length;
    s.write(head(c, 'GET', path));
    await eventually(() => /HTTP\/1\.1 \d+/.test(s.text().slice(before)), `an answer to GET ${path}`);
    assert.match(s.text().slice(before), /^HTTP\/1\.1 200 /);
  }

  it('closes the oldest past the per-address cap and serves clients that authenticate', async () => {
    const admin = await tls(c);
    await get(admin, '/api/v1/namespaces/default/services');
    const stalled = await halfOpen(7);
    try {
      await eventually(() => stalled.slice(0, 3).every(isClosed), 'the 3 oldest to be closed');
      assert.deepEqual(stalled.slice(3).map(isClosed), [false, false, false, false]);
      // A new client from the same address authenticates (token, then certificate) and is served...
      const byToken = await tls(c);
      await get(byToken, '/api/v1/namespaces/default/services');
      const byCert = await tls(c, { cert: true });
      byCert.write('GET /api/v1/namespaces/default/services HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await eventually(() => byCert.text().startsWith('HTTP/1.1 200 '), 'the certificate client answered');
      // ...and so is the connection that authenticated before it all.
      await get(admin, '/api/v1/namespaces/default/services');
      for (const s of [byToken, byCert]) s.destroy();
    } finally {
      admin.destroy();
      for (const s of stalled) s.destroy();
    }
  });

  it('closes the oldest past the cap over all addresses', async () => {
    const fromA = await halfOpen(4, '127.0.0.2');
    const fromB = await halfOpen(4, '127.0.0.3');
    try {
      await eventually(() => fromA.slice(0, 2).every(isClosed), 'the 2 oldest to be closed');
      assert.deepEqual([...fromA.slice(2), ...fromB].map(isClosed), [
        false,
        false,
        false,
        false,
        false,
        false,
      ]);
      const client = await tls(c, { localAddress: '127.0.0.4' });
      await get(client, '/version');
      client.destroy();
    } finally {
      for (const s of [...fromA, ...fromB]) s.destroy();
    }
  });
});

describe('stopping with a stalled handshake', () => {
  it('closes a connection that never finishes its TLS handshake', async () => {
    const t = await startTestApi('stophandshake', 'svcnet-test', {
      serving: { headerTimeoutMs: 600_000, requestTimeoutMs: 600_000 },
    });
    const s = await tcp(creds(t));
    let stopped = false;
    const stopping = t.stop().then(() => {
      stopped = true;
    });
    try {
      // The handshake deadline is 10 min: only the stop's own grace can end it this soon.
      await eventually(() => stopped && isClosed(s), 'the stop to close the connection and finish', 30_000);
    } finally {
      s.destroy();
      await stopping;
    }
  });
});
