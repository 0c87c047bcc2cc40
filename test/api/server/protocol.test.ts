/**
 * Protocol details real clients depend on, over HTTPS against an in-process
 * API server, each as upstream 1.32 answers it: boolean query parameters as
 * the parameter codec reads them (the Python client's `watch=True`,
 * `force=True`), `details` on every 404, what DELETE answers for each kind,
 * the 422 of an apply without a field manager, bookmarks before a watch's
 * timeout, and 410 for a watch older than the watch cache.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApi, type TestApi } from '../../lib/testapi.js';
import { RawClient, type RawResponse } from './raw.js';

const SVCS = '/api/v1/namespaces/default/services';
const APPS = '/apis/apps/v1/namespaces/default';
const JSON_TYPE = { 'Content-Type': 'application/json' };
const APPLY_TYPE = { 'Content-Type': 'application/apply-patch+yaml' };
const MERGE_TYPE = { 'Content-Type': 'application/merge-patch+json' };

interface WatchEvent {
  type: string;
  object: {
    kind?: string;
    apiVersion?: string;
    metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
    code?: number;
    reason?: string;
    message?: string;
  };
}

const events = (r: RawResponse): WatchEvent[] =>
  r.body
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as WatchEvent);

const json = (r: RawResponse) => JSON.parse(r.body) as Record<string, unknown> & { metadata?: Meta };
interface Meta {
  name?: string;
  uid?: string;
  resourceVersion?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
}

const service = (name: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }] } });

const workload = (kind: string, name: string, finalizers?: string[]) => {
  const labels = { app: name };
  const template = {
    metadata: { labels },
    spec: { containers: [{ name: 'app', image: 'svcnet/netexec:1' }] },
  };
  const spec: Record<string, unknown> = { replicas: 0, selector: { matchLabels: labels }, template };
  if (kind === 'StatefulSet') spec.serviceName = name;
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, ...(finalizers ? { finalizers } : {}) },
    spec,
  });
};

describe('protocol details clients depend on', () => {
  let api: TestApi;
  let raw: RawClient;
  before(async () => {
    api = await startTestApi('protocol', 'svcnet-test', { storage: 'sqlite' });
    raw = new RawClient(api);
    const r = await raw.send({ method: 'POST', path: SVCS, body: service('web'), headers: JSON_TYPE });
    assert.equal(r.status, 201, r.body);
  });
  after(async () => {
    raw?.close();
    await api?.stop();
  });

  describe('boolean query parameters, as the parameter codec reads them', () => {
    for (const v of ['True', 'true', '1', 't', 'TRUE', 'yes']) {
      it(`watch=${v} is a watch`, async () => {
        const r = await raw.send({ method: 'GET', path: `${SVCS}?watch=${v}&timeoutSeconds=1` });
        assert.equal(r.status, 200, r.body);
        const evs = events(r);
        assert.ok(
          evs.some((e) => e.type === 'ADDED' && e.object.metadata?.name === 'web'),
          r.body.slice(0, 300),
        );
      });
    }
    for (const v of ['False', 'false', '0', 'FALSE']) {
      it(`watch=${v} is a list`, async () => {
        const r = await raw.send({ method: 'GET', path: `${SVCS}?watch=${v}` });
        assert.equal(r.status, 200, r.body);
        assert.equal(json(r).kind, 'ServiceList');
      });
    }

    it('force=True takes fields another manager owns', async () => {
      const path = `${SVCS}/web`;
      const apply = (manager: string, port: number, force?: string) =>
        raw.send({
          method: 'PATCH',
          path: `${path}?fieldManager=${manager}${force ? `&force=${force}` : ''}`,
          body: `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    tier: t${port}\n`,
          headers: APPLY_TYPE,
        });
      assert.equal((await apply('first', 1)).status, 200);
      const conflict = await apply('second', 2);
      assert.equal(conflict.status, 409, conflict.body);
      const forced = await apply('second', 2, 'True');
      assert.equal(forced.status, 200, forced.body);
      assert.equal((json(forced).metadata as { labels?: Record<string, string> }).labels?.tier, 't2');
    });

    it('pretty=true indents, pretty=false does not (strconv.ParseBool)', async () => {
      const pretty = await raw.send({ method: 'GET', path: `${SVCS}/web?pretty=true` });
      assert.match(pretty.body, /^\{\n {2}"[a-zA-Z]+": "(v1|Service)",\n/);
      const plain = await raw.send({
        method: 'GET',
        path: `${SVCS}/web?pretty=false`,
        headers: { 'User-Agent': 'curl/8.5.0' },
      });
      assert.match(plain.body, /^\{"[a-zA-Z]+":"(v1|Service)",/);
      const curl = await raw.send({
        method: 'GET',
        path: `${SVCS}/web`,
        headers: { 'User-Agent': 'curl/8.5.0' },
      });
      assert.match(curl.body, /^\{\n {2}"[a-zA-Z]+": /);
    });
  });

  describe('a 404 carries details', () => {
    it('for an object that does not exist', async () => {
      const r = await raw.send({ method: 'GET', path: `${APPS}/deployments/nothing` });
      assert.equal(r.status, 404);
      assert.deepEqual(json(r).details, { name: 'nothing', group: 'apps', kind: 'deployments' });
      const core = await raw.send({ method: 'GET', path: `${SVCS}/nothing` });
      assert.deepEqual(json(core).details, { name: 'nothing', kind: 'services' });
    });

    for (const path of [
      '/api/v1/namespaces/default/pods/web/ephemeralcontainers',
      '/api/v1/namespaces/default/widgets',
      '/apis/apps/v1/namespaces/default/deployments/web/rollback/extra',
    ]) {
      it(`for a path no resource serves: ${path}`, async () => {
        const r = await raw.send({ method: 'PATCH', path, body: '{}', headers: MERGE_TYPE });
        assert.equal(r.status, 404, r.body);
        assert.deepEqual(json(r), {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'the server could not find the requested resource',
          reason: 'NotFound',
          details: {},
          code: 404,
        });
      });
    }
  });

  describe('DELETE answers as upstream', () => {
    for (const [kind, resource] of [
      ['Deployment', 'deployments'],
      ['ReplicaSet', 'replicasets'],
      ['StatefulSet', 'statefulsets'],
    ] as const) {
      it(`a ${kind} gone at once: a Success Status with details`, async () => {
        const name = `gone-${resource}`;
        const c = await raw.send({
          method: 'POST',
          path: `${APPS}/${resource}`,
          body: workload(kind, name),
          headers: JSON_TYPE,
        });
        assert.equal(c.status, 201, c.body);
        const uid = json(c).metadata?.uid;
        const r = await raw.send({ method: 'DELETE', path: `${APPS}/${resource}/${name}` });
        assert.equal(r.status, 200, r.body);
        assert.deepEqual(json(r), {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name, group: 'apps', kind: resource, uid },
        });
      });
    }

    it('a Deployment a finalizer holds: the object, with its deletionTimestamp', async () => {
      const c = await raw.send({
        method: 'POST',
        path: `${APPS}/deployments`,
        body: workload('Deployment', 'held', ['example.com/hold']),
        headers: JSON_TYPE,
      });
      assert.equal(c.status, 201, c.body);
      const r = await raw.send({ method: 'DELETE', path: `${APPS}/deployments/held` });
      assert.equal(r.status, 200, r.body);
      const o = json(r);
      assert.equal(o.kind, 'Deployment');
      assert.ok(o.metadata?.deletionTimestamp, r.body);
      assert.deepEqual(o.metadata?.finalizers, ['example.com/hold']);
    });

    it('foreground and orphan propagation keep the object (202 for orphanDependents=false)', async () => {
      for (const name of ['fg', 'orphan', 'cascade']) {
        const c = await raw.send({
          method: 'POST',
          path: `${APPS}/replicasets`,
          body: workload('ReplicaSet', name, name === 'cascade' ? ['example.com/hold'] : undefined),
          headers: JSON_TYPE,
        });
        assert.equal(c.status, 201, c.body);
      }
      const fg = await raw.send({
        method: 'DELETE',
        path: `${APPS}/replicasets/fg?propagationPolicy=Foreground`,
      });
      assert.equal(fg.status, 200, fg.body);
      assert.equal(json(fg).kind, 'ReplicaSet');
      assert.deepEqual(json(fg).metadata?.finalizers, ['foregroundDeletion']);
      assert.ok(json(fg).metadata?.deletionTimestamp);

      const orphan = await raw.send({
        method: 'DELETE',
        path: `${APPS}/replicasets/orphan`,
        body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' }),
        headers: JSON_TYPE,
      });
      assert.equal(orphan.status, 200, orphan.body);
      assert.deepEqual(json(orphan).metadata?.finalizers, ['orphan']);

      // The deprecated field, as the Python client's `orphan_dependents=False` sends it; a finalizer holds it.
      const cascade = await raw.send({
        method: 'DELETE',
        path: `${APPS}/replicasets/cascade?orphanDependents=False`,
      });
      assert.equal(cascade.status, 202, cascade.body);
      assert.equal(json(cascade).kind, 'ReplicaSet');
      assert.ok(json(cascade).metadata?.deletionTimestamp);
    });

    it('a Node: a Success Status', async () => {
      const c = await raw.send({
        method: 'POST',
        path: '/api/v1/nodes',
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }),
        headers: JSON_TYPE,
      });
      assert.equal(c.status, 201, c.body);
      const r = await raw.send({ method: 'DELETE', path: '/api/v1/nodes/n1' });
      assert.equal(r.status, 200, r.body);
      assert.deepEqual(json(r).details, { name: 'n1', kind: 'nodes', uid: json(c).metadata?.uid });
    });

    it('a Service and a Pod still answer the deleted object (ReturnDeletedObject)', async () => {
      await raw.send({ method: 'POST', path: SVCS, body: service('bye'), headers: JSON_TYPE });
      const r = await raw.send({ method: 'DELETE', path: `${SVCS}/bye` });
      assert.equal(r.status, 200, r.body);
      assert.equal(json(r).kind, 'Service');
    });
  });

  describe('PatchOptions are validated as upstream (422)', () => {
    it('apply without fieldManager', async () => {
      const r = await raw.send({
        method: 'PATCH',
        path: `${SVCS}/web`,
        body: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n',
        headers: APPLY_TYPE,
      });
      assert.equal(r.status, 422, r.body);
      const s = json(r);
      assert.equal(s.reason, 'Invalid');
      assert.equal(
        s.message,
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
      assert.deepEqual(s.details, {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: is required for apply patch',
            field: 'fieldManager',
          },
        ],
      });
    });

    it('force on a merge patch', async () => {
      const r = await raw.send({
        method: 'PATCH',
        path: `${SVCS}/web?force=false`,
        body: '{}',
        headers: MERGE_TYPE,
      });
      assert.equal(r.status, 422, r.body);
      assert.equal(
        json(r).message,
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
      );
    });

    it('an unprintable field manager on create', async () => {
      const r = await raw.send({
        method: 'POST',
        path: `${SVCS}?fieldManager=a%07`,
        body: service('unprintable'),
        headers: JSON_TYPE,
      });
      assert.equal(r.status, 422, r.body);
      assert.equal(
        json(r).message,
        'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\a": invalid character U+0007 (at position 1)',
      );
    });
  });

  describe('watch bookmarks and expiry', () => {
    it('a watch allowing bookmarks gets one before its timeout, after every event it saw', async () => {
      const r = await raw.send({
        method: 'GET',
        path: `${SVCS}?watch=true&allowWatchBookmarks=True&timeoutSeconds=3`,
      });
      assert.equal(r.status, 200);
      const evs = events(r);
      const last = evs.at(-1)!;
      assert.equal(last.type, 'BOOKMARK', r.body.slice(-300));
      assert.deepEqual(Object.keys(last.object).sort(), ['apiVersion', 'kind', 'metadata']);
      assert.equal(last.object.kind, 'Service');
      assert.equal(last.object.apiVersion, 'v1');
      assert.deepEqual(Object.keys(last.object.metadata ?? {}), ['resourceVersion']);
      const seen = Math.max(...evs.slice(0, -1).map((e) => Number(e.object.metadata?.resourceVersion)));
      assert.ok(Number(last.object.metadata?.resourceVersion) >= seen);
    });

    it('one without gets none', async () => {
      const r = await raw.send({ method: 'GET', path: `${SVCS}?watch=true&timeoutSeconds=3` });
      assert.ok(
        events(r).every((e) => e.type !== 'BOOKMARK'),
        r.body.slice(-300),
      );
    });

    it('a watch from before the watch cache is 410 Expired, though the store still has that history', async () => {
      const list = json(await raw.send({ method: 'GET', path: SVCS }));
      const listed = Number((list.metadata as Meta).resourceVersion);
      raw.close();
      await api.restart();
      raw = new RawClient(api);
      // A watch that is served instead would run for its default timeout: give up well before.
      const r = await raw.send(
        { method: 'GET', path: `${SVCS}?watch=1&resourceVersion=1` },
        { timeoutMs: 20_000 },
      );
      assert.equal(r.status, 200);
      const evs = events(r);
      assert.equal(evs.length, 1, r.body);
      assert.equal(evs[0]!.type, 'ERROR');
      assert.equal(evs[0]!.object.code, 410);
      assert.equal(evs[0]!.object.reason, 'Expired');
      const m = /^too old resource version: 1 \((\d+)\)$/.exec(evs[0]!.object.message ?? '');
      assert.ok(m, evs[0]!.object.message);
      assert.ok(Number(m[1]) >= listed, `${m[1]} < ${listed}`);
      // From the cache's start on, a watch is served.
      const ok = await raw.send({
        method: 'GET',
        path: `${SVCS}?watch=1&resourceVersion=${m[1]}&timeoutSeconds=1`,
      });
      assert.ok(
        events(ok).every((e) => e.type !== 'ERROR'),
        ok.body,
      );
    });
  });
});
