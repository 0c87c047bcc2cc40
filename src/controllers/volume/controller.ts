/**
 * The binding half of upstream's PersistentVolume controller
 * (pkg/controller/volume/persistentvolume): a Pending claim binds to a
 * matching Available volume (match.ts) in upstream's four writes (volume
 * claimRef, volume phase Bound, claim volumeName with the bind-completed
 * annotation, claim phase Bound with capacity and access modes); a volume
 * whose claim is gone becomes Released and is reclaimed by its policy:
 * Retain keeps it, Delete deletes the PersistentVolume object (no storage
 * behind it to delete), Recycle is not supported and fails the volume. No
 * dynamic provisioning: a claim with no match stays Pending with upstream's
 * events.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { PersistentVolumeClaims, PersistentVolumes } from '../../client/resources.js';
import { type Informer, keyOf } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import { errText } from '../../lib/errors.js';
import { claimClass, findMatchingVolume, isPreboundTo, mismatch } from './match.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';

export interface PersistentVolumeControllerOptions {
  /** Pending claims and unbound volumes are looked at again this often (upstream --pvclaimbinder-sync-period, 15 s). */
  resyncMs?: number;
}

const claimRefOf = (pvc: PersistentVolumeClaim) => ({
  kind: 'PersistentVolumeClaim',
  namespace: pvc.metadata?.namespace,
  name: pvc.metadata?.name,
  uid: pvc.metadata?.uid,
  apiVersion: 'v1',
  resourceVersion: pvc.metadata?.resourceVersion,
});

const asClaim = (pvc: PersistentVolumeClaim): PersistentVolumeClaim =>
  ({ ...pvc, apiVersion: 'v1', kind: 'PersistentVolumeClaim' }) as PersistentVolumeClaim;
const asVolume = (pv: PersistentVolume): PersistentVolume =>
  ({ ...pv, apiVersion: 'v1', kind: 'PersistentVolume' }) as PersistentVolume;

