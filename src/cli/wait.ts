/**
 * `up --detach --wait`: returns once the cluster is ready to use, as
 * `kind create cluster --wait` waits for its node. Ready means: this
 * machine's Node is Ready, cluster DNS answers a query for the kubernetes
 * Service, and (unless `--no-proxy`) the service proxy carries traffic to
 * the kubernetes Service's ClusterIP. The proxy is checked through its data
 * plane rather than its /healthz or /metrics: those are on fixed ports that
 * a second svcnet's proxy may hold, and /healthz is healthy before the
 * first sync, while the ClusterIP belongs to this cluster alone.
 */
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import packet from 'dns-packet';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import { createClient } from '../client/client.js';
import { Nodes, Services } from '../client/resources.js';
import type { ApiClient } from '../client/types.js';
import { joinHostPort } from '../k8s/ip.js';
import { errText } from '../lib/errors.js';
import { parseGoDuration } from '../lib/goduration.js';

/** What a bare `--wait` waits. */
export const DEFAULT_WAIT_MS = 60_000;

/** `--wait`'s value: a Go duration (`60s`, `2m`, `1m30s`), in ms; 0 means don't wait, as kind's. */
export function parseWait(text: string): number {
  const ns = parseGoDuration(text);
  if (ns < 0) throw new Error(`must not be negative: ${text}`);
  return ns / 1e6;
}

/** One thing `--wait` waits for: resolves undefined when ready, else why not. */
export interface Condition {
  name: string;
  check(): Promise<string | undefined>;
}

export interface WaitTarget {
  kubeconfig: string;
  nodeName: string;
  /** The cluster DNS server. */
  dnsHost: string;
  dnsPort: number;
  /** Ask DNS for AAAA (IPv6 primary service range) rather than A. */
  ipv6: boolean;
  /** false with `--no-proxy`: nothing serves ClusterIPs, so nothing to wait for. */
  proxy: boolean;
}

/** Resolves with the promise's value, or rejects after ms. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms}ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function nodeReady(client: ApiClient, nodeName: string): Condition {
  return {
    name: 'node',
    check: async () => {
      let node: Node;
      try {
        node = await client.get<Node>(Nodes, '', nodeName);
      } catch (err) {
        return `Node ${nodeName}: ${errText(err)}`;
      }
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status === 'True') return undefined;
      return ready
        ? `Node ${nodeName} is not Ready (Ready=${ready.status}${ready.reason ? `: ${ready.reason}` : ''})`
        : `Node ${nodeName} has no Ready condition yet`;
    },
  };
}

const rcodeNames: Record<number, string> = { 0: 'NOERROR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 5: 'REFUSED' };

/** One UDP query; resolves the decoded response. */
function query(host: string, port: number, name: string, type: 'A' | 'AAAA'): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const id = Math.floor(Math.random() * 65536);
    const done = (err?: Error, res?: packet.Packet) => {
      sock.close();
      if (err) reject(err);
      else resolve(res!);
    };
    sock.on('error', (err) => done(err));
    sock.on('message', (msg) => {
      try {
        const res = packet.decode(msg);
        if (res.id === id) done(undefined, res);
      } catch (err) {
        done(err as Error);
      }
    });
    const q = packet.encode({
      type: 'query',
      id,
      flags: packet.RECURSION_DESIRED,
      questions: [{ type, name }],
    });
    sock.send(q, port, host);
  });
}

export function dnsAnswers(host: string, port: number, ipv6: boolean): Condition {
  // kube-dns itself: DNS serves, and its Service (where pods' resolv.conf points) is published.
  const name = 'kube-dns.kube-system.svc.cluster.local';
  const type = ipv6 ? 'AAAA' : 'A';
  const where = joinHostPort(host, port);
  return {
    name: 'dns',
    check: async () => {
      try {
        const res = await within(1000, query(host, port, name, type));
        const rcode = (res.flags ?? 0) & 0x0f;
        if (rcode === 0 && (res.answers ?? []).some((a) => a.type === type)) return undefined;
        return `cluster DNS at ${where} answers ${name} ${type} with ${rcodeNames[rcode] ?? `rcode ${rcode}`} and ${res.answers?.length ?? 0} answers`;
      } catch (err) {
        return `cluster DNS at ${where} does not answer ${name}: ${errText(err)}`;
      }
    },
  };
}

/** A TCP connection to ip:port opens (and is closed at once). */
function tcpOpens(ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: ip, port });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('error', (err) => {
      s.destroy();
      reject(err);
    });
  });
}

export function proxyServes(client: ApiClient): Condition {
  return {
    name: 'proxy',
    check: async () => {
      let svc: Service;
      try {
        svc = await client.get<Service>(Services, 'default', 'kubernetes');
      } catch (err) {
        return `the kubernetes Service: ${errText(err)}`;
      }
      const ip = svc.spec?.clusterIP;
      const port = svc.spec?.ports?.[0]?.port;
      if (!ip || !port) return 'the kubernetes Service has no ClusterIP yet';
      const where = joinHostPort(ip, port);
      try {
        await within(1000, tcpOpens(ip, port));
        return undefined;
      } catch (err) {
        return `the service proxy does not serve the kubernetes Service's ClusterIP ${where} yet (${errText(err)})`;
      }
    },
  };
}

export interface WaitResult {
  ready: boolean;
  /** What was not ready at the last check, by condition name. */
  notReady: { name: string; reason: string }[];
}

/** Checks every condition every intervalMs until all are ready or timeoutMs passed. */
export async function waitFor(
  conditions: Condition[],
  timeoutMs: number,
  intervalMs = 100,
): Promise<WaitResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const results = await Promise.all(
      conditions.map(async (c) => ({ name: c.name, reason: await c.check() })),
    );
    const notReady = results.filter((r): r is { name: string; reason: string } => r.reason !== undefined);
    if (notReady.length === 0) return { ready: true, notReady };
    if (Date.now() >= deadline) return { ready: false, notReady };
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}

/** Waits for a started svcnet: its Node, its DNS and (unless disabled) its proxy. */
export async function waitUntilReady(target: WaitTarget, timeoutMs: number): Promise<WaitResult> {
  const client = createClient({ kubeconfig: target.kubeconfig, userAgent: 'svcnet-up', timeoutMs: 2000 });
  try {
    return await waitFor(
      [
        nodeReady(client, target.nodeName),
        dnsAnswers(target.dnsHost, target.dnsPort, target.ipv6),
        ...(target.proxy ? [proxyServes(client)] : []),
      ],
      timeoutMs,
    );
  } finally {
    client.close();
  }
}
