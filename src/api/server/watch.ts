/**
 * Watch streams: chunked JSON lines `{"type":...,"object":...}`, as objects,
 * one-row Tables (column definitions in the first event only) or
 * PartialObjectMetadata; bookmarks when asked (every minute and 2 s before
 * the end, as upstream's cacher); a 410 ERROR event when the requested
 * revision is older than the watch cache; the stream ends at timeoutSeconds
 * (default: a random 30–60 minutes, as upstream spreads re-lists). A client that does not
 * keep up is cut off (its buffered events dropped) once its stream, or all
 * streams together, hold too much unsent: see WatchBudget.
 */

import type { ServerResponse } from 'node:http';
import type { FieldRequirement, LabelRequirement } from '../../k8s/selectors.js';
import { statusErrors } from '../../k8s/status.js';
import type { Logger } from '../../lib/log.js';
import type { KubeObject } from '../registry/strategy.js';
import { apiVersionOf } from '../resource.js';
import type { RegistryWatch } from '../storage/registry.js';
import { partialMetadata, tableJSON } from './codec.js';
import { watchEventSent } from './metrics.js';
import { negotiateShape } from './negotiate.js';
import { queryBool } from './query.js';
import type { ResourceRequest } from './rest.js';

/** How often a watch that allows bookmarks gets one (upstream's cacher: bookmarkFrequency, a minute). */
const BOOKMARK_INTERVAL_MS = 60_000;
/** How long before its end a watch gets its last bookmark (upstream: 2 s before the deadline). */
const BOOKMARK_BEFORE_END_MS = 2_000;

/**
 * When a watch ending at `deadline` gets its next bookmark, as upstream's
 * cacheWatcher.nextBookmarkTime: a `frequency` from now, or 2 s before the
 * deadline if that is sooner; none when that moment has passed already. So a
 * client learns a fresh resourceVersion just before the server ends the watch,
 * and resumes from it without a re-list.
 */
export function nextBookmarkAt(now: number, deadline: number, frequency = BOOKMARK_INTERVAL_MS) {
  const beforeEnd = deadline - BOOKMARK_BEFORE_END_MS;
  const at = Math.min(now + frequency, beforeEnd);
  return at < now ? undefined : at;
}
/** How long all streams together may stay over their limit before one is cut (upstream's dispatch budget is 100 ms). */
const SHED_GRACE_MS = 100;

interface Tracked {
  res: ServerResponse;
  /** res.writableLength when last looked at. */
  buffered: number;
  /** flushed() when the grace began: a stream past it is being read. */
  mark: number;
  cut: (buffered: number) => void;
}

/** Bytes of a stream the socket has passed on (written to the kernel). */
const flushed = (t: Tracked): number =>
  t.res.socket ? t.res.socket.bytesWritten - t.res.socket.writableLength : 0;

/**
 * The bytes watch streams hold for clients that read slower than events
 * come: one stream may hold `perStream`, all together `total`. A stream over
 * its own limit is cut at once; when all together stay over theirs for a
 * moment (a burst to many readers drains by itself), streams are cut until
 * under it: first those whose client read nothing meanwhile, largest first.
 * Cutting destroys the connection, so what the stream held is freed at once,
 * and the client re-lists (upstream's cacher likewise closes a watcher whose
 * buffer stays full: "Forcing watcher close due to unresponsiveness").
 */
export class WatchBudget {
  private readonly streams = new Set<Tracked>();
  /** Sum of the streams' `buffered`: exact after a write or drain of each, else a little high. */
  private sum = 0;
  private shedding?: NodeJS.Timeout;

  constructor(
    readonly perStream: number,
    readonly total: number,
    private readonly log?: Logger,
  ) {}

  /** Follows one stream (`what` names it in the log); `cut` ends it, destroying its connection. */
  track(res: ServerResponse, what: Record<string, string>, cut: () => void): { wrote(): void; done(): void } {
    const t: Tracked = {
      res,
      buffered: 0,
      mark: 0,
      cut: (buffered) => {
        this.log?.warn('Forcing watcher close due to unresponsiveness', { ...what, buffered });
        cut();
      },
    };
    t.mark = flushed(t);
    this.streams.add(t);
    const measure = () => {
      if (!this.streams.has(t)) return;
      const now = res.writableLength;
      this.sum += now - t.buffered;
      t.buffered = now;
    };
    res.on('drain', measure);
    return {
      wrote: () => {
        measure();
        if (t.buffered > this.perStream) this.cut(t);
        else if (this.sum > this.total && !this.shedding) {
          for (const s of this.streams) s.mark = flushed(s);
          this.shedding = setTimeout(() => this.shed(), SHED_GRACE_MS);
          this.shedding.unref();
        }
      },
      done: () => this.remove(t),
    };
  }

