/**
 * The health check node ports of LoadBalancer Services with
 * externalTrafficPolicy Local (pkg/proxy/healthcheck/service_health.go): one
 * HTTP server per Service on each node address, any path, 200 while the node
 * has local endpoints for it and the proxy is healthy, else 503, so cloud load
 * balancers send traffic only to nodes that can serve it locally.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { EventSink } from '../../client/events.js';
import { goQuote } from '../../k8s/gofmt.js';
import { joinHostPort } from '../../k8s/ip.js';
import { type Logger, silentLogger } from '../../lib/log.js';
import { closeServer, goListenError, listen, send } from './http.js';

/** What the service health checks ask of the proxy's own health. */
export interface ProxyHealthChecker {
  isHealthy(): boolean;
}

export interface ServiceHealthOptions {
  /** This node's name, for messages and events. */
  hostname: string;
  /**
   * The node addresses to listen on (nodePortAddresses resolved to this
   * node's IPs); default every address (`0.0.0.0`, both families as Go does).
   */
  nodeIPs?: readonly string[];
  proxyHealth: ProxyHealthChecker;
  /** A Warning `FailedToStartServiceHealthcheck` event goes on the Service when a port cannot be bound. */
  events?: EventSink;
  log?: Logger;
}

/** A health check that could not be opened; it is retried on the next syncServices. */
export interface ServiceHealthError {
  /** `namespace/name`. */
  service: string;
  port: number;
  /** Upstream's event message: `node N failed to start healthcheck "ns/name" on port P: listen tcp ...`. */
  message: string;
  cause: unknown;
}

interface Instance {
  port: number;
  servers: Server[];
  endpoints: number;
}

const splitKey = (key: string): { namespace: string; name: string } => {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
};

/** The body upstream writes: its dedented, tab-indented template, without a trailing newline. */
export function serviceHealthBody(key: string, localEndpoints: number, proxyHealthy: boolean): string {
  const { namespace, name } = splitKey(key);
  return [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${goQuote(namespace)},`,
    `\t\t"name": ${goQuote(name)}`,
    '\t},',
    `\t"localEndpoints": ${localEndpoints},`,
    `\t"serviceProxyHealthy": ${proxyHealthy}`,
    '}',
  ].join('\n');
}

export class ServiceHealthServer {
  private readonly opts: ServiceHealthOptions;
  private readonly nodeIPs: readonly string[];
  private readonly log: Logger;
  private readonly services = new Map<string, Instance>();
  // syncServices binds asynchronously; calls run one after another.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(opts: ServiceHealthOptions) {
    this.opts = opts;
    this.nodeIPs = opts.nodeIPs && opts.nodeIPs.length > 0 ? opts.nodeIPs : ['0.0.0.0'];
    this.log = opts.log ?? silentLogger;
  }

  /**
   * Makes `services` (namespace/name → healthCheckNodePort) the served set:
   * gone or re-ported ones are closed, new ones opened, unchanged ones left
   * alone. Resolves with the ones that could not be opened; the rest are served.
   */
  syncServices(services: ReadonlyMap<string, number>): Promise<ServiceHealthError[]> {
    const run = this.chain.then(() => this.doSyncServices(services));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Sets each served service's local endpoint count (namespace/name → count);
   * services missing from the map have none. Unknown services are ignored.
   */
  syncEndpoints(counts: ReadonlyMap<string, number>): void {
    for (const [key, inst] of this.services) {
      inst.endpoints = counts.get(key) ?? 0;
      this.log
        .v(3)
        .info('Reporting endpoints for healthcheck', { endpointCount: inst.endpoints, service: key });
    }
  }

  /** namespace/name → port of every health check being served. */
  served(): Map<string, number> {
    return new Map([...this.services].map(([k, v]) => [k, v.port]));
  }

  /** Closes every health check server. */
  async stop(): Promise<void> {
    await this.syncServices(new Map());
  }

  private async doSyncServices(wanted: ReadonlyMap<string, number>): Promise<ServiceHealthError[]> {
    const closing: Promise<void>[] = [];
    for (const [key, inst] of this.services) {
      if (wanted.get(key) === inst.port) continue;
      this.log.v(2).info('Closing healthcheck', { service: key, port: inst.port });
      this.services.delete(key);
      closing.push(...inst.servers.map(closeServer));
    }
    // A port moving between services must be free before it is bound again.
    await Promise.all(closing);

    const errors: ServiceHealthError[] = [];
    for (const [key, port] of wanted) {
      if (this.services.has(key)) continue;
      this.log.v(2).info('Opening healthcheck', { service: key, port });
      const inst: Instance = { port, servers: [], endpoints: 0 };
      try {
        await this.listenAll(key, inst);
        this.services.set(key, inst);
      } catch (err) {
        const message = `node ${this.opts.hostname} failed to start healthcheck ${goQuote(key)} on port ${port}: ${(err as Error).message}`;
        this.log.error(err, 'Failed to start healthcheck', { node: this.opts.hostname, service: key, port });
        const { namespace, name } = splitKey(key);
        this.opts.events?.event(
          { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name, uid: key } },
          'Warning',
          'FailedToStartServiceHealthcheck',
          message,
        );
        errors.push({ service: key, port, message, cause: (err as Error).cause ?? err });
      }
    }
    return errors;
  }

  /** Listens on every node address; on any failure closes what was opened, so a retry starts clean. */
  private async listenAll(key: string, inst: Instance): Promise<void> {
    for (const ip of this.nodeIPs) {
      const addr = joinHostPort(ip, inst.port);
      const server = createServer((req, res) => this.handle(key, req, res));
      try {
        await listen(server, ip, inst.port);
      } catch (err) {
        await Promise.all(inst.servers.map(closeServer));
        inst.servers = [];
        throw new Error(goListenError(addr, err), { cause: err });
      }
      inst.servers.push(server);
    }
  }

  private handle(key: string, _req: IncomingMessage, res: ServerResponse): void {
    const inst = this.services.get(key);
    if (!inst) {
      // A request racing the close: upstream writes nothing (an empty 200).
      this.log.error(undefined, 'Received request for closed healthcheck', { service: key });
      res.end();
      return;
    }
    const count = inst.endpoints;
    const healthy = this.opts.proxyHealth.isHealthy();
    res.setHeader('X-Load-Balancing-Endpoint-Weight', String(count));
    send(res, count !== 0 && healthy ? 200 : 503, 'application/json', serviceHealthBody(key, count, healthy));
  }
}
