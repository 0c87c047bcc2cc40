/**
 * Cluster DNS driven with the real `dig` against `svcnet up`'s DNS server,
 * over UDP and TCP: every record kind, CoreDNS's NXDOMAIN/NODATA answers,
 * truncation, forwarding to a (fake, loopback) upstream and its failure, and
 * answers following changes of Services and endpoints.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import {
  type Cluster,
  eventually,
  freePort,
  skipReason,
  startCluster,
  stopCluster,
  toolSkipReason,
} from './harness.js';
import { getJson, type Obj } from './kubectl-output.js';
import { restart } from './procs.js';

const skip = skipReason() ?? toolSkipReason('dig', 'dnsutils');

/** A fake upstream resolver on loopback: `example.com` → 192.0.2.1, anything else NXDOMAIN. */
function fakeUpstream(port: number): ChildProcess {
  const src = `
    const dgram = require('node:dgram'); const p = require('dns-packet');
    const s = dgram.createSocket('udp4');
    s.on('message', (m, r) => {
      const q = p.decode(m); const name = q.questions[0].name.toLowerCase();
      const ok = name === 'example.com' && q.questions[0].type === 'A';
      // dns-packet takes the rcode from the low bits of flags (3: NXDOMAIN).
      const nx = name === 'example.com' ? 0 : 3;
      s.send(p.encode({ type: 'response', id: q.id, flags: p.RECURSION_DESIRED | p.RECURSION_AVAILABLE | nx,
        questions: q.questions,
        answers: ok ? [{ name: q.questions[0].name, type: 'A', ttl: 60, data: '192.0.2.1' }] : [] }), r.port, r.address);
    });
    s.bind(${port}, '127.0.0.1', () => console.log('up'));`;
  return spawn(process.execPath, ['-e', src], { cwd: process.cwd() });
}

