/** The `up`, `down` and `status` commands. */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { dirname, join } from 'node:path';
import { ApiServer } from '../api/apiserver.js';
import {
  checkAdvertiseFamily,
  defaultBindAddress,
  FlagError,
  parsePortRange,
  parseServiceCIDRs,
} from '../api/config.js';
import { formatIP, isLoopback, joinHostPort, parseCIDR, parseIPSloppy } from '../k8s/ip.js';
import { errText } from '../lib/errors.js';
import { formatGoDurationMs } from '../lib/goduration.js';
import { KUBECTL_MINOR, kubectl } from '../lib/kubectl.js';
import { createLogger, type LogFormat } from '../lib/log.js';
import { svcnetVersion } from '../version.js';
import { choosePorts, type PortRequest, PortTakenError } from './ports.js';
import {
  AlreadyRunningError,
  isAlive,
  lockDataDir,
  type RunState,
  readRunState,
  releaseDataDir,
  runningPid,
  strandedComponents,
  writeRunState,
} from './runstate.js';
import { Supervisor } from './supervisor.js';
import { waitUntilReady } from './wait.js';

export interface UpOptions {
  dataDir: string;
  port: number;
  /** Default: loopback of the primary service range's family. */
  bindAddress?: string;
  serviceClusterIpRange: string;
  serviceNodePortRange: string;
  /** In ms. */
  etcdCompactionInterval: number;
  storage: string;
  loggingFormat: string;
  v: number;
  detach?: boolean;
  /** Set in the detached child. */
  child?: boolean;
  only?: 'apiserver';
  nodeName: string;
  clusterCidr: string;
  /** In ms. */
  nodeMonitorGracePeriod: number;
  dnsPort: number;
  /** CoreDNS's /health, /ready and /metrics on the node IP. */
  dnsMetricsPort: number;
  /** kube-proxy's /healthz and /metrics on the node IP. */
  proxyHealthzPort: number;
  proxyMetricsPort: number;
  /** The agent's log server (kubelet's --port) on the node IP. */
  kubeletPort: number;
  /** The port flags given on the command line (`dnsPort`, ...): never moved when taken. */
  explicitPorts?: readonly string[];
  /** This machine's Node address (kubelet's --node-ip); default: loopback of the API's family. */
  nodeIp?: string;
  dnsUpstream: string[];
  /** false: no service proxy (`--no-proxy`). */
  proxy?: boolean;
  /** With detach: how long (ms) to wait for the node, DNS and proxy after the API answers; 0: don't. */
  wait?: number;
}

const logFile = (dataDir: string) => join(dataDir, 'svcnet.log');

function hint(dataDir: string, url: string): string {
  // kubectl: PATH's, else the one ./setup installed in the checkout (then PATH needs it).
  const k = kubectl();
  return [
    `svcnet is up: API server ${url} (data dir ${dataDir})`,
    '',
    `  export KUBECONFIG=${join(dataDir, 'kubeconfig')}`,
    ...(k?.local ? [`  export PATH=${dirname(k.path)}:$PATH`] : []),
    ...(k
      ? []
      : ['', `kubectl v1.${KUBECTL_MINOR} is not installed: ./setup installs it (or see kubernetes.io).`]),
    '',
    'Then try:',
    '  kubectl create deployment web --image=svcnet/netexec --replicas=3',
    '  kubectl expose deployment web --port=80 --target-port=8080',
    '  kubectl rollout status deployment/web',
    '  kubectl get pods,endpointslices -o wide',
    "  curl http://$(kubectl get svc web -o jsonpath='{.spec.clusterIP}')/hostname",
    '',
  ].join('\n');
}

