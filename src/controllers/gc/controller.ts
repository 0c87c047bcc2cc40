/**
 * The garbage collector (upstream pkg/controller/garbagecollector): watches
 * the kinds svcnet serves, keeps the ownership graph, and
 * - deletes dependents whose owners are all gone (Background), confirming
 *   each owner's absence with a live read so a lagging cache never deletes;
 * - for an owner deleted in the foreground (`foregroundDeletion` finalizer):
 *   deletes its dependents and removes the finalizer once no dependent with
 *   blockOwnerDeletion remains;
 * - for an owner deleted with `orphan`: strips its reference from every
 *   dependent, then removes the finalizer.
 * Setting those finalizers on DELETE is the API server's part.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isConflict, isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import {
  ControllerRevisions,
  CronJobs,
  DaemonSets,
  Deployments,
  EndpointSlices,
  Endpoints,
  Ingresses,
  Jobs,
  Leases,
  Nodes,
  PersistentVolumeClaims,
  PersistentVolumes,
  Pods,
  ReplicaSets,
  ReplicationControllers,
  Services,
  StatefulSets,
} from '../../client/resources.js';
import type { Informer, Obj, ResourceType } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Logger } from '../../lib/log.js';
import {
  blockingDependents,
  decideItem,
  type OwnerState,
  ownerState,
  unblockOwners,
  withoutOwners,
} from './decide.js';
import {
  FOREGROUND_FINALIZER,
  type GraphNode,
  isDeletingDependents,
  isOrphaning,
  type NodeIdentity,
  nodeOf,
  ORPHAN_FINALIZER,
  OwnerGraph,
} from './graph.js';

/** The kinds whose ownership svcnet tracks. */
export const GC_RESOURCES: readonly ResourceType[] = [
  Pods,
  ReplicaSets,
  Deployments,
  StatefulSets,
  DaemonSets,
  ReplicationControllers,
  ControllerRevisions,
  PersistentVolumeClaims,
  PersistentVolumes,
  Ingresses,
  Jobs,
  CronJobs,
  EndpointSlices,
  Endpoints,
  Services,
  Leases,
  Nodes,
];

export interface GarbageCollectorOptions {
  /** Items worked on at once (--concurrent-gc-syncs, default 20). */
  workers?: number;
  resources?: readonly ResourceType[];
  /** How long a foreground-deleted owner waits before its blocking dependents are looked at again. */
  recheckMs?: number;
}

