import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { ConfigMap, Container, Pod, PodStatus, Service } from 'kubernetes-types/core/v1.js';
import { Backoff } from '../../src/agent/backoff.js';
import { StartError } from '../../src/agent/images/types.js';
import { claimPodIPs, PodIPAllocator } from '../../src/agent/ipam.js';
import { POD_IP_CLAIM_FAILED, PodWorker, type PodWorkerDeps } from '../../src/agent/podworker.js';
import type { Obj } from '../../src/client/types.js';
import { silentLogger } from '../../src/lib/log.js';
import { FakeRuntime } from './fakeruntime.js';

// A readiness/liveness endpoint the tests toggle.
let server: Server;
let port: number;
let healthCode = 200;
/** Requests to /once fail while this is positive (one failure each). */
let failOnce = 0;
before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/once') {
      res.writeHead(failOnce-- > 0 ? 500 : 200);
      res.end();
      return;
    }
    res.writeHead(healthCode);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

interface Harness {
  worker: PodWorker;
  runtime: FakeRuntime;
  statuses: PodStatus[];
  events: { reason: string; type: string; message: string }[];
  deleted: Pod[];
  ipam: PodIPAllocator;
  last(): PodStatus;
}

const kubernetesSvc: Service = {
  metadata: { name: 'kubernetes', namespace: 'default' },
  spec: { clusterIP: '127.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
};

/** `ipam`: the allocator to use; `gate`: whether the agent has claimed its pods' IPs yet (default yes). */
function harness(
  pod: Pod,
  setup?: (rt: FakeRuntime) => void,
  opts: { ipam?: PodIPAllocator; gate?: () => boolean; deps?: Partial<PodWorkerDeps> } = {},
): Harness {
  const runtime = new FakeRuntime();
  setup?.(runtime);
  const statuses: PodStatus[] = [];
  const events: Harness['events'] = [];
  const deleted: Pod[] = [];
  const ipam = opts.ipam ?? new PodIPAllocator('127.244.7.0/24');
  const gate = opts.gate ?? (() => true);
  const worker = new PodWorker(pod, {
    runtime,
    events: { event: (_o: Obj, type, reason, message) => events.push({ type, reason, message }) },
    log: silentLogger,
    hostIPs: ['127.0.0.1'],
    ipam: () => (gate() ? ipam : undefined),
    services: () => [kubernetesSvc],
    backoff: new Backoff(),
    clusterDomain: 'cluster.local',
    writeStatus: async (_p, s) => {
      statuses.push(s);
    },
    deletePod: async (p) => {
      deleted.push(p);
    },
    now: Date.now,
    ...opts.deps,
  });
  return {
    worker,
    runtime,
    statuses,
    events,
    deleted,
    ipam,
    last: () => statuses[statuses.length - 1] ?? {},
  };
}

async function waitFor(what: string, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Advances mocked timers (t.mock.timers) in steps of `stepMs`, letting promise chains run
 * between steps, until `pred` holds; returns the mocked time that took.
 */
async function advanceUntil(
  timers: { tick(ms: number): void },
  stepMs: number,
  pred: () => boolean,
  what: string,
  maxMs = 60_000,
): Promise<number> {
  let elapsed = 0;
  for (;;) {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    if (pred()) return elapsed;
    if (elapsed >= maxMs) throw new Error(`${what} did not happen within ${maxMs} ms of mocked time`);
    timers.tick(stepMs);
    elapsed += stepMs;
  }
}

let seq = 0;
function makePod(containers: Container[], spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  seq++;
  return {
    metadata: { name: `web-${seq}`, namespace: 'default', uid: `uid-${seq}` },
    spec: { containers, nodeName: 'n1', terminationGracePeriodSeconds: 30, ...spec },
  };
}

const cond = (s: PodStatus, type: string) => s.conditions?.find((c) => c.type === type);
const cs = (s: PodStatus, name = 'web') => s.containerStatuses?.find((c) => c.name === name);

test('a pod runs: IP from the podCIDR, env, events, Running and Ready', async () => {
  const pod = makePod([
    {
      name: 'web',
      image: 'svcnet/netexec',
      args: ['--http-port=$(PORT)'],
      env: [{ name: 'PORT', value: '8080' }],
    },
  ]);
  const h = harness(pod);
  h.worker.kick();
  await waitFor('Ready', () => cond(h.last(), 'Ready')?.status === 'True');
  const s = h.last();
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '127.244.7.2');
  assert.deepEqual(s.hostIPs, [{ ip: '127.0.0.1' }]);
  const c = cs(s);
  assert.match(c?.containerID ?? '', /^svcnet:\/\/[0-9a-f]{64}$/);
  assert.equal(c?.ready, true);
  assert.equal(c?.started, true);
  assert.equal(c?.restartCount, 0);
  assert.ok(c?.state?.running?.startedAt);
  const spec = h.runtime.started[0]?.spec;
  assert.equal(spec?.podIP, '127.244.7.2');
  assert.deepEqual(spec?.args, ['--http-port=8080']);
  assert.equal(spec?.env.KUBERNETES_SERVICE_HOST, '127.96.0.1');
  assert.deepEqual(
    h.events.map((e) => [e.reason, e.message]),
    [
      ['Pulled', 'Container image "svcnet/netexec" already present on machine'],
      ['Created', 'Created container: web'],
      ['Started', 'Started container web'],
    ],
  );
  // The first status (before the container ran) was Pending with ContainerCreating.
  assert.equal(h.statuses[0]?.phase, 'Pending');
  await h.worker.remove();
});

test('readiness probe: not ready until success, failure flips Ready, success restores it', async () => {
  healthCode = 200;
  const pod = makePod([
    {
      name: 'web',
      image: 'svcnet/netexec',
      readinessProbe: {
        httpGet: { host: '127.0.0.1', port, path: '/readyz' },
        periodSeconds: 1,
        failureThreshold: 1,
      },
    },
  ]);
  const h = harness(pod);
  h.worker.kick();
  await waitFor('Ready', () => cond(h.last(), 'Ready')?.status === 'True');
  healthCode = 503;
  await waitFor('not Ready', () => cond(h.last(), 'Ready')?.status === 'False');
  assert.equal(cond(h.last(), 'Ready')?.message, 'containers with unready status: [web]');
  assert.equal(cond(h.last(), 'Ready')?.reason, 'ContainersNotReady');
  assert.equal(h.last().phase, 'Running');
  assert.ok(
    h.events.some(
      (e) =>
        e.reason === 'Unhealthy' &&
        e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 503',
    ),
  );
  healthCode = 200;
  await waitFor('Ready again', () => cond(h.last(), 'Ready')?.status === 'True');
  await h.worker.remove();
});

test('liveness failure kills and restarts the container with restartCount and lastState', async () => {
  failOnce = 1;
  const pod = makePod([
    {
      name: 'web',
      image: 'svcnet/netexec',
      livenessProbe: { httpGet: { host: '127.0.0.1', port, path: '/once' }, failureThreshold: 1 },
    },
  ]);
  const h = harness(pod);
  h.worker.kick();
  await waitFor('restart', () => cs(h.last())?.restartCount === 1 && !!cs(h.last())?.state?.running);
  const c = cs(h.last());
  assert.equal(c?.lastState?.terminated?.exitCode, 143);
  assert.equal(c?.lastState?.terminated?.signal, 15);
  assert.deepEqual(h.runtime.of('web')[0]?.signals, ['SIGTERM']);
  assert.ok(
    h.events.some(
      (e) => e.reason === 'Killing' && e.message === 'Container web failed liveness probe, will be restarted',
    ),
  );
  assert.ok(
    h.events.some((e) => e.message === 'Liveness probe failed: HTTP probe failed with statuscode: 500'),
  );
  await h.worker.remove();
});

test('a crashing container: immediate first restart, then CrashLoopBackOff', async () => {
  const pod = makePod([{ name: 'web', image: 'busybox', command: ['false'] }]);
  const h = harness(pod, (rt) => {
    rt.onStart = (c) => setImmediate(() => c.exit({ exitCode: 1, reason: 'Error' }));
  });
  h.worker.kick();
  await waitFor('CrashLoopBackOff', () => cs(h.last())?.state?.waiting?.reason === 'CrashLoopBackOff');
  const c = cs(h.last());
  assert.equal(h.runtime.started.length, 2);
  assert.equal(c?.restartCount, 1);
  assert.equal(
    c?.state?.waiting?.message,
    `back-off 10s restarting failed container=web pod=${pod.metadata?.name}_default(${pod.metadata?.uid})`,
  );
  assert.equal(c?.lastState?.terminated?.exitCode, 1);
  assert.equal(c?.lastState?.terminated?.reason, 'Error');
  assert.equal(h.last().phase, 'Running');
  assert.ok(
    h.events.some(
      (e) =>
        e.type === 'Warning' &&
        e.reason === 'BackOff' &&
        e.message ===
          `Back-off restarting failed container web in pod ${pod.metadata?.name}_default(${pod.metadata?.uid})`,
    ),
  );
  await h.worker.remove();
});

test('restartPolicy Never: completion gives Succeeded, no restart, IP freed', async () => {
  const pod = makePod([{ name: 'web', image: 'busybox', command: ['true'] }], { restartPolicy: 'Never' });
  const h = harness(pod, (rt) => {
    rt.onStart = (c) => {
      c.spec.stdout('done\n');
      setImmediate(() => c.exit({ exitCode: 0, reason: 'Completed' }));
    };
  });
  h.worker.kick();
  await waitFor('Succeeded', () => h.last().phase === 'Succeeded');
  await waitFor('IP freed', () => h.ipam.size === 0);
  assert.equal(h.runtime.started.length, 1);
  assert.equal(cs(h.last())?.state?.terminated?.reason, 'Completed');
  assert.equal(cond(h.last(), 'Ready')?.reason, 'PodCompleted');
  assert.equal(h.last().podIP, '127.244.7.2', 'the status keeps the IP');
  const log = h.worker.containerLog('web', false);
  assert.ok('read' in log);
  assert.equal(log.read(), 'done\n');
  await h.worker.remove();
});

test('init containers run in order to completion before the containers', async () => {
  const pod = makePod([{ name: 'web', image: 'svcnet/netexec' }], {
    initContainers: [
      { name: 'init1', image: 'busybox' },
      { name: 'init2', image: 'busybox' },
    ],
  });
  const h = harness(pod, (rt) => {
    rt.onStart = (c) => {
      if (c.spec.containerName.startsWith('init'))
        setTimeout(() => c.exit({ exitCode: 0, reason: 'Completed' }), 20);
    };
  });
  h.worker.kick();
  await waitFor('Ready', () => cond(h.last(), 'Ready')?.status === 'True');
  assert.deepEqual(
    h.runtime.started.map((c) => c.spec.containerName),
    ['init1', 'init2', 'web'],
  );
  const pending = h.statuses.find((s) => cond(s, 'Initialized')?.status === 'False');
  assert.equal(cond(pending ?? {}, 'Initialized')?.reason, 'ContainersNotInitialized');
  assert.equal(cs(pending ?? {})?.state?.waiting?.reason, 'PodInitializing');
  assert.equal(cond(h.last(), 'Initialized')?.status, 'True');
  assert.equal(h.last().initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  await h.worker.remove();
});

test('deletion: SIGTERM, SIGKILL after the grace, final status, DELETE', async (t) => {
  const pod = makePod([{ name: 'web', image: 'svcnet/netexec' }], { terminationGracePeriodSeconds: 1 });
  const h = harness(pod, (rt) => {
    rt.termBehaviour = 'ignore';
  });
  h.worker.kick();
  await waitFor('Ready', () => cond(h.last(), 'Ready')?.status === 'True');
  // The grace is waited out on timers: mocked, it passes only as the test advances it.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  h.worker.update({
    ...pod,
    metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 1 },
  });
  const signals = () => h.runtime.of('web')[0]?.signals ?? [];
  await advanceUntil(t.mock.timers, 0, () => signals().length === 1, 'SIGTERM');
  const waited = await advanceUntil(t.mock.timers, 100, () => signals().length === 2, 'SIGKILL');
  // kubelet's minimum grace is 2s (more than the 1s asked for).
  assert.ok(waited >= 2000, `SIGKILL after ${waited} ms`);
  await advanceUntil(t.mock.timers, 0, () => h.deleted.length === 1, 'the DELETE');
  assert.deepEqual(signals(), ['SIGTERM', 'SIGKILL']);
  const s = h.last();
  assert.equal(s.phase, 'Failed');
  assert.equal(cs(s)?.state?.terminated?.exitCode, 137);
  assert.equal(cond(s, 'Ready')?.status, 'False');
  assert.equal(h.ipam.size, 0);
  assert.ok(h.events.some((e) => e.reason === 'Killing' && e.message === 'Stopping container web'));
  await h.worker.remove();
});

