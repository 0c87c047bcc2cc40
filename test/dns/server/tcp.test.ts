/**
 * DNS over TCP under slow and idle clients: a message must arrive whole
 * within the read timeout of its first byte (not of its last byte), idle
 * connections close, and a full table gives new connections the slot of an
 * idle one, so slow clients never lock new queries out.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import packet from 'dns-packet';
import { FrameDecoder, frame } from '../../../src/dns/server/framing.js';
import { DnsServer } from '../../../src/dns/server/server.js';
import type { Forwarder } from '../../../src/dns/types.js';
import { ManualClock } from '../../lib/clock.js';
import {
  decode,
  fakeIndex,
  query,
  type Reply,
  type SlowClients,
  slowClients,
  tcpQueryOnce,
} from './helpers.js';

/** Polls until fn() holds (a real-time bound, generous: a failure, not a measurement). */
async function until(fn: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A client connection that records whether it was closed. */
function open(port: number): Promise<{ sock: Socket; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    const sock = connect({ host: '127.0.0.1', port });
    sock.on('error', () => {});
    sock.on('close', () => {
      closed = true;
    });
    sock.once('connect', () => resolve({ sock, closed: () => closed }));
    sock.once('error', reject);
  });
}

const webAnswer = (r: { answers?: { type: string; data?: unknown }[] } | undefined) =>
  r?.answers?.find((a) => a.type === 'A')?.data;

describe('DNS over TCP deadlines (manual clock)', () => {
  let clock: ManualClock;
  let server: DnsServer;
  let port: number;
  let release: (() => void)[] = [];
  const forwarder = heldForwarder(() => release);

  before(async () => {
    clock = new ManualClock();
    server = new DnsServer({
      address: '127.0.0.1',
      port: 0,
      index: () => fakeIndex(),
      forwarder,
      clock,
      tcpReadTimeoutMs: 2000,
      tcpIdleTimeoutMs: 8000,
    });
    ({ port } = await server.start());
  });
  after(async () => {
    for (const r of release) r();
    await server.stop();
  });

  /** A connection the server has accepted (its deadlines run from the clock's now). */
  const accepted = async () => {
    const before = server.tcpStats().open;
    const c = await open(port);
    await until(() => server.tcpStats().open === before + 1, 'the server to accept');
    return c;
  };
  const closedBy = async (c: { closed: () => boolean }) => until(c.closed, 'the server to close it');

  it('the first message must arrive within the read timeout of the connection', async () => {
    const timeouts = server.tcpStats().readTimeouts;
    const c = await accepted();
    await clock.advance(1999);
    assert.equal(server.tcpStats().readTimeouts, timeouts, 'open at 1999 ms');
    await clock.advance(1);
    assert.equal(server.tcpStats().readTimeouts, timeouts + 1, 'closed at 2000 ms');
    await closedBy(c);
  });

  it('a message trickled byte by byte is cut at the read timeout of its first byte', async () => {
    const timeouts = server.tcpStats().readTimeouts;
    const c = await accepted();
    const [r] = await tcpQueriesOn(c.sock, [query('web.default.svc.cluster.local')]);
    assert.equal(webAnswer(r), '10.96.0.5');
    const framed = frameOf(query('web.default.svc.cluster.local'));
    c.sock.write(framed.subarray(0, 1));
    await until(() => server.tcpStats().receiving === 1, 'the first byte to arrive');
    // One byte every 500 ms: each arrives, none moves the deadline.
    for (let i = 1; i < 4; i++) {
      await clock.advance(500);
      c.sock.write(framed.subarray(i, i + 1));
    }
    await clock.advance(499);
    assert.equal(server.tcpStats().readTimeouts, timeouts, 'open until 2 s after the first byte');
    await clock.advance(1);
    assert.equal(server.tcpStats().readTimeouts, timeouts + 1, 'closed 2 s after the first byte');
    await closedBy(c);
  });

  it('an idle connection closes after the idle timeout from its last reply, not before', async () => {
    const timeouts = server.tcpStats().idleTimeouts;
    const c = await accepted();
    await tcpQueriesOn(c.sock, [query('web.default.svc.cluster.local')]);
    await clock.advance(7999);
    assert.equal(server.tcpStats().idleTimeouts, timeouts, 'open at 7999 ms');
    await clock.advance(1);
    assert.equal(server.tcpStats().idleTimeouts, timeouts + 1, 'closed at 8000 ms');
    await closedBy(c);
  });

  it('a query in flight keeps its connection open; the idle timeout runs from its reply', async () => {
    const c = await accepted();
    c.sock.write(frameOf(query('www.example.com')));
    await until(() => release.length === 1, 'the query to reach the forwarder');
    const openNow = server.tcpStats().open;
    await clock.advance(60_000);
    assert.equal(server.tcpStats().open, openNow, 'open while its query is in flight');
    const reply = replyOn(c.sock);
    release.shift()!();
    await reply;
    await clock.advance(7999);
    assert.equal(server.tcpStats().open, openNow, 'open at 7999 ms after the reply');
    await clock.advance(1);
    assert.equal(server.tcpStats().open, openNow - 1, 'closed at 8000 ms');
    await closedBy(c);
    release = [];
  });
});