export class PersistentVolumeController implements Controller {
  readonly name = 'persistentvolume-binder-controller';
  private readonly volumes: Informer<PersistentVolume>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly claimQueue: WorkQueue;
  private readonly volumeQueue: WorkQueue;
  private readonly resyncMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    opts: PersistentVolumeControllerOptions = {},
  ) {
    this.resyncMs = opts.resyncMs ?? 15_000;
    this.claimQueue = new WorkQueue('claims', (k) => this.syncClaim(k), { concurrency: 1 }, ctx.log);
    this.volumeQueue = new WorkQueue('volumes', (k) => this.syncVolume(k), { concurrency: 1 }, ctx.log);
    this.volumes = ctx.informers.informer<PersistentVolume>(PersistentVolumes);
    this.claims = ctx.informers.informer<PersistentVolumeClaim>(PersistentVolumeClaims);
    const onVolume = (pv: PersistentVolume) => {
      this.volumeQueue.add(keyOf(pv));
      // A new or freed volume may be what a pending claim waits for.
      for (const pvc of this.claims.list()) if (!pvc.spec?.volumeName) this.claimQueue.add(keyOf(pvc));
    };
    this.volumes.addHandlers({ add: onVolume, update: (_o, pv) => onVolume(pv), delete: onVolume });
    const onClaim = (pvc: PersistentVolumeClaim) => {
      this.claimQueue.add(keyOf(pvc));
      if (pvc.spec?.volumeName) this.volumeQueue.add(pvc.spec.volumeName);
    };
    this.claims.addHandlers({
      add: onClaim,
      update: (_o, pvc) => onClaim(pvc),
      delete: (pvc) => {
        for (const pv of this.volumes.list(''))
          if (pv.spec?.claimRef?.uid === pvc.metadata?.uid) this.volumeQueue.add(keyOf(pv));
      },
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.volumes.synced(), this.claims.synced()]);
    this.timer = setInterval(() => this.resync(), this.resyncMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.claimQueue.stop();
    this.volumeQueue.stop();
  }

  /** Resolves when both queues are empty (tests). */
  async idle(): Promise<void> {
    await Promise.all([this.claimQueue.idle(), this.volumeQueue.idle()]);
  }

  private resync(): void {
    for (const pvc of this.claims.list()) this.claimQueue.add(keyOf(pvc));
    for (const pv of this.volumes.list('')) this.volumeQueue.add(keyOf(pv));
  }

  // ---- claims ----------------------------------------------------------------

  private async syncClaim(key: string): Promise<void> {
    const cached = this.claims.get(key);
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const pvc = structuredClone(cached);
    if (pvc.metadata?.annotations?.[ANN_BIND_COMPLETED] === undefined) return this.syncUnboundClaim(pvc);
    return this.syncBoundClaim(pvc);
  }

  private async syncUnboundClaim(pvc: PersistentVolumeClaim): Promise<void> {
    const volumes = this.volumes.list('');
    if (!pvc.spec?.volumeName) {
      const pv = findMatchingVolume(pvc, volumes);
      if (pv) return this.bind(pv, pvc);
      await this.setClaimPhase(pvc, 'Pending');
      const cls = claimClass(pvc);
      if (!cls)
        this.ctx.events.event(
          asClaim(pvc),
          'Normal',
          'FailedBinding',
          'no persistent volumes available for this claim and no storage class is set',
        );
      // No StorageClasses are served, so no provisioner can ever take the claim.
      else
        this.ctx.events.event(
          asClaim(pvc),
          'Warning',
          'ProvisioningFailed',
          `storageclass.storage.k8s.io "${cls}" not found`,
        );
      return;
    }
    // Pre-bound by the user to a named volume.
    const pv = volumes.find((v) => v.metadata?.name === pvc.spec!.volumeName);
    if (!pv) {
      await this.setClaimPhase(pvc, 'Pending');
      return;
    }
    if (!pv.spec?.claimRef || isPreboundTo(pv, pvc)) {
      const why = mismatch(pv, pvc);
      if (why !== undefined) {
        this.ctx.events.event(
          asClaim(pvc),
          'Warning',
          'VolumeMismatch',
          `Cannot bind to requested volume "${pv.metadata?.name}": ${why}`,
        );
        await this.setClaimPhase(pvc, 'Pending');
        return;
      }
      return this.bind(pv, pvc);
    }
    this.ctx.events.event(
      asClaim(pvc),
      'Warning',
      'FailedBinding',
      `volume "${pv.metadata?.name}" already bound to a different claim.`,
    );
    await this.setClaimPhase(pvc, 'Pending');
  }

  /** syncBoundClaim: a bound claim whose volume is gone is Lost. */
  private async syncBoundClaim(pvc: PersistentVolumeClaim): Promise<void> {
    const pv = this.volumes.get(pvc.spec?.volumeName ?? '');
    if (!pv) {
      if (pvc.status?.phase !== 'Lost') {
        this.ctx.events.event(
          asClaim(pvc),
          'Warning',
          'ClaimLost',
          'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
        );
        await this.setClaimPhase(pvc, 'Lost');
      }
      return;
    }
    if (!pv.spec?.claimRef) return this.bind(pv, pvc);
    if (pv.spec.claimRef.uid === pvc.metadata?.uid) {
      if (pvc.status?.phase !== 'Bound') await this.claimBoundStatus(pvc, pv);
      return;
    }
    if (pvc.status?.phase !== 'Lost') {
      this.ctx.events.event(
        asClaim(pvc),
        'Warning',
        'ClaimMisbound',
        'Two claims are bound to the same volume, this one is bound incorrectly',
      );
      await this.setClaimPhase(pvc, 'Lost');
    }
  }

  /** bind: the volume's claimRef and phase, then the claim's volumeName and status. */
  private async bind(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void> {
    let volume = structuredClone(pv);
    if (!isPreboundTo(volume, pvc) || !volume.spec?.claimRef?.uid) {
      const byController = !volume.spec?.claimRef;
      volume.spec = { ...volume.spec, claimRef: claimRefOf(pvc) };
      if (byController)
        volume.metadata = {
          ...volume.metadata,
          annotations: { ...volume.metadata?.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' },
        };
      volume = await this.ctx.client.update<PersistentVolume>(PersistentVolumes, asVolume(volume));
    }
    if (volume.status?.phase !== 'Bound')
      volume = await this.ctx.client.update<PersistentVolume>(
        PersistentVolumes,
        asVolume({
          ...volume,
          status: { ...volume.status, phase: 'Bound', message: undefined, reason: undefined },
        } as PersistentVolume),
        'status',
      );
    let claim = pvc;
    if (
      claim.spec?.volumeName !== volume.metadata?.name ||
      claim.metadata?.annotations?.[ANN_BIND_COMPLETED] === undefined
    ) {
      const annotations: Record<string, string> = {
        ...claim.metadata?.annotations,
        [ANN_BIND_COMPLETED]: 'yes',
      };
      if (claim.spec?.volumeName !== volume.metadata?.name) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      claim = await this.ctx.client.update<PersistentVolumeClaim>(
        PersistentVolumeClaims,
        asClaim({
          ...claim,
          metadata: { ...claim.metadata, annotations },
          spec: { ...claim.spec, volumeName: volume.metadata?.name },
        } as PersistentVolumeClaim),
      );
    }
    await this.claimBoundStatus(claim, volume);
  }

  private async claimBoundStatus(pvc: PersistentVolumeClaim, pv: PersistentVolume): Promise<void> {
    await this.ctx.client.update(
      PersistentVolumeClaims,
      asClaim({
        ...pvc,
        status: {
          ...pvc.status,
          phase: 'Bound',
          accessModes: pv.spec?.accessModes,
          capacity: pv.spec?.capacity,
        },
      } as PersistentVolumeClaim),
      'status',
    );
  }

  private async setClaimPhase(pvc: PersistentVolumeClaim, phase: string): Promise<void> {
    if (pvc.status?.phase === phase) return;
    await this.ctx.client.update(
      PersistentVolumeClaims,
      asClaim({ ...pvc, status: { ...pvc.status, phase } } as PersistentVolumeClaim),
      'status',
    );
  }

  // ---- volumes ---------------------------------------------------------------

  private async syncVolume(key: string): Promise<void> {
    const cached = this.volumes.get(key);
    if (!cached || cached.metadata?.deletionTimestamp) return;
    const pv = structuredClone(cached);
    const ref = pv.spec?.claimRef;
    if (!ref) {
      await this.setVolumePhase(pv, 'Available');
      return;
    }
    const pvc = this.claims.get(`${ref.namespace}/${ref.name}`);
    if (!ref.uid) {
      // Pre-bound by name by the admin: Available until the claim binds it.
      if (!pvc) await this.setVolumePhase(pv, 'Available');
      else this.claimQueue.add(keyOf(pvc));
      return;
    }
    if (!pvc || pvc.metadata?.uid !== ref.uid) return this.release(pv);
    if (!pvc.spec?.volumeName) {
      // The claim's half of the binding is still to come.
      this.claimQueue.add(keyOf(pvc));
      return;
    }
    if (pvc.spec.volumeName === pv.metadata?.name) {
      await this.setVolumePhase(pv, 'Bound');
      return;
    }
    // The claim went to another volume: undo a binding the controller made.
    if (pv.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined) {
      const annotations = { ...pv.metadata.annotations };
      delete annotations[ANN_BOUND_BY_CONTROLLER];
      const spec = { ...pv.spec };
      delete spec.claimRef;
      const updated = await this.ctx.client.update<PersistentVolume>(
        PersistentVolumes,
        asVolume({ ...pv, metadata: { ...pv.metadata, annotations }, spec }),
      );
      await this.setVolumePhase(updated, 'Available');
    }
  }

  /** The claim is gone: Released, then the reclaim policy. */
  private async release(pv: PersistentVolume): Promise<void> {
    let volume = pv;
    if (volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed')
      volume = await this.setVolumePhase(volume, 'Released');
    const policy = volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain' || volume.status?.phase === 'Failed') return;
    if (policy === 'Delete') {
      try {
        await this.ctx.client.delete(PersistentVolumes, '', volume.metadata!.name!);
      } catch (err) {
        if (isNotFound(err)) return;
        this.ctx.events.event(asVolume(volume), 'Warning', 'VolumeFailedDelete', errText(err));
        throw err;
      }
      return;
    }
    this.ctx.events.event(
      asVolume(volume),
      'Warning',
      'VolumeFailedRecycle',
      'No recycler plugin found for the volume!',
    );
    await this.setVolumePhase(volume, 'Failed', 'No recycler plugin found for the volume!');
  }

  private async setVolumePhase(
    pv: PersistentVolume,
    phase: string,
    message?: string,
  ): Promise<PersistentVolume> {
    if (pv.status?.phase === phase) return pv;
    try {
      return await this.ctx.client.update<PersistentVolume>(
        PersistentVolumes,
        asVolume({
          ...pv,
          status: { ...pv.status, phase, ...(message ? { message } : {}) },
        } as PersistentVolume),
        'status',
      );
    } catch (err) {
      // A stale copy: the next event brings the fresh one.
      if (isConflict(err) || isNotFound(err)) return pv;
      throw err;
    }
  }
}
