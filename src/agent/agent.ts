/**
 * `svcnet agent`: kubelet's role on one node (host mode). It registers the
 * Node and keeps it and its Lease fresh, runs the pods bound to the node
 * (one PodWorker each, driven by a pod informer filtered on spec.nodeName),
 * gives them IPs from the node's podCIDR, and serves container logs.
 *
 * A pod's IP never changes during its life: before any pod starts, the agent
 * lists its pods from the API and claims every existing pod's address (the
 * pod's status, else the agent's record in its root dir); only then are new
 * pods given addresses. A pod whose address cannot be claimed is Failed
 * (PodIPClaimFailed), never renumbered.
 *
 * Stopping: `stop()` stops every running container (SIGTERM, SIGKILL after
 * the pod's grace capped at `shutdownGracePeriodMs`; at once with
 * `killPods: true`), reports their final states so endpoints go not-ready,
 * and leaves the pods in the API: an agent started again on the node adopts
 * them (same IPs) and restarts their containers (restartCount + 1).
 */
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Node, Pod, PodStatus, Secret, Service } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../client/client.js';
import type { EventSink } from '../client/events.js';
import { SharedInformerFactory } from '../client/informer.js';
import { ConfigMaps, Nodes, Pods, Secrets, Services } from '../client/resources.js';
import type { ApiClient, Informer } from '../client/types.js';
import type { Logger } from '../lib/log.js';
import { Backoff } from './backoff.js';
import { ProcessTracker } from './images/orphans.js';
import type { ContainerRuntime } from './images/types.js';
import { claimPodIPs, PodIPAllocator } from './ipam.js';
import { PodIPRecords } from './iprecords.js';
import { type LogServer, startLogServer } from './logserver.js';
import { NodeReporter } from './node.js';
import { ensurePodRoot, hostPath, removePodDir } from './podfs.js';
import { PodWorker } from './podworker.js';
import { streamingUpgradeHandler } from './streaming/index.js';

export interface AgentOptions {
  client: ApiClient;
  events: EventSink;
  nodeName: string;
  /** The node's IP (host mode: 127.0.0.1); the log server listens here. */
  nodeIP: string;
  /** The pod range; else the agent waits for node.spec.podCIDR (the node-IPAM controller's). */
  podCIDR?: string;
  /** The log server's port; 0 picks one. */
  kubeletPort: number;
  /** `--cluster-dns` (kept for pods' DNS config; host mode writes no resolv.conf). */
  clusterDNS?: string[];
  /** `--cluster-domain`, default cluster.local. */
  clusterDomain?: string;
  runtime: ContainerRuntime;
  log: Logger;
  /** Default 40. */
  nodeLeaseDurationSeconds?: number;
  /** Default 10000. */
  nodeStatusUpdateFrequencyMs?: number;
  /** Extra node labels. */
  labels?: Record<string, string>;
  /** kubelet's --max-pods: the node's pod capacity (default 110). */
  maxPods?: number;
  /** The longest a pod's containers get to stop when the agent stops (default 5000). */
  shutdownGracePeriodMs?: number;
  /**
   * kubelet's --root-dir: the agent keeps its records of pod IPs under `pod-ips/` here, and
   * each pod's root directory under `pods/<uid>/root` (podfs.ts); default a directory in tmp.
   */
  rootDir?: string;
  /**
   * The bearer token of the agent's kubeconfig, the API server's own: every endpoint of the log
   * server but /healthz requires it (auth.ts). Without one they are all refused.
   */
  apiToken?: string;
  /** Clock for tests. */
  now?: () => number;
}

export interface Agent {
  readonly nodeName: string;
  /** The log server's port (Node status.daemonEndpoints.kubeletEndpoint.Port). */
  readonly kubeletPort: number;
  /** The IP the agent gave a pod (by UID), if any. */
  podIP(uid: string): string | undefined;
  stop(opts?: { killPods?: boolean }): Promise<void>;
}

const NO_CIDR_MESSAGE =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:no podCIDR assigned to the node yet';

