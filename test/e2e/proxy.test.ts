/**
 * Services that carry traffic: `svcnet up` runs the userspace proxy, and
 * curl to a ClusterIP or NodePort reaches the pods, spread by the scheduler
 * the Service asks for, with session affinity, traffic policies, the
 * health-check node port, UDP, and refusal when there are no endpoints.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import { getJson, type Obj, sleep } from './kubectl-output.js';

const skip = skipReason();

function curl(url: string, timeoutS = 2): { ok: boolean; body: string; code: number } {
  const r = spawnSync('curl', ['-sS', '--max-time', String(timeoutS), url], { encoding: 'utf8' });
  return { ok: r.status === 0, body: r.stdout, code: r.status ?? -1 };
}

const counts = (names: string[]) => {
  const m = new Map<string, number>();
  for (const n of names) m.set(n, (m.get(n) ?? 0) + 1);
  return m;
};

/** GET over one kept-alive connection (the agent holds a single socket). */
function getVia(agent: Agent, host: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host, port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Whether a TCP connection to host:port opens (it is closed at once). */
function tcpOpens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function udp(host: string, port: number, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      reject(new Error('no UDP answer'));
    }, 2000);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(m.toString());
    });
    s.send(msg, port, host);
  });
}

describe('the userspace proxy', { skip }, () => {
  let c: Cluster;
  let ip: string;
  let barrierIP: string;
  let barrierPort = 1000;
  before(async () => {
    c = await startCluster([], { proxy: true });
    c.ok(['create', 'deployment', 'web', '--image=svcnet/netexec', '--replicas=3']);
    c.ok(['expose', 'deployment', 'web', '--port=80', '--target-port=8080']);
    // A Service of its own endpoint (nothing listens there: only the proxy's listener matters).
    c.ok(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Service
metadata: {name: sync-barrier}
spec:
  ports: [{port: ${barrierPort}, targetPort: 9}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: sync-barrier
  labels: {kubernetes.io/service-name: sync-barrier}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{port: 9, protocol: TCP}]
`,
    });
    barrierIP = getJson(c, ['svc', 'sync-barrier']).spec.clusterIP;
    c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    ip = getJson(c, ['svc', 'web']).spec.clusterIP;
    await eventually(() => curl(`http://${ip}/hostname`).ok, 20_000, 'traffic through the ClusterIP');
    // The first ready endpoint is applied at once, the others with the next sync token (up to
    // --min-sync-period later): wait until the proxy serves all three.
    const web = (getJson(c, ['pods', '-l', 'app=web']).items as Obj[]).length;
    await eventually(
      () => new Set(Array.from({ length: 30 }, () => curl(`http://${ip}/hostname`).body)).size === web,
      20_000,
      'every web pod behind the ClusterIP',
    );
    await eventually(() => tcpOpens(barrierIP, barrierPort), 20_000, 'the sync-barrier Service');
  });
  after(() => stopCluster(c));

  /**
   * Resolves once the proxy has applied every Service change written before the call: it
   * moves the sync-barrier Service to a new port and waits until that port accepts
   * connections. The proxy's Service informer sees writes in the order they were made, each
   * sync applies the whole cache, and an apply gives open frontends their new routes
   * (scheduler, affinity) before it opens new listeners. (The sync metrics cannot say as
   * much: a sync that ends after a write may have begun before the proxy saw it.)
   */
  const proxyCaughtUp = async () => {
    const port = ++barrierPort;
    c.ok([
      'patch',
      'svc',
      'sync-barrier',
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'replace', path: '/spec/ports/0/port', value: port }]),
    ]);
    await eventually(() => tcpOpens(barrierIP, port), 20_000, `the proxy to serve sync-barrier:${port}`);
  };

  const pods = () =>
    (getJson(c, ['pods', '-l', 'app=web']).items as Obj[]).map((p) => p.metadata.name).sort();
  const hit = (url: string) => curl(url).body;

  it('spreads requests over all three pods (random, the default)', () => {
    const seen = counts(Array.from({ length: 150 }, () => hit(`http://${ip}/hostname`)));
    assert.deepEqual([...seen.keys()].sort(), pods());
    // Each of 3 gets 50 on average; 20..80 is beyond 4 standard deviations.
    for (const [pod, n] of seen) assert.ok(n >= 20 && n <= 80, `${pod} got ${n} of 150`);
  });

  it('rr cycles exactly; lc prefers the idle endpoint', async () => {
    c.ok(['annotate', 'svc', 'web', 'svcnet.io/scheduler=rr']);
    await proxyCaughtUp();
    const order = Array.from({ length: 9 }, () => hit(`http://${ip}/hostname`));
    assert.deepEqual(order.slice(3, 6), order.slice(0, 3));
    assert.deepEqual(order.slice(6, 9), order.slice(0, 3));
    assert.deepEqual([...order.slice(0, 3)].sort(), pods());

    c.ok(['annotate', 'svc', 'web', 'svcnet.io/scheduler=lc', '--overwrite']);
    await proxyCaughtUp();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const busy = await getVia(agent, ip, 80, '/hostname');
      // The kept-alive connection is active on `busy`: new connections go to the others.
      const others = Array.from({ length: 10 }, () => hit(`http://${ip}/hostname`));
      assert.ok(!others.includes(busy), `lc sent a new connection to the busy ${busy}`);
    } finally {
      agent.destroy();
    }
    c.ok(['annotate', 'svc', 'web', 'svcnet.io/scheduler-']);
  });

  it('ClientIP affinity sticks, switches on and off with a patch, and expires after its timeout', async () => {
    c.ok(['patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    await proxyCaughtUp();
    const sticky = counts(Array.from({ length: 20 }, () => hit(`http://${ip}/hostname`)));
    assert.equal(sticky.size, 1, `affinity: ${[...sticky.keys()].join(',')}`);
    c.ok(['patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"None"}}']);
    await proxyCaughtUp();
    const spread = counts(Array.from({ length: 30 }, () => hit(`http://${ip}/hostname`)));
    assert.ok(spread.size > 1, 'affinity off spreads again');
    // rr + a 2 s timeout: the client stays on one pod, and moves to the next after the timeout.
    c.ok(['annotate', 'svc', 'web', 'svcnet.io/scheduler=rr']);
    c.ok([
      'patch',
      'svc',
      'web',
      '-p',
      '{"spec":{"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":2}}}}',
    ]);
    await proxyCaughtUp();
    const first = hit(`http://${ip}/hostname`);
    assert.equal(hit(`http://${ip}/hostname`), first);
    // Not a wait for the proxy: the 2 s of idleness that end the affinity are the behaviour tested.
    await sleep(3000);
    assert.notEqual(hit(`http://${ip}/hostname`), first);
    c.ok(['patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"None","sessionAffinityConfig":null}}']);
    c.ok(['annotate', 'svc', 'web', 'svcnet.io/scheduler-']);
  });

  it('a NodePort reaches the pods on the node address', async () => {
    c.ok(['patch', 'svc', 'web', '-p', '{"spec":{"type":"NodePort"}}']);
    const np = getJson(c, ['svc', 'web']).spec.ports[0].nodePort;
    await eventually(() => curl(`http://${c.nodeIP}:${np}/hostname`).ok, 10_000, 'the node port');
    assert.ok(pods().includes(hit(`http://${c.nodeIP}:${np}/hostname`)));
    c.ok(['patch', 'svc', 'web', '-p', '{"spec":{"type":"ClusterIP"}}']);
  });

  it('no endpoints: the connection is refused at once', async () => {
    c.ok(['create', 'service', 'clusterip', 'nobody', '--tcp=80:8080']);
    const nip = getJson(c, ['svc', 'nobody']).spec.clusterIP;
    await proxyCaughtUp();
    const r = curl(`http://${nip}/`);
    assert.equal(r.ok, false);
    // Refused, not left unanswered: a connection that hangs ends in curl's timeout (28) instead.
    assert.equal(r.code, 7, 'curl: (7) Failed to connect: connection refused');
  });

  it('multi-port with a named targetPort, UDP through a service, and a port added and removed', async () => {
    c.ok(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Service
metadata: {name: multi}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: udp, port: 90, targetPort: 8080, protocol: UDP}
`,
    });
    const mip = getJson(c, ['svc', 'multi']).spec.clusterIP;
    await eventually(() => curl(`http://${mip}/hostname`).ok, 10_000, 'multi/http');
    assert.ok(pods().includes(await udp(mip, 90, 'hostname')));
    assert.equal(await udp(mip, 90, 'echo hello'), 'hello');
    c.ok([
      'patch',
      'svc',
      'multi',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/spec/ports/-","value":{"name":"alt","port":8081,"targetPort":8080}}]',
    ]);
    await eventually(() => curl(`http://${mip}:8081/hostname`).ok, 10_000, 'the added port');
    c.ok(['patch', 'svc', 'multi', '--type=json', '-p', '[{"op":"remove","path":"/spec/ports/2"}]']);
    await eventually(
      () => curl(`http://${mip}:8081/hostname`).code === 7,
      10_000,
      'the removed port refused',
    );
  });

  it('an open connection survives its endpoint leaving; new ones avoid it', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const pinned = await getVia(agent, ip, 80, '/hostname');
      // These pods have no readiness probe: take the pod out of the Service by relabelling it.
      c.ok(['label', 'pod', pinned, 'app=out', '--overwrite']);
      await eventually(
        () => !Array.from({ length: 12 }, () => hit(`http://${ip}/hostname`)).includes(pinned),
        15_000,
        'new connections avoid the removed pod',
      );
      assert.equal(await getVia(agent, ip, 80, '/hostname'), pinned, 'the open connection still reaches it');
    } finally {
      agent.destroy();
    }
  });

  it('externalTrafficPolicy Local: the health-check node port answers 200 with local endpoints, 503 without', async () => {
    c.ok(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`,
    });
    const hc = getJson(c, ['svc', 'lb']).spec.healthCheckNodePort;
    const body = await eventually(
      () => {
        const r = curl(`http://${c.nodeIP}:${hc}/`);
        return r.ok && r.body.includes('"localEndpoints": 3') ? r.body : '';
      },
      15_000,
      'a healthy health check',
    );
    assert.match(body, /"service": \{\s*"namespace": "default",\s*"name": "lb"\s*\}/);
    c.ok(['scale', 'deployment', 'web', '--replicas=0']);
    await eventually(
      () => {
        const r = spawnSync(
          'curl',
          ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${c.nodeIP}:${hc}/`],
          {
            encoding: 'utf8',
          },
        );
        return r.stdout === '503';
      },
      30_000,
      '503 without local endpoints',
    );
    c.ok(['scale', 'deployment', 'web', '--replicas=3']);
  });

  it("externalTrafficPolicy Local sends NodePort traffic only to this node's endpoints; Cluster to all", async () => {
    // A second node that no agent runs, with one pod whose "container" is a server of this test,
    // on an address in this cluster's service range (reserved for it: no other cluster uses it).
    const kubernetesIP: string = getJson(c, ['svc', 'kubernetes']).spec.clusterIP;
    const farIP = kubernetesIP.replace(/\.\d+\.\d+$/, '.250.9');
    // In a process of its own: this test's curl runs synchronously and would block a server here.
    const far = spawn(process.execPath, [
      '-e',
      `require('node:http').createServer((q, s) => s.end('far')).listen(8080, '${farIP}', () => console.log('up'))`,
    ]);
    await new Promise((r) => far.stdout.once('data', r));
    try {
      c.ok(['label', 'pods', '-l', 'app=web', 'tier=edge']);
      c.ok(['apply', '-f', '-'], {
        input: `
apiVersion: v1
kind: Node
metadata: {name: far}
---
apiVersion: v1
kind: Pod
metadata: {name: far-pod, labels: {tier: edge}}
spec:
  nodeName: far
  containers: [{name: c, image: svcnet/netexec}]
---
apiVersion: v1
kind: Service
metadata: {name: edge}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {tier: edge}
  ports: [{port: 80, targetPort: 8080}]
`,
      });
      c.ok([
        'patch',
        'pod',
        'far-pod',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({
          status: {
            phase: 'Running',
            podIP: farIP,
            podIPs: [{ ip: farIP }],
            conditions: [{ type: 'Ready', status: 'True' }],
          },
        }),
      ]);
      const np = getJson(c, ['svc', 'edge']).spec.ports[0].nodePort;
      await eventually(
        () => {
          const eps = (
            getJson(c, ['endpointslices', '-l', 'kubernetes.io/service-name=edge']).items as Obj[]
          ).flatMap((x) => x.endpoints ?? []);
          return eps.length === 4 && eps.every((e: Obj) => e.conditions.ready);
        },
        15_000,
        'four ready endpoints, one on node far',
      );
      await eventually(() => curl(`http://${c.nodeIP}:${np}/hostname`).ok, 10_000, 'the node port');
      const local = counts(Array.from({ length: 40 }, () => hit(`http://${c.nodeIP}:${np}/hostname`)));
      assert.ok(!local.has('far'), 'Local: never the other node');
      assert.equal(local.size, 3);
      c.ok(['patch', 'svc', 'edge', '-p', '{"spec":{"externalTrafficPolicy":"Cluster"}}']);
      await eventually(
        () => Array.from({ length: 40 }, () => hit(`http://${c.nodeIP}:${np}/hostname`)).includes('far'),
        10_000,
        'Cluster: the other node too',
      );
    } finally {
      far.kill();
      c.kubectl(['delete', 'pod', 'far-pod', '--force', '--grace-period=0']);
      c.kubectl(['delete', 'node', 'far']);
    }
  });

  it('a killed proxy is restarted and serves the same services again', async () => {
    c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await eventually(() => curl(`http://${ip}/hostname`).ok, 20_000, 'traffic before');
    const pid = spawnSync('pgrep', ['-f', `proxy --kubeconfig=${c.dataDir}/kubeconfig`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number);
    assert.equal(pid.length, 1);
    const status = () => JSON.parse(c.svcnet(['status', '-o', 'json', `--data-dir=${c.dataDir}`]).stdout);
    assert.equal(status().components.proxy, pid[0]);
    process.kill(pid[0]!, 'SIGKILL');
    await eventually(() => curl(`http://${ip}/hostname`).ok, 30_000, 'traffic after the restart');
    // `status` shows the restarted proxy's pid, not the first one's.
    const now = spawnSync('pgrep', ['-f', `proxy --kubeconfig=${c.dataDir}/kubeconfig`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], pid[0]);
    assert.equal(status().components.proxy, now[0]);
  });
});
