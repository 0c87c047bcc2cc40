/**
 * The client components, each runnable alone against any Kubernetes API
 * (`svcnet controller-manager|scheduler|agent --kubeconfig ...`) and
 * supervised by `svcnet up`. Each builds its client, informers and event sink,
 * starts, and stops cleanly on SIGTERM/SIGINT (or when its parent `up` dies).
 */
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../agent/agent.js';
import { builtinRuntime } from '../agent/images/index.js';
import { createClient } from '../client/client.js';
import type { Controller, ControllerContext } from '../client/controller.js';
import { clientEventSink } from '../client/events.js';
import { SharedInformerFactory } from '../client/informer.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { CronJobController } from '../controllers/cronjob/controller.js';
import { DaemonSetController } from '../controllers/daemonset/controller.js';
import { DeploymentController } from '../controllers/deployment/controller.js';
import { EndpointsController } from '../controllers/endpoints/controller.js';
import { EndpointSliceController } from '../controllers/endpointslice/controller.js';
import { GarbageCollector } from '../controllers/gc/controller.js';
import { JobController } from '../controllers/job/controller.js';
import { EndpointSliceMirroringController } from '../controllers/mirroring/controller.js';
import { NamespaceController } from '../controllers/namespace/controller.js';
import { NodeIPAMController } from '../controllers/nodeipam/controller.js';
import { NodeLifecycleController } from '../controllers/nodelifecycle/controller.js';
import { REPLICATION_CONTROLLER_KIND, ReplicaSetController } from '../controllers/replicaset/controller.js';
import { ServiceAccountController } from '../controllers/serviceaccount/controller.js';
import { StatefulSetController } from '../controllers/statefulset/controller.js';
import { TTLAfterFinishedController } from '../controllers/ttlafterfinished/controller.js';
import { PersistentVolumeController } from '../controllers/volume/controller.js';
import { startDns } from '../dns/dns.js';
import { createLogger, type LogFormat, type Logger } from '../lib/log.js';
import { startProxy } from '../proxy/proxy.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { ensurePrivateDir } from './rootdir.js';
import { exitWithParent } from './supervisor.js';

export interface CommonOptions {
  kubeconfig: string;
  loggingFormat: string;
  v: number;
}

export interface ControllerManagerOptions extends CommonOptions {
  controllers: string[];
  maxEndpointsPerSlice: number;
  clusterCidr: string;
  allocateNodeCidrs: boolean;
  nodeCidrMaskSize: number;
  nodeMonitorGracePeriodMs: number;
}

export interface AgentOptions extends CommonOptions {
  nodeName: string;
  nodeIp: string;
  podCidr?: string;
  port: number;
  clusterDns: string[];
  clusterDomain: string;
  maxPods: number;
  rootDir?: string;
}

/** Every controller `controller-manager` knows, by its upstream name, in start order. */
export const controllerNames = [
  'endpointslice',
  'endpoint',
  'endpointslicemirroring',
  'replicaset',
  'deployment',
  'statefulset',
  'daemonset',
  'replicationcontroller',
  'persistentvolume-binder',
  'job',
  'cronjob',
  'ttl-after-finished',
  'garbagecollector',
  'namespace',
  'serviceaccount',
  'nodeipam',
  'nodelifecycle',
] as const;

function context(opts: CommonOptions, component: string, host = ''): ControllerContext & { stop(): void } {
  const log = createLogger({ format: opts.loggingFormat as LogFormat, verbosity: opts.v }).named(component);
  const client = createClient({ kubeconfig: opts.kubeconfig, userAgent: `svcnet-${component}` });
  const informers = new SharedInformerFactory(client, log);
  return {
    client,
    informers,
    events: clientEventSink(client, component, host, log),
    log,
    stop: () => {
      informers.stop();
      client.close();
    },
  };
}

/** Resolves on the first SIGINT/SIGTERM (or the parent's death), after `stop`. */
function untilSignalled(log: Logger, stop: () => Promise<void> | void): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      log.info('Shutting down', { signal });
      Promise.resolve()
        .then(stop)
        .catch((err) => log.error(err, 'Error while stopping'))
        .finally(() => resolve(0));
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    exitWithParent(() => onSignal('parent exited'));
  });
}

export function buildControllers(ctx: ControllerContext, opts: ControllerManagerOptions): Controller[] {
  const enabled = new Set(opts.controllers.includes('*') ? controllerNames : opts.controllers);
  const make: Record<(typeof controllerNames)[number], () => Controller> = {
    endpointslice: () =>
      new EndpointSliceController(ctx, { maxEndpointsPerSlice: opts.maxEndpointsPerSlice }),
    endpoint: () => new EndpointsController(ctx),
    endpointslicemirroring: () => new EndpointSliceMirroringController(ctx),
    replicaset: () => new ReplicaSetController(ctx),
    deployment: () => new DeploymentController(ctx),
    statefulset: () => new StatefulSetController(ctx),
    daemonset: () => new DaemonSetController(ctx),
    replicationcontroller: () => new ReplicaSetController(ctx, { kind: REPLICATION_CONTROLLER_KIND }),
    'persistentvolume-binder': () => new PersistentVolumeController(ctx),
    job: () => new JobController(ctx),
    cronjob: () => new CronJobController(ctx),
    'ttl-after-finished': () => new TTLAfterFinishedController(ctx),
    garbagecollector: () => new GarbageCollector(ctx),
    namespace: () => new NamespaceController(ctx),
    serviceaccount: () => new ServiceAccountController(ctx),
    nodeipam: () =>
      new NodeIPAMController(ctx, { clusterCIDR: opts.clusterCidr, nodeCIDRMaskSize: opts.nodeCidrMaskSize }),
    nodelifecycle: () =>
      new NodeLifecycleController(ctx, { nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs }),
  };
  return controllerNames
    .filter((n) => enabled.has(n) && (n !== 'nodeipam' || opts.allocateNodeCidrs))
    .map((n) => make[n]());
}

