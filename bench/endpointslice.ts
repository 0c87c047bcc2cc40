/**
 * EndpointSlice benchmark: the real API server (a child process, SQLite) and
 * the real `svcnet controller-manager` (a child process, built from dist/),
 * driven over HTTPS from this process.
 *
 * a. Network programming latency at 1,000 Services × 10 pods: a pod's Ready
 *    condition flips (a pods/status patch, as kubelet writes it) and we time
 *    until a watch on EndpointSlices shows that endpoint's new `ready`
 *    condition; p50/p99 over 300 flips, one at a time. Reference, in the same
 *    run: the same patch until a watch on Pods shows it — the API's own
 *    write→watch floor, which the controller path (pod event → controller →
 *    slice write → slice event) necessarily crosses twice.
 * b. Rollout churn: a 1,000-pod Deployment is restarted (template change) with
 *    the default maxSurge/maxUnavailable (25%); we count EndpointSlice writes
 *    for its Service from the restart until the rollout completes. Reference,
 *    in the same run: writes of the legacy Endpoints object for the same
 *    Service (one object, one write per sync that changes it). A stand-in
 *    kubelet in this process binds each new pod and reports it Running and
 *    Ready at once, and removes terminating pods (the controllers, not the
 *    kubelet, are measured here).
 *
 * Run: npm run bench -- endpointslice   (or: node --import tsx bench/endpointslice.ts [--quick])
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { createClient } from '../src/client/client.js';
import { SharedInformerFactory } from '../src/client/informer.js';
import { Deployments, EndpointSlices, Endpoints, Nodes, Pods, Services } from '../src/client/resources.js';
import type { ApiClient, Obj, ResourceType } from '../src/client/types.js';
import {
  abort as abortRun,
  cleanup,
  fmtMs,
  now,
  percentile,
  pool,
  sleep,
  startApiServer,
  track,
} from './lib/common.js';

const QUICK = process.argv.includes('--quick');
const SERVICES = QUICK ? 100 : 1000;
const PODS_PER_SERVICE = 10;
const FLIPS = QUICK ? 50 : 300;
const ROLLOUT_PODS = QUICK ? 200 : 1000;
const CONCURRENCY = 50;
const RUN_TIMEOUT_MS = 9 * 60_000;
const abort = (code: number, message: string): never => abortRun('endpointslice', code, message);
const NODE = 'bench-node';

/** The real controller-manager binary (dist/), with the controllers this benchmark measures. */
function startControllerManager(kubeconfig: string): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.endsWith(join('dist', 'bench')) ? resolve(here, '..', '..') : resolve(here, '..');
  const child = spawn(
    process.execPath,
    [
      join(root, 'dist', 'src', 'cli', 'main.js'),
      'controller-manager',
      `--kubeconfig=${kubeconfig}`,
      '--controllers=endpointslice,endpoint,replicaset,deployment',
    ],
    // SVCNET_PARENT_PID: it exits by itself should this benchmark be killed.
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SVCNET_PARENT_PID: String(process.pid) },
    },
  );
  track(child);
}

