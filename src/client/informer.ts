/**
 * Shared informers (client-go's reflector + indexer + shared informer): one
 * list + watch per (resource, namespace, selectors), a cache indexed by
 * namespace, and handlers called in event order after the cache changed.
 * A watch that ends is resumed from the last resourceVersion seen; 410 Gone
 * (or a failing resume) relists, and the relist is diffed against the cache
 * so handlers see exactly the adds, updates and deletes that were missed.
 */
import { type Logger, silentLogger } from '../lib/log.js';
import { isGone } from './client.js';
import {
  type ApiClient,
  type Informer,
  type InformerHandlers,
  keyOf,
  type Obj,
  type ResourceType,
  type WatchHandle,
} from './types.js';

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

const PAGE = 500;
const MAX_BACKOFF_MS = 30_000;

class ListWatchInformer<T extends Obj> implements Informer<T> {
  private readonly items = new Map<string, T>();
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private rv = '';
  private synced_ = false;
  private readonly syncWaiters: (() => void)[] = [];
  private watchHandle: WatchHandle | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private failures = 0;

  constructor(
    readonly rt: ResourceType,
    private readonly opts: InformerOptions,
    private readonly client: ApiClient,
    private readonly log: Logger,
  ) {}

  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    // Late handlers see the current cache as adds, like client-go's.
    if (this.synced_) for (const o of this.items.values()) this.call(() => h.add?.(o));
  }

  synced(): Promise<void> {
    return this.synced_ ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  hasSynced(): boolean {
    return this.synced_;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.items.values()];
    return [...(this.byNamespace.get(namespace)?.values() ?? [])];
  }

  byLabels(namespace: string, selector: Record<string, string>): T[] {
    const entries = Object.entries(selector);
    const out: T[] = [];
    for (const o of this.byNamespace.get(namespace)?.values() ?? []) {
      const labels = o.metadata?.labels ?? {};
      if (entries.every(([k, v]) => labels[k] === v)) out.push(o);
    }
    return out;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.relist();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.watchHandle?.stop();
    this.watchHandle = undefined;
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error(err, 'Informer handler failed', { resource: this.rt.resource });
    }
  }

  private retryLater(what: () => void): void {
    if (!this.running) return;
    this.failures++;
    const delay = Math.min(MAX_BACKOFF_MS, 200 * 2 ** Math.min(this.failures, 8));
    this.timer = setTimeout(what, delay * (0.5 + Math.random() / 2));
  }

  private async relist(): Promise<void> {
    if (!this.running) return;
    const fresh = new Map<string, T>();
    let rv = '';
    try {
      let cont: string | undefined;
      do {
        const page = await this.client.list<T>(this.rt, this.opts.namespace ?? '', {
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          limit: PAGE,
          continue: cont,
        });
        for (const o of page.items) fresh.set(keyOf(o), o);
        rv = page.resourceVersion;
        cont = page.continue;
      } while (cont);
    } catch (err) {
      if (this.running)
        this.log.warn('List failed; retrying', { resource: this.rt.resource, err: String(err) });
      this.retryLater(() => void this.relist());
      return;
    }
    if (!this.running) return;
    this.replace(fresh);
    this.rv = rv;
    if (!this.synced_) {
      this.synced_ = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
    this.watch();
  }

  /** Makes the cache equal to a fresh list, telling handlers what changed. */
  private replace(fresh: Map<string, T>): void {
    for (const [key, old] of this.items) if (!fresh.has(key)) this.remove(key, old);
    for (const [key, obj] of fresh) this.upsert(key, obj);
  }

  private upsert(key: string, obj: T): void {
    const old = this.items.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    this.items.set(key, obj);
    const ns = obj.metadata?.namespace ?? '';
    const m = this.byNamespace.get(ns) ?? new Map<string, T>();
    this.byNamespace.set(ns, m);
    m.set(key, obj);
    for (const h of this.handlers) this.call(() => (old ? h.update?.(old, obj) : h.add?.(obj)));
  }

  private remove(key: string, last: T): void {
    const old = this.items.get(key);
    if (!old) return;
    this.items.delete(key);
    this.byNamespace.get(old.metadata?.namespace ?? '')?.delete(key);
    for (const h of this.handlers) this.call(() => h.delete?.(last));
  }

  private watch(): void {
    if (!this.running) return;
    const started = Date.now();
    this.watchHandle = this.client.watch<T>(
      this.rt,
      this.opts.namespace ?? '',
      {
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        resourceVersion: this.rv,
        allowWatchBookmarks: true,
        // client-go picks a random timeout in [5, 10) minutes so watches do not end together.
        timeoutSeconds: Math.floor(300 + Math.random() * 300),
      },
      (ev) => {
        const rv = ev.object.metadata?.resourceVersion;
        if (rv) this.rv = rv;
        if (ev.type === 'BOOKMARK') return;
        const key = keyOf(ev.object);
        if (ev.type === 'DELETED') this.remove(key, ev.object);
        else this.upsert(key, ev.object);
        this.failures = 0;
      },
      (err) => {
        this.watchHandle = undefined;
        if (!this.running) return;
        if (isGone(err)) {
          void this.relist();
        } else if (err) {
          this.log.warn('Watch failed; resuming', { resource: this.rt.resource, err: String(err) });
          this.retryLater(() => void this.relist());
        } else if (Date.now() - started < 1000) {
          // A watch that ends at once, without error, is a server going away: back off.
          this.retryLater(() => this.watch());
        } else {
          this.watch();
        }
      },
    );
  }
}

/** One informer per (resource, namespace, selectors), shared by every controller that asks. */
export class SharedInformerFactory {
  private readonly informers = new Map<string, ListWatchInformer<Obj>>();
  private started = false;

  constructor(
    private readonly client: ApiClient,
    private readonly log: Logger = silentLogger,
  ) {}

  informer<T extends Obj>(rt: ResourceType, opts: InformerOptions = {}): Informer<T> {
    const key = JSON.stringify([
      rt.group,
      rt.resource,
      opts.namespace ?? '',
      opts.labelSelector ?? '',
      opts.fieldSelector ?? '',
    ]);
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new ListWatchInformer<Obj>(rt, opts, this.client, this.log);
      this.informers.set(key, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const i of this.informers.values()) i.start();
  }

  stop(): void {
    this.started = false;
    for (const i of this.informers.values()) i.stop();
  }

  async synced(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.synced()));
  }
}
