/**
 * What kubectl reads besides the API groups, with the real kubectl against
 * `svcnet up`: /openapi/v2 (so `apply` of a file holding a kind svcnet does
 * not serve applies the rest and reports that one, exit 1 as upstream),
 * `explain` from both OpenAPI versions, `apply --validate=strict`, /metrics
 * and the health endpoints through `kubectl get --raw`, and `apply --prune`
 * with the default allowlist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, skipReason, startCluster, stopCluster } from './harness.js';

const service = (name: string, app: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels: {app: ${app}}
spec:
  selector: {app: ${name}}
  ports: [{port: 80, targetPort: 8080}]
`;

const deployment = (name: string, app: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${app}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: web, image: svcnet/netexec, args: [netexec, --http-port=8080]}]
`;

const widget = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w1
spec: {size: 3}
`;

/** The value of one series in a Prometheus exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const have = new Map([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(line.split(' ').pop());
  }
  return 0;
}

describe('kubectl and the server endpoints it reads', { skip: skipReason() }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => stopCluster(c));

  it('apply of a file with an unknown kind applies the known ones and reports the unknown one', () => {
    const file = c.writeFile(
      'mixed.yaml',
      [service('mixed', 'mixed'), widget, deployment('mixed', 'mixed')].join('---\n'),
    );
    const r = c.kubectl(['apply', '-f', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^service\/mixed created$/m);
    assert.match(r.stdout, /^deployment\.apps\/mixed created$/m);
    assert.match(
      r.stderr,
      /error: resource mapping not found for name: "w1" namespace: "" from ".*mixed\.yaml": no matches for kind "Widget" in version "example\.com\/v1"\nensure CRDs are installed first/,
    );
    assert.doesNotMatch(r.stderr, /openapi/);
    c.ok(['get', 'service/mixed', 'deployment/mixed']);
    // Again: unchanged, the unknown kind reported again.
    const again = c.kubectl(['apply', '-f', file]);
    assert.equal(again.code, 1);
    assert.match(again.stdout, /^service\/mixed unchanged$/m);
  });

  it('apply --validate=strict: the server rejects unknown fields, and a file with an unknown kind still applies the rest', () => {
    const bad = c.writeFile(
      'bad.yaml',
      service('strict', 'strict').replace('spec:\n', 'spec:\n  bogus: 1\n'),
    );
    const r = c.kubectl(['apply', '--validate=strict', '-f', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /strict decoding error: unknown field "spec\.bogus"/);
    const ok = c.writeFile('ok.yaml', [service('strict', 'strict'), widget].join('---\n'));
    const r2 = c.kubectl(['apply', '--validate=strict', '-f', ok]);
    assert.equal(r2.code, 1);
    assert.match(r2.stdout, /^service\/strict created$/m);
    assert.match(r2.stderr, /no matches for kind "Widget"/);
  });

  it('explain works from OpenAPI v3 and v2', () => {
    assert.match(
      c.ok(['explain', 'deployment.spec.strategy']),
      /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n/,
    );
    const v2 = c.ok(['explain', '--output=plaintext-openapiv2', 'service.spec.ports']);
    assert.match(v2, /^KIND:\s+Service\nVERSION:\s+v1\n\nRESOURCE: ports <\[\]Object>/);
    assert.match(v2, /\n {3}port\t<integer> -required-\n/);
    const raw = JSON.parse(c.ok(['get', '--raw', '/openapi/v2']));
    assert.equal(raw.swagger, '2.0');
  });

  it('get --raw /metrics: requests kubectl makes move the counters', () => {
    const labels = { verb: 'LIST', group: '', resource: 'services', scope: 'namespace', code: '200' };
    const before = sample(c.ok(['get', '--raw', '/metrics']), 'apiserver_request_total', labels);
    c.ok(['get', 'services']);
    c.ok(['get', 'services']);
    const text = c.ok(['get', '--raw', '/metrics']);
    assert.equal(sample(text, 'apiserver_request_total', labels), before + 2);
    assert.ok(
      sample(text, 'apiserver_request_duration_seconds_count', { verb: 'LIST', resource: 'services' }) >= 2,
    );
    assert.ok(
      sample(text, 'etcd_request_duration_seconds_count', {
        operation: 'create',
        type: 'deployments.apps',
      }) >= 1,
    );
    assert.ok(sample(text, 'apiserver_storage_objects', { resource: 'deployments.apps' }) >= 1);
    // Controllers and the agent watch: long-running requests, events sent.
    assert.ok(sample(text, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'pods' }) >= 1);
    assert.ok(sample(text, 'apiserver_watch_events_total', { resource: 'pods' }) >= 1);
  });

  it('get --raw the health endpoints', () => {
    assert.match(
      c.ok(['get', '--raw', '/readyz?verbose']),
      /^\[\+\]ping ok\n\[\+\]etcd ok\n(.*\n)*readyz check passed\n$/,
    );
    assert.equal(c.ok(['get', '--raw', '/livez']), 'ok');
    assert.equal(c.ok(['get', '--raw', '/livez/etcd']), 'ok');
    assert.match(c.ok(['get', '--raw', '/healthz?verbose&exclude=etcd']), /^\[\+\]etcd excluded: ok$/m);
  });
});
