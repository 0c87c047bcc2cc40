/**
 * The Endpoints controller (upstream pkg/controller/endpoint): keeps one
 * core/v1 Endpoints per selector Service. Endpoints of selector-less services
 * belong to their users and are never touched; Endpoints whose Service is
 * gone are deleted (also those left over from before a restart).
 */
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { Endpoints as EndpointsRT, Pods, Services } from '../../client/resources.js';
import { type Informer, keyOf } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import { errText } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import { isNamespaceTerminating } from '../endpointslice/apply.js';
import { ANNOTATION_LEADER } from '../endpointslice/labels.js';
import { serviceSelector, servicesSelecting, servicesToUpdateOnPodChange } from '../endpointslice/pod.js';
import { TriggerTimeTracker } from '../endpointslice/trigger-time.js';
import { desiredEndpoints } from './subsets.js';

export interface EndpointsControllerOptions {
  /** `--concurrent-endpoint-syncs` (default 5). */
  workers?: number;
  /** `--endpoint-updates-batch-period` (default 0). */
  endpointUpdatesBatchPeriodMs?: number;
}

export class EndpointsController implements Controller {
  readonly name = 'endpoints-controller';
  /** Endpoints writes since start. */
  readonly writes = { creates: 0, updates: 0, deletes: 0 };
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly queue: WorkQueue;
  private readonly triggerTimes = new TriggerTimeTracker();
  /**
   * Resource versions we replaced (upstream staleEndpointsTracker): seeing one
   * of them in the cache again means the cache has not caught up with our write.
   */
  private readonly replacedVersions = new Map<string, string>();
  private readonly batchMs: number;
  private readonly log: Logger;
  private markReady!: () => void;
  private readonly ready = new Promise<void>((r) => {
    this.markReady = r;
  });

  constructor(
    private readonly ctx: ControllerContext,
    opts: EndpointsControllerOptions = {},
  ) {
    this.batchMs = opts.endpointUpdatesBatchPeriodMs ?? 0;
    this.log = ctx.log.named(this.name);
    // client-go's default controller rate limiter: 5 ms doubling to 1000 s.
    this.queue = new WorkQueue(
      'endpoint',
      async (key) => {
        await this.ready;
        await this.syncService(key);
      },
      { concurrency: opts.workers ?? 5 },
      this.log,
    );
    this.services = ctx.informers.informer<Service>(Services);
    this.pods = ctx.informers.informer<Pod>(Pods);
    this.endpoints = ctx.informers.informer<Endpoints>(EndpointsRT);

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
    this.endpoints.addHandlers({ delete: (e) => this.queue.add(keyOf(e)) });
  }

  async start(): Promise<void> {
    await Promise.all([this.services.synced(), this.pods.synced(), this.endpoints.synced()]);
    this.markReady();
    // Leftovers: Endpoints whose Service went while we were down (leader-election records excepted).
    for (const ep of this.endpoints.list()) {
      if (ep.metadata?.annotations?.[ANNOTATION_LEADER] === undefined) this.queue.add(keyOf(ep));
    }
  }

  stop(): void {
    this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private queuePodServices(pod: Pod): void {
    const ns = pod.metadata?.namespace ?? '';
    for (const k of servicesSelecting(this.services.list(ns), ns, pod.metadata?.labels)) {
      this.queue.addAfter(k, this.batchMs);
    }
  }

  private async syncService(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const svc = this.services.get(key);
    if (!svc) {
      try {
        await this.ctx.client.delete(EndpointsRT, namespace, name);
        this.writes.deletes++;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.triggerTimes.deleteService(namespace, name);
      this.replacedVersions.delete(key);
      return;
    }
    // ExternalName and selector-less services: not ours to manage.
    const selector = serviceSelector(svc);
    if (svc.spec?.type === 'ExternalName' || !selector) return;

    const pods = this.pods.byLabels(namespace, selector);
    const triggerTime = this.triggerTimes.compute(svc, pods);
    const current = this.endpoints.get(key);
    if (current && this.replacedVersions.get(key) === current.metadata?.resourceVersion) {
      throw new Error(
        `endpoints informer cache is out of date, resource version ${current.metadata?.resourceVersion} already processed for endpoints ${key}`,
      );
    }
    const want = desiredEndpoints(svc, pods, current, triggerTime);
    if (!want) return;
    try {
      if (want.create) {
        await this.ctx.client.create(EndpointsRT, namespace, want.endpoints);
        this.writes.creates++;
      } else {
        const updated = await this.ctx.client.update(EndpointsRT, want.endpoints);
        this.writes.updates++;
        if (updated.metadata?.resourceVersion !== current?.metadata?.resourceVersion) {
          this.replacedVersions.set(key, current?.metadata?.resourceVersion ?? '');
        }
      }
    } catch (err) {
      if (want.create && isNamespaceTerminating(err)) return;
      const msg = errText(err);
      if (want.create) {
        this.ctx.events.event(
          want.endpoints,
          'Warning',
          'FailedToCreateEndpoint',
          `Failed to create endpoint for service ${key}: ${msg}`,
        );
      } else {
        this.ctx.events.event(
          want.endpoints,
          'Warning',
          'FailedToUpdateEndpoint',
          `Failed to update endpoint ${key}: ${msg}`,
        );
      }
      throw err;
    }
  }
}