describe('cluster DNS', { skip }, () => {
  let c: Cluster;
  let port: number;
  let upstreamPort: number;
  let upstream: ChildProcess | undefined;

  const dig = (args: string[]) => {
    const r = spawnSync('dig', [`@${c.nodeIP}`, '-p', String(port), '+time=2', '+tries=1', ...args], {
      encoding: 'utf8',
    });
    return r.stdout;
  };
  /** The answer section as [name, ttl, class, type, data] rows. */
  const answer = (args: string[]) =>
    dig(['+noall', '+answer', ...args])
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/));
  const short = (args: string[]) =>
    dig(['+short', ...args])
      .trim()
      .split('\n')
      .filter(Boolean)
      .sort();
  const status = (args: string[]) => /status: (\w+)/.exec(dig(args))?.[1];

  before(async () => {
    port = await freePort();
    upstreamPort = await freePort();
    upstream = fakeUpstream(upstreamPort);
    await new Promise((r) => upstream!.stdout!.once('data', r));
    c = await startCluster([`--dns-port=${port}`, `--dns-upstream=127.0.0.1:${upstreamPort}`], {
      proxy: true,
    });
    c.ok(['create', 'deployment', 'web', '--image=svcnet/netexec', '--replicas=3']);
    c.ok(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec:
  type: ExternalName
  externalName: example.com
`,
    });
    c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await eventually(
      () => short(['web-headless.default.svc.cluster.local']).length === 3,
      20_000,
      'headless answers',
    );
  });
  after(() => {
    upstream?.kill();
    stopCluster(c);
  });

  const webIP = () => getJson(c, ['svc', 'web']).spec.clusterIP as string;
  const podIPs = () =>
    (getJson(c, ['pods', '-l', 'app=web']).items as Obj[]).map((p) => p.status.podIP as string).sort();

  it('A for a ClusterIP service, over UDP and TCP; the configured TTL', () => {
    const rows = answer(['web.default.svc.cluster.local', 'A']);
    assert.deepEqual(rows, [['web.default.svc.cluster.local.', '5', 'IN', 'A', webIP()]]);
    assert.deepEqual(short(['+tcp', 'web.default.svc.cluster.local']), [webIP()]);
  });

  it('SRV for a named port, with the target in the additional section; PTR for the ClusterIP', () => {
    assert.deepEqual(short(['_http._tcp.web.default.svc.cluster.local', 'SRV']), [
      '0 100 80 web.default.svc.cluster.local.',
    ]);
    const add = dig(['+noall', '+additional', '_http._tcp.web.default.svc.cluster.local', 'SRV']);
    assert.match(add, new RegExp(`web\\.default\\.svc\\.cluster\\.local\\.\\s+5\\s+IN\\s+A\\s+${webIP()}`));
    assert.deepEqual(short(['-x', webIP()]), ['web.default.svc.cluster.local.']);
  });

  it('headless: one A per ready pod, SRV per endpoint, PTR for pod IPs', () => {
    assert.deepEqual(short(['web-headless.default.svc.cluster.local']), podIPs());
    const srv = short(['_http._tcp.web-headless.default.svc.cluster.local', 'SRV']);
    assert.equal(srv.length, 3);
    for (const r of srv)
      assert.match(r, /^0 33 8080 \d+-\d+-\d+-\d+\.web-headless\.default\.svc\.cluster\.local\.$/);
    const ip = podIPs()[0]!;
    // Both services select the pod: CoreDNS answers an endpoint PTR for each (ClusterIP ones included).
    assert.deepEqual(short(['-x', ip]), [
      `${ip.replaceAll('.', '-')}.web-headless.default.svc.cluster.local.`,
      `${ip.replaceAll('.', '-')}.web.default.svc.cluster.local.`,
    ]);
  });

  it('NXDOMAIN and NODATA as CoreDNS answers them', () => {
    // AAAA of an IPv4-only name: NODATA (NOERROR, no answer, SOA in authority).
    assert.equal(status(['web.default.svc.cluster.local', 'AAAA']), 'NOERROR');
    assert.deepEqual(answer(['web.default.svc.cluster.local', 'AAAA']), []);
    assert.match(
      dig(['+noall', '+authority', 'web.default.svc.cluster.local', 'AAAA']),
      /\sSOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./,
    );
    assert.equal(status(['web.nope.svc.cluster.local']), 'NXDOMAIN');
    assert.equal(status(['nope.default.svc.cluster.local']), 'NXDOMAIN');
    assert.equal(status(['a.b.c.web.default.svc.cluster.local']), 'NXDOMAIN');
    assert.equal(status(['default.svc.cluster.local']), 'NOERROR');
    assert.deepEqual(short(['dns-version.cluster.local', 'TXT']), ['"1.1.0"']);
  });

  it("matches names case-insensitively and keeps the query's case", () => {
    const rows = answer(['WeB.DeFault.SVC.cluster.local']);
    assert.equal(rows[0]?.[0], 'WeB.DeFault.SVC.cluster.local.');
    assert.equal(rows[0]?.[4], webIP());
  });

  it('pod records (pods insecure), and StatefulSet pods by their stable names', async () => {
    assert.deepEqual(short(['10-0-0-1.default.pod.cluster.local']), ['10.0.0.1']);
    c.ok(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: sql, port: 3306}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: svcnet/netexec, args: ["--http-port=3306"]}]
`,
    });
    c.ok(['rollout', 'status', 'statefulset/db', '--timeout=60s']);
    for (const i of [0, 1]) {
      const ip = getJson(c, ['pod', `db-${i}`]).status.podIP;
      await eventually(() => short([`db-${i}.db.default.svc.cluster.local`])[0] === ip, 15_000, `db-${i}`);
    }
    assert.deepEqual(short(['_sql._tcp.db.default.svc.cluster.local', 'SRV']), [
      '0 50 3306 db-0.db.default.svc.cluster.local.',
      '0 50 3306 db-1.db.default.svc.cluster.local.',
    ]);
  });

  it('ExternalName: a CNAME, chased through the upstream', () => {
    const rows = answer(['ext.default.svc.cluster.local']);
    assert.deepEqual(rows[0], ['ext.default.svc.cluster.local.', '5', 'IN', 'CNAME', 'example.com.']);
    assert.deepEqual(rows[1]?.slice(3), ['A', '192.0.2.1']);
  });

  it('forwards other names upstream; AXFR is refused', () => {
    assert.deepEqual(short(['example.com']), ['192.0.2.1']);
    assert.equal(status(['nothing.example.org']), 'NXDOMAIN');
    assert.match(dig(['+tcp', 'cluster.local', 'AXFR']), /Transfer failed|REFUSED/);
  });

  it('an answer over 512 bytes is truncated over UDP and complete over TCP', async () => {
    c.ok(['scale', 'deployment', 'web', '--replicas=40']);
    await eventually(
      () => short(['+tcp', 'web-headless.default.svc.cluster.local']).length === 40,
      60_000,
      '40 endpoints',
    );
    const udp = dig(['+noedns', '+ignore', 'web-headless.default.svc.cluster.local']);
    assert.match(udp, /flags: qr aa tc|flags: qr tc aa|;; flags:[^;]*\btc\b/);
    assert.equal(short(['+tcp', 'web-headless.default.svc.cluster.local']).length, 40);
    // dig retries over TCP by itself when it sees TC.
    assert.equal(short(['+noedns', 'web-headless.default.svc.cluster.local']).length, 40);
    c.ok(['scale', 'deployment', 'web', '--replicas=3']);
  });

  it('follows changes: a service created, an endpoint going unready, a service deleted', async () => {
    c.ok(['create', 'service', 'clusterip', 'late', '--tcp=80:8080']);
    const ip = getJson(c, ['svc', 'late']).spec.clusterIP;
    await eventually(() => short(['late.default.svc.cluster.local'])[0] === ip, 10_000, 'the new service');
    await eventually(
      () => short(['web-headless.default.svc.cluster.local']).length === 3,
      60_000,
      'back to 3',
    );
    const pod = (getJson(c, ['pods', '-l', 'app=web']).items as Obj[]).find(
      (p) => !p.metadata.deletionTimestamp && p.status?.podIP,
    );
    c.ok(['label', 'pod', pod.metadata.name, 'app=gone', '--overwrite']);
    await eventually(
      () => !short(['web-headless.default.svc.cluster.local']).includes(pod.status.podIP),
      15_000,
      'the relabelled pod out of the answer',
    );
    c.ok(['delete', 'svc', 'late']);
    await eventually(
      () => status(['late.default.svc.cluster.local']) === 'NXDOMAIN',
      10_000,
      'NXDOMAIN after delete',
    );
  });

  it('kube-system/kube-dns points at the server, reachable on its ClusterIP through the proxy', async () => {
    const svc = getJson(c, ['svc', 'kube-dns', '-n', 'kube-system']);
    assert.match(svc.spec.clusterIP, /\.0\.10$/);
    assert.deepEqual(
      svc.spec.ports.map((p: Obj) => [p.name, p.port, p.protocol]),
      [
        ['dns', 53, 'UDP'],
        ['dns-tcp', 53, 'TCP'],
        ['metrics', 9153, 'TCP'],
      ],
    );
    const viaProxy = () =>
      spawnSync(
        'dig',
        [`@${svc.spec.clusterIP}`, '+time=2', '+tries=1', '+short', 'web.default.svc.cluster.local'],
        {
          encoding: 'utf8',
        },
      ).stdout.trim();
    try {
      await eventually(() => viaProxy() === webIP(), 20_000, 'an answer through the kube-dns ClusterIP');
    } catch (err) {
      // What the proxy was given and what dig saw, to tell a missing endpoint from a dead relay.
      const state = c.kubectl(['get', 'svc,endpoints,endpointslices', '-n', 'kube-system', '-o', 'wide']);
      const seen = spawnSync(
        'dig',
        [`@${svc.spec.clusterIP}`, '+time=2', '+tries=1', 'web.default.svc.cluster.local'],
        {
          encoding: 'utf8',
        },
      );
      const warnings = c.kubectl(['get', 'events', '-A', '--field-selector=type=Warning']);
      throw new Error(
        `${String(err)}\n${state.stdout}${state.stderr}\n${warnings.stdout}${warnings.stderr}\n` +
          `dig: ${seen.stdout}${seen.stderr}`,
      );
    }
  });

  it('SERVFAIL when every upstream is down', async () => {
    upstream?.kill();
    upstream = undefined;
    await eventually(() => status(['down.example.net']) === 'SERVFAIL', 15_000, 'SERVFAIL');
  });
});

