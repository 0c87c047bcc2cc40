import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import type {
  SessionIO,
  StreamOptions,
  StreamStatus,
  TerminalSize,
} from '../../../src/agent/streaming/session.js';
import { encodeFrame, FLAG_FIN, FrameDecoder, HeaderDeflater } from '../../../src/agent/streaming/spdy.js';
import type { SpdyConnection, SpdyStream } from '../../../src/agent/streaming/spdyconn.js';
import {
  expectedStreams,
  handleSpdyRemoteCommand,
  parseResizes,
  statusBytes,
} from '../../../src/agent/streaming/spdyexec.js';
import { readAll, spdyUpgrade } from './pfclient.js';

/**
 * The session behind the agent in these tests: echoes stdin upper-cased to stdout, says "e" on
 * stderr, records resizes, and exits with the code in the query (?exit=N).
 */
const sizes: TerminalSize[] = [];
let server: Server;
let base: string;

async function fakeRun(io: SessionIO, exit: number): Promise<StreamStatus> {
  io.onResize((s) => sizes.push(s));
  io.stderr(Buffer.from('e'));
  if (io.stdin) for await (const c of io.stdin) io.stdout(Buffer.from(String(c).toUpperCase()));
  if (exit === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [x], exit code ${exit}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
  };
}

