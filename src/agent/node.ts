/**
 * The agent's Node and its heartbeats, as kubelet's kubelet_node_status.go
 * and nodelease: register (create, or adopt an existing Node of the name),
 * patch nodes/<name>/status every nodeStatusUpdateFrequency with the
 * conditions' lastHeartbeatTime, and renew the Lease kube-node-lease/<name>
 * every quarter of its duration. The builders are pure; NodeReporter does the
 * API calls and retries.
 */
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, release, totalmem } from 'node:os';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/client.js';
import { Leases, Nodes } from '../client/resources.js';
import type { ApiClient } from '../client/types.js';
import type { Logger } from '../lib/log.js';
import { svcnetVersion, version } from '../version.js';
import { microTime, rfc3339 } from './timefmt.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const MAX_PODS = 110;

/** Go's GOARCH for Node's arch label and nodeInfo. */
export function goArch(nodeArch: string = arch()): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm: 'arm',
    arm64: 'arm64',
    ppc64: 'ppc64le',
    s390x: 's390x',
  };
  return map[nodeArch] ?? nodeArch;
}

export interface MachineFacts {
  cpus: number;
  memoryBytes: number;
  ephemeralBytes: number;
  kernelVersion: string;
  osImage: string;
  machineID: string;
  bootID: string;
  systemUUID: string;
  architecture: string;
}

const readTrim = (path: string): string => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
};

/** This machine's facts for capacity and nodeInfo. */
export function machineFacts(): MachineFacts {
  let ephemeralBytes = 0;
  try {
    const fs = statfsSync('/');
    ephemeralBytes = fs.blocks * fs.bsize;
  } catch {}
  let osImage = 'Linux';
  if (existsSync('/etc/os-release')) {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readTrim('/etc/os-release'));
    if (m?.[1]) osImage = m[1];
  }
  return {
    cpus: cpus().length || 1,
    memoryBytes: totalmem(),
    ephemeralBytes,
    kernelVersion: release(),
    osImage,
    machineID: readTrim('/etc/machine-id'),
    bootID: readTrim('/proc/sys/kernel/random/boot_id'),
    systemUUID: readTrim('/sys/class/dmi/id/product_uuid'),
    architecture: goArch(),
  };
}

/** kubelet's default node labels plus the configured ones. */
export function nodeLabels(
  nodeName: string,
  facts: MachineFacts,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': facts.architecture,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': facts.architecture,
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': 'linux',
    ...extra,
  };
}

export interface NodeStatusInput {
  nodeName: string;
  nodeIP: string;
  kubeletPort: number;
  facts: MachineFacts;
  /** Ready, or why not (kubelet's KubeletNotReady message). */
  notReadyMessage?: string;
  /** The Node's current conditions, for their lastTransitionTime. */
  previous?: NodeCondition[];
  /** kubelet's --max-pods (default 110). */
  maxPods?: number;
  now: number;
}

/** The status kubelet reports: capacity, allocatable, conditions, addresses, nodeInfo, daemonEndpoints. */
export function buildNodeStatus(input: NodeStatusInput): NodeStatus {
  const { facts, now } = input;
  const memKi = Math.floor(facts.memoryBytes / 1024);
  const capacity: Record<string, string> = {
    cpu: String(facts.cpus),
    'ephemeral-storage': `${Math.floor(facts.ephemeralBytes / 1024)}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${memKi}Ki`,
    pods: String(input.maxPods ?? MAX_PODS),
  };
  // Allocatable is capacity less kubelet's default hard eviction thresholds (memory 100Mi, nodefs 10%).
  const allocatable: Record<string, string> = {
    ...capacity,
    'ephemeral-storage': String(Math.floor(facts.ephemeralBytes * 0.9)),
    memory: `${Math.max(0, memKi - 100 * 1024)}Ki`,
  };
  const ts = rfc3339(now);
  const cond = (type: string, status: string, reason: string, message: string): NodeCondition => {
    const prev = input.previous?.find((c) => c.type === type);
    return {
      type,
      status,
      lastHeartbeatTime: ts,
      lastTransitionTime:
        prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : ts,
      reason,
      message,
    };
  };
  const ready = input.notReadyMessage === undefined;
  return {
    capacity,
    allocatable,
    conditions: [
      cond(
        'MemoryPressure',
        'False',
        'KubeletHasSufficientMemory',
        'kubelet has sufficient memory available',
      ),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      ready
        ? cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
        : cond('Ready', 'False', 'KubeletNotReady', input.notReadyMessage ?? ''),
    ],
    addresses: [
      { type: 'InternalIP', address: input.nodeIP },
      { type: 'Hostname', address: input.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: input.kubeletPort } },
    nodeInfo: {
      machineID: facts.machineID,
      systemUUID: facts.systemUUID,
      bootID: facts.bootID,
      kernelVersion: facts.kernelVersion,
      osImage: facts.osImage,
      containerRuntimeVersion: `svcnet://${svcnetVersion()}`,
      kubeletVersion: version().gitVersion ?? '',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: facts.architecture,
    },
  };
}

