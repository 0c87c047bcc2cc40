/**
 * A Kubernetes REST client over node:https: JSON bodies, keep-alive
 * connections, Status errors as `ApiError`, and watch streams read line by
 * line. It knows nothing svcnet-specific, so every component built on it also
 * runs against any Kubernetes-compatible API server.
 */
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import type { Status } from 'kubernetes-types/meta/v1.js';
import { SvcnetError } from '../lib/errors.js';
import { version } from '../version.js';
import { type Connection, loadKubeconfig } from './kubeconfig.js';
import type {
  ApiClient,
  DeleteOptions,
  ListOptions,
  ListResult,
  Obj,
  PatchType,
  ResourceType,
  WatchEvent,
  WatchHandle,
  WatchOptions,
  WriteOptions,
} from './types.js';

/** An HTTP answer other than 2xx, with the server's Status. */
export class ApiError extends SvcnetError<number> {
  constructor(
    code: number,
    readonly reason: string,
    readonly status: Status,
  ) {
    super(code, status.message || `HTTP ${code}`);
  }
}

const reasonIs = (reason: string) => (err: unknown) => err instanceof ApiError && err.reason === reason;
export const isNotFound = reasonIs('NotFound');
export const isConflict = reasonIs('Conflict');
export const isAlreadyExists = reasonIs('AlreadyExists');
export const isGone = (err: unknown) =>
  err instanceof ApiError && (err.code === 410 || err.reason === 'Expired');

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface ClientOptions {
  kubeconfig: string;
  /** `svcnet-<component>`; the version is appended. */
  userAgent: string;
  context?: string;
  /** Per-request timeout (not watches); default 30 s. */
  timeoutMs?: number;
}

export function createClient(opts: ClientOptions): ApiClient {
  return new HttpClient(loadKubeconfig(opts.kubeconfig, opts.context), opts);
}

