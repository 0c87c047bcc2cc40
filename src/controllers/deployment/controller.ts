/**
 * The Deployment controller (upstream pkg/controller/deployment): owns
 * ReplicaSets named `<deployment>-<pod-template-hash>`, one per template
 * revision; rolls from old to new honouring maxSurge / maxUnavailable (or
 * Recreate), scales proportionally mid-rollout, keeps revisionHistoryLimit
 * old ReplicaSets for `kubectl rollout undo`, and reports status and
 * conditions for `kubectl rollout status`.
 */

import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { Deployments, Pods, ReplicaSets } from '../../client/resources.js';
import { type Informer, keyOf } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import { goQuote } from '../../k8s/gofmt.js';
import { errText } from '../../lib/errors.js';
import {
  adoptPatch,
  apiReason,
  getControllerOf,
  isEmptySelector,
  isNamespaceTerminating,
  newControllerRef,
  releasePatch,
  selectorMatches,
} from '../podutil.js';
import { claimObjects, recheckOwner } from '../replicaset/refmanager.js';
import { computeHash } from './hash.js';
import {
  planCleanup,
  planNewReplicaSet,
  planOldReplicaSets,
  planRecreateScaleDown,
  planScale,
  type ScaleOp,
} from './plan.js';
import { calculateStatus, progressCheckDelay, rolloutStatus, statusEqual } from './status.js';
import {
  actualReplicaCount,
  DEFAULT_UNIQUE_LABEL_KEY,
  deploymentComplete,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  FailedRSCreateReason,
  FoundNewRSReason,
  filterActive,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  hasProgressDeadline,
  maxRevision,
  maxSurge,
  NewReplicaSetReason,
  newCondition,
  newRSNewReplicas,
  PausedDeployReason,
  REVISION_ANNOTATION,
  ResumedDeployReason,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setCondition,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  TimedOutReason,
} from './util.js';

export interface DeploymentControllerOptions {
  /** Syncs running at once (upstream --concurrent-deployment-syncs, 5). */
  workers?: number;
  /** Clock, for tests. */
  now?: () => number;
}

const API_VERSION = 'apps/v1';
const KIND = 'Deployment';

const deploymentRef = (d: Deployment): Deployment => ({
  apiVersion: API_VERSION,
  kind: KIND,
  metadata: d.metadata,
});

export class DeploymentController implements Controller {
  readonly name = 'deployment-controller';
  private readonly deployments: Informer<Deployment>;
  private readonly rss: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly queue: WorkQueue;
  private readonly now: () => number;

  constructor(
    private readonly ctx: ControllerContext,
    opts: DeploymentControllerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.queue = new WorkQueue(
      'deployment',
      (key) => this.sync(key),
      { concurrency: opts.workers ?? 5 },
      ctx.log,
    );
    this.deployments = ctx.informers.informer<Deployment>(Deployments);
    this.rss = ctx.informers.informer<ReplicaSet>(ReplicaSets);
    this.pods = ctx.informers.informer<Pod>(Pods);
    this.deployments.addHandlers({
      add: (d) => this.queue.add(keyOf(d)),
      update: (_, d) => this.queue.add(keyOf(d)),
      delete: (d) => this.queue.add(keyOf(d)),
    });
    this.rss.addHandlers({
      add: (rs) => this.addReplicaSet(rs),
      update: (old, cur) => this.updateReplicaSet(old, cur),
      delete: (rs) => this.enqueueOwner(rs),
    });
    this.pods.addHandlers({ delete: (pod) => this.deletePod(pod) });
  }