function validateFlags(opts: UpOptions): void {
  parseServiceCIDRs(opts.serviceClusterIpRange);
  parsePortRange(opts.serviceNodePortRange);
  opts.bindAddress ??= defaultBindAddress(opts.serviceClusterIpRange);
  checkAdvertiseFamily(opts.serviceClusterIpRange, opts.bindAddress);
  opts.nodeIp ??= opts.bindAddress.includes(':') ? '::1' : '127.0.0.1';
  const node = parseIPSloppy(opts.nodeIp);
  // Host mode: this machine is the node, and node-local servers bind nothing but loopback.
  if (!node || !isLoopback(node))
    throw new FlagError('--node-ip', opts.nodeIp, new Error('host mode needs a loopback address'));
  const primary = parseCIDR(parseServiceCIDRs(opts.serviceClusterIpRange)[0]!);
  if (node.family !== primary.family)
    throw new FlagError(
      '--node-ip',
      opts.nodeIp,
      new Error(`its family must match the primary service range's (${primary.text})`),
    );
}

/** kube-dns's ClusterIP: the tenth address of the primary service range, as kubeadm picks it. */
export function kubeDnsIP(serviceClusterIPRange: string): string {
  const c = parseCIDR(parseServiceCIDRs(serviceClusterIPRange)[0]!);
  return formatIP({ family: c.family, value: c.network + 10n });
}

