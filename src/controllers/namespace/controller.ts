/**
 * The namespace controller (upstream pkg/controller/namespace): when a
 * namespace is marked for deletion, delete everything in it, report what
 * remains in its status conditions, and once it is empty remove the
 * `kubernetes` finalizer through /finalize so the API server lets it go.
 *
 * It works only through the API, as upstream's namespaced resources deleter
 * does: discovery says which namespaced resources exist, each is emptied
 * with `deletecollection` and checked with `list`. Content with finalizers
 * of its own (or pods shutting down) takes time: the namespace is looked at
 * again with the work queue's per-key backoff, never longer than a minute
 * apart (upstream's namespace rate limiter).
 */
import type { Namespace, NamespaceCondition, Pod } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../../client/client.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import {
  type DiscoveredResource,
  resourceTypes,
  serverPreferredResources,
  supportsAllVerbs,
} from '../../client/discovery.js';
import { Namespaces, Pods } from '../../client/resources.js';
import type { Informer, Obj, ResourceType } from '../../client/types.js';
import { Requeue, WorkQueue } from '../../client/workqueue.js';
import { FINALIZER_KUBERNETES } from '../../k8s/namespace.js';
import type { Logger } from '../../lib/log.js';
import { deletionConditions, updateConditions } from './conditions.js';

export interface NamespaceControllerOptions {
  /** `--concurrent-namespace-syncs` (default 10). */
  workers?: number;
  /** The longest wait between two passes over a namespace whose content is still going (default 60 s). */
  maxRetryDelayMs?: number;
}

/** What one pass over a namespace's content found. */
interface ContentPass {
  remainingByResource: Map<string, number>;
  remainingByFinalizer: Map<string, number>;
  /** How long what remains may still take to go, in seconds (upstream's estimate). */
  estimateSeconds: number;
  discoveryError?: Error;
  contentErrors: string[];
}

/** Upstream's guess of how long content finalizers take (finalizerEstimateSeconds). */
const FINALIZER_ESTIMATE_SECONDS = 15;

const rfc3339 = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
/** Go's GroupVersionResource.String(), which upstream's messages use. */
const gvrString = (rt: ResourceType) => `${rt.group}/${rt.version}, Resource=${rt.resource}`;
const isPods = (rt: ResourceType) => rt.group === '' && rt.resource === 'pods';

export class NamespaceController implements Controller {
  readonly name = 'namespace-controller';
  private readonly namespaces: Informer<Namespace>;
  private readonly queue: WorkQueue;
  private readonly log: Logger;

