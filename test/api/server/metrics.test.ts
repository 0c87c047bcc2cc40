/**
 * The API server's /metrics: requests are classified as upstream's
 * RequestInfo does, and real requests move apiserver_request_total, the
 * latency histogram, storage latency, stored objects and watch events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dryRunLabel, requestInfo, type Served } from '../../../src/api/server/metrics.js';
import { startTestApi, type TestApi } from '../../lib/testapi.js';
import { creds, eventually, tls } from './net.js';
import { RawClient } from './raw.js';

const servedSubresources: Record<string, string[]> = {
  '/services': ['status'],
  '/namespaces': ['status', 'finalize'],
  '/pods': ['status', 'log', 'exec', 'attach', 'portforward', 'binding'],
  'apps/deployments': ['status', 'scale'],
};
const served: Served = (group, resource) => {
  if (!resource) return group === 'apps' ? { version: 'v1', subresources: [] } : undefined;
  const subresources = servedSubresources[`${group}/${resource}`];
  return subresources && { version: 'v1', subresources };
};

describe('requestInfo', () => {
  const rows: [string, string, string, string | undefined][] = [
    ['GET', '/api/v1/namespaces/default/services', 'LIST  v1 services  namespace', undefined],
    ['GET', '/api/v1/namespaces/default/services/web', 'GET  v1 services  resource', undefined],
    ['GET', '/api/v1/services?watch=true', 'WATCH  v1 services  cluster long', undefined],
    ['GET', '/api/v1/services?watch=1', 'WATCH  v1 services  cluster long', undefined],
    // As the router reads it: an empty value is true, `False` false (not ParseBool's refusal).
    ['GET', '/api/v1/services?watch=', 'WATCH  v1 services  cluster long', undefined],
    ['GET', '/api/v1/services?watch=yes', 'WATCH  v1 services  cluster long', undefined],
    ['GET', '/api/v1/services?watch=FALSE', 'LIST  v1 services  cluster', undefined],
    ['GET', '/api/v1/watch/namespaces/default/services', 'WATCH  v1 services  namespace long', undefined],
    ['POST', '/api/v1/namespaces/default/services', 'POST  v1 services  resource', undefined],
    [
      'PATCH',
      '/api/v1/namespaces/default/services/web',
      'APPLY  v1 services  resource',
      'application/apply-patch+yaml',
    ],
    [
      'PATCH',
      '/api/v1/namespaces/default/services/web',
      'PATCH  v1 services  resource',
      'application/merge-patch+json',
    ],
    ['PUT', '/api/v1/namespaces/default/services/web/status', 'PUT  v1 services status resource', undefined],
    ['DELETE', '/api/v1/namespaces/default/services', 'DELETECOLLECTION  v1 services  namespace', undefined],
    ['DELETE', '/api/v1/namespaces/team', 'DELETE  v1 namespaces  resource', undefined],
    ['PUT', '/api/v1/namespaces/team/finalize', 'PUT  v1 namespaces finalize resource', undefined],
    ['GET', '/apis/apps/v1/deployments', 'LIST apps v1 deployments  cluster', undefined],
    ['POST', '/api/v1/namespaces/default/pods/p/exec', 'CONNECT  v1 pods exec resource long', undefined],
    ['GET', '/api/v1/namespaces/default/pods/p/log?follow=true', 'GET  v1 pods log resource long', undefined],
    // Paths that name nothing served mint no series.
    ['GET', '/api/v1/namespaces/default/widgets', 'GET     ', undefined],
    // A version or subresource the resource does not serve is no label value.
    ['GET', '/api/v9xyz/namespaces/default/services', 'GET     ', undefined],
    ['GET', '/apis/apps/v1beta7/deployments', 'GET     ', undefined],
    ['GET', '/api/v1/namespaces/default/services/web/anything', 'GET     ', undefined],
    [
      'PUT',
      '/apis/apps/v1/namespaces/default/deployments/web/status',
      'PUT apps v1 deployments status resource',
      undefined,
    ],
    ['GET', '/apis/example.com/v1/widgets', 'GET     ', undefined],
    ['GET', '/no/such/path', 'GET     ', undefined],
    ['GET', '/api/v7', 'GET     ', undefined],
    ['GET', '/readyz?verbose', 'GET    /readyz ', undefined],
    ['GET', '/livez/etcd', 'GET    /livez/etcd ', undefined],
    ['GET', '/api/v1', 'GET    /api/v1 ', undefined],
    ['GET', '/apis/apps/v1', 'GET    /apis/apps/v1 ', undefined],
    ['GET', '/openapi/v2', 'GET    /openapi/v2 ', undefined],
  ];
  for (const [method, url, want, type] of rows) {
    it(`${method} ${url}`, () => {
      const i = requestInfo(method, url, type, served);
      const got = [i.verb, i.group, i.version, i.resource, i.subresource, i.scope].join(' ');
      assert.equal(`${got}${i.longRunning ? ' long' : ''}`, want);
    });
  }
});

describe('dryRunLabel', () => {
  for (const [values, want] of [
    [[], ''],
    [['All'], 'All'],
    [['All', 'All', 'All'], 'All'],
    [['x1'], 'invalid'],
    [['All', 'x2', 'x3'], 'invalid'],
  ] as [string[], string][]) {
    it(`${JSON.stringify(values)} → ${JSON.stringify(want)}`, () => assert.equal(dryRunLabel(values), want));
  }
});

/** The series of one metric in an exposition. */
const series = (text: string, name: string): string[] =>
  text.split('\n').filter((l) => l.startsWith(`${name}{`));

