/**
 * The scheduler (upstream pkg/scheduler, reduced to what svcnet needs):
 * takes pending pods with its schedulerName one at a time, filters and
 * scores the nodes (filter.ts, schedule.ts), assumes the choice in its cache
 * so the next pod sees it at once, and binds through pods/<name>/binding.
 * A pod that fits nowhere gets a FailedScheduling event and the
 * PodScheduled=False (Unschedulable) condition, and waits until a node or an
 * assigned pod changes (or 5 minutes pass) to be tried again.
 */
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../client/client.js';
import type { Controller, ControllerContext } from '../client/controller.js';
import { Nodes, Pods } from '../client/resources.js';
import { type Informer, keyOf } from '../client/types.js';
import { WorkQueue } from '../client/workqueue.js';
import type { Logger } from '../lib/log.js';
import type { NodeInfo } from './filter.js';
import { schedulePod } from './schedule.js';

export interface SchedulerOptions {
  /** The schedulerName this scheduler serves (default 'default-scheduler'). */
  schedulerName?: string;
  /** How long an unschedulable pod waits before it is retried regardless (upstream 5 min). */
  maxUnschedulableMs?: number;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const rfc3339 = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
/** The parts of a pod whose change can make it schedulable (isPodUpdated ignores status and metadata churn). */
const schedulingView = (p: Pod) => JSON.stringify([p.spec, p.metadata?.labels]);
/** The parts of a node whose change can make pods schedulable. */
const nodeView = (n: Node) =>
  JSON.stringify([
    n.metadata?.labels,
    n.spec?.taints,
    n.spec?.unschedulable,
    n.status?.allocatable,
    n.status?.conditions?.find((c) => c.type === 'Ready')?.status,
  ]);

export class Scheduler implements Controller {
  readonly name = 'scheduler';
  private readonly schedulerName: string;
  private readonly maxUnschedulableMs: number;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly queue: WorkQueue;
  private readonly log: Logger;
  /** Pods bound or assumed bound, per node (the scheduler cache). */
  private readonly podsByNode = new Map<string, Map<string, Pod>>();
  private readonly nodeOfPod = new Map<string, string>();
  /** Pods that fit nowhere, with the time they were parked. */
  private readonly unschedulable = new Map<string, number>();
  private flushTimer?: NodeJS.Timeout;

  constructor(
    private readonly ctx: ControllerContext,
    opts: SchedulerOptions = {},
  ) {
    this.schedulerName = opts.schedulerName ?? 'default-scheduler';
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.log = ctx.log.named('scheduler');
    this.pods = ctx.informers.informer<Pod>(Pods);
    this.nodes = ctx.informers.informer<Node>(Nodes);
    // One pod at a time: each decision must see the previous one's assumption.
    this.queue = new WorkQueue(
      'scheduler',
      (key) => this.scheduleOne(key),
      { concurrency: 1, baseDelayMs: 1000, maxDelayMs: 10_000 },
      this.log,
    );

    this.pods.addHandlers({
      add: (p) => this.onPod(undefined, p),
      update: (old, p) => this.onPod(old, p),
      delete: (p) => {
        const key = keyOf(p);
        this.unschedulable.delete(key);
        if (this.forgetPod(key)) this.retryUnschedulable();
      },
    });
    this.nodes.addHandlers({
      add: () => this.retryUnschedulable(),
      update: (old, n) => {
        if (nodeView(old) !== nodeView(n)) this.retryUnschedulable();
      },
      delete: (n) => this.podsByNode.delete(n.metadata?.name ?? ''),
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.pods.synced(), this.nodes.synced()]);
    this.flushTimer = setInterval(() => this.flushUnschedulable(), 30_000);
    this.flushTimer.unref?.();
  }