function resourcePath(rt: ResourceType, namespace: string, name?: string, subresource?: string): string {
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const ns = rt.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const n = name ? `/${encodeURIComponent(name)}` : '';
  const sub = name && subresource ? `/${subresource}` : '';
  return `${base}${ns}/${rt.resource}${n}${sub}`;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const listParams = (o: ListOptions = {}) => ({
  labelSelector: o.labelSelector,
  fieldSelector: o.fieldSelector,
  limit: o.limit,
  continue: o.continue,
  resourceVersion: o.resourceVersion,
});

const deleteBody = (o: DeleteOptions) => ({
  apiVersion: 'v1',
  kind: 'DeleteOptions',
  gracePeriodSeconds: o.gracePeriodSeconds,
  propagationPolicy: o.propagationPolicy,
  preconditions: o.preconditions,
  dryRun: o.dryRun ? ['All'] : undefined,
});

const writeParams = (o: WriteOptions = {}, defaultManager: string) => ({
  dryRun: o.dryRun ? 'All' : undefined,
  fieldManager: o.fieldManager ?? defaultManager,
  force: o.force,
});

class HttpClient implements ApiClient {
  readonly userAgent: string;
  private readonly agent: Agent;
  private readonly watchAgent: Agent;
  private readonly timeoutMs: number;
  private readonly manager: string;

  constructor(
    private readonly conn: Connection,
    opts: ClientOptions,
  ) {
    this.userAgent = `${opts.userAgent}/${version().gitVersion}`;
    this.manager = opts.userAgent;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    const tls = {
      ca: conn.ca,
      cert: conn.cert,
      key: conn.key,
      rejectUnauthorized: !conn.insecure,
    };
    this.agent = new Agent({ keepAlive: true, maxSockets: 16, ...tls });
    // Watches hold their connection for minutes: a pool of their own.
    this.watchAgent = new Agent({ keepAlive: false, ...tls });
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.userAgent, ...extra };
    if (this.conn.token) h.Authorization = `Bearer ${this.conn.token}`;
    return h;
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<string> {
    try {
      return await this.sendOnce(method, path, body, contentType);
    } catch (err) {
      // A keep-alive socket the server closed as we reused it: the request never
      // arrived, so sending it again is safe (Node's documented retry case).
      if ((err as { reusedSocket?: boolean }).reusedSocket)
        return this.sendOnce(method, path, body, contentType);
      throw err;
    }
  }

  private sendOnce(method: string, path: string, body: unknown, contentType: string): Promise<string> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = this.headers(
      payload ? { 'Content-Type': contentType, 'Content-Length': String(payload.length) } : {},
    );
    return new Promise((resolve, reject) => {
      const req = request(`${this.conn.server}${path}`, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) resolve(text);
          else reject(toApiError(code, text, method, path));
        });
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (req.reusedSocket && err.code === 'ECONNRESET') Object.assign(err, { reusedSocket: true });
        reject(err);
      });
      req.end(payload);
    });
  }

  private async json<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    return JSON.parse(await this.send(method, path, body, contentType)) as T;
  }

  get<T extends Obj>(rt: ResourceType, namespace: string, name: string, subresource?: string): Promise<T> {
    return this.json('GET', resourcePath(rt, namespace, name, subresource));
  }

  async list<T extends Obj>(rt: ResourceType, namespace: string, opts?: ListOptions): Promise<ListResult<T>> {
    const res = await this.json<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>(
      'GET',
      resourcePath(rt, namespace) + query(listParams(opts)),
    );
    const items = res.items ?? [];
    // Lists carry apiVersion/kind only on the list: put them on each item, as informers expect.
    const apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
    for (const i of items) {
      i.apiVersion ??= apiVersion;
      i.kind ??= rt.kind;
    }
    return {
      items,
      resourceVersion: res.metadata?.resourceVersion ?? '',
      continue: res.metadata?.continue || undefined,
    };
  }

  create<T extends Obj>(rt: ResourceType, namespace: string, obj: T, opts?: WriteOptions): Promise<T> {
    return this.json('POST', resourcePath(rt, namespace) + query(writeParams(opts, this.manager)), obj);
  }

  createSubresource<R>(
    rt: ResourceType,
    namespace: string,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<R> {
    return this.json('POST', resourcePath(rt, namespace, name, subresource), body);
  }

  update<T extends Obj>(rt: ResourceType, obj: T, subresource?: string, opts?: WriteOptions): Promise<T> {
    const m = obj.metadata ?? {};
    return this.json(
      'PUT',
      resourcePath(rt, m.namespace ?? '', m.name ?? '', subresource) + query(writeParams(opts, this.manager)),
      obj,
    );
  }

  patch<T extends Obj>(
    rt: ResourceType,
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    subresource?: string,
    opts?: WriteOptions,
  ): Promise<T> {
    return this.json(
      'PATCH',
      resourcePath(rt, namespace, name, subresource) + query(writeParams(opts, this.manager)),
      patch,
      patchContentTypes[type],
    );
  }

  delete(rt: ResourceType, namespace: string, name: string, opts: DeleteOptions = {}): Promise<unknown> {
    return this.json('DELETE', resourcePath(rt, namespace, name), deleteBody(opts));
  }

  deleteCollection(
    rt: ResourceType,
    namespace: string,
    opts: DeleteOptions = {},
    list?: ListOptions,
  ): Promise<unknown> {
    return this.json('DELETE', resourcePath(rt, namespace) + query(listParams(list)), deleteBody(opts));
  }

  getRaw(path: string, q?: Record<string, string>): Promise<string> {
    return this.send('GET', path + query(q ?? {}));
  }

  watch<T extends Obj>(
    rt: ResourceType,
    namespace: string,
    opts: WatchOptions,
    onEvent: (e: WatchEvent<T>) => void,
    onClose: (err?: Error) => void,
  ): WatchHandle {
    const path =
      resourcePath(rt, namespace) +
      query({
        ...listParams(opts),
        watch: 'true',
        allowWatchBookmarks: opts.allowWatchBookmarks,
        timeoutSeconds: opts.timeoutSeconds,
      });
    let closed = false;
    let stopped = false;
    const close = (err?: Error) => {
      if (closed) return;
      closed = true;
      onClose(stopped ? undefined : err);
    };
    const req = request(
      `${this.conn.server}${path}`,
      { method: 'GET', agent: this.watchAgent, headers: this.headers() },
      (res: IncomingMessage) => {
        const code = res.statusCode ?? 0;
        if (code !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => close(toApiError(code, Buffer.concat(chunks).toString('utf8'), 'WATCH', path)));
          res.on('error', (e) => close(e));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            nl = buf.indexOf('\n');
            if (!line || closed) continue;
            let ev: WatchEvent<T>;
            try {
              ev = JSON.parse(line) as WatchEvent<T>;
            } catch {
              req.destroy();
              close(new Error(`${path}: undecodable watch event`));
              return;
            }
            if (ev.type === 'ERROR') {
              const st = ev.object as unknown as Status;
              close(new ApiError(st.code ?? 500, st.reason ?? '', st));
              req.destroy();
              return;
            }
            onEvent(ev);
          }
        });
        res.on('end', () => close());
        res.on('error', (e) => close(e));
        res.on('close', () => close());
      },
    );
    req.on('error', (e) => close(e));
    req.end();
    return {
      stop: () => {
        stopped = true;
        req.destroy();
        close();
      },
    };
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}

function toApiError(code: number, text: string, method: string, path: string): ApiError {
  let status: Status;
  try {
    status = JSON.parse(text) as Status;
    if (status.kind !== 'Status') throw new Error('not a Status');
  } catch {
    status = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code,
      message: `${method} ${path}: HTTP ${code}: ${text.slice(0, 200)}`,
      reason: code === 404 ? 'NotFound' : '',
    };
  }
  return new ApiError(code, status.reason ?? '', status);
}
