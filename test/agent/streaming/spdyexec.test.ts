import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type {
  SessionIO,
  StreamOptions,
  StreamStatus,
  TerminalSize,
} from '../../../src/agent/streaming/session.js';
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
