/**
 * `kubectl port-forward` as a user runs it, with the real kubectl: pod/x,
 * svc/x and deploy/x, two ports at once, local ports kubectl picks, many
 * concurrent connections with their data checked end to end, over the
 * WebSocket tunnel kubectl tries first and over SPDY/3.1
 * (`KUBECTL_PORT_FORWARD_WEBSOCKETS=false`); an unlistened port's error; and
 * stopping kubectl closes the pod's connections. Then @kubernetes/client-node's
 * PortForward (the v4 WebSocket channel protocol) against the same pod.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import { type Cluster, eventually, kubectlPath, skipReason, startCluster, stopCluster } from './harness.js';
import { getJson } from './kubectl-output.js';

const skip = skipReason();

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: a
        image: svcnet/netexec
        args: ["--http-port=8080"]
        ports: [{name: http, containerPort: 8080}]
      - name: b
        image: svcnet/netexec
        args: ["--http-port=9090", "--udp-port=-1"]
        ports: [{name: alt, containerPort: 9090}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: alt, port: 90, targetPort: 9090}
`;

interface Forward {
  proc: ChildProcess;
  /** remote port → the local port kubectl chose */
  ports: Map<number, number>;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `kubectl port-forward`, waits for its "Forwarding from" lines, and knows how to stop it. */
async function portForward(c: Cluster, args: string[], spdy: boolean, expect: number): Promise<Forward> {
  const env = c.env(spdy ? { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' } : {});
  const proc = spawn(kubectlPath(), ['port-forward', '-v=4', ...args], { env });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    err += d;
  });
  const stop = () =>
    new Promise<void>((r) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return r();
      proc.once('exit', () => r());
      proc.kill('SIGTERM');
    });
  forwards.add(stop);
  const ports = await eventually<Map<number, number> | undefined>(
    () => {
      const m = new Map<number, number>();
      for (const [, local, remote] of out.matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/g))
        m.set(Number(remote), Number(local));
      if (proc.exitCode !== null) throw new Error(`kubectl exited ${proc.exitCode}: ${err}`);
      return m.size === expect ? m : undefined;
    },
    30_000,
    `kubectl port-forward ${args.join(' ')}`,
  );
  return { proc, ports: ports ?? new Map(), stderr: () => err, stop };
}

const forwards = new Set<() => Promise<void>>();

