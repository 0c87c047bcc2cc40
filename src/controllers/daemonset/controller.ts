/**
 * The DaemonSet controller (upstream pkg/controller/daemon): keeps one pod
 * of each DaemonSet on every node that should run it (placement.ts), replaces
 * pods whose template revision is old as the update strategy allows
 * (plan.ts: maxUnavailable, maxSurge, or OnDelete), records the template
 * revisions as ControllerRevisions (named `<ds>-<hash>`, the hash carried by
 * the pods' `controller-revision-hash` label, as upstream) and reports status.
 */
import type { ControllerRevision, DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { ControllerRevisions, DaemonSets, Nodes, Pods } from '../../client/resources.js';
import { type Informer, keyOf } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import { errText } from '../../lib/errors.js';
import { computeHash } from '../deployment/hash.js';
import {
  adoptPatch,
  apiReason,
  getControllerOf,
  isEmptySelector,
  isNamespaceTerminating,
  newControllerRef,
  podFromTemplate,
  releasePatch,
  SLOW_START_INITIAL_BATCH_SIZE,
  selectorMatches,
  slowStartBatch,
} from '../podutil.js';
import { Expectations } from '../replicaset/expectations.js';
import { claimObjects, recheckOwner } from '../replicaset/refmanager.js';
import { goJSON, revisionPatch } from '../statefulset/revision.js';
import { FailedPodBackoff } from './backoff.js';
import { daemonPodTemplate, HASH_LABEL, pinToNode, targetNodeName } from './placement.js';
import { planDaemonSet } from './plan.js';

export interface DaemonSetControllerOptions {
  /** Syncs at once (kube-controller-manager --concurrent-daemonset-syncs, 2). */
  workers?: number;
  /** Most pods created or deleted in one sync (upstream BurstReplicas, 250). */
  burstReplicas?: number;
  now?: () => number;
}

const KIND = 'DaemonSet';
const API_VERSION = 'apps/v1';
const asRef = (ds: DaemonSet): DaemonSet =>
  ({ apiVersion: API_VERSION, kind: KIND, metadata: ds.metadata }) as DaemonSet;

export class DaemonSetController implements Controller {
  readonly name = 'daemonset-controller';
  private readonly sets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;
  private readonly backoff = new FailedPodBackoff();
  private readonly burst: number;
  private readonly now: () => number;

  constructor(
    private readonly ctx: ControllerContext,
    opts: DaemonSetControllerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.burst = opts.burstReplicas ?? 250;
    this.expectations = new Expectations(this.now);
    this.queue = new WorkQueue(
      'daemonset',
      (key) => this.sync(key),
      { concurrency: opts.workers ?? 2 },
      ctx.log,
    );
    this.sets = ctx.informers.informer<DaemonSet>(DaemonSets);
    this.pods = ctx.informers.informer<Pod>(Pods);
    this.nodes = ctx.informers.informer<Node>(Nodes);
    this.revisions = ctx.informers.informer<ControllerRevision>(ControllerRevisions);
    this.sets.addHandlers({
      add: (ds) => this.queue.add(keyOf(ds)),
      update: (old, ds) => {
        if (old.metadata?.uid !== ds.metadata?.uid) this.expectations.delete(keyOf(old));
        this.queue.add(keyOf(ds));
      },
      delete: (ds) => {
        this.expectations.delete(keyOf(ds));
        this.queue.add(keyOf(ds));
      },
    });
    this.pods.addHandlers({
      add: (pod) => this.onPod(pod, 'add'),
      update: (old, pod) => {
        const a = getControllerOf(old);
        if (a && a.uid !== getControllerOf(pod)?.uid) this.onPod(old, 'update');
        this.onPod(pod, pod.metadata?.deletionTimestamp ? 'delete' : 'update');
      },
      delete: (pod) => this.onPod(pod, 'delete'),
    });
    // Node labels, taints and readiness decide placement: every set looks again.
    const onNode = () => {
      for (const ds of this.sets.list()) this.queue.add(keyOf(ds));
    };
    this.nodes.addHandlers({ add: onNode, update: onNode, delete: onNode });
    const onRevision = (r: ControllerRevision) => {
      const ref = getControllerOf(r);
      if (ref?.kind === KIND) this.queue.add(`${r.metadata?.namespace}/${ref.name}`);
    };
    this.revisions.addHandlers({ add: onRevision, update: (_o, r) => onRevision(r), delete: onRevision });
  }

  async start(): Promise<void> {
    await Promise.all([this.sets.synced(), this.pods.synced(), this.nodes.synced(), this.revisions.synced()]);
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves once no sync is queued or running (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private onPod(pod: Pod, event: 'add' | 'update' | 'delete'): void {
    const ns = pod.metadata?.namespace ?? '';
    const ref = getControllerOf(pod);
    if (ref) {
      if (ref.kind !== KIND) return;
      const ds = this.sets.get(`${ns}/${ref.name}`);
      if (!ds || ds.metadata?.uid !== ref.uid) return;
      const key = keyOf(ds);
      if (event === 'add') this.expectations.creationObserved(key);
      if (event === 'delete') this.expectations.deletionObserved(key, keyOf(pod));
      this.queue.add(key);
      return;
    }
    for (const ds of this.sets.list(ns))
      if (!isEmptySelector(ds.spec?.selector) && selectorMatches(ds.spec?.selector, pod.metadata?.labels))
        this.queue.add(keyOf(ds));
  }

  private async sync(key: string): Promise<void> {
    const cached = this.sets.get(key);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const ds = structuredClone(cached);
    if (isEmptySelector(ds.spec?.selector)) {
      this.ctx.events.event(
        asRef(ds),
        'Warning',
        'SelectingAll',
        'This daemon set is selecting all pods. A non-empty selector is required.',
      );
      return;
    }
    const pods = await this.claimPods(ds);
    const { hash, live, revisions } = await this.syncRevisions(ds);
    const manage = this.expectations.satisfied(key);
    const plan = planDaemonSet({ ds, nodes: this.nodes.list(''), pods, hash, now: this.now(), manage });
    let failure: unknown;
    if (manage && !ds.metadata?.deletionTimestamp)
      failure = await this.apply(ds, plan.createOn, this.limitFailedDeletes(key, plan.delete), hash);
    await this.truncateHistory(
      ds,
      revisions,
      new Set([...live, ...pods.map((p) => p.metadata?.labels?.[HASH_LABEL] ?? '')]),
    );
    await this.writeStatus(ds, plan.status);
    if (failure !== undefined) throw failure;
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && plan.status.numberAvailable !== plan.status.desiredNumberScheduled)
      this.queue.addAfter(key, minReady * 1000);
  }

  /** Failed pods of a node in backoff stay for now; the set is looked at again when it ends. */
  private limitFailedDeletes(
    key: string,
    deletions: { pod: Pod; failed: boolean }[],
  ): { pod: Pod; failed: boolean }[] {
    const now = this.now();
    this.backoff.gc(now);
    return deletions.filter((d) => {
      if (!d.failed) return true;
      const node = `${key}/${targetNodeName(d.pod) ?? ''}`;
      const wait = this.backoff.remaining(node, now);
      if (wait > 0) {
        this.queue.addAfter(key, wait);
        return false;
      }
      this.backoff.next(node, now);
      return true;
    });
  }

  private async claimPods(ds: DaemonSet): Promise<Pod[]> {
    const ref = newControllerRef(ds, API_VERSION, KIND);
    const { client } = this.ctx;
    const ns = ds.metadata?.namespace ?? '';
    const { claimed, errors } = await claimObjects(this.pods.list(ns), {
      owner: ds,
      controllerRef: ref,
      matches: (p) => selectorMatches(ds.spec?.selector, p.metadata?.labels),
      canAdopt: () => recheckOwner(KIND, ds, () => client.get<DaemonSet>(DaemonSets, ns, ds.metadata!.name!)),
      adopt: async (p) => {
        await client.patch(Pods, ns, p.metadata!.name!, 'strategic', adoptPatch(ref, p.metadata!.uid!));
      },
      release: async (p) => {
        await client.patch(
          Pods,
          ns,
          p.metadata!.name!,
          'strategic',
          releasePatch(ds.metadata!.uid!, p.metadata!.uid!),
        );
      },
    });
    if (errors.length) throw errors[0];
    return claimed;
  }

  /**
   * constructHistory: the revision holding the current template (created,
   * or renumbered to the newest if an older one matches: a rollback), its
   * hash, and the set's revisions.
   */
  private async syncRevisions(
    ds: DaemonSet,
  ): Promise<{ hash: string; live: string[]; revisions: ControllerRevision[] }> {
    const ns = ds.metadata?.namespace ?? '';
    const uid = ds.metadata?.uid;
    const owned = this.revisions
      .list(ns)
      .filter(
        (r) => getControllerOf(r)?.uid === uid && selectorMatches(ds.spec?.selector, r.metadata?.labels),
      )
      .sort((a, b) => a.revision - b.revision);
    const patch = revisionPatch(ds.spec?.template);
    const max = owned.length ? owned[owned.length - 1]!.revision : 0;
    const match = owned.filter((r) => goJSON(r.data ?? null) === patch);
    let current = match[match.length - 1];
    if (current) {
      if (current.revision < max) {
        current = await this.ctx.client.update<ControllerRevision>(ControllerRevisions, {
          ...structuredClone(current),
          apiVersion: 'apps/v1',
          kind: 'ControllerRevision',
          revision: max + 1,
        });
      }
    } else {
      current = await this.createRevision(ds, patch, max + 1);
    }
    const hash = current.metadata?.labels?.[HASH_LABEL] ?? '';
    return { hash, live: [hash], revisions: owned };
  }

  /** history.CreateControllerRevision: a name taken by other content bumps status.collisionCount. */
  private async createRevision(ds: DaemonSet, patch: string, revision: number): Promise<ControllerRevision> {
    const ns = ds.metadata?.namespace ?? '';
    let collisions = ds.status?.collisionCount ?? 0;
    for (;;) {
      const hash = computeHash(ds.spec?.template, collisions);
      const cr: ControllerRevision = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name: `${(ds.metadata?.name ?? '').slice(0, 223)}-${hash}`,
          namespace: ns,
          labels: { ...ds.spec?.template?.metadata?.labels, [HASH_LABEL]: hash },
          annotations: { ...ds.metadata?.annotations },
          ownerReferences: [newControllerRef(ds, API_VERSION, KIND)],
        },
        data: JSON.parse(patch),
        revision,
      };
      try {
        return await this.ctx.client.create<ControllerRevision>(ControllerRevisions, ns, cr);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const existing = await this.ctx.client.get<ControllerRevision>(
          ControllerRevisions,
          ns,
          cr.metadata!.name!,
        );
        if (getControllerOf(existing)?.uid === ds.metadata?.uid && goJSON(existing.data ?? null) === patch)
          return existing;
        collisions++;
        (ds as { status?: DaemonSetStatus }).status = {
          ...ds.status,
          collisionCount: collisions,
        } as DaemonSetStatus;
      }
    }
  }

  /** cleanupHistory: old revisions no pod uses, beyond revisionHistoryLimit, oldest first. */
  private async truncateHistory(
    ds: DaemonSet,
    sorted: ControllerRevision[],
    live: Set<string>,
  ): Promise<void> {
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    const history = sorted.filter((r) => !live.has(r.metadata?.labels?.[HASH_LABEL] ?? ''));
    if (history.length <= limit) return;
    for (const r of history.slice(0, history.length - limit)) {
      await this.ctx.client
        .delete(ControllerRevisions, r.metadata!.namespace!, r.metadata!.name!)
        .catch((err) => {
          if (!isNotFound(err)) throw err;
        });
    }
  }

  /** syncNodes: creates (slow start) and deletes, within the burst limit; answers the first failure. */
  private async apply(
    ds: DaemonSet,
    createOn: string[],
    deletions: { pod: Pod; failed: boolean }[],
    hash: string,
  ): Promise<unknown> {
    const key = keyOf(ds);
    const creates = createOn.slice(0, this.burst);
    const deletes = deletions.slice(0, this.burst);
    this.expectations.expect(
      key,
      creates.length,
      deletes.map((d) => keyOf(d.pod)),
    );
    const template = daemonPodTemplate(ds, hash);
    const ns = ds.metadata?.namespace ?? '';
    let i = 0;
    const { successes, error } = await slowStartBatch(
      creates.length,
      SLOW_START_INITIAL_BATCH_SIZE,
      async () => {
        const node = creates[i++]!;
        const pod = podFromTemplate(
          template,
          ns,
          ds.metadata?.name ?? '',
          newControllerRef(ds, API_VERSION, KIND),
        );
        pod.spec!.affinity = pinToNode(pod.spec?.affinity, node);
        try {
          const created = await this.ctx.client.create<Pod>(Pods, ns, pod);
          this.ctx.events.event(
            asRef(ds),
            'Normal',
            'SuccessfulCreate',
            `Created pod: ${created.metadata?.name}`,
          );
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          this.ctx.events.event(asRef(ds), 'Warning', 'FailedCreate', `Error creating: ${errText(err)}`);
          throw err;
        }
      },
    );
    for (let n = successes; n < creates.length; n++) this.expectations.creationObserved(key);
    const errors: unknown[] = error === undefined ? [] : [error];
    await Promise.all(
      deletes.map(async ({ pod, failed }) => {
        const name = pod.metadata?.name ?? '';
        if (failed)
          this.ctx.events.event(
            asRef(ds),
            'Warning',
            'FailedDaemonPod',
            `Found failed daemon pod ${ns}/${name} on node ${targetNodeName(pod) ?? ''}, will try to kill it`,
          );
        try {
          await this.ctx.client.delete(Pods, ns, name);
          this.ctx.events.event(asRef(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, keyOf(pod));
          if (apiReason(err) === 'NotFound') return;
          this.ctx.events.event(asRef(ds), 'Warning', 'FailedDelete', `Error deleting: ${errText(err)}`);
          errors.push(err);
        }
      }),
    );
    return errors[0];
  }

  private async writeStatus(ds: DaemonSet, status: DaemonSetStatus): Promise<void> {
    const cur = ds.status ?? ({} as DaemonSetStatus);
    const fields = [
      'currentNumberScheduled',
      'numberMisscheduled',
      'desiredNumberScheduled',
      'numberReady',
      'updatedNumberScheduled',
      'numberAvailable',
      'numberUnavailable',
      'observedGeneration',
      'collisionCount',
    ] as const;
    if (fields.every((f) => (cur[f] ?? 0) === (status[f] ?? 0))) return;
    let target = ds;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.ctx.client.update(
          DaemonSets,
          { ...target, apiVersion: API_VERSION, kind: KIND, status },
          'status',
        );
        return;
      } catch (err) {
        if (!isConflict(err) || attempt > 0) throw err;
        target = await this.ctx.client.get<DaemonSet>(
          DaemonSets,
          ds.metadata!.namespace!,
          ds.metadata!.name!,
        );
        if (target.metadata?.uid !== ds.metadata?.uid) return;
      }
    }
  }
}
