/**
 * Crash safety: writers hammer creates, updates and deletes at the API;
 * the server is killed with SIGKILL mid-stream and started again on the same
 * data dir. Every acknowledged write must be there with its content, deleted
 * Services gone, and the allocators must agree with the stored Services
 * (held values refused, freed values reusable, no duplicates) without repair
 * events. Then the same after a clean `svcnet down` and `up`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, service } from './api.js';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import { restart, runFiles, serverLog, serverPid, waitExit } from './procs.js';
import { nodePortsOf, Writer } from './writer.js';

const skip = skipReason();
const NS = '/api/v1/namespaces/default/services';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON
type Svc = any;

async function listServices(api: Api): Promise<Svc[]> {
  return (await api.json('GET', '/api/v1/services', undefined, 200)).items;
}

/** No cluster IP or node port is held twice among the stored Services. */
function assertUnique(items: Svc[]): void {
  const ips = new Map<string, string>();
  const ports = new Map<number, string>();
  for (const s of items) {
    const id = `${s.metadata.namespace}/${s.metadata.name}`;
    for (const ip of s.spec.clusterIPs ?? []) {
      if (ip === 'None') continue;
      assert.ok(!ips.has(ip), `cluster IP ${ip} held by ${id} and ${ips.get(ip)}`);
      ips.set(ip, id);
    }
    for (const p of nodePortsOf(s)) {
      assert.ok(!ports.has(p), `node port ${p} held by ${id} and ${ports.get(p)}`);
      ports.set(p, id);
    }
  }
}

/** Allocations survived: held values are refused, freed ones can be taken again. */
async function assertAllocators(api: Api, items: Svc[], writer: Writer, tag: string): Promise<void> {
  const held = items.filter((s) => /^w\d+-\d+$/.test(s.metadata.name));
  const withIP = held.slice(0, 5);
  assert.ok(withIP.length > 0);
  for (const [i, s] of withIP.entries()) {
    const ip = s.spec.clusterIP;
    const r = await api.request('POST', NS, service(`${tag}-ip-${i}`, { clusterIP: ip }));
    assert.equal(r.status, 422, `${ip} of ${s.metadata.name}: ${r.body}`);
    assert.equal(
      JSON.parse(r.body).message,
      `Service "${tag}-ip-${i}" is invalid: spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`,
    );
  }
  const withPort = held.filter((s) => nodePortsOf(s).length > 0).slice(0, 5);
  assert.ok(withPort.length > 0);
  for (const [i, s] of withPort.entries()) {
    const port = nodePortsOf(s)[0]!;
    const r = await api.request(
      'POST',
      NS,
      service(`${tag}-np-${i}`, { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }),
    );
    assert.equal(r.status, 422, `${port} of ${s.metadata.name}: ${r.body}`);
    assert.equal(
      JSON.parse(r.body).message,
      `Service "${tag}-np-${i}" is invalid: spec.ports[0].nodePort: Invalid value: ${port}: provided port is already allocated`,
    );
  }

  // Values of acknowledged deletes that nobody holds now are free.
  const heldIPs = new Set(items.flatMap((s) => s.spec.clusterIPs ?? []));
  const heldPorts = new Set(items.flatMap(nodePortsOf));
  const freeIPs = writer.freed.map((f) => f.clusterIP).filter((ip) => !heldIPs.has(ip));
  const freePorts = writer.freed.flatMap((f) => f.nodePorts).filter((p) => !heldPorts.has(p));
  assert.ok(freeIPs.length > 0, 'some deletes were acknowledged');
  for (const [i, ip] of freeIPs.slice(0, 3).entries()) {
    const r = await api.request('POST', NS, service(`${tag}-reuse-${i}`, { clusterIP: ip }));
    assert.equal(r.status, 201, `freed ${ip}: ${r.body}`);
  }
  for (const [i, port] of freePorts.slice(0, 3).entries()) {
    const r = await api.request(
      'POST',
      NS,
      service(`${tag}-reuse-np-${i}`, { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }),
    );
    assert.equal(r.status, 201, `freed node port ${port}: ${r.body}`);
  }

  // New dynamic allocations don't collide with anything that survived.
  const fresh = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      api.request('POST', NS, service(`${tag}-new-${i}`, { type: i % 2 ? 'NodePort' : 'LoadBalancer' })),
    ),
  );
  for (const r of fresh) assert.equal(r.status, 201, r.body);
  assertUnique(await listServices(api));
}

async function warningEvents(api: Api): Promise<Svc[]> {
  const evs = (await api.json('GET', '/api/v1/events', undefined, 200)).items;
  return evs.filter((e: Svc) => e.type === 'Warning');
}

describe('kill -9 mid-write, then restart', { skip }, () => {
  let c: Cluster;
  let api: Api;
  const writer = { current: undefined as Writer | undefined };
  before(async () => {
    c = await startCluster();
  });
  after(() => {
    api?.close();
    stopCluster(c);
  });

  it('keeps every acknowledged write, and the allocators agree with storage', async () => {
    api = Api.of(c, { maxSockets: 16 });
    const w = new Writer(api);
    writer.current = w;
    const pid = serverPid(c);
    const running = w.run(12, 3000);
    // Kill once enough writes were acknowledged, with more in flight.
    await eventually(() => w.acked >= 400, 60_000, '400 acknowledged writes');
    process.kill(pid, 'SIGKILL');
    const result = await running;
    await waitExit(pid);
    assert.deepEqual(result.unexpected, []);
    assert.ok(result.networkErrors.length > 0, 'writes were in flight at the kill');
    // The lock is stale now; up must take over.
    assert.deepEqual(runFiles(c), { pid: true, run: true });

    api.close();
    restart(c);
    api = Api.of(c, { maxSockets: 16 });
    const items = await listServices(api);
    const { present, doubtful } = w.check(items);
    assert.ok(present > 100, `${present} services survived`);
    assert.ok(doubtful <= 12, `${doubtful} in doubt`);
    assertUnique(items);
    assert.deepEqual(await warningEvents(api), [], 'no repair events');
    await assertAllocators(api, items, w, 'crash');
    assert.doesNotMatch(serverLog(c), /Unhandled error|ClusterIPNotAllocated|PortNotAllocated/);
  });

  it('keeps everything across a clean down and up, with the same resourceVersions', async () => {
    const beforeDown = await listServices(api);
    api.close();
    const d = c.svcnet(['down', `--data-dir=${c.dataDir}`]);
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual(runFiles(c), { pid: false, run: false });
    restart(c);
    api = Api.of(c, { maxSockets: 16 });
    const afterUp = await listServices(api);
    const key = (s: Svc) => `${s.metadata.namespace}/${s.metadata.name}`;
    const strip = (s: Svc) => {
      // default/kubernetes follows the API server's port, which stays the same here.
      return { uid: s.metadata.uid, rv: s.metadata.resourceVersion, spec: s.spec };
    };
    assert.deepEqual(
      new Map(afterUp.map((s) => [key(s), strip(s)])),
      new Map(beforeDown.map((s) => [key(s), strip(s)])),
    );
    writer.current!.check(afterUp);
    assert.deepEqual(await warningEvents(api), []);
    await assertAllocators(api, afterUp, writer.current!, 'clean');
  });
});
