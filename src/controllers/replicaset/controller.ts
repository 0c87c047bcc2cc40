/**
 * The ReplicaSet controller (upstream pkg/controller/replicaset): keeps
 * `.spec.replicas` active pods that match the selector and are controlled by
 * the ReplicaSet — adopting orphans, releasing pods that stopped matching,
 * creating from the template in slow-start batches and deleting the least
 * useful surplus pods — and reports what it sees in `.status`.
 */
import type { ReplicaSet, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { Pods, ReplicaSets, ReplicationControllers } from '../../client/resources.js';
import { type Informer, keyOf, type ResourceType } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import { errText } from '../../lib/errors.js';
import {
  adoptPatch,
  apiReason,
  getControllerOf,
  isEmptySelector,
  isNamespaceTerminating,
  isPodActive,
  isPodReady,
  newControllerRef,
  podFromTemplate,
  releasePatch,
  SLOW_START_INITIAL_BATCH_SIZE,
  selectorMatches,
  slowStartBatch,
} from '../podutil.js';
import { Expectations } from './expectations.js';
import { podsToDelete } from './ranking.js';
import { claimObjects, recheckOwner } from './refmanager.js';
import { calculateReplicaSetStatus, replicaSetStatusUnchanged } from './status.js';

/**
 * What the controller manages: ReplicaSets, or ReplicationControllers, which
 * upstream's replication controller runs through the same code with their
 * equality-based selector converted to a LabelSelector.
 */
export interface ReplicatedKind {
  resource: ResourceType;
  kind: string;
  apiVersion: string;
  /** Controller and work queue names. */
  name: string;
  queue: string;
  selector(obj: ReplicaSet): LabelSelector | undefined;
}

export const REPLICA_SET_KIND: ReplicatedKind = {
  resource: ReplicaSets,
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  name: 'replicaset-controller',
  queue: 'replicaset',
  selector: (rs) => rs.spec?.selector,
};

/** An RC's `spec.selector` is a label map; an empty one selects nothing (validation requires one). */
export const REPLICATION_CONTROLLER_KIND: ReplicatedKind = {
  resource: ReplicationControllers,
  kind: 'ReplicationController',
  apiVersion: 'v1',
  name: 'replicationcontroller-controller',
  queue: 'replicationmanager',
  selector: (rc) => {
    const map = (rc.spec as { selector?: Record<string, string> } | undefined)?.selector;
    return map && Object.keys(map).length ? { matchLabels: map } : undefined;
  },
};

export interface ReplicaSetControllerOptions {
  /** The kind managed (default ReplicaSet). */
  kind?: ReplicatedKind;
  /** Most pods created or deleted in one sync (upstream BurstReplicas, 500). */
  burstReplicas?: number;
  /** Syncs running at once (upstream --concurrent-replicaset-syncs, 5). */
  workers?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export class ReplicaSetController implements Controller {
  readonly name: string;
  private readonly kind: ReplicatedKind;
  private readonly rss: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(
    private readonly ctx: ControllerContext,
    opts: ReplicaSetControllerOptions = {},
  ) {
    this.kind = opts.kind ?? REPLICA_SET_KIND;
    this.name = this.kind.name;
    this.burst = opts.burstReplicas ?? 500;
    this.now = opts.now ?? Date.now;
    this.expectations = new Expectations(this.now);
    this.queue = new WorkQueue(
      this.kind.queue,
      (key) => this.sync(key),
      { concurrency: opts.workers ?? 5 },
      ctx.log,
    );
    this.rss = ctx.informers.informer<ReplicaSet>(this.kind.resource);
    this.pods = ctx.informers.informer<Pod>(Pods);
    this.rss.addHandlers({
      add: (rs) => this.queue.add(keyOf(rs)),
      update: (old, cur) => {
        // Deleted and recreated under the same name: the old expectations mean nothing now.
        if (old.metadata?.uid !== cur.metadata?.uid) this.expectations.delete(keyOf(old));
        this.queue.add(keyOf(cur));
      },
      delete: (rs) => {
        this.expectations.delete(keyOf(rs));
        this.queue.add(keyOf(rs));
      },
    });
    this.pods.addHandlers({
      add: (pod) => this.addPod(pod),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (pod) => this.deletePod(pod),
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.rss.synced(), this.pods.synced()]);
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves once no sync is queued or running (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** The object events are recorded against: list items carry no apiVersion/kind. */
  private asRef(rs: ReplicaSet): ReplicaSet {
    return { apiVersion: this.kind.apiVersion, kind: this.kind.kind, metadata: rs.metadata } as ReplicaSet;
  }

  // ---- event handlers -------------------------------------------------------

  /** The ReplicaSet a controller reference names, if it is in the cache with that UID. */
  private resolve(namespace: string, ref: OwnerReference): ReplicaSet | undefined {
    if (ref.kind !== this.kind.kind) return undefined;
    const rs = this.rss.get(`${namespace}/${ref.name}`);
    return rs && rs.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod (upstream GetPodReplicaSets). */
  private replicaSetsFor(pod: Pod): ReplicaSet[] {
    return this.rss
      .list(pod.metadata?.namespace ?? '')
      .filter(
        (rs) =>
          !isEmptySelector(this.kind.selector(rs)) &&
          selectorMatches(this.kind.selector(rs), pod.metadata?.labels),
      );
  }

  private addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      // Seen for the first time already terminating (e.g. after a relist).
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolve(pod.metadata?.namespace ?? '', ref);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.queue.add(keyOf(rs));
      return;
    }
    for (const rs of this.replicaSetsFor(pod)) this.queue.add(keyOf(rs));
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged =
      JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      // Graceful deletion counts as the deletion we expected: the pod is no longer active.
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    const ns = cur.metadata?.namespace ?? '';
    if (refChanged && oldRef) {
      const rs = this.resolve(ns, oldRef);
      if (rs) this.queue.add(keyOf(rs));
    }
    if (curRef) {
      const rs = this.resolve(ns, curRef);
      if (!rs) return;
      this.queue.add(keyOf(rs));
      // Look again once the pod has been ready for minReadySeconds: it becomes available then.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) {
        this.queue.addAfter(keyOf(rs), minReady * 1000 + 1000);
      }
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.replicaSetsFor(cur)) this.queue.add(keyOf(rs));
  }

  private deletePod(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const rs = this.resolve(pod.metadata?.namespace ?? '', ref);
    if (!rs) return;
    this.expectations.deletionObserved(keyOf(rs), keyOf(pod));
    this.queue.add(keyOf(rs));
  }

  // ---- sync -----------------------------------------------------------------

  private async sync(key: string): Promise<void> {
    const rs = this.rss.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const ns = rs.metadata?.namespace ?? '';
    const active = this.pods.list(ns).filter(isPodActive);
    const pods = await this.claimPods(rs, active);

    let manageErr: unknown;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      manageErr = await this.manageReplicas(rs, pods);
    }
    const status = calculateReplicaSetStatus(rs, pods, manageErr, this.now());
    const updated = await this.writeStatus(rs, status);
    const minReady = updated.spec?.minReadySeconds ?? 0;
    const replicas = updated.spec?.replicas ?? 1;
    if (
      manageErr === undefined &&
      minReady > 0 &&
      (updated.status?.readyReplicas ?? 0) === replicas &&
      (updated.status?.availableReplicas ?? 0) !== replicas
    ) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageErr !== undefined) throw manageErr;
  }

  private async claimPods(rs: ReplicaSet, pods: Pod[]): Promise<Pod[]> {
    const ref = newControllerRef(rs, this.kind.apiVersion, this.kind.kind);
    const { client } = this.ctx;
    const { claimed, errors } = await claimObjects(pods, {
      owner: rs,
      controllerRef: ref,
      matches: (p) => selectorMatches(this.kind.selector(rs), p.metadata?.labels),
      canAdopt: () =>
        recheckOwner(this.kind.kind, rs, () =>
          client.get<ReplicaSet>(this.kind.resource, rs.metadata!.namespace!, rs.metadata!.name!),
        ),
      adopt: async (p) => {
        await client.patch(
          Pods,
          p.metadata!.namespace!,
          p.metadata!.name!,
          'strategic',
          adoptPatch(ref, p.metadata!.uid!),
        );
      },
      release: async (p) => {
        await client.patch(
          Pods,
          p.metadata!.namespace!,
          p.metadata!.name!,
          'strategic',
          releasePatch(rs.metadata!.uid!, p.metadata!.uid!),
        );
      },
    });
    if (errors.length) throw errors[0];
    return claimed;
  }

  /** Creates or deletes pods toward `.spec.replicas`; answers the first failure, if any. */
  private async manageReplicas(rs: ReplicaSet, pods: Pod[]): Promise<unknown> {
    const key = keyOf(rs);
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const n = Math.min(-diff, this.burst);
      this.expectations.expectCreations(key, n);
      const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        try {
          await this.createPod(rs);
        } catch (err) {
          // Every create fails in a terminating namespace; nothing to report.
          if (!isNamespaceTerminating(err)) throw err;
        }
      });
      // The informer will never see the pods we did not create.
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      return error;
    }
    if (diff > 0) {
      const n = Math.min(diff, this.burst);
      const victims = podsToDelete(pods, this.relatedPods(rs), n, this.now());
      this.expectations.expectDeletions(key, victims.map(keyOf));
      const errors: unknown[] = [];
      await Promise.all(
        victims.map(async (pod) => {
          try {
            await this.deletePodOf(rs, pod);
          } catch (err) {
            // The informer will not observe this deletion.
            this.expectations.deletionObserved(key, keyOf(pod));
            if (apiReason(err) !== 'NotFound') errors.push(err);
          }
        }),
      );
      return errors[0];
    }
    return undefined;
  }

  private async createPod(rs: ReplicaSet): Promise<void> {
    const ns = rs.metadata?.namespace ?? '';
    const pod = podFromTemplate(
      rs.spec?.template,
      ns,
      rs.metadata?.name ?? '',
      newControllerRef(rs, this.kind.apiVersion, this.kind.kind),
    );
    if (Object.keys(pod.metadata?.labels ?? {}).length === 0)
      throw new Error('unable to create pods, no labels');
    try {
      const created = await this.ctx.client.create<Pod>(Pods, ns, pod);
      this.ctx.events.event(
        this.asRef(rs),
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${created.metadata?.name}`,
      );
    } catch (err) {
      if (!isNamespaceTerminating(err)) {
        this.ctx.events.event(this.asRef(rs), 'Warning', 'FailedCreate', `Error creating: ${errText(err)}`);
      }
      throw err;
    }
  }

  private async deletePodOf(rs: ReplicaSet, pod: Pod): Promise<void> {
    const name = pod.metadata?.name ?? '';
    try {
      await this.ctx.client.delete(Pods, pod.metadata?.namespace ?? '', name);
    } catch (err) {
      if (apiReason(err) === 'NotFound') throw err;
      this.ctx.events.event(this.asRef(rs), 'Warning', 'FailedDelete', `Error deleting: ${errText(err)}`);
      throw new Error(`unable to delete pods: ${errText(err)}`);
    }
    this.ctx.events.event(this.asRef(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  /**
   * Pods of every ReplicaSet with the same controller as `rs` (its Deployment's
   * other ReplicaSets): used to prefer deleting pods doubled up on a node.
   */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = getControllerOf(rs);
    if (!owner) return [];
    const seen = new Set<string>();
    const out: Pod[] = [];
    const ns = rs.metadata?.namespace ?? '';
    for (const other of this.rss.list(ns)) {
      if (getControllerOf(other)?.uid !== owner.uid) continue;
      for (const pod of this.pods.list(ns)) {
        if (!selectorMatches(this.kind.selector(other), pod.metadata?.labels)) continue;
        const uid = pod.metadata?.uid ?? keyOf(pod);
        if (seen.has(uid)) continue;
        seen.add(uid);
        out.push(pod);
      }
    }
    return out;
  }

  /** Writes the status if it changed, retrying once on a fresh copy (upstream statusUpdateRetries = 1). */
  private async writeStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSet> {
    if (replicaSetStatusUnchanged(rs, status)) return rs;
    const next: ReplicaSetStatus = { ...status, observedGeneration: rs.metadata?.generation ?? 0 };
    let cur = rs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.ctx.client.update<ReplicaSet>(
          this.kind.resource,
          { ...cur, status: next },
          'status',
        );
      } catch (err) {
        if (attempt >= 1) throw err;
        cur = await this.ctx.client.get<ReplicaSet>(
          this.kind.resource,
          rs.metadata!.namespace!,
          rs.metadata!.name!,
        );
      }
    }
  }
}
