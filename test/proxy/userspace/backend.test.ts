import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { silentLogger } from '../../../src/lib/log.js';
import type {
  Endpoint,
  Frontend,
  NodeState,
  Protocol,
  ServicePortState,
} from '../../../src/proxy/model/types.js';
import { listenerKey, sortEndpoints, UserspaceBackend } from '../../../src/proxy/userspace/backend.js';
import { readLines, Sockets } from '../sockets.js';

// Addresses private to this file: services 127.97.202.x, fake pods 127.245.202.x.
const SVC = (n: number) => `127.97.202.${n}`;
const POD = (n: number) => `127.245.202.${n}`;
const PORT = 18080;

const ep = (ip: string, port: number): Endpoint => ({
  ip,
  port,
  ready: true,
  serving: true,
  terminating: false,
  isLocal: true,
});

/** Frontends serve unless told otherwise (the model's action, here set by hand). */
function svcPort(
  name: string,
  fes: {
    ip: string;
    port?: number;
    protocol?: Protocol;
    action?: Frontend['action'];
    endpoints: Endpoint[];
  }[],
  extra: Partial<ServicePortState> = {},
): ServicePortState {
  const protocol = fes[0]?.protocol ?? 'TCP';
  const frontends: Frontend[] = fes.map((f) => ({
    kind: 'ClusterIP',
    ip: f.ip,
    port: f.port ?? PORT,
    protocol: f.protocol ?? 'TCP',
    action: f.action ?? 'serve',
    endpoints: f.endpoints,
  }));
  return {
    key: `default/${name}:/${protocol}`,
    namespace: 'default',
    name,
    portName: '',
    protocol,
    frontends,
    localEndpointCount: 0,
    ...extra,
  };
}

const state = (...svcs: ServicePortState[]): NodeState => ({
  services: new Map(svcs.map((s) => [s.key, s])),
  problems: [],
});

/** Pods and clients on real sockets (shared with the conformance suite). */
const net4 = new Sockets();

/** A pod that says its name on connect, then echoes. */
async function namedEcho(ip: string, name: string): Promise<Endpoint> {
  const a = await net4.namedEcho(ip, name);
  return ep(a.ip, a.port);
}

/** A pod that reads to the client's FIN, then answers with the byte count and sha256, and closes. */
async function digestServer(ip: string): Promise<Endpoint> {
  const a = await net4.tcpServer(ip, (c) => {
    const h = createHash('sha256');
    let n = 0;
    c.on('data', (d: Buffer) => {
      n += d.length;
      h.update(d);
    });
    c.on('end', () => c.end(`${n} ${h.digest('hex')}`));
  });
  return ep(a.ip, a.port);
}

async function udpEcho(ip: string, name: string): Promise<Endpoint> {
  const a = await net4.udpEcho(ip, name);
  return ep(a.ip, a.port);
}

const connect = (ip: string, port = PORT, localAddress?: string) => net4.connect(ip, port, localAddress);
/** Connects and returns the serving pod's name. */
const whoAmI = (ip: string, port = PORT, localAddress?: string) => net4.whoAmI(ip, port, localAddress);
/** The error a connection attempt ends with (and how long it took). */
const connectError = (ip: string, port = PORT) => net4.connectError(ip, port);
const udpAsk = (ip: string, msg: string, sock?: dgram.Socket, timeoutMs = 1000) =>
  net4.udpAsk(ip, PORT, msg, sock, timeoutMs);

let backends: UserspaceBackend[] = [];
function backend(opts: Partial<ConstructorParameters<typeof UserspaceBackend>[0]> = {}) {
  const b = new UserspaceBackend({ log: silentLogger, defaultScheduler: 'rr', ...opts });
  backends.push(b);
  return b;
}

afterEach(async () => {
  net4.closeClients();
  await Promise.all(backends.map((b) => b.stop()));
  backends = [];
});

after(() => net4.closeAll());

describe('sortEndpoints', () => {
  it('orders by address numerically, then port, and drops duplicates', () => {
    const got = sortEndpoints([
      ep('10.0.0.10', 80),
      ep('10.0.0.9', 81),
      ep('10.0.0.9', 80),
      ep('10.0.0.10', 80),
    ]);
    assert.deepEqual(
      got.map((e) => `${e.ip}:${e.port}`),
      ['10.0.0.9:80', '10.0.0.9:81', '10.0.0.10:80'],
    );
  });
});

