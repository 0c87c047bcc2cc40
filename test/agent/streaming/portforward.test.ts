import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer, request } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import {
  type ForwardTarget,
  handlePortForward,
  parsePorts,
} from '../../../src/agent/streaming/portforward.js';
import { RstStatus, type SpdyHeaders } from '../../../src/agent/streaming/spdy.js';
import { forwardOnce, readAll, spdyUpgrade, tunnel } from './pfclient.js';

/** The "pod": answers each connection with the sha256 of everything it received, then closes. */
let pod: Server;
let podPort: number;
let deadPort: number;
let agent: HttpServer;
let base: string;
const podSockets = new Set<Socket>();
const target = (): ForwardTarget => ({ namespace: 'default', name: 'web', uid: 'uid-1', ip: '127.0.0.1' });

before(async () => {
  pod = createServer({ allowHalfOpen: true }, (s) => {
    podSockets.add(s);
    s.on('close', () => podSockets.delete(s));
    const h = createHash('sha256');
    let n = 0;
    s.on('data', (c: Buffer) => {
      h.update(c);
      n += c.length;
    });
    s.on('end', () => s.end(`${n} ${h.digest('hex')}`));
  });
  await new Promise<void>((r) => pod.listen(0, '127.0.0.1', r));
  podPort = (pod.address() as AddressInfo).port;
  // A port nobody listens on: bind, note, release.
  const tmp = createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  deadPort = (tmp.address() as AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));

  agent = createHttpServer((_req, res) => res.end('not an upgrade'));
  agent.on('upgrade', (req, socket, head) => handlePortForward(req, socket, head, target()));
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(agent.address() as AddressInfo).port}/portForward/default/web`;
});

after(async () => {
  agent.closeAllConnections();
  await new Promise<void>((r) => agent.close(() => r()));
  for (const s of podSockets) s.destroy();
  await new Promise<void>((r) => pod.close(() => r()));
});

const expectDigest = (b: Buffer) => `${b.length} ${createHash('sha256').update(b).digest('hex')}`;

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('SPDY: negotiated protocol in the 101; data reaches the pod and its answer comes back', async () => {
  const { conn, headers } = await spdyUpgrade(base, ['portforward.k8s.io']);
  try {
    assert.equal(headers['x-stream-protocol-version'], 'portforward.k8s.io');
    assert.equal(String(headers.upgrade).toLowerCase(), 'spdy/3.1');
    const payload = randomBytes(300_000);
    const r = await forwardOnce(conn, podPort, 0, payload);
    assert.equal(r.data.toString(), expectDigest(payload));
    assert.equal(r.error, '');
    await conn.ping();
  } finally {
    conn.close();
  }
});

test('SPDY: 40 concurrent connections over one session each get their own answer', async () => {
  const { conn } = await spdyUpgrade(base, ['portforward.k8s.io']);
  try {
    const payloads = Array.from({ length: 40 }, (_, i) => randomBytes(1000 + i * 997));
    const results = await Promise.all(payloads.map((p, i) => forwardOnce(conn, podPort, i, p)));
    results.forEach((r, i) => {
      assert.equal(r.data.toString(), expectDigest(payloads[i] as Buffer));
      assert.equal(r.error, '');
    });
    await until('streams released', () => conn.streamCount === 0);
  } finally {
    conn.close();
  }
});

test("SPDY: an unlistened port's error comes on the error stream in kubelet's words", async () => {
  const { conn } = await spdyUpgrade(base, ['portforward.k8s.io']);
  try {
    const r = await forwardOnce(conn, deadPort, 0, Buffer.from('x'));
    assert.equal(
      r.error,
      `error forwarding port ${deadPort} to pod uid-1, uid : failed to connect to 127.0.0.1:${deadPort} in pod default/web: dial tcp4 127.0.0.1:${deadPort}: connect: connection refused`,
    );
    assert.equal(r.data.length, 0);
  } finally {
    conn.close();
  }
});

test('SPDY: streams without a valid port or streamType are reset; the session goes on', async () => {
  const { conn } = await spdyUpgrade(base, ['portforward.k8s.io']);
  try {
    const invalid: SpdyHeaders[] = [
      { streamtype: ['data'] },
      { streamtype: ['data'], port: ['0'] },
      { streamtype: ['data'], port: ['http'] },
      { streamtype: ['stdin'], port: ['80'] },
      { port: ['80'] },
    ];
    for (const headers of invalid) {
      const s = conn.openStream(headers);
      const status = await new Promise<number>((r) => s.on('reset', r));
      assert.equal(status, RstStatus.Cancel, JSON.stringify(headers));
    }
    const r = await forwardOnce(conn, podPort, 7, Buffer.from('still fine'));
    assert.equal(r.data.toString(), expectDigest(Buffer.from('still fine')));
  } finally {
    conn.close();
  }
});

test('SPDY: streams of an old client without requestID pair by stream id', async () => {
  const { conn } = await spdyUpgrade(base, ['portforward.k8s.io']);
  try {
    const error = conn.openStream({ streamtype: ['error'], port: [String(podPort)] });
    const data = conn.openStream({ streamtype: ['data'], port: [String(podPort)] });
    error.end();
    const [body] = await Promise.all([readAll(data), data.end('old')]);
    assert.equal(body.toString(), expectDigest(Buffer.from('old')));
  } finally {
    conn.close();
  }
});

test('SPDY: closing the session closes the pod connections it carried', async () => {
  const { conn } = await spdyUpgrade(base, ['portforward.k8s.io']);
  const error = conn.openStream({ streamtype: ['error'], port: [String(podPort)], requestid: ['1'] });
  const data = conn.openStream({ streamtype: ['data'], port: [String(podPort)], requestid: ['1'] });
  await Promise.all([error.peerReply, data.peerReply]);
  data.write('open');
  await until('pod connection', () => podSockets.size === 1);
  conn.close();
  await until('pod connection closed', () => podSockets.size === 0);
});

test('SPDY: protocols are negotiated as httpstream.Handshake does', async () => {
  await assert.rejects(
    spdyUpgrade(base, ['v4.channel.k8s.io']),
    /403: unable to upgrade: unable to negotiate protocol: client supports \[v4.channel.k8s.io\], server accepts \[portforward.k8s.io\]/,
  );
  // No protocol at all: a legacy client, accepted.
  const { conn, headers } = await spdyUpgrade(base, []);
  assert.equal(headers['x-stream-protocol-version'], undefined);
  conn.close();
});

test('WebSocket tunnel (kubectl 1.31+): the SPDY session inside binary messages', async () => {
  const { conn, protocol } = await tunnel(base);
  try {
    assert.equal(protocol, 'SPDY/3.1+portforward.k8s.io');
    const payloads = Array.from({ length: 10 }, (_, i) => randomBytes(50_000 + i));
    const results = await Promise.all(payloads.map((p, i) => forwardOnce(conn, podPort, i, p)));
    for (const [i, r] of results.entries())
      assert.equal(r.data.toString(), expectDigest(payloads[i] as Buffer));
    const bad = await forwardOnce(conn, deadPort, 99, Buffer.from('x'));
    assert.match(bad.error, /connect: connection refused/);
  } finally {
    conn.close();
  }
});

/** The v4 channel protocol as @kubernetes/client-node speaks it. */
function channelClient(
  url: string,
  protocol: string,
): Promise<{ ws: WebSocket; messages: Buffer[]; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), [protocol]);
    const messages: Buffer[] = [];
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    ws.on('message', (d: Buffer, isBinary) => messages.push(isBinary ? d : Buffer.from(d.toString())));
    ws.on('open', () => resolve({ ws, messages, closed }));
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(new Error(`${res.statusCode}: ${Buffer.concat(chunks).toString()}`)));
    });
    ws.on('error', reject);
  });
}

test('WebSocket v4.channel.k8s.io: port prefixes, data on channel 0, errors on channel 1 per port', async () => {
  const { ws, messages, closed } = await channelClient(
    `${base}?ports=${podPort}&ports=${deadPort}`,
    'v4.channel.k8s.io',
  );
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  const le = (p: number) => Buffer.from([p & 0xff, p >> 8]);
  await until('the dead port error', () => messages.some((m) => m[0] === 3 && m.length > 3));
  // Each channel opens with its port, little-endian.
  for (const [ch, p] of [
    [0, podPort],
    [1, podPort],
    [2, deadPort],
    [3, deadPort],
  ] as const) {
    assert.ok(
      messages.some((m) => m[0] === ch && m.subarray(1).equals(le(p))),
      `channel ${ch} port prefix`,
    );
  }
  const err = messages.find((m) => m[0] === 3 && m.length > 3);
  assert.match(
    String(err?.subarray(1)),
    new RegExp(`error forwarding port ${deadPort} to pod uid-1, uid : .*connection refused`),
  );
  // Data goes to the pod on channel 0; the pod answers when the socket closes, after which the whole connection closes.
  ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello')]));
  await until('pod saw the data', () => podSockets.size === 1);
  ws.close();
  await closed;
  await until('pod connection closed', () => podSockets.size === 0);
});

test('WebSocket v4.base64.channel.k8s.io: text messages, channel digit, base64 payloads', async () => {
  const { ws, messages } = await channelClient(`${base}?port=${podPort}`, 'v4.base64.channel.k8s.io');
  try {
    assert.equal(ws.protocol, 'v4.base64.channel.k8s.io');
    await until('the port prefixes', () => messages.length >= 2);
    assert.deepEqual(
      messages.slice(0, 2).map((m) => m.toString()),
      [
        `0${Buffer.from([podPort & 0xff, podPort >> 8]).toString('base64')}`,
        `1${Buffer.from([podPort & 0xff, podPort >> 8]).toString('base64')}`,
      ],
    );
  } finally {
    ws.close();
  }
});

test('WebSocket: missing ports and unknown subprotocols are refused before the upgrade', async () => {
  await assert.rejects(channelClient(base, 'v4.channel.k8s.io'), /400: query parameter "port" is required/);
  await assert.rejects(
    channelClient(`${base}?ports=1`, 'v9.channel.k8s.io'),
    /400: .*requested protocol\(s\) are not supported/,
  );
});

test('a request that is no upgrade is refused', async () => {
  const res = await new Promise<{ code: number; body: string }>((resolve, reject) => {
    const req = request(
      base,
      { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'h2c' } },
      () => {},
    );
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      reject(new Error('upgraded'));
    });
    req.on('response', (r) => {
      readAll(r as never).then((b) => resolve({ code: r.statusCode ?? 0, body: b.toString() }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(res.code, 400);
  assert.match(res.body, /unable to upgrade: missing upgrade headers in request/);
});

test('parsePorts: kubelet rules', () => {
  assert.deepEqual(parsePorts(new URLSearchParams('ports=80&ports=8080,9090')), [80, 8080, 9090]);
  assert.deepEqual(parsePorts(new URLSearchParams('port=1')), [1]);
  assert.equal(parsePorts(new URLSearchParams('')), 'query parameter "port" is required');
  assert.equal(parsePorts(new URLSearchParams('ports=')), 'query parameter "port" cannot be empty');
  assert.equal(parsePorts(new URLSearchParams('ports=0')), 'port "0" must be > 0');
  assert.match(
    String(parsePorts(new URLSearchParams('ports=70000'))),
    /unable to parse "70000" as a port: .*value out of range/,
  );
  assert.match(
    String(parsePorts(new URLSearchParams('ports=http'))),
    /unable to parse "http" as a port: .*invalid syntax/,
  );
});
