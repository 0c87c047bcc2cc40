/**
 * The EndpointSlice controller (upstream pkg/controller/endpointslice): one
 * work item per Service; a sync reads services, pods, nodes and our own
 * slices from informer caches, plans with the pure reconciler and writes the
 * plan. Pod changes enqueue the services that select the pod (before and
 * after a label change); slice changes we did not make enqueue their service
 * after a short delay; the tracker keeps a lagging cache from undoing our
 * own writes.
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { EndpointSlices, Nodes, Pods, Services } from '../../client/resources.js';
import { type Informer, keyOf } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import { errText, SvcnetError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { applySlicePlan, newChurn, type SliceChurn } from './apply.js';
import {
  ANNOTATION_TRIGGER_TIME,
  ENDPOINTSLICE_CONTROLLER,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
} from './labels.js';
import { serviceSelector, servicesSelecting, servicesToUpdateOnPodChange } from './pod.js';
import {
  DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  MAX_MAX_ENDPOINTS_PER_SLICE,
  planServiceSlices,
} from './reconciler.js';
import { EndpointSliceTracker } from './tracker.js';
import { setTriggerTimeAnnotation, TriggerTimeTracker } from './trigger-time.js';

export interface EndpointSliceControllerOptions {
  /** `--max-endpoints-per-slice`: default 100, at most 1000. */
  maxEndpointsPerSlice?: number;
  /** `--concurrent-service-endpoint-syncs`: services synced at once (default 5). */
  workers?: number;
  /** `--endpoint-updates-batch-period`: delay before a pod change is synced (default 0). */
  endpointUpdatesBatchPeriodMs?: number;
  /** First retry delay of a failed sync (upstream: 1 s, doubling to 1000 s). */
  syncBackoffMs?: number;
}

/** Upstream endpointSliceChangeMinSyncDelay: batches resyncs caused by slice changes. */
const SLICE_CHANGE_MIN_SYNC_DELAY_MS = 1000;
/** A sync that finds the slice cache behind our own write looks again after this long, doubling... */
const STALE_RETRY_MS = 20;
/** ...up to this. */
const STALE_RETRY_MAX_MS = 1000;