/** GET through a fresh connection; the body. */
function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(
      { host: '127.0.0.1', port, path, agent: false, headers: { Connection: 'close' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode}: ${body}`)),
        );
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
  });
}

/** Pod-side connections to ip:port, as ss sees them (ESTABLISHED from the agent). */
function podConnections(ip: string, port: number): number {
  const r = spawnSync('ss', ['-Htn', 'state', 'established', 'dst', `${ip}:${port}`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
}

describe('kubectl port-forward', { skip }, () => {
  let c: Cluster;
  let pod: string;
  let podIP: string;

  before(async () => {
    c = await startCluster();
    c.ok(['apply', '-f', '-'], { input: manifest });
    c.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    const p = getJson(c, ['pods', '-l', 'app=web']).items[0];
    pod = p.metadata.name;
    podIP = p.status.podIP;
    assert.ok(podIP, 'pod has an IP');
  });

  after(async () => {
    for (const stop of forwards) await stop();
    stopCluster(c);
  });

  for (const spdy of [false, true]) {
    const via = spdy ? 'SPDY/3.1 (KUBECTL_PORT_FORWARD_WEBSOCKETS=false)' : 'the WebSocket tunnel';
    it(`pod/x with two ports at once, local ports chosen by kubectl, over ${via}`, async () => {
      const f = await portForward(c, [`pod/${pod}`, ':8080', ':9090'], spdy, 2);
      try {
        assert.equal(await httpGet(f.ports.get(8080) ?? 0, '/hostname'), pod);
        // The second container answers on the second port: netexec logs each request with its port.
        assert.equal(await httpGet(f.ports.get(9090) ?? 0, '/echo?msg=nine'), 'nine');
        // The tunnel was used, or not: kubectl says which dialer it took at -v=4.
        if (spdy) assert.doesNotMatch(f.stderr(), /WebSocket Upgrade/);
        else {
          assert.match(f.stderr(), /Before WebSocket Upgrade Connection/);
          assert.doesNotMatch(f.stderr(), /fallback to secondary dialer/);
        }
      } finally {
        await f.stop();
      }
    });

    it(`50 concurrent connections through one forward carry their own data, over ${via}`, async () => {
      const f = await portForward(c, [`pod/${pod}`, ':8080'], spdy, 1);
      try {
        const local = f.ports.get(8080) ?? 0;
        const msgs = Array.from({ length: 50 }, () => randomBytes(600).toString('hex'));
        const bodies = await Promise.all(msgs.map((m) => httpGet(local, `/echo?msg=${m}`)));
        assert.deepEqual(bodies, msgs);
        // And again on the same forward: the streams of the first round were released.
        assert.equal(await httpGet(local, '/echo?msg=again'), 'again');
      } finally {
        await f.stop();
      }
    });
  }

  it('svc/x: service ports map to the pods target ports (named and numbered)', async () => {
    const f = await portForward(c, ['svc/web', ':80', ':90'], false, 2);
    try {
      assert.deepEqual([...f.ports.keys()].sort(), [8080, 9090]);
      assert.equal(await httpGet(f.ports.get(8080) ?? 0, '/hostname'), pod);
      assert.equal(await httpGet(f.ports.get(9090) ?? 0, '/echo?msg=svc'), 'svc');
    } finally {
      await f.stop();
    }
  });

  it('deploy/x: a pod of the deployment, over SPDY too', async () => {
    const f = await portForward(c, ['deploy/web', ':8080', ':9090'], true, 2);
    try {
      assert.equal(await httpGet(f.ports.get(8080) ?? 0, '/hostname'), pod);
      assert.equal(await httpGet(f.ports.get(9090) ?? 0, '/hostname'), pod);
    } finally {
      await f.stop();
    }
  });

  for (const spdy of [false, true]) {
    it(`an unlistened port: kubelet's error, and kubectl ends the forward (${spdy ? 'SPDY' : 'tunnel'})`, async () => {
      const f = await portForward(c, [`pod/${pod}`, ':7777'], spdy, 1);
      try {
        await assert.rejects(httpGet(f.ports.get(7777) ?? 0, '/'));
        const stderr = await eventually<string | undefined>(
          () => (/error forwarding port 7777/.test(f.stderr()) ? f.stderr() : undefined),
          30_000,
          'the forwarding error',
        );
        assert.match(
          stderr ?? '',
          new RegExp(
            `an error occurred forwarding \\d+ -> 7777: error forwarding port 7777 to pod [0-9a-f-]+, uid : failed to connect to ${podIP.replace(/\./g, '\\.')}:7777 in pod default/${pod}: dial tcp4 ${podIP.replace(/\./g, '\\.')}:7777: connect: connection refused`,
          ),
        );
        // kubectl 1.32 closes the session on a forwarding error, and exits.
        await eventually(() => f.proc.exitCode !== null, 30_000, 'kubectl to exit');
        assert.match(f.stderr(), /lost connection to pod/);
      } finally {
        await f.stop();
      }
    });
  }

  it('stopping kubectl closes the connections it held open to the pod', async () => {
    const f = await portForward(c, [`pod/${pod}`, ':8080'], true, 1);
    const local = f.ports.get(8080) ?? 0;
    const net = await import('node:net');
    const held = Array.from({ length: 5 }, () => net.connect(local, '127.0.0.1'));
    for (const s of held) s.on('error', () => {});
    try {
      // Half an HTTP request each: netexec waits for the rest, the connections stay open.
      for (const s of held) s.write('GET /hostname HTTP/1.1\r\n');
      await eventually(() => podConnections(podIP, 8080) >= 5, 30_000, 'the held connections at the pod');
      await f.stop();
      await eventually(() => podConnections(podIP, 8080) === 0, 30_000, 'the pod connections to close');
    } finally {
      for (const s of held) s.destroy();
      await f.stop();
    }
  });

  it("@kubernetes/client-node's PortForward reaches the pod (v4.channel.k8s.io)", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const pf = new PortForward(kc);
    // The library's documented pattern: a local server whose each connection is one forward.
    const server: Server = createServer((socket) => {
      socket.on('error', () => {});
      pf.portForward('default', pod, [8080], socket, null, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      assert.equal(await httpGet(port, '/hostname'), pod);
      const msgs = Array.from({ length: 10 }, (_, i) => `m${i}-${randomBytes(8).toString('hex')}`);
      assert.deepEqual(await Promise.all(msgs.map((m) => httpGet(port, `/echo?msg=${m}`))), msgs);
    } finally {
      server.close();
      await eventually(() => podConnections(podIP, 8080) === 0, 30_000, 'client-node forwards to close');
    }
  });
});