/** The value of one series in an exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const have = new Map([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(line.split(' ').pop());
  }
  return 0;
}

describe('/metrics', () => {
  let api: TestApi;
  let raw: RawClient;
  before(async () => {
    api = await startTestApi('metrics');
    raw = new RawClient(api);
  });
  after(async () => {
    raw?.close();
    await api?.stop();
  });
  const scrape = async () => {
    const r = await raw.send({ method: 'GET', path: '/metrics' });
    assert.equal(r.status, 200);
    assert.match(r.contentType, /^text\/plain; version=0\.0\.4/);
    return r.body;
  };

  it('needs credentials', async () => {
    const r = await raw.send({ method: 'GET', path: '/metrics', anonymous: true });
    assert.equal(r.status, 401);
  });

  it('counts real requests by verb, resource, scope and code', async () => {
    const created = {
      verb: 'POST',
      resource: 'services',
      scope: 'resource',
      code: '201',
      component: 'apiserver',
    };
    const notFound = { verb: 'GET', resource: 'services', scope: 'resource', code: '404' };
    const before = await scrape();
    const svc = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'm1' },
      spec: { ports: [{ port: 80 }] },
    });
    const r = await raw.send({
      method: 'POST',
      path: '/api/v1/namespaces/default/services',
      body: svc,
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(r.status, 201);
    assert.equal(
      (await raw.send({ method: 'GET', path: '/api/v1/namespaces/default/services/nope' })).status,
      404,
    );
    const afterText = await scrape();
    assert.equal(
      sample(afterText, 'apiserver_request_total', created),
      sample(before, 'apiserver_request_total', created) + 1,
    );
    assert.equal(
      sample(afterText, 'apiserver_request_total', notFound),
      sample(before, 'apiserver_request_total', notFound) + 1,
    );
    const latency = { verb: 'POST', resource: 'services', scope: 'resource' };
    assert.ok(sample(afterText, 'apiserver_request_duration_seconds_count', latency) >= 1);
    assert.ok(sample(afterText, 'apiserver_request_duration_seconds_bucket', { ...latency, le: '60' }) >= 1);
    assert.ok(
      sample(afterText, 'etcd_request_duration_seconds_count', { operation: 'create', type: 'services' }) >=
        1,
    );
    // default/kubernetes and m1.
    assert.equal(sample(afterText, 'apiserver_storage_objects', { resource: 'services' }), 2);
    assert.match(afterText, /^# TYPE apiserver_current_inflight_requests gauge$/m);
    // The scrape itself is in flight while it is rendered.
    assert.equal(sample(afterText, 'apiserver_current_inflight_requests', { request_kind: 'readOnly' }), 1);
  });

  it('tracks a watch as long-running and counts the events it sends', async () => {
    const labels = { group: '', version: 'v1', resource: 'services' };
    const before = sample(await scrape(), 'apiserver_watch_events_total', labels);
    const watching = raw.send(
      { method: 'GET', path: '/api/v1/namespaces/default/services?watch=true&resourceVersion=0' },
      { streamMs: 1500 },
    );
    let during = '';
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      during = await scrape();
      if (sample(during, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'services' }) === 1)
        break;
    }
    assert.equal(
      sample(during, 'apiserver_longrunning_requests', {
        verb: 'WATCH',
        resource: 'services',
        scope: 'namespace',
      }),
      1,
    );
    const events = (await watching).body.split('\n').filter(Boolean).length;
    assert.ok(events >= 1);
    // The server sees the stream end a little after the client cuts it.
    let end = await scrape();
    while (sample(end, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'services' }) !== 0) {
      assert.ok(Date.now() < deadline + 10_000, 'the watch is still counted as long-running');
      end = await scrape();
    }
    assert.equal(sample(end, 'apiserver_watch_events_total', labels), before + events);
  });

  it('labels no resource for unauthenticated requests, and bounded dry_run values', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await raw.send({
        method: 'GET',
        path: `/api/v${i}x/namespaces/default/services/s/sub${i}?dryRun=d${i}`,
        anonymous: true,
      });
      assert.equal(r.status, 401);
      await raw.send({ method: 'GET', path: `/api/v1/namespaces/default/services?dryRun=x${i}` });
    }
    const anon = { verb: 'GET', version: '', resource: '', subresource: '', dry_run: 'invalid', code: '401' };
    let text = await scrape();
    for (const end = Date.now() + 10_000; Date.now() < end; text = await scrape())
      if (sample(text, 'apiserver_request_total', anon) >= 3) break;
    const total = series(text, 'apiserver_request_total');
    assert.deepEqual(
      total.filter((l) => /v\dx|sub\d|d\d"|x\d"/.test(l)),
      [],
    );
    assert.ok(sample(text, 'apiserver_request_total', anon) >= 3);
    const dryRuns = new Set(total.map((l) => /dry_run="([^"]*)"/.exec(l)?.[1]));
    for (const d of dryRuns) assert.ok(['', 'All', 'invalid'].includes(d ?? ''), d);
  });

  it('counts upgrade requests as CONNECT, long-running while open', async () => {
    const labels = { verb: 'CONNECT', resource: 'pods', subresource: 'exec', code: '404' };
    const before = sample(await scrape(), 'apiserver_request_total', labels);
    const s = await tls(creds(api), { cert: true });
    try {
      s.write(
        'POST /api/v1/namespaces/default/pods/nope/exec?command=sh HTTP/1.1\r\n' +
          'Host: localhost\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n',
      );
      await eventually(() => s.text().includes('404 Not Found'), 'the answer');
    } finally {
      s.destroy();
    }
    let text = '';
    const deadline = Date.now() + 10_000;
    do text = await scrape();
    while (sample(text, 'apiserver_request_total', labels) === before && Date.now() < deadline);
    assert.equal(sample(text, 'apiserver_request_total', labels), before + 1);
    assert.equal(
      sample(text, 'apiserver_longrunning_requests', {
        verb: 'CONNECT',
        resource: 'pods',
        subresource: 'exec',
      }),
      0,
    );
  });
});
