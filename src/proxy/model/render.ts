/**
 * A stable text rendering of a NodeState: one header line per service port,
 * then one line per frontend with its action and endpoints, then the
 * problems. Pure; used by golden tests and meant for `svcnet rules`.
 *
 *   ns/web:http/TCP scheduler=random affinity=ClientIP/10800s
 *     ClusterIP 10.96.0.10:80/TCP serve -> 10.244.0.2:8080, 10.244.0.3:8080(local)
 *     NodePort 192.168.1.5:30080/TCP drop
 */
import { joinHostPort } from '../../k8s/ip.js';
import type { Endpoint, Frontend, NodeState, ServicePortState } from './types.js';

/** `PROTOCOL/ip:port` (`[ip]` for IPv6): a frontend's identity on a node. */
export function frontendKey(fe: Pick<Frontend, 'protocol' | 'ip' | 'port'>): string {
  return `${fe.protocol}/${joinHostPort(fe.ip, fe.port)}`;
}

export function renderNodeState(state: NodeState): string {
  const lines: string[] = [];
  const keys = [...state.services.keys()].sort(cmp);
  for (const key of keys) {
    const svc = state.services.get(key)!;
    lines.push(renderServicePort(svc));
    for (const fe of svc.frontends) lines.push(`  ${renderFrontend(fe)}`);
  }
  for (const p of state.problems) lines.push(`! ${p.object}: ${p.message}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function renderServicePort(svc: ServicePortState): string {
  const attrs = [svc.key];
  if (svc.scheduler !== undefined) attrs.push(`scheduler=${svc.scheduler}`);
  if (svc.sessionAffinity) attrs.push(`affinity=ClientIP/${svc.sessionAffinity.timeoutSeconds}s`);
  if (svc.healthCheckNodePort !== undefined) {
    attrs.push(`healthCheckNodePort=${svc.healthCheckNodePort}`, `localEndpoints=${svc.localEndpointCount}`);
  }
  return attrs.join(' ');
}

export function renderFrontend(fe: Frontend): string {
  const head = `${fe.kind} ${joinHostPort(fe.ip, fe.port)}/${fe.protocol} ${fe.action}`;
  return fe.endpoints.length ? `${head} -> ${fe.endpoints.map(renderEndpoint).join(', ')}` : head;
}

/** `ip:port`, with `(local)` / `(terminating)` when the endpoint is on this node or terminating. */
function renderEndpoint(ep: Endpoint): string {
  const flags: string[] = [];
  if (ep.isLocal) flags.push('local');
  if (ep.terminating) flags.push('terminating');
  if (!ep.ready && !ep.terminating) flags.push(ep.serving ? 'serving' : 'not-ready');
  const addr = joinHostPort(ep.ip, ep.port);
  return flags.length ? `${addr}(${flags.join(',')})` : addr;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
