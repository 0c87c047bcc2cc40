/**
 * The REST client on the wire, against a scripted server: request shapes
 * (paths, queries, bodies, headers), Status errors as ApiError, the one
 * keep-alive retry, timeouts, and watch streams read across chunk
 * boundaries and ended every way a stream can end.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ApiError, isAlreadyExists, isConflict, isGone, isNotFound } from '../../src/client/client.js';
import { EndpointSlices, Namespaces, Pods, Services } from '../../src/client/resources.js';
import { type ApiClient, keyOf, type WatchEvent } from '../../src/client/types.js';
import { version } from '../../src/version.js';
import { FakeApi, type FakeRequest, reply, status, stream, until } from './harness.js';

const svc = (name: string, rv = '1'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: 'default', name, resourceVersion: rv },
  spec: { clusterIP: '10.0.0.1' },
});

/** Runs a call, answers the request it makes with `answer`, and gives both. */
async function exchange<T>(
  fake: FakeApi,
  call: () => Promise<T>,
  answer: (r: FakeRequest) => void = (r) => reply(r, 200, {}),
): Promise<{ r: FakeRequest; result: T }> {
  const pending = call();
  const r = await fake.next();
  answer(r);
  return { r, result: await pending };
}

/** Runs a call the server fails with `code` and `body`; answers the rejection. */
async function failure(fake: FakeApi, client: ApiClient, code: number, body: unknown): Promise<unknown> {
  const pending = client.get(Services, 'default', 'x');
  reply(await fake.next(), code, body);
  return pending.then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

describe('API client on the wire', () => {
  let fake: FakeApi;
  let client: ApiClient;
  beforeEach(async () => {
    fake = await FakeApi.start();
    client = fake.client();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('sends each verb to the resource path, with the kubeconfig token and its user agent', async () => {
    const get = await exchange(
      fake,
      () => client.get<Service>(Services, 'default', 'web'),
      (r) => reply(r, 200, svc('web')),
    );
    assert.equal(get.r.method, 'GET');
    assert.equal(get.r.path, '/api/v1/namespaces/default/services/web');
    assert.deepEqual(get.result, svc('web'));
    assert.match(get.r.headers.authorization ?? '', /^Bearer [0-9a-f]{64}$/);
    assert.equal(get.r.headers['user-agent'], `svcnet-test/${version().gitVersion}`);
    assert.equal(client.userAgent, `svcnet-test/${version().gitVersion}`);
    assert.equal(get.r.headers.accept, 'application/json');

    const paths: [() => Promise<unknown>, string][] = [
      [
        () => client.get(Services, 'default', 'web', 'status'),
        '/api/v1/namespaces/default/services/web/status',
      ],
      // Cluster-scoped kinds have no namespace segment, whatever namespace is passed.
      [() => client.get(Namespaces, 'ignored', 'kube-system'), '/api/v1/namespaces/kube-system'],
      [
        () => client.get(EndpointSlices, 'ns1', 'a'),
        '/apis/discovery.k8s.io/v1/namespaces/ns1/endpointslices/a',
      ],
      // Names and namespaces are path-escaped.
      [() => client.get(Services, 'a b', 'c%d'), '/api/v1/namespaces/a%20b/services/c%25d'],
      [() => client.list(Services, ''), '/api/v1/services'],
      [() => client.list(Namespaces, ''), '/api/v1/namespaces'],
    ];
    for (const [call, path] of paths) {
      const { r } = await exchange(fake, call);
      assert.equal(r.req.url, path);
    }
  });

  it('lists with selectors and paging, and puts apiVersion/kind on each item', async () => {
    const { r, result } = await exchange(
      fake,
      () =>
        client.list<EndpointSlice>(EndpointSlices, 'default', {
          labelSelector: 'kubernetes.io/service-name=web',
          fieldSelector: 'metadata.name!=x',
          limit: 2,
          continue: 'tok',
          resourceVersion: '0',
        }),
      (req) =>
        reply(req, 200, {
          kind: 'EndpointSliceList',
          apiVersion: 'discovery.k8s.io/v1',
          metadata: { resourceVersion: '42', continue: 'next' },
          items: [
            { metadata: { name: 'a', namespace: 'default' }, addressType: 'IPv4', endpoints: [] },
            {
              apiVersion: 'other/v9',
              kind: 'Odd',
              metadata: { name: 'b' },
              addressType: 'IPv4',
              endpoints: [],
            },
          ],
        }),
    );
    assert.equal(r.path, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices');
    assert.deepEqual(Object.fromEntries(r.query), {
      labelSelector: 'kubernetes.io/service-name=web',
      fieldSelector: 'metadata.name!=x',
      limit: '2',
      continue: 'tok',
      resourceVersion: '0',
    });
    assert.equal(result.resourceVersion, '42');
    assert.equal(result.continue, 'next');
    assert.deepEqual(
      result.items.map((i) => [i.apiVersion, i.kind]),
      [
        ['discovery.k8s.io/v1', 'EndpointSlice'],
        ['other/v9', 'Odd'],
      ],
    );
    // No items field, an empty continue: an empty, complete list.
    const empty = await exchange(
      fake,
      () => client.list(Services, 'default'),
      (req) => reply(req, 200, { kind: 'ServiceList', metadata: { resourceVersion: '7', continue: '' } }),
    );
    assert.equal(empty.r.req.url, '/api/v1/namespaces/default/services');
    assert.deepEqual(empty.result, { items: [], resourceVersion: '7', continue: undefined });
  });

  it('writes: create, update, patch, delete and subresources with their bodies, types and options', async () => {
    const create = await exchange(
      fake,
      () => client.create(Services, 'default', svc('web')),
      (r) => reply(r, 201, svc('web', '2')),
    );
    assert.equal(create.r.method, 'POST');
    assert.equal(create.r.path, '/api/v1/namespaces/default/services');
    // The field manager defaults to the component name (no version).
    assert.deepEqual(Object.fromEntries(create.r.query), { fieldManager: 'svcnet-test' });
    assert.equal(create.r.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(create.r.body), svc('web'));
    assert.equal(create.result.metadata?.resourceVersion, '2');

    const dry = await exchange(fake, () =>
      client.create(Services, 'default', svc('web'), { dryRun: true, fieldManager: 'me' }),
    );
    assert.deepEqual(Object.fromEntries(dry.r.query), { dryRun: 'All', fieldManager: 'me' });

    const update = await exchange(fake, () => client.update(Services, svc('web', '2')));
    assert.equal(update.r.method, 'PUT');
    assert.equal(update.r.path, '/api/v1/namespaces/default/services/web');
    assert.deepEqual(JSON.parse(update.r.body), svc('web', '2'));
    const toStatus = await exchange(fake, () => client.update(Services, svc('web', '3'), 'status'));
    assert.equal(toStatus.r.path, '/api/v1/namespaces/default/services/web/status');
    const node = await exchange(fake, () =>
      client.update(Namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1' } }),
    );
    assert.equal(node.r.path, '/api/v1/namespaces/n1');

    const types = {
      merge: 'application/merge-patch+json',
      strategic: 'application/strategic-merge-patch+json',
      json: 'application/json-patch+json',
      apply: 'application/apply-patch+yaml',
    } as const;
    for (const [type, contentType] of Object.entries(types) as [keyof typeof types, string][]) {
      const body = type === 'json' ? [{ op: 'add', path: '/metadata/labels/a', value: 'b' }] : { a: type };
      const p = await exchange(fake, () => client.patch(Services, 'default', 'web', type, body));
      assert.equal(p.r.method, 'PATCH');
      assert.equal(p.r.path, '/api/v1/namespaces/default/services/web');
      assert.equal(p.r.headers['content-type'], contentType);
      assert.deepEqual(JSON.parse(p.r.body), body);
    }
    const apply = await exchange(fake, () =>
      client.patch(Services, 'default', 'web', 'apply', {}, 'status', { fieldManager: 'ctl', force: true }),
    );
    assert.equal(apply.r.path, '/api/v1/namespaces/default/services/web/status');
    assert.deepEqual(Object.fromEntries(apply.r.query), { fieldManager: 'ctl', force: 'true' });

    const del = await exchange(
      fake,
      () =>
        client.delete(Pods, 'default', 'p', {
          gracePeriodSeconds: 0,
          propagationPolicy: 'Background',
          preconditions: { uid: 'u1' },
          dryRun: true,
        }),
      (r) => reply(r, 200, status(200, '', 'deleted')),
    );
    assert.equal(del.r.method, 'DELETE');
    assert.equal(del.r.path, '/api/v1/namespaces/default/pods/p');
    assert.deepEqual(JSON.parse(del.r.body), {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Background',
      preconditions: { uid: 'u1' },
      dryRun: ['All'],
    });
    assert.equal((del.result as { message?: string }).message, 'deleted');
    const plain = await exchange(fake, () => client.delete(Services, 'default', 'web'));
    assert.deepEqual(JSON.parse(plain.r.body), { apiVersion: 'v1', kind: 'DeleteOptions' });

    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { name: 'n1' } };
    const bind = await exchange(
      fake,
      () => client.createSubresource<{ ok: boolean }>(Pods, 'default', 'p', 'binding', binding),
      (r) => reply(r, 201, { ok: true }),
    );
    assert.equal(bind.r.method, 'POST');
    assert.equal(bind.r.path, '/api/v1/namespaces/default/pods/p/binding');
    assert.deepEqual(JSON.parse(bind.r.body), binding);
    assert.deepEqual(bind.result, { ok: true });

    const raw = await exchange(
      fake,
      () => client.getRaw('/api/v1/namespaces/default/pods/p/log', { container: 'c', tailLines: '2' }),
      (r) => {
        r.res.writeHead(200, { 'Content-Type': 'text/plain' });
        r.res.end('line 1\nline 2\n');
      },
    );
    assert.equal(raw.r.req.url, '/api/v1/namespaces/default/pods/p/log?container=c&tailLines=2');
    assert.equal(raw.result, 'line 1\nline 2\n');
  });

  it('turns Status answers into ApiError with code and reason', async () => {
    const notFound = await failure(fake, client, 404, status(404, 'NotFound', 'services "x" not found'));
    assert.ok(notFound instanceof ApiError);
    assert.equal(notFound.code, 404);
    assert.equal(notFound.reason, 'NotFound');
    assert.equal(notFound.message, 'services "x" not found');
    assert.equal(notFound.status.kind, 'Status');
    assert.equal(notFound.name, 'ApiError');
    assert.ok(isNotFound(notFound));
    assert.ok(!isConflict(notFound) && !isAlreadyExists(notFound) && !isGone(notFound));

    const conflict = await failure(
      fake,
      client,
      409,
      status(409, 'Conflict', 'the object has been modified'),
    );
    assert.ok(isConflict(conflict));
    assert.ok(!isAlreadyExists(conflict) && !isNotFound(conflict));
    const exists = await failure(fake, client, 409, status(409, 'AlreadyExists', 'already exists'));
    assert.ok(isAlreadyExists(exists));
    assert.ok(!isConflict(exists));

    // 410 (whatever the reason) and reason Expired (whatever the code) are both "gone".
    const gone = await failure(fake, client, 410, status(410, 'Gone', 'too old resource version'));
    assert.ok(isGone(gone));
    const expired = await failure(fake, client, 410, status(410, 'Expired', 'continue token expired'));
    assert.ok(isGone(expired));
    const bare = await failure(fake, client, 410, 'gone');
    assert.ok(isGone(bare));

    for (const e of [new Error('x'), undefined, 'NotFound', { reason: 'NotFound', code: 404 }]) {
      assert.ok(!isNotFound(e) && !isConflict(e) && !isAlreadyExists(e) && !isGone(e));
    }
  });

  it('makes an ApiError of answers that are not a Status', async () => {
    // A plain-text 404 (e.g. a proxy's): still NotFound, with the text in the message.
    const plain = await failure(fake, client, 404, '404 page not found\n');
    assert.ok(plain instanceof ApiError);
    assert.equal(plain.reason, 'NotFound');
    assert.ok(isNotFound(plain));
    assert.equal(plain.message, 'GET /api/v1/namespaces/default/services/x: HTTP 404: 404 page not found\n');
    assert.equal(plain.status.code, 404);
    // JSON that is not a Status, and an HTML error page: a reason-less ApiError.
    const json = await failure(fake, client, 500, { error: 'boom' });
    assert.ok(json instanceof ApiError);
    assert.equal(json.code, 500);
    assert.equal(json.reason, '');
    assert.match(json.message, /HTTP 500: \{"error":"boom"\}$/);
    const html = await failure(fake, client, 503, `<html>${'x'.repeat(500)}</html>`);
    assert.ok(html instanceof ApiError);
    assert.equal(html.code, 503);
    // The message keeps a bounded excerpt of the body.
    assert.ok(html.message.length < 300, html.message);
  });

  it('fails on network errors and times out requests that get no answer', async () => {
    const slow = fake.client(200);
    const pending = slow.get(Services, 'default', 'x');
    const r = await fake.next();
    await assert.rejects(pending, /GET \/api\/v1\/namespaces\/default\/services\/x: timed out/);
    // The client gave up on the connection.
    await new Promise<void>((resolve) =>
      r.req.socket.destroyed ? resolve() : r.req.socket.on('close', resolve),
    );

    const gone = await FakeApi.start();
    const orphan = gone.client();
    await gone.close();
    await assert.rejects(orphan.get(Services, 'default', 'x'), (err: NodeJS.ErrnoException) => {
      assert.ok(!(err instanceof ApiError));
      assert.equal(err.code, 'ECONNREFUSED');
      return true;
    });
  });

  it('sends a request again, once, when a reused keep-alive connection was closed under it', async () => {
    const first = await exchange(
      fake,
      () => client.get<Service>(Services, 'default', 'a'),
      (r) => reply(r, 200, svc('a')),
    );
    assert.equal(first.result.metadata?.name, 'a');
    assert.equal(fake.connections, 1);
    // The server drops the kept-alive connection as the next request arrives on it...
    const pending = client.get<Service>(Services, 'default', 'b');
    (await fake.next()).req.socket.destroy();
    // ...so the client sends it again, on a new connection.
    const again = await fake.next();
    assert.equal(again.path, '/api/v1/namespaces/default/services/b');
    reply(again, 200, svc('b'));
    assert.equal((await pending).metadata?.name, 'b');
    assert.equal(fake.connections, 2);

    // A request on a fresh connection that is dropped is not sent again: it may have been acted on.
    const fresh = fake.client();
    const lost = fresh.create(Services, 'default', svc('c'));
    (await fake.next()).req.socket.destroy();
    await assert.rejects(lost, (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET');
    assert.equal(fake.log.length, 4);
  });

  it('close() ends its keep-alive connections', async () => {
    await exchange(fake, () => client.get(Services, 'default', 'a'));
    assert.equal(fake.openConnections, 1);
    client.close();
    await until(() => fake.openConnections === 0, 'the connection to close');
  });
});

/** A watch whose events and close are recorded. */
function watchOf(client: ApiClient, opts = {}) {
  const events: WatchEvent<Service>[] = [];
  const closes: (Error | undefined)[] = [];
  let onClosed: (err: Error | undefined) => void = () => {};
  const closed = new Promise<Error | undefined>((resolve) => {
    onClosed = resolve;
  });
  const h = client.watch<Service>(
    Services,
    'default',
    { resourceVersion: '10', ...opts },
    (e) => events.push(e),
    (err) => {
      closes.push(err);
      onClosed(err);
    },
  );
  return { events, closes, closed, stop: () => h.stop() };
}

describe('API client watch streams', () => {
  let fake: FakeApi;
  let client: ApiClient;
  beforeEach(async () => {
    fake = await FakeApi.start();
    client = fake.client();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('asks for a watch with its options', async () => {
    const w = watchOf(client, { labelSelector: 'a=b', allowWatchBookmarks: true, timeoutSeconds: 300 });
    const r = await fake.expect('GET', '/api/v1/namespaces/default/services');
    assert.deepEqual(Object.fromEntries(r.query), {
      labelSelector: 'a=b',
      resourceVersion: '10',
      watch: 'true',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '300',
    });
    stream(r).end();
    assert.equal(await w.closed, undefined);
  });

  it('reads events split anywhere across chunks, including inside a UTF-8 character', async () => {
    const w = watchOf(client);
    const s = stream(await fake.next());
    const e1 = { type: 'ADDED', object: svc('one', '11') };
    const e2 = {
      type: 'MODIFIED',
      object: {
        ...svc('two', '12'),
        metadata: { ...svc('two', '12').metadata, annotations: { note: 'café ☕' } },
      },
    };
    const e3 = { type: 'DELETED', object: svc('three', '13') };
    const line2 = Buffer.from(`${JSON.stringify(e2)}\n`);
    const cut = line2.indexOf(Buffer.from('☕')) + 1; // inside the 3-byte character
    s.raw(Buffer.concat([Buffer.from(`${JSON.stringify(e1)}\n`), line2.subarray(0, cut)]));
    // The first event arrives while the second is still half a line...
    await until(() => w.events.length === 1, 'the first event');
    assert.deepEqual(w.events, [e1]);
    // ...which completes with the next chunk; blank lines between events are skipped.
    s.raw(Buffer.concat([line2.subarray(cut), Buffer.from(`\n  \n${JSON.stringify(e3).slice(0, 10)}`)]));
    await until(() => w.events.length === 2, 'the second event');
    s.raw(`${JSON.stringify(e3).slice(10)}\n`);
    await until(() => w.events.length === 3, 'the third event');
    assert.deepEqual(w.events, [e1, e2, e3]);
    assert.equal(w.events[1]?.object.metadata?.annotations?.note, 'café ☕');
    // Many events in one chunk, in order.
    const many = Array.from({ length: 50 }, (_, i) => ({
      type: 'ADDED',
      object: svc(`m${i}`, String(20 + i)),
    }));
    s.raw(many.map((e) => `${JSON.stringify(e)}\n`).join(''));
    await until(() => w.events.length === 53, 'fifty more');
    assert.deepEqual(w.events.slice(3), many);
    s.end();
    assert.equal(await w.closed, undefined);
    assert.deepEqual(w.closes, [undefined]);
  });

  it('ends with the Status of an ERROR event as an ApiError, ignoring what follows, and hangs up', async () => {
    const w = watchOf(client);
    const r = await fake.next();
    const hungUp = new Promise<void>((resolve) => r.res.on('close', () => resolve()));
    const s = stream(r);
    s.event('ADDED', svc('a', '11'));
    s.raw(
      `${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 5 (9)') })}\n${JSON.stringify({ type: 'ADDED', object: svc('after', '12') })}\n`,
    );
    const err = await w.closed;
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 410);
    assert.equal(err.reason, 'Expired');
    assert.equal(err.message, 'too old resource version: 5 (9)');
    assert.ok(isGone(err));
    assert.deepEqual(
      w.events.map((e) => keyOf(e.object)),
      ['default/a'],
    );
    await hungUp;
    assert.deepEqual(w.closes, [err]);
  });

  it('ends with an ApiError when the watch is refused, and with an error on a line that is not JSON', async () => {
    const refused = watchOf(client);
    reply(await fake.next(), 410, status(410, 'Expired', 'too old'));
    const e1 = await refused.closed;
    assert.ok(e1 instanceof ApiError && isGone(e1));

    const plain = watchOf(client);
    reply(await fake.next(), 403, 'forbidden');
    const e2 = await plain.closed;
    assert.ok(e2 instanceof ApiError);
    assert.equal(e2.code, 403);

    const garbled = watchOf(client);
    const s = stream(await fake.next());
    s.event('ADDED', svc('a', '11'));
    s.raw('{"type":"ADDED","obj\n');
    const e3 = await garbled.closed;
    assert.ok(!(e3 instanceof ApiError));
    assert.match(e3?.message ?? '', /undecodable watch event/);
    assert.equal(garbled.events.length, 1);
    assert.equal(garbled.closes.length, 1);
  });

  it('ends with an error when the connection is cut mid-stream or refused', async () => {
    const w = watchOf(client);
    const r = await fake.next();
    const s = stream(r);
    s.event('ADDED', svc('a', '11'));
    await until(() => w.events.length === 1, 'the event');
    r.req.socket.destroy();
    const err = await w.closed;
    assert.ok(err, 'a cut stream is not a clean end');
    assert.deepEqual(w.closes, [err]);

    const gone = await FakeApi.start();
    const orphan = gone.client();
    await gone.close();
    const w2 = watchOf(orphan);
    const err2 = (await w2.closed) as NodeJS.ErrnoException | undefined;
    assert.equal(err2?.code, 'ECONNREFUSED');
    orphan.close();
  });

  it('stop() ends the stream: onClose once, without an error, and the server sees the hang-up', async () => {
    const w = watchOf(client);
    const r = await fake.next();
    const hungUp = new Promise<void>((resolve) => r.res.on('close', () => resolve()));
    const s = stream(r);
    s.event('ADDED', svc('a', '11'));
    await until(() => w.events.length === 1, 'the event');
    w.stop();
    assert.deepEqual(w.closes, [undefined]);
    w.stop();
    await hungUp;
    assert.deepEqual(w.closes, [undefined]);
    assert.equal(w.events.length, 1);

    // Stopping a watch that has not connected yet.
    const early = watchOf(client);
    early.stop();
    assert.deepEqual(early.closes, [undefined]);
  });
});

describe('keyOf', () => {
  it('is namespace/name, or the name of a cluster-scoped object', () => {
    assert.equal(keyOf(svc('web')), 'default/web');
    assert.equal(keyOf({ metadata: { name: 'n1' } }), 'n1');
    assert.equal(keyOf({ metadata: { name: 'n1', namespace: '' } }), 'n1');
    assert.equal(keyOf({}), '');
    const pod: Pod = { metadata: { namespace: 'kube-system', name: 'dns' } };
    assert.equal(keyOf(pod), 'kube-system/dns');
  });
});
