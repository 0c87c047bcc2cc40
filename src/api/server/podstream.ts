/**
 * pods/exec, pods/attach and pods/portforward, as upstream's ExecREST,
 * AttachREST and PortForwardREST with the UpgradeAwareHandler: the request is
 * validated here (the pod exists, has the container, is bound to a node with
 * an address), then the upgraded connection is proxied byte for byte to the
 * node agent's `/exec/<ns>/<pod>/<container>?command=…`, `/attach/…` or
 * `/portForward/<ns>/<pod>`. Every streaming protocol (WebSocket
 * v1–v5.channel.k8s.io, SPDY/3.1, port-forward tunnelled over WebSocket) is
 * spoken between the client and the agent; the agent's answer to a refused
 * upgrade (`container not found ("c")`) reaches the client as it was sent.
 * A request without an upgrade gets upstream's 400 "Upgrade request required".
 */
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { joinHostPort } from '../../k8s/ip.js';
import { statusErrors } from '../../k8s/status.js';
import type { Registry } from '../storage/registry.js';
import { kubeletEndpoint } from './podlog.js';
import { queryBool } from './query.js';

/** How long dialing a node's agent may take (the 30 s of the dialer upstream's kubelet client uses). */
export const AgentDialTimeoutMs = 30_000;
/** How long a client whose agent session ended may take to read the end of it. */
const closeGraceMs = 5_000;

export type StreamSubresource = 'exec' | 'attach' | 'portforward';

export const isStreamSubresource = (s: string): s is StreamSubresource =>
  s === 'exec' || s === 'attach' || s === 'portforward';

export interface StreamTarget {
  host: string;
  port: number;
  /** The agent's path and query: `/exec/ns/pod/ctr?command=sh&stdin=1`. */
  path: string;
}

/** The container to stream from: the named one, else the only one (upstream streamLocation). */
export function streamContainer(pod: Pod, container: string): string {
  const name = pod.metadata?.name ?? '';
  const spec = pod.spec;
  if (!container) {
    const regular = spec?.containers ?? [];
    if (regular.length === 1) return regular[0]!.name;
    if (regular.length === 0)
      throw statusErrors.badRequest(`a container name must be specified for pod ${name}`);
    const init = (spec?.initContainers ?? []).map((c) => c.name);
    let msg = `a container name must be specified for pod ${name}, choose one of: [${regular.map((c) => c.name).join(' ')}]`;
    if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
    throw statusErrors.badRequest(msg);
  }
  const all = [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ];
  if (!all.some((c) => c.name === container))
    throw statusErrors.badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** The agent's query for a stream (upstream streamParams: flags as "1", each command word, ports joined). */
export function agentQuery(sub: StreamSubresource, q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  if (sub === 'portforward') {
    const ports: string[] = [];
    for (const v of q.getAll('ports')) {
      for (const p of v.split(',')) {
        const n = Number(p.trim());
        if (!/^\d+$/.test(p.trim()) || n < 1 || n > 65535)
          throw statusErrors.badRequest(`invalid port ${JSON.stringify(p)}`);
        ports.push(String(n));
      }
    }
    if (ports.length) out.set('port', ports.join(','));
    return out;
  }
  for (const k of ['stdin', 'stdout', 'stderr', 'tty']) if (queryBool(q, k)) out.set(k, '1');
  if (sub === 'exec') for (const c of q.getAll('command')) out.append('command', c);
  return out;
}

/** Validates a stream request and finds where the agent serves it (ExecLocation & co). */
export async function streamTarget(
  sub: StreamSubresource,
  pods: Registry,
  nodes: Registry,
  namespace: string,
  name: string,
  q: URLSearchParams,
): Promise<StreamTarget> {
  const pod = (await pods.get(namespace, name)).obj as Pod;
  const container = sub === 'portforward' ? '' : streamContainer(pod, q.get('container') ?? '');
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw statusErrors.badRequest(`pod ${name} does not have a host assigned`);
  const node = (await nodes.get('', nodeName)).obj as Node;
  const { host, port } = kubeletEndpoint(node);
  const seg = encodeURIComponent;
  const base =
    sub === 'portforward'
      ? `/portForward/${seg(namespace)}/${seg(name)}`
      : `/${sub}/${seg(namespace)}/${seg(name)}/${seg(container)}`;
  const qs = agentQuery(sub, q).toString();
  return { host, port, path: qs ? `${base}?${qs}` : base };
}

/**
 * Request headers that stay with the API server: the client's credentials
 * (never forwarded), its Origin (the agent is no browser's business), and the
 * hop-by-hop framing of this leg.
 */
const DROPPED = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'origin',
  'host',
  'content-length',
  'transfer-encoding',
  'proxy-connection',
]);

/**
 * The request head written to the agent: the new path, the client's headers
 * but the DROPPED ones, and the API server's own credential (the agent
 * accepts a stream only with the bearer token of its kubeconfig).
 */
export function agentRequestHead(req: IncomingMessage, target: StreamTarget, token: string): string {
  const lines = [
    `${req.method ?? 'GET'} ${target.path} HTTP/1.1`,
    `Host: ${joinHostPort(target.host, target.port)}`,
    `Authorization: Bearer ${token}`,
  ];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!DROPPED.has(raw[i]!.toLowerCase())) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export interface ProxyOptions {
  /** The API server's bearer token, the agent's credential. */
  token: string;
  /** The agent could not be reached: nothing was sent to the client yet. */
  onError: (err: Error) => void;
  /** The status code of the agent's answer (101 when the stream is up). */
  onStatus?: (code: number) => void;
  dialTimeoutMs?: number;
}

/**
 * Proxies an upgrade request to the agent: the request line and headers are
 * written to the agent with the new path and the API server's `token`, then
 * bytes flow both ways until either side closes.
 */
export function proxyUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  target: StreamTarget,
  opts: ProxyOptions,
): void {
  const { token, onError, onStatus, dialTimeoutMs = AgentDialTimeoutMs } = opts;
  // The client may have gone while its pod and node were looked up: its 'close' has fired
  // already, so nothing would ever end an agent session (and the exec it started).
  if (client.destroyed) return;
  const agent: Socket = connect({ host: target.host, port: target.port });
  agent.setNoDelay(true);
  agent.setTimeout(dialTimeoutMs);
  let failed = false;
  const endBoth = () => {
    agent.destroy();
    if (failed || client.destroyed) return;
    // What the agent sent last still reaches the client; one that never closes its end is cut.
    client.end();
    setTimeout(() => client.destroy(), closeGraceMs).unref();
  };
  agent.once('timeout', () =>
    agent.destroy(new Error(`dial tcp ${joinHostPort(target.host, target.port)}: i/o timeout`)),
  );
  agent.once('connect', () => {
    agent.setTimeout(0);
    if (client.destroyed) {
      agent.destroy();
      return;
    }
    agent.write(agentRequestHead(req, target, token));
    if (head.length) agent.write(head);
    agent.once('data', (first: Buffer) => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(first.toString('latin1', 0, 16));
      if (m) onStatus?.(Number(m[1]));
    });
    agent.pipe(client);
    client.pipe(agent);
  });
  agent.on('error', (err) => {
    // Nothing reached the client yet: it gets a Status; else its connection just ends.
    if (!failed && agent.bytesRead === 0 && !client.destroyed) {
      failed = true;
      onError(err);
    } else client.destroy();
  });
  agent.once('close', endBoth);
  client.once('error', () => {
    agent.destroy();
    client.destroy();
  });
  client.once('close', () => agent.destroy());
}
