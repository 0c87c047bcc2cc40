/**
 * The garbage collector's view of ownership (upstream garbagecollector
 * graph.go): a node per object, keyed by uid, with its owner references and
 * an index from each owner uid to its dependents. Owners need not be in the
 * graph (they may be gone, or not observed yet).
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Obj, ResourceType } from '../../client/types.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface NodeIdentity {
  rt: ResourceType;
  namespace: string;
  name: string;
  uid: string;
}

export interface GraphNode {
  id: NodeIdentity;
  owners: OwnerReference[];
  finalizers: string[];
  deletionTimestamp?: string;
}

export const nodeOf = (rt: ResourceType, o: Obj): GraphNode => ({
  id: {
    rt,
    namespace: o.metadata?.namespace ?? '',
    name: o.metadata?.name ?? '',
    uid: o.metadata?.uid ?? '',
  },
  owners: o.metadata?.ownerReferences ?? [],
  finalizers: o.metadata?.finalizers ?? [],
  deletionTimestamp: o.metadata?.deletionTimestamp,
});

/** Being deleted with the foregroundDeletion finalizer: its dependents go first. */
export const isDeletingDependents = (n: Pick<GraphNode, 'finalizers' | 'deletionTimestamp'>): boolean =>
  !!n.deletionTimestamp && n.finalizers.includes(FOREGROUND_FINALIZER);

export const isOrphaning = (n: Pick<GraphNode, 'finalizers' | 'deletionTimestamp'>): boolean =>
  !!n.deletionTimestamp && n.finalizers.includes(ORPHAN_FINALIZER);

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();

  get size(): number {
    return this.nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  has(uid: string): boolean {
    return this.nodes.has(uid);
  }

  /** Inserts or replaces a node; answers the node it replaced. */
  upsert(node: GraphNode): GraphNode | undefined {
    const old = this.nodes.get(node.id.uid);
    if (old) this.unindex(old);
    this.nodes.set(node.id.uid, node);
    for (const ref of node.owners) {
      const deps = this.dependents.get(ref.uid) ?? new Set<string>();
      this.dependents.set(ref.uid, deps);
      deps.add(node.id.uid);
    }
    return old;
  }

  remove(uid: string): GraphNode | undefined {
    const old = this.nodes.get(uid);
    if (!old) return undefined;
    this.unindex(old);
    this.nodes.delete(uid);
    return old;
  }

  /** The nodes that name `uid` as an owner. */
  dependentsOf(uid: string): GraphNode[] {
    return [...(this.dependents.get(uid) ?? [])]
      .map((d) => this.nodes.get(d))
      .filter((n): n is GraphNode => !!n);
  }

  all(): IterableIterator<GraphNode> {
    return this.nodes.values();
  }

  private unindex(node: GraphNode): void {
    for (const ref of node.owners) {
      const deps = this.dependents.get(ref.uid);
      deps?.delete(node.id.uid);
      if (deps?.size === 0) this.dependents.delete(ref.uid);
    }
  }
}