export async function up(opts: UpOptions): Promise<number> {
  const waitProblem =
    opts.wait !== undefined && !opts.detach
      ? '--wait requires --detach'
      : opts.wait && opts.dnsPort === 0
        ? '--wait needs a --dns-port other than 0 to query DNS'
        : undefined;
  if (waitProblem) {
    console.error(`error: ${waitProblem}`);
    return 2;
  }
  try {
    validateFlags(opts);
  } catch (err) {
    if (err instanceof FlagError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    throw err;
  }
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  // A previous run killed with SIGKILL leaves its components stopping by themselves: the ports
  // they still hold are this data dir's, not another svcnet's, so wait (bounded) for them to go.
  await waitForExit(strandedComponents(opts.dataDir), 30_000);
  // A second svcnet on this machine already holds the default ports: take free ones, and say so.
  if (runningPid(opts.dataDir) === undefined) {
    try {
      for (const c of await choosePorts(portRequests(opts))) {
        opts[c.option] = c.port;
        if (c.movedFrom !== undefined)
          console.log(
            `${c.what}: port ${c.movedFrom} on ${c.host} is in use; listening on ${joinHostPort(c.host, c.port)} instead (set ${c.flag} to choose)`,
          );
      }
    } catch (err) {
      if (!(err instanceof PortTakenError)) throw err;
      console.error(`error: ${err.message}; pick another with ${err.request.flag}`);
      return 1;
    }
  }
  if (opts.detach) return detach(opts);
  return serve(opts);
}

/** Polls until every pid has exited, or `timeoutMs` has passed. */
async function waitForExit(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

type PortOption =
  | 'port'
  | 'dnsPort'
  | 'dnsMetricsPort'
  | 'proxyHealthzPort'
  | 'proxyMetricsPort'
  | 'kubeletPort';

/** Every fixed port `up` will listen on, with its flag. */
function portRequests(opts: UpOptions): (PortRequest & { option: PortOption })[] {
  const explicit = new Set(opts.explicitPorts ?? []);
  const node = opts.nodeIp!;
  const req = (option: PortOption, flag: string, what: string, host: string, udp = false) => ({
    option,
    flag,
    what,
    host,
    port: opts[option],
    explicit: explicit.has(option),
    udp,
  });
  const all = [req('port', '--port', 'API server', opts.bindAddress!)];
  if (opts.only === 'apiserver') return all;
  all.push(
    req('dnsPort', '--dns-port', 'cluster DNS', node, true),
    req('dnsMetricsPort', '--dns-metrics-port', 'DNS health and metrics', node),
    req('kubeletPort', '--kubelet-port', 'agent log server', node),
  );
  if (opts.proxy !== false)
    all.push(
      req('proxyHealthzPort', '--proxy-healthz-port', 'proxy health', node),
      req('proxyMetricsPort', '--proxy-metrics-port', 'proxy metrics', node),
    );
  return all;
}

/** Where each node-local server listens, for run.json and `status`. */
function listeners(opts: UpOptions): Record<string, string> {
  const node = opts.nodeIp!;
  return {
    dns: joinHostPort(node, opts.dnsPort),
    'dns-metrics': joinHostPort(node, opts.dnsMetricsPort),
    ...(opts.proxy !== false
      ? {
          'proxy-healthz': joinHostPort(node, opts.proxyHealthzPort),
          'proxy-metrics': joinHostPort(node, opts.proxyMetricsPort),
        }
      : {}),
    kubelet: joinHostPort(node, opts.kubeletPort),
  };
}

/** Runs in this process until SIGINT/SIGTERM. */
async function serve(opts: UpOptions): Promise<number> {
  try {
    lockDataDir(opts.dataDir);
  } catch (err) {
    if (err instanceof AlreadyRunningError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const log = createLogger({ format: opts.loggingFormat as LogFormat, verbosity: opts.v });
  let server: ApiServer;
  try {
    server = await ApiServer.start({
      dataDir: opts.dataDir,
      bindAddress: opts.bindAddress,
      securePort: opts.port,
      serviceClusterIPRange: opts.serviceClusterIpRange,
      serviceNodePortRange: opts.serviceNodePortRange,
      compactionIntervalMs: opts.etcdCompactionInterval,
      storage: opts.storage as 'sqlite' | 'memory',
      log,
    });
  } catch (err) {
    releaseDataDir(opts.dataDir);
    log.error(err, 'Failed to start');
    const code = (err as NodeJS.ErrnoException).code;
    console.error(
      code === 'EADDRINUSE'
        ? `error: port ${opts.port} on ${opts.bindAddress} is in use; pick another with --port`
        : `error: ${errText(err)}`,
    );
    return 1;
  }
  // run.json follows the components' restarts once it is first written below.
  let runState: RunState | undefined;
  const supervisor = new Supervisor(process.argv[1]!, log, (components) => {
    if (runState) writeRunState(opts.dataDir, { ...runState, components });
  });
  const nodeIP = opts.nodeIp!;
  const dnsIP = kubeDnsIP(opts.serviceClusterIpRange);
  if (opts.only !== 'apiserver') {
    const common = [
      `--kubeconfig=${server.kubeconfigPath}`,
      `--logging-format=${opts.loggingFormat}`,
      `--v=${opts.v}`,
    ];
    supervisor.start({
      name: 'controller-manager',
      args: [
        ...common,
        '--allocate-node-cidrs',
        `--cluster-cidr=${opts.clusterCidr}`,
        `--node-monitor-grace-period=${opts.nodeMonitorGracePeriod}ms`,
      ],
    });
    supervisor.start({ name: 'scheduler', args: common });
    supervisor.start({
      name: 'dns',
      args: [
        ...common,
        `--address=${nodeIP}`,
        `--port=${opts.dnsPort}`,
        `--health-address=${joinHostPort(nodeIP, opts.dnsMetricsPort)}`,
        `--kube-dns-service-ip=${dnsIP}`,
        ...opts.dnsUpstream.map((u) => `--upstream=${u}`),
      ],
    });
    if (opts.proxy !== false)
      supervisor.start({
        name: 'proxy',
        args: [
          ...common,
          `--hostname-override=${opts.nodeName}`,
          `--node-ip=${nodeIP}`,
          `--healthz-bind-address=${joinHostPort(nodeIP, opts.proxyHealthzPort)}`,
          `--metrics-bind-address=${joinHostPort(nodeIP, opts.proxyMetricsPort)}`,
        ],
      });
    supervisor.start({
      name: 'agent',
      args: [
        ...common,
        `--node-name=${opts.nodeName}`,
        `--node-ip=${nodeIP}`,
        `--port=${opts.kubeletPort}`,
        `--cluster-dns=${dnsIP}`,
        // One node runs every pod in host mode, and built-in images are cheap: more than kubelet's 110.
        '--max-pods=1000',
        `--root-dir=${join(opts.dataDir, 'agent')}`,
      ],
    });
  }
  runState = {
    nodeName: opts.only === 'apiserver' ? undefined : opts.nodeName,
    dns: opts.only === 'apiserver' ? undefined : joinHostPort(nodeIP, opts.dnsPort),
    kubeDns: opts.only === 'apiserver' ? undefined : dnsIP,
    listeners: opts.only === 'apiserver' ? undefined : listeners(opts),
    components: supervisor.pids(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    apiServer: server.url,
    kubeconfig: server.kubeconfigPath,
    serviceClusterIPRange: opts.serviceClusterIpRange,
    serviceNodePortRange: opts.serviceNodePortRange,
    storage: opts.storage,
    version: svcnetVersion(),
    logFile: opts.child ? logFile(opts.dataDir) : undefined,
  };
  writeRunState(opts.dataDir, runState);
  if (!opts.child) process.stdout.write(hint(opts.dataDir, server.url));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn('Second signal: exiting now', { signal });
        process.exit(1);
      }
      stopping = true;
      log.info('Shutting down', { signal });
      supervisor
        .stop()
        .then(() => server.stop())
        .catch((err) => log.error(err, 'Error while stopping'))
        .finally(() => {
          releaseDataDir(opts.dataDir);
          resolve(0);
        });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

/** Starts a detached `svcnet __serve` and returns once its API answers. */
async function detach(opts: UpOptions): Promise<number> {
  const owner = runningPid(opts.dataDir);
  if (owner !== undefined) {
    console.error(`error: ${new AlreadyRunningError(opts.dataDir, owner).message}`);
    return 1;
  }
  const out = openSync(logFile(opts.dataDir), 'a');
  const bin = process.argv[1]!;
  const args = [
    bin,
    '__serve',
    `--data-dir=${opts.dataDir}`,
    `--port=${opts.port}`,
    `--bind-address=${opts.bindAddress}`,
    `--service-cluster-ip-range=${opts.serviceClusterIpRange}`,
    `--service-node-port-range=${opts.serviceNodePortRange}`,
    `--etcd-compaction-interval=${opts.etcdCompactionInterval}ms`,
    `--storage=${opts.storage}`,
    `--logging-format=${opts.loggingFormat}`,
    `--v=${opts.v}`,
    `--node-name=${opts.nodeName}`,
    `--cluster-cidr=${opts.clusterCidr}`,
    `--node-monitor-grace-period=${opts.nodeMonitorGracePeriod}ms`,
    `--dns-port=${opts.dnsPort}`,
    `--dns-metrics-port=${opts.dnsMetricsPort}`,
    `--proxy-healthz-port=${opts.proxyHealthzPort}`,
    `--proxy-metrics-port=${opts.proxyMetricsPort}`,
    `--kubelet-port=${opts.kubeletPort}`,
    `--node-ip=${opts.nodeIp}`,
    ...(opts.proxy === false ? ['--no-proxy'] : []),
    ...opts.dnsUpstream.map((u) => `--dns-upstream=${u}`),
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? 1;
  });
  child.unref();

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited !== null) {
      console.error(
        `error: svcnet exited during start (code ${exited}); last log lines:\n${tail(logFile(opts.dataDir))}`,
      );
      return 1;
    }
    const state = readRunState(opts.dataDir);
    if (state && state.pid === child.pid && (await readyz(state.apiServer, opts.dataDir))) {
      if (opts.wait && !(await waitReady(opts, state.kubeconfig))) return 1;
      process.stdout.write(hint(opts.dataDir, state.apiServer));
      process.stdout.write(
        `Logs: ${logFile(opts.dataDir)}. Stop with: svcnet down${dataDirFlag(opts.dataDir)}\n`,
      );
      return 0;
    }
    await sleep(100);
  }
  console.error(`error: svcnet did not become ready within 60s; see ${logFile(opts.dataDir)}`);
  return 1;
}

/** `--wait`: the node, DNS and proxy of the started svcnet; says what is not ready on timeout. */
async function waitReady(opts: UpOptions, kubeconfig: string): Promise<boolean> {
  const start = Date.now();
  const res = await waitUntilReady(
    {
      kubeconfig,
      nodeName: opts.nodeName,
      dnsHost: opts.nodeIp!,
      dnsPort: opts.dnsPort,
      ipv6: parseServiceCIDRs(opts.serviceClusterIpRange)[0]!.includes(':'),
      proxy: opts.proxy !== false,
    },
    opts.wait!,
  );
  const took = `${((Date.now() - start) / 1000).toFixed(1)}s`;
  if (res.ready) {
    const proxy = opts.proxy === false ? '' : ', the proxy serves ClusterIPs';
    process.stdout.write(`Ready after ${took}: node ${opts.nodeName} is Ready, DNS answers${proxy}.\n`);
    return true;
  }
  console.error(
    [
      `error: svcnet is not ready after waiting ${formatGoDurationMs(opts.wait!)}:`,
      ...res.notReady.map((n) => `  ${n.name}: ${n.reason}`),
      `It keeps running; see ${logFile(opts.dataDir)}, or stop it with: svcnet down${dataDirFlag(opts.dataDir)}`,
    ].join('\n'),
  );
  return false;
}

function dataDirFlag(dataDir: string): string {
  return dataDir === join(process.env.HOME ?? '', '.svcnet') ? '' : ` --data-dir=${dataDir}`;
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True when the API server at `url` answers /readyz with 200 (verifying it with our CA). */
function readyz(url: string, dataDir: string): Promise<boolean> {
  const caPath = join(dataDir, 'pki', 'ca.crt');
  if (!existsSync(caPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = get(`${url}/readyz`, { ca: readFileSync(caPath), timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

export async function down(dataDir: string, timeoutSeconds: number): Promise<number> {
  const pid = runningPid(dataDir);
  if (pid === undefined) {
    console.log(`svcnet is not running (data dir ${dataDir})`);
    return 0;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    console.error(`svcnet (pid ${pid}) did not stop within ${timeoutSeconds}s; killed it`);
    releaseDataDir(dataDir);
    return 1;
  }
  console.log(`svcnet stopped (pid ${pid})`);
  return 0;
}

export async function status(dataDir: string, output: 'text' | 'json'): Promise<number> {
  const pid = runningPid(dataDir);
  const state = readRunState(dataDir);
  const running = pid !== undefined && state?.pid === pid;
  const ready = running ? await readyz(state!.apiServer, dataDir) : false;
  if (output === 'json') {
    console.log(JSON.stringify({ running, ready, dataDir, ...(running ? state : {}) }, null, 2));
    return running ? 0 : 3;
  }
  if (!running) {
    console.log(`svcnet is not running (data dir ${dataDir})`);
    return 3;
  }
  const s = state!;
  const upFor = Math.round((Date.now() - Date.parse(s.startedAt)) / 1000);
  console.log(
    [
      `svcnet ${s.version} is running (pid ${s.pid}, up ${upFor}s)`,
      `  data dir:       ${dataDir}`,
      `  apiserver:      ${s.apiServer} (${ready ? 'ready' : 'not ready'})`,
      `  kubeconfig:     ${s.kubeconfig}`,
      `  service range:  ${s.serviceClusterIPRange}`,
      `  node ports:     ${s.serviceNodePortRange}`,
      ...(s.nodeName
        ? [`  node:           ${s.nodeName} (agent, proxy, controller-manager and scheduler supervised)`]
        : []),
      ...Object.entries(s.listeners ?? {}).map(([what, at]) => `  ${`${what}:`.padEnd(16)}${at}`),
      `  storage:        ${s.storage}${s.storage === 'sqlite' ? ` (${join(dataDir, 'state.db')})` : ''}`,
      ...(s.logFile ? [`  logs:           ${s.logFile}`] : []),
    ].join('\n'),
  );
  return 0;
}
