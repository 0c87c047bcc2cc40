/**
 * Namespaces with the real kubectl: deleting one with content (services,
 * endpoints, endpointslices, events) removes everything in it and then the
 * namespace (kubectl delete waits for the 404); a terminating namespace
 * refuses new content; a missing one is a 404; the system namespaces can't be
 * deleted; events show in `kubectl get events` and `describe svc`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Api, pool, service } from './api.js';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';

const skip = skipReason();

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON
type Obj = any;

const NAMESPACED = [
  '/api/v1/namespaces/NS/services',
  '/api/v1/namespaces/NS/endpoints',
  '/apis/discovery.k8s.io/v1/namespaces/NS/endpointslices',
  '/api/v1/namespaces/NS/events',
];

function content(ns: string) {
  const endpoints = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name },
    subsets: [{ addresses: [{ ip: '127.244.0.10' }], ports: [{ port: 8080 }] }],
  });
  const slice = (name: string) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.244.0.10'], conditions: { ready: true } }],
    ports: [{ port: 8080, protocol: 'TCP' }],
  });
  const event = (name: string, about: Obj) => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.17f0000000000000` },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Service',
      namespace: ns,
      name,
      uid: about.metadata.uid,
    },
    reason: 'Testing',
    message: `something happened to ${name}`,
    type: 'Normal',
    source: { component: 'e2e' },
    firstTimestamp: about.metadata.creationTimestamp,
    lastTimestamp: about.metadata.creationTimestamp,
    count: 1,
  });
  return { endpoints, slice, event };
}

async function populate(api: Api, ns: string, n: number): Promise<Obj[]> {
  const make = content(ns);
  const names = Array.from({ length: n }, (_, i) => `svc-${i}`);
  return pool(names, 16, async (name, i) => {
    const type = ['ClusterIP', 'NodePort', 'LoadBalancer'][i % 3];
    const svc = await api.json(
      'POST',
      `/api/v1/namespaces/${ns}/services`,
      // Selector-less: their Endpoints are the user's own (the endpoints controller leaves them alone).
      service(name, { type }),
      201,
    );
    await api.json('POST', `/api/v1/namespaces/${ns}/endpoints`, make.endpoints(name), 201);
    await api.json(
      'POST',
      `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
      make.slice(name),
      201,
    );
    await api.json('POST', `/api/v1/namespaces/${ns}/events`, make.event(name, svc), 201);
    return svc;
  });
}

describe('namespaces', { skip }, () => {
  let c: Cluster;
  let api: Api;
  before(async () => {
    c = await startCluster();
    api = Api.of(c, { maxSockets: 16 });
  });
  after(() => {
    api?.close();
    stopCluster(c);
  });

  it('deletes a namespace with its content; kubectl waits until it is gone', async () => {
    c.ok(['create', 'namespace', 'team']);
    const svcs = await populate(api, 'team', 30);
    assert.match(c.ok(['get', 'svc', '-n', 'team', '--no-headers']), /svc-29/);

    const r = c.kubectl(['delete', 'namespace', 'team', '--timeout=60s']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'namespace "team" deleted');
    // kubectl returned: the namespace is gone, and everything in it.
    const gone = await api.request('GET', '/api/v1/namespaces/team');
    assert.equal(gone.status, 404);
    assert.equal(JSON.parse(gone.body).message, 'namespaces "team" not found');
    for (const path of NAMESPACED) {
      const list = await api.json('GET', path.replace('NS', 'team'), undefined, 200);
      assert.deepEqual(list.items, [], path);
    }
    const get = c.kubectl(['get', 'svc,endpoints,endpointslices,events', '-n', 'team']);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stderr, /No resources found in team namespace\./);

    // The deleted services' cluster IPs and node ports are free again.
    c.ok(['create', 'namespace', 'team2']);
    for (const s of svcs.filter((x) => x.spec.type !== 'ClusterIP').slice(0, 4)) {
      const again = await api.request(
        'POST',
        '/api/v1/namespaces/team2/services',
        service(`re-${s.metadata.name}`, {
          type: 'NodePort',
          clusterIP: s.spec.clusterIP,
          ports: [{ port: 80, nodePort: s.spec.ports[0].nodePort }],
        }),
      );
      assert.equal(again.status, 201, again.body);
    }
    // A namespace of the same name can be created again, empty.
    c.ok(['create', 'namespace', 'team']);
    assert.equal(c.ok(['get', 'svc', '-n', 'team', '-o', 'name']), '');
  });

  it('keeps a namespace Terminating while content has finalizers, and refuses new content in it', async () => {
    c.ok(['create', 'namespace', 'held']);
    const held = service('held', {}, { finalizers: ['example.com/hold'] });
    await api.json('POST', '/api/v1/namespaces/held/services', held, 201);
    await api.json('POST', '/api/v1/namespaces/held/services', service('plain'), 201);
    const d = c.kubectl(['delete', 'namespace', 'held', '--wait=false']);
    assert.equal(d.code, 0, d.stderr);

    await eventually(
      async () => (await api.request('GET', '/api/v1/namespaces/held/services/plain')).status === 404,
      15_000,
      'content without finalizers deleted',
    );
    const ns = await api.json('GET', '/api/v1/namespaces/held', undefined, 200);
    assert.equal(ns.status.phase, 'Terminating');
    assert.ok(ns.metadata.deletionTimestamp);
    const svc = await api.json('GET', '/api/v1/namespaces/held/services/held', undefined, 200);
    assert.ok(svc.metadata.deletionTimestamp, 'the held service is being deleted');
    assert.equal(c.ok(['get', 'ns', 'held', '--no-headers']).split(/\s+/)[1], 'Terminating');

    // New content: 403 Forbidden with upstream's message.
    const r = await api.request('POST', '/api/v1/namespaces/held/services', service('late'));
    assert.equal(r.status, 403, r.body);
    assert.deepEqual(JSON.parse(r.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'services "late" is forbidden: unable to create new content in namespace held because it is being terminated',
      reason: 'Forbidden',
      details: { name: 'late', kind: 'services' },
      code: 403,
    });
    const k = c.kubectl(['create', 'service', 'clusterip', 'late', '--tcp=80', '-n', 'held']);
    assert.notEqual(k.code, 0);
    assert.match(
      k.stderr,
      /services "late" is forbidden: unable to create new content in namespace held because it is being terminated/,
    );

    // Deleting it again while it waits: upstream's 409.
    const again = c.kubectl(['delete', 'namespace', 'held', '--wait=false']);
    assert.notEqual(again.code, 0);
    assert.match(
      again.stderr,
      /Error from server \(Conflict\): Operation cannot be fulfilled on namespaces "held": The system is ensuring all content is removed from this namespace\. {2}Upon completion, this namespace will automatically be purged by the system\./,
    );

    // Releasing the finalizer lets the namespace go.
    c.ok(['patch', 'svc', 'held', '-n', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually(
      async () => (await api.request('GET', '/api/v1/namespaces/held')).status === 404,
      15_000,
      'namespace held removed',
    );
  });

  it('reports what holds a Terminating namespace in its status conditions', async () => {
    c.ok(['create', 'namespace', 'stuck']);
    await api.json(
      'POST',
      '/api/v1/namespaces/stuck/services',
      service('held', {}, { finalizers: ['example.com/hold'] }),
      201,
    );
    c.ok(['delete', 'namespace', 'stuck', '--wait=false']);
    try {
      const conditions = await eventually(
        async () => {
          const ns = await api.json('GET', '/api/v1/namespaces/stuck', undefined, 200);
          const byType = new Map<string, Obj>((ns.status.conditions ?? []).map((x: Obj) => [x.type, x]));
          return byType.has('NamespaceFinalizersRemaining') && byType;
        },
        5_000,
        'deletion conditions',
      );
      assert.deepEqual(
        {
          status: ((conditions as Map<string, Obj>).get('NamespaceContentRemaining') as Obj)?.status,
          message: ((conditions as Map<string, Obj>).get('NamespaceContentRemaining') as Obj)?.message,
        },
        { status: 'True', message: 'Some resources are remaining: services. has 1 resource instances' },
      );
      assert.equal(
        ((conditions as Map<string, Obj>).get('NamespaceFinalizersRemaining') as Obj).message,
        'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
      );
    } finally {
      c.kubectl([
        'patch',
        'svc',
        'held',
        '-n',
        'stuck',
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":null}}',
      ]);
    }
  });

  it('answers 404 for content in a namespace that does not exist', async () => {
    const r = await api.request('POST', '/api/v1/namespaces/nope/services', service('x'));
    assert.equal(r.status, 404, r.body);
    assert.deepEqual(JSON.parse(r.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'namespaces "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'namespaces' },
      code: 404,
    });
    const k = c.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ ...service('x'), metadata: { name: 'x', namespace: 'nope' } }),
    });
    assert.notEqual(k.code, 0);
    assert.match(k.stderr, /namespaces "nope" not found/);
    for (const path of NAMESPACED.slice(1)) {
      const kind = path.includes('endpointslices')
        ? 'EndpointSlice'
        : path.includes('events')
          ? 'Event'
          : 'Endpoints';
      const body = {
        apiVersion: path.includes('discovery') ? 'discovery.k8s.io/v1' : 'v1',
        kind,
        metadata: { name: 'x' },
      };
      const res = await api.request('POST', path.replace('NS', 'nope'), body);
      assert.equal(res.status, 404, `${path}: ${res.body}`);
      assert.equal(JSON.parse(res.body).message, 'namespaces "nope" not found');
    }
  });

  it('refuses to delete default, kube-system and kube-public', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const r = c.kubectl(['delete', 'namespace', ns]);
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        new RegExp(
          `Error from server \\(Forbidden\\): namespaces "${ns}" is forbidden: this namespace may not be deleted`,
        ),
      );
      const raw = await api.request('DELETE', `/api/v1/namespaces/${ns}`);
      assert.equal(raw.status, 403);
      assert.equal(JSON.parse(raw.body).reason, 'Forbidden');
      const still = await api.json('GET', `/api/v1/namespaces/${ns}`, undefined, 200);
      assert.equal(still.status.phase, 'Active');
      assert.equal(still.metadata.deletionTimestamp, undefined);
    }
  });

  it('shows events in kubectl get events and describe svc', async () => {
    c.ok(['create', 'namespace', 'ev']);
    const [svc] = await populate(api, 'ev', 1);
    const events = c.ok(['get', 'events', '-n', 'ev']);
    const [header, row] = events.trimEnd().split('\n');
    assert.match(header!, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    assert.match(row!, /^\S+\s+Normal\s+Testing\s+service\/svc-0\s+something happened to svc-0$/);
    const selected = c.ok([
      'get',
      'events',
      '-n',
      'ev',
      '--field-selector',
      'involvedObject.kind=Service,reason=Testing',
      '-o',
      'name',
    ]);
    assert.equal(selected.trim(), 'event/svc-0.17f0000000000000');
    const describe = c.ok(['describe', 'svc', 'svc-0', '-n', 'ev']);
    assert.match(
      describe,
      /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----\s+------\s+----\s+----\s+-------\n\s+Normal\s+Testing\s+\S+\s+e2e\s+something happened to svc-0/,
    );
    assert.match(describe, new RegExp(`IP:\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}`));
    // Events of the deleted namespace go with it.
    c.ok(['delete', 'namespace', 'ev', '--timeout=60s']);
    assert.deepEqual(
      (await api.json('GET', '/api/v1/events?fieldSelector=metadata.namespace%3Dev', undefined, 200)).items,
      [],
    );
  });
});
