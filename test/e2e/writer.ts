/**
 * A load generator for the crash and shutdown tests: workers that create,
 * update and delete Services over the API, each on names of its own, and
 * record what the server acknowledged (2xx) and what is in doubt (a request
 * whose answer never came). check() then compares stored Services with
 * that record.
 */
import assert from 'node:assert/strict';
import type { Api } from './api.js';
import { service } from './api.js';

/** What an acknowledged write says a Service now is. */
export interface Known {
  present: boolean;
  uid?: string;
  type?: string;
  gen?: string;
  clusterIP?: string;
  nodePorts?: number[];
}

// biome-ignore lint/suspicious/noExplicitAny: parsed Service JSON
type Svc = any;

export function nodePortsOf(s: Svc): number[] {
  const ports: number[] = (s.spec.ports ?? [])
    .map((p: { nodePort?: number }) => p.nodePort ?? 0)
    .filter((p: number) => p > 0);
  if (s.spec.healthCheckNodePort) ports.push(s.spec.healthCheckNodePort);
  return ports.sort((a, b) => a - b);
}

function knownOf(s: Svc): Known {
  return {
    present: true,
    uid: s.metadata.uid,
    type: s.spec.type,
    gen: s.metadata.labels?.gen,
    clusterIP: s.spec.clusterIP,
    nodePorts: nodePortsOf(s),
  };
}

export interface WriterResult {
  /** Acknowledged writes. */
  acked: number;
  /** Requests that failed at the network level (refused, reset, hung up). */
  networkErrors: string[];
  /** Non-2xx answers: none are expected. */
  unexpected: string[];
}

export class Writer {
  /** Last acknowledged state per name. */
  readonly known = new Map<string, Known>();
  /** Names whose last write got no answer: the stored state may be `before` or `after`. */
  readonly doubt = new Map<string, { before: Known | undefined; after: Known; op: string }>();
  acked = 0;
  /** Values of acknowledged deletes: free again unless handed out since. */
  readonly freed: { clusterIP: string; nodePorts: number[] }[] = [];
  readonly networkErrors: string[] = [];
  readonly unexpected: string[] = [];
  private stopped = false;

  constructor(
    private readonly api: Api,
    private readonly namespace = 'default',
  ) {}

  private path(name = ''): string {
    return `/api/v1/namespaces/${this.namespace}/services${name ? `/${name}` : ''}`;
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Runs `workers` loops of at most `maxOps` writes each; a loop ends at its
   * first network error (the server went away) or when stop() is called.
   */
  async run(workers: number, maxOps: number): Promise<WriterResult> {
    await Promise.all(Array.from({ length: workers }, (_, w) => this.worker(w, maxOps)));
    return { acked: this.acked, networkErrors: this.networkErrors, unexpected: this.unexpected };
  }

  private async worker(w: number, maxOps: number): Promise<void> {
    const live: string[] = [];
    let next = 0;
    const types = ['ClusterIP', 'NodePort', 'LoadBalancer'];
    for (let step = 0; step < maxOps && !this.stopped; step++) {
      const phase = step % 6;
      let op: 'create' | 'update' | 'delete' = 'create';
      if (phase === 3 && live.length > 0) op = 'update';
      if (phase === 5 && live.length > 2) op = 'delete';
      let name: string;
      let req: () => Promise<import('./api.js').Response>;
      let after: (res: Svc) => Known;
      const before = () => this.known.get(name);
      if (op === 'create') {
        name = `w${w}-${next++}`;
        const type = types[(w + step) % 3]!;
        const body = service(name, { type, ports: [{ name: 'http', port: 80 }] }, { labels: { gen: '0' } });
        req = () => this.api.request('POST', this.path(), body);
        after = knownOf;
        this.doubtful(name, undefined, { present: true, type, gen: '0' }, op);
      } else if (op === 'update') {
        name = live[(step * 31) % live.length]!;
        const cur = before()!;
        const gen = String(Number(cur.gen ?? '0') + 1);
        // Every other update also changes the type, which moves node ports.
        const type = Number(gen) % 2 ? (cur.type === 'ClusterIP' ? 'NodePort' : 'ClusterIP') : cur.type!;
        const patch = { metadata: { labels: { gen } }, spec: { type } };
        req = () =>
          this.api.request('PATCH', this.path(name), patch, {
            'Content-Type': 'application/strategic-merge-patch+json',
          });
        after = knownOf;
        const changed = type !== cur.type;
        this.doubtful(name, cur, { ...cur, gen, type, nodePorts: changed ? undefined : cur.nodePorts }, op);
      } else {
        name = live.shift()!;
        req = () => this.api.request('DELETE', this.path(name));
        after = () => ({ present: false });
        this.doubtful(name, before(), { present: false }, op);
      }
      let res: import('./api.js').Response;
      try {
        res = await req();
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        this.networkErrors.push(`${op} ${name}: ${e.code ?? ''} ${e.message}`);
        return; // the name stays in doubt
      }
      if (res.status >= 200 && res.status < 300) {
        this.doubt.delete(name);
        const was = this.known.get(name);
        if (op === 'delete' && was?.clusterIP)
          this.freed.push({ clusterIP: was.clusterIP, nodePorts: was.nodePorts ?? [] });
        this.known.set(name, after(JSON.parse(res.body)));
        this.acked++;
        if (op === 'create') live.push(name);
      } else {
        this.unexpected.push(`${op} ${name}: ${res.status} ${res.body}`);
        return;
      }
    }
  }

  private doubtful(name: string, before: Known | undefined, after: Known, op: string): void {
    this.doubt.set(name, { before, after, op });
  }

  /**
   * Compares the stored Services (a list's items) with the record: every
   * acknowledged write is there with its content, deletes are gone, in-doubt
   * names are in one of their two states, and nothing else exists.
   */
  check(items: Svc[]): { present: number; doubtful: number } {
    const stored = new Map<string, Svc>(
      items.filter((s) => /^w\d+-\d+$/.test(s.metadata.name)).map((s) => [s.metadata.name, s]),
    );
    const names = new Set([...this.known.keys(), ...this.doubt.keys()]);
    for (const name of stored.keys()) assert.ok(names.has(name), `${name} is stored but was never written`);
    let present = 0;
    for (const name of names) {
      const s = stored.get(name);
      const got: Known = s ? knownOf(s) : { present: false };
      if (got.present) present++;
      const d = this.doubt.get(name);
      const candidates = d ? [d.before ?? { present: false }, d.after] : [this.known.get(name)!];
      const matches = candidates.some((k) => sameAs(got, k));
      assert.ok(
        matches,
        `${name}: stored ${JSON.stringify(got)}, expected ${d ? `one of (in doubt after ${d.op})` : ''} ${JSON.stringify(candidates)}`,
      );
    }
    return { present, doubtful: this.doubt.size };
  }
}

/** `got` is what `want` describes (fields `want` leaves unset are not compared). */
function sameAs(got: Known, want: Known): boolean {
  if (got.present !== want.present) return false;
  if (!got.present) return true;
  for (const k of ['uid', 'type', 'gen', 'clusterIP'] as const) {
    if (want[k] !== undefined && got[k] !== want[k]) return false;
  }
  if (want.nodePorts !== undefined && JSON.stringify(got.nodePorts) !== JSON.stringify(want.nodePorts))
    return false;
  return true;
}