/** The Node object registered at first start. */
export function buildNode(
  nodeName: string,
  labels: Record<string, string>,
  status: NodeStatus,
  podCIDR?: string,
): Node {
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName,
      labels,
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status,
  };
  return node;
}

/** The node's Lease, owned by the Node so it goes with it. */
export function buildLease(nodeName: string, nodeUID: string, durationSeconds: number, now: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUID }],
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) },
  };
}

export interface NodeReporterOptions {
  client: ApiClient;
  nodeName: string;
  nodeIP: string;
  kubeletPort: number;
  labels?: Record<string, string>;
  podCIDR?: string;
  leaseDurationSeconds: number;
  statusUpdateFrequencyMs: number;
  maxPods?: number;
  log: Logger;
  facts?: MachineFacts;
  now?: () => number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/** Registers the node, then keeps its status and Lease fresh until stopped. */
export class NodeReporter {
  private readonly facts: MachineFacts;
  private readonly now: () => number;
  private node: Node | undefined;
  private notReadyMessage: string | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lease: Lease | undefined;
  private statusChain: Promise<void> = Promise.resolve();

  constructor(private readonly o: NodeReporterOptions) {
    this.facts = o.facts ?? machineFacts();
    this.now = o.now ?? Date.now;
  }

  get current(): Node | undefined {
    return this.node;
  }

  /** Creates the Node, or adopts an existing one; retries (100 ms doubling to 7 s) until it succeeds or stop(). */
  async register(): Promise<Node | undefined> {
    let delay = 100;
    while (!this.stopped) {
      try {
        this.node = await this.tryRegister();
        this.o.log.info('Successfully registered node', { node: this.o.nodeName });
        return this.node;
      } catch (err) {
        this.o.log.error(err, 'Unable to register node with API server', { node: this.o.nodeName });
        await sleep(delay);
        delay = Math.min(delay * 2, 7000);
      }
    }
    return undefined;
  }

  private status(previous?: NodeCondition[]): NodeStatus {
    return buildNodeStatus({
      nodeName: this.o.nodeName,
      nodeIP: this.o.nodeIP,
      kubeletPort: this.o.kubeletPort,
      facts: this.facts,
      notReadyMessage: this.notReadyMessage,
      previous,
      maxPods: this.o.maxPods,
      now: this.now(),
    });
  }

