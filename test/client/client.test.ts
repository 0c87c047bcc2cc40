import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { ApiError, isAlreadyExists, isConflict, isNotFound } from '../../src/client/client.js';
import { clientEventSink } from '../../src/client/events.js';
import { SharedInformerFactory } from '../../src/client/informer.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { Events, Namespaces, Services } from '../../src/client/resources.js';
import type { ApiClient, Obj, WatchEvent } from '../../src/client/types.js';
import { Requeue, WorkQueue } from '../../src/client/workqueue.js';
import { startTestApi, type TestApi } from '../lib/testapi.js';

const svc = (name: string, labels: Record<string, string> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels },
  spec: { ports: [{ port: 80 }] },
});

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('API client', () => {
  let testApi: TestApi | undefined;
  let client: ApiClient;
  before(async () => {
    testApi = await startTestApi('client', 'svcnet-test');
    ({ client } = testApi);
  });
  after(async () => {
    await testApi?.stop();
  });

  it('creates, reads, patches, updates and deletes', async () => {
    const created = await client.create(Services, 'default', svc('c1'));
    assert.match(created.spec?.clusterIP ?? '', /^127\./);
    const got = await client.get<Service>(Services, 'default', 'c1');
    assert.equal(got.metadata?.uid, created.metadata?.uid);
    const patched = await client.patch<Service>(Services, 'default', 'c1', 'merge', {
      metadata: { labels: { a: 'b' } },
    });
    assert.equal(patched.metadata?.labels?.a, 'b');
    patched.metadata!.labels!.c = 'd';
    const updated = await client.update(Services, patched);
    assert.equal(updated.metadata?.labels?.c, 'd');
    await assert.rejects(client.create(Services, 'default', svc('c1')), isAlreadyExists);
    await client.delete(Services, 'default', 'c1');
    await assert.rejects(client.get(Services, 'default', 'c1'), (e) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 404);
      assert.match(e.message, /services "c1" not found/);
      return isNotFound(e);
    });
  });

  it("maps the server's refusals to ApiError reasons", async () => {
    const created = await client.create<Service>(Services, 'default', svc('e1'));
    // A write from a stale read.
    const stale = structuredClone(created);
    await client.patch(Services, 'default', 'e1', 'merge', { metadata: { labels: { v: '2' } } });
    await assert.rejects(client.update(Services, stale), (e) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 409);
      assert.match(e.message, /the object has been modified/);
      return isConflict(e) && !isAlreadyExists(e);
    });
    // A delete whose precondition does not hold.
    await assert.rejects(
      client.delete(Services, 'default', 'e1', { preconditions: { uid: 'not-the-uid' } }),
      (e) => e instanceof ApiError && e.code === 409 && isConflict(e),
    );
    // An invalid object.
    await assert.rejects(
      client.create(Services, 'default', { ...svc('e2'), spec: { ports: [{ port: 0 }] } }),
      (e) => e instanceof ApiError && e.code === 422 && e.reason === 'Invalid',
    );
    // A dry run answers what would be created and keeps nothing.
    const dry = await client.create<Service>(Services, 'default', svc('e3'), { dryRun: true });
    assert.equal(dry.metadata?.name, 'e3');
    await assert.rejects(client.get(Services, 'default', 'e3'), isNotFound);
    await assert.rejects(client.get(Services, 'no-such-ns', 'e1'), isNotFound);
    await client.delete(Services, 'default', 'e1');
  });

  it('watches from a resourceVersion: exactly the later changes, in order', async () => {
    const a = await client.create<Service>(Services, 'default', svc('w-a', { suite: 'w' }));
    const a2 = await client.patch<Service>(Services, 'default', 'w-a', 'merge', {
      metadata: { annotations: { x: '1' } },
    });
    const b = await client.create<Service>(Services, 'default', svc('w-b', { suite: 'w' }));
    await client.create(Services, 'default', svc('w-other'));
    const gone = (await client.delete(Services, 'default', 'w-a')) as Service;
    const events: WatchEvent<Service>[] = [];
    let closes = 0;
    let closeErr: Error | undefined;
    const w = client.watch<Service>(
      Services,
      'default',
      { resourceVersion: a.metadata?.resourceVersion, labelSelector: 'suite=w' },
      (e) => events.push(e),
      (err) => {
        closes++;
        closeErr = err;
      },
    );
    try {
      await until(() => events.length >= 3);
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.object.metadata?.name}@${e.object.metadata?.resourceVersion}`),
        [
          `MODIFIED w-a@${a2.metadata?.resourceVersion}`,
          `ADDED w-b@${b.metadata?.resourceVersion}`,
          `DELETED w-a@${gone.metadata?.resourceVersion}`,
        ],
      );
      assert.equal(events[1]?.object.kind, 'Service');
    } finally {
      w.stop();
    }
    assert.equal(closes, 1);
    assert.equal(closeErr, undefined);
  });

  it('lists across pages and namespaces', async () => {
    for (let i = 0; i < 7; i++) await client.create(Services, 'default', svc(`p${i}`, { page: 'yes' }));
    const first = await client.list<Service>(Services, '', { labelSelector: 'page=yes', limit: 3 });
    assert.equal(first.items.length, 3);
    assert.ok(first.continue);
    assert.equal(first.items[0]?.kind, 'Service');
    const ns = await client.list(Namespaces, '');
    assert.ok(ns.items.some((n) => n.metadata?.name === 'kube-system'));
  });

  it('informers list, then follow watch events in order; late handlers see the cache', async () => {
    const factory = new SharedInformerFactory(client);
    const inf = factory.informer<Service>(Services, { namespace: 'default', labelSelector: 'inf=1' });
    assert.equal(factory.informer(Services, { namespace: 'default', labelSelector: 'inf=1' }), inf);
    await client.create(Services, 'default', svc('i0', { inf: '1' }));
    const seen: string[] = [];
    inf.addHandlers({
      add: (o) => seen.push(`add ${o.metadata?.name}`),
      update: (_, o) => seen.push(`update ${o.metadata?.name}`),
      delete: (o) => seen.push(`delete ${o.metadata?.name}`),
    });
    factory.start();
    await inf.synced();
    assert.deepEqual(seen, ['add i0']);
    await client.create(Services, 'default', svc('i1', { inf: '1' }));
    await client.patch(Services, 'default', 'i1', 'merge', { metadata: { annotations: { x: 'y' } } });
    await client.delete(Services, 'default', 'i0');
    await client.create(Services, 'default', svc('other'));
    await until(() => seen.length >= 4);
    assert.deepEqual(seen, ['add i0', 'add i1', 'update i1', 'delete i0']);
    assert.equal(inf.get('default/i1')?.metadata?.annotations?.x, 'y');
    assert.equal(inf.get('default/i0'), undefined);
    assert.deepEqual(
      inf.byLabels('default', { inf: '1' }).map((o) => o.metadata?.name),
      ['i1'],
    );
    const late: string[] = [];
    inf.addHandlers({ add: (o) => late.push(o.metadata!.name!) });
    assert.deepEqual(late, ['i1']);
    factory.stop();
  });

  it('work queue dedupes, serialises a key and retries failures with backoff', async () => {
    const runs: string[] = [];
    let failOnce = true;
    let concurrent = 0;
    let maxConcurrent = 0;
    let aStarted!: () => void;
    const aRunning = new Promise<void>((r) => {
      aStarted = r;
    });
    const q = new WorkQueue(
      'test',
      async (key) => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        runs.push(key);
        if (key === 'a') aStarted();
        await new Promise((r) => setTimeout(r, 5));
        concurrent--;
        if (key === 'b' && failOnce) {
          failOnce = false;
          throw new Error('boom');
        }
      },
      { concurrency: 1, baseDelayMs: 20 },
    );
    q.add('a');
    q.add('a');
    q.add('b');
    await aRunning;
    q.add('a'); // while a runs: once more afterwards
    await q.idle();
    assert.deepEqual(runs.sort(), ['a', 'a', 'b', 'b']);
    assert.equal(maxConcurrent, 1);
    q.stop();
  });

  it('work queue backs a Requeue off no further than the wait it names', async () => {
    let runs = 0;
    // Uncapped, 16 doublings from 1 ms would wait over a minute in all.
    const q = new WorkQueue(
      'test',
      async () => {
        runs++;
        if (runs <= 16) throw new Requeue('still waiting', 5);
      },
      { baseDelayMs: 1 },
    );
    try {
      q.add('k');
      await until(() => runs === 17 || undefined);
      await q.idle();
      assert.equal(runs, 17);
    } finally {
      q.stop();
    }
  });

  it('records events and aggregates repeats', async () => {
    const s = await client.create(Services, 'default', svc('ev1'));
    const sink = clientEventSink(client, 'test-component', 'host1');
    sink.event(s, 'Normal', 'Testing', 'hello');
    sink.event(s, 'Normal', 'Testing', 'hello');
    sink.event(s, 'Warning', 'Other', 'bye');
    type Ev = Obj & { reason?: string; count?: number; source?: { host?: string } };
    const items = await until(async () => {
      const l = await client.list<Ev>(Events, 'default', { fieldSelector: 'involvedObject.name=ev1' });
      return l.items.length === 2 && l.items.some((e) => e.count === 2) ? l.items : undefined;
    });
    assert.equal(items.length, 2);
    const testing = items.find((e) => e.reason === 'Testing');
    assert.equal(testing?.count, 2);
    assert.equal(testing?.source?.host, 'host1');
  });

  it('reads kubeconfig files with file references and token files', () => {
    const d = mkdtempSync(join(tmpdir(), 'svcnet-kc-'));
    try {
      writeFileSync(join(d, 'ca.crt'), 'CA');
      writeFileSync(join(d, 'token'), 'tok\n');
      writeFileSync(
        join(d, 'config'),
        [
          'apiVersion: v1',
          'kind: Config',
          'current-context: x',
          'contexts: [{name: x, context: {cluster: c, user: u, namespace: ns1}}]',
          'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1/", certificate-authority: ca.crt}}]',
          'users: [{name: u, user: {tokenFile: token}}]',
        ].join('\n'),
      );
      const c = loadKubeconfig(join(d, 'config'));
      assert.deepEqual(c, {
        server: 'https://127.0.0.1:1',
        ca: 'CA',
        cert: undefined,
        key: undefined,
        token: 'tok',
        insecure: false,
        namespace: 'ns1',
      });
      assert.throws(() => loadKubeconfig(join(d, 'config'), 'nope'), /context "nope" not found/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
