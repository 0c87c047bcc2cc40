/**
 * The API client contract every svcnet component (controllers, scheduler,
 * agent, proxy, dns) uses. It speaks the public Kubernetes REST API only, so
 * each component also runs against any Kubernetes-compatible API server.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** Any API object. */
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** Where a kind lives in the REST API. */
export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: `pods`. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface WatchHandle {
  stop(): void;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export interface WriteOptions {
  dryRun?: boolean;
  /** Server-side apply / managedFields manager name (default: the client's userAgent). */
  fieldManager?: string;
  force?: boolean;
}

/**
 * A Kubernetes API client. `namespace` is '' for cluster-scoped kinds and, on
 * list/watch, for all namespaces. Failures reject with `ApiError` (an HTTP
 * answer with a Status) or a network error.
 */
export interface ApiClient {
  /** The user agent sent, `svcnet-<component>/<version>`. */
  readonly userAgent: string;
  get<T extends Obj>(rt: ResourceType, namespace: string, name: string, subresource?: string): Promise<T>;
  list<T extends Obj>(rt: ResourceType, namespace: string, opts?: ListOptions): Promise<ListResult<T>>;
  create<T extends Obj>(rt: ResourceType, namespace: string, obj: T, opts?: WriteOptions): Promise<T>;
  /** POST to a subresource of `name` (pods/binding, pods/eviction); answers the server's reply. */
  createSubresource<R>(
    rt: ResourceType,
    namespace: string,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<R>;
  /** PUT; `subresource` 'status' or 'scale'. The object's metadata.name/namespace name it. */
  update<T extends Obj>(rt: ResourceType, obj: T, subresource?: string, opts?: WriteOptions): Promise<T>;
  patch<T extends Obj>(
    rt: ResourceType,
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    subresource?: string,
    opts?: WriteOptions,
  ): Promise<T>;
  /** Resolves with the server's answer (the object, or a Status). */
  delete(rt: ResourceType, namespace: string, name: string, opts?: DeleteOptions): Promise<unknown>;
  /**
   * DELETE on the collection (the `deletecollection` verb): everything `list`
   * selects in `namespace` ('' on a namespaced kind: in every namespace).
   * Resolves with the server's answer (the list of deleted objects).
   */
  deleteCollection(
    rt: ResourceType,
    namespace: string,
    opts?: DeleteOptions,
    list?: ListOptions,
  ): Promise<unknown>;
  /**
   * Streams watch events. `onClose` runs once when the stream ends for any
   * reason (error: `err` set; server timeout or stop(): undefined).
   */
  watch<T extends Obj>(
    rt: ResourceType,
    namespace: string,
    opts: WatchOptions,
    onEvent: (e: WatchEvent<T>) => void,
    onClose: (err?: Error) => void,
  ): WatchHandle;
  /** A raw GET of a path (e.g. pod logs); answers the body as text. */
  getRaw(path: string, query?: Record<string, string>): Promise<string>;
  /** Closes keep-alive connections. */
  close(): void;
}

/** Handlers an informer calls, always after its cache reflects the change. */
export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

/**
 * A cache of one resource kept by list + watch (client-go's shared informer):
 * relists on 410 Gone and after watch failures (with backoff), dispatches
 * handlers in order. Keys are `namespace/name` (or `name` when cluster-scoped).
 */
export interface Informer<T extends Obj> {
  readonly rt: ResourceType;
  addHandlers(h: InformerHandlers<T>): void;
  /** Resolves once the first list is in the cache. */
  synced(): Promise<void>;
  hasSynced(): boolean;
  get(key: string): T | undefined;
  list(namespace?: string): T[];
  /** Objects whose labels match the given selector map (equality only), in one namespace. */
  byLabels(namespace: string, selector: Record<string, string>): T[];
}

export const keyOf = (o: Obj): string =>
  o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? '');