describe('kube-dns after a restart with another --dns-port', { skip }, () => {
  let c: Cluster | undefined;
  after(() => stopCluster(c));

  it('the Service and its Endpoints follow the new port, and the ClusterIP answers', async () => {
    const [first, second] = [await freePort(), await freePort()];
    c = await startCluster([`--dns-port=${first}`], { proxy: true });
    const cluster = c;
    const endpointsPorts = () =>
      (getJson(cluster, ['endpoints', 'kube-dns', '-n', 'kube-system']).subsets as Obj[]).flatMap((s: Obj) =>
        (s.ports as Obj[]).filter((p) => p.name !== 'metrics').map((p) => p.port as number),
      );
    const on = (ports: number[], port: number) => ports.length === 2 && ports.every((p) => p === port);
    await eventually(() => on(endpointsPorts(), first), 20_000, 'Endpoints on the first port');

    c.stop();
    restart(c, [`--dns-port=${second}`]);

    // --wait has seen DNS answer; the publisher may still be writing: wait for its result.
    const dnsTargetPorts = () =>
      (getJson(cluster, ['svc', 'kube-dns', '-n', 'kube-system']).spec.ports as Obj[])
        .filter((p) => p.name !== 'metrics')
        .map((p) => p.targetPort as number);
    await eventually(() => on(dnsTargetPorts(), second), 20_000, 'the Service on the new port');
    await eventually(() => on(endpointsPorts(), second), 20_000, 'Endpoints on the new port');
    const svc = getJson(c, ['svc', 'kube-dns', '-n', 'kube-system']);
    const viaProxy = () =>
      spawnSync(
        'dig',
        [`@${svc.spec.clusterIP}`, '+time=2', '+tries=1', '+short', 'kubernetes.default.svc.cluster.local'],
        {
          encoding: 'utf8',
        },
      ).stdout.trim();
    const apiIP = getJson(c, ['svc', 'kubernetes']).spec.clusterIP as string;
    await eventually(() => viaProxy() === apiIP, 20_000, 'an answer through the kube-dns ClusterIP');
  });
});
