/**
 * Concurrency over HTTPS straight at the API: hundreds of parallel Service
 * creates on a keep-alive agent (mixed types, some requesting the same IP,
 * node port or name on purpose), parallel updates of one object, parallel
 * deletes. Every success must hold unique values, every failure must be the
 * exact upstream Status, and the stored state must agree with the answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, pool, type Response, service } from './api.js';
import { type Cluster, skipReason, startCluster, stopCluster } from './harness.js';

const skip = skipReason();
const NS = '/api/v1/namespaces/default/services';

interface Attempt {
  name: string;
  kind: 'ip' | 'port' | 'name' | 'free';
  /** The contested value (IP, port, or name). */
  contested?: string | number;
  body: Record<string, unknown>;
}

function attempts(): Attempt[] {
  const out: Attempt[] = [];
  // 10 IPs in the static band (127.96.0.1-127.96.1.0 on a /12), each asked for twice.
  for (let i = 0; i < 10; i++) {
    const ip = `127.96.0.${20 + i}`;
    for (const side of ['a', 'b']) {
      out.push({
        name: `ip-${i}-${side}`,
        kind: 'ip',
        contested: ip,
        body: service(`ip-${i}-${side}`, { clusterIP: ip }),
      });
    }
  }
  // 10 node ports in the static band (30000-30085), each asked for twice.
  for (let i = 0; i < 10; i++) {
    const port = 30020 + i;
    for (const side of ['a', 'b']) {
      out.push({
        name: `np-${i}-${side}`,
        kind: 'port',
        contested: port,
        body: service(`np-${i}-${side}`, { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }),
      });
    }
  }
  // 10 names, each created twice.
  for (let i = 0; i < 10; i++) {
    for (let k = 0; k < 2; k++) {
      out.push({
        name: `dup-${i}`,
        kind: 'name',
        contested: `dup-${i}`,
        body: service(`dup-${i}`, { type: k ? 'NodePort' : 'LoadBalancer' }),
      });
    }
  }
  // 240 free-for-all: ClusterIP, NodePort, LoadBalancer (two ports), headless.
  const types = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
  for (let i = 0; i < 240; i++) {
    const type = types[i % 3]!;
    const ports =
      type === 'LoadBalancer'
        ? [
            { name: 'http', port: 80 },
            { name: 'https', port: 443 },
          ]
        : [{ port: 8080 }];
    out.push({ name: `free-${i}`, kind: 'free', body: service(`free-${i}`, { type, ports }) });
  }
  // Interleave so contenders are not neighbours in submission order.
  return out
    .map((a, i) => ({ a, k: (i * 7919) % out.length }))
    .sort((x, y) => x.k - y.k)
    .map((x) => x.a);
}

// biome-ignore lint/suspicious/noExplicitAny: parsed Service JSON
type Svc = any;

function nodePortsOf(s: Svc): number[] {
  const ports: number[] = (s.spec.ports ?? [])
    .map((p: { nodePort?: number }) => p.nodePort ?? 0)
    .filter(Boolean);
  if (s.spec.healthCheckNodePort) ports.push(s.spec.healthCheckNodePort);
  return ports;
}

