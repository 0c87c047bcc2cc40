/**
 * The generic registry store of one resource (upstream's
 * `registry/generic/registry.Store`): object metadata, the strategy hooks in
 * upstream order, compare-and-swap persistence, finalizer-aware deletion,
 * and consistent reads, lists and watches served by the watch cache.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import {
  type FieldRequirement,
  type LabelRequirement,
  matchesFields,
  matchesLabels,
} from '../../k8s/selectors.js';
import { StatusError, statusErrors } from '../../k8s/status.js';
import { jsonEqual } from '../../lib/json.js';
import { type KeyValue, type Store, StoreError } from '../../store/store.js';
import type { FinishFunc, KubeObject, Strategy, WriteContext } from '../registry/strategy.js';
import { groupKind, groupResource, type ResourceInfo } from '../resource.js';
import {
  type CachedObject,
  type CacheEvent,
  type CacheFilter,
  Cacher,
  type CacheWatch,
  decodeStored,
  ShutdownError,
} from './cacher.js';

export interface ListOptions {
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
  limit?: number;
  continue?: string;
  /** '' (consistent latest), '0' (any), or a revision. */
  resourceVersion?: string;
  resourceVersionMatch?: '' | 'NotOlderThan' | 'Exact';
}

export interface ListResult {
  items: CachedObject[];
  revision: number;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  dryRun?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  /** The deprecated orphanDependents: when set, it decides (true: orphan; false: neither finalizer). */
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
}

export interface DeleteResult {
  /** The object as deleted, or as marked for deletion when finalizers hold it. */
  object: KubeObject;
  /** False when finalizers keep the object (it now has a deletionTimestamp). */
  deleted: boolean;
}

export interface WatchOptions {
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
  /** '' or '0': start with the current state as ADDED events; else: changes after it. */
  resourceVersion?: string;
  /** WatchList: initial state, then a bookmark marking its end. */
  sendInitialEvents?: boolean;
}

/** Checks that run before writes reach the strategy (upstream admission plugins); they throw StatusErrors. */
export interface Admission {
  create?(info: ResourceInfo, namespace: string, name: string): void | Promise<void>;
  delete?(info: ResourceInfo, namespace: string, name: string): void | Promise<void>;
}

export interface RegistryWatch {
  close(): void;
  /**
   * Sends a BOOKMARK now, at a revision the client has seen every event up
   * to; nothing before the watch is live (initial events still being sent).
   */
  bookmark(): void;
}

export interface RegistryWatchHandlers {
  onEvent(e: CacheEvent | { type: 'BOOKMARK'; revision: number; initialEventsEnd?: boolean }): void;
  onError(err: StatusError): void;
  /** The watch ended without error (server shutdown). */
  onEnd(): void;
}

