/**
 * Pods that really run and the endpoints that follow them, driven as a user
 * does: kubectl create deployment / expose / scale / rollout / delete, curl
 * to pod IPs, readiness flipped through netexec, and what
 * `get endpoints|endpointslices` then show.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import { getJson, type Obj, sleep, tableNoAge } from './kubectl-output.js';

const skip = skipReason();

/** curl, as a user would run it; the body, or undefined when it failed. */
function curl(url: string, timeoutS = 3): string | undefined {
  const r = spawnSync('curl', ['-sS', '--max-time', String(timeoutS), url], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

const podsOf = (c: Cluster, selector: string): Obj[] =>
  getJson(c, ['pods', '-l', selector]).items.filter((p: Obj) => !p.metadata.deletionTimestamp);

const readyIPs = (pods: Obj[]) =>
  pods
    .filter((p) => p.status?.conditions?.some((x: Obj) => x.type === 'Ready' && x.status === 'True'))
    .map((p) => p.status.podIP as string)
    .sort();

/** The endpoints of a service's slices, flattened: address → conditions. */
function sliceEndpoints(c: Cluster, svc: string): Map<string, Obj> {
  const slices = getJson(c, ['endpointslices', '-l', `kubernetes.io/service-name=${svc}`]).items;
  const m = new Map<string, Obj>();
  for (const s of slices)
    for (const e of s.endpoints ?? []) m.set(e.addresses[0], { ...e, slice: s.metadata.name });
  return m;
}

function endpointsIPs(c: Cluster, svc: string): { ready: string[]; notReady: string[] } {
  const ep = getJson(c, ['endpoints', svc]);
  const ready: string[] = [];
  const notReady: string[] = [];
  for (const s of ep.subsets ?? []) {
    for (const a of s.addresses ?? []) ready.push(a.ip);
    for (const a of s.notReadyAddresses ?? []) notReady.push(a.ip);
  }
  return { ready: ready.sort(), notReady: notReady.sort() };
}

/**
 * Pods with a readiness probe whose preStop hook lasts until the file `release` exists (the
 * hook runs on this machine), so a test sees a terminating pod for as long as it needs to.
 */
const readinessDeployment = (name: string, replicas: number, release: string) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
      - name: netexec
        image: svcnet/netexec
        args: ["--http-port=8080"]
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /readyz, port: http}
          periodSeconds: 1
          failureThreshold: 1
        lifecycle:
          preStop:
            exec:
              command: ["sh", "-c", "until [ -e '${release}' ]; do sleep 0.1; done"]
`;

describe('workloads: pods that run and the endpoints that follow them', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => stopCluster(c));
  const preStopRelease = () => join(c.dataDir, 'release-prestop');

  it('registers this machine as a Ready node', async () => {
    const node = await eventually(
      () => {
        const items = getJson(c, ['nodes']).items as Obj[];
        const n = items[0];
        return n?.spec?.podCIDR &&
          n.status?.conditions?.some((x: Obj) => x.type === 'Ready' && x.status === 'True')
          ? n
          : undefined;
      },
      30_000,
      'a Ready node with a podCIDR',
    );
    assert.match(node.spec.podCIDR, /^127\.\d+\.\d+\.0\/24$/);
    const rows = tableNoAge(c.ok(['get', 'nodes']));
    assert.deepEqual(rows[0], ['NAME', 'STATUS', 'ROLES', 'VERSION']);
    assert.equal(rows[1]![1], 'Ready');
  });

  it('create deployment + expose: three running pods, three endpoints, each pod answers curl', async () => {
    assert.equal(
      c.ok(['create', 'deployment', 'web', '--image=svcnet/netexec', '--replicas=3']),
      'deployment.apps/web created\n',
    );
    assert.equal(
      c.ok(['expose', 'deployment', 'web', '--port=80', '--target-port=8080']),
      'service/web exposed\n',
    );
    assert.match(
      c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']),
      /deployment "web" successfully rolled out/,
    );
    const pods = podsOf(c, 'app=web');
    assert.equal(pods.length, 3);
    const ips = readyIPs(pods);
    assert.equal(ips.length, 3);
    const rows = tableNoAge(c.ok(['get', 'pods', '-l', 'app=web', '-o', 'wide']));
    assert.deepEqual(rows[0], [
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    for (const r of rows.slice(1)) {
      assert.match(r[0]!, /^web-[a-z0-9]{8,10}-[a-z0-9]{5}$/);
      assert.deepEqual(r.slice(1, 4), ['1/1', 'Running', '0']);
    }
    await eventually(
      () =>
        endpointsIPs(c, 'web').ready.length === 3 &&
        [...sliceEndpoints(c, 'web').values()].filter((e) => e.conditions.ready).length === 3,
      15_000,
      'three ready endpoints in Endpoints and EndpointSlices',
    );
    assert.deepEqual(endpointsIPs(c, 'web'), { ready: ips, notReady: [] });
    const eps = tableNoAge(c.ok(['get', 'endpoints', 'web']));
    assert.equal(eps[1]![1], ips.map((ip) => `${ip}:8080`).join(','));
    const slices = sliceEndpoints(c, 'web');
    assert.deepEqual([...slices.keys()].sort(), ips);
    for (const p of pods) {
      const e = slices.get(p.status.podIP);
      assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
      assert.deepEqual(e.targetRef, {
        kind: 'Pod',
        name: p.metadata.name,
        namespace: 'default',
        uid: p.metadata.uid,
      });
      assert.equal(e.nodeName, p.spec.nodeName);
      assert.equal(curl(`http://${p.status.podIP}:8080/hostname`), p.metadata.name);
    }
    const deploy = tableNoAge(c.ok(['get', 'deployment', 'web']));
    assert.deepEqual(deploy, [
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE'],
      ['web', '3/3', '3', '3'],
    ]);
  });

  it('kubectl logs shows what a pod printed', async () => {
    const pod = podsOf(c, 'app=web')[0];
    curl(`http://${pod.status.podIP}:8080/echo?msg=logged-line`);
    await eventually(() => c.ok(['logs', pod.metadata.name]).length > 0, 10_000, 'log output');
  });

  it('a pod sees kubelet-style service environment variables', async () => {
    const pod = podsOf(c, 'app=web')[0];
    const env = curl(`http://${pod.status.podIP}:8080/env`) ?? '';
    const lines = new Set(env.split('\n'));
    const k8s = getJson(c, ['svc', 'kubernetes']).spec;
    const ip = k8s.clusterIP;
    for (const l of [
      `KUBERNETES_SERVICE_HOST=${ip}`,
      'KUBERNETES_SERVICE_PORT=443',
      'KUBERNETES_SERVICE_PORT_HTTPS=443',
      `KUBERNETES_PORT=tcp://${ip}:443`,
      `KUBERNETES_PORT_443_TCP=tcp://${ip}:443`,
      'KUBERNETES_PORT_443_TCP_PROTO=tcp',
      'KUBERNETES_PORT_443_TCP_PORT=443',
      `KUBERNETES_PORT_443_TCP_ADDR=${ip}`,
    ])
      assert.ok(lines.has(l), `missing ${l} in:\n${env}`);
    // `web` was created after these pods started: kubelet only injects services that existed before.
    // A pod started now sees it.
    c.ok(['delete', 'pod', pod.metadata.name, '--wait=false']);
    const webIP = getJson(c, ['svc', 'web']).spec.clusterIP;
    await eventually(
      () => {
        const fresh = podsOf(c, 'app=web').filter(
          (p) => p.metadata.name !== pod.metadata.name && p.status?.podIP,
        );
        return fresh.some((p) =>
          (curl(`http://${p.status.podIP}:8080/env`) ?? '').split('\n').includes(`WEB_SERVICE_HOST=${webIP}`),
        );
      },
      30_000,
      'a replacement pod with WEB_SERVICE_HOST',
    );
  });

  it('readiness: a failing probe removes one endpoint, passing restores it; publishNotReadyAddresses keeps it', async () => {
    c.ok(['apply', '-f', '-'], { input: readinessDeployment('ready', 2, preStopRelease()) });
    c.ok(['expose', 'deployment', 'ready', '--port=80', '--target-port=http']);
    c.ok(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Service
metadata: {name: ready-all}
spec:
  selector: {app: ready}
  publishNotReadyAddresses: true
  ports: [{port: 80, targetPort: http}]
`,
    });
    c.ok(['rollout', 'status', 'deployment/ready', '--timeout=60s']);
    await eventually(() => endpointsIPs(c, 'ready').ready.length === 2, 15_000, 'two ready endpoints');
    const [victim, other] = podsOf(c, 'app=ready');
    const ip = victim.status.podIP;
    assert.equal(curl(`http://${ip}:8080/fail-readiness`) !== undefined, true);
    await eventually(
      () => sliceEndpoints(c, 'ready').get(ip)?.conditions.ready === false,
      10_000,
      'not ready',
    );
    assert.deepEqual(sliceEndpoints(c, 'ready').get(ip).conditions, {
      ready: false,
      serving: false,
      terminating: false,
    });
    assert.deepEqual(endpointsIPs(c, 'ready'), { ready: [other.status.podIP], notReady: [ip] });
    // publishNotReadyAddresses: still ready in the other service.
    assert.equal(sliceEndpoints(c, 'ready-all').get(ip)?.conditions.ready, true);
    assert.deepEqual(endpointsIPs(c, 'ready-all').ready, [ip, other.status.podIP].sort());
    curl(`http://${ip}:8080/pass-readiness`);
    await eventually(
      () => sliceEndpoints(c, 'ready').get(ip)?.conditions.ready === true,
      10_000,
      'ready again',
    );
    assert.deepEqual(endpointsIPs(c, 'ready').ready, [ip, other.status.podIP].sort());
  });

  it('deleting a pod shows a terminating endpoint until its process has exited', async () => {
    const [victim] = podsOf(c, 'app=ready');
    const ip = victim.status.podIP;
    c.ok(['delete', 'pod', victim.metadata.name, '--wait=false']);
    const during = await eventually(
      () => {
        const e = sliceEndpoints(c, 'ready').get(ip);
        return e?.conditions.terminating === true ? e : undefined;
      },
      10_000,
      'a terminating endpoint',
    );
    try {
      assert.equal(during.conditions.ready, false);
      // preStop lasts until released: the pod still answers meanwhile.
      assert.equal(curl(`http://${ip}:8080/hostname`), victim.metadata.name);
      assert.match(tableNoAge(c.ok(['get', 'pod', victim.metadata.name]))[1]![2]!, /Terminating/);
    } finally {
      writeFileSync(preStopRelease(), '');
    }
    await eventually(() => !sliceEndpoints(c, 'ready').has(ip), 20_000, 'the endpoint gone');
    assert.equal(curl(`http://${ip}:8080/hostname`, 1), undefined);
    await eventually(() => endpointsIPs(c, 'ready').ready.length === 2, 30_000, 'a replacement pod ready');
  });

  it('a rollout replaces every pod without the service ever dropping to zero ready endpoints', async () => {
    const before = new Set(podsOf(c, 'app=ready').map((p) => p.metadata.name));
    let minReady = Number.POSITIVE_INFINITY;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        minReady = Math.min(minReady, endpointsIPs(c, 'ready').ready.length);
        await sleep(150);
      }
    })();
    c.ok(['rollout', 'restart', 'deployment/ready']);
    c.ok(['rollout', 'status', 'deployment/ready', '--timeout=90s']);
    await eventually(
      () => {
        const now = podsOf(c, 'app=ready');
        return (
          now.length === 2 && now.every((p) => !before.has(p.metadata.name)) && readyIPs(now).length === 2
        );
      },
      60_000,
      'all pods replaced',
    );
    watching = false;
    await watcher;
    assert.ok(minReady >= 1, `ready endpoints dropped to ${minReady}`);
    const history = c.ok(['rollout', 'history', 'deployment/ready']);
    assert.match(history, /\n1 +<none>\n2 +<none>\n/);
    c.ok(['rollout', 'undo', 'deployment/ready']);
    c.ok(['rollout', 'status', 'deployment/ready', '--timeout=90s']);
    assert.match(c.ok(['rollout', 'history', 'deployment/ready']), /\n2 +<none>\n3 +<none>\n/);
  });

  it('a failing liveness probe restarts the container: RESTARTS counts it, the Unhealthy event says why', async () => {
    c.ok(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Pod
metadata: {name: alive, labels: {app: alive}}
spec:
  containers:
  - name: netexec
    image: svcnet/netexec
    ports: [{name: http, containerPort: 8080}]
    livenessProbe:
      httpGet: {path: /readyz, port: http}
      periodSeconds: 1
      failureThreshold: 2
`,
    });
    c.ok(['wait', '--for=condition=Ready', 'pod/alive', '--timeout=60s']);
    const ip = getJson(c, ['pod', 'alive']).status.podIP;
    curl(`http://${ip}:8080/fail-readiness`);
    const pod = await eventually(
      () => {
        const p = getJson(c, ['pod', 'alive']);
        const cs = p.status?.containerStatuses?.[0];
        return cs?.restartCount === 1 && cs.ready ? p : undefined;
      },
      30_000,
      'a restarted, ready container',
    );
    // netexec exits 0 on SIGTERM, as agnhost's does: the killed instance "Completed".
    assert.deepEqual(
      [
        pod.status.containerStatuses[0].lastState.terminated.reason,
        pod.status.containerStatuses[0].lastState.terminated.exitCode,
      ],
      ['Completed', 0],
    );
    assert.match(tableNoAge(c.ok(['get', 'pod', 'alive']))[1]![3]!, /^1 \(\d+s ago\)$/);
    assert.match(
      c.ok(['describe', 'pod', 'alive']),
      /Warning +Unhealthy .* Liveness probe failed: HTTP probe failed with statuscode: 503/,
    );
    // A new process: its readiness toggle starts over.
    assert.equal(curl(`http://${ip}:8080/readyz`), 'ok');
    // kubectl expose pod: a Service for exactly this pod.
    c.ok(['expose', 'pod', 'alive', '--port=80', '--target-port=http', '--name=alive-svc']);
    await eventually(
      () => endpointsIPs(c, 'alive-svc').ready.join() === ip,
      15_000,
      'the pod as the only endpoint',
    );
    c.ok(['delete', 'pod', 'alive']);
  });

  it('scaling to 250 gives 3 slices of at most 100; scaling back leaves untouched slices alone', async () => {
    c.ok(['scale', 'deployment', 'web', '--replicas=250']);
    await eventually(
      () => [...sliceEndpoints(c, 'web').values()].filter((e) => e.conditions.ready).length === 250,
      180_000,
      '250 ready endpoints',
    );
    const slices = getJson(c, ['endpointslices', '-l', 'kubernetes.io/service-name=web']).items as Obj[];
    // The fewest slices that hold 250, none over 100 (how the 250 spread over them depends on the
    // order pods became ready in: 50/100/100 or, say, 51/99/100, as upstream's reconciler fills).
    assert.equal(slices.length, 3);
    const sizes = slices.map((s) => s.endpoints.length as number);
    assert.ok(
      sizes.every((n) => n <= 100),
      `slice sizes ${sizes}`,
    );
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      250,
    );
    for (const s of slices) {
      assert.equal(
        s.metadata.labels['endpointslice.kubernetes.io/managed-by'],
        'endpointslice-controller.k8s.io',
      );
      assert.equal(s.metadata.ownerReferences[0].kind, 'Service');
    }
    const snapshot = new Map(
      slices.map((s) => [
        s.metadata.name,
        {
          rv: s.metadata.resourceVersion,
          ips: s.endpoints
            .map((e: Obj) => e.addresses[0])
            .sort()
            .join(),
        },
      ]),
    );
    c.ok(['scale', 'deployment', 'web', '--replicas=3']);
    await eventually(() => sliceEndpoints(c, 'web').size === 3, 120_000, 'back to 3 endpoints');
    const after = getJson(c, ['endpointslices', '-l', 'kubernetes.io/service-name=web']).items as Obj[];
    assert.equal(after.length, 1, 'emptied slices are deleted');
    for (const s of after) {
      const was = snapshot.get(s.metadata.name);
      const ips = s.endpoints
        .map((e: Obj) => e.addresses[0])
        .sort()
        .join();
      if (was && was.ips === ips)
        assert.equal(s.metadata.resourceVersion, was.rv, `${s.metadata.name} churned`);
    }
  });

  it('a StatefulSet behind a headless service: ordinal pods and endpoints with hostnames', async () => {
    c.ok(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Service
metadata: {name: mysql}
spec:
  clusterIP: None
  selector: {app: mysql}
  ports: [{name: mysql, port: 3306}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mysql}
spec:
  serviceName: mysql
  replicas: 3
  selector:
    matchLabels: {app: mysql}
  template:
    metadata:
      labels: {app: mysql}
    spec:
      containers:
      - name: mysql
        image: svcnet/netexec
        args: ["--http-port=3306"]
        ports: [{name: mysql, containerPort: 3306}]
`,
    });
    c.ok(['rollout', 'status', 'statefulset/mysql', '--timeout=90s']);
    const eps = (await eventually(
      () => {
        const m = sliceEndpoints(c, 'mysql');
        return m.size === 3 && [...m.values()].every((e) => e.conditions.ready) ? m : false;
      },
      30_000,
      'three ready mysql endpoints',
    )) as Map<string, Obj>;
    assert.deepEqual([...eps.values()].map((e) => e.hostname).sort(), ['mysql-0', 'mysql-1', 'mysql-2']);
    const slice = getJson(c, ['endpointslices', '-l', 'kubernetes.io/service-name=mysql']).items[0];
    assert.equal(slice.metadata.labels['service.kubernetes.io/headless'], '');
    for (const i of [0, 1, 2]) {
      const pod = getJson(c, ['pod', `mysql-${i}`]);
      assert.equal(pod.spec.hostname, `mysql-${i}`);
      assert.equal(pod.spec.subdomain, 'mysql');
      assert.equal(curl(`http://${pod.status.podIP}:3306/hostname`), `mysql-${i}`);
    }
    const ep = getJson(c, ['endpoints', 'mysql']);
    assert.deepEqual(ep.subsets[0].addresses.map((a: Obj) => a.hostname).sort(), [
      'mysql-0',
      'mysql-1',
      'mysql-2',
    ]);
  });

  it('deleting a deployment deletes its replicasets and pods', async () => {
    c.ok(['delete', 'deployment', 'web']);
    await eventually(
      () =>
        getJson(c, ['rs', '-l', 'app=web']).items.length === 0 &&
        getJson(c, ['pods', '-l', 'app=web']).items.length === 0,
      60_000,
      'replicasets and pods gone',
    );
    await eventually(() => sliceEndpoints(c, 'web').size === 0, 20_000, 'no endpoints left');
  });

  it('an image that cannot run says why, and never pretends to run', async () => {
    c.ok(['run', 'nope', '--image=example.com/does-not-exist:1.0']);
    const pod = await eventually(
      () => {
        const p = getJson(c, ['pod', 'nope']);
        return p.status?.containerStatuses?.[0]?.state?.waiting ? p : undefined;
      },
      30_000,
      'a waiting reason',
    );
    const waiting = pod.status.containerStatuses[0].state.waiting;
    assert.equal(waiting.reason, 'ErrImagePull');
    assert.match(waiting.message, /example\.com\/does-not-exist:1\.0/);
    assert.equal(pod.status.phase, 'Pending');
    await eventually(
      () => /Warning +Failed/.test(c.ok(['describe', 'pod', 'nope'])),
      10_000,
      'a Failed event',
    );
    c.ok(['delete', 'pod', 'nope']);
  });
});