  /** Measures every stream; while over the total, cuts the stalled ones, then the others, largest first. */
  private shed(): void {
    this.shedding = undefined;
    this.sum = 0;
    for (const t of this.streams) {
      t.buffered = t.res.writableLength;
      this.sum += t.buffered;
    }
    if (this.sum <= this.total) return;
    const read = (t: Tracked) => (flushed(t) > t.mark ? 1 : 0);
    const order = [...this.streams].sort((a, b) => read(a) - read(b) || b.buffered - a.buffered);
    for (const t of order) {
      if (this.sum <= this.total) break;
      this.cut(t);
    }
  }

  private cut(t: Tracked): void {
    const buffered = t.buffered;
    this.remove(t);
    t.cut(buffered);
  }

  private remove(t: Tracked): void {
    if (this.streams.delete(t)) this.sum -= t.buffered;
  }
}

export function serveWatch(
  r: ResourceRequest,
  sel: { labelSelector?: LabelRequirement[]; fieldSelector?: FieldRequirement[] },
): void {
  const { registry, query: q, res, req, watches } = r;
  const info = registry.info;
  const shape = negotiateShape(req.headers.accept);
  const rv = q.get('resourceVersion') ?? '';
  const bookmarks = queryBool(q, 'allowWatchBookmarks');
  const sendInitialEvents = queryBool(q, 'sendInitialEvents');
  if (sendInitialEvents && (!bookmarks || q.get('resourceVersionMatch') !== 'NotOlderThan')) {
    throw statusErrors.badRequest(
      'sendInitialEvents requires allowWatchBookmarks=true and resourceVersionMatch=NotOlderThan',
    );
  }
  const fieldSelector = [...(sel.fieldSelector ?? [])];
  if (r.name) fieldSelector.push({ field: 'metadata.name', op: '=', value: r.name });
  const timeoutParam = Number(q.get('timeoutSeconds') ?? '');
  const timeoutMs =
    Number.isFinite(timeoutParam) && timeoutParam > 0
      ? timeoutParam * 1000
      : (1800 + Math.random() * 1800) * 1000;
  const deadline = Date.now() + timeoutMs;

  const contentType =
    shape.as === 'Table' ? `application/json;as=Table;v=${shape.version};g=meta.k8s.io` : 'application/json';
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  req.socket.setNoDelay(true);

  let headers = true;
  let done = false;
  const includeObject = q.get('includeObject') ?? 'Metadata';
  const render = (obj: KubeObject, json: string): string => {
    if (shape.as === 'Table') {
      const t = tableJSON(
        info,
        [obj],
        shape,
        includeObject,
        { resourceVersion: obj.metadata?.resourceVersion ?? '' },
        headers,
      );
      headers = false;
      return t;
    }
    if (shape.as === 'PartialObjectMetadata') return JSON.stringify(partialMetadata(obj, shape.version));
    return json;
  };
  const write = (line: string) => {
    if (done) return;
    // As bytes: a string waiting in the socket would take up to 3 bytes per character there.
    res.write(Buffer.from(`${line}\n`));
    budget.wrote();
  };
  const bookmark = (revision: number, initialEventsEnd = false) => {
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    write(
      `{"type":"BOOKMARK","object":${JSON.stringify({ kind: info.kind, apiVersion: apiVersionOf(info), metadata })}}`,
    );
  };

  // The replay of initial events runs inside registry.watch: the stream may end (be cut) before it returns.
  let watch: RegistryWatch | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  /** Ends the stream; `cut`: at once, dropping what the client has not read yet. */
  const finish = (cut = false) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    clearTimeout(ticker);
    budget.done();
    watch?.close();
    if (cut) res.destroy();
    else res.end();
  };
  const budget = watches.track(res, { resource: info.resource, namespace: r.namespace, name: r.name }, () =>
    finish(true),
  );
  watch = registry.watch(
    r.namespace,
    { labelSelector: sel.labelSelector, fieldSelector, resourceVersion: rv, sendInitialEvents },
    {
      onEvent(e) {
        watchEventSent(registry);
        if (e.type === 'BOOKMARK') {
          bookmark(e.revision, e.initialEventsEnd);
          return;
        }
        write(`{"type":"${e.type}","object":${render(e.object.obj as KubeObject, e.object.json)}}`);
      },
      onError(err) {
        write(`{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}`);
        finish();
      },
      onEnd: () => finish(),
    },
  );
  if (done) {
    watch.close();
    return;
  }
  timer = setTimeout(() => finish(), timeoutMs);
  const schedule = (last: number) => {
    const now = Date.now();
    const at = nextBookmarkAt(now, deadline);
    if (at === undefined || at <= last) return;
    ticker = setTimeout(() => {
      watch?.bookmark();
      schedule(Date.now());
    }, at - now);
  };
  if (bookmarks) schedule(-1);
  req.on('close', () => finish());
  res.on('close', () => finish());
}
