/**
 * The userspace data plane: one real listener per frontend (TCP server or
 * UDP socket on the service address), carrying traffic to the endpoints the
 * model chose. apply() diffs the wanted frontends against the open ones:
 * new ones are bound, gone ones closed, unchanged ones keep their sockets and
 * connections and get the new endpoint list swapped in as one object, so a
 * connection sees either the old route or the new one, never a mix.
 *
 * Like kube-proxy's other modes, open connections outlive endpoint changes;
 * only new connections (and new UDP flows) follow the current endpoints.
 *
 * Each frontend's action comes from the model. `serve` gets a listener;
 * `reject` gets none, so the kernel refuses the connection at once (TCP RST,
 * ICMP port unreachable), which is what a client of upstream's REJECT sees.
 * `drop` on UDP is a listener that discards every datagram (a real drop); on
 * TCP a userspace proxy cannot drop a SYN, so it gets no listener either and
 * the client is refused instead of left waiting (see docs/proxy.md).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { joinHostPort } from '../../k8s/ip.js';
import type { Logger } from '../../lib/log.js';
import type {
  ApplyResult,
  BackendCapabilities,
  BackendOptions,
  BackendStats,
  EndpointStats,
  FrontendStats,
  ProxyBackend,
} from '../backend.js';
import { frontendKey } from '../model/render.js';
import type { Endpoint, Frontend, NodeState, ServicePortState } from '../model/types.js';
import { AffinityTable } from './affinity.js';
import {
  type Descriptors,
  descriptorReserve,
  frontendCap,
  processDescriptors,
  roundRobin,
} from './limits.js';
import {
  type ClientAddr,
  type ConnCounts,
  createScheduler,
  endpointKey,
  foldAddress,
  isSchedulerName,
  SCHEDULER_NAMES,
  type Scheduler,
  type SchedulerName,
} from './schedulers.js';

export interface UserspaceBackendOptions extends BackendOptions {
  /**
   * Connect timeouts of successive attempts to endpoints (default 250 ms, 500 ms, 1 s, 2 s,
   * as kube-proxy's userspace mode): an endpoint that refuses or times out is skipped for the next.
   */
  connectTimeoutsMs?: readonly number[];
  /** [0, 1) source for the `random` scheduler (tests). */
  random?: () => number;
  /** Descriptors in use and the limit (default: this process's, from /proc); undefined: unknown, none held back. */
  descriptors?: () => Descriptors | undefined;
}

/** Errors that mean the process (EMFILE) or the system (ENFILE) is out of descriptors. */
const OUT_OF_DESCRIPTORS = new Set(['EMFILE', 'ENFILE']);
/** Listeners opened at once; after an EMFILE the rest of the apply is not tried. */
const OPEN_BATCH = 256;

/** A Service's frontends left unserved by one apply, for one report per Service and reason. */
interface Unserved {
  service: { namespace: string; name: string };
  reason: 'TooManyFrontends' | 'FailedToListen';
  keys: string[];
  /** Frontends the Service wants a listener for. */
  wanted: number;
  why: string;
}

export interface UserspaceApplyResult extends ApplyResult {
  /** Listeners open after this apply (serving frontends, and UDP frontends that drop). */
  listening: number;
  /** Listener keys (`PROTOCOL/ip:port`) opened and closed by this apply. */
  opened: string[];
  closed: string[];
}

interface Counts extends ConnCounts {
  total: number;
}

/** What a listener does now; replaced whole on every apply. */
interface Route {
  service: ServicePortState;
  frontend: Frontend;
  /** Canonical order (see sortEndpoints), the order schedulers see. */
  endpoints: readonly Endpoint[];
  /** endpointKey() of each endpoint. */
  keys: ReadonlySet<string>;
  scheduler: Scheduler;
  affinity?: AffinityTable;
}

interface Flow {
  client: string;
  sock: dgram.Socket;
  epKey: string;
  lastActive: number;
  timer?: NodeJS.Timeout;
  /** Datagrams received before the flow's socket connected. */
  pending: Buffer[] | null;
  closed: boolean;
}