test('deletion runs the preStop hook first', async (t) => {
  const pod = makePod(
    [
      {
        name: 'web',
        image: 'svcnet/netexec',
        lifecycle: { preStop: { sleep: { seconds: 0.3 as unknown as number } } },
      },
    ],
    { terminationGracePeriodSeconds: 5 },
  );
  const h = harness(pod);
  h.worker.kick();
  await waitFor('running', () => h.runtime.started.length === 1);
  // The hook sleeps on a timer: mocked, its 0.3 s pass only as the test advances them.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  h.worker.update({
    ...pod,
    metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 5 },
  });
  const signals = () => h.runtime.of('web')[0]?.signals ?? [];
  const waited = await advanceUntil(t.mock.timers, 10, () => signals().length > 0, 'SIGTERM');
  assert.ok(waited >= 300, `SIGTERM after ${waited} ms of the hook's 300`);
  await advanceUntil(t.mock.timers, 0, () => h.deleted.length === 1, 'the DELETE');
  assert.deepEqual(h.runtime.of('web')[0]?.signals, ['SIGTERM']);
  assert.equal(h.last().phase, 'Failed');
  await h.worker.remove();
});

test('force removal kills at once and frees the IP', async () => {
  const pod = makePod([{ name: 'web', image: 'svcnet/netexec' }]);
  const h = harness(pod, (rt) => {
    rt.termBehaviour = 'ignore';
  });
  h.worker.kick();
  await waitFor('running', () => h.runtime.started.length === 1 && h.ipam.size === 1);
  await h.worker.remove();
  assert.deepEqual(h.runtime.of('web')[0]?.signals, ['SIGKILL']);
  assert.equal(h.ipam.size, 0);
});