  async start(): Promise<void> {
    await Promise.all([this.deployments.synced(), this.rss.synced(), this.pods.synced()]);
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves once no sync is queued or running (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ---- event handlers -------------------------------------------------------

  private resolve(namespace: string, ref: OwnerReference): Deployment | undefined {
    if (ref.kind !== KIND) return undefined;
    const d = this.deployments.get(`${namespace}/${ref.name}`);
    return d && d.metadata?.uid === ref.uid ? d : undefined;
  }

  /** Deployments whose selector matches an orphan ReplicaSet's labels. */
  private deploymentsFor(rs: ReplicaSet): Deployment[] {
    return this.deployments
      .list(rs.metadata?.namespace ?? '')
      .filter(
        (d) => !isEmptySelector(d.spec?.selector) && selectorMatches(d.spec?.selector, rs.metadata?.labels),
      );
  }

  private enqueueOwner(rs: ReplicaSet): void {
    const ref = getControllerOf(rs);
    const d = ref && this.resolve(rs.metadata?.namespace ?? '', ref);
    if (d) this.queue.add(keyOf(d));
  }

  private addReplicaSet(rs: ReplicaSet): void {
    if (rs.metadata?.deletionTimestamp || getControllerOf(rs)) {
      this.enqueueOwner(rs);
      return;
    }
    for (const d of this.deploymentsFor(rs)) this.queue.add(keyOf(d));
  }

  private updateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) this.enqueueOwner(old);
    if (curRef) {
      this.enqueueOwner(cur);
      return;
    }
    const labelsChanged =
      JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (labelsChanged || refChanged) for (const d of this.deploymentsFor(cur)) this.queue.add(keyOf(d));
  }

  /** Recreate waits for old pods to be gone: look again when the last one goes. */
  private deletePod(pod: Pod): void {
    const ns = pod.metadata?.namespace ?? '';
    const rsRef = getControllerOf(pod);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.rss.get(`${ns}/${rsRef.name}`);
    if (!rs || rs.metadata?.uid !== rsRef.uid) return;
    const dRef = getControllerOf(rs);
    const d = dRef && this.resolve(ns, dRef);
    if (d?.spec?.strategy?.type !== 'Recreate') return;
    const owned = new Set(this.ownedReplicaSets(d).map((r) => r.metadata?.uid));
    const left = this.pods.list(ns).some((p) => owned.has(getControllerOf(p)?.uid));
    if (!left) this.queue.add(keyOf(d));
  }

  private ownedReplicaSets(d: Deployment): ReplicaSet[] {
    return this.rss
      .list(d.metadata?.namespace ?? '')
      .filter((rs) => getControllerOf(rs)?.uid === d.metadata?.uid);
  }

  // ---- sync -----------------------------------------------------------------

  private async sync(key: string): Promise<void> {
    const cached = this.deployments.get(key);
    if (!cached) return;
    const d: Deployment = { ...structuredClone(cached), apiVersion: API_VERSION, kind: KIND };
    if (isEmptySelector(d.spec?.selector)) {
      this.ctx.events.event(
        deploymentRef(d),
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        d.status = { ...d.status, observedGeneration: d.metadata?.generation ?? 0 };
        await this.writeStatus(d);
      }
      return;
    }
    const rsList = await this.claimReplicaSets(d);
    if (d.metadata?.deletionTimestamp) return this.syncStatusOnly(d, rsList);
    await this.checkPausedConditions(d);
    if (d.spec?.paused) return this.syncScale(d, rsList);
    if (await this.isScalingEvent(d, rsList)) return this.syncScale(d, rsList);
    if (d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate(d, rsList);
    return this.rolloutRolling(d, rsList);
  }

  /** The ReplicaSets this deployment controls, after adopting and releasing (upstream getReplicaSetsForDeployment). */
  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const { client } = this.ctx;
    const ref = newControllerRef(d, API_VERSION, KIND);
    const ns = d.metadata!.namespace!;
    const { claimed, errors } = await claimObjects(this.rss.list(ns), {
      owner: d,
      controllerRef: ref,
      matches: (rs) => selectorMatches(d.spec?.selector, rs.metadata?.labels),
      canAdopt: () => recheckOwner(KIND, d, () => client.get<Deployment>(Deployments, ns, d.metadata!.name!)),
      adopt: async (rs) => {
        await client.patch(
          ReplicaSets,
          ns,
          rs.metadata!.name!,
          'strategic',
          adoptPatch(ref, rs.metadata!.uid!),
        );
      },
      release: async (rs) => {
        await client.patch(
          ReplicaSets,
          ns,
          rs.metadata!.name!,
          'strategic',
          releasePatch(d.metadata!.uid!, rs.metadata!.uid!),
        );
      },
    });
    if (errors.length) throw errors[0];
    return claimed;
  }