const ABSENT_CACHE_MAX = 10_000;
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  private readonly graph = new OwnerGraph();
  private readonly informers: Informer<Obj>[] = [];
  private readonly kinds = new Map<string, ResourceType>();
  private readonly queue: WorkQueue;
  private readonly log: Logger;
  /** Owner uids confirmed gone by a live read (uids are never reused). */
  private readonly absent = new Set<string>();
  private readonly recheckMs: number;
  private synced = false;

  constructor(
    private readonly ctx: ControllerContext,
    opts: GarbageCollectorOptions = {},
  ) {
    this.log = ctx.log.named('garbage-collector');
    this.recheckMs = opts.recheckMs ?? 5000;
    this.queue = new WorkQueue(
      'garbage_collector_attempt_to_delete',
      (uid) => this.attempt(uid),
      {
        concurrency: opts.workers ?? 20,
      },
      this.log,
    );
    for (const rt of opts.resources ?? GC_RESOURCES) {
      this.kinds.set(`${rt.group}/${rt.kind}`, rt);
      const inf = ctx.informers.informer<Obj>(rt);
      inf.addHandlers({
        add: (o) => this.observe(rt, o),
        update: (_old, o) => this.observe(rt, o),
        delete: (o) => this.forget(o),
      });
      this.informers.push(inf);
    }
  }

  async start(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.synced()));
    this.synced = true;
    // Now every kind is in the graph: look at whatever has an owner we did not see, or waits on us.
    for (const n of this.graph.all()) {
      if (isDeletingDependents(n) || isOrphaning(n) || n.owners.some((r) => !this.graph.has(r.uid))) {
        this.queue.add(n.id.uid);
      }
    }
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves when nothing is queued or running (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private observe(rt: ResourceType, o: Obj): void {
    const node = nodeOf(rt, o);
    if (!node.id.uid) return;
    const old = this.graph.upsert(node);
    const startsDeletingDependents = isDeletingDependents(node) && !(old && isDeletingDependents(old));
    if (startsDeletingDependents)
      for (const d of this.graph.dependentsOf(node.id.uid)) this.queue.add(d.id.uid);
    if (startsDeletingDependents || isOrphaning(node)) this.queue.add(node.id.uid);
    // A dependent changed: owners waiting on their dependents look again (addUnblockedOwnersToDeleteQueue).
    const owners = new Set([...node.owners, ...(old?.owners ?? [])].map((r) => r.uid));
    for (const uid of owners) {
      const owner = this.graph.get(uid);
      if (owner && isDeletingDependents(owner)) this.queue.add(uid);
    }
    // An owner we have not seen: check it (upstream's virtual node), once every informer has synced.
    if (this.synced && node.owners.some((r) => !this.graph.has(r.uid))) this.queue.add(node.id.uid);
  }

  private forget(o: Obj): void {
    const uid = o.metadata?.uid;
    if (!uid) return;
    const gone = this.graph.remove(uid);
    if (!gone) return;
    const deps = this.graph.dependentsOf(uid);
    if (deps.length) this.remember(uid);
    for (const d of deps) this.queue.add(d.id.uid);
    for (const r of gone.owners) {
      const owner = this.graph.get(r.uid);
      if (owner && isDeletingDependents(owner)) this.queue.add(r.uid);
    }
  }

  private remember(uid: string): void {
    if (this.absent.size >= ABSENT_CACHE_MAX) this.absent.delete(this.absent.values().next().value!);
    this.absent.add(uid);
  }

  private rtOf(ref: OwnerReference): ResourceType | undefined {
    return this.kinds.get(`${groupOf(ref.apiVersion)}/${ref.kind}`);
  }

  private async getLive(id: Omit<NodeIdentity, 'uid'>): Promise<Obj | undefined> {
    try {
      return await this.ctx.client.get<Obj>(id.rt, id.namespace, id.name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** attemptToDeleteItem, plus the orphaning worker, for one graph node. */
  private async attempt(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    const latest = await this.getLive(node.id);
    if (!latest || latest.metadata?.uid !== uid) {
      // The cache is behind: the object is gone. Treat it as deleted now.
      this.forget({ metadata: { uid } });
      return;
    }
    const live = nodeOf(node.id.rt, latest);
    if (live.deletionTimestamp) {
      if (isDeletingDependents(live)) return this.processDeletingDependents(live);
      if (isOrphaning(live)) return this.orphanDependents(live, latest);
      return;
    }
    if (live.owners.length === 0) return;

    const states = new Map<string, OwnerState>();
    for (const ref of live.owners) states.set(ref.uid, await this.classify(ref, live));
    const action = decideItem(live, states, this.graph.dependentsOf(uid));
    const ident = `${live.id.rt.resource}/${live.id.namespace ? `${live.id.namespace}/` : ''}${live.id.name}`;
    switch (action.kind) {
      case 'none':
        return;
      case 'removeOwnerRefs':
        this.log.v(2).info('Removing dangling owner references', { item: ident, owners: action.uids });
        await this.patchMeta(live.id, (o) => ({
          ownerReferences: nullIfEmpty(withoutOwners(owners(o), action.uids)),
        }));
        return;
      case 'delete': {
        if (action.unblock.length) {
          await this.patchMeta(live.id, (o) => ({
            ownerReferences: unblockOwners(owners(o), action.unblock),
          }));
        }
        this.log.v(2).info('Deleting item', { item: ident, propagationPolicy: action.policy });
        try {
          await this.ctx.client.delete(live.id.rt, live.id.namespace, live.id.name, {
            propagationPolicy: action.policy,
            preconditions: { uid },
          });
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
      }
    }
  }

  /** isDangling: the absent cache, else a live read of the owner by name. */
  private async classify(ref: OwnerReference, item: GraphNode): Promise<OwnerState> {
    if (this.absent.has(ref.uid)) return 'dangling';
    const rt = this.rtOf(ref);
    if (!rt) {
      // A kind svcnet does not serve: never delete on its account.
      this.log.v(4).info('Owner of an unknown kind; treating as present', {
        kind: ref.kind,
        apiVersion: ref.apiVersion,
      });
      return 'solid';
    }
    const owner = await this.getLive({
      rt,
      namespace: rt.namespaced ? item.id.namespace : '',
      name: ref.name,
    });
    const state = ownerState(ref, owner);
    if (state === 'dangling') this.remember(ref.uid);
    return state;
  }

  private async processDeletingDependents(owner: GraphNode): Promise<void> {
    const blocking = blockingDependents(owner.id.uid, this.graph.dependentsOf(owner.id.uid));
    if (blocking.length === 0) {
      await this.removeFinalizer(owner.id, FOREGROUND_FINALIZER);
      return;
    }
    for (const d of blocking) if (!isDeletingDependents(d)) this.queue.add(d.id.uid);
    // Dependent deletions wake the owner; this is only a safety net for missed events.
    this.queue.addAfter(owner.id.uid, this.recheckMs);
  }

  private async orphanDependents(owner: GraphNode, _latest: Obj): Promise<void> {
    const uid = owner.id.uid;
    for (const d of this.graph.dependentsOf(uid)) {
      await this.patchMeta(d.id, (o) => {
        const refs = owners(o);
        if (!refs.some((r) => r.uid === uid)) return undefined;
        return { ownerReferences: nullIfEmpty(withoutOwners(refs, [uid])) };
      });
    }
    await this.removeFinalizer(owner.id, ORPHAN_FINALIZER);
  }

  private removeFinalizer(id: NodeIdentity, finalizer: string): Promise<void> {
    return this.patchMeta(id, (o) => {
      const f = o.metadata?.finalizers ?? [];
      if (!f.includes(finalizer)) return undefined;
      return { finalizers: nullIfEmpty(f.filter((x) => x !== finalizer)) };
    });
  }

  /**
   * A merge patch of metadata computed from a fresh read, guarded by its
   * resourceVersion and uid so a concurrent change is never overwritten;
   * conflicts re-read and retry. `change` answering undefined means nothing to do.
   */
  private async patchMeta(
    id: NodeIdentity,
    change: (o: Obj) => Record<string, unknown> | undefined,
  ): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const o = await this.getLive(id);
      if (!o || o.metadata?.uid !== id.uid) return;
      const meta = change(o);
      if (!meta) return;
      try {
        await this.ctx.client.patch(id.rt, id.namespace, id.name, 'merge', {
          metadata: { ...meta, resourceVersion: o.metadata?.resourceVersion, uid: id.uid },
        });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
      }
    }
    throw new Error(`too many conflicts updating ${id.rt.resource} ${id.namespace}/${id.name}`);
  }
}

const owners = (o: Obj): OwnerReference[] => o.metadata?.ownerReferences ?? [];
const nullIfEmpty = <T>(xs: T[]): T[] | null => (xs.length ? xs : null);
