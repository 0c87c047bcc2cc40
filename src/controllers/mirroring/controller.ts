/**
 * The EndpointSlice mirroring controller (upstream
 * pkg/controller/endpointslicemirroring): a selector-less Service with a
 * user-written Endpoints of the same name gets that Endpoints mirrored into
 * slices managed by `endpointslicemirroring-controller.k8s.io`. Work items
 * are Endpoints keys; the mirrored slices go when the Endpoints or Service
 * goes, when the Service gains a selector, or when mirroring is skipped.
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { EndpointSlices, Endpoints as EndpointsRT, Services } from '../../client/resources.js';
import { type Informer, keyOf } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Logger } from '../../lib/log.js';
import { applySlicePlan, newChurn, type SliceChurn } from '../endpointslice/apply.js';
import { StaleInformerCacheError } from '../endpointslice/controller.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MIRRORING_CONTROLLER } from '../endpointslice/labels.js';
import { serviceSelector } from '../endpointslice/pod.js';
import { EndpointSliceTracker } from '../endpointslice/tracker.js';
import { DEFAULT_MAX_ENDPOINTS_PER_SUBSET, planMirroredSlices, shouldMirror } from './mirror.js';

export interface MirroringControllerOptions {
  /** `--mirroring-max-endpoints-per-subset` (default 1000). */
  maxEndpointsPerSubset?: number;
  /** `--mirroring-concurrent-service-endpoint-syncs` (default 5). */
  workers?: number;
  /** `--mirroring-endpointslice-updates-batch-period` (default 0). */
  endpointUpdatesBatchPeriodMs?: number;
}

export class EndpointSliceMirroringController implements Controller {
  readonly name = 'endpointslice-mirroring-controller';
  readonly churn: SliceChurn = newChurn();
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly queue: WorkQueue;
  private readonly tracker = new EndpointSliceTracker();
  private readonly maxPerSubset: number;
  private readonly batchMs: number;
  private readonly log: Logger;
  private markReady!: () => void;
  private readonly ready = new Promise<void>((r) => {
    this.markReady = r;
  });

  constructor(
    private readonly ctx: ControllerContext,
    opts: MirroringControllerOptions = {},
  ) {
    this.maxPerSubset = opts.maxEndpointsPerSubset ?? DEFAULT_MAX_ENDPOINTS_PER_SUBSET;
    if (!Number.isInteger(this.maxPerSubset) || this.maxPerSubset < 1 || this.maxPerSubset > 1000) {
      throw new RangeError('--mirroring-max-endpoints-per-subset must be between 1 and 1000');
    }
    this.batchMs = opts.endpointUpdatesBatchPeriodMs ?? 0;
    this.log = ctx.log.named(this.name);
    // Upstream's rate limiter: 1 s doubling to 100 s.
    this.queue = new WorkQueue(
      'endpoint_slice_mirroring',
      async (key) => {
        await this.ready;
        await this.syncEndpoints(key);
      },
      { concurrency: opts.workers ?? 5, baseDelayMs: 1000, maxDelayMs: 100_000 },
      this.log,
    );
    this.services = ctx.informers.informer<Service>(Services);
    this.endpoints = ctx.informers.informer<Endpoints>(EndpointsRT);
    this.slices = ctx.informers.informer<EndpointSlice>(EndpointSlices, {
      labelSelector: `${LABEL_MANAGED_BY}=${MIRRORING_CONTROLLER}`,
    });

    this.services.addHandlers({
      add: (s) => {
        if (!serviceSelector(s)) this.queue.add(keyOf(s));
      },
      update: (o, s) => {
        if (!serviceSelector(o) !== !serviceSelector(s)) this.queue.add(keyOf(s));
      },
      delete: (s) => {
        if (!serviceSelector(s)) this.queue.add(keyOf(s));
      },
    });
    this.endpoints.addHandlers({
      add: (e) => {
        if (shouldMirror(e)) this.queue.add(keyOf(e));
      },
      update: (o, e) => {
        if (shouldMirror(o) || shouldMirror(e)) this.queue.add(keyOf(e));
      },
      delete: (e) => {
        if (shouldMirror(e)) this.queue.add(keyOf(e));
      },
    });
    this.slices.addHandlers({
      add: (s) => {
        if (this.tracker.shouldSync(s)) this.queueForSlice(s);
      },
      update: (o, s) => {
        if (o.metadata?.labels?.[LABEL_SERVICE_NAME] !== s.metadata?.labels?.[LABEL_SERVICE_NAME]) {
          this.queueForSlice(s);
          this.queueForSlice(o);
          return;
        }
        if (this.tracker.shouldSync(s)) this.queueForSlice(s);
      },
      delete: (s) => {
        if (this.tracker.has(s) && !this.tracker.handleDeletion(s)) this.queueForSlice(s);
      },
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.services.synced(), this.endpoints.synced(), this.slices.synced()]);
    this.markReady();
  }

  stop(): void {
    this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private queueForSlice(slice: EndpointSlice): void {
    const name = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
    if (name) this.queue.addAfter(`${slice.metadata?.namespace ?? ''}/${name}`, this.batchMs);
  }

  private mirroredSlices(namespace: string, name: string): EndpointSlice[] {
    return this.slices.byLabels(namespace, {
      [LABEL_SERVICE_NAME]: name,
      [LABEL_MANAGED_BY]: MIRRORING_CONTROLLER,
    });
  }

  private async deleteMirrored(namespace: string, name: string): Promise<void> {
    this.tracker.deleteService(namespace, name);
    const slices = this.mirroredSlices(namespace, name);
    if (slices.length === 0) return;
    // The tracker forgot the service: these deletions trigger nothing.
    await applySlicePlan({ toCreate: [], toUpdate: [], toDelete: slices }, namespace, {
      client: this.ctx.client,
      tracker: new EndpointSliceTracker(),
      churn: this.churn,
      what: `Endpoints ${namespace}/${name}`,
    });
  }

  private async syncEndpoints(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const ep = this.endpoints.get(key);
    const svc = this.services.get(key);
    // Mirror only a user's Endpoints of an existing selector-less Service.
    if (!ep || !shouldMirror(ep) || !svc || serviceSelector(svc)) return this.deleteMirrored(namespace, name);

    const slices = this.mirroredSlices(namespace, name);
    if (this.tracker.staleSlices(svc, slices)) throw new StaleInformerCacheError();
    const plan = planMirroredSlices(ep, slices, this.maxPerSubset);
    if (plan.invalid > 0) {
      this.ctx.events.event(
        ep,
        'Warning',
        'InvalidIPAddress',
        `Skipped ${plan.invalid} invalid IP addresses when mirroring to EndpointSlices`,
      );
    }
    if (plan.skipped > plan.invalid) {
      this.ctx.events.event(
        ep,
        'Warning',
        'TooManyAddressesToMirror',
        `A max of ${this.maxPerSubset} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.skipped} addresses were skipped`,
      );
    }
    await applySlicePlan(plan, namespace, {
      client: this.ctx.client,
      tracker: this.tracker,
      churn: this.churn,
      skipCreates: !!ep.metadata?.deletionTimestamp,
      what: `Endpoints ${key}`,
    });
  }
}