test('a container that cannot start gets a waiting reason and a Failed event', async () => {
  const pod = makePod([{ name: 'web', image: 'example.com/unknown:1' }]);
  const h = harness(pod, (rt) => {
    rt.failures.set(
      'example.com/unknown:1',
      new StartError('ErrImagePull', 'image is not built in; set command'),
    );
  });
  h.worker.kick();
  await waitFor('ErrImagePull', () => cs(h.last())?.state?.waiting?.reason === 'ErrImagePull');
  assert.equal(cs(h.last())?.state?.waiting?.message, 'image is not built in; set command');
  assert.equal(h.last().phase, 'Pending');
  assert.ok(
    h.events.some(
      (e) => e.type === 'Warning' && e.reason === 'Failed' && e.message === 'Error: ErrImagePull',
    ),
  );
  await h.worker.remove();
});

test('an unresolvable env reference gives CreateContainerConfigError', async () => {
  const pod = makePod([
    {
      name: 'web',
      image: 'busybox',
      env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }],
    },
  ]);
  const h = harness(pod);
  h.worker.kick();
  await waitFor('config error', () => cs(h.last())?.state?.waiting?.reason === 'CreateContainerConfigError');
  assert.equal(h.runtime.started.length, 0);
  await h.worker.remove();
});

test('adoption after an agent restart: same IP, restartCount + 1, lastState', async () => {
  const pod: Pod = {
    ...makePod([{ name: 'web', image: 'svcnet/netexec' }]),
    status: {
      phase: 'Running',
      podIP: '127.244.7.99',
      startTime: '2024-01-01T00:00:00Z',
      containerStatuses: [
        {
          name: 'web',
          image: 'svcnet/netexec',
          imageID: 'svcnet://svcnet/netexec',
          containerID: 'svcnet://abc',
          ready: true,
          restartCount: 2,
          state: {
            terminated: {
              exitCode: 143,
              reason: 'Error',
              startedAt: '2024-01-01T00:00:00Z',
              finishedAt: '2024-01-01T00:01:00Z',
            },
          },
        },
      ],
    },
  };
  const h = harness(pod);
  h.worker.kick();
  await waitFor('running', () => !!cs(h.last())?.state?.running);
  const c = cs(h.last());
  assert.equal(h.last().podIP, '127.244.7.99');
  assert.equal(c?.restartCount, 3);
  assert.equal(c?.lastState?.terminated?.exitCode, 143);
  assert.equal(c?.lastState?.terminated?.containerID, 'svcnet://abc');
  assert.equal(h.last().startTime, '2024-01-01T00:00:00Z');
  await h.worker.remove();
});