export async function runControllerManager(opts: ControllerManagerOptions): Promise<number> {
  const ctx = context(opts, 'controller-manager');
  const controllers = buildControllers(ctx, opts);
  ctx.informers.start();
  await Promise.all(controllers.map((c) => c.start()));
  ctx.log.info('Started controllers', { controllers: controllers.map((c) => c.name).join(',') });
  return untilSignalled(ctx.log, () => {
    for (const c of controllers) c.stop();
    ctx.stop();
  });
}

export async function runScheduler(opts: CommonOptions): Promise<number> {
  const ctx = context(opts, 'default-scheduler');
  const scheduler = new Scheduler(ctx, {});
  ctx.informers.start();
  await scheduler.start();
  ctx.log.info('Scheduler started');
  return untilSignalled(ctx.log, () => {
    scheduler.stop();
    ctx.stop();
  });
}

export async function runAgent(opts: AgentOptions): Promise<number> {
  const ctx = context(opts, 'kubelet', opts.nodeName);
  let rootDir = opts.rootDir;
  if (rootDir === undefined) {
    // The default is under a possibly shared $TMPDIR: private, and refused if someone else's.
    rootDir = join(tmpdir(), `svcnet-agent-${opts.nodeName}`);
    ensurePrivateDir(rootDir);
  }
  const agent = await startAgent({
    client: ctx.client,
    events: ctx.events,
    nodeName: opts.nodeName,
    nodeIP: opts.nodeIp,
    podCIDR: opts.podCidr,
    kubeletPort: opts.port,
    clusterDNS: opts.clusterDns,
    clusterDomain: opts.clusterDomain,
    maxPods: opts.maxPods,
    runtime: builtinRuntime({ log: ctx.log, stateDir: rootDir }),
    rootDir,
    // The API server's token: the agent's endpoints take requests carrying it (agent/auth.ts).
    apiToken: loadKubeconfig(opts.kubeconfig).token,
    log: ctx.log,
  });
  return untilSignalled(ctx.log, async () => {
    await agent.stop();
    ctx.stop();
  });
}

export interface ProxyCommandOptions extends CommonOptions {
  hostnameOverride: string;
  /** The data plane (KubeProxyConfiguration.mode, `--proxy-mode`). */
  mode: string;
  nodeIPs?: string[];
  nodeportAddresses: string[];
  scheduler: string;
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  healthzBindAddress: string;
  metricsBindAddress: string;
  maxFrontendsPerService?: number;
}

export async function runProxy(opts: ProxyCommandOptions): Promise<number> {
  const ctx = context(opts, 'kube-proxy', opts.hostnameOverride);
  const proxy = await startProxy({
    client: ctx.client,
    events: ctx.events,
    log: ctx.log,
    nodeName: opts.hostnameOverride,
    mode: opts.mode,
    nodeIPs: opts.nodeIPs,
    nodePortAddresses: opts.nodeportAddresses,
    scheduler: opts.scheduler,
    syncPeriodMs: opts.syncPeriodMs,
    minSyncPeriodMs: opts.minSyncPeriodMs,
    healthzBindAddress: opts.healthzBindAddress,
    metricsBindAddress: opts.metricsBindAddress,
    maxFrontendsPerService: opts.maxFrontendsPerService,
  });
  return untilSignalled(ctx.log, async () => {
    await proxy.stop();
    ctx.stop();
  });
}

export interface DnsCommandOptions extends CommonOptions {
  address: string;
  port: number;
  healthAddress: string;
  zones: string[];
  ttl: number;
  pods: 'disabled' | 'insecure' | 'verified';
  upstreams: string[];
  kubeDnsServiceIp?: string;
}

export async function runDns(opts: DnsCommandOptions): Promise<number> {
  const ctx = context(opts, 'coredns');
  const dns = await startDns({
    client: ctx.client,
    log: ctx.log,
    address: opts.address,
    port: opts.port,
    healthAddress: opts.healthAddress,
    zones: opts.zones,
    ttl: opts.ttl,
    pods: opts.pods,
    upstreams: opts.upstreams,
    kubeDnsServiceIP: opts.kubeDnsServiceIp,
  });
  return untilSignalled(ctx.log, async () => {
    await dns.stop();
    ctx.stop();
  });
}

/** Host mode's node name: this machine's, as kubelet derives it (lower case). */
export const defaultNodeName = (): string => hostname().toLowerCase();
