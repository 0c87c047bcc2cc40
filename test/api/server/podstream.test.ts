/**
 * The API server's hop to a node agent for pods/exec, attach and portforward
 * (podstream.ts), against a fake agent socket server: what the agent is sent
 * (the API server's credential, never the client's), and that neither side of
 * a stream outlives the other.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { proxyUpgrade } from '../../../src/api/server/podstream.js';
import { Nodes, Pods } from '../../../src/client/resources.js';
import { startTestApi, type TestApi } from '../../lib/testapi.js';
import { type Creds, creds, eventually, isClosed, tls } from './net.js';

/**
 * A fake agent: records each request head, answers 101 and echoes what
 * follows; a `/silent/` path gets no answer (an agent still starting a process).
 */
interface FakeAgent {
  server: Server;
  port: number;
  heads: string[];
  sockets: Set<Socket>;
}

async function fakeAgent(): Promise<FakeAgent> {
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    let upgraded = false;
    sock.on('data', (d: Buffer) => {
      if (upgraded) {
        sock.write(d);
        return;
      }
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      heads.push(buf.slice(0, end));
      upgraded = true;
      if (buf.includes('/silent/')) return;
      sock.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n');
      const rest = buf.slice(end + 4);
      if (rest) sock.write(rest);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, port, heads, sockets };
}

const headerValues = (head: string, name: string): string[] =>
  head
    .split('\r\n')
    .slice(1)
    .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((l) => l.slice(name.length + 1).trim());

/** The value of one series in an exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const have = new Map([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(line.split(' ').pop());
  }
  return 0;
}

describe('pod streams to the agent', () => {
  let api: TestApi | undefined;
  let agent: FakeAgent;
  let c: Creds;
  before(async () => {
    agent = await fakeAgent();
    api = await startTestApi('podstream');
    c = creds(api);
    await api.client.create<Node>(Nodes, '', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-s' },
      status: {
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: agent.port } },
      },
    });
    await api.client.create<Pod>(Pods, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sh' },
      spec: { nodeName: 'node-s', containers: [{ name: 'app', image: 'svcnet/netexec:1' }] },
    });
  });
  const scrape = async () => (await api!.client.getRaw('/metrics')) as string;
  after(async () => {
    await api?.stop();
    for (const s of agent.sockets) s.destroy();
    await new Promise<void>((resolve) => agent.server.close(() => resolve()));
  });

  it("sends the agent the API server's token, never the client's credential or Origin", async () => {
    // Authenticated by its certificate, the client also sends a bearer token, a cookie and an Origin.
    const s = await tls(c, { cert: true });
    try {
      const n = agent.heads.length;
      s.write(
        'POST /api/v1/namespaces/default/pods/sh/exec?command=sh&stdin=true&stdout=1 HTTP/1.1\r\n' +
          'Host: localhost\r\nConnection: Upgrade\r\nUpgrade: test\r\n' +
          'Authorization: Bearer the-clients-own-token\r\nCookie: session=secret\r\n' +
          'Origin: https://elsewhere.example\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n',
      );
      await eventually(() => s.text().includes('101 Switching Protocols'), 'the upgrade');
      const head = agent.heads[n]!;
      assert.match(head, /^POST \/exec\/default\/sh\/app\?stdin=1&stdout=1&command=sh HTTP\/1\.1\r\n/);
      assert.deepEqual(headerValues(head, 'Authorization'), [`Bearer ${c.token}`]);
      assert.deepEqual(headerValues(head, 'Origin'), []);
      assert.deepEqual(headerValues(head, 'Cookie'), []);
      assert.deepEqual(headerValues(head, 'X-Stream-Protocol-Version'), ['v4.channel.k8s.io']);
      // Bytes then flow both ways.
      s.write('ping');
      await eventually(() => s.text().endsWith('ping'), 'the echo');
      // The stream is a long-running CONNECT while open, counted with the agent's 101 when it ends.
      const long = { verb: 'CONNECT', resource: 'pods', subresource: 'exec' };
      assert.equal(sample(await scrape(), 'apiserver_longrunning_requests', long), 1);
      const done = { ...long, code: '101' };
      const before = sample(await scrape(), 'apiserver_request_total', done);
      s.destroy();
      let text = await scrape();
      for (const end = Date.now() + 10_000; Date.now() < end; text = await scrape())
        if (sample(text, 'apiserver_longrunning_requests', long) === 0) break;
      assert.equal(sample(text, 'apiserver_longrunning_requests', long), 0);
      assert.equal(sample(text, 'apiserver_request_total', done), before + 1);
    } finally {
      s.destroy();
    }
  });

  it('ends the agent session when the agent or the client closes', async () => {
    const upgrade = async () => {
      const s = await tls(c, { cert: true });
      const n = agent.heads.length;
      s.write(
        'GET /api/v1/namespaces/default/pods/sh/attach?stdout=1 HTTP/1.1\r\n' +
          'Host: localhost\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n',
      );
      await eventually(() => s.text().includes('101 Switching Protocols'), 'the upgrade');
      await eventually(() => agent.heads.length > n && agent.sockets.size > 0, 'the agent session');
      return s;
    };
    const first = await upgrade();
    for (const a of agent.sockets) a.destroy();
    await eventually(() => isClosed(first), 'the client connection to close after the agent closed');
    first.destroy();
    const second = await upgrade();
    second.destroy();
    await eventually(() => agent.sockets.size === 0, 'the agent session to close after the client closed');
  });

  it('never leaves an agent session open for a client that left during the lookup', async () => {
    // The API server's side of client connections, as the 'upgrade' event hands them over.
    const accepted: Socket[] = [];
    const front = createServer((sock) => {
      sock.on('error', () => {});
      accepted.push(sock);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const port = (front.address() as { port: number }).port;
    const dial = async () => {
      const n = accepted.length;
      const out = connect({ host: '127.0.0.1', port });
      out.on('error', () => {});
      await eventually(() => accepted.length > n, 'the accepted connection');
      return { out, sock: accepted[n]! };
    };
    const req = { method: 'GET', rawHeaders: [] } as unknown as IncomingMessage;
    const target = { host: '127.0.0.1', port: agent.port, path: '/silent/default/sh/app' };
    const failures: Error[] = [];
    try {
      const gone = await dial();
      // Reset, not ended: nothing ends the agent session but proxyUpgrade itself.
      gone.out.resetAndDestroy();
      await eventually(() => gone.sock.destroyed, 'the server side to see the client go');
      proxyUpgrade(req, gone.sock, Buffer.alloc(0), target, {
        token: 'tok',
        onError: (e) => failures.push(e),
      });
      // A live stream after it: once it has reached the agent and ended, no session may remain.
      const live = await dial();
      const n = agent.heads.length;
      proxyUpgrade(req, live.sock, Buffer.alloc(0), target, {
        token: 'tok',
        onError: (e) => failures.push(e),
      });
      await eventually(() => agent.heads.length > n, 'the live stream at the agent');
      live.out.destroy();
      await eventually(
        () => agent.sockets.size === 0,
        () => `no agent session to remain (${agent.sockets.size} open)`,
      );
      assert.deepEqual(failures, []);
    } finally {
      for (const s of accepted) s.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    }
  });
});

describe('stopping the API server with an open stream', () => {
  it('ends the stream and finishes, though the stream keeps making progress', {
    timeout: 60_000,
  }, async () => {
    const agent = await fakeAgent();
    const api = await startTestApi('podstream-stop');
    let stopped = false;
    let ticker: NodeJS.Timeout | undefined;
    try {
      const c = creds(api);
      await api.client.create<Node>(Nodes, '', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-s' },
        status: {
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          daemonEndpoints: { kubeletEndpoint: { Port: agent.port } },
        },
      });
      await api.client.create<Pod>(Pods, 'default', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'pf' },
        spec: { nodeName: 'node-s', containers: [{ name: 'app', image: 'svcnet/netexec:1' }] },
      });
      const s = await tls(c, { cert: true });
      s.write(
        'GET /api/v1/namespaces/default/pods/pf/portforward?ports=80 HTTP/1.1\r\n' +
          'Host: localhost\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n',
      );
      await eventually(() => s.text().includes('101 Switching Protocols'), 'the upgrade');
      // Traffic flows all along, as through a busy port-forward.
      ticker = setInterval(() => s.write('tick'), 20);
      await eventually(() => s.text().includes('tick'), 'the echo');
      await api.stop();
      stopped = true;
      await eventually(() => isClosed(s), 'the client connection to close');
      await eventually(() => agent.sockets.size === 0, 'the agent session to close');
    } finally {
      clearInterval(ticker);
      if (!stopped) await api.stop();
      for (const a of agent.sockets) a.destroy();
      await new Promise<void>((resolve) => agent.server.close(() => resolve()));
    }
  });

  it('refuses an upgrade that arrives while draining', { timeout: 60_000 }, async () => {
    const agent = await fakeAgent();
    const api = await startTestApi('podstream-drain');
    let stopping: Promise<void> | undefined;
    try {
      const c = creds(api);
      await api.client.create<Node>(Nodes, '', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-s' },
        status: {
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          daemonEndpoints: { kubeletEndpoint: { Port: agent.port } },
        },
      });
      await api.client.create<Pod>(Pods, 'default', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'late' },
        spec: { nodeName: 'node-s', containers: [{ name: 'app', image: 'svcnet/netexec:1' }] },
      });
      // A request under way (its head half sent) keeps its connection through the stop's start.
      const s = await tls(c, { cert: true });
      s.write(
        'GET /api/v1/namespaces/default/pods/late/portforward?ports=80 HTTP/1.1\r\nHost: localhost\r\n',
      );
      await new Promise<void>((resolve) => s.write('', () => resolve()));
      stopping = api.stop();
      s.write('Connection: Upgrade\r\nUpgrade: test\r\n\r\n');
      await eventually(() => isClosed(s) || s.text().includes('\r\n\r\n'), 'an answer');
      assert.match(s.text(), /^HTTP\/1\.1 503 Service Unavailable\r\n/);
      assert.match(s.text(), /Retry-After: 1\r\n/);
      assert.match(s.text(), /"message":"apiserver is shutting down"/);
      assert.equal(agent.heads.length, 0);
      s.destroy();
      await stopping;
    } finally {
      if (!stopping) await api.stop();
      for (const a of agent.sockets) a.destroy();
      await new Promise<void>((resolve) => agent.server.close(() => resolve()));
    }
  });
});