/** A pod the previous agent ran at `ip`, its container running then. */
function adoptedPod(ip: string): Pod {
  return {
    ...makePod([{ name: 'web', image: 'svcnet/netexec' }]),
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: '2024-01-01T00:00:00Z',
      containerStatuses: [
        {
          name: 'web',
          image: 'svcnet/netexec',
          imageID: 'svcnet://svcnet/netexec',
          containerID: 'svcnet://abc',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: '2024-01-01T00:00:00Z' } },
        },
      ],
    },
  };
}

const podIPsOf = (statuses: PodStatus[]) => [...new Set(statuses.map((s) => s.podIP))];

test('an adopted pod waits for the agent’s claims, then runs on the IP its status gives', async () => {
  let open = false;
  const pod = adoptedPod('127.244.7.99');
  const h = harness(pod, undefined, { gate: () => open });
  h.worker.kick();
  await waitFor('a status', () => h.statuses.length > 0);
  assert.equal(h.runtime.started.length, 0, 'no container before the claims');
  assert.equal(cond(h.last(), 'PodReadyToStartContainers')?.status, 'False');
  assert.deepEqual(h.worker.ipClaim('127.244.7.50'), {
    uid: pod.metadata?.uid,
    pod: `default/${pod.metadata?.name}`,
    statusIP: '127.244.7.99',
    recordedIP: '127.244.7.50',
  });
  const claim = h.worker.ipClaim();
  assert.ok(claim);
  const result = claimPodIPs(h.ipam, [claim]).get(claim.uid);
  assert.ok(result);
  h.worker.claimed(result);
  open = true;
  h.worker.kick();
  await waitFor('running', () => !!cs(h.last())?.state?.running);
  assert.equal(h.runtime.started[0]?.spec.podIP, '127.244.7.99');
  assert.equal(h.ipam.get(pod.metadata?.uid ?? ''), '127.244.7.99');
  assert.equal(h.worker.ipClaim(), undefined, 'nothing left to claim');
  assert.deepEqual(podIPsOf(h.statuses), ['127.244.7.99']);
  await h.worker.remove();
});

