/**
 * The behaviours every proxy backend must share, proven over real sockets on
 * loopback. Each case builds Services and EndpointSlices, turns them into a
 * NodeState with the pure model, applies it through the ProxyBackend
 * interface, and connects as a client would. Run it from a backend's test
 * file:
 *
 *   runProxyConformance({ name: 'userspace', newBackend: (o) => new UserspaceBackend({ ...o, log }) });
 *
 * What a backend cannot do is declared in its capabilities (schedulers, how
 * it drops), never guessed here; the cases that need a capability skip
 * without it.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ProxyBackend } from '../../../src/proxy/backend.js';
import { frontendKey } from '../../../src/proxy/model/render.js';
import type { NodeState, Protocol } from '../../../src/proxy/model/types.js';
import { buildState, ep, slice, svc } from '../model/fixtures.js';
import { type Addr, eventually, readLines, Sockets } from '../sockets.js';

export interface ConformanceTarget {
  name: string;
  /** A fresh backend. `now` is the clock its session affinity must use, if it takes one. */
  newBackend(opts: { now: () => number }): ProxyBackend;
  /** Whether `now` drives affinity expiry (a kernel backend keeps time itself). */
  injectedClock: boolean;
  /**
   * The third octet of this run's addresses: frontends and the node in 127.98.N.0/24, pods in
   * 127.246.N.0/24 (default: from the pid, so concurrent runs on one machine do not collide).
   */
  octet?: number;
}

/** Enough tries that a backend spreading over k endpoints misses one with probability < 1e-30. */
const SPREAD_TRIES = 300;
/** Connections that must all avoid an endpoint (a wrong backend fails with probability >= 1 - 2^-24). */
const AVOID_TRIES = 24;