describe('UserspaceBackend TCP', () => {
  let pods: Endpoint[];
  before(async () => {
    pods = [await namedEcho(POD(1), 'a'), await namedEcho(POD(2), 'b'), await namedEcho(POD(3), 'c')];
  });

  it('spreads connections with rr exactly and counts them per endpoint', async () => {
    const b = backend();
    const r = await b.apply(state(svcPort('rr', [{ ip: SVC(1), endpoints: pods }])));
    assert.deepEqual(r.opened, [`TCP/${SVC(1)}:${PORT}`]);
    assert.equal(r.listening, 1);
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(await whoAmI(SVC(1)));
    assert.deepEqual(got, ['a', 'b', 'c', 'a', 'b', 'c']);
    const totals = b
      .stats()
      .endpoints.map((e) => [e.endpoint, e.total])
      .sort();
    assert.deepEqual(totals, [
      [`${POD(1)}:${pods[0]!.port}`, 2],
      [`${POD(2)}:${pods[1]!.port}`, 2],
      [`${POD(3)}:${pods[2]!.port}`, 2],
    ]);
  });

  it('lc sends a new connection to the idle endpoint', async () => {
    const b = backend({ defaultScheduler: 'lc' });
    await b.apply(state(svcPort('lc', [{ ip: SVC(2), endpoints: pods.slice(0, 2) }])));
    const held = await connect(SVC(2));
    assert.deepEqual(await readLines(held, 1), ['a']);
    const activeOf = (ip: string) => b.stats().endpoints.find((e) => e.endpoint.startsWith(ip))?.active ?? 0;
    for (let i = 0; i < 3; i++) {
      assert.equal(await whoAmI(SVC(2)), 'b');
      // The proxy sees the close a moment later; wait for b to be idle again.
      for (const deadline = Date.now() + 10_000; activeOf(POD(2)) > 0 && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(activeOf(POD(1)), 1);
  });

  it('splices with half-close: the server answers after the client FIN', async () => {
    const digest = await digestServer(POD(10));
    const b = backend();
    await b.apply(state(svcPort('half', [{ ip: SVC(3), endpoints: [digest] }])));
    const c = await connect(SVC(3));
    const chunks: Buffer[] = [];
    c.on('data', (d: Buffer) => chunks.push(d));
    const ended = new Promise((r) => c.once('end', r));
    c.end('hello world');
    await ended;
    const want = createHash('sha256').update('hello world').digest('hex');
    assert.equal(Buffer.concat(chunks).toString(), `11 ${want}`);
  });

  it('carries a large transfer both ways with backpressure', async () => {
    const b = backend();
    await b.apply(state(svcPort('big', [{ ip: SVC(4), endpoints: [pods[0]!] }])));
    const c = await connect(SVC(4));
    const payload = randomBytes(16 * 1024 * 1024);
    const h = createHash('sha256');
    let received = 0;
    let skip = 2; // "a\n"
    const done = new Promise<void>((resolve, reject) => {
      c.on('data', (d: Buffer) => {
        const part = skip > 0 ? d.subarray(skip) : d;
        skip = Math.max(0, skip - d.length);
        received += part.length;
        h.update(part);
        if (received >= payload.length) resolve();
      });
      c.once('error', reject);
    });
    // Write in chunks honouring backpressure, so the proxy's pipes must pause and resume.
    let paused = 0;
    for (let off = 0; off < payload.length; off += 256 * 1024) {
      if (!c.write(payload.subarray(off, off + 256 * 1024))) {
        paused++;
        await new Promise((r) => c.once('drain', r));
      }
    }
    await done;
    assert.equal(received, payload.length);
    assert.equal(h.digest('hex'), createHash('sha256').update(payload).digest('hex'));
    assert.ok(paused > 0, 'the transfer should have hit backpressure');
  });

  it('resets at once when a serving frontend has no endpoint to pick', async () => {
    // The model never sends this (no endpoints is `reject`: no listener, see below); it is the
    // state of a listener whose every endpoint failed, as in the next test.
    const b = backend();
    await b.apply(state(svcPort('empty', [{ ip: SVC(5), endpoints: [] }])));
    // Reset, not held open: a connection waiting for endpoints would never end (connectError's deadline).
    const { code } = await connectError(SVC(5));
    assert.equal(code, 'ECONNRESET');
    assert.equal(b.stats().frontends[0]?.rejected, 1);
  });

  it('skips a dead endpoint and resets when all are dead', async () => {
    const dead = ep(POD(99), 1); // nothing listens there: ECONNREFUSED
    // Connect timeouts far beyond connectError's deadline: the refusal, not a timeout, moves on.
    const b = backend({ connectTimeoutsMs: [60_000, 60_000, 60_000, 60_000] });
    await b.apply(
      state(
        svcPort('mixed', [{ ip: SVC(6), endpoints: [dead, pods[1]!] }]),
        svcPort('dead', [{ ip: SVC(7), endpoints: [dead] }]),
      ),
    );
    for (let i = 0; i < 4; i++) assert.equal(await whoAmI(SVC(6)), 'b');
    const { code } = await connectError(SVC(7));
    assert.equal(code, 'ECONNRESET');
  });

  it('keeps an open connection when its endpoint is removed; new ones follow the change', async () => {
    const b = backend();
    await b.apply(state(svcPort('grace', [{ ip: SVC(8), endpoints: [pods[0]!] }])));
    const c = await connect(SVC(8));
    assert.deepEqual(await readLines(c, 1), ['a']);
    const r = await b.apply(state(svcPort('grace', [{ ip: SVC(8), endpoints: [pods[2]!] }])));
    assert.deepEqual([r.opened, r.closed], [[], []]);
    const echoed = readLines(c, 1);
    c.write('still here\n');
    assert.deepEqual(await echoed, ['still here']);
    assert.equal(await whoAmI(SVC(8)), 'c');
    // The removed endpoint's counters stay while its connection is open.
    assert.equal(b.stats().endpoints.find((e) => e.endpoint.startsWith(POD(1)))?.active, 1);
  });

  it('diffs listeners: unchanged ones keep their connections, removed ones stop accepting', async () => {
    const b = backend();
    const one = svcPort('one', [{ ip: SVC(9), endpoints: [pods[0]!] }]);
    const two = svcPort('two', [{ ip: SVC(10), endpoints: [pods[1]!] }]);
    await b.apply(state(one));
    const c = await connect(SVC(9));
    assert.deepEqual(await readLines(c, 1), ['a']);
    const r2 = await b.apply(state(one, two));
    assert.deepEqual(r2.opened, [`TCP/${SVC(10)}:${PORT}`]);
    assert.deepEqual(r2.closed, []);
    assert.equal(await whoAmI(SVC(10)), 'b');
    const r3 = await b.apply(state(two));
    assert.deepEqual(r3.closed, [`TCP/${SVC(9)}:${PORT}`]);
    assert.deepEqual(b.listenerKeys(), [`TCP/${SVC(10)}:${PORT}`]);
    assert.equal((await connectError(SVC(9))).code, 'ECONNREFUSED');
    // The connection made before the service went away carries on, as conntrack would let it.
    const echoed = readLines(c, 1);
    c.write('ping\n');
    assert.deepEqual(await echoed, ['ping']);
  });

  it('session affinity sticks to the endpoint until the timeout, on a fake clock', async () => {
    let now = 1_000_000;
    const b = backend({ now: () => now });
    const svc = svcPort('sticky', [{ ip: SVC(11), endpoints: pods }], {
      sessionAffinity: { timeoutSeconds: 10 },
    });
    await b.apply(state(svc));
    const clientA = '127.0.0.11';
    const clientB = '127.0.0.12';
    assert.equal(await whoAmI(SVC(11), PORT, clientA), 'a');
    assert.equal(await whoAmI(SVC(11), PORT, clientB), 'b');
    now += 9_000;
    // rr alone would give c, a; affinity keeps each client where it was and refreshes the entry.
    assert.equal(await whoAmI(SVC(11), PORT, clientA), 'a');
    assert.equal(await whoAmI(SVC(11), PORT, clientB), 'b');
    now += 9_000;
    assert.equal(await whoAmI(SVC(11), PORT, clientA), 'a', 'refreshed by the last use');
    now += 10_001;
    assert.equal(await whoAmI(SVC(11), PORT, clientA), 'c', 'expired: back to the scheduler');
    // The bound endpoint leaving the list also ends the binding.
    const sessionAffinity = svc.sessionAffinity;
    await b.apply(
      state(svcPort('sticky', [{ ip: SVC(11), endpoints: pods.slice(0, 2) }], { sessionAffinity })),
    );
    assert.equal(await whoAmI(SVC(11), PORT, clientA), 'a');
    // Turning affinity off: back to rr.
    await b.apply(state(svcPort('sticky', [{ ip: SVC(11), endpoints: pods.slice(0, 2) }])));
    const got = [await whoAmI(SVC(11), PORT, clientA), await whoAmI(SVC(11), PORT, clientA)];
    assert.deepEqual(got.sort(), ['a', 'b']);
  });

  it('reports a frontend it cannot bind and serves the rest; the error is reported once', async () => {
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(PORT, SVC(12), r));
    try {
      const errors: string[] = [];
      const b = backend({
        onFrontendError: (fe, err) => errors.push(`${fe.ip} ${(err as NodeJS.ErrnoException).code}`),
      });
      const st = state(
        svcPort('taken', [{ ip: SVC(12), endpoints: [pods[0]!] }]),
        svcPort('free', [{ ip: SVC(13), endpoints: [pods[1]!] }]),
        svcPort('sctp', [{ ip: SVC(14), protocol: 'SCTP', endpoints: [pods[1]!] }]),
      );
      const r = await b.apply(st);
      assert.equal(r.listening, 1);
      assert.deepEqual(
        r.failed.map((f) => [f.service, f.code]),
        [['default/taken:/TCP', 'EADDRINUSE']],
      );
      assert.deepEqual(
        r.unsupported.map((f) => f.frontend),
        [`SCTP/${SVC(14)}:${PORT}`],
      );
      assert.equal(await whoAmI(SVC(13)), 'b');
      const again = await b.apply(st);
      assert.equal(again.failed.length, 1);
      assert.deepEqual(errors, [`${SVC(12)} EADDRINUSE`]);
      // Once the address is free, the next apply binds it.
      await new Promise((r) => squatter.close(r));
      const fixed = await b.apply(st);
      assert.deepEqual(fixed.opened, [`TCP/${SVC(12)}:${PORT}`]);
      assert.equal(await whoAmI(SVC(12)), 'a');
    } finally {
      squatter.close();
    }
  });

  it('uses the scheduler a service asks for', async () => {
    const b = backend({ defaultScheduler: 'rr' });
    await b.apply(state(svcPort('dh', [{ ip: SVC(15), endpoints: pods }], { scheduler: 'dh' })));
    const first = await whoAmI(SVC(15));
    for (let i = 0; i < 3; i++) assert.equal(await whoAmI(SVC(15)), first);
  });

  it("obeys the model's action: reject and TCP drop have no listener; serve → reject closes it", async () => {
    const b = backend();
    const r = await b.apply(
      state(
        svcPort('rej', [{ ip: SVC(16), action: 'reject', endpoints: [] }]),
        svcPort('drop', [{ ip: SVC(17), action: 'drop', endpoints: [] }]),
        svcPort('serve', [{ ip: SVC(18), endpoints: [pods[0]!] }]),
      ),
    );
    assert.deepEqual([r.applied, r.listening, r.opened], [3, 1, [`TCP/${SVC(18)}:${PORT}`]]);
    assert.equal((await connectError(SVC(16))).code, 'ECONNREFUSED');
    // A userspace proxy cannot drop a SYN: the client is refused (capabilities.drop.TCP).
    assert.equal(b.capabilities.drop.TCP, 'refused');
    assert.equal((await connectError(SVC(17))).code, 'ECONNREFUSED');
    const c = await connect(SVC(18));
    assert.deepEqual(await readLines(c, 1), ['a']);
    const r2 = await b.apply(state(svcPort('serve', [{ ip: SVC(18), action: 'reject', endpoints: [] }])));
    assert.deepEqual([r2.applied, r2.listening, r2.closed], [1, 0, [`TCP/${SVC(18)}:${PORT}`]]);
    assert.equal((await connectError(SVC(18))).code, 'ECONNREFUSED');
    const echoed = readLines(c, 1);
    c.write('still open\n');
    assert.deepEqual(await echoed, ['still open']);
  });

  it('rejects an unknown default scheduler', () => {
    assert.throws(
      () => new UserspaceBackend({ log: silentLogger, defaultScheduler: 'wlc' }),
      /unknown scheduler "wlc"/,
    );
  });
});

describe('UserspaceBackend UDP', () => {
  let pods: Endpoint[];
  before(async () => {
    pods = [await udpEcho(POD(21), 'x'), await udpEcho(POD(22), 'y')];
  });

  it('carries datagrams both ways, replying from the service address', async () => {
    const b = backend();
    const r = await b.apply(state(svcPort('dns', [{ ip: SVC(21), protocol: 'UDP', endpoints: pods }])));
    assert.deepEqual(r.opened, [`UDP/${SVC(21)}:${PORT}`]);
    assert.equal(listenerKey({ protocol: 'UDP', ip: SVC(21), port: PORT }), r.opened[0]);
    const sock = dgram.createSocket('udp4');
    try {
      const first = await udpAsk(SVC(21), 'one', sock);
      assert.equal(first.from, `${SVC(21)}:${PORT}`);
      // One flow per client: the same client socket stays with its endpoint.
      const second = await udpAsk(SVC(21), 'two', sock);
      assert.equal(first.reply?.split(':')[0], second.reply?.split(':')[0]);
      assert.equal(second.reply?.split(':')[1], 'two');
      // A second client is a new flow: rr gives it the other endpoint.
      const other = await udpAsk(SVC(21), 'three');
      assert.notEqual(other.reply?.split(':')[0], first.reply?.split(':')[0]);
      const flows = b.stats().endpoints.reduce((n, e) => n + e.inactive, 0);
      assert.equal(flows, 2);
    } finally {
      sock.close();
    }
  });

  it('forgets idle flows', async () => {
    const b = backend({ udpIdleTimeoutMs: 50 });
    await b.apply(state(svcPort('idle', [{ ip: SVC(22), protocol: 'UDP', endpoints: pods }])));
    assert.ok((await udpAsk(SVC(22), 'hi')).reply);
    assert.equal(
      b.stats().endpoints.reduce((n, e) => n + e.inactive, 0),
      1,
    );
    const flows = () => b.stats().endpoints.reduce((n, e) => n + e.inactive, 0);
    for (const deadline = Date.now() + 5000; flows() > 0 && Date.now() < deadline; )
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(flows(), 0);
  });

  it('moves a flow whose endpoint was removed', async () => {
    const b = backend();
    await b.apply(state(svcPort('move', [{ ip: SVC(23), protocol: 'UDP', endpoints: [pods[0]!] }])));
    const sock = dgram.createSocket('udp4');
    try {
      assert.equal((await udpAsk(SVC(23), 'a', sock)).reply, 'x:a');
      await b.apply(state(svcPort('move', [{ ip: SVC(23), protocol: 'UDP', endpoints: [pods[1]!] }])));
      assert.equal((await udpAsk(SVC(23), 'b', sock)).reply, 'y:b');
    } finally {
      sock.close();
    }
  });

  it('drop: a listener that discards datagrams and counts them; serve → drop ends the flows', async () => {
    assert.equal(backend().capabilities.drop.UDP, 'silent');
    const b = backend();
    await b.apply(state(svcPort('d', [{ ip: SVC(25), protocol: 'UDP', endpoints: [pods[0]!] }])));
    const sock = net4.udpClient();
    assert.equal((await udpAsk(SVC(25), 'one', sock)).reply, 'x:one');
    const r = await b.apply(
      state(svcPort('d', [{ ip: SVC(25), protocol: 'UDP', action: 'drop', endpoints: [] }])),
    );
    assert.deepEqual([r.applied, r.listening, r.opened, r.closed], [1, 1, [], []]);
    sock.send('two', PORT, SVC(25));
    const dropped = () => b.stats().frontends.find((f) => f.frontend === `UDP/${SVC(25)}:${PORT}`)?.dropped;
    for (let i = 0; i < 1000 && dropped() === 0; i++) await new Promise((res) => setTimeout(res, 2));
    assert.equal(dropped(), 1);
    assert.equal(
      b.stats().endpoints.reduce((n, e) => n + e.inactive, 0),
      0,
      'the flow to the endpoint ended',
    );
  });

  it('reject: no UDP listener, so the kernel answers ICMP port unreachable', async () => {
    const b = backend();
    await b.apply(state(svcPort('r', [{ ip: SVC(26), protocol: 'UDP', action: 'reject', endpoints: [] }])));
    assert.deepEqual(await net4.udpConnected(SVC(26), PORT, 'anyone?'), { code: 'ECONNREFUSED' });
  });

  it('drops datagrams when a serving frontend has no endpoint to pick, and counts them', async () => {
    const b = backend();
    await b.apply(state(svcPort('none', [{ ip: SVC(24), protocol: 'UDP', endpoints: [] }])));
    assert.deepEqual(await udpAsk(SVC(24), 'anyone?', undefined, 200), {});
    assert.equal(b.stats().frontends[0]?.rejected, 1);
  });
});