test('a pod whose IP another pod holds is Failed (PodIPClaimFailed), never given another', async () => {
  const ipam = new PodIPAllocator('127.244.7.0/24');
  ipam.allocate('uid-aaa', 'default/aaa');
  const pod = adoptedPod('127.244.7.2');
  const h = harness(pod, undefined, { ipam });
  h.worker.kick();
  await waitFor('Failed', () => h.last().phase === 'Failed');
  const s = h.last();
  assert.equal(s.reason, POD_IP_CLAIM_FAILED);
  assert.equal(
    s.message,
    "Pod was rejected: cannot claim its IP 127.244.7.2 again: 127.244.7.2 is held by pod default/aaa (a pod's IP never changes, so it is not started with another)",
  );
  assert.equal(cond(s, 'Ready')?.status, 'False');
  assert.equal(cond(s, 'Ready')?.reason, 'PodFailed');
  assert.ok(h.events.some((e) => e.type === 'Warning' && e.reason === POD_IP_CLAIM_FAILED));
  assert.equal(h.runtime.started.length, 0);
  assert.equal(ipam.get(pod.metadata?.uid ?? ''), undefined, 'no address was allocated');
  assert.equal(ipam.get('uid-aaa'), '127.244.7.2', 'the holder keeps it');
  assert.deepEqual(podIPsOf(h.statuses), ['127.244.7.2'], 'the status keeps the pod’s IP');
  // Kicked again (an informer update): still Failed, still nothing started.
  h.worker.update({ ...pod, status: s });
  await new Promise((r) => setImmediate(r));
  assert.equal(h.runtime.started.length, 0);
  await h.worker.remove();
});