describe('DNS over TCP when every slot is taken (manual clock: no deadline fires)', () => {
  let server: DnsServer;
  let port: number;
  let release: (() => void)[] = [];
  const forwarder = heldForwarder(() => release);
  before(async () => {
    server = new DnsServer({
      address: '127.0.0.1',
      port: 0,
      index: () => fakeIndex(),
      forwarder,
      clock: new ManualClock(),
      maxTcpConnections: 3,
    });
    ({ port } = await server.start());
  });
  after(async () => {
    for (const r of release) r();
    await server.stop();
  });

  it('a new connection takes the slot of the oldest still sending its first message, then of the least recently active', async () => {
    const a = await open(port);
    await tcpQueriesOn(a.sock, [query('web.default.svc.cluster.local')]);
    const b = await open(port);
    b.sock.write(Buffer.from([0]));
    const c = await open(port);
    c.sock.write(Buffer.from([0]));
    await until(() => server.tcpStats().open === 3 && server.tcpStats().receiving === 2, 'three connections');

    // Each eviction is counted once the server has accepted the new connection; then who went is seen.
    const evicted = (n: number) => until(() => server.tcpStats().evicted === n, `eviction ${n}`);
    const d = await open(port);
    await evicted(1);
    await until(b.closed, 'b closed');
    const [r] = await tcpQueriesOn(d.sock, [query('web.default.svc.cluster.local')]);
    assert.equal(webAnswer(r), '10.96.0.5', 'the new connection is answered');

    const e = await open(port);
    await evicted(2);
    await until(c.closed, 'c closed');
    await tcpQueriesOn(e.sock, [query('web.default.svc.cluster.local')]);
    // a, d and e have each sent a message; a least recently.
    const f = await open(port);
    await evicted(3);
    await until(a.closed, 'a closed');
    assert.deepEqual(
      [d, e, f].map((x) => x.closed()),
      [false, false, false],
    );
    assert.equal(server.tcpStats().open, 3);
    for (const x of [d, e, f]) x.sock.destroy();
    await until(() => server.tcpStats().open === 0, 'all closed');
  });

  it('only when every connection has a query in flight is a new one refused', async () => {
    const held = [await open(port), await open(port), await open(port)];
    for (const h of held) h.sock.write(frameOf(query('www.example.com')));
    await until(() => release.length === 3, 'three queries in flight');
    const refused = server.tcpStats().refused;
    const n = await open(port);
    await until(n.closed, 'the new connection closed');
    assert.equal(server.tcpStats().refused, refused + 1);
    assert.equal(
      held.some((h) => h.closed()),
      false,
    );
    for (const r of release) r();
    release = [];
    for (const h of held) h.sock.destroy();
  });
});

describe('DNS over TCP with 1,000 slow clients (real timers, default limits)', () => {
  let server: DnsServer;
  let port: number;
  let slow: SlowClients | undefined;
  before(async () => {
    server = new DnsServer({ address: '127.0.0.1', port: 0, index: () => fakeIndex() });
    ({ port } = await server.start());
  });
  after(async () => {
    slow?.stop();
    await server.stop();
  });

  it('new TCP queries are answered while 1,000 clients trickle one byte every 2 s', async () => {
    // Bounded: the clients stop by themselves after a minute if the test does not stop them.
    slow = slowClients(port, 1000, { intervalMs: 2000, lifetimeMs: 60_000 });
    const s = slow;
    await until(() => s.open() === 1000, '1,000 slow clients connected', 30_000);
    const answered: boolean[] = [];
    // Queries spread over the read timeout, so some meet a full table and some the slow clients' reconnection.
    for (let i = 0; i < 20; i++) {
      await until(() => s.open() === 1000, 'the slow clients back to 1,000', 30_000);
      const r = await tcpQueryOnce(port, query('web.default.svc.cluster.local'));
      answered.push(webAnswer(r) === '10.96.0.5');
      await new Promise((r) => setTimeout(r, 150));
    }
    assert.deepEqual(
      answered.map((a, i) => (a ? i : -1)).filter((i) => i < 0),
      [],
      `answered ${answered.filter(Boolean).length} of ${answered.length}`,
    );
  });
});

/** A forwarder whose queries wait until released (each pushes its release onto `pending()`). */
function heldForwarder(pending: () => (() => void)[]): Forwarder {
  return {
    forward: () =>
      new Promise((resolve) =>
        pending().push(() => resolve({ rcode: 'NOERROR', answers: [], authority: [], additional: [] })),
      ),
  };
}

const frameOf = (q: packet.Packet): Buffer => frame(packet.encode(q));

/** The next reply on an open connection. */
function replyOn(sock: Socket): Promise<Buffer> {
  return new Promise((resolve) => sock.once('data', (d: Buffer) => resolve(d)));
}

/** Sends queries on an open connection; resolves with as many replies. */
function tcpQueriesOn(sock: Socket, qs: packet.Packet[]): Promise<Reply[]> {
  return new Promise((resolve) => {
    const frames = new FrameDecoder();
    const out: Reply[] = [];
    const onData = (d: Buffer) => {
      for (const m of frames.push(d)) out.push(decode(m));
      if (out.length < qs.length) return;
      sock.off('data', onData);
      resolve(out);
    };
    sock.on('data', onData);
    sock.write(Buffer.concat(qs.map(frameOf)));
  });
}
