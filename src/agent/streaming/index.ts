/**
 * The agent's streaming endpoints (kubelet's /exec, /attach, /portForward),
 * reached through the API server's pods/exec, pods/attach and
 * pods/portforward proxy: an HTTP upgrade dispatched by the first path
 * segment.
 *
 *   /exec/<ns>/<pod>/<container>?command=…&stdin=1&stdout=1&stderr=1&tty=1
 *   /attach/<ns>/<pod>/<container>?stdin=1&stdout=1&stderr=1&tty=1
 *   /portForward/<ns>/<pod>?port=…  (portforward.ts)
 *
 * exec and attach speak WebSocket (websocket.ts) or SPDY/3.1 (spdyexec.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ForwardTarget, handlePortForward } from './portforward.js';
import { refuseUpgrade } from './refusal.js';
import {
  type AttachTarget,
  type ExecTarget,
  runAttach,
  runExec,
  type SessionIO,
  type StreamOptions,
  type StreamStatus,
} from './session.js';
import { isSpdyUpgrade } from './spdyconn.js';
import { handleSpdyRemoteCommand } from './spdyexec.js';
import { serveWebSocket } from './websocket.js';

/** Why a stream cannot be served: an HTTP code and kubelet's message. */
export interface Refusal {
  code: number;
  message: string;
}

/** What the agent knows of its pods, for the streaming endpoints. */
export interface StreamingDeps {
  exec(namespace: string, pod: string, container: string): ExecTarget | Refusal;
  attach(namespace: string, pod: string, container: string): AttachTarget | Refusal;
  portForward(namespace: string, pod: string): ForwardTarget | Refusal;
  /** Aborted when the pod goes away: its streams end with it (their commands are killed). */
  podSignal?(namespace: string, pod: string): AbortSignal | undefined;
}

/** A handler for one endpoint; `parts` are the decoded path segments after its name. */
export type StreamHandler = (
  deps: StreamingDeps,
  req: IncomingMessage,
  sock: Duplex,
  head: Buffer,
  parts: string[],
  query: URLSearchParams,
) => void;

const handlers: Record<string, StreamHandler> = {
  exec: (deps, req, sock, head, parts, q) =>
    serveCommand(
      req,
      sock,
      head,
      parts,
      q,
      (ns, pod, ctr) => deps.exec(ns, pod, ctr),
      (t, opts, io) => runExec(t, q.getAll('command'), opts, io),
    ),
  attach: (deps, req, sock, head, parts, q) =>
    serveCommand(req, sock, head, parts, q, (ns, pod, ctr) => deps.attach(ns, pod, ctr), runAttach),
  portForward: (deps, req, sock, head, parts) => {
    const t =
      parts.length === 2
        ? deps.portForward(parts[0]!, parts[1]!)
        : { code: 404, message: '404 page not found' };
    if (isRefusal(t)) return refuseUpgrade(sock, t.code, t.message);
    handlePortForward(req, sock, head, t);
  },
};

/**
 * The agent HTTP server's 'upgrade' listener. Whatever fails while a stream
 * is set up (the pod's root cannot be made, a spawn throws) is the client's
 * 500, never the agent's crash.
 */
export function streamingUpgradeHandler(
  deps: StreamingDeps,
): (req: IncomingMessage, sock: Duplex, head: Buffer) => void {
  return (req, sock, head) => {
    sock.on('error', () => sock.destroy());
    try {
      dispatch(deps, req, sock, head);
    } catch (err) {
      refuseUpgrade(sock, 500, (err as Error).message);
    }
  };
}

function dispatch(deps: StreamingDeps, req: IncomingMessage, sock: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://agent');
  const [name, ...rest] = url.pathname.split('/').filter(Boolean);
  const handler = name === undefined ? undefined : handlers[name];
  if (!handler) return refuseUpgrade(sock, 404, '404 page not found');
  let parts: string[];
  try {
    parts = rest.map((s) => decodeURIComponent(s));
  } catch {
    return refuseUpgrade(sock, 400, 'invalid path');
  }
  const pod = parts.length >= 2 ? deps.podSignal?.(parts[0]!, parts[1]!) : undefined;
  if (pod) {
    // Ending the connection ends the session: its transport aborts it and kills the command.
    const end = () => sock.destroy();
    pod.addEventListener('abort', end, { once: true });
    sock.once('close', () => pod.removeEventListener('abort', end));
  }
  handler(deps, req, sock, head, parts, url.searchParams);
}

const flag = (q: URLSearchParams, k: string) => q.get(k) === '1' || q.get(k) === 'true';

/** kubelet's remotecommand NewOptions: tty drops stderr; at least one stream. */
export function streamOptions(q: URLSearchParams): StreamOptions | Refusal {
  const tty = flag(q, 'tty');
  const opts = { stdin: flag(q, 'stdin'), stdout: flag(q, 'stdout'), stderr: flag(q, 'stderr') && !tty, tty };
  if (!opts.stdin && !opts.stdout && !opts.stderr)
    return { code: 400, message: 'you must specify at least 1 of stdin, stdout, stderr' };
  return opts;
}

const isRefusal = (v: object): v is Refusal => 'code' in v && 'message' in v;

function serveCommand<T extends object>(
  req: IncomingMessage,
  sock: Duplex,
  head: Buffer,
  parts: string[],
  q: URLSearchParams,
  find: (ns: string, pod: string, container: string) => T | Refusal,
  run: (target: T, opts: StreamOptions, io: SessionIO) => Promise<StreamStatus>,
): void {
  const no = (r: Refusal) => refuseUpgrade(sock, r.code, r.message);
  if (parts.length !== 3) return no({ code: 404, message: '404 page not found' });
  const opts = streamOptions(q);
  if (isRefusal(opts)) return no(opts);
  const target = find(parts[0]!, parts[1]!, parts[2]!);
  if (isRefusal(target)) return no(target);
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') return serveWebSocket(req, sock, head, opts, (io) => run(target, opts, io));
  if (isSpdyUpgrade(req))
    return handleSpdyRemoteCommand(req, sock, head, opts, (io) => run(target, opts, io));
  no({
    code: 400,
    message: `unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}: use WebSocket or SPDY/3.1`,
  });
}
