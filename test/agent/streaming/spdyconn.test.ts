import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Duplex, PassThrough } from 'node:stream';
import { test } from 'node:test';
import { encodeFrame, FrameDecoder, HeaderDeflater, RstStatus } from '../../../src/agent/streaming/spdy.js';
import { SpdyConnection, type SpdyStream } from '../../../src/agent/streaming/spdyconn.js';
import { readAll } from './pfclient.js';

/** Two connected in-memory byte streams. */
function pipePair(): [Duplex, Duplex] {
  const ab = new PassThrough();
  const ba = new PassThrough();
  const a = Duplex.from({ readable: ba, writable: ab });
  const b = Duplex.from({ readable: ab, writable: ba });
  // Destroying one end aborts the other: that is the point, not a failure.
  for (const d of [a, b, ab, ba]) d.on('error', () => {});
  return [a, b];
}

function pair(onStream: (s: SpdyStream) => void): { client: SpdyConnection; server: SpdyConnection } {
  const [a, b] = pipePair();
  const server = new SpdyConnection(b, { server: true, onStream });
  const client = new SpdyConnection(a, { server: false });
  return { client, server };
}

test('streams: reply, data both ways, FIN each side, odd ids from the client', async () => {
  const seen: SpdyStream[] = [];
  const { client, server } = pair((s) => {
    seen.push(s);
    s.reply({ ok: ['yes'] });
    s.pipe(s); // echo
  });
  const s1 = client.openStream({ kind: ['echo'] });
  const s2 = client.openStream({ kind: ['echo'] });
  assert.deepEqual({ ...(await s1.peerReply) }, { ok: ['yes'] });
  const big = randomBytes(1_000_000);
  const [echo1, echo2] = await Promise.all([readAll(s1), readAll(s2), s1.end(big), s2.end('small')]);
  assert.ok(echo1.equals(big));
  assert.equal(echo2.toString(), 'small');
  assert.deepEqual(
    seen.map((s) => [s.id, s.headers.kind?.[0]]),
    [
      [1, 'echo'],
      [3, 'echo'],
    ],
  );
  await client.ping();
  client.close();
  assert.ok(server.isClosed || client.isClosed);
});

test('a refused stream is reset with the status given; the other side sees it', async () => {
  const { client } = pair((s) => s.reset(RstStatus.RefusedStream));
  const s = client.openStream({});
  const status = await new Promise<number>((r) => s.on('reset', r));
  assert.equal(status, RstStatus.RefusedStream);
  await assert.rejects(s.peerReply, /reset by peer \(status 3\)/);
  client.close();
});

test('GOAWAY ends every stream of the receiving side', async () => {
  let serverStream: SpdyStream | undefined;
  const { client, server } = pair((s) => {
    serverStream = s;
    s.reply();
  });
  const s = client.openStream({});
  await s.peerReply;
  const closed = new Promise((r) => serverStream?.on('close', r));
  client.close();
  await closed;
  assert.ok(server.isClosed);
});

test("peer's PINGs are echoed; SETTINGS and WINDOW_UPDATE are accepted and ignored (as spdystream)", async () => {
  const [a, b] = pipePair();
  const server = new SpdyConnection(b, { server: true });
  const dec = new FrameDecoder();
  const got: unknown[] = [];
  a.on('data', (c: Buffer) => got.push(...dec.push(c)));
  a.write(encodeFrame({ type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 1 }] }));
  a.write(encodeFrame({ type: 'window_update', streamId: 0, delta: 5 }));
  a.write(encodeFrame({ type: 'ping', id: 7 }));
  const deadline = Date.now() + 10_000;
  while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(got, [{ type: 'ping', id: 7 }]);
  assert.equal(server.isClosed, false);
  server.destroy();
});

test('a stream id that does not increase is refused with PROTOCOL_ERROR', async () => {
  const [a, b] = pipePair();
  new SpdyConnection(b, { server: true, onStream: (s) => s.reply() });
  const dec = new FrameDecoder();
  const got: { type: string; status?: number; streamId?: number }[] = [];
  a.on('data', (c: Buffer) => got.push(...dec.push(c)));
  const d = new HeaderDeflater();
  const syn = (id: number) =>
    encodeFrame({
      type: 'syn_stream',
      streamId: id,
      associatedId: 0,
      priority: 0,
      flags: 0,
      headerBlock: d.compress({}),
    });
  a.write(syn(5));
  a.write(syn(3));
  a.write(syn(2)); // even: the server's own parity
  const deadline = Date.now() + 10_000;
  while (got.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(
    got.map((f) => [f.type, f.streamId, f.status]),
    [
      ['syn_reply', 5, undefined],
      ['rst_stream', 3, RstStatus.ProtocolError],
      ['rst_stream', 2, RstStatus.ProtocolError],
    ],
  );
  a.destroy();
});

test('fuzz: random bytes into a connection close it, never throw', async () => {
  for (let i = 0; i < 300; i++) {
    const [a, b] = pipePair();
    let closedWith: unknown = null;
    const conn = new SpdyConnection(b, {
      server: true,
      onStream: (s) => s.reply(),
      onClose: (e) => (closedWith = e),
    });
    const junk = randomBytes(2 + (i % 200));
    if (i % 3 === 0) junk.writeUInt16BE(0x8003, 0);
    conn.receive(junk);
    conn.receive(randomBytes(64));
    a.destroy();
    // Either the junk was a protocol error or the transport ended: the connection is closed either way.
    const deadline = Date.now() + 10_000;
    while (!conn.isClosed && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.ok(conn.isClosed);
    assert.ok(closedWith === undefined || closedWith instanceof Error);
  }
});
