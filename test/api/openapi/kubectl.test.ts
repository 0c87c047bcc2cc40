/**
 * The real kubectl (1.32) against our OpenAPI v3 documents and decoder,
 * served by a stub API on 127.0.0.1: explain, and create's server-side field
 * validation handshake.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { skipReason } from '../../lib/kubectl.js';
import { useFreshDefinitions } from '../schema/definitions-fixture.js';
import { served } from './served.js';
import { type StubAPI, startStubAPI } from './stub-server.js';

useFreshDefinitions();

describe('kubectl against /openapi/v3', { skip: skipReason() }, () => {
  let api: StubAPI;
  let dir: string;
  before(async () => {
    api = await startStubAPI(served);
    dir = mkdtempSync(join(tmpdir(), 'svcnet-manifests-'));
  });
  after(async () => {
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('explains a nested field', async () => {
    const r = await api.kubectl(['explain', 'service.spec.sessionAffinityConfig']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^KIND:\s+Service\nVERSION:\s+v1\n\nFIELD: sessionAffinityConfig <SessionAffinityConfig>\n/,
    );
    assert.match(
      r.stdout,
      /DESCRIPTION:\n\s+sessionAffinityConfig contains the configurations of session affinity\./,
    );
    assert.match(r.stdout, /FIELDS:\n\s+clientIP\t<ClientIPConfig>\n/);
  });

  it('explains an enum', async () => {
    const r = await api.kubectl(['explain', 'svc.spec.type']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /FIELD: type <string>\nENUM:\n\s+ClusterIP\n\s+ExternalName\n\s+LoadBalancer\n\s+NodePort\n/,
    );
    assert.match(
      r.stdout,
      /Possible enum values:\n\s+- `"ClusterIP"` means a service will only be accessible inside the cluster,/,
    );
  });

  it('explains recursively', async () => {
    const r = await api.kubectl(['explain', 'svc', '--recursive']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\n {4}ports\t<\[\]ServicePort>\n {6}appProtocol\t<string>\n/);
    assert.match(r.stdout, /\n {6}port\t<integer> -required-\n/);
    assert.match(
      r.stdout,
      /\n {4}type\t<string>\n {4}enum: ClusterIP, ExternalName, LoadBalancer, NodePort\n/,
    );
  });

  it('explains a resource of another group', async () => {
    const r = await api.kubectl(['explain', 'endpointslices']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^GROUP:\s+discovery\.k8s\.io\nKIND:\s+EndpointSlice\nVERSION:\s+v1\n/);
    assert.match(r.stdout, /\n {2}endpoints\t<\[\]Endpoint> -required-\n/);
    const d = await api.kubectl(['explain', 'deployment.spec.template.spec.containers.ports']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /FIELD: ports <\[\]ContainerPort>/);
  });

  it('lets the server validate fields: create sends fieldValidation=Strict and shows the strict error', async () => {
    const file = join(dir, 'svc.yaml');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\nspec:\n  portz: 1\n  ports:\n  - port: 80\n    foo: bar\n',
    );
    const strict = await api.kubectl(['create', '-f', file]);
    assert.notEqual(strict.code, 0);
    assert.match(
      strict.stderr,
      /Error from server \(BadRequest\): error when creating ".*svc\.yaml": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec\.ports\[0\]\.foo", unknown field "spec\.portz"/,
    );
    const post = api.requests.find((q) => q.method === 'POST');
    assert.match(post?.url ?? '', /fieldValidation=Strict/);

    const warn = await api.kubectl(['create', '--validate=warn', '-f', file, '-o', 'name']);
    assert.equal(warn.code, 0, warn.stderr);
    assert.equal(warn.stdout.trim(), 'service/web');
    assert.match(
      warn.stderr,
      /Warning: unknown field "spec\.ports\[0\]\.foo"\nWarning: unknown field "spec\.portz"/,
    );
  });
});