describe('parallel creates over HTTPS', { skip }, () => {
  let c: Cluster;
  let api: Api;
  before(async () => {
    c = await startCluster();
    api = Api.of(c, { maxSockets: 64 });
  });
  after(() => {
    api?.close();
    stopCluster(c);
  });

  it('300 creates: unique values for the winners, exact upstream errors for the losers, storage agrees', async () => {
    const all = attempts();
    assert.equal(all.length, 300);
    const responses: Response[] = await Promise.all(all.map((a) => api.request('POST', NS, a.body)));

    const winners = new Map<string, Svc>();
    const byContest = new Map<string, { attempt: Attempt; res: Response }[]>();
    all.forEach((a, i) => {
      const res = responses[i]!;
      if (a.contested !== undefined) {
        const k = `${a.kind}:${a.contested}`;
        byContest.set(k, [...(byContest.get(k) ?? []), { attempt: a, res }]);
      } else {
        assert.equal(res.status, 201, `${a.name}: ${res.body}`);
      }
      if (res.status === 201) {
        const svc = JSON.parse(res.body);
        assert.equal(svc.metadata.name, a.name);
        winners.set(a.name, svc);
      }
    });

    // Each contest: exactly one winner, the loser gets upstream's exact Status.
    assert.equal(byContest.size, 30);
    for (const [k, pair] of byContest) {
      const won = pair.filter((p) => p.res.status === 201);
      const lost = pair.filter((p) => p.res.status !== 201);
      assert.equal(won.length, 1, `${k}: ${pair.map((p) => `${p.res.status} ${p.res.body}`).join('\n')}`);
      const { attempt, res } = lost[0]!;
      const status = JSON.parse(res.body);
      if (attempt.kind === 'ip') {
        assert.equal(res.status, 422, res.body);
        assert.deepEqual(status, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `Service "${attempt.name}" is invalid: spec.clusterIPs: Invalid value: []string{"${attempt.contested}"}: failed to allocate IP ${attempt.contested}: provided IP is already allocated`,
          reason: 'Invalid',
          details: {
            name: attempt.name,
            kind: 'Service',
            causes: [
              {
                reason: 'FieldValueInvalid',
                message: `Invalid value: []string{"${attempt.contested}"}: failed to allocate IP ${attempt.contested}: provided IP is already allocated`,
                field: 'spec.clusterIPs',
              },
            ],
          },
          code: 422,
        });
        assert.equal(won[0]!.attempt.contested, JSON.parse(won[0]!.res.body).spec.clusterIP);
      } else if (attempt.kind === 'port') {
        assert.equal(res.status, 422, res.body);
        assert.equal(
          status.message,
          `Service "${attempt.name}" is invalid: spec.ports[0].nodePort: Invalid value: ${attempt.contested}: provided port is already allocated`,
        );
        assert.deepEqual(status.details.causes, [
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${attempt.contested}: provided port is already allocated`,
            field: 'spec.ports[0].nodePort',
          },
        ]);
        assert.equal(JSON.parse(won[0]!.res.body).spec.ports[0].nodePort, attempt.contested);
      } else {
        assert.equal(res.status, 409, res.body);
        assert.deepEqual(status, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `services "${attempt.name}" already exists`,
          reason: 'AlreadyExists',
          details: { name: attempt.name, kind: 'services' },
          code: 409,
        });
      }
    }
    assert.equal(winners.size, 240 + 30);

    // Unique cluster IPs and node ports among the answers.
    const ips = new Map<string, string>();
    const ports = new Map<number, string>();
    for (const [name, s] of winners) {
      assert.equal(s.spec.clusterIPs[0], s.spec.clusterIP, name);
      assert.ok(
        !ips.has(s.spec.clusterIP),
        `${s.spec.clusterIP} given to ${name} and ${ips.get(s.spec.clusterIP)}`,
      );
      ips.set(s.spec.clusterIP, name);
      const want = s.spec.type === 'ClusterIP' ? 0 : s.spec.ports.length;
      assert.equal(nodePortsOf(s).length, want, `${name} node ports`);
      for (const p of nodePortsOf(s)) {
        assert.ok(p >= 30000 && p <= 32767, `${name}: ${p}`);
        assert.ok(!ports.has(p), `node port ${p} given to ${name} and ${ports.get(p)}`);
        ports.set(p, name);
      }
    }
    assert.ok(!ips.has('127.96.0.1'), 'the kubernetes service IP was handed out');

    // The stored state is what the answers said.
    const list = await api.json('GET', NS, undefined, 200);
    const stored = new Map<string, Svc>(list.items.map((s: Svc) => [s.metadata.name, s]));
    assert.equal(stored.size, winners.size + 1, 'winners + kubernetes');
    for (const [name, s] of winners) {
      const got = stored.get(name);
      assert.ok(got, `${name} answered 201 but is not stored`);
      assert.equal(got.metadata.uid, s.metadata.uid, name);
      assert.equal(got.metadata.resourceVersion, s.metadata.resourceVersion, name);
      assert.deepEqual(got.spec, s.spec, name);
    }
  });

  it('values the losers asked for stay with the winners; freed values are reused', async () => {
    // Delete a winner of a contested IP; the IP can now be requested again.
    const list = await api.json('GET', `${NS}?labelSelector=`, undefined, 200);
    const holder = list.items.find((s: Svc) => s.spec.clusterIP === '127.96.0.20');
    assert.ok(holder);
    const again = await api.request('POST', NS, service('ip-again', { clusterIP: '127.96.0.20' }));
    assert.equal(again.status, 422, again.body);
    assert.equal((await api.request('DELETE', `${NS}/${holder.metadata.name}`)).status, 200);
    const reuse = await api.request('POST', NS, service('ip-again', { clusterIP: '127.96.0.20' }));
    assert.equal(reuse.status, 201, reuse.body);

    const npHolder = list.items.find((s: Svc) => s.spec.ports[0].nodePort === 30020);
    assert.ok(npHolder);
    assert.equal((await api.request('DELETE', `${NS}/${npHolder.metadata.name}`)).status, 200);
    const npReuse = await api.request(
      'POST',
      NS,
      service('np-again', { type: 'NodePort', ports: [{ port: 80, nodePort: 30020 }] }),
    );
    assert.equal(npReuse.status, 201, npReuse.body);
  });

  it('parallel patches of one object all land (the server retries conflicts)', async () => {
    assert.equal((await api.request('POST', NS, service('patched'))).status, 201);
    const n = 50;
    const res = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        api.request(
          'PATCH',
          `${NS}/patched`,
          { metadata: { labels: { [`l${i}`]: String(i) } } },
          { 'Content-Type': 'application/merge-patch+json' },
        ),
      ),
    );
    for (const r of res) assert.equal(r.status, 200, r.body);
    const svc = await api.json('GET', `${NS}/patched`, undefined, 200);
    assert.equal(Object.keys(svc.metadata.labels).length, n);
    // Every write was one revision: the final version is the highest answered.
    const rvs = res.map((r) => Number(JSON.parse(r.body).metadata.resourceVersion));
    assert.equal(new Set(rvs).size, n, 'each patch got its own resourceVersion');
    assert.equal(Number(svc.metadata.resourceVersion), Math.max(...rvs));
  });

  it('parallel PUTs with the same resourceVersion: one wins, the rest get 409 Conflict', async () => {
    const cur = await api.json('GET', `${NS}/patched`, undefined, 200);
    const res = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const next = structuredClone(cur);
        next.metadata.annotations = { writer: String(i) };
        return api.request('PUT', `${NS}/patched`, next);
      }),
    );
    const ok = res.filter((r) => r.status === 200);
    const conflicts = res.filter((r) => r.status === 409);
    assert.equal(ok.length, 1, res.map((r) => r.status).join(','));
    assert.equal(conflicts.length, 19);
    for (const r of conflicts) {
      assert.deepEqual(JSON.parse(r.body), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'Operation cannot be fulfilled on services "patched": the object has been modified; please apply your changes to the latest version and try again',
        reason: 'Conflict',
        details: { name: 'patched', kind: 'services' },
        code: 409,
      });
    }
    const final = await api.json('GET', `${NS}/patched`, undefined, 200);
    assert.equal(final.metadata.annotations.writer, JSON.parse(ok[0]!.body).metadata.annotations.writer);
  });

  it('parallel type changes hand out distinct node ports; parallel deletes of one object: one 200, the rest 404', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `free-${i * 3}`); // ClusterIP ones
    const res = await pool(names, 40, (name) =>
      api.request(
        'PATCH',
        `${NS}/${name}`,
        { spec: { type: 'NodePort' } },
        { 'Content-Type': 'application/strategic-merge-patch+json' },
      ),
    );
    for (const r of res) assert.equal(r.status, 200, r.body);
    const list = await api.json('GET', NS, undefined, 200);
    const seen = new Map<number, string>();
    for (const s of list.items) {
      for (const p of nodePortsOf(s)) {
        assert.ok(!seen.has(p), `node port ${p} held by ${s.metadata.name} and ${seen.get(p)}`);
        seen.set(p, s.metadata.name);
      }
    }

    const dels = await Promise.all(Array.from({ length: 10 }, () => api.request('DELETE', `${NS}/free-1`)));
    assert.deepEqual(
      dels.map((d) => d.status).sort(),
      [200, 404, 404, 404, 404, 404, 404, 404, 404, 404],
      dels.map((d) => d.body).join('\n'),
    );
    const notFound = JSON.parse(dels.find((d) => d.status === 404)!.body);
    assert.equal(notFound.message, 'services "free-1" not found');
    assert.equal(notFound.reason, 'NotFound');
  });
});