  stop(): void {
    clearInterval(this.flushTimer);
    this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private isOurs(p: Pod): boolean {
    return (
      !p.spec?.nodeName &&
      !p.metadata?.deletionTimestamp &&
      !isTerminal(p) &&
      (p.spec?.schedulerName || 'default-scheduler') === this.schedulerName
    );
  }

  private onPod(old: Pod | undefined, p: Pod): void {
    const key = keyOf(p);
    if (p.spec?.nodeName) {
      this.unschedulable.delete(key);
      if (isTerminal(p)) {
        if (this.forgetPod(key)) this.retryUnschedulable();
      } else this.addPod(key, p.spec.nodeName, p);
      return;
    }
    if (!this.isOurs(p) || this.nodeOfPod.has(key)) return;
    if (this.unschedulable.has(key)) {
      // Only a change to what scheduling looks at gives an unschedulable pod another try.
      if (old && schedulingView(old) === schedulingView(p)) return;
      this.unschedulable.delete(key);
    }
    this.queue.add(key);
  }

  private addPod(key: string, nodeName: string, p: Pod): void {
    const prev = this.nodeOfPod.get(key);
    if (prev && prev !== nodeName) this.podsByNode.get(prev)?.delete(key);
    this.nodeOfPod.set(key, nodeName);
    const m = this.podsByNode.get(nodeName) ?? new Map<string, Pod>();
    this.podsByNode.set(nodeName, m);
    m.set(key, p);
  }

  private forgetPod(key: string): boolean {
    const node = this.nodeOfPod.get(key);
    if (!node) return false;
    this.nodeOfPod.delete(key);
    this.podsByNode.get(node)?.delete(key);
    return true;
  }

  private retryUnschedulable(): void {
    for (const key of this.unschedulable.keys()) this.queue.add(key);
    this.unschedulable.clear();
  }

  private flushUnschedulable(): void {
    const now = Date.now();
    for (const [key, since] of this.unschedulable) {
      if (now - since >= this.maxUnschedulableMs) {
        this.unschedulable.delete(key);
        this.queue.add(key);
      }
    }
  }

  private nodeInfos(): NodeInfo[] {
    return this.nodes
      .list()
      .map((node) => ({ node, pods: [...(this.podsByNode.get(node.metadata?.name ?? '')?.values() ?? [])] }));
  }

  private async scheduleOne(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || !this.isOurs(pod) || this.nodeOfPod.has(key)) return;
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const result = schedulePod(pod, this.nodeInfos());
    if (!result.ok) {
      this.log.v(2).info('Unable to schedule pod; no fit; waiting', { pod: key, err: result.message });
      this.unschedulable.set(key, Date.now());
      this.ctx.events.event(
        { ...pod, apiVersion: 'v1', kind: 'Pod' },
        'Warning',
        'FailedScheduling',
        result.message,
      );
      await this.setUnschedulableCondition(pod, result.message);
      return;
    }
    // Assume first, so the cache counts the pod on its node while the binding is in flight.
    this.addPod(key, result.node, { ...pod, spec: { ...pod.spec!, nodeName: result.node } });
    try {
      await this.ctx.client.createSubresource(Pods, ns, name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: ns, uid: pod.metadata?.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: result.node },
      });
    } catch (err) {
      this.forgetPod(key);
      if (isNotFound(err) || isConflict(err)) {
        // Deleted, or bound by someone else meanwhile: the informer will tell.
        this.log.v(2).info('Binding rejected', { pod: key, err: String(err) });
        return;
      }
      this.ctx.events.event(
        { ...pod, apiVersion: 'v1', kind: 'Pod' },
        'Warning',
        'FailedScheduling',
        `Binding rejected: ${(err as Error).message}`,
      );
      throw err;
    }
    this.log.v(2).info('Successfully bound pod to node', {
      pod: key,
      node: result.node,
      feasibleNodes: result.feasible,
    });
    this.ctx.events.event(
      { ...pod, apiVersion: 'v1', kind: 'Pod' },
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${name} to ${result.node}`,
    );
  }

  /** PodScheduled=False, reason Unschedulable (podutil.UpdatePodCondition semantics); no write when unchanged. */
  private async setUnschedulableCondition(pod: Pod, message: string): Promise<void> {
    const conditions = [...(pod.status?.conditions ?? [])];
    const i = conditions.findIndex((c) => c.type === 'PodScheduled');
    const old = i >= 0 ? conditions[i] : undefined;
    if (old?.status === 'False' && old.reason === 'Unschedulable' && old.message === message) return;
    const next: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null as unknown as string,
      lastTransitionTime:
        old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(Date.now()),
    };
    if (i >= 0) conditions[i] = next;
    else conditions.push(next);
    try {
      await this.ctx.client.update(
        Pods,
        { ...pod, apiVersion: 'v1', kind: 'Pod', status: { ...pod.status, conditions } },
        'status',
      );
    } catch (err) {
      // A conflict means the pod changed; its update event brings it back if that matters.
      if (!isNotFound(err) && !isConflict(err))
        this.log.error(err, 'Error updating pod condition', { pod: keyOf(pod) });
    }
  }
}
