/**
 * The StatefulSet controller (upstream pkg/controller/statefulset): claims
 * the set's pods and ControllerRevisions, keeps the revision history, applies
 * one planned sync pass (see plan.ts) and records the status.
 */
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { ControllerRevisions, Pods, StatefulSets } from '../../client/resources.js';
import { type Informer, keyOf, type Obj } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Logger } from '../../lib/log.js';
import { claimTemplateNames, controllerRefTo, isMemberOf, podRevision, replicasOf } from './identity.js';
import { completeRollingUpdate, planStatefulSet, type SetAction, statusChanged } from './plan.js';
import {
  chooseUpdateRevision,
  equalRevision,
  newRevision,
  revisionsToTruncate,
  sortRevisions,
} from './revision.js';
import { selectorMatches } from './selector.js';

export interface StatefulSetControllerOptions {
  /** Sets synced at once (kube-controller-manager --concurrent-statefulset-syncs, default 5). */
  workers?: number;
}

const MAX_BATCH = 500;
const controllerOf = (o: Obj): OwnerReference | undefined =>
  o.metadata?.ownerReferences?.find((r) => r.controller);
const asSet = (s: StatefulSet): StatefulSet => ({ ...s, apiVersion: 'apps/v1', kind: 'StatefulSet' });

export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly queue: WorkQueue;
  private readonly log: Logger;
  /** Sets (uid/generation) already told that volumeClaimTemplates are not served. */
  private readonly claimWarned = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: StatefulSetControllerOptions = {},
  ) {
    this.log = ctx.log.named('statefulset-controller');
    this.sets = ctx.informers.informer<StatefulSet>(StatefulSets);
    this.pods = ctx.informers.informer<Pod>(Pods);
    this.revisions = ctx.informers.informer<ControllerRevision>(ControllerRevisions);
    this.queue = new WorkQueue(
      'statefulset',
      (key) => this.sync(key),
      { concurrency: opts.workers ?? 5 },
      this.log,
    );

    this.sets.addHandlers({
      add: (s) => this.queue.add(keyOf(s)),
      update: (_o, s) => this.queue.add(keyOf(s)),
      delete: (s) => this.queue.add(keyOf(s)),
    });
    const onPod = (pod: Pod) => {
      const ref = controllerOf(pod);
      if (ref) {
        if (ref.kind === 'StatefulSet') this.queue.add(`${pod.metadata?.namespace}/${ref.name}`);
        return;
      }
      // An orphan: any set that selects it may adopt it.
      for (const s of this.sets.list(pod.metadata?.namespace ?? '')) {
        if (isMemberOf(s, pod) && selectorMatches(s.spec?.selector, pod.metadata?.labels)) {
          this.queue.add(keyOf(s));
        }
      }
    };
    this.pods.addHandlers({
      add: onPod,
      update: (old, pod) => {
        const a = controllerOf(old);
        const b = controllerOf(pod);
        if (a && a.uid !== b?.uid) onPod(old);
        onPod(pod);
      },
      delete: onPod,
    });
    const onRevision = (r: ControllerRevision) => {
      const ref = controllerOf(r);
      if (ref?.kind === 'StatefulSet') this.queue.add(`${r.metadata?.namespace}/${ref.name}`);
    };
    this.revisions.addHandlers({ add: onRevision, update: (_o, r) => onRevision(r), delete: onRevision });
  }

  async start(): Promise<void> {
    await Promise.all([this.sets.synced(), this.pods.synced(), this.revisions.synced()]);
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves when no set is queued or being synced (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async sync(key: string): Promise<void> {
    const cached = this.sets.get(key);
    if (!cached) return;
    const set = asSet(structuredClone(cached));
    const ns = set.metadata?.namespace ?? '';
    if (!set.spec?.selector) return;

    const pods = await this.claimPods(set);
    const revisions = sortRevisions(await this.claimRevisions(set));
    const { current, update, collisionCount } = await this.resolveRevisions(set, revisions);

    const claims = claimTemplateNames(set);
    const warnKey = `${set.metadata?.uid}/${set.metadata?.generation}`;
    if (claims.length && !this.claimWarned.has(warnKey)) {
      this.claimWarned.add(warnKey);
      this.ctx.events.event(
        set,
        'Warning',
        'VolumeClaimTemplatesUnsupported',
        `svcnet's StatefulSet controller does not create PersistentVolumeClaims: volumeClaimTemplates ${claims.join(', ')} are not provisioned; pods get an emptyDir volume of the same name instead`,
      );
    }

    const plan = planStatefulSet({
      set,
      pods,
      currentRevision: current,
      updateRevision: update,
      collisionCount,
      now: Date.now(),
    });
    let failure: unknown;
    try {
      await this.apply(set, plan.actions, plan.burst);
    } catch (err) {
      failure = err;
    }
    const status = completeRollingUpdate(set, plan.status);
    if (statusChanged(set, status)) await this.writeStatus(set, status);

    const live = new Set<string>([current.metadata!.name!, update.metadata!.name!]);
    for (const p of pods) live.add(podRevision(p));
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    for (const r of revisionsToTruncate(revisions, live, limit)) {
      await this.ctx.client.delete(ControllerRevisions, ns, r.metadata!.name!).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
    if (failure) {
      if (isAlreadyExists(failure) || isNotFound(failure) || isConflict(failure)) {
        // A stale cache: try again once it caught up.
        this.queue.addAfter(key, 200);
        return;
      }
      throw failure;
    }
    const mrs = set.spec?.minReadySeconds ?? 0;
    if (mrs > 0 && (status.availableReplicas ?? 0) !== replicasOf(set)) this.queue.addAfter(key, mrs * 1000);
  }

  /** The set's pods: owned ones that still match, plus orphans it adopts; owned non-matching ones are released. */
  private async claimPods(set: StatefulSet): Promise<Pod[]> {
    const ns = set.metadata?.namespace ?? '';
    const uid = set.metadata?.uid;
    const out: Pod[] = [];
    let adoptable: boolean | undefined;
    for (const pod of this.pods.list(ns)) {
      const ref = controllerOf(pod);
      const matches = selectorMatches(set.spec?.selector, pod.metadata?.labels) && isMemberOf(set, pod);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches) out.push(pod);
        else if (!set.metadata?.deletionTimestamp)
          await this.setOwners(Pods, pod, (refs) => refs.filter((r) => r.uid !== uid));
        continue;
      }
      if (!matches || pod.metadata?.deletionTimestamp || set.metadata?.deletionTimestamp) continue;
      adoptable ??= await this.canAdopt(set);
      if (!adoptable) continue;
      const adopted = await this.setOwners(Pods, pod, (refs) => [...refs, controllerRefTo(set)]);
      if (adopted) out.push(adopted as Pod);
    }
    return out;
  }

  private async claimRevisions(set: StatefulSet): Promise<ControllerRevision[]> {
    const ns = set.metadata?.namespace ?? '';
    const out: ControllerRevision[] = [];
    let adoptable: boolean | undefined;
    for (const r of this.revisions.list(ns)) {
      if (!selectorMatches(set.spec?.selector, r.metadata?.labels)) continue;
      const ref = controllerOf(r);
      if (ref) {
        if (ref.uid === set.metadata?.uid) out.push(r);
        continue;
      }
      if (set.metadata?.deletionTimestamp) continue;
      adoptable ??= await this.canAdopt(set);
      if (!adoptable) continue;
      const adopted = await this.setOwners(ControllerRevisions, r, (refs) => [...refs, controllerRefTo(set)]);
      if (adopted) out.push(adopted as ControllerRevision);
    }
    return out;
  }

  /** Adoption only by a set that still exists under the same uid (a live read, not the cache). */
  private async canAdopt(set: StatefulSet): Promise<boolean> {
    try {
      const fresh = await this.ctx.client.get<StatefulSet>(
        StatefulSets,
        set.metadata!.namespace!,
        set.metadata!.name!,
      );
      return fresh.metadata?.uid === set.metadata?.uid && !fresh.metadata?.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async setOwners(
    rt: typeof Pods,
    obj: Obj,
    change: (refs: OwnerReference[]) => OwnerReference[],
  ): Promise<Obj | undefined> {
    const refs = change(obj.metadata?.ownerReferences ?? []);
    try {
      return await this.ctx.client.patch(rt, obj.metadata!.namespace!, obj.metadata!.name!, 'merge', {
        metadata: {
          ownerReferences: refs.length ? refs : null,
          resourceVersion: obj.metadata?.resourceVersion,
          uid: obj.metadata?.uid,
        },
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** getStatefulSetRevisions: find or create the update revision; the current one comes from status. */
  private async resolveRevisions(
    set: StatefulSet,
    revisions: ControllerRevision[],
  ): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    let collisionCount = set.status?.collisionCount ?? 0;
    const choice = chooseUpdateRevision(set, revisions, collisionCount);
    let update: ControllerRevision;
    const ns = set.metadata?.namespace ?? '';
    if (choice.kind === 'existing') update = choice.revision;
    else if (choice.kind === 'renumber') {
      update = await this.ctx.client.update(ControllerRevisions, {
        ...structuredClone(choice.revision),
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        revision: choice.to,
      });
    } else {
      // Name collisions with a revision of different content bump the collision count (history.CreateControllerRevision).
      let candidate = choice.revision;
      for (;;) {
        try {
          update = await this.ctx.client.create(ControllerRevisions, ns, candidate);
          break;
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          const existing = await this.ctx.client.get<ControllerRevision>(
            ControllerRevisions,
            ns,
            candidate.metadata!.name!,
          );
          if (controllerOf(existing)?.uid === set.metadata?.uid && equalRevision(existing, candidate)) {
            update = existing;
            break;
          }
          collisionCount++;
          candidate = newRevision(set, candidate.revision, collisionCount);
        }
      }
    }
    const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  private async apply(set: StatefulSet, actions: SetAction[], burst: boolean): Promise<void> {
    if (!burst) {
      for (const a of actions) await this.applyOne(set, a);
      return;
    }
    // slowStartBatch: 1, 2, 4, ... at once, stopping at the first batch with a failure.
    let i = 0;
    for (let size = 1; i < actions.length; size = Math.min(size * 2, MAX_BATCH)) {
      const batch = actions.slice(i, i + size);
      i += batch.length;
      const results = await Promise.allSettled(batch.map((a) => this.applyOne(set, a)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  private async applyOne(set: StatefulSet, a: SetAction): Promise<void> {
    const ns = set.metadata?.namespace ?? '';
    const pod = a.pod.metadata?.name ?? '';
    const setName = set.metadata?.name ?? '';
    const verb = a.type;
    try {
      if (a.type === 'create') await this.ctx.client.create(Pods, ns, a.pod);
      else if (a.type === 'update')
        await this.ctx.client.update(Pods, { ...a.pod, apiVersion: 'v1', kind: 'Pod' });
      else await this.ctx.client.delete(Pods, ns, pod);
    } catch (err) {
      // AlreadyExists is the cache lagging behind our own create: no event, as upstream.
      if (a.type === 'create' && isAlreadyExists(err)) throw err;
      if (a.type === 'delete' && isNotFound(err)) return;
      const title = verb[0]!.toUpperCase() + verb.slice(1);
      this.ctx.events.event(
        set,
        'Warning',
        `Failed${title}`,
        `${verb} Pod ${pod} in StatefulSet ${setName} failed error: ${(err as Error).message}`,
      );
      throw err;
    }
    const title = verb[0]!.toUpperCase() + verb.slice(1);
    this.ctx.events.event(
      set,
      'Normal',
      `Successful${title}`,
      `${verb} Pod ${pod} in StatefulSet ${setName} successful`,
    );
  }

  private async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    let target = set;
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await this.ctx.client.update(
          StatefulSets,
          { ...asSet(target), status: { ...target.status, ...status } },
          'status',
        );
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
        target = await this.ctx.client.get<StatefulSet>(
          StatefulSets,
          set.metadata!.namespace!,
          set.metadata!.name!,
        );
        if (target.metadata?.uid !== set.metadata?.uid) return;
      }
    }
  }
}