  constructor(
    private readonly ctx: ControllerContext,
    opts: NamespaceControllerOptions = {},
  ) {
    this.log = ctx.log.named(this.name);
    this.queue = new WorkQueue(
      'namespace',
      (name) => this.sync(name),
      { concurrency: opts.workers ?? 10, maxDelayMs: opts.maxRetryDelayMs ?? 60_000 },
      this.log,
    );
    this.namespaces = ctx.informers.informer<Namespace>(Namespaces);
    const enqueue = (ns: Namespace) => {
      // Only namespaces being deleted are ours to look at.
      if (ns.metadata?.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    this.namespaces.addHandlers({ add: enqueue, update: (_old, ns) => enqueue(ns) });
  }

  async start(): Promise<void> {
    await this.namespaces.synced();
  }

  stop(): void {
    this.queue.stop();
  }

  /** One pass over a namespace being deleted (upstream's namespacedResourcesDeleter.Delete). */
  private async sync(name: string): Promise<void> {
    // Several parties edit a terminating namespace: start from the server's copy, not the cache.
    const ns = await this.getNamespace(name);
    if (!ns?.metadata?.deletionTimestamp) return;
    if (!ns.spec?.finalizers?.includes(FINALIZER_KUBERNETES)) return;

    const pass = await this.deleteAllContent(name, Date.parse(ns.metadata.deletionTimestamp));
    const conditions = deletionConditions(pass.remainingByResource, pass.remainingByFinalizer, {
      discovery: pass.discoveryError,
      content: pass.contentErrors,
    });
    const latest = await this.writeStatus(ns, conditions).catch((err) => {
      // As upstream: a failed status write does not hold the deletion up.
      this.log.error(err, 'Could not update the namespace status conditions', { namespace: name });
      return ns;
    });
    if (pass.discoveryError || pass.contentErrors.length) {
      throw new Error(
        [pass.discoveryError?.message, ...pass.contentErrors].filter((m) => m !== undefined).join('; '),
      );
    }
    if (pass.remainingByResource.size) {
      // Backoff, but never longer apart than upstream's fixed wait (estimate/2 + 1 s).
      const waitMs = (Math.floor(pass.estimateSeconds / 2) + 1) * 1000;
      this.log.v(4).info('Content remaining in namespace', { namespace: name, maxWaitMs: waitMs });
      throw new Requeue(`some content remains in namespace ${name}`, waitMs);
    }
    await this.finalize(latest);
    this.log.v(2).info('Namespace finalized', { namespace: name });
  }

  private async getNamespace(name: string): Promise<Namespace | undefined> {
    try {
      return await this.ctx.client.get<Namespace>(Namespaces, '', name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Deletes every namespaced resource's content and counts what remains (deleteAllContent). */
  private async deleteAllContent(namespace: string, deletedAtMs: number): Promise<ContentPass> {
    const pass: ContentPass = {
      remainingByResource: new Map(),
      remainingByFinalizer: new Map(),
      estimateSeconds: 0,
      contentErrors: [],
    };
    let resources: DiscoveredResource[] = [];
    try {
      const found = await serverPreferredResources(this.ctx.client);
      // Discovery errors are not fatal: the resources that were found are still emptied.
      pass.discoveryError = found.error;
      resources = resourceTypes(found.lists, (r) => r.namespaced && supportsAllVerbs('delete')(r));
    } catch (err) {
      pass.discoveryError = err instanceof Error ? err : new Error(String(err));
    }
    await Promise.all(
      resources.map(async (rt) => {
        try {
          const { left, estimateSeconds } = await this.deleteAllOf(rt, namespace, deletedAtMs);
          pass.estimateSeconds = Math.max(pass.estimateSeconds, estimateSeconds);
          if (!left.length) return;
          pass.remainingByResource.set(`${rt.resource}.${rt.group}`, left.length);
          for (const o of left)
            for (const f of o.metadata?.finalizers ?? [])
              pass.remainingByFinalizer.set(f, (pass.remainingByFinalizer.get(f) ?? 0) + 1);
        } catch (err) {
          pass.contentErrors.push(message(err));
        }
      }),
    );
    return pass;
  }

  /**
   * Empties one resource in the namespace (deleteAllContentForGroupVersionResource)
   * and answers what is still there, and how long it may take to go. Items
   * left that have no finalizer and no pod shutdown to wait for are an error,
   * as upstream reports them.
   */
  private async deleteAllOf(
    rt: DiscoveredResource,
    namespace: string,
    deletedAtMs: number,
  ): Promise<{ left: Obj[]; estimateSeconds: number }> {
    const { client } = this.ctx;
    const graceSeconds = isPods(rt) ? await this.podShutdownEstimate(namespace, deletedAtMs) : 0;
    // Background: no orphan finalizer from the garbage collector's defaults, everything goes.
    const opts = { propagationPolicy: 'Background' } as const;
    if (rt.verbs.includes('deletecollection')) {
      await client.deleteCollection(rt, namespace, opts);
    } else if (rt.verbs.includes('list')) {
      for (const item of (await client.list(rt, namespace)).items)
        await client.delete(rt, namespace, item.metadata?.name ?? '', opts).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
    }
    if (!rt.verbs.includes('list')) return { left: [], estimateSeconds: graceSeconds };
    const { items } = await client.list(rt, namespace);
    if (!items.length) return { left: [], estimateSeconds: 0 };
    if (graceSeconds > 0) return { left: items, estimateSeconds: graceSeconds };
    if (items.some((i) => i.metadata?.finalizers?.length))
      return { left: items, estimateSeconds: FINALIZER_ESTIMATE_SECONDS };
    throw new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${gvrString(rt)}`);
  }

  /**
   * How long pods may still take to shut down (estimateGracefulTermination):
   * the longest grace period of the namespace's running pods, or 0 once that
   * much time has passed since the namespace was deleted.
   */
  private async podShutdownEstimate(namespace: string, deletedAtMs: number): Promise<number> {
    const { items } = await this.ctx.client.list<Pod>(Pods, namespace);
    let estimate = 0;
    for (const p of items) {
      if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      estimate = Math.max(estimate, p.spec?.terminationGracePeriodSeconds ?? 0);
    }
    return Date.now() - deletedAtMs >= estimate * 1000 ? 0 : estimate;
  }

  /** Writes phase Terminating and the pass's conditions through /status when they change; answers the latest namespace. */
  private async writeStatus(ns: Namespace, wanted: NamespaceCondition[]): Promise<Namespace> {
    const conditions = updateConditions(ns.status?.conditions ?? [], wanted, rfc3339(Date.now()));
    if (!conditions && ns.status?.phase === 'Terminating') return ns;
    const next: Namespace = {
      ...ns,
      status: { ...ns.status, phase: 'Terminating', conditions: conditions ?? ns.status?.conditions },
    };
    return this.ctx.client.update<Namespace>(Namespaces, next, 'status');
  }

  /** Removes the `kubernetes` finalizer through /finalize, rereading the namespace on conflicts. */
  private async finalize(ns: Namespace): Promise<void> {
    let current = ns;
    for (;;) {
      const finalizers = [...new Set(current.spec?.finalizers ?? [])]
        .filter((f) => f !== FINALIZER_KUBERNETES)
        .sort();
      try {
        await this.ctx.client.update<Namespace>(
          Namespaces,
          { ...current, spec: { ...current.spec, finalizers } },
          'finalize',
        );
        return;
      } catch (err) {
        // Gone already: another finalizer-holder finished the job.
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
      }
      const fresh = await this.getNamespace(current.metadata!.name!);
      if (!fresh) return;
      if (fresh.metadata?.uid !== current.metadata?.uid)
        throw new Error('namespace uid has changed across retries');
      current = fresh;
    }
  }
}
