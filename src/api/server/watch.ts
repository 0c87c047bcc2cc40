/**
 * Watch streams: chunked JSON lines `{"type":...,"object":...}`, as objects,
 * one-row Tables (column definitions in the first event only) or
 * PartialObjectMetadata; bookmarks when asked; a 410 ERROR event when the
 * requested revision is gone; the stream ends at timeoutSeconds (default: a
 * random 30–60 minutes, as upstream spreads re-lists) or when the client
 * can't keep up.
 */

import type { FieldRequirement, LabelRequirement } from '../../k8s/selectors.js';
import { statusErrors } from '../../k8s/status.js';
import type { KubeObject } from '../registry/strategy.js';
import { apiVersionOf } from '../resource.js';
import { partialMetadata, tableJSON } from './codec.js';
import { negotiateShape } from './negotiate.js';
import type { ResourceRequest } from './rest.js';

const MAX_BUFFERED = 16 * 1024 * 1024;
const BOOKMARK_INTERVAL_MS = 60_000;

export function serveWatch(
  r: ResourceRequest,
  sel: { labelSelector?: LabelRequirement[]; fieldSelector?: FieldRequirement[] },
): void {
  const { registry, query: q, res, req } = r;
  const info = registry.info;
  const shape = negotiateShape(req.headers.accept);
  const rv = q.get('resourceVersion') ?? '';
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const sendInitialEvents = q.get('sendInitialEvents') === 'true';
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
    res.write(`${line}\n`);
    if (res.writableLength > MAX_BUFFERED) finish(); // a client this slow re-lists, as with upstream's terminated watchers
  };
  const bookmark = (revision: number, initialEventsEnd = false) => {
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    write(
      `{"type":"BOOKMARK","object":${JSON.stringify({ kind: info.kind, apiVersion: apiVersionOf(info), metadata })}}`,
    );
  };

  const watch = registry.watch(
    r.namespace,
    { labelSelector: sel.labelSelector, fieldSelector, resourceVersion: rv, sendInitialEvents },
    {
      onEvent(e) {
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
  const timer = setTimeout(finish, timeoutMs);
  const ticker = bookmarks
    ? setInterval(() => bookmark(registry.cache.revision), BOOKMARK_INTERVAL_MS)
    : undefined;
  function finish() {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (ticker) clearInterval(ticker);
    watch.close();
    res.end();
  }
  req.on('close', finish);
  res.on('close', finish);
}