/** The update a caller computes from the current object (undefined when absent). */
export type UpdateFunc = (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>;

export interface UpdateOptions {
  dryRun?: boolean;
  subresource?: 'status' | 'finalize' | '';
  /** The object may be created by this update (PUT with AllowCreateOnUpdate, server-side apply). */
  allowCreate?: boolean;
  /**
   * A write of the server's own that skips the strategy (upstream's direct
   * GuaranteedUpdate on storage, as pods/binding does to set spec.nodeName).
   */
  raw?: boolean;
}

const nameChars = 'bcdfghjklmnpqrstvwxz2456789';
/** Upstream's SimpleNameGenerator: base + 5 random characters. */
export function generateName(base: string): string {
  const max = 63 - 5;
  const prefix = base.length > max ? base.slice(0, max) : base;
  const bytes = randomBytes(5);
  let s = '';
  for (const b of bytes) s += nameChars[b % nameChars.length];
  return prefix + s;
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export const timestamp = (d = new Date()): string => `${d.toISOString().slice(0, 19)}Z`;

const clone = <T>(o: T): T => structuredClone(o) as T;

/** Conflicts mean another writer made progress, so retrying converges; this only bounds a pathological case. */
const MAX_RETRIES = 1000;

/** ObjectMeta with its system fields writable: the registry is what sets them. */
type Meta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };
function metaOf(obj: KubeObject): Meta {
  obj.metadata ??= {};
  return obj.metadata as Meta;
}

export class Registry {
  readonly cache: Cacher;
  private readonly strategy: Strategy;

  constructor(
    readonly info: ResourceInfo,
    private readonly store: Store,
    /** Admission checks before writes (e.g. namespace lifecycle). */
    private readonly admission?: Admission,
    /** Events the watch cache keeps for watches from the recent past. */
    cacheHistory = 10_000,
  ) {
    this.cache = new Cacher(store, `${info.storagePrefix}/`, cacheHistory);
    this.strategy = info.strategy;
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  stop(): void {
    this.cache.stop();
  }

  key(namespace: string, name: string): string {
    return this.info.namespaced
      ? `${this.info.storagePrefix}/${namespace}/${name}`
      : `${this.info.storagePrefix}/${name}`;
  }

  /** The key prefix of a namespace's objects ('' namespace: all). */
  prefix(namespace: string): string {
    return this.info.namespaced && namespace
      ? `${this.info.storagePrefix}/${namespace}/`
      : `${this.info.storagePrefix}/`;
  }

  private notFound(name: string): StatusError {
    return statusErrors.notFound(groupResource(this.info), name);
  }

  /** A consistent read of one object. */
  async get(namespace: string, name: string): Promise<CachedObject> {
    await this.cache.sync();
    const o = this.cache.get(this.key(namespace, name));
    if (!o) throw this.notFound(name);
    return o;
  }

  /** Reads without waiting for the cache to catch up (for internal callers that tolerate staleness). */
  peek(namespace: string, name: string): CachedObject | undefined {
    return this.cache.get(this.key(namespace, name));
  }

  filter(opts: {
    labelSelector?: LabelRequirement[];
    fieldSelector?: FieldRequirement[];
  }): CacheFilter | undefined {
    const labels = opts.labelSelector?.length ? opts.labelSelector : undefined;
    const fields = opts.fieldSelector?.length ? opts.fieldSelector : undefined;
    if (!labels && !fields) return undefined;
    const getters = this.info.fieldGetters;
    return (o) =>
      (!labels || matchesLabels(labels, o.obj.metadata?.labels)) &&
      (!fields || matchesFields(fields, getters, o.obj));
  }

  async list(namespace: string, opts: ListOptions = {}): Promise<ListResult> {
    const prefix = this.prefix(namespace);
    const filter = this.filter(opts);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    let atRevision: number | undefined;
    let startKey: string | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue, prefix);
      startKey = token.start;
      // A negative revision (handed out with a 410 for a compacted snapshot) continues at the latest.
      if (token.rv > 0) atRevision = token.rv;
      else await this.cache.sync();
    } else if (opts.resourceVersionMatch === 'Exact') {
      atRevision = parseRevision(opts.resourceVersion);
    } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
      await this.cache.waitFor(parseRevision(opts.resourceVersion));
    } else if (opts.resourceVersion !== '0') {
      await this.cache.sync();
    }

    if (atRevision !== undefined && atRevision !== this.cache.revision) {
      return this.listFromStore(prefix, atRevision, startKey, limit, filter);
    }
    const revision = this.cache.revision;
    // A page visits limit + 1 objects, not the rest of the list (paging through n objects stays O(n)).
    const all = this.cache.list(prefix, filter, startKey, limit ? limit + 1 : 0);
    if (!limit || all.length <= limit) return { items: all, revision };
    const items = all.slice(0, limit);
    const last = items[items.length - 1]!;
    return {
      items,
      revision,
      continue: encodeContinue(revision, `${last.key}\x00`, prefix),
      remainingItemCount: filter ? undefined : this.cache.count(prefix, startKey) - limit,
    };
  }

  /** A page of a list at an older revision (a continued list whose snapshot moved on). */
  private async listFromStore(
    prefix: string,
    revision: number,
    startKey: string | undefined,
    limit: number,
    filter: CacheFilter | undefined,
  ): Promise<ListResult> {
    const items: CachedObject[] = [];
    let next = startKey;
    try {
      for (;;) {
        const page = await this.store.list(prefix, {
          revision,
          startKey: next,
          limit: limit ? limit + 1 : 0,
        });
        for (const kv of page.items) {
          const o = decodeStored(kv);
          if (!filter || filter(o)) items.push(o);
          if (limit && items.length > limit) break;
        }
        if (!page.more || (limit && items.length > limit) || page.items.length === 0) break;
        next = `${page.items[page.items.length - 1]!.key}\x00`;
      }
    } catch (err) {
      if (err instanceof StoreError && err.code === 'Compacted') {
        // Upstream's answers (etcd3 store interpretListError): an Exact list is just too old; a
        // continued one gets a token that goes on at the latest revision, if the client accepts that.
        if (startKey === undefined)
          throw statusErrors.expired('The resourceVersion for the provided list is too old.');
        throw new StatusError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
          undefined,
          { continue: encodeContinue(-1, startKey, prefix) },
        );
      }
      if (err instanceof StoreError && err.code === 'FutureRevision') {
        throw statusErrors.timeout(
          `Too large resource version: ${revision}, current: ${await this.store.revision()}`,
        );
      }
      throw err;
    }
    if (limit && items.length > limit) {
      items.length = limit;
      return {
        items,
        revision,
        continue: encodeContinue(revision, `${items[limit - 1]!.key}\x00`, prefix),
      };
    }
    return { items, revision };
  }

  /** Creates an object (already decoded and defaulted). */
  async create(obj: KubeObject, ctx: WriteContext): Promise<KubeObject> {
    const meta = metaOf(obj);
    this.placeInNamespace(meta, ctx.namespace);
    if (meta.resourceVersion) {
      // The client's mistake: a 400 with the storage layer's words (a plain error, so a 500, upstream).
      throw statusErrors.badRequest('resourceVersion should not be set on objects to be created');
    }
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = generateName(meta.generateName!);
    await this.admission?.create?.(this.info, ctx.namespace, meta.name ?? '');

    const finish = await this.begin(() => this.strategy.beginCreate?.(obj, ctx));
    let ok = false;
    try {
      this.strategy.prepareForCreate?.(obj);
      meta.creationTimestamp = timestamp();
      meta.uid = randomUUID();
      if (this.strategy.tracksGeneration) meta.generation = 1;
      const errs = this.strategy.validate(obj);
      if (errs.length) throw statusErrors.invalid(groupKind(this.info), meta.name ?? '', errs);
      this.strategy.canonicalize?.(obj);
      if (ctx.dryRun) {
        ok = true;
        return obj;
      }
      let kv: KeyValue;
      for (let attempt = 0; ; attempt++) {
        try {
          kv = await this.store.create(this.key(ctx.namespace, meta.name!), JSON.stringify(obj));
          break;
        } catch (err) {
          if (err instanceof StoreError && err.code === 'KeyExists') {
            if (generated && attempt < 3) {
              meta.name = generateName(meta.generateName!);
              continue;
            }
            throw statusErrors.alreadyExists(groupResource(this.info), meta.name!);
          }
          throw err;
        }
      }
      ok = true;
      return decodeStored(kv).obj as KubeObject;
    } finally {
      finish(ok);
    }
  }

  /**
   * Updates an object by computing the new state from the current one, as
   * upstream's GuaranteedUpdate: on a write conflict the function runs again
   * on the fresh object, unless the new object carries a resourceVersion
   * other than the fresh one's (then the conflict is the client's: 409).
   */
  async update(
    namespace: string,
    name: string,
    fn: UpdateFunc,
    opts: UpdateOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const key = this.key(namespace, name);
    const ctx: WriteContext = { dryRun: !!opts.dryRun, namespace };
    await this.cache.sync();
    let current: CachedObject | undefined = this.cache.get(key);
    for (let attempt = 0; ; attempt++) {
      const next = await fn(current ? clone(current.obj) : undefined);
      if (!current) {
        const meta = metaOf(next);
        // An update that names a version can't create: the object it meant is gone.
        if (!opts.allowCreate || meta.resourceVersion) throw this.notFound(name);
        if (meta.name && meta.name !== name) {
          throw statusErrors.badRequest(
            `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
          );
        }
        meta.name = name;
        try {
          return { object: await this.create(next, ctx), created: true };
        } catch (err) {
          if (err instanceof StatusError && err.reason === 'AlreadyExists' && attempt < 5) {
            await this.cache.sync();
            current = this.cache.get(key);
            continue;
          }
          throw err;
        }
      }
      try {
        const object = await this.updateExisting(current, next, opts, ctx);
        return { object, created: false };
      } catch (err) {
        if (err instanceof StoreError && (err.code === 'Conflict' || err.code === 'KeyNotFound')) {
          // Retry on the fresh object: fn runs again, so a patch re-applies to it, and a
          // client-given resourceVersion that no longer matches is a 409 in updateExisting.
          if (attempt >= MAX_RETRIES) throw this.conflict(name);
          current = err.current ? decodeStored(err.current) : undefined;
          continue;
        }
        throw err;
      }
    }
  }

  private conflict(name: string): StatusError {
    return statusErrors.conflict(
      groupResource(this.info),
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }

  private async updateExisting(
    current: CachedObject,
    obj: KubeObject,
    opts: UpdateOptions,
    ctx: WriteContext,
  ): Promise<KubeObject> {
    const old = current.obj as KubeObject;
    const meta = metaOf(obj);
    const oldMeta: Meta = old.metadata ?? {};
    if (meta.resourceVersion && meta.resourceVersion !== String(current.revision)) {
      throw this.conflict(current.name);
    }
    // Unconditional update: it is an update of the current version (upstream's store does the same).
    meta.resourceVersion ||= String(current.revision);
    this.placeInNamespace(meta, ctx.namespace);
    if (meta.name !== undefined && meta.name !== current.name) {
      throw statusErrors.badRequest(
        `the name of the object (${meta.name}) does not match the name on the URL (${current.name})`,
      );
    }
    meta.name = current.name;

    const sub = opts.subresource ?? '';
    const finish =
      sub === '' && !opts.raw
        ? await this.begin(() => this.strategy.beginUpdate?.(obj, old, ctx))
        : (_ok: boolean) => {};
    let ok = false;
    try {
      // What no update may change (rest.BeforeUpdate).
      meta.generation = oldMeta.generation;
      const subStrategy =
        sub === 'status' ? this.strategy.status : sub === 'finalize' ? this.strategy.finalize : undefined;
      if (opts.raw) {
        // The caller computed the whole object from the current one.
      } else if (subStrategy) subStrategy.prepareForUpdate(obj, old);
      else this.strategy.prepareForUpdate?.(obj, old);
      meta.uid ||= oldMeta.uid;
      if (oldMeta.creationTimestamp) meta.creationTimestamp = oldMeta.creationTimestamp;
      if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
      else delete meta.deletionTimestamp;
      if (oldMeta.deletionGracePeriodSeconds !== undefined) {
        meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      } else delete meta.deletionGracePeriodSeconds;
      if (this.strategy.tracksGeneration && specChanged(obj, old))
        meta.generation = (oldMeta.generation ?? 0) + 1;

      const errs = opts.raw
        ? []
        : subStrategy
          ? subStrategy.validateUpdate(obj, old)
          : this.strategy.validateUpdate(obj, old);
      if (errs.length) throw statusErrors.invalid(groupKind(this.info), current.name, errs);
      this.strategy.canonicalize?.(obj);

      delete meta.resourceVersion;
      const { resourceVersion: _rv, ...oldRest } = oldMeta;
      if (jsonEqual({ ...obj, metadata: meta }, { ...old, metadata: oldRest })) {
        ok = true; // A no-op update writes nothing and keeps the resourceVersion.
        return old;
      }
      if (ctx.dryRun) {
        ok = true;
        meta.resourceVersion = String(current.revision);
        return obj;
      }
      // Finalizers gone from an object being deleted: the update completes the delete
      // (upstream shouldDeleteDuringUpdate) — unless a grace period still runs (a
      // terminating pod's status updates), which only a delete with grace 0 ends.
      if (
        meta.deletionTimestamp &&
        !this.hasFinalizers(obj) &&
        this.hasFinalizers(old) &&
        !oldMeta.deletionGracePeriodSeconds
      ) {
        const { revision } = await this.store.delete(current.key, current.revision);
        ok = true;
        await this.afterDelete(obj);
        meta.resourceVersion = String(revision);
        return obj;
      }
      const kv = await this.store.update(current.key, JSON.stringify(obj), current.revision);
      ok = true;
      return decodeStored(kv).obj as KubeObject;
    } finally {
      finish(ok);
    }
  }

  /** Deletes, or marks for deletion when finalizers hold the object. */
  async delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    await this.admission?.delete?.(this.info, namespace, name);
    const key = this.key(namespace, name);
    await this.cache.sync();
    let current = this.cache.get(key);
    for (let attempt = 0; ; attempt++) {
      if (!current) throw this.notFound(name);
      const obj = clone(current.obj) as KubeObject;
      const meta = metaOf(obj);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== meta.uid) {
        throw statusErrors.conflict(
          groupResource(this.info),
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== String(current.revision)) {
        throw statusErrors.conflict(
          groupResource(this.info),
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.revision}`,
        );
      }
      try {
        // Upstream's namespace REST: a namespace still being emptied can't be deleted again.
        if (
          meta.deletionTimestamp &&
          this.info.kind === 'Namespace' &&
          (obj as { spec?: { finalizers?: string[] } }).spec?.finalizers?.length
        ) {
          throw statusErrors.conflict(
            groupResource(this.info),
            name,
            'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
          );
        }
        const grace = this.beforeDelete(obj, opts);
        // A graceful deletion already under way keeps its course (and its finalizers).
        if (grace === 'pending') return { object: current.obj as KubeObject, deleted: false };
        const finalizers = deletionFinalizers(
          meta.finalizers ?? [],
          opts,
          this.strategy.defaultOrphanDependents === true,
        );
        if (finalizers) {
          if (finalizers.length) meta.finalizers = finalizers;
          else delete meta.finalizers;
        }
        const pendingFinalizers = this.hasFinalizers(obj);
        if (grace === 'graceful' || pendingFinalizers) {
          if (grace !== 'graceful') markAsDeleting(meta);
          this.markTerminating(obj);
          if (jsonEqual(obj, current.obj)) return { object: current.obj as KubeObject, deleted: false };
          if (opts.dryRun) return { object: obj, deleted: false };
          delete meta.resourceVersion;
          const kv = await this.store.update(key, JSON.stringify(obj), current.revision);
          return { object: decodeStored(kv).obj as KubeObject, deleted: false };
        }
        if (opts.dryRun) return { object: obj, deleted: true };
        const { revision } = await this.store.delete(key, current.revision);
        meta.resourceVersion = String(revision);
        await this.afterDelete(obj);
        return { object: obj, deleted: true };
      } catch (err) {
        if (
          err instanceof StoreError &&
          (err.code === 'Conflict' || err.code === 'KeyNotFound') &&
          attempt < 20
        ) {
          current = err.current ? decodeStored(err.current) : undefined;
          continue;
        }
        throw err;
      }
    }
  }

  /** Deletes every object matching the options in a namespace ('' = all). */
  async deleteCollection(
    namespace: string,
    list: ListOptions,
    opts: DeleteOptions = {},
  ): Promise<KubeObject[]> {
    const { items } = await this.list(namespace, { ...list, limit: 0, continue: undefined });
    const out: KubeObject[] = [];
    for (const o of items) {
      try {
        out.push((await this.delete(o.namespace, o.name, opts)).object);
      } catch (err) {
        if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
      }
    }
    return out;
  }

  /**
   * Follows changes; errors arrive through handlers.onError. Served from the
   * watch cache, as upstream's cacher: a revision older than its window is
   * 410 Expired "too old resource version: X (Y)", Y the oldest revision a
   * watch may start from, however much history the store still holds.
   */
  watch(namespace: string, opts: WatchOptions, handlers: RegistryWatchHandlers): RegistryWatch {
    const prefix = this.prefix(namespace);
    const sel = this.filter(opts);
    const filter: CacheFilter = (o) => o.key.startsWith(prefix) && (!sel || sel(o));
    const rv = opts.resourceVersion ?? '';
    const initial = rv === '' || rv === '0' || !!opts.sendInitialEvents;
    let closed = false;
    let inner: CacheWatch | undefined;
    const onError = (err: Error) => {
      if (closed) return;
      if (err instanceof ShutdownError) handlers.onEnd();
      else handlers.onError(toStatusError(err));
    };

    const startAt = async (): Promise<void> => {
      let after: number;
      if (initial) {
        if (rv === '') await this.cache.sync();
        else if (rv !== '0') await this.cache.waitFor(parseRevision(rv));
        after = this.cache.revision;
        for (const o of this.cache.list(prefix, filter)) {
          if (closed) return;
          handlers.onEvent({ type: 'ADDED', revision: o.revision, object: o });
        }
        if (opts.sendInitialEvents)
          handlers.onEvent({ type: 'BOOKMARK', revision: after, initialEventsEnd: true });
      } else {
        after = parseRevision(rv);
      }
      if (closed) return;
      const w = this.cache.watch(after, filter, { onEvent: (e) => handlers.onEvent(e), onError });
      if (!w) {
        throw statusErrors.expired(`too old resource version: ${after} (${this.cache.oldestRevision})`);
      }
      inner = w;
    };
    startAt().catch(onError);
    return {
      close: () => {
        closed = true;
        inner?.close();
      },
      bookmark: () => {
        if (!closed && inner) handlers.onEvent({ type: 'BOOKMARK', revision: inner.revision() });
      },
    };
  }

  private async begin(hook: () => FinishFunc | Promise<FinishFunc> | undefined): Promise<FinishFunc> {
    return (await hook()) ?? (() => {});
  }

  private async afterDelete(obj: KubeObject): Promise<void> {
    await this.strategy.afterDelete?.(obj);
  }

  /** The object's namespace is the request's (cluster-scoped kinds have none). */
  private placeInNamespace(meta: Meta, namespace: string): void {
    if (!this.info.namespaced) {
      delete meta.namespace;
      return;
    }
    if (meta.namespace && meta.namespace !== namespace) {
      throw statusErrors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    meta.namespace = namespace;
  }

  /**
   * rest.BeforeDelete for kinds with graceful deletion: 'graceful' when the
   * object was marked (deletionTimestamp = now + grace), 'pending' when a
   * graceful deletion is already under way and this one does not shorten it,
   * 'now' when it goes at once (grace 0, or no graceful deletion).
   */
  private beforeDelete(obj: KubeObject, opts: DeleteOptions): 'graceful' | 'pending' | 'now' {
    const check = this.strategy.checkGracefulDelete;
    if (!check) return 'now';
    const meta = metaOf(obj);
    // Negative grace periods count as one second.
    const asked =
      opts.gracePeriodSeconds === undefined
        ? undefined
        : opts.gracePeriodSeconds < 0
          ? 1
          : opts.gracePeriodSeconds;
    if (meta.deletionTimestamp) {
      const current = meta.deletionGracePeriodSeconds;
      if (!current) return 'now';
      // Only a shorter grace period may be given.
      if (asked === undefined || asked >= current) return 'pending';
      if (asked === 0) return 'now';
      const start = Date.parse(meta.deletionTimestamp) - current * 1000;
      meta.deletionTimestamp = timestamp(new Date(start + asked * 1000));
      meta.deletionGracePeriodSeconds = asked;
      return 'graceful';
    }
    const grace = check.call(this.strategy, obj, { gracePeriodSeconds: asked });
    if (grace <= 0) return 'now';
    meta.deletionTimestamp = timestamp(new Date(Date.now() + grace * 1000));
    meta.deletionGracePeriodSeconds = grace;
    if ((meta.generation ?? 0) > 0) meta.generation = meta.generation! + 1;
    return 'graceful';
  }

  /** Finalizers that hold an object: metadata.finalizers, and a namespace's spec.finalizers. */
  private hasFinalizers(obj: KubeObject): boolean {
    if (obj.metadata?.finalizers?.length) return true;
    return (
      this.info.kind === 'Namespace' &&
      !!(obj as { spec?: { finalizers?: string[] } }).spec?.finalizers?.length
    );
  }

  /** Namespaces show phase Terminating once marked for deletion. */
  private markTerminating(obj: KubeObject): void {
    if (this.info.kind === 'Namespace') {
      (obj as { status?: { phase?: string } }).status = {
        ...(obj as { status?: object }).status,
        phase: 'Terminating',
      };
    }
  }
}

export const FinalizerOrphanDependents = 'orphan';
export const FinalizerDeleteDependents = 'foregroundDeletion';

/**
 * The garbage collector's finalizers as a delete asks for them (upstream's
 * deletionFinalizersForGarbageCollection): Orphan adds `orphan`, Foreground
 * adds `foregroundDeletion`, Background removes both; without a policy the
 * object's own finalizers decide, then the kind's default (orphan for batch/v1
 * Jobs), else background. Undefined: no change.
 */
export function deletionFinalizers(
  finalizers: readonly string[],
  opts: DeleteOptions,
  defaultOrphan = false,
): string[] | undefined {
  // Without a policy, the first GC finalizer the object carries decides, then the kind's default.
  const first =
    finalizers.find((f) => f === FinalizerOrphanDependents || f === FinalizerDeleteDependents) ??
    (defaultOrphan ? FinalizerOrphanDependents : undefined);
  const policy = opts.propagationPolicy;
  const orphan =
    opts.orphanDependents ?? (policy ? policy === 'Orphan' : first === FinalizerOrphanDependents);
  const foreground =
    opts.orphanDependents === undefined &&
    (policy ? policy === 'Foreground' : first === FinalizerDeleteDependents);
  const next = finalizers.filter((f) => f !== FinalizerOrphanDependents && f !== FinalizerDeleteDependents);
  if (orphan) next.push(FinalizerOrphanDependents);
  if (foreground) next.push(FinalizerDeleteDependents);
  const same = new Set(next).size === new Set(finalizers).size && next.every((f) => finalizers.includes(f));
  return same ? undefined : next;
}

/** markAsDeleting: a kind without graceful deletion held by finalizers is deleting now, with no grace. */
function markAsDeleting(meta: Meta): void {
  const now = timestamp();
  if (!meta.deletionTimestamp && (meta.generation ?? 0) > 0) meta.generation = meta.generation! + 1;
  if (!meta.deletionTimestamp || meta.deletionTimestamp > now) meta.deletionTimestamp = now;
  meta.deletionGracePeriodSeconds = 0;
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, ...rest } = o as KubeObject & { status?: unknown };
    return rest;
  };
  return !jsonEqual(strip(a), strip(b));
}

function parseRevision(rv: string | undefined): number {
  const n = Number(rv);
  if (!rv || !Number.isSafeInteger(n) || n < 0) {
    throw statusErrors.badRequest(`invalid resource version "${rv ?? ''}"`);
  }
  return n;
}

export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  if (err instanceof StoreError && err.code === 'Compacted') {
    return statusErrors.expired(`too old resource version: (${(err.compactRevision ?? 1) - 1})`);
  }
  return statusErrors.internal(err);
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

/** Continue tokens as upstream encodes them: base64 JSON with the snapshot revision and the next key. */
function encodeContinue(rv: number, nextKey: string, prefix: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: nextKey.slice(prefix.length) };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(s: string, prefix: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString()) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || !Number.isSafeInteger(t.rv) || typeof t.start !== 'string')
      throw new Error();
    if (t.start.includes('..') || t.start.startsWith('/')) throw new Error();
    return { rv: t.rv, start: prefix + t.start };
  } catch {
    throw statusErrors.badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}