  /** Pods of each owned ReplicaSet, by ReplicaSet UID (upstream getPodMapForDeployment). */
  private podMap(d: Deployment, rsList: readonly ReplicaSet[]): Map<string, Pod[]> {
    const map = new Map<string, Pod[]>(rsList.map((rs) => [rs.metadata?.uid ?? '', []]));
    for (const pod of this.pods.list(d.metadata?.namespace ?? '')) {
      if (!selectorMatches(d.spec?.selector, pod.metadata?.labels)) continue;
      const uid = getControllerOf(pod)?.uid;
      if (uid !== undefined) map.get(uid)?.push(pod);
    }
    return map;
  }

  private async syncStatusOnly(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(d, rsList, false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /** Scaling events and paused deployments (upstream sync). */
  private async syncScale(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(d, rsList, false);
    const latest = await this.apply(planScale(d, newRS, oldRSs), d, true);
    const fresh = (rs: ReplicaSet) => latest.get(rs.metadata?.uid ?? '') ?? rs;
    if (d.spec?.paused) await this.cleanup(d, oldRSs.map(fresh));
    await this.syncDeploymentStatus([...oldRSs.map(fresh), newRS && fresh(newRS)], newRS && fresh(newRS), d);
  }

  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const found = await this.replicaSetsAndSyncRevision(d, rsList, true);
    const newRS = found.newRS!;
    const oldRSs = found.oldRSs;
    const all = [...oldRSs, newRS];

    const up = await this.apply(planNewReplicaSet(d, all, newRS), d, true);
    if (up.size) {
      const n = up.get(newRS.metadata?.uid ?? '') ?? newRS;
      return this.syncRolloutStatus([...oldRSs, n], n, d);
    }
    // Scale-down failures are not fatal: upstream carries on to the status (the RS updates retry next sync).
    const down = await this.apply(planOldReplicaSets(d, all, oldRSs, newRS), d, false);
    const fresh = (rs: ReplicaSet) => down.get(rs.metadata?.uid ?? '') ?? rs;
    if (down.size) return this.syncRolloutStatus([...oldRSs.map(fresh), newRS], newRS, d);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(d, oldRSs);
    await this.syncRolloutStatus(all, newRS, d);
  }

  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    // Never create the new ReplicaSet before the old pods are gone.
    let { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(d, rsList, false);
    const down = await this.apply(planRecreateScaleDown(oldRSs), d, true);
    if (down.size) {
      const fresh = (rs: ReplicaSet) => down.get(rs.metadata?.uid ?? '') ?? rs;
      return this.syncRolloutStatus([...oldRSs.map(fresh), newRS], newRS, d);
    }
    if (oldPodsRunning(newRS, oldRSs, this.podMap(d, rsList)))
      return this.syncRolloutStatus([...oldRSs, newRS], newRS, d);
    if (!newRS) ({ newRS, oldRSs } = await this.replicaSetsAndSyncRevision(d, rsList, true));
    const up = await this.apply(newRS ? [{ rs: newRS, to: replicasOf(d), verb: 'up' }] : [], d, true);
    const n = newRS && (up.get(newRS.metadata?.uid ?? '') ?? newRS);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(d, oldRSs);
    await this.syncRolloutStatus([...oldRSs, n], n, d);
  }

  /** A replicas change not yet reflected in an active ReplicaSet's desired-replicas annotation. */
  private async isScalingEvent(d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(d, rsList, false);
    return filterActive([...oldRSs, newRS]).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== replicasOf(d);
    });
  }

  private async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === TimedOutReason) return;
    const pausedCond = cond?.reason === PausedDeployReason;
    d.status ??= {};
    const status = d.status;
    if (d.spec?.paused && !pausedCond) {
      setCondition(
        status,
        newCondition('Progressing', 'Unknown', PausedDeployReason, 'Deployment is paused', this.now()),
      );
    } else if (!d.spec?.paused && pausedCond) {
      setCondition(
        status,
        newCondition('Progressing', 'Unknown', ResumedDeployReason, 'Deployment is resumed', this.now()),
      );
    } else return;
    await this.writeStatus(d);
  }

  /**
   * The new ReplicaSet (created when asked and missing) and the old ones,
   * with revisions brought up to date (upstream getAllReplicaSetsAndSyncRevision).
   */
  private async replicaSetsAndSyncRevision(
    d: Deployment,
    rsList: ReplicaSet[],
    create: boolean,
  ): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const oldRSs = findOldReplicaSets(d, rsList);
    const newRS = await this.newReplicaSet(d, rsList, oldRSs, create);
    return { newRS, oldRSs };
  }

  private async newReplicaSet(
    d: Deployment,
    rsList: ReplicaSet[],
    oldRSs: ReplicaSet[],
    create: boolean,
  ): Promise<ReplicaSet | undefined> {
    const { client, events } = this.ctx;
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    d.status ??= {};
    const status = d.status;
    if (existing) {
      const rs: ReplicaSet = { ...structuredClone(existing), apiVersion: API_VERSION, kind: 'ReplicaSet' };
      const annotationsChanged = setNewReplicaSetAnnotations(d, rs, newRevision, true);
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (annotationsChanged || (rs.spec?.minReadySeconds ?? 0) !== minReady) {
        rs.spec = { ...rs.spec!, minReadySeconds: minReady };
        return client.update<ReplicaSet>(ReplicaSets, rs);
      }
      let needsUpdate = setDeploymentRevision(d, rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? '');
      if (hasProgressDeadline(d) && !getCondition(status, 'Progressing')) {
        const msg = `Found new replica set ${goQuote(rs.metadata?.name ?? '')}`;
        setCondition(status, newCondition('Progressing', 'True', FoundNewRSReason, msg, this.now()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus(d);
      return rs;
    }
    if (!create) return undefined;

    const ns = d.metadata?.namespace ?? '';
    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(template, status.collisionCount);
    template.metadata = {
      ...template.metadata,
      labels: { ...template.metadata?.labels, [DEFAULT_UNIQUE_LABEL_KEY]: hash },
    };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...selector.matchLabels, [DEFAULT_UNIQUE_LABEL_KEY]: hash };
    const rs: ReplicaSet = {
      apiVersion: API_VERSION,
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata?.name}-${hash}`,
        namespace: ns,
        ownerReferences: [newControllerRef(d, API_VERSION, KIND)],
        labels: { ...template.metadata.labels },
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    const count = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec!.replicas = count;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await client.create<ReplicaSet>(ReplicaSets, ns, rs);
    } catch (err) {
      if (apiReason(err) === 'AlreadyExists') {
        alreadyExists = true;
        const name = rs.metadata!.name!;
        const other = this.rss.get(`${ns}/${name}`) ?? (await client.get<ReplicaSet>(ReplicaSets, ns, name));
        if (
          getControllerOf(other)?.uid === d.metadata?.uid &&
          equalIgnoreHash(d.spec?.template, other.spec?.template)
        ) {
          created = other;
        } else {
          // A hash collision: bump collisionCount so the next sync picks another name.
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.writeStatus(d).catch((e) => this.ctx.log.error(e, 'Updating collisionCount failed'));
          throw err;
        }
      } else if (isNamespaceTerminating(err)) {
        throw err;
      } else {
        const msg = `Failed to create new replica set ${goQuote(rs.metadata!.name!)}: ${errText(err)}`;
        if (hasProgressDeadline(d)) {
          setCondition(status, newCondition('Progressing', 'False', FailedRSCreateReason, msg, this.now()));
          await this.writeStatus(d).catch(() => {});
        }
        events.event(deploymentRef(d), 'Warning', FailedRSCreateReason, msg);
        throw err;
      }
    }
    if (!alreadyExists && count > 0) {
      events.event(
        deploymentRef(d),
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata?.name} from 0 to ${count}`,
      );
    }
    let needsUpdate = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      const msg = `Created new replica set ${goQuote(created.metadata?.name ?? '')}`;
      setCondition(status, newCondition('Progressing', 'True', NewReplicaSetReason, msg, this.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(d);
    return created;
  }

  /**
   * Applies resizes in order, recording ScalingReplicaSet events; answers the
   * updated ReplicaSets by UID. A failure stops the sequence and is thrown
   * when `fatal`, else logged (what was applied still counts).
   */
  private async apply(
    ops: readonly ScaleOp[],
    d: Deployment,
    fatal: boolean,
  ): Promise<Map<string, ReplicaSet>> {
    const latest = new Map<string, ReplicaSet>();
    const desired = replicasOf(d);
    const max = desired + maxSurge(d);
    for (const op of ops) {
      const uid = op.rs.metadata?.uid ?? '';
      const rs = latest.get(uid) ?? op.rs;
      const from = replicasOf(rs);
      const sizeChanges = from !== op.to;
      if (!sizeChanges && !op.refresh) continue;
      if (!sizeChanges && !replicasAnnotationsNeedUpdate(rs, desired, max)) continue;
      const next: ReplicaSet = { ...structuredClone(rs), apiVersion: API_VERSION, kind: 'ReplicaSet' };
      next.spec = { ...next.spec!, replicas: op.to };
      setReplicasAnnotations(next, desired, max);
      try {
        latest.set(uid, await this.ctx.client.update<ReplicaSet>(ReplicaSets, next));
      } catch (err) {
        if (fatal) throw err;
        this.ctx.log.error(err, 'Scaling replica set failed', { replicaSet: keyOf(rs) });
        break;
      }
      if (sizeChanges) {
        const verb = op.verb || (from < op.to ? 'up' : 'down');
        this.ctx.events.event(
          deploymentRef(d),
          'Normal',
          'ScalingReplicaSet',
          `Scaled ${verb} replica set ${rs.metadata?.name} from ${from} to ${op.to}`,
        );
      }
    }
    return latest;
  }

  private async cleanup(d: Deployment, oldRSs: readonly ReplicaSet[]): Promise<void> {
    for (const rs of planCleanup(d, oldRSs)) {
      try {
        await this.ctx.client.delete(ReplicaSets, rs.metadata?.namespace ?? '', rs.metadata?.name ?? '');
      } catch (err) {
        if (apiReason(err) !== 'NotFound') throw err;
      }
    }
  }

  private async syncDeploymentStatus(
    allRSs: (ReplicaSet | undefined)[],
    newRS: ReplicaSet | undefined,
    d: Deployment,
  ): Promise<void> {
    const next = calculateStatus(allRSs, newRS, d, this.now());
    if (statusEqual(d.status, next)) return;
    d.status = next;
    await this.writeStatus(d);
  }

  private async syncRolloutStatus(
    allRSs: (ReplicaSet | undefined)[],
    newRS: ReplicaSet | undefined,
    d: Deployment,
  ): Promise<void> {
    const now = this.now();
    const next = rolloutStatus(allRSs, newRS, d, now);
    if (statusEqual(d.status, next)) {
      // Nothing moved: come back when the progress deadline would pass.
      const delay = progressCheckDelay(d, next, now);
      if (delay !== undefined) this.queue.addAfter(keyOf(d), Math.max(delay, 100));
      return;
    }
    d.status = next;
    await this.writeStatus(d);
  }

  /**
   * PUT /status, as upstream (whose status strategy also takes the revision
   * annotation along). A server that keeps metadata out of status writes gets
   * the annotation through a merge patch instead.
   */
  private async writeStatus(d: Deployment): Promise<void> {
    const { client } = this.ctx;
    const res = await client.update<Deployment>(Deployments, d, 'status');
    d.metadata = { ...d.metadata, resourceVersion: res.metadata?.resourceVersion };
    const want = d.metadata?.annotations?.[REVISION_ANNOTATION];
    if (want !== undefined && res.metadata?.annotations?.[REVISION_ANNOTATION] !== want) {
      const patched = await client.patch<Deployment>(
        Deployments,
        d.metadata!.namespace!,
        d.metadata!.name!,
        'merge',
        {
          metadata: { annotations: { [REVISION_ANNOTATION]: want } },
        },
      );
      d.metadata = { ...d.metadata, resourceVersion: patched.metadata?.resourceVersion };
    }
  }
}

/** Old pods still around (upstream oldPodsRunning): Recreate waits for them. */
export function oldPodsRunning(
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
  podMap: ReadonlyMap<string, readonly Pod[]>,
): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    // Finished pods do not count; Unknown ones might still run.
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
