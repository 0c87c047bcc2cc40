/**
 * The API server's /metrics with kube-apiserver's names, labels and buckets:
 * requests by verb/group/version/resource/subresource/scope/component/code,
 * their latency, requests in flight and long-running ones, storage latency
 * (upstream names its storage layer's histogram after etcd; so do we, so its
 * dashboards and alerts work), stored objects and watch events sent.
 *
 * Requests are classified lexically, as upstream's RequestInfoFactory does,
 * but only served resources and a fixed set of other paths become label
 * values: an arbitrary URL must not mint a new series.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../../store/store.js';
import { queryBool } from './query.js';

const stable = (help: string) => `[STABLE] ${help}`;
const alpha = (help: string) => `[ALPHA] ${help}`;

/** apiserver's request and etcd latency buckets. */
export const LATENCY_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

export interface RequestInfo {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  /** Watches and streaming subresources: not "in flight", tracked as long-running. */
  longRunning: boolean;
  readOnly: boolean;
}

/**
 * What the server serves, for labels: a resource's served version and its
 * subresources; with resource '' anything truthy when the group is served.
 */
export type Served = (
  group: string,
  resource: string,
) => { version: string; subresources: readonly string[] } | undefined;

const CONNECT = new Set(['exec', 'attach', 'portforward', 'proxy']);
const NON_RESOURCE =
  /^\/(?:healthz|livez|readyz)(?:\/[a-z0-9-]+)?$|^\/(?:version|metrics|openapi\/v2|openapi\/v3|api|apis)?$/;

/** The request target; one that is no URL (the router answers it 400) counts as an unnamed path. */
function parseURL(raw: string): URL {
  try {
    return new URL(raw, 'https://localhost');
  } catch {
    return new URL('https://localhost/-');
  }
}

/**
 * What a request is, for metrics. Only what `served` serves is labelled: a
 * resource at its served version with no or a served subresource; any other
 * request is recorded without resource labels, as upstream records only its
 * routes.
 */
export function requestInfo(
  method: string,
  rawUrl: string,
  contentType: string | undefined,
  served: Served,
): RequestInfo {
  const url = parseURL(rawUrl);
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const parts = path.split('/').filter(Boolean);
  const readOnly = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  const other = (subresource: string): RequestInfo => ({
    verb: method,
    group: '',
    version: '',
    resource: '',
    subresource,
    scope: '',
    longRunning: false,
    readOnly,
  });
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(2);
  } else {
    // Discovery of a served group or group-version is named by its path, like the other fixed paths.
    // (every group svcnet serves is at v1; any other version would mint a series per URL).
    const v1 = parts.length === 2 && (parts[0] === 'api' ? parts[1] === 'v1' : served(parts[1]!, ''));
    const discovery = v1 || (parts.length === 3 && parts[2] === 'v1' && served(parts[1]!, ''));
    const named = NON_RESOURCE.test(path) || path.startsWith('/openapi/v3/') || discovery;
    return other(named ? path : '');
  }
  const version = rest.shift()!;
  // As the router reads it (query.ts), so a request is labelled with the verb it is served as.
  let watch = queryBool(url.searchParams, 'watch');
  if (rest[0] === 'watch') {
    watch = true;
    rest.shift();
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]!;
    // /namespaces/<ns>/<resource>...; /namespaces/<name>[/status|/finalize] is the namespace itself.
    if (rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') rest = rest.slice(2);
  }
  const [resource = '', name = '', subresource = ''] = rest;
  const r = served(group, resource);
  // A version or subresource the resource does not serve is a 404, not a series of its own.
  if (!r || rest.length > 3 || r.version !== version) return other('');
  if (subresource && !r.subresources.includes(subresource)) return other('');
  let verb: string;
  if (CONNECT.has(subresource)) verb = 'CONNECT';
  else if (method === 'GET' || method === 'HEAD') verb = watch ? 'WATCH' : name ? 'GET' : 'LIST';
  else if (method === 'DELETE') verb = name ? 'DELETE' : 'DELETECOLLECTION';
  else if (method === 'PATCH' && contentType?.startsWith('application/apply-patch')) verb = 'APPLY';
  else verb = method;
  const scope = name || verb === 'POST' ? 'resource' : namespace ? 'namespace' : 'cluster';
  const follow = subresource === 'log' && queryBool(url.searchParams, 'follow');
  return {
    verb,
    group,
    version,
    resource,
    subresource,
    scope,
    longRunning: verb === 'WATCH' || verb === 'CONNECT' || follow,
    readOnly,
  };
}

/**
 * The dry_run label as upstream's cleanDryRun: the distinct values sorted and
 * joined, of which only `All` is valid; any other is `invalid` (the request
 * is refused), so the label has three values at most.
 */
export function dryRunLabel(values: readonly string[]): string {
  if (values.length === 0) return '';
  return values.every((v) => v === 'All') ? 'All' : 'invalid';
}