let podSeq = 0;
function nextPodIP(): string {
  const n = podSeq++;
  // 250 addresses per /24 (.1-.250): distinct for the first 64,000 pods.
  return `127.250.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

const readyStatus = (ip: string, ready: boolean) => ({
  status: {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    hostIP: '127.0.0.1',
    conditions: [
      { type: 'Ready', status: ready ? 'True' : 'False' },
      { type: 'ContainersReady', status: ready ? 'True' : 'False' },
    ],
  },
});

/** Calls `fn` for every add, update and delete of a resource (a shared informer: list, then watch, resumed). */
function watchAll<T extends Obj>(
  client: ApiClient,
  rt: ResourceType,
  fn: (type: 'ADDED' | 'MODIFIED' | 'DELETED', o: T) => void,
): { synced: Promise<void>; stop: () => void } {
  const factory = new SharedInformerFactory(client);
  const inf = factory.informer<T>(rt);
  inf.addHandlers({
    add: (o) => fn('ADDED', o),
    update: (_old, o) => fn('MODIFIED', o),
    delete: (o) => fn('DELETED', o),
  });
  factory.start();
  return { synced: inf.synced(), stop: () => factory.stop() };
}

async function latency(client: ApiClient): Promise<{ slice: number[]; pod: number[] }> {
  // Services and pods, written as kubelet would have them: bound, Running, Ready.
  const t0 = now();
  await client.create(Nodes, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
  const svcIdx = Array.from({ length: SERVICES }, (_, i) => i);
  await pool(svcIdx, CONCURRENCY, (i) =>
    client.create<Service>(Services, 'default', {
      metadata: { name: `s${i}` },
      spec: { selector: { app: `s${i}` }, ports: [{ port: 80, targetPort: 8080 }] },
    }),
  );
  const pods = svcIdx.flatMap((i) =>
    Array.from({ length: PODS_PER_SERVICE }, (_, j) => ({ i, j, ip: nextPodIP() })),
  );
  await pool(pods, CONCURRENCY, async ({ i, j, ip }) => {
    await client.create<Pod>(Pods, 'default', {
      metadata: { name: `s${i}-p${j}`, labels: { app: `s${i}` } },
      spec: { nodeName: NODE, containers: [{ name: 'c', image: 'svcnet/netexec' }] },
    });
    await client.patch(Pods, 'default', `s${i}-p${j}`, 'merge', readyStatus(ip, true), 'status');
  });
  console.log(
    `created ${SERVICES} services and ${pods.length} ready pods in ${((now() - t0) / 1000).toFixed(1)} s`,
  );

  // Slices and pods as watched: endpoint ready state by IP; pod ready state by name.
  const sliceReady = new Map<string, boolean>();
  const podReady = new Map<string, boolean>();
  const waiters: { done: () => boolean; resolve: () => void }[] = [];
  const poke = () => {
    for (let k = waiters.length - 1; k >= 0; k--)
      if (waiters[k]!.done()) {
        waiters[k]!.resolve();
        waiters.splice(k, 1);
      }
  };
  const slicesWatch = watchAll<EndpointSlice>(client, EndpointSlices, (type, s) => {
    if (type === 'DELETED') return;
    for (const e of s.endpoints ?? []) sliceReady.set(e.addresses[0]!, e.conditions?.ready === true);
    poke();
  });
  const podsWatch = watchAll<Pod>(client, Pods, (_type, p) => {
    podReady.set(
      p.metadata!.name!,
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    );
    poke();
  });
  const until = (done: () => boolean, timeoutMs = 60_000) =>
    new Promise<void>((res, rej) => {
      if (done()) return res();
      const t = setTimeout(() => rej(new Error('timed out')), timeoutMs);
      waiters.push({
        done,
        resolve: () => {
          clearTimeout(t);
          res();
        },
      });
    });
  await Promise.all([slicesWatch.synced, podsWatch.synced]);
  const t1 = now();
  await until(() => pods.every((p) => sliceReady.get(p.ip) === true), 300_000);
  console.log(
    `all ${pods.length} endpoints ready in slices ${((now() - t1) / 1000).toFixed(1)} s after the last pod`,
  );

  const slice: number[] = [];
  const pod: number[] = [];
  for (let k = 0; k < FLIPS; k++) {
    const p = pods[Math.floor(Math.random() * pods.length)]!;
    const name = `s${p.i}-p${p.j}`;
    const target = !(sliceReady.get(p.ip) ?? true);
    const start = now();
    let podAt = 0;
    const podSeen = until(() => podReady.get(name) === target).then(
      () => {
        podAt = now();
      },
      (err: Error) => {
        console.error(`pod ${name}: the pod watch did not show ready=${target}`);
        throw err;
      },
    );
    await client.patch(Pods, 'default', name, 'merge', readyStatus(p.ip, target), 'status');
    await until(() => sliceReady.get(p.ip) === target).catch(async (err) => {
      const slices = await client.list<EndpointSlice>(EndpointSlices, 'default', {
        labelSelector: `kubernetes.io/service-name=s${p.i}`,
      });
      console.error(`pod ${name} (${p.ip}) ready=${target}: slices now`, JSON.stringify(slices.items));
      throw err;
    });
    const sliceAt = now();
    await podSeen;
    slice.push(sliceAt - start);
    pod.push(podAt - start);
  }
  slicesWatch.stop();
  podsWatch.stop();
  return { slice: slice.sort((a, b) => a - b), pod: pod.sort((a, b) => a - b) };
}

/** Binds new pods, reports them Running + Ready, and removes terminating ones: kubelet's part, instantly. */
function standInKubelet(client: ApiClient, namePrefix: string): { stop: () => void } {
  const seen = new Set<string>();
  const queue: (() => Promise<unknown>)[] = [];
  let running = 0;
  const pump = () => {
    while (running < CONCURRENCY && queue.length) {
      const job = queue.shift()!;
      running++;
      void job()
        .catch(() => {})
        .finally(() => {
          running--;
          pump();
        });
    }
  };
  return watchAll<Pod>(client, Pods, (type, p) => {
    const name = p.metadata!.name!;
    if (type === 'DELETED') return;
    if (!name.startsWith(namePrefix)) return;
    if (p.metadata?.deletionTimestamp) {
      if (seen.has(`del/${name}`)) return;
      seen.add(`del/${name}`);
      queue.push(() =>
        client.delete(Pods, 'default', name, {
          gracePeriodSeconds: 0,
          preconditions: { uid: p.metadata!.uid },
        }),
      );
    } else if (!seen.has(name)) {
      seen.add(name);
      const ip = nextPodIP();
      queue.push(async () => {
        await client.createSubresource(Pods, 'default', name, 'binding', {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace: 'default' },
          target: { kind: 'Node', name: NODE },
        });
        await client.patch(Pods, 'default', name, 'merge', readyStatus(ip, true), 'status');
      });
    }
    pump();
  });
}

async function rollout(
  client: ApiClient,
): Promise<{ sliceWrites: number; endpointsWrites: number; seconds: number }> {
  const stopKubelet = standInKubelet(client, 'roll-');
  await client.create<Service>(Services, 'default', {
    metadata: { name: 'roll' },
    spec: { selector: { app: 'roll' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  await client.create<Deployment>(Deployments, 'default', {
    metadata: { name: 'roll' },
    spec: {
      replicas: ROLLOUT_PODS,
      selector: { matchLabels: { app: 'roll' } },
      template: {
        metadata: { labels: { app: 'roll' } },
        spec: { containers: [{ name: 'c', image: 'svcnet/netexec' }] },
      },
    },
  });
  const complete = async (generation: number) => {
    for (;;) {
      const d = await client.get<Deployment>(Deployments, 'default', 'roll');
      const st = d.status ?? {};
      if (
        (st.observedGeneration ?? 0) >= generation &&
        st.updatedReplicas === ROLLOUT_PODS &&
        st.availableReplicas === ROLLOUT_PODS &&
        st.replicas === ROLLOUT_PODS
      )
        return;
      await sleep(100);
    }
  };
  await complete(1);
  let readyEndpoints = 0;
  for (;;) {
    const slices = await client.list<EndpointSlice>(EndpointSlices, 'default', {
      labelSelector: 'kubernetes.io/service-name=roll',
    });
    readyEndpoints = slices.items.reduce(
      (n, s) => n + (s.endpoints ?? []).filter((e) => e.conditions?.ready).length,
      0,
    );
    if (readyEndpoints === ROLLOUT_PODS) break;
    await sleep(100);
  }
  await sleep(1500);
  let sliceWrites = 0;
  let endpointsWrites = 0;
  const stopS = watchAll<EndpointSlice>(client, EndpointSlices, (_type, s) => {
    if (s.metadata?.labels?.['kubernetes.io/service-name'] === 'roll') sliceWrites++;
  });
  const stopE = watchAll<Obj>(client, Endpoints, (_type, e) => {
    if (e.metadata?.name === 'roll') endpointsWrites++;
  });
  await Promise.all([stopS.synced, stopE.synced]);
  // The initial list is the current state, not writes.
  sliceWrites = 0;
  endpointsWrites = 0;
  const t = now();
  const d = await client.patch<Deployment>(Deployments, 'default', 'roll', 'merge', {
    spec: {
      template: {
        metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } },
      },
    },
  });
  await complete(d.metadata!.generation!);
  // The last pods' removal reaches the slices just after the deployment reports completion.
  await sleep(2000);
  const seconds = (now() - t) / 1000 - 2;
  stopS.stop();
  stopE.stop();
  stopKubelet.stop();
  return { sliceWrites, endpointsWrites, seconds };
}

async function main(): Promise<void> {
  const watchdog = setTimeout(
    () => abort(2, `still running after ${RUN_TIMEOUT_MS / 1000}s`),
    RUN_TIMEOUT_MS,
  );
  watchdog.unref();
  process.on('SIGINT', () => abort(130, 'interrupted'));
  process.on('SIGTERM', () => abort(143, 'terminated'));
  const kubeconfig = await startApiServer('sqlite', 'svcnet-bench-eps-');
  startControllerManager(kubeconfig);
  const client = createClient({ kubeconfig, userAgent: 'svcnet-bench' });
  const lat = await latency(client);
  const roll = await rollout(client);
  client.close();
  clearTimeout(watchdog);
  const [s50, s99, p50, p99] = [
    percentile(lat.slice, 0.5),
    percentile(lat.slice, 0.99),
    percentile(lat.pod, 0.5),
    percentile(lat.pod, 0.99),
  ];
  console.log('');
  console.log(
    `a. pod Ready flip → EndpointSlice shows it, ${SERVICES} services × ${PODS_PER_SERVICE} pods, ${FLIPS} flips`,
  );
  console.log(`   EndpointSlice:        p50 ${fmtMs(s50)}  p99 ${fmtMs(s99)}`);
  console.log(`   reference, pod watch: p50 ${fmtMs(p50)}  p99 ${fmtMs(p99)}`);
  console.log(`   ratio slice/pod-watch: p50 ${(s50 / p50).toFixed(1)}  p99 ${(s99 / p99).toFixed(1)}`);
  console.log(
    `b. rollout restart of a ${ROLLOUT_PODS}-pod Deployment (maxSurge/maxUnavailable 25%): ${roll.seconds.toFixed(1)} s`,
  );
  console.log(
    `   EndpointSlice writes: ${roll.sliceWrites} (${(roll.sliceWrites / ROLLOUT_PODS).toFixed(2)} per pod replaced)`,
  );
  console.log(`   reference, Endpoints writes (one object): ${roll.endpointsWrites}`);
  console.log(
    `   ratio slice writes / Endpoints writes: ${(roll.sliceWrites / Math.max(1, roll.endpointsWrites)).toFixed(2)}`,
  );
}

try {
  await main();
  cleanup();
} catch (err) {
  console.error(err);
  abort(1, 'failed');
}