/** The sync found the slice cache behind our own writes; retried with backoff. */
export class StaleInformerCacheError extends SvcnetError {
  constructor() {
    super('STALE_INFORMER_CACHE', 'EndpointSlice informer cache is out of date');
  }
}

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice-controller';
  /** Slice writes since start (benchmarks and tests read it). */
  readonly churn: SliceChurn = newChurn();
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly queue: WorkQueue;
  private readonly tracker = new EndpointSliceTracker();
  private readonly staleRetries = new Map<string, number>();
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly maxEndpointsPerSlice: number;
  private readonly batchMs: number;
  private readonly sliceDelayMs: number;
  private readonly log: Logger;
  private markReady!: () => void;
  private readonly ready = new Promise<void>((r) => {
    this.markReady = r;
  });

  constructor(
    private readonly ctx: ControllerContext,
    opts: EndpointSliceControllerOptions = {},
  ) {
    const max = opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
    if (!Number.isInteger(max) || max < 1 || max > MAX_MAX_ENDPOINTS_PER_SLICE) {
      throw new RangeError(`--max-endpoints-per-slice must be between 1 and ${MAX_MAX_ENDPOINTS_PER_SLICE}`);
    }
    this.maxEndpointsPerSlice = max;
    this.batchMs = opts.endpointUpdatesBatchPeriodMs ?? 0;
    this.sliceDelayMs = Math.max(SLICE_CHANGE_MIN_SYNC_DELAY_MS, this.batchMs);
    this.log = ctx.log.named(this.name);
    this.queue = new WorkQueue(
      'endpoint_slice',
      async (key) => {
        await this.ready;
        await this.syncService(key);
      },
      { concurrency: opts.workers ?? 5, baseDelayMs: opts.syncBackoffMs ?? 1000, maxDelayMs: 1_000_000 },
      this.log,
    );

    this.services = ctx.informers.informer<Service>(Services);
    this.pods = ctx.informers.informer<Pod>(Pods);
    this.nodes = ctx.informers.informer<Node>(Nodes);
    this.slices = ctx.informers.informer<EndpointSlice>(EndpointSlices, {
      labelSelector: `${LABEL_MANAGED_BY}=${ENDPOINTSLICE_CONTROLLER}`,
    });

    this.services.addHandlers({
      add: (s) => this.queue.add(keyOf(s)),
      update: (_o, s) => this.queue.add(keyOf(s)),
      delete: (s) => this.queue.add(keyOf(s)),
    });
    this.pods.addHandlers({
      add: (p) => this.queuePodServices(p),
      update: (o, p) => {
        const svcs = this.services.list(p.metadata?.namespace ?? '');
        for (const k of servicesToUpdateOnPodChange(svcs, o, p)) this.queue.addAfter(k, this.batchMs);
      },
      delete: (p) => this.queuePodServices(p),
    });
    this.slices.addHandlers({
      add: (s) => {
        if (this.tracker.shouldSync(s)) this.queueForSlice(s);
      },
      update: (o, s) => {
        // Generation does not move on label changes; a moved service-name label concerns both services.
        if (o.metadata?.labels?.[LABEL_SERVICE_NAME] !== s.metadata?.labels?.[LABEL_SERVICE_NAME]) {
          this.queueForSlice(s);
          this.queueForSlice(o);
          return;
        }
        if (this.tracker.shouldSync(s)) this.queueForSlice(s);
      },
      // The informer only sees our slices, so a slice relabelled away from us also arrives here.
      delete: (s) => {
        if (this.tracker.has(s) && !this.tracker.handleDeletion(s)) this.queueForSlice(s);
      },
    });
  }

  async start(): Promise<void> {
    await Promise.all([
      this.services.synced(),
      this.pods.synced(),
      this.nodes.synced(),
      this.slices.synced(),
    ]);
    this.log.info('Caches synced; starting workers', { maxEndpointsPerSlice: this.maxEndpointsPerSlice });
    this.markReady();
  }

  stop(): void {
    this.queue.stop();
  }

  /** Resolves when no sync is queued, running or waiting (tests and benchmarks). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private queuePodServices(pod: Pod): void {
    const ns = pod.metadata?.namespace ?? '';
    for (const k of servicesSelecting(this.services.list(ns), ns, pod.metadata?.labels)) {
      this.queue.addAfter(k, this.batchMs);
    }
  }

  private queueForSlice(slice: EndpointSlice): void {
    const svc = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
    if (!svc) return;
    this.queue.addAfter(`${slice.metadata?.namespace ?? ''}/${svc}`, this.sliceDelayMs);
  }

  private managedSlices(namespace: string, name: string): EndpointSlice[] {
    return this.slices
      .byLabels(namespace, { [LABEL_SERVICE_NAME]: name, [LABEL_MANAGED_BY]: ENDPOINTSLICE_CONTROLLER })
      .filter((s) => !s.metadata?.deletionTimestamp);
  }

  /** Brings one service's slices to what its pods call for. */
  private async syncService(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const svc = this.services.get(key);
    if (!svc) {
      // The garbage collector removes the slices through their owner references.
      this.triggerTimes.deleteService(namespace, name);
      this.tracker.deleteService(namespace, name);
      return;
    }
    const selector = serviceSelector(svc);
    if (svc.spec?.type === 'ExternalName' || !selector) {
      // No slices from us. Slices we wrote while the service had a selector go
      // (upstream leaves them behind: kubernetes#118376); users own the rest.
      const stale = this.managedSlices(namespace, name);
      this.tracker.deleteService(namespace, name);
      if (stale.length) {
        await applySlicePlan({ toCreate: [], toUpdate: [], toDelete: stale }, namespace, {
          client: this.ctx.client,
          tracker: this.tracker,
          churn: this.churn,
          what: `Service ${key}`,
        });
      }
      return;
    }

    const pods = this.pods.byLabels(namespace, selector);
    const slices = this.managedSlices(namespace, name);
    if (this.tracker.staleSlices(svc, slices)) {
      // Our last write has not reached the slice cache yet: it usually does within
      // milliseconds, so look again shortly (20 ms doubling to 1 s), never escalating
      // into the error backoff that would park the service for minutes under load.
      const n = this.staleRetries.get(key) ?? 0;
      this.staleRetries.set(key, n + 1);
      this.queue.addAfter(key, Math.min(STALE_RETRY_MAX_MS, STALE_RETRY_MS * 2 ** n));
      return;
    }
    this.staleRetries.delete(key);

    // Computed on every sync so the tracker's state moves even when nothing is written.
    const triggerTime = this.triggerTimes.compute(svc, pods);
    const plan = planServiceSlices(
      svc,
      pods,
      slices,
      (n) => this.nodes.get(n),
      this.maxEndpointsPerSlice,
      ENDPOINTSLICE_CONTROLLER,
    );
    try {
      await applySlicePlan(plan, namespace, {
        client: this.ctx.client,
        tracker: this.tracker,
        churn: this.churn,
        skipCreates: !!svc.metadata?.deletionTimestamp,
        beforeWrite: (s) => {
          s.metadata ??= {};
          setTriggerTimeAnnotation(s.metadata, ANNOTATION_TRIGGER_TIME, triggerTime);
        },
        what: `Service ${key}`,
      });
    } catch (err) {
      this.ctx.events.event(
        svc,
        'Warning',
        'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${key}: ${errText(err)}`,
      );
      throw err;
    }
    // Pods on unknown nodes were left out; retry until their nodes show up.
    if (plan.errors.length) throw new Error(plan.errors.join('; '));
  }
}
