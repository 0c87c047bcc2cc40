import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { type StreamingDeps, streamingUpgradeHandler } from '../../../src/agent/streaming/index.js';
import type { SessionIO, StreamOptions, StreamStatus } from '../../../src/agent/streaming/session.js';
import { serveWebSocket } from '../../../src/agent/streaming/websocket.js';
import { tryUpgrade } from './upgrade.js';

let server: Server;
let port: number;
let onUpgrade: (req: IncomingMessage, sock: Duplex, head: Buffer) => void = () => {};

before(async () => {
  server = createServer((_q, r) => r.end());
  server.on('upgrade', (req, sock, head) => onUpgrade(req, sock, head));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

/** A v5 client: resolves once open; messages are collected. */
function connect(path: string): Promise<{ ws: WebSocket; closed: Promise<void> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, ['v5.channel.k8s.io']);
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('error', reject);
  });
}

test('v5: stdin after the close signal is dropped, not a write after end that kills the agent', async () => {
  const opts: StreamOptions = { stdin: true, stdout: true, stderr: false, tty: false };
  let got: Promise<string> | undefined;
  onUpgrade = (req, sock, head) =>
    serveWebSocket(req, sock, head, opts, async (io: SessionIO): Promise<StreamStatus> => {
      // The client's last message: the stdin frames sent after its close signal were handled before.
      const last = new Promise<void>((resolve) => io.onResize(() => resolve()));
      got = (async () => {
        let s = '';
        if (io.stdin) for await (const c of io.stdin) s += String(c);
        return s;
      })();
      await Promise.all([got, last]);
      return { metadata: {}, status: 'Success' };
    });
  const { ws, closed } = await connect('/exec');
  ws.send(Buffer.from([0, 0x61]));
  ws.send(Buffer.from([255, 0]));
  ws.send(Buffer.from([0, 0x62]));
  ws.send(Buffer.from([0, 0x63]));
  ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":80,"Height":24}')]));
  await closed;
  assert.equal(await got, 'a');
});

test('a failure while a stream is set up is the client 500, not a crash', async () => {
  const deps: StreamingDeps = {
    exec: () => {
      throw Object.assign(new Error("EEXIST: file already exists, mkdir '/x/tmp'"), { code: 'EEXIST' });
    },
    attach: () => ({ code: 404, message: 'no' }),
    portForward: () => ({ code: 404, message: 'no' }),
  };
  onUpgrade = streamingUpgradeHandler(deps);
  const r = await tryUpgrade(port, '/exec/default/p/c?command=sh&stdout=1');
  assert.equal(r.code, 500);
  assert.match('body' in r ? r.body : '', /EEXIST/);
});

test('a session ends when its pod goes away', async () => {
  const pod = new AbortController();
  let aborted = false;
  const deps: StreamingDeps = {
    exec: () => ({ env: {}, root: '/', cwd: '/' }),
    attach: () => ({ code: 404, message: 'no' }),
    portForward: () => ({ code: 404, message: 'no' }),
    podSignal: (ns, name) => (ns === 'default' && name === 'p' ? pod.signal : undefined),
  };
  const handler = streamingUpgradeHandler(deps);
  onUpgrade = (req, sock, head) => {
    // The real exec would run `sleep`; a session that waits for its end is the same to the transport.
    sock.once('close', () => {
      aborted = true;
    });
    handler(req, sock, head);
  };
  const { closed } = await connect('/exec/default/p/c?command=sleep&command=600&stdout=1');
  pod.abort();
  await closed;
  assert.ok(aborted);
});