  private async tryRegister(): Promise<Node> {
    const { client, nodeName } = this.o;
    const labels = nodeLabels(nodeName, this.facts, this.o.labels);
    try {
      const created = await client.create<Node>(
        Nodes,
        '',
        buildNode(nodeName, labels, this.status(), this.o.podCIDR),
      );
      // Some servers drop status on create; write it through the subresource as kubelet does.
      return await this.patchStatus(created);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    // Adopt: our labels win, a missing podCIDR is filled in, then the status is ours.
    const existing = await client.get<Node>(Nodes, '', nodeName);
    const patch: {
      metadata: { labels: Record<string, string> };
      spec?: { podCIDR: string; podCIDRs: string[] };
    } = {
      metadata: { labels },
    };
    if (this.o.podCIDR && !existing.spec?.podCIDR)
      patch.spec = { podCIDR: this.o.podCIDR, podCIDRs: [this.o.podCIDR] };
    const adopted = await client.patch<Node>(Nodes, '', nodeName, 'merge', patch);
    return this.patchStatus(adopted);
  }

  private async patchStatus(node: Node): Promise<Node> {
    const status = this.status(node.status?.conditions);
    return this.o.client.patch<Node>(Nodes, '', this.o.nodeName, 'merge', { status }, 'status');
  }

  /** Starts the status and lease loops. */
  start(): void {
    const statusLoop = async () => {
      await this.updateStatus();
      if (!this.stopped) this.statusTimer = setTimeout(statusLoop, this.o.statusUpdateFrequencyMs);
    };
    const leaseLoop = async () => {
      const ok = await this.renewLease();
      // kubelet renews every quarter of the duration; a failure retries sooner.
      const every = (this.o.leaseDurationSeconds * 1000) / 4;
      if (!this.stopped) this.leaseTimer = setTimeout(leaseLoop, ok ? every : Math.min(every, 1000));
    };
    void statusLoop();
    void leaseLoop();
  }

  /** Ready, or NotReady with kubelet's message; reported at once when it changes. */
  setNotReady(message: string | undefined): void {
    if (message === this.notReadyMessage) return;
    this.notReadyMessage = message;
    if (this.node && !this.stopped) void this.updateStatus();
  }

  /** One status write at a time, each computed when it starts: a stale NotReady never lands after Ready. */
  updateStatus(): Promise<void> {
    this.statusChain = this.statusChain.then(() => this.writeStatus());
    return this.statusChain;
  }

  private async writeStatus(): Promise<void> {
    if (this.stopped) return;
    try {
      this.node = await this.patchStatus(
        this.node ?? (await this.o.client.get<Node>(Nodes, '', this.o.nodeName)),
      );
    } catch (err) {
      if (isNotFound(err)) {
        // The Node was deleted: register it again, as kubelet does.
        this.node = undefined;
        try {
          this.node = await this.tryRegister();
        } catch (e) {
          this.o.log.error(e, 'Error re-registering node', { node: this.o.nodeName });
        }
        return;
      }
      this.o.log.error(err, 'Error updating node status, will retry', { node: this.o.nodeName });
    }
  }

  /** Creates or renews the Lease; answers whether it succeeded. */
  async renewLease(): Promise<boolean> {
    const { client, nodeName, leaseDurationSeconds } = this.o;
    if (this.stopped) return false;
    const uid = this.node?.metadata?.uid ?? '';
    try {
      if (!this.lease) {
        try {
          this.lease = await client.get<Lease>(Leases, NODE_LEASE_NAMESPACE, nodeName);
        } catch (err) {
          if (!isNotFound(err)) throw err;
          this.lease = await client.create<Lease>(
            Leases,
            NODE_LEASE_NAMESPACE,
            buildLease(nodeName, uid, leaseDurationSeconds, this.now()),
          );
          return true;
        }
      }
      const fresh = buildLease(nodeName, uid, leaseDurationSeconds, this.now());
      const next: Lease = {
        ...this.lease,
        metadata: {
          ...this.lease.metadata,
          ownerReferences: uid ? fresh.metadata?.ownerReferences : this.lease.metadata?.ownerReferences,
        },
        spec: { ...this.lease.spec, ...fresh.spec },
      };
      this.lease = await client.update<Lease>(Leases, next);
      return true;
    } catch (err) {
      // A conflict or a vanished lease: read it again next time.
      if (isConflict(err) || isNotFound(err)) this.lease = undefined;
      this.o.log.error(err, 'Failed to update lease', { node: nodeName });
      return false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.statusTimer) clearTimeout(this.statusTimer);
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
  }
}
