/**
 * The `svcnet` command line: `up` runs the control plane (in the foreground, or
 * `--detach`ed with logs in DATA_DIR/svcnet.log), `down` stops it, `status`
 * says what runs, `apiserver` runs the API server alone. Flags are named like
 * the upstream components' (`--service-cluster-ip-range`, ...).
 */

import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { errText } from '../lib/errors.js';
import { parseGoDurationMs } from '../lib/goduration.js';
import { loadProxyConfig, ProxyConfigError } from '../proxy/config/load.js';
import type { ProxyConfig } from '../proxy/config/types.js';
import { svcnetVersion } from '../version.js';
import { down, status, up } from './commands.js';
import {
  controllerNames,
  defaultNodeName,
  runAgent,
  runControllerManager,
  runDns,
  runProxy,
  runScheduler,
} from './components.js';
import { DEFAULT_WAIT_MS, parseWait } from './wait.js';

function port(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535)
    throw new InvalidArgumentError('must be a port number between 0 and 65535');
  return n;
}

function verbosity(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

/** Every duration flag: Go's time.ParseDuration, as pflag's DurationVar (`5m0s`, `40s`, `1h30m`, `500ms`); in ms. */
export function duration(v: string): number {
  try {
    return parseGoDurationMs(v);
  } catch (err) {
    throw new InvalidArgumentError(errText(err));
  }
}

function positive(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const dataDirOption = () =>
  new Option('--data-dir <dir>', 'where svcnet keeps its state, credentials and kubeconfig')
    .default(resolve(homedir(), '.svcnet'))
    .argParser((v) => resolve(v));

/** The port options given on the command line rather than left at their defaults. */
function explicitPorts(cmd: { getOptionValueSource(key: string): string | undefined }): string[] {
  const keys = ['port', 'dnsPort', 'dnsMetricsPort', 'proxyHealthzPort', 'proxyMetricsPort', 'kubeletPort'];
  return keys.filter((k) => cmd.getOptionValueSource(k) === 'cli');
}

export function program(): Command {
  const prog = new Command('svcnet')
    .description(
      'Kubernetes Service networking, for real: an API server kubectl drives, and what makes Services work',
    )
    .version(svcnetVersion(), '--version')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const serverFlags = (c: Command) =>
    c
      .addOption(dataDirOption())
      .option('--port <port>', 'the API server port on the bind address (--secure-port)', port, 6443)
      .option(
        '--bind-address <ip>',
        'the address the API server listens on (default: 127.0.0.1, or ::1 when the primary service range is IPv6)',
      )
      .option(
        '--service-cluster-ip-range <cidrs>',
        'service IP range, or a dual-stack pair (comma-separated); host mode uses loopback so service IPs bind without privileges',
        '127.96.0.0/12',
      )
      .option('--service-node-port-range <range>', 'the port range for NodePort services', '30000-32767')
      .addOption(
        new Option(
          '--etcd-compaction-interval <duration>',
          'how often the store compacts history older than one interval (0 disables it)',
        )
          .argParser(duration)
          .default(300_000, '5m0s'),
      )
      .addOption(
        new Option('--storage <backend>', 'where objects are kept')
          .choices(['sqlite', 'memory'])
          .default('sqlite'),
      )
      .addOption(
        new Option('--logging-format <format>', 'log format').choices(['text', 'json']).default('text'),
      )
      .option('-v, --v <level>', 'log verbosity', verbosity, 0)
      .option('--node-name <name>', "the name of this machine's Node", defaultNodeName())
      .option('--cluster-cidr <cidr>', 'the pod IP range; each node gets a /24 of it', '127.244.0.0/16')
      .option(
        '--no-proxy',
        "don't run the service proxy (another one serves this node, or only the API is wanted)",
      )
      .option(
        '--node-ip <ip>',
        "this machine's Node address (kubelet's --node-ip): a loopback address, where DNS, NodePorts and the node's health and metrics servers listen (default: 127.0.0.1, or ::1 for an IPv6 service range)",
      )
      .option('--dns-port <port>', 'the cluster DNS server, UDP and TCP, on the node IP', port, 10053)
      .option(
        '--dns-metrics-port <port>',
        "the DNS server's /health, /ready and /metrics on the node IP",
        port,
        9153,
      )
      .option('--proxy-healthz-port <port>', "the proxy's /healthz and /livez on the node IP", port, 10256)
      .option('--proxy-metrics-port <port>', "the proxy's /metrics on the node IP", port, 10249)
      .option(
        '--kubelet-port <port>',
        "the agent's log server on the node IP (kubelet's --port)",
        port,
        10250,
      )
      .option(
        '--dns-upstream <host:port>',
        'where the DNS server sends names outside the cluster (repeatable; default: /etc/resolv.conf)',
        (v, acc: string[]) => [...acc, v],
        [] as string[],
      )
      .addOption(
        new Option(
          '--node-monitor-grace-period <duration>',
          'how long a node whose agent stopped heartbeating stays Ready',
        )
          .argParser(duration)
          .default(50_000, '50s'),
      );

  serverFlags(
    prog
      .command('up')
      .description("start the control plane, controllers, scheduler and this node's agent")
      .option('--detach', 'run in the background; return once the API answers'),
  )
    .option(
      '--wait [duration]',
      `with --detach: return only once the node is Ready, DNS answers and the proxy serves, or fail after duration (default ${DEFAULT_WAIT_MS / 1000}s)`,
      (v) => {
        try {
          return parseWait(v);
        } catch (err) {
          throw new InvalidArgumentError(errText(err));
        }
      },
    )
    .action(async (opts, cmd) => {
      process.exitCode = await up({
        ...opts,
        wait: opts.wait === true ? DEFAULT_WAIT_MS : opts.wait,
        explicitPorts: explicitPorts(cmd),
      });
    });

  serverFlags(prog.command('apiserver').description('run the API server alone, in the foreground')).action(
    async (opts, cmd) => {
      process.exitCode = await up({
        ...opts,
        detach: false,
        only: 'apiserver',
        explicitPorts: explicitPorts(cmd),
      });
    },
  );

  prog
    .command('controller-manager')
    .description(
      'run the controllers (endpointslice, endpoint, workloads, garbage collector, namespaces, nodes)',
    )
    .requiredOption('--kubeconfig <path>', 'the kubeconfig of the API server to use', (v) => resolve(v))
    .addOption(
      new Option('--logging-format <format>', 'log format').choices(['text', 'json']).default('text'),
    )
    .option('-v, --v <level>', 'log verbosity', verbosity, 0)
    .option(
      '--controllers <names>',
      `controllers to run, comma-separated, or * for all: ${controllerNames.join(', ')}`,
      (v) => v.split(',').map((s) => s.trim()),
      ['*'],
    )
    .option(
      '--max-endpoints-per-slice <n>',
      'the most endpoints an EndpointSlice holds (max 1000)',
      positive,
      100,
    )
    .option('--allocate-node-cidrs', 'give each Node a podCIDR from --cluster-cidr')
    .option('--cluster-cidr <cidr>', 'the pod IP range', '127.244.0.0/16')
    .option(
      '--node-cidr-mask-size <bits>',
      "the prefix length of each node's IPv4 podCIDR (IPv6: /64)",
      positive,
      24,
    )
    .addOption(
      new Option('--node-monitor-grace-period <duration>', 'how long a silent node stays Ready')
        .argParser(duration)
        .default(50_000, '50s'),
    )
    .action(async (opts) => {
      const unknown = opts.controllers.filter(
        (c) => c !== '*' && !(controllerNames as readonly string[]).includes(c),
      );
      if (unknown.length) throw new InvalidArgumentError(`unknown controllers: ${unknown.join(', ')}`);
      if (opts.maxEndpointsPerSlice > 1000)
        throw new InvalidArgumentError('--max-endpoints-per-slice must be at most 1000');
      process.exitCode = await runControllerManager({
        ...opts,
        allocateNodeCidrs: !!opts.allocateNodeCidrs,
        nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriod,
      });
    });

  prog
    .command('scheduler')
    .description('run the scheduler: bind pending pods to nodes')
    .requiredOption('--kubeconfig <path>', 'the kubeconfig of the API server to use', (v) => resolve(v))
    .addOption(
      new Option('--logging-format <format>', 'log format').choices(['text', 'json']).default('text'),
    )
    .option('-v, --v <level>', 'log verbosity', verbosity, 0)
    .action(async (opts) => {
      process.exitCode = await runScheduler(opts);
    });

  prog
    .command('agent')
    .description("run the node agent (kubelet's role) for this machine")
    .requiredOption('--kubeconfig <path>', 'the kubeconfig of the API server to use', (v) => resolve(v))
    .addOption(
      new Option('--logging-format <format>', 'log format').choices(['text', 'json']).default('text'),
    )
    .option('-v, --v <level>', 'log verbosity', verbosity, 0)
    .option('--node-name <name>', 'the Node to register', defaultNodeName())
    .option('--node-ip <ip>', "the node's address (host mode: loopback)", '127.0.0.1')
    .option('--pod-cidr <cidr>', "the pod range of this node (default: the Node's spec.podCIDR)")
    .option('--port <port>', "the port of the log server (kubelet's --port); 0 picks one", port, 10250)
    .option(
      '--cluster-dns <ips>',
      "DNS server addresses for pods, comma-separated (recorded only: host-mode pods share the host's resolv.conf)",
      (v) => v.split(',').filter(Boolean),
      [] as string[],
    )
    .option('--cluster-domain <domain>', "the cluster's DNS domain", 'cluster.local')
    .option('--max-pods <n>', 'the most pods this node runs', positive, 110)
    .option(
      '--root-dir <dir>',
      "the agent's state (records of pod IPs and container processes, so a restarted agent re-claims the IPs and reaps a dead one's processes)",
      (v) => resolve(v),
    )
    .action(async (opts) => {
      process.exitCode = await runAgent(opts);
    });

  prog
    .command('proxy')
    .description("run the service proxy (kube-proxy's role) for this node: the userspace data plane")
    .option(
      '--config <file>',
      'a KubeProxyConfiguration file (kubeproxy.config.k8s.io/v1alpha1); flags given win',
      (v) => resolve(v),
    )
    .option(
      '--kubeconfig <path>',
      'the kubeconfig of the API server to use (or clientConnection.kubeconfig)',
      (v) => resolve(v),
    )
    .addOption(
      new Option('--logging-format <format>', 'log format').choices(['text', 'json']).default('text'),
    )
    .option('-v, --v <level>', 'log verbosity', verbosity, 0)
    .option('--hostname-override <name>', 'the Node this proxy runs for (default: this machine)')
    .addOption(new Option('--proxy-mode <mode>', 'the data plane (default userspace)'))
    .addOption(
      new Option(
        '--ipvs-scheduler <name>',
        'how to pick an endpoint (per service: annotation svcnet.io/scheduler)',
      ).choices(['random', 'rr', 'lc', 'sed', 'nq', 'sh', 'dh', 'mh']),
    )
    .option(
      '--nodeport-addresses <cidrs>',
      'where NodePorts listen: IPs, CIDRs or `primary`, comma-separated (default: every node IP)',
      (v) => v.split(',').filter(Boolean),
    )
    .option('--node-ip <ips>', "this node's addresses, comma-separated (default: the Node's)", (v) =>
      v.split(',').filter(Boolean),
    )
    .option('--sync-period <duration>', 'the longest time between full syncs (default 30s)', duration)
    .option('--min-sync-period <duration>', 'the shortest time between syncs (default 1s)', duration)
    .option('--healthz-bind-address <host:port>', 'the /healthz and /livez server (default 0.0.0.0:10256)')
    .option('--metrics-bind-address <host:port>', 'the /metrics server (default 127.0.0.1:10249)')
    .option(
      '--max-frontends-per-service <n>',
      'the most listeners one Service gets (default or 0: 1/16 of the file descriptor limit)',
      verbosity, // any non-negative integer
    )
    .action(async (opts) => {
      const given = <T>(v: T | undefined) => v;
      let config: ProxyConfig;
      try {
        config = loadProxyConfig({
          file: opts.config,
          flags: {
            hostnameOverride: given(opts.hostnameOverride),
            mode: given(opts.proxyMode),
            scheduler: given(opts.ipvsScheduler),
            nodePortAddresses: given(opts.nodeportAddresses),
            syncPeriodMs: given(opts.syncPeriod),
            minSyncPeriodMs: given(opts.minSyncPeriod),
            healthzBindAddress: given(opts.healthzBindAddress),
            metricsBindAddress: given(opts.metricsBindAddress),
            ...(opts.kubeconfig ? { clientConnection: { kubeconfig: opts.kubeconfig } } : {}),
          },
        });
      } catch (err) {
        if (!(err instanceof ProxyConfigError)) throw err;
        console.error(`error: ${err.message}`);
        process.exitCode = 2;
        return;
      }
      const kubeconfig = config.clientConnection.kubeconfig;
      if (!kubeconfig)
        throw new InvalidArgumentError(
          '--kubeconfig (or clientConnection.kubeconfig in --config) is required',
        );
      process.exitCode = await runProxy({
        kubeconfig: resolve(kubeconfig),
        loggingFormat: opts.loggingFormat,
        v: opts.v,
        hostnameOverride: config.hostnameOverride || defaultNodeName(),
        mode: config.mode,
        nodeIPs: opts.nodeIp,
        nodeportAddresses: config.nodePortAddresses,
        scheduler: config.scheduler,
        syncPeriodMs: config.syncPeriodMs,
        minSyncPeriodMs: config.minSyncPeriodMs,
        healthzBindAddress: config.healthzBindAddress,
        metricsBindAddress: config.metricsBindAddress,
        maxFrontendsPerService: opts.maxFrontendsPerService,
      });
    });

  prog
    .command('dns')
    .description('run the cluster DNS server (CoreDNS kubernetes plugin semantics), UDP and TCP')
    .requiredOption('--kubeconfig <path>', 'the kubeconfig of the API server to use', (v) => resolve(v))
    .addOption(
      new Option('--logging-format <format>', 'log format').choices(['text', 'json']).default('text'),
    )
    .option('-v, --v <level>', 'log verbosity', verbosity, 0)
    .option('--address <ip>', 'the address to serve on', '127.0.0.1')
    .option('--port <port>', 'the UDP and TCP port', port, 10053)
    .option('--health-address <host:port>', "/health, /ready and /metrics ('' disables)", '127.0.0.1:9153')
    .option(
      '--cluster-domain <zone>',
      'the cluster zone (repeatable)',
      (v, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option(
      '--ttl <seconds>',
      'TTL of cluster records (0-3600)',
      (v) => {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 3600) throw new InvalidArgumentError('must be between 0 and 3600');
        return n;
      },
      5,
    )
    .addOption(
      new Option('--pods <mode>', 'pod records')
        .choices(['disabled', 'insecure', 'verified'])
        .default('insecure'),
    )
    .option(
      '--upstream <host:port>',
      'where other names go (repeatable; default: /etc/resolv.conf)',
      (v, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--kube-dns-service-ip <ip>', 'publish this server as kube-system/kube-dns with this ClusterIP')
    .action(async (opts) => {
      process.exitCode = await runDns({
        ...opts,
        zones: opts.clusterDomain.length ? opts.clusterDomain : ['cluster.local'],
        pods: opts.pods as 'disabled' | 'insecure' | 'verified',
        upstreams: opts.upstream,
      });
    });

  prog
    .command('down')
    .description('stop the control plane started by `svcnet up`')
    .addOption(dataDirOption())
    .option('--timeout <seconds>', 'how long to wait for a clean stop before killing', verbosity, 30)
    .action(async (opts) => {
      process.exitCode = await down(opts.dataDir, opts.timeout);
    });

  prog
    .command('status')
    .description('show what runs')
    .addOption(dataDirOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts) => {
      process.exitCode = await status(opts.dataDir, opts.output as 'text' | 'json');
    });

  // Internal: the detached child of `up --detach`.
  serverFlags(prog.command('__serve', { hidden: true })).action(async (opts) => {
    process.exitCode = await up({ ...opts, detach: false, child: true });
  });
  return prog;
}