const REQUEST_LABELS = [
  'verb',
  'dry_run',
  'group',
  'version',
  'resource',
  'subresource',
  'scope',
  'component',
] as const;
type RequestLabel = (typeof REQUEST_LABELS)[number];

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'apiserver_request_total',
    help: stable(
      'Counter of apiserver requests by verb, dry run value, group, version, resource, scope, component and HTTP response code.',
    ),
    labelNames: [...REQUEST_LABELS, 'code'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: stable(
      'Response latency distribution in seconds by verb, dry run value, group, version, resource, subresource, scope and component.',
    ),
    labelNames: REQUEST_LABELS,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly inflight = new Gauge({
    name: 'apiserver_current_inflight_requests',
    help: stable('Requests being served now (long-running ones excluded), by request kind.'),
    labelNames: ['request_kind'],
    registers: [this.registry],
  });
  private readonly longRunning = new Gauge({
    name: 'apiserver_longrunning_requests',
    help: stable(
      'Active long-running requests (watches, streams) by verb, group, version, resource, scope and component.',
    ),
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
    registers: [this.registry],
  });
  private readonly storageLatency = new Histogram({
    name: 'etcd_request_duration_seconds',
    help: alpha('Storage request latency in seconds by operation and object type.'),
    labelNames: ['operation', 'type'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly watchEvents = new Counter({
    name: 'apiserver_watch_events_total',
    help: alpha('Number of events sent to watch clients.'),
    labelNames: ['group', 'version', 'resource'],
    registers: [this.registry],
  });

  constructor(
    private readonly served: Served,
    /** Stored objects by resource (`services`, `deployments.apps`), read when scraped. */
    objectCounts: () => Map<string, number>,
  ) {
    new Gauge({
      name: 'apiserver_storage_objects',
      help: stable('Number of stored objects at the time of the last check, by resource.'),
      labelNames: ['resource'],
      registers: [this.registry],
      collect() {
        for (const [resource, n] of objectCounts()) this.set({ resource }, n);
      },
    });
    for (const request_kind of ['readOnly', 'mutating']) this.inflight.set({ request_kind }, 0);
  }

  /**
   * Starts measuring a request; it is recorded when its response closes. An
   * unauthenticated one is recorded without resource labels (it names only
   * what its sender chose).
   */
  track(req: IncomingMessage, res: ServerResponse, authenticated: boolean): void {
    const done = this.start(req, authenticated);
    res.once('close', () => done(res.statusCode));
  }

  /**
   * Starts measuring an upgrade request (exec, attach, port-forward: verb
   * CONNECT, long-running while open); `code` sets the status it was
   * answered with, and it is recorded when the connection closes.
   */
  trackUpgrade(req: IncomingMessage, sock: Duplex, authenticated: boolean): { code: (n: number) => void } {
    const done = this.start(req, authenticated);
    let code = 0;
    sock.once('close', () => done(code));
    return { code: (n) => (code ||= n) };
  }

  private start(req: IncomingMessage, authenticated: boolean): (code: number) => void {
    const served: Served = authenticated ? this.served : () => undefined;
    const info = requestInfo(req.method ?? 'GET', req.url ?? '/', req.headers['content-type'], served);
    const labels: Record<RequestLabel, string> = {
      verb: info.verb,
      dry_run: dryRunLabel(parseURL(req.url ?? '/').searchParams.getAll('dryRun')),
      group: info.group,
      version: info.version,
      resource: info.resource,
      subresource: info.subresource,
      scope: info.scope,
      component: 'apiserver',
    };
    const { dry_run: _, ...longLabels } = labels;
    const kind = { request_kind: info.readOnly ? 'readOnly' : 'mutating' };
    if (info.longRunning) this.longRunning.inc(longLabels);
    else this.inflight.inc(kind);
    const end = this.latency.startTimer(labels);
    return (code) => {
      if (info.longRunning) this.longRunning.dec(longLabels);
      else this.inflight.dec(kind);
      end();
      this.requests.inc({ ...labels, code: String(code) });
    };
  }

  /** A watch event was sent to a client. */
  watchEvent(group: string, version: string, resource: string): void {
    this.watchEvents.inc({ group, version, resource });
  }

  /** `store` with every call timed; `typeOf(key)` names the object type of a key (its group-resource). */
  instrumentStore(store: Store, typeOf: (key: string) => string): Store {
    const timed = <T>(operation: string, key: string, call: () => Promise<T>): Promise<T> => {
      const end = this.storageLatency.startTimer({ operation, type: typeOf(key) });
      return call().finally(() => end());
    };
    return {
      revision: () => store.revision(),
      compactRevision: () => store.compactRevision(),
      get: (key) => timed('get', key, () => store.get(key)),
      list: (prefix, opts) => timed('list', prefix, () => store.list(prefix, opts)),
      count: (prefix) => timed('listWithCount', prefix, () => store.count(prefix)),
      create: (key, value) => timed('create', key, () => store.create(key, value)),
      update: (key, value, rev) => timed('update', key, () => store.update(key, value, rev)),
      delete: (key, rev) => timed('delete', key, () => store.delete(key, rev)),
      watch: (prefix, after, handlers) => store.watch(prefix, after, handlers),
      compact: (revision) => store.compact(revision),
      check: () => store.check(),
      close: () => store.close(),
    };
  }

  /** The text exposition and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Watch-event counting for a registry's watches, without threading the metrics through every handler. */
const watchCounters = new WeakMap<object, () => void>();

export function countWatchEvents(registry: object, count: () => void): void {
  watchCounters.set(registry, count);
}

/** Records one watch event sent for `registry` (no-op when no metrics are attached). */
export function watchEventSent(registry: object): void {
  watchCounters.get(registry)?.();
}
