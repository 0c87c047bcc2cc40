/**
 * @kubernetes/client-node 1.4's Watch against the svcnet API server: the
 * events of a create, update and delete in order, bookmarks when allowed,
 * 410 for a resourceVersion older than the watch cache; and the Python
 * client's spelling of the same watch (`watch=True`) over raw HTTPS.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, type KubeConfig, type V1Service, Watch } from '@kubernetes/client-node';
import { type ClientNodeApi, startClientNodeApi, until } from './inprocess.js';

interface Seen {
  phase: string;
  name?: string;
  rv?: string;
  obj: { kind?: string; code?: number; message?: string; metadata?: { annotations?: object } };
}

const svc = (name: string, labels: Record<string, string> = {}): V1Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels },
  spec: { ports: [{ port: 80 }] },
});

/** Starts a watch; `ended` resolves with the done callback's error (null: the server ended it). */
async function watchOf(kc: KubeConfig, path: string, query: Record<string, string | number | boolean>) {
  const seen: Seen[] = [];
  let end: (err: unknown) => void = () => {};
  const ended = new Promise<unknown>((resolve) => {
    end = resolve;
  });
  const controller = await new Watch(kc).watch(
    path,
    query,
    (phase, obj: Seen['obj'] & { metadata?: { name?: string; resourceVersion?: string } }) =>
      seen.push({ phase, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion, obj }),
    (err) => end(err),
  );
  return { seen, ended, abort: () => controller.abort() };
}

describe('client-node Watch', () => {
  let c: ClientNodeApi;
  let core: CoreV1Api;
  const path = '/api/v1/namespaces/default/services';
  before(async () => {
    c = await startClientNodeApi('cn-watch');
    core = c.kc.makeApiClient(CoreV1Api);
  });
  after(async () => {
    await c?.stop();
  });

  it('sees a create, an update and a delete in order, from the list resourceVersion', async () => {
    const list = await core.listNamespacedService({ namespace: 'default' });
    const w = await watchOf(c.kc, path, { resourceVersion: list.metadata!.resourceVersion! });
    try {
      await core.createNamespacedService({ namespace: 'default', body: svc('w1') });
      await core.patchNamespacedService({
        name: 'w1',
        namespace: 'default',
        body: [{ op: 'add', path: '/metadata/labels', value: { v: '2' } }],
      });
      await core.deleteNamespacedService({ name: 'w1', namespace: 'default' });
      await until(() => w.seen.length >= 3, 'three events');
      assert.deepEqual(
        w.seen.map((s) => `${s.phase} ${s.name}`),
        ['ADDED w1', 'MODIFIED w1', 'DELETED w1'],
      );
      const rvs = w.seen.map((s) => Number(s.rv));
      assert.ok(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!, String(rvs));
    } finally {
      w.abort();
    }
  });

  it('gets a bookmark before the server ends a watch that allows them, then done(null)', async () => {
    const w = await watchOf(c.kc, path, { allowWatchBookmarks: true, timeoutSeconds: 3 });
    assert.equal(await w.ended, null);
    const last = w.seen.at(-1)!;
    assert.equal(last.phase, 'BOOKMARK');
    assert.equal(last.obj.kind, 'Service');
    assert.ok(Number(last.rv) > 0);
  });

  it('sendInitialEvents: the state, then a bookmark annotated initial-events-end', async () => {
    await core.createNamespacedService({ namespace: 'default', body: svc('init') });
    const w = await watchOf(c.kc, path, {
      sendInitialEvents: true,
      allowWatchBookmarks: true,
      resourceVersionMatch: 'NotOlderThan',
      timeoutSeconds: 1,
    });
    await w.ended;
    const end = w.seen.findIndex((s) => s.phase === 'BOOKMARK');
    assert.ok(end > 0, JSON.stringify(w.seen));
    assert.ok(w.seen.slice(0, end).some((s) => s.phase === 'ADDED' && s.name === 'init'));
    assert.deepEqual(w.seen[end]!.obj.metadata?.annotations, { 'k8s.io/initial-events-end': 'true' });
  });

  it('a resourceVersion from before the server restarted gets an ERROR 410, as the informer expects', async () => {
    const list = await core.listNamespacedService({ namespace: 'default' });
    await core.createNamespacedService({ namespace: 'default', body: svc('later') });
    await c.restart();
    const w = await watchOf(c.kc, path, { resourceVersion: list.metadata!.resourceVersion! });
    assert.equal(await w.ended, null);
    assert.equal(w.seen.length, 1, JSON.stringify(w.seen));
    assert.equal(w.seen[0]!.phase, 'ERROR');
    assert.equal(w.seen[0]!.obj.code, 410);
    assert.match(w.seen[0]!.obj.message ?? '', /^too old resource version: \d+ \(\d+\)$/);
  });

  it('watch=True, as the Python client sends it, is a watch stream', async () => {
    const cluster = c.kc.getCurrentCluster()!;
    const user = c.kc.getCurrentUser()!;
    const url = new URL(`${cluster.server}${path}?watch=True&timeoutSeconds=1`);
    const r = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          ca: Buffer.from(cluster.caData!, 'base64'),
          headers: { Authorization: `Bearer ${user.token}`, 'User-Agent': 'OpenAPI-Generator/31.0.0/python' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type']),
              body: Buffer.concat(chunks).toString(),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(r.status, 200, r.body);
    const lines = r.body.split('\n').filter(Boolean);
    assert.ok(lines.length > 0);
    for (const l of lines) {
      const e = JSON.parse(l) as { type: string; object: { kind: string } };
      assert.equal(e.type, 'ADDED', l);
      assert.equal(e.object.kind, 'Service');
    }
  });
});