export async function startAgent(opts: AgentOptions): Promise<Agent> {
  const log = opts.log.named('agent');
  const { client, nodeName } = opts;
  const now = opts.now ?? Date.now;
  const workers = new Map<string, PodWorker>();
  const byName = new Map<string, PodWorker>();
  const backoff = new Backoff(now);
  let ipam: PodIPAllocator | undefined;
  /** The pods bound to the node were listed from the API. */
  let listed = false;
  /** Every listed pod's address was claimed: only now may a pod be given a new one. */
  let claimed = false;
  let stopped = false;
  const records = opts.rootDir ? new PodIPRecords(join(opts.rootDir, 'pod-ips'), log) : undefined;

  const rootDir = opts.rootDir ?? join(tmpdir(), `svcnet-agent-${nodeName}`);
  // exec'd commands run detached, as containers do: recorded beside them (the runtime's records
  // with --root-dir), so an agent started after a crash kills what they left running.
  const execTracker = opts.rootDir ? new ProcessTracker(opts.rootDir, log) : undefined;
  /** Per pod UID: aborted when the pod is removed, ending its exec/attach/port-forward streams. */
  const podStreams = new Map<string, AbortController>();
  const endStreams = (uid: string) => {
    podStreams.get(uid)?.abort();
    podStreams.delete(uid);
  };
  const streaming = streamingUpgradeHandler({
    exec: (ns, pod, container) => {
      const w = byName.get(`${ns}/${pod}`);
      if (!w) return { code: 404, message: 'pod does not exist' };
      const t = w.execTarget(container);
      if ('code' in t) return t;
      const root = ensurePodRoot(rootDir, w.uid);
      const tracker = execTracker && {
        track: (pid: number) => execTracker.track(pid, `${ns}/${pod}`, `exec:${container}`),
        untrack: (pid: number) => execTracker.untrack(pid),
      };
      return { env: t.env, root, cwd: execDir(root, t.workingDir), ...(tracker ? { tracker } : {}) };
    },
    podSignal: (ns, pod) => {
      const w = byName.get(`${ns}/${pod}`);
      if (!w) return undefined;
      const c = podStreams.get(w.uid) ?? new AbortController();
      podStreams.set(w.uid, c);
      return c.signal;
    },
    attach: (ns, pod, container) => {
      const w = byName.get(`${ns}/${pod}`);
      if (!w) return { code: 404, message: 'pod does not exist' };
      return w.attachTarget(container);
    },
    portForward: (namespace, name) => {
      const w = byName.get(`${namespace}/${name}`);
      if (!w) return { code: 404, message: 'pod does not exist' };
      const ip = ipam?.get(w.uid);
      if (!ip) return { code: 500, message: `pod ${name} has no IP yet` };
      return { namespace, name, uid: w.uid, ip };
    },
  });
  const logServer: LogServer = await startLogServer({
    host: opts.nodeIP,
    port: opts.kubeletPort,
    token: opts.apiToken,
    lookup: (ns, pod, container, previous) => {
      const w = byName.get(`${ns}/${pod}`);
      if (!w) return { code: 404, message: `pod "${pod}" does not exist` };
      return w.containerLog(container, previous);
    },
    onUpgrade: streaming,
  });

  const reporter = new NodeReporter({
    client,
    nodeName,
    nodeIP: opts.nodeIP,
    kubeletPort: logServer.port,
    labels: opts.labels,
    podCIDR: opts.podCIDR,
    leaseDurationSeconds: opts.nodeLeaseDurationSeconds ?? 40,
    statusUpdateFrequencyMs: opts.nodeStatusUpdateFrequencyMs ?? 10_000,
    maxPods: opts.maxPods,
    log,
    now,
  });

  const setCIDR = (cidr: string | undefined) => {
    if (!cidr || ipam) return;
    try {
      ipam = new PodIPAllocator(cidr, records);
    } catch (err) {
      log.error(err, 'Invalid podCIDR', { podCIDR: cidr });
      return;
    }
    log.info('Pod CIDR set', { podCIDR: cidr });
    reporter.setNotReady(undefined);
    claimExisting();
  };

  /**
   * Once the node has a podCIDR and its pods were listed: claims the address
   * of every pod it already runs (left by a previous agent), then lets pods
   * start. Records of pods that are gone, or of addresses not claimed, go.
   */
  const claimExisting = () => {
    if (!ipam || !listed || claimed) return;
    const pool = ipam;
    const recorded = new Map((records?.load() ?? []).map((r) => [r.uid, r.ip]));
    const claims = [...workers.values()].flatMap((w) => w.ipClaim(recorded.get(w.uid)) ?? []);
    const results = claimPodIPs(pool, claims);
    let failed = 0;
    for (const w of workers.values()) {
      const r = results.get(w.uid);
      if (!r) continue;
      if ('error' in r) failed++;
      w.claimed(r);
    }
    records?.prune((r) => pool.get(r.uid) === r.ip);
    claimed = true;
    log.info('Pod IPs claimed', { claimed: results.size - failed, failed });
    for (const w of workers.values()) w.kick();
  };

  // Until a podCIDR is known the node registers NotReady, never Ready first.
  if (!opts.podCIDR) reporter.setNotReady(NO_CIDR_MESSAGE);
  const node = await reporter.register();
  // The Node's own podCIDR (set by node IPAM or an earlier run) wins over the flag.
  setCIDR(node?.spec?.podCIDR ?? opts.podCIDR);
  if (!ipam) reporter.setNotReady(NO_CIDR_MESSAGE);
  reporter.start();

  const factory = new SharedInformerFactory(client, log);
  const services: Informer<Service> = factory.informer<Service>(Services);
  // Env and volumes read ConfigMaps and Secrets; a change is pushed to the pods of its namespace.
  const configMaps: Informer<ConfigMap> = factory.informer<ConfigMap>(ConfigMaps);
  const secrets: Informer<Secret> = factory.informer<Secret>(Secrets);
  const sourceChanged = (o: ConfigMap | Secret) => {
    const ns = o.metadata?.namespace;
    for (const w of workers.values()) if (w.pod.metadata?.namespace === ns) w.sourcesChanged();
  };
  for (const inf of [configMaps, secrets] as Informer<ConfigMap | Secret>[])
    inf.addHandlers({ add: sourceChanged, update: (_o, n) => sourceChanged(n), delete: sourceChanged });
  const pods: Informer<Pod> = factory.informer<Pod>(Pods, { fieldSelector: `spec.nodeName=${nodeName}` });
  if (!ipam) {
    const nodes = factory.informer<Node>(Nodes, { fieldSelector: `metadata.name=${nodeName}` });
    nodes.addHandlers({ add: (n) => setCIDR(n.spec?.podCIDR), update: (_o, n) => setCIDR(n.spec?.podCIDR) });
  }
  factory.start();
  // Containers get service env vars, so pods wait until services were read once (as kubelet).
  await Promise.all([services.synced(), configMaps.synced(), secrets.synced()]);

  const writeStatus = async (pod: Pod, status: PodStatus) => {
    try {
      await client.patch<Pod>(
        Pods,
        pod.metadata?.namespace ?? '',
        pod.metadata?.name ?? '',
        'merge',
        { status },
        'status',
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
  const deletePod = async (pod: Pod) => {
    try {
      await client.delete(Pods, pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata?.uid ?? '' },
      });
    } catch (err) {
      // Gone already, or a new pod of the same name: nothing of ours to delete.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  };

  const deps = {
    runtime: opts.runtime,
    events: opts.events,
    log,
    hostIPs: [opts.nodeIP],
    ipam: () => (claimed ? ipam : undefined),
    services: () => services.list(),
    backoff,
    clusterDomain: opts.clusterDomain ?? 'cluster.local',
    writeStatus,
    deletePod,
    now,
    rootDir,
    configMap: (ns: string, name: string) => configMaps.get(`${ns}/${name}`),
    secret: (ns: string, name: string) => secrets.get(`${ns}/${name}`),
  };

  const nameOf = (p: Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;
  const addPod = (pod: Pod) => {
    const uid = pod.metadata?.uid ?? '';
    if (stopped || workers.has(uid)) return;
    const w = new PodWorker(pod, deps);
    workers.set(uid, w);
    byName.set(nameOf(pod), w);
    log.v(2).info('Pod added', { pod: nameOf(pod) });
    w.kick();
  };
  const removePod = (pod: Pod) => {
    const uid = pod.metadata?.uid ?? '';
    const w = workers.get(uid);
    if (!w) return;
    workers.delete(uid);
    if (byName.get(nameOf(pod)) === w) byName.delete(nameOf(pod));
    endStreams(uid);
    // The pod's directory goes with it once its containers are gone.
    void w.remove().finally(() => {
      try {
        removePodDir(rootDir, uid);
      } catch (err) {
        log.error(err, 'Removing the pod directory failed', { pod: nameOf(pod) });
      }
    });
  };
  pods.addHandlers({
    add: addPod,
    update: (old, pod) => {
      if (old.metadata?.uid !== pod.metadata?.uid) {
        removePod(old);
        addPod(pod);
        return;
      }
      const w = workers.get(pod.metadata?.uid ?? '');
      if (w) w.update(pod);
      else addPod(pod);
    },
    delete: removePod,
  });
  await pods.synced();
  listed = true;
  claimExisting();
  log.info('Agent started', { node: nodeName, kubeletPort: logServer.port });

  return {
    nodeName,
    kubeletPort: logServer.port,
    podIP: (uid) => ipam?.get(uid),
    async stop(o = {}) {
      if (stopped) return;
      stopped = true;
      reporter.stop();
      factory.stop();
      const grace = o.killPods ? 0 : (opts.shutdownGracePeriodMs ?? 5000);
      await Promise.all([...workers.values()].map((w) => w.shutdown(grace)));
      workers.clear();
      byName.clear();
      for (const uid of [...podStreams.keys()]) endStreams(uid);
      // Destroys the upgraded connections too: close() alone would wait for them.
      await logServer.close();
      log.info('Agent stopped', { node: nodeName });
    },
  };
}

/**
 * exec's working directory: the container's workingDir inside the pod's root
 * when it is there, else as a path of this machine (where the container
 * itself runs), else the pod's root.
 */
function execDir(root: string, workingDir: string | undefined): string {
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  if (!workingDir) return root;
  const inPod = hostPath(root, workingDir);
  if (isDir(inPod)) return inPod;
  return isDir(workingDir) ? workingDir : root;
}