before(async () => {
  server = createServer((_q, r) => r.end());
  server.on('upgrade', (req, sock, head) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const tty = q.get('tty') === '1';
    const opts: StreamOptions = { stdin: q.get('stdin') === '1', stdout: true, stderr: !tty, tty };
    handleSpdyRemoteCommand(req, sock, head, opts, (io) => fakeRun(io, Number(q.get('exit') ?? 0)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/exec/default/p/c`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

/** Opens the streams as client-go's v4/v3/v2 clients do: error first, then the rest. */
function open(conn: SpdyConnection, types: string[]): Record<string, SpdyStream> {
  const out: Record<string, SpdyStream> = {};
  for (const t of types) out[t] = conn.openStream({ streamtype: [t] });
  return out;
}

test('v4: stdin in, stdout and stderr apart, the exit code as a JSON Status; the session ends', async () => {
  const { conn, headers } = await spdyUpgrade(`${base}?stdin=1&exit=3`, [
    'v4.channel.k8s.io',
    'v3.channel.k8s.io',
    'v2.channel.k8s.io',
    'channel.k8s.io',
  ]);
  assert.equal(headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
  const s = open(conn, ['error', 'stdin', 'stdout', 'stderr']);
  s.error?.end();
  s.stdin?.end('hello');
  const [out, err, status] = await Promise.all([readAll(s.stdout!), readAll(s.stderr!), readAll(s.error!)]);
  assert.equal(out.toString(), 'HELLO');
  assert.equal(err.toString(), 'e');
  assert.deepEqual(JSON.parse(status.toString()), {
    metadata: {},
    status: 'Failure',
    message: 'command terminated with non-zero exit code: error executing command [x], exit code 3',
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '3' }] },
  });
  const deadline = Date.now() + 10_000;
  while (!conn.isClosed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.ok(conn.isClosed, 'the agent closes the session after the status');
});

test('v4 with a tty: the resize stream is expected and its sizes reach the session', async () => {
  sizes.length = 0;
  const { conn } = await spdyUpgrade(`${base}?stdin=1&tty=1`, ['v4.channel.k8s.io']);
  const s = open(conn, ['error', 'stdin', 'stdout', 'resize']);
  s.error?.end();
  // Two sizes in one write and one split across writes, as Go's json.Encoder may send them.
  s.resize?.write('{"Width":80,"Height":24}{"Width":100,');
  s.resize?.write('"Height":30}\n');
  const deadline = Date.now() + 10_000;
  while (sizes.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  s.stdin?.end('x');
  const [out, status] = await Promise.all([readAll(s.stdout!), readAll(s.error!)]);
  assert.equal(out.toString(), 'X');
  assert.deepEqual(sizes, [
    { width: 80, height: 24 },
    { width: 100, height: 30 },
  ]);
  assert.deepEqual(JSON.parse(status.toString()), { metadata: {}, status: 'Success' });
});

test('v2 and v1: success writes nothing on the error stream; a failure its message as text', async () => {
  for (const protocol of ['v2.channel.k8s.io', 'channel.k8s.io']) {
    const ok = await spdyUpgrade(`${base}`, [protocol]);
    const a = open(ok.conn, ['error', 'stdout', 'stderr']);
    a.error?.end();
    assert.equal((await readAll(a.error!)).toString(), '', protocol);
    const bad = await spdyUpgrade(`${base}?exit=2`, [protocol]);
    const b = open(bad.conn, ['error', 'stdout', 'stderr']);
    b.error?.end();
    assert.equal(
      (await readAll(b.error!)).toString(),
      'command terminated with non-zero exit code: error executing command [x], exit code 2',
      protocol,
    );
  }
});

test('negotiation: the first offered protocol the agent speaks; none in common is 403', async () => {
  const { conn, headers } = await spdyUpgrade(base, [
    'v5.channel.k8s.io',
    'v3.channel.k8s.io',
    'v4.channel.k8s.io',
  ]);
  assert.equal(headers['x-stream-protocol-version'], 'v3.channel.k8s.io');
  conn.close();
  await assert.rejects(
    spdyUpgrade(base, ['v5.channel.k8s.io']),
    /403: unable to upgrade: unable to negotiate protocol: client supports \[v5.channel.k8s.io\], server accepts \[v4.channel.k8s.io v3.channel.k8s.io v2.channel.k8s.io channel.k8s.io\]/,
  );
});

test('expectedStreams, statusBytes and parseResizes', () => {
  const o = (stdin: boolean, tty: boolean): StreamOptions => ({ stdin, stdout: true, stderr: !tty, tty });
  assert.equal(expectedStreams('v4.channel.k8s.io', o(true, true)), 4);
  assert.equal(expectedStreams('v2.channel.k8s.io', o(true, true)), 3);
  assert.equal(expectedStreams('channel.k8s.io', o(false, false)), 3);
  assert.equal(statusBytes('v3.channel.k8s.io', { metadata: {}, status: 'Success' }), undefined);
  assert.equal(
    String(statusBytes('v4.channel.k8s.io', { metadata: {}, status: 'Success' })),
    '{"metadata":{},"status":"Success"}',
  );
  const got: TerminalSize[] = [];
  assert.equal(parseResizes('{"Width":1,"Height":2} {"Width":"x"}{"Width":3,"He', got), '{"Width":3,"He');
  assert.deepEqual(got, [{ width: 1, height: 2 }]);
  assert.equal(parseResizes('{"a":"}{"}', got), '');
  assert.equal(parseResizes('{'.repeat(5000), got), '');
});

/** A client's first bytes in one piece: every SYN_STREAM, and stdin's data with its FIN among them. */
function oneChunk(stdin: string, extra: string[] = []): Buffer {
  const d = new HeaderDeflater();
  let next = 1;
  const syn = (type: string) =>
    encodeFrame({
      type: 'syn_stream',
      streamId: (next++ << 1) - 1,
      associatedId: 0,
      priority: 0,
      flags: 0,
      headerBlock: d.compress({ streamtype: [type] }),
    });
  return Buffer.concat([
    syn('error'),
    syn('stdin'),
    encodeFrame({ type: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.from(stdin) }),
    ...extra.map(syn),
    syn('stdout'),
    syn('stderr'),
  ]);
}

/** Runs a session over an in-memory socket fed `head` and then `later`; resolves what stdin carried. */
function stdinOf(head: Buffer, later?: Buffer): Promise<{ stdin: string; sent: Buffer }> {
  const sent: Buffer[] = [];
  const sock = new Duplex({
    read() {},
    write(c: Buffer, _e, cb) {
      sent.push(c);
      cb();
    },
  });
  const req = { headers: { 'x-stream-protocol-version': 'v4.channel.k8s.io' } } as unknown as IncomingMessage;
  const opts: StreamOptions = { stdin: true, stdout: true, stderr: true, tty: false };
  return new Promise((resolve) => {
    handleSpdyRemoteCommand(req, sock, head, opts, async (io) => {
      let stdin = '';
      if (io.stdin) for await (const c of io.stdin) stdin += String(c);
      resolve({ stdin, sent: Buffer.concat(sent) });
      return { metadata: {}, status: 'Success' };
    });
    if (later) sock.push(later);
  });
}

test('stdin that comes with the SYN_STREAMs, in the upgrade head or the first chunk, arrives whole', async () => {
  assert.equal((await stdinOf(oneChunk('hello'))).stdin, 'hello');
  assert.equal((await stdinOf(Buffer.alloc(0), oneChunk('again'))).stdin, 'again');
});

test('an unknown or repeated stream type is refused and not counted', async () => {
  const { stdin, sent } = await stdinOf(oneChunk('x', ['bogus', 'stdin']));
  assert.equal(stdin, 'x');
  // After the 101's header, the frames the agent sent.
  const frames = new FrameDecoder().push(sent.subarray(sent.indexOf('\r\n\r\n') + 4));
  const resets = frames
    .filter((f) => f.type === 'rst_stream')
    .map((f) => f.type === 'rst_stream' && f.streamId);
  // bogus is stream 5, the second stdin 7; the session ran on stdout 9 and stderr 11.
  assert.deepEqual(resets, [5, 7]);
});

test('the stdin stream is not closed under a client still sending (client-go closes its side at our FIN)', async () => {
  const { conn } = await spdyUpgrade(`${base}?stdin=1`, ['v4.channel.k8s.io']);
  const s = open(conn, ['error', 'stdin', 'stdout', 'stderr']);
  let stdinClosedByAgent = false;
  s.stdin!.on('end', () => {
    stdinClosedByAgent = true;
  });
  s.stdin!.resume();
  const out = readAll(s.stdout!);
  const echoed = new Promise<void>((resolve) =>
    s.stdout!.on('data', (c: Buffer) => c.toString().includes('HELLO') && resolve()),
  );
  s.stdin!.write('hello');
  // The echo comes after anything the agent sent on stdin before: a FIN would be in by now.
  await echoed;
  await new Promise((r) => setImmediate(r));
  assert.equal(stdinClosedByAgent, false);
  s.stdin!.end(' world');
  assert.equal((await out).toString(), 'HELLO WORLD');
  conn.close();
});