test('a pod whose IP is outside the podCIDR is Failed (PodIPClaimFailed), never given another', async () => {
  const pod = adoptedPod('127.9.9.9');
  const h = harness(pod);
  h.worker.kick();
  await waitFor('Failed', () => h.last().phase === 'Failed');
  assert.equal(h.last().reason, POD_IP_CLAIM_FAILED);
  assert.match(
    h.last().message ?? '',
    /127\.9\.9\.9 is not a pod address in the node's podCIDR 127\.244\.7\.0\/24/,
  );
  assert.equal(h.runtime.started.length, 0);
  assert.equal(h.ipam.size, 0);
  assert.deepEqual(podIPsOf(h.statuses), ['127.9.9.9'], 'the status keeps the pod’s IP');
  await h.worker.remove();
});

test('the IP in the pod’s status never changes during its life: start, restart, deletion', async () => {
  const pod = makePod([{ name: 'web', image: 'svcnet/netexec' }], { terminationGracePeriodSeconds: 0 });
  let starts = 0;
  const h = harness(pod, (rt) => {
    rt.onStart = (c) => {
      if (starts++ === 0) setImmediate(() => c.exit({ exitCode: 1, reason: 'Error' }));
    };
  });
  h.worker.kick();
  await waitFor(
    'running after a restart',
    () => cs(h.last())?.restartCount === 1 && !!cs(h.last())?.state?.running,
  );
  h.worker.update({
    ...pod,
    metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 0 },
  });
  await waitFor('the DELETE', () => h.deleted.length === 1);
  assert.equal(h.ipam.size, 0, 'the address is free once the pod is gone');
  const ips = h.statuses.filter((s) => s.podIP !== undefined);
  assert.ok(ips.length >= 3, `${ips.length} statuses with an IP`);
  assert.deepEqual(podIPsOf(ips), ['127.244.7.2']);
  for (const s of ips) assert.deepEqual(s.podIPs, [{ ip: '127.244.7.2' }]);
  // Before the IP is given, a status says no IP; after, every one says the same.
  const first = h.statuses.findIndex((s) => s.podIP !== undefined);
  assert.ok(h.statuses.slice(first).every((s) => s.podIP === '127.244.7.2'));
  await h.worker.remove();
});

test('ConfigMap references: FailedMount, then CreateContainerConfigError, then the container starts with the value', async () => {
  const configMaps = new Map<string, ConfigMap>();
  const pod = makePod(
    [
      {
        name: 'web',
        image: 'svcnet/netexec',
        env: [{ name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'app', key: 'color' } } }],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
      },
    ],
    { volumes: [{ name: 'cfg', configMap: { name: 'app', optional: false } }] },
  );
  const h = harness(pod, undefined, {
    deps: { configMap: (ns, name) => (ns === 'default' ? configMaps.get(name) : undefined) },
  });
  h.worker.kick();
  await waitFor('FailedMount', () => h.events.some((e) => e.reason === 'FailedMount'));
  assert.deepEqual(
    h.events.find((e) => e.reason === 'FailedMount'),
    {
      type: 'Warning',
      reason: 'FailedMount',
      message: 'MountVolume.SetUp failed for volume "cfg" : configmap "app" not found',
    },
  );
  await waitFor('a status', () => cs(h.last()) !== undefined);
  assert.deepEqual(cs(h.last())?.state, { waiting: { reason: 'ContainerCreating' } });
  assert.equal(h.runtime.started.length, 0);

  // The ConfigMap appears without the key: the volume mounts, the env cannot be built.
  configMaps.set('app', { metadata: { name: 'app', namespace: 'default' }, data: { size: 'L' } });
  h.worker.sourcesChanged();
  await waitFor(
    'CreateContainerConfigError',
    () => cs(h.last())?.state?.waiting?.reason === 'CreateContainerConfigError',
  );
  assert.equal(cs(h.last())?.state?.waiting?.message, "couldn't find key color in ConfigMap default/app");

  // The key appears: the container starts at once (no back-off wait) with its value.
  configMaps.set('app', {
    metadata: { name: 'app', namespace: 'default' },
    data: { size: 'L', color: 'blue' },
  });
  h.worker.sourcesChanged();
  await waitFor('started', () => h.runtime.started.length === 1);
  assert.equal(h.runtime.started[0]!.spec.env.COLOR, 'blue');
  await h.worker.remove();
});
