/**
 * The node lifecycle controller (upstream pkg/controller/nodelifecycle),
 * without eviction: every nodeMonitorPeriod it checks each node's last
 * heartbeat (Ready condition or kube-node-lease Lease); past the grace period
 * the node's conditions go Unknown and its pods' Ready conditions False, so
 * their endpoints stop being ready. Taints follow the conditions
 * (unreachable/not-ready NoSchedule + NoExecute, pressure, unschedulable) and
 * are removed once the kubelet reports Ready again.
 *
 * Not done: NoExecute eviction after tolerationSeconds, zone disruption
 * rate limiting.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { Leases, Nodes, Pods } from '../../client/resources.js';
import type { Informer } from '../../client/types.js';
import type { Logger } from '../../lib/log.js';
import {
  desiredTaints,
  expireConditions,
  type NodeHealth,
  observeHealth,
  podNotReadyStatus,
  readyCondition,
  reconcileTaints,
} from './health.js';

export interface NodeLifecycleOptions {
  /** --node-monitor-grace-period: 50s since Kubernetes 1.32 (40s before). */
  nodeMonitorGracePeriodMs?: number;
  /** --node-monitor-period, default 5s. */
  nodeMonitorPeriodMs?: number;
  /** --node-startup-grace-period, default 60s: for nodes that never posted Ready. */
  nodeStartupGracePeriodMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle';
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  private readonly health = new Map<string, NodeHealth>();
  private readonly log: Logger;
  private readonly grace: number;
  private readonly period: number;
  private readonly startupGrace: number;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  /** Nodes whose pods could not all be marked not ready: retried next pass. */
  private readonly retry = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: NodeLifecycleOptions = {},
  ) {
    this.log = ctx.log.named('node-lifecycle-controller');
    this.grace = opts.nodeMonitorGracePeriodMs ?? 50_000;
    this.period = opts.nodeMonitorPeriodMs ?? 5_000;
    this.startupGrace = opts.nodeStartupGracePeriodMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.nodes = ctx.informers.informer<Node>(Nodes);
    this.leases = ctx.informers.informer<Lease>(Leases, { namespace: NODE_LEASE_NAMESPACE });
    this.pods = ctx.informers.informer<Pod>(Pods);
    this.nodes.addHandlers({
      // Taints follow conditions at once, not only on the next monitor pass.
      update: (old, n) => {
        if (
          JSON.stringify(old.status?.conditions) !== JSON.stringify(n.status?.conditions) ||
          old.spec?.unschedulable !== n.spec?.unschedulable
        ) {
          void this.syncTaints(n).catch((err) =>
            this.log.error(err, 'Failed to update node taints', { node: n.metadata?.name }),
          );
        }
      },
      delete: (n) => this.health.delete(n.metadata?.name ?? ''),
    });
    this.pods.addHandlers({
      add: (p) => this.podAssigned(undefined, p),
      update: (old, p) => this.podAssigned(old, p),
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.nodes.synced(), this.leases.synced(), this.pods.synced()]);
    const tick = async () => {
      if (this.stopped) return;
      await this.monitor();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.period);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One monitorNodeHealth pass over every node (exposed for tests). */
  async monitor(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const node of this.nodes.list()) {
        await this.monitorNode(node).catch((err) =>
          this.log.error(err, 'Failed to update node health', { node: node.metadata?.name }),
        );
      }
    } finally {
      this.running = false;
    }
  }

  private async monitorNode(cached: Node): Promise<void> {
    const name = cached.metadata?.name ?? '';
    const now = this.now();
    const observed = readyCondition(cached);
    const h = observeHealth(
      this.health.get(name),
      cached,
      this.leases.get(`${NODE_LEASE_NAMESPACE}/${name}`),
      now,
    );
    this.health.set(name, h);
    const grace = observed ? this.grace : this.startupGrace;
    let node = cached;
    const expired = expireConditions(cached, h, grace, now);
    if (expired) {
      this.log.info('Node stopped posting status; marking its conditions Unknown', { node: name });
      node = await this.ctx.client.update(
        Nodes,
        {
          ...structuredClone(cached),
          apiVersion: 'v1',
          kind: 'Node',
          status: { ...cached.status, conditions: expired },
        },
        'status',
      );
    }
    const current = readyCondition(node);
    await this.syncTaints(node);
    const wasReady = observed?.status === 'True';
    if (current && current.status !== 'True' && (wasReady || this.retry.has(name))) {
      if (wasReady) {
        this.ctx.events.event(
          { ...node, apiVersion: 'v1', kind: 'Node' },
          'Normal',
          'NodeNotReady',
          `Node ${name} status is now: NodeNotReady`,
        );
      }
      await this.markPodsNotReady(name);
    }
  }

  private async markPodsNotReady(nodeName: string): Promise<void> {
    let failed = false;
    for (const pod of this.pods.list()) {
      if (pod.spec?.nodeName !== nodeName) continue;
      if (!(await this.markPodNotReady(pod))) failed = true;
    }
    if (failed) this.retry.add(nodeName);
    else this.retry.delete(nodeName);
  }

  /** Answers false when the write failed (the node is retried next pass). */
  private async markPodNotReady(pod: Pod): Promise<boolean> {
    const status = podNotReadyStatus(pod, this.now());
    if (!status) return true;
    try {
      await this.ctx.client.update(
        Pods,
        { ...structuredClone(pod), apiVersion: 'v1', kind: 'Pod', status },
        'status',
      );
    } catch (err) {
      if (isNotFound(err)) return true;
      this.log.warn('Failed to update status for pod', {
        pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`,
        err: String(err),
      });
      return false;
    }
    this.ctx.events.event(
      { ...pod, apiVersion: 'v1', kind: 'Pod' },
      'Warning',
      'NodeNotReady',
      'Node is not ready',
    );
    return true;
  }

  /** A pod that lands on (or stays on) a node that is not ready is marked not ready too (processPod). */
  private podAssigned(old: Pod | undefined, pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || !this.health.has(nodeName)) return;
    const node = this.nodes.get(nodeName);
    const ready = node && readyCondition(node)?.status;
    if (!node || ready === 'True' || ready === undefined) return;
    // Only when the pod is newly assigned, as upstream's podUpdated: a kubelet that reports
    // NotReady but runs may still set its pods Ready, and we must not fight it.
    if (old?.spec?.nodeName === nodeName) return;
    void this.markPodNotReady(pod);
  }

  private async syncTaints(cached: Node): Promise<void> {
    let node = cached;
    for (let attempt = 0; attempt < 5; attempt++) {
      const taints = reconcileTaints(node.spec?.taints ?? [], desiredTaints(node), this.now());
      if (!taints) return;
      try {
        await this.ctx.client.update(Nodes, {
          ...structuredClone(node),
          apiVersion: 'v1',
          kind: 'Node',
          spec: { ...node.spec, taints: taints.length ? taints : undefined },
        });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        node = await this.ctx.client.get<Node>(Nodes, '', node.metadata!.name!);
      }
    }
  }
}