interface Listener {
  key: string;
  route: Route;
  counters: Map<string, Counts>;
  rejected: number;
  dropped: number;
  tcp?: net.Server;
  udp?: dgram.Socket;
  flows: Map<string, Flow>;
}

const DEFAULT_CONNECT_TIMEOUTS = [250, 500, 1000, 2000];

/** A listener is keyed by its frontend. */
export const listenerKey = frontendKey;

/** Whether a frontend needs a socket of ours (see the header comment). */
function needsListener(fe: Frontend): boolean {
  return fe.action === 'serve' || (fe.action === 'drop' && fe.protocol === 'UDP');
}

/** Endpoints by address then port, duplicates dropped: schedulers' results must not depend on slice order. */
export function sortEndpoints(eps: readonly Endpoint[]): Endpoint[] {
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const ep of eps) {
    const k = endpointKey(ep);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(ep);
  }
  const fam = (ip: string) => (net.isIPv4(ip) ? 4 : 6);
  return out.sort(
    (a, b) =>
      fam(a.ip) - fam(b.ip) ||
      foldAddress(a.ip) - foldAddress(b.ip) ||
      (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0) ||
      a.port - b.port,
  );
}

export class UserspaceBackend implements ProxyBackend {
  readonly mode = 'userspace';
  readonly capabilities: BackendCapabilities = {
    schedulers: SCHEDULER_NAMES,
    protocols: ['TCP', 'UDP'],
    drop: { TCP: 'refused', UDP: 'silent' },
  };
  private readonly log: Logger;
  private readonly defaultScheduler: SchedulerName;
  private readonly udpIdleMs: number;
  private readonly connectTimeouts: readonly number[];
  private readonly now: () => number;
  private readonly listeners = new Map<string, Listener>();
  /** By service key: shared by the service port's frontends, as one iptables `recent` list is. */
  private readonly affinities = new Map<string, AffinityTable>();
  /** Last reported bind error per listener key, so a persisting error is reported once. */
  private readonly failing = new Map<string, string>();
  /** Last reported per-Service shortfall (`namespace/name reason` → message), reported once. */
  private unservedReported = new Map<string, string>();
  private readonly descriptors: () => Descriptors | undefined;
  /** Every TCP socket we hold (client and endpoint side), so stop() can end them. */
  private readonly sockets = new Set<net.Socket>();
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: UserspaceBackendOptions) {
    if (!isSchedulerName(opts.defaultScheduler)) {
      throw new Error(`unknown scheduler "${opts.defaultScheduler}"`);
    }
    this.log = opts.log;
    this.defaultScheduler = opts.defaultScheduler;
    this.udpIdleMs = opts.udpIdleTimeoutMs ?? 60_000;
    this.connectTimeouts = opts.connectTimeoutsMs ?? DEFAULT_CONNECT_TIMEOUTS;
    this.now = opts.now ?? Date.now;
    this.descriptors = opts.descriptors ?? processDescriptors;
  }

  /** Makes the listeners match `state`. Applies are serialised. */
  apply(state: Pick<NodeState, 'services'>): Promise<UserspaceApplyResult> {
    const run = this.chain.then(() => this.doApply(state));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Closes every listener and connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.chain;
    for (const l of this.listeners.values()) this.closeListener(l);
    this.listeners.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.affinities.clear();
  }

  /** Keys (`PROTOCOL/ip:port`) of the frontends being served. */
  listenerKeys(): string[] {
    return [...this.listeners.keys()];
  }

  stats(): BackendStats {
    const endpoints: EndpointStats[] = [];
    const frontends: FrontendStats[] = [];
    for (const l of this.listeners.values()) {
      const service = l.route.service.key;
      frontends.push({ service, frontend: l.key, rejected: l.rejected, dropped: l.dropped });
      for (const [endpoint, c] of l.counters) {
        endpoints.push({ service, frontend: l.key, endpoint, ...c });
      }
    }
    return { endpoints, frontends };
  }

  private async doApply(state: Pick<NodeState, 'services'>): Promise<UserspaceApplyResult> {
    const result: UserspaceApplyResult = {
      applied: 0,
      listening: 0,
      opened: [],
      closed: [],
      failed: [],
      unsupported: [],
    };
    if (this.stopped) return result;
    const wanted = new Map<string, { svc: ServicePortState; fe: Frontend }>();
    let withoutListener = 0;
    for (const svc of state.services.values()) {
      for (const fe of svc.frontends) {
        const key = listenerKey(fe);
        const problem = { service: svc.key, frontend: key, kind: fe.kind };
        if (fe.protocol === 'SCTP') {
          result.unsupported.push({ ...problem, message: 'SCTP is not supported by the userspace proxy' });
          continue;
        }
        if (!needsListener(fe)) {
          // Rejected (or a TCP drop): in effect by having no socket on the address.
          withoutListener++;
          continue;
        }
        const other = wanted.get(key);
        if (other) {
          result.failed.push({ ...problem, message: `frontend already used by service ${other.svc.key}` });
          continue;
        }
        wanted.set(key, { svc, fe });
      }
      this.syncAffinity(svc);
    }
    for (const k of this.affinities.keys()) {
      if (!state.services.get(k)?.sessionAffinity) this.affinities.delete(k);
    }

    const descriptors = this.descriptors();
    const reserve = descriptorReserve(descriptors?.limit, this.opts.reserveDescriptors);
    const unserved: Unserved[] = [];
    this.capPerService(
      wanted,
      frontendCap(descriptors?.limit, this.opts.maxFrontendsPerService),
      result,
      unserved,
    );

    for (const [key, l] of this.listeners) {
      if (wanted.has(key)) continue;
      this.closeListener(l);
      this.listeners.delete(key);
      result.closed.push(key);
    }
    for (const key of this.failing.keys()) if (!wanted.has(key)) this.failing.delete(key);

    const fresh: string[] = [];
    for (const [key, { svc, fe }] of wanted) {
      const existing = this.listeners.get(key);
      if (!existing) {
        fresh.push(key);
        continue;
      }
      existing.route = this.route(svc, fe, existing.route);
      this.pruneCounters(existing);
    }
    await this.openFresh(fresh, wanted, descriptors, reserve, result, unserved);
    this.reportUnserved(unserved);
    if (this.stopped) {
      for (const l of this.listeners.values()) this.closeListener(l);
      this.listeners.clear();
    }
    result.listening = this.listeners.size;
    result.applied = result.listening + withoutListener;
    if (result.opened.length || result.closed.length) {
      this.log.v(2).info('Userspace listeners synced', {
        opened: result.opened.length,
        closed: result.closed.length,
        listening: result.listening,
      });
    }
    return result;
  }

  /**
   * A Service's listeners beyond `cap` are not opened (see ./limits.ts); the
   * ones already open are kept first, then the model's order.
   */
  private capPerService(
    wanted: Map<string, { svc: ServicePortState; fe: Frontend }>,
    cap: number,
    result: UserspaceApplyResult,
    unserved: Unserved[],
  ): void {
    const byService = new Map<string, string[]>();
    for (const [key, { svc }] of wanted) {
      const id = `${svc.namespace}/${svc.name}`;
      const keys = byService.get(id);
      if (keys) keys.push(key);
      else byService.set(id, [key]);
    }
    for (const keys of byService.values()) {
      if (keys.length <= cap) continue;
      const open = keys.filter((k) => this.listeners.has(k));
      const over = [...open, ...keys.filter((k) => !this.listeners.has(k))].slice(cap);
      const { svc } = wanted.get(keys[0]!)!;
      for (const key of over) {
        const w = wanted.get(key)!;
        wanted.delete(key);
        result.failed.push({
          service: w.svc.key,
          frontend: key,
          kind: w.fe.kind,
          message: `over the limit of ${cap} listeners per Service`,
          code: 'ServiceFrontendLimit',
        });
      }
      unserved.push({
        service: { namespace: svc.namespace, name: svc.name },
        reason: 'TooManyFrontends',
        keys: over,
        wanted: keys.length,
        why: `the userspace proxy listens on at most ${cap} per Service (--max-frontends-per-service)`,
      });
    }
  }

  /**
   * Opens the new listeners, round-robin across Services, as far as the
   * descriptors allow without eating into `reserve`; in batches, stopping at
   * the first EMFILE/ENFILE, after which this apply's newest listeners give
   * back up to `reserve` descriptors, so the frontends served before keep
   * room for their connections.
   */
  private async openFresh(
    fresh: string[],
    wanted: Map<string, { svc: ServicePortState; fe: Frontend }>,
    descriptors: Descriptors | undefined,
    reserve: number,
    result: UserspaceApplyResult,
    unserved: Unserved[],
  ): Promise<void> {
    if (fresh.length === 0) return;
    const order = roundRobin(fresh, (k) => {
      const { svc } = wanted.get(k)!;
      return `${svc.namespace}/${svc.name}`;
    });
    const budget = descriptors
      ? Math.max(0, descriptors.limit - descriptors.inUse - reserve)
      : Number.POSITIVE_INFINITY;
    const held = new Map<string, string>();
    if (order.length > budget) {
      const why = `${descriptors!.inUse} of ${descriptors!.limit} file descriptors are in use and ${reserve} are kept for connections`;
      for (const key of order.splice(budget)) held.set(key, 'DescriptorReserve');
      this.unservedFor(held, wanted, 'DescriptorReserve', why, unserved);
    }
    const openedNow: string[] = [];
    let exhausted: NodeJS.ErrnoException | undefined;
    for (let i = 0; i < order.length; i += OPEN_BATCH) {
      if (exhausted) {
        for (const key of order.slice(i)) held.set(key, exhausted.code!);
        break;
      }
      await Promise.all(
        order.slice(i, i + OPEN_BATCH).map((key) => {
          const { svc, fe } = wanted.get(key)!;
          return this.open(key, this.route(svc, fe)).then(
            (l) => {
              this.listeners.set(key, l);
              this.failing.delete(key);
              result.opened.push(key);
              openedNow.push(key);
            },
            (err: NodeJS.ErrnoException) => {
              if (OUT_OF_DESCRIPTORS.has(err.code ?? '')) {
                exhausted ??= err;
                held.set(key, err.code!);
                return;
              }
              const message = `listen ${fe.protocol.toLowerCase()} ${endpointKey(fe)}: ${err.message}`;
              result.failed.push({ service: svc.key, frontend: key, kind: fe.kind, message, code: err.code });
              if (this.failing.get(key) !== message) {
                this.failing.set(key, message);
                this.log.warn('Cannot serve frontend', { service: svc.key, frontend: key, err: err.message });
                this.opts.onFrontendError?.(fe, err, svc);
              }
            },
          );
        }),
      );
    }
    if (exhausted) {
      // Give back what the frontends served before need to carry their connections.
      for (const key of openedNow.splice(Math.max(0, openedNow.length - reserve))) {
        this.closeListener(this.listeners.get(key)!);
        this.listeners.delete(key);
        result.opened.splice(result.opened.indexOf(key), 1);
        held.set(key, exhausted.code!);
      }
      const code = exhausted.code!;
      this.unservedFor(held, wanted, code, `too many open files (${code})`, unserved);
    }
    for (const [key, code] of held) {
      const { svc, fe } = wanted.get(key)!;
      const message = `not listening on ${endpointKey(fe)}: ${code === 'DescriptorReserve' ? 'descriptors kept for connections' : `too many open files (${code})`}`;
      result.failed.push({ service: svc.key, frontend: key, kind: fe.kind, message, code });
    }
  }

  /** One FailedToListen shortfall per Service for the `held` keys of one cause. */
  private unservedFor(
    held: ReadonlyMap<string, string>,
    wanted: Map<string, { svc: ServicePortState; fe: Frontend }>,
    code: string,
    why: string,
    unserved: Unserved[],
  ): void {
    const id = (svc: ServicePortState) => `${svc.namespace}/${svc.name}`;
    const byService = new Map<string, Unserved>();
    for (const [key, c] of held) {
      if (c !== code) continue;
      const { svc } = wanted.get(key)!;
      let u = byService.get(id(svc));
      if (!u) {
        u = {
          service: { namespace: svc.namespace, name: svc.name },
          reason: 'FailedToListen',
          keys: [],
          wanted: 0,
          why,
        };
        byService.set(id(svc), u);
      }
      u.keys.push(key);
    }
    for (const { svc } of wanted.values()) {
      const u = byService.get(id(svc));
      if (u) u.wanted++;
    }
    unserved.push(...byService.values());
  }

  /** Logs and calls back once per Service, reason and message; forgets what is resolved. */
  private reportUnserved(unserved: readonly Unserved[]): void {
    const now = new Map<string, string>();
    for (const u of unserved) {
      const id = `${u.service.namespace}/${u.service.name} ${u.reason}`;
      const message =
        u.reason === 'TooManyFrontends'
          ? `Service has ${u.wanted} frontends to listen on; ${u.why}: ${u.keys.length} not served (${u.keys[0]}, ...)`
          : `Not listening on ${u.keys.length} of ${u.wanted} frontends (${u.keys[0]}, ...): ${u.why}`;
      const previous = now.get(id);
      const text = previous ? `${previous}; ${message}` : message;
      now.set(id, text);
    }
    for (const [id, message] of now) {
      if (this.unservedReported.get(id) === message) continue;
      const u = unserved.find((x) => `${x.service.namespace}/${x.service.name} ${x.reason}` === id)!;
      this.log.warn('Frontends not served', {
        service: `${u.service.namespace}/${u.service.name}`,
        reason: u.reason,
        message,
      });
      this.opts.onServiceFrontendsLimited?.(u.service, u.reason, message);
    }
    this.unservedReported = now;
  }

  private syncAffinity(svc: ServicePortState): void {
    const timeout = svc.sessionAffinity?.timeoutSeconds;
    if (timeout === undefined) return;
    const t = this.affinities.get(svc.key);
    if (t) t.timeoutSeconds = timeout;
    else this.affinities.set(svc.key, new AffinityTable(timeout, this.now));
  }

  private route(svc: ServicePortState, fe: Frontend, prev?: Route): Route {
    let name = this.defaultScheduler;
    if (svc.scheduler !== undefined) {
      if (isSchedulerName(svc.scheduler)) name = svc.scheduler;
      else
        this.log.warn('Unknown scheduler, using the default', { service: svc.key, scheduler: svc.scheduler });
    }
    const sameTarget = prev && prev.frontend.ip === fe.ip && prev.frontend.port === fe.port;
    const scheduler =
      sameTarget && prev.scheduler.name === name
        ? prev.scheduler
        : createScheduler(name, { serviceIp: fe.ip, servicePort: fe.port, random: this.opts.random });
    const endpoints = sortEndpoints(fe.endpoints);
    return {
      service: svc,
      frontend: fe,
      endpoints,
      keys: new Set(endpoints.map(endpointKey)),
      scheduler,
      affinity: this.affinities.get(svc.key),
    };
  }

  /** Drops counters of endpoints that are gone and hold nothing open. */
  private pruneCounters(l: Listener): void {
    for (const [k, c] of l.counters) {
      if (!l.route.keys.has(k) && c.active === 0 && c.inactive === 0) l.counters.delete(k);
    }
  }

  private counts(l: Listener, key: string): Counts {
    let c = l.counters.get(key);
    if (!c) {
      c = { active: 0, inactive: 0, total: 0 };
      l.counters.set(key, c);
    }
    return c;
  }

  private release(l: Listener, key: string, field: 'active' | 'inactive'): void {
    const c = l.counters.get(key);
    if (!c) return;
    c[field]--;
    if (c.active === 0 && c.inactive === 0 && !l.route.keys.has(key)) {
      l.counters.delete(key);
    }
  }

  /** Affinity first (a current, unexpired binding), else the scheduler; `exclude` holds failed endpoints. */
  private choose(l: Listener, client: ClientAddr, exclude?: ReadonlySet<string>): Endpoint | undefined {
    const route = l.route;
    const eps = exclude?.size ? route.endpoints.filter((e) => !exclude.has(endpointKey(e))) : route.endpoints;
    if (eps.length === 0) return undefined;
    return route.affinity?.lookup(client.ip, eps) ?? route.scheduler.pick(eps, client, l.counters);
  }

  private async open(key: string, route: Route): Promise<Listener> {
    const l: Listener = { key, route, counters: new Map(), rejected: 0, dropped: 0, flows: new Map() };
    const { ip, port, protocol } = route.frontend;
    if (protocol === 'TCP') {
      const server = net.createServer({ allowHalfOpen: true }, (sock) => this.onTcp(l, sock));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: ip, port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => this.log.error(err, 'Listener error', { frontend: key }));
      l.tcp = server;
    } else {
      const sock = dgram.createSocket({ type: net.isIPv4(ip) ? 'udp4' : 'udp6' });
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind({ address: ip, port, exclusive: true }, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      sock.on('error', (err) => this.log.error(err, 'Listener error', { frontend: key }));
      sock.on('message', (msg, rinfo) => this.onDatagram(l, msg, rinfo));
      l.udp = sock;
    }
    this.log.v(2).info('Listening', { service: route.service.key, frontend: key });
    return l;
  }

  /** Stops accepting; open TCP connections carry on (as conntrack entries do), UDP flows end. */
  private closeListener(l: Listener): void {
    l.tcp?.close();
    for (const f of l.flows.values()) this.closeFlow(l, f);
    l.udp?.close();
    this.log.v(2).info('Stopped listening', { service: l.route.service.key, frontend: l.key });
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  private onTcp(l: Listener, client: net.Socket): void {
    this.track(client);
    // Errors before the endpoint is connected end the attempt (see dial); after, they reset the peer.
    client.on('error', () => {});
    this.dial(l, client, { ip: client.remoteAddress ?? '', port: client.remotePort ?? 0 }, new Set(), 0);
  }

  private dial(l: Listener, client: net.Socket, addr: ClientAddr, tried: Set<string>, attempt: number): void {
    if (client.destroyed || this.stopped) return;
    const ep = this.choose(l, addr, tried);
    if (!ep) {
      if (tried.size === 0) l.rejected++;
      client.resetAndDestroy();
      return;
    }
    const key = endpointKey(ep);
    const up = net.connect({ host: ep.ip, port: ep.port, allowHalfOpen: true });
    this.track(up);
    let connected = false;
    const timer = setTimeout(
      () => up.destroy(new Error('connect timeout')),
      this.connectTimeouts[attempt] ?? 2000,
    );
    const onClientGone = () => {
      if (connected) return;
      clearTimeout(timer);
      up.destroy();
    };
    client.once('close', onClientGone);
    up.on('error', (err) => {
      clearTimeout(timer);
      if (connected) {
        client.resetAndDestroy();
        return;
      }
      if (tried.has(key)) return; // a second error of the same failed attempt
      client.off('close', onClientGone);
      tried.add(key);
      l.route.affinity?.forget(addr.ip);
      this.log.v(3).info('Endpoint dial failed', { frontend: l.key, endpoint: key, err: err.message });
      if (attempt + 1 < this.connectTimeouts.length) this.dial(l, client, addr, tried, attempt + 1);
      else client.resetAndDestroy();
    });
    up.once('connect', () => {
      clearTimeout(timer);
      client.off('close', onClientGone);
      if (client.destroyed) {
        up.destroy();
        return;
      }
      connected = true;
      const c = this.counts(l, key);
      c.active++;
      c.total++;
      up.once('close', () => this.release(l, key, 'active'));
      l.route.affinity?.record(addr.ip, ep);
      client.removeAllListeners('error');
      client.on('error', () => up.resetAndDestroy());
      // pipe: backpressure both ways; end() on the source's FIN gives half-close.
      client.pipe(up);
      up.pipe(client);
    });
  }

  private onDatagram(l: Listener, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const ck = joinHostPort(rinfo.address, rinfo.port);
    let flow = l.flows.get(ck);
    // A flow to an endpoint that is no longer current is dropped, as kube-proxy clears stale UDP conntrack.
    if (flow && !l.route.keys.has(flow.epKey)) {
      this.closeFlow(l, flow);
      flow = undefined;
    }
    if (l.route.frontend.action === 'drop') {
      l.dropped++;
      return;
    }
    if (!flow) {
      const client = { ip: rinfo.address, port: rinfo.port };
      const ep = this.choose(l, client);
      if (!ep) {
        // Userspace cannot send ICMP port-unreachable: drop and count.
        l.rejected++;
        return;
      }
      flow = this.openFlow(l, ck, rinfo, ep);
      l.route.affinity?.record(client.ip, ep);
    }
    flow.lastActive = Date.now();
    if (flow.pending) flow.pending.push(msg);
    else sendQuietly(flow.sock, msg);
  }

  private openFlow(l: Listener, ck: string, rinfo: dgram.RemoteInfo, ep: Endpoint): Flow {
    const sock = dgram.createSocket({ type: net.isIPv4(ep.ip) ? 'udp4' : 'udp6' });
    const flow: Flow = {
      client: ck,
      sock,
      epKey: endpointKey(ep),
      lastActive: Date.now(),
      pending: [],
      closed: false,
    };
    l.flows.set(ck, flow);
    const c = this.counts(l, flow.epKey);
    c.inactive++;
    c.total++;
    sock.on('message', (reply) => {
      flow.lastActive = Date.now();
      // Sent from the listener's socket, so the reply's source is the service address.
      if (l.udp) sendQuietly(l.udp, reply, rinfo.port, rinfo.address);
    });
    sock.on('error', (err) => {
      this.log.v(3).info('UDP flow error', { frontend: l.key, endpoint: flow.epKey, err: err.message });
      this.closeFlow(l, flow);
    });
    sock.connect(ep.port, ep.ip, () => {
      const queued = flow.pending ?? [];
      flow.pending = null;
      if (!flow.closed) for (const m of queued) sendQuietly(sock, m);
    });
    const check = () => {
      if (flow.closed) return;
      const idle = Date.now() - flow.lastActive;
      if (idle >= this.udpIdleMs) this.closeFlow(l, flow);
      else flow.timer = setTimeout(check, this.udpIdleMs - idle).unref();
    };
    flow.timer = setTimeout(check, this.udpIdleMs).unref();
    return flow;
  }

  private closeFlow(l: Listener, flow: Flow): void {
    if (flow.closed) return;
    flow.closed = true;
    clearTimeout(flow.timer);
    if (l.flows.get(flow.client) === flow) l.flows.delete(flow.client);
    try {
      flow.sock.close();
    } catch {
      // already closed
    }
    this.release(l, flow.epKey, 'inactive');
  }
}

/** A datagram send that ignores a socket closed under it (a flow or listener torn down meanwhile). */
function sendQuietly(sock: dgram.Socket, msg: Buffer, port?: number, address?: string): void {
  try {
    if (port === undefined) sock.send(msg);
    else sock.send(msg, port, address);
  } catch {
    // ERR_SOCKET_DGRAM_NOT_RUNNING: nothing to deliver to any more
  }
}