export function runProxyConformance(target: ConformanceTarget): void {
  const octet = target.octet ?? 10 + (process.pid % 200);
  const SVC = (n: number) => `127.98.${octet}.${n}`;
  const POD = (n: number) => `127.246.${octet}.${n}`;
  const CLIENT = (n: number) => `127.98.${octet}.${200 + n}`;
  const NODE_IP = SVC(250);
  const PORT = 18280;
  const ALT = 18281;

  describe(`proxy conformance: ${target.name}`, () => {
    const sockets = new Sockets();
    /** TCP pods a, b, c and UDP pods x, y (answering `x:<message>`). */
    const tcp = new Map<string, Addr>();
    const udp = new Map<string, Addr>();
    let backend: ProxyBackend;
    let now = 1_000_000;

    before(async () => {
      for (const [i, name] of ['a', 'b', 'c'].entries())
        tcp.set(name, await sockets.namedEcho(POD(i + 1), name));
      for (const [i, name] of ['x', 'y'].entries()) udp.set(name, await sockets.udpEcho(POD(i + 1), name));
    });
    after(() => sockets.closeAll());
    beforeEach(() => {
      now = 1_000_000;
      backend = target.newBackend({ now: () => now });
    });
    afterEach(async () => {
      sockets.closeClients();
      await backend.stop();
    });

    /** A Service in namespace `ns` with ClusterIP SVC(n). */
    const service = (
      name: string,
      n: number,
      spec: ServiceSpec = {},
      annotations?: Record<string, string>,
      ports: ServicePort[] = [{ name: 'http', port: PORT, protocol: 'TCP' }],
    ): Service =>
      svc(
        name,
        { clusterIP: SVC(n), clusterIPs: [SVC(n)], ports, ...spec },
        annotations ? { annotations } : {},
      );

    /**
     * One EndpointSlice per pod (pods listen on ports of their own). flags as the model
     * fixtures: R ready, S serving, T terminating, L on this node; remote by default.
     */
    const podSlices = (
      service: string,
      pods: Record<string, string>,
      portNames: string[] = ['http'],
      protocol: Protocol = 'TCP',
    ): EndpointSlice[] =>
      Object.entries(pods).map(([pod, flags]) => {
        const addr = (protocol === 'UDP' ? udp : tcp).get(pod);
        assert.ok(addr, `no ${protocol} pod ${pod}`);
        const ports: EndpointPort[] = portNames.map((name) => ({ name, port: addr.port, protocol }));
        return slice(service, `${service}-${pod}`, [ep(addr.ip, flags)], ports);
      });

    async function apply(services: Service[], slices: EndpointSlice[]): Promise<NodeState> {
      const state = buildState(services, slices, [NODE_IP]);
      assert.deepEqual(state.problems, []);
      const result = await backend.apply(state);
      assert.deepEqual([result.failed, result.unsupported], [[], []]);
      const frontends = [...state.services.values()].reduce((n, s) => n + s.frontends.length, 0);
      assert.equal(result.applied, frontends);
      return state;
    }

    const who = (ip: string, port = PORT, from?: string) => sockets.whoAmI(ip, port, from);

    /** Connects until every one of `want` answered (and nothing else did). */
    async function spread(ip: string, want: string[], port = PORT): Promise<void> {
      const seen = new Set<string>();
      for (let i = 0; i < SPREAD_TRIES && seen.size < want.length; i++) seen.add(await who(ip, port));
      assert.deepEqual([...seen].sort(), [...want].sort());
    }

    /** Every one of `tries` new connections reaches one of `allowed`. */
    async function only(ip: string, allowed: string[], port = PORT, tries = AVOID_TRIES): Promise<void> {
      for (let i = 0; i < tries; i++) {
        const got = await who(ip, port);
        assert.ok(allowed.includes(got), `${ip}:${port} reached ${got}; only ${allowed.join(',')} may serve`);
      }
    }

    async function refused(ip: string, port: number, protocol: Protocol = 'TCP'): Promise<void> {
      if (protocol === 'TCP') assert.equal((await sockets.connectError(ip, port)).code, 'ECONNREFUSED');
      else assert.deepEqual(await sockets.udpConnected(ip, port, 'anyone?'), { code: 'ECONNREFUSED' });
    }

    const droppedAt = (key: string) =>
      backend.stats().frontends.find((f) => f.frontend === key)?.dropped ?? 0;

    /** Traffic to a frontend whose action is drop: discarded, or refused where the backend says it cannot drop. */
    async function dropped(ip: string, port: number, protocol: 'TCP' | 'UDP'): Promise<void> {
      if (backend.capabilities.drop[protocol] === 'refused') return refused(ip, port, protocol);
      const key = frontendKey({ protocol, ip, port });
      const before = droppedAt(key);
      if (protocol === 'TCP') {
        const c = sockets.connecting(ip, port);
        await eventually(() => droppedAt(key) > before, `a dropped SYN counted at ${key}`);
        assert.equal(c.state(), 'pending', 'a dropped connection neither connects nor fails');
      } else {
        const s = sockets.udpClient(ip);
        const replies: string[] = [];
        s.on('message', (m) => replies.push(m.toString()));
        s.send('anyone?', port, ip);
        await eventually(() => droppedAt(key) > before, `a dropped datagram counted at ${key}`);
        assert.deepEqual(replies, []);
      }
    }

    it('spreads new connections over every endpoint, and only those', async () => {
      await apply([service('spread', 1)], podSlices('spread', { a: 'R', b: 'R', c: 'R' }));
      await spread(SVC(1), ['a', 'b', 'c']);
    });

    it('rr: new connections cycle through every endpoint in a fixed order', async (t) => {
      if (!backend.capabilities.schedulers.includes('rr')) return t.skip('no rr scheduler');
      await apply(
        [service('rr', 2, {}, { 'svcnet.io/scheduler': 'rr' })],
        podSlices('rr', { a: 'R', b: 'R', c: 'R' }),
      );
      const order: string[] = [];
      for (let i = 0; i < 9; i++) order.push(await who(SVC(2)));
      assert.deepEqual([...order.slice(0, 3)].sort(), ['a', 'b', 'c']);
      assert.deepEqual(order.slice(3, 6), order.slice(0, 3));
      assert.deepEqual(order.slice(6, 9), order.slice(0, 3));
    });

    it('ClientIP affinity: a client sticks to its endpoint; the binding ends with the timeout or the endpoint', async (t) => {
      const rr = backend.capabilities.schedulers.includes('rr');
      const sticky = (on: boolean) =>
        service(
          'sticky',
          3,
          on
            ? { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } }
            : {},
          rr ? { 'svcnet.io/scheduler': 'rr' } : undefined,
        );
      await apply([sticky(true)], podSlices('sticky', { a: 'R', b: 'R', c: 'R' }));
      const [A, B] = [CLIENT(1), CLIENT(2)];
      const first = await who(SVC(3), PORT, A);
      for (let i = 0; i < 10; i++) assert.equal(await who(SVC(3), PORT, A), first);
      if (rr) assert.notEqual(await who(SVC(3), PORT, B), first, 'rr gives another client the next endpoint');
      if (target.injectedClock) {
        now += 9_000;
        assert.equal(await who(SVC(3), PORT, A), first);
        now += 9_000;
        assert.equal(await who(SVC(3), PORT, A), first, 'each connection refreshes the binding');
        now += 10_001;
        // After a and b, rr's next is the third endpoint: expiry shows as a move.
        if (rr) assert.notEqual(await who(SVC(3), PORT, A), first, 'expired: back to the scheduler');
      } else {
        t.diagnostic('the backend keeps time itself: expiry is not tested here');
      }
      // The bound endpoint leaving ends the binding.
      const rest = ['a', 'b', 'c'].filter((p) => p !== first);
      await apply([sticky(true)], podSlices('sticky', Object.fromEntries(rest.map((p) => [p, 'R']))));
      const next = await who(SVC(3), PORT, A);
      assert.ok(rest.includes(next), `bound to ${next}, which left`);
      for (let i = 0; i < 5; i++) assert.equal(await who(SVC(3), PORT, A), next);
      // Affinity off: the scheduler decides every connection again.
      await apply([sticky(false)], podSlices('sticky', Object.fromEntries(rest.map((p) => [p, 'R']))));
      await spread(SVC(3), rest);
    });

    it("externalTrafficPolicy Local: external traffic only to this node's endpoints; none local → drop", async () => {
      const np = 30281;
      const etp = service('etp', 4, {
        type: 'NodePort',
        externalTrafficPolicy: 'Local',
        ports: [{ name: 'http', port: PORT, nodePort: np, protocol: 'TCP' }],
      });
      await apply([etp], podSlices('etp', { a: 'RL', b: 'R' }));
      await only(NODE_IP, ['a'], np);
      await spread(SVC(4), ['a', 'b']);
      // The local endpoint leaves; b (on another node) remains.
      const state = await apply([etp], podSlices('etp', { b: 'R' }));
      const fes = state.services.get('ns/etp:http/TCP')!.frontends;
      assert.deepEqual(
        fes.map((f) => `${f.kind} ${f.action}`),
        ['ClusterIP serve', 'NodePort drop'],
      );
      await dropped(NODE_IP, np, 'TCP');
      await only(SVC(4), ['b']);
    });

    it("internalTrafficPolicy Local: cluster traffic only to this node's endpoints; none local → drop", async () => {
      const itp = service('itp', 5, { internalTrafficPolicy: 'Local' });
      await apply([itp], podSlices('itp', { a: 'RL', b: 'R' }));
      await only(SVC(5), ['a']);
      const state = await apply([itp], podSlices('itp', { b: 'R', c: 'R' }));
      assert.equal(state.services.get('ns/itp:http/TCP')!.frontends[0]!.action, 'drop');
      await dropped(SVC(5), PORT, 'TCP');

      const udpItp = service('itp-udp', 6, { internalTrafficPolicy: 'Local' }, undefined, [
        { name: 'dns', port: PORT, protocol: 'UDP' },
      ]);
      await apply([udpItp], podSlices('itp-udp', { x: 'R' }, ['dns'], 'UDP'));
      await dropped(SVC(6), PORT, 'UDP');
    });

    it('no endpoints: TCP and UDP are refused at once, on every frontend; endpoints arriving serve', async () => {
      const np = 30282;
      const none = service('none', 7, {
        type: 'NodePort',
        ports: [
          { name: 'http', port: PORT, nodePort: np, protocol: 'TCP' },
          { name: 'dns', port: PORT, protocol: 'UDP' },
        ],
      });
      await apply([none], []);
      await refused(SVC(7), PORT);
      await refused(NODE_IP, np);
      await refused(SVC(7), PORT, 'UDP');
      // Endpoints that exist but do not serve (not ready) are no endpoints.
      await apply([none], podSlices('none', { a: '' }));
      await refused(SVC(7), PORT);
      await apply(
        [none],
        [...podSlices('none', { a: 'R' }), ...podSlices('none', { x: 'R' }, ['dns'], 'UDP')],
      );
      assert.equal(await who(SVC(7)), 'a');
      assert.equal(await who(NODE_IP, np), 'a');
      assert.equal((await sockets.udpConnected(SVC(7), PORT, 'hi')).reply, 'x:hi');
      await apply([none], []);
      await refused(SVC(7), PORT);
      await refused(NODE_IP, np);
      await refused(SVC(7), PORT, 'UDP');
    });

    it('UDP: datagrams reach an endpoint and replies come from the service address; a flow follows its endpoint', async () => {
      const dns = service('dns', 8, {}, undefined, [{ name: 'dns', port: PORT, protocol: 'UDP' }]);
      await apply([dns], podSlices('dns', { x: 'R' }, ['dns'], 'UDP'));
      const sock = sockets.udpClient(SVC(8));
      const first = await sockets.udpAsk(SVC(8), PORT, 'one', sock);
      assert.deepEqual(first, { reply: 'x:one', from: `${SVC(8)}:${PORT}` });
      await apply([dns], podSlices('dns', { y: 'R' }, ['dns'], 'UDP'));
      assert.equal((await sockets.udpAsk(SVC(8), PORT, 'two', sock)).reply, 'y:two');
    });

    it('a port added is served; a port removed is refused, its open connections carry on', async () => {
      const ports = (...names: string[]) =>
        service(
          'ports',
          9,
          {},
          undefined,
          names.map((name) => ({ name, port: name === 'http' ? PORT : ALT, protocol: 'TCP' as const })),
        );
      const slices = podSlices('ports', { a: 'R' }, ['http', 'alt']);
      await apply([ports('http')], slices);
      assert.equal(await who(SVC(9)), 'a');
      await refused(SVC(9), ALT);
      await apply([ports('http', 'alt')], slices);
      assert.equal(await who(SVC(9), ALT), 'a');
      const open = await sockets.connect(SVC(9), PORT);
      assert.deepEqual(await readLines(open, 1), ['a']);
      await apply([ports('alt')], slices);
      await refused(SVC(9), PORT);
      assert.equal(await who(SVC(9), ALT), 'a');
      await echoes(open, 'still here');
    });

    it('an open connection survives its endpoint leaving; new connections avoid it', async () => {
      const grace = service('grace', 10);
      await apply([grace], podSlices('grace', { a: 'R', b: 'R' }));
      const open = await sockets.connect(SVC(10), PORT);
      const [pinned] = await readLines(open, 1);
      const other = pinned === 'a' ? 'b' : 'a';
      await apply([grace], podSlices('grace', { [other]: 'R' }));
      await only(SVC(10), [other]);
      await echoes(open, 'still here');
      // Terminating but serving, with a ready endpoint elsewhere: new connections avoid it too.
      await apply([grace], podSlices('grace', { [pinned!]: 'ST', [other]: 'R' }));
      await only(SVC(10), [other]);
      await echoes(open, 'and here');
    });
  });
}

/** The connection still carries data both ways. */
async function echoes(c: net.Socket, line: string): Promise<void> {
  const echoed = readLines(c, 1);
  c.write(`${line}\n`);
  assert.deepEqual(await echoed, [line]);
}
