/**
 * The node IPAM controller with the range allocator (upstream
 * pkg/controller/nodeipam/ipam/range_allocator.go): every Node without
 * spec.podCIDRs gets the next free subnet of each cluster CIDR; the CIDRs
 * nodes already hold are occupied on start; a deleted node's go back.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { Nodes } from '../../client/resources.js';
import type { Informer } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Logger } from '../../lib/log.js';
import { CIDRSet } from './cidrset.js';

export interface NodeIPAMOptions {
  /** --cluster-cidr, one CIDR or an IPv4,IPv6 pair. Host mode: 127.244.0.0/16. */
  clusterCIDR: string;
  /** --node-cidr-mask-size(-ipv4), default 24. */
  nodeCIDRMaskSize?: number;
  /** --node-cidr-mask-size-ipv6, default 64. */
  nodeCIDRMaskSizeIPv6?: number;
}

const podCIDRsOf = (n: Node): string[] => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : []);
const asNode = (n: Node): Node => ({ ...n, apiVersion: 'v1', kind: 'Node' });

export class NodeIPAMController implements Controller {
  readonly name = 'node-ipam';
  private readonly sets: CIDRSet[];
  private readonly nodes: Informer<Node>;
  private readonly queue: WorkQueue;
  private readonly log: Logger;
  /** CIDRs this controller assigned that the cache may not show yet. */
  private readonly assigned = new Map<string, string[]>();
  private started = false;

  constructor(
    private readonly ctx: ControllerContext,
    opts: NodeIPAMOptions,
  ) {
    this.log = ctx.log.named('node-ipam-controller');
    this.sets = opts.clusterCIDR
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean)
      .map((c) => {
        const v6 = c.includes(':');
        return new CIDRSet(c, v6 ? (opts.nodeCIDRMaskSizeIPv6 ?? 64) : (opts.nodeCIDRMaskSize ?? 24));
      });
    if (this.sets.length === 0 || this.sets.length > 2)
      throw new Error('--cluster-cidr must be one CIDR or an IPv4,IPv6 pair');
    this.nodes = ctx.informers.informer<Node>(Nodes);
    this.queue = new WorkQueue('node-ipam', (name) => this.sync(name), {}, this.log);
    this.nodes.addHandlers({
      add: (n) => this.observe(n),
      update: (_o, n) => this.observe(n),
      delete: (n) => this.release(n),
    });
  }

  async start(): Promise<void> {
    await this.nodes.synced();
    // Occupy before allocating anything, so a restart never hands out a CIDR twice.
    for (const n of this.nodes.list()) this.occupy(n);
    this.started = true;
    for (const n of this.nodes.list()) if (podCIDRsOf(n).length === 0) this.queue.add(n.metadata!.name!);
  }

  stop(): void {
    this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private observe(n: Node): void {
    const name = n.metadata?.name ?? '';
    if (podCIDRsOf(n).length) {
      this.occupy(n);
      this.assigned.delete(name);
      return;
    }
    if (this.started) this.queue.add(name);
  }

  private occupy(n: Node): void {
    for (const cidr of podCIDRsOf(n)) {
      const set = this.sets.find((s) => s.contains(cidr));
      if (!set) {
        this.log.warn('Node podCIDR is out of the cluster CIDR range; not occupying it', {
          node: n.metadata?.name,
          podCIDR: cidr,
        });
        continue;
      }
      set.occupy(cidr);
    }
  }

  private release(n: Node): void {
    const name = n.metadata?.name ?? '';
    const cidrs = podCIDRsOf(n).length ? podCIDRsOf(n) : (this.assigned.get(name) ?? []);
    this.assigned.delete(name);
    for (const cidr of cidrs) this.sets.find((s) => s.contains(cidr))?.release(cidr);
    // Nodes waiting on an exhausted range get the freed CIDR now, not at their next backoff.
    if (this.started && cidrs.length) {
      for (const other of this.nodes.list())
        if (podCIDRsOf(other).length === 0) this.queue.add(other.metadata!.name!);
    }
  }

  private async sync(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node || node.metadata?.deletionTimestamp) return;
    if (podCIDRsOf(node).length || this.assigned.has(name)) return;
    const cidrs: string[] = [];
    try {
      for (const s of this.sets) cidrs.push(s.allocateNext());
    } catch (err) {
      this.releaseAll(cidrs);
      this.ctx.events.event(
        asNode(node),
        'Normal',
        'CIDRNotAvailable',
        `Node ${name} status is now: CIDRNotAvailable`,
      );
      throw err;
    }
    try {
      await this.ctx.client.patch(Nodes, '', name, 'merge', {
        metadata: { uid: node.metadata?.uid },
        spec: { podCIDR: cidrs[0], podCIDRs: cidrs },
      });
      this.assigned.set(name, cidrs);
      this.log.info('Set node PodCIDR', { node: name, podCIDRs: cidrs });
    } catch (err) {
      this.releaseAll(cidrs);
      this.ctx.events.event(
        asNode(node),
        'Normal',
        'CIDRAssignmentFailed',
        `Node ${name} status is now: CIDRAssignmentFailed`,
      );
      throw err;
    }
  }

  private releaseAll(cidrs: string[]): void {
    for (const c of cidrs) this.sets.find((s) => s.contains(c))?.release(c);
  }
}
