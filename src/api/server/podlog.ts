/**
 * GET pods/{name}/log: as upstream's LogREST, the API server picks the
 * container, finds the pod's node and proxies to that node's kubelet —
 * `GET http://<node address>:<kubelet port>/containerLogs/<ns>/<pod>/<container>`
 * with the log options as query parameters — streaming the body through
 * (flushing as it comes for `follow`). The svcnet agent serves plain HTTP and
 * answers only the API server's own bearer token, sent here.
 * A kubelet's error answer becomes a Status with its text as the message.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { StatusError, type StatusReason, statusErrors } from '../../k8s/status.js';
import type { Registry } from '../storage/registry.js';
import { queryBool } from './query.js';

/** Upstream's default kubelet port, when a node does not report its own. */
export const DefaultKubeletPort = 10250;
/** Address types tried in order (host mode nodes report an InternalIP on loopback). */
const preferredAddressTypes = ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS'];
/** How much of a kubelet's error body becomes the message (upstream maxReadLength). */
const maxErrorBytes = 50 * 1024;

export interface LogRequest {
  pods: Registry;
  nodes: Registry;
  namespace: string;
  name: string;
  query: URLSearchParams;
  req: IncomingMessage;
  res: ServerResponse;
  /** The API server's bearer token: the agent serves logs only to it (never the client's credential). */
  token: string;
}

/** validateContainer: the named container, else the only one, else a 400 naming the choices. */
export function logContainer(pod: Pod, container: string): string {
  const name = pod.metadata?.name ?? '';
  const spec = pod.spec;
  const all = [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ].map((c) => c.name);
  if (!container) {
    const regular = spec?.containers ?? [];
    if (regular.length === 1) return regular[0]!.name;
    if (regular.length === 0)
      throw statusErrors.badRequest(`a container name must be specified for pod ${name}`);
    throw statusErrors.badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`,
    );
  }
  if (!all.includes(container))
    throw statusErrors.badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** PodLogOptions from the query, validated as ValidatePodLogOptions; the kubelet's query string. */
export function logQuery(q: URLSearchParams, podName: string): URLSearchParams {
  const errs: FieldError[] = [];
  const out = new URLSearchParams();
  const bool = (k: string) => queryBool(q, k);
  const int = (k: string) => {
    const v = q.get(k);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v))
      throw statusErrors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    return Number(v);
  };
  if (bool('follow')) out.set('follow', 'true');
  if (bool('previous')) out.set('previous', 'true');
  if (bool('timestamps')) out.set('timestamps', 'true');
  const sinceSeconds = int('sinceSeconds');
  const sinceTime = q.get('sinceTime') || undefined;
  const tailLines = int('tailLines');
  const limitBytes = int('limitBytes');
  if (tailLines !== undefined && tailLines < 0)
    errs.push(
      fieldErrors.invalid(FieldPath.root('tailLines'), tailLines, 'must be greater than or equal to 0'),
    );
  if (limitBytes !== undefined && limitBytes < 1)
    errs.push(fieldErrors.invalid(FieldPath.root('limitBytes'), limitBytes, 'must be greater than 0'));
  if (sinceSeconds !== undefined && sinceTime !== undefined)
    errs.push(
      fieldErrors.forbidden(
        FieldPath.root(''),
        'at most one of `sinceTime` or `sinceSeconds` may be specified',
      ),
    );
  if (sinceSeconds !== undefined && sinceSeconds < 1)
    errs.push(fieldErrors.invalid(FieldPath.root('sinceSeconds'), sinceSeconds, 'must be greater than 0'));
  if (errs.length) throw statusErrors.invalid({ group: '', kind: 'PodLogOptions' }, podName, errs);
  if (sinceSeconds !== undefined) out.set('sinceSeconds', String(sinceSeconds));
  if (sinceTime !== undefined) out.set('sinceTime', sinceTime);
  if (tailLines !== undefined) out.set('tailLines', String(tailLines));
  if (limitBytes !== undefined) out.set('limitBytes', String(limitBytes));
  return out;
}

/** The kubelet's address and port of a node (NodeConnectionInfoGetter). */
export function kubeletEndpoint(node: Node): { host: string; port: number } {
  const addresses = node.status?.addresses ?? [];
  let host: string | undefined;
  for (const t of preferredAddressTypes) {
    host = addresses.find((a) => a.type === t && a.address)?.address;
    if (host) break;
  }
  if (!host) throw statusErrors.internal(new Error(`no preferred addresses found; known addresses: []`));
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  return { host, port: port && port > 0 ? port : DefaultKubeletPort };
}

const reasonByCode: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export async function handlePodLog(r: LogRequest): Promise<void> {
  const pod = (await r.pods.get(r.namespace, r.name)).obj as Pod;
  const container = logContainer(pod, r.query.get('container') ?? '');
  const params = logQuery(r.query, r.name);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) {
    // Not scheduled yet: upstream streams from an empty location, an empty answer.
    r.res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
    r.res.end();
    return;
  }
  const node = (await r.nodes.get('', nodeName)).obj as Node;
  const { host, port } = kubeletEndpoint(node);
  const path = `/containerLogs/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.name)}/${encodeURIComponent(container)}`;
  const qs = params.toString();
  await new Promise<void>((resolve, reject) => {
    const upstream = httpRequest(
      {
        host,
        port,
        path: qs ? `${path}?${qs}` : path,
        method: 'GET',
        headers: { Accept: '*/*', Authorization: `Bearer ${r.token}` },
      },
      (kres) => {
        const code = kres.statusCode ?? 500;
        if (code < 200 || code >= 300) {
          const chunks: Buffer[] = [];
          let size = 0;
          kres.on('data', (c: Buffer) => {
            if (size < maxErrorBytes) chunks.push(c);
            size += c.length;
          });
          kres.on('end', () => {
            const text = Buffer.concat(chunks).subarray(0, maxErrorBytes).toString('utf8').trim();
            const reason = reasonByCode[code] ?? 'InternalError';
            reject(
              new StatusError(code, reason, text || `the server responded with the status code ${code}`, {
                name: r.name,
                kind: 'pods/log',
              }),
            );
          });
          kres.on('error', reject);
          return;
        }
        r.res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Content-Type-Options': 'nosniff' });
        // Each chunk is written as it arrives, so `follow` streams without buffering.
        kres.pipe(r.res);
        kres.on('end', resolve);
        kres.on('error', (err) => {
          r.res.destroy(err);
          resolve();
        });
      },
    );
    upstream.on('error', (err) => reject(statusErrors.internal(err)));
    // The client went away (kubectl logs -f interrupted): stop reading from the kubelet.
    r.res.on('close', () => {
      upstream.destroy();
      resolve();
    });
    upstream.end();
  });
}
