/**
 * Client input the API server must refuse with a 400 Status, never a 500:
 * JSON nested past the decoder's depth limit (in a body and in each patch
 * type), YAML alias bombs and deep YAML (application/yaml and apply), a
 * malformed percent-escape in the path, and a patch that takes the object's
 * metadata away. Afterwards the server still answers and has logged no
 * "Unhandled error".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_JSON_DEPTH } from '../../../src/api/schema/json.js';
import { MAX_YAML_DEPTH } from '../../../src/api/schema/yaml.js';
import { startTestApi, type TestApi } from '../../lib/testapi.js';
import { capturingLogger, RawClient, type RawResponse, statusOf } from './raw.js';

const SVCS = '/api/v1/namespaces/default/services';
const JSON_TYPE = { 'Content-Type': 'application/json' };
const YAML_TYPE = { 'Content-Type': 'application/yaml' };
const patchType = (t: string) => ({ 'Content-Type': `application/${t}` });

/** `{"a":{"a":...1...}}`, `depth` objects deep. */
const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}{"a":1}${'}'.repeat(depth - 1)}`;
/** A Service whose annotations hold a value nested `depth` objects deep (the body is depth + 2). */
const deepService = (name: string, depth: number) =>
  `{"apiVersion":"v1","kind":"Service","metadata":{"name":"${name}","annotations":${nested(depth)}},"spec":{"ports":[{"port":80}]}}`;

/** A billion laughs: nine levels of nine aliases each. */
const aliasBomb = (() => {
  const lines = ['apiVersion: v1', 'kind: Service', 'metadata:', '  name: laughs', '  annotations:'];
  lines.push('    a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]');
  for (let i = 1; i <= 9; i++)
    lines.push(
      `    a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  return `${lines.join('\n')}\n`;
})();

/** The first 30 bytes of a body, hex-encoded, as apiserver's summarizeData shows a non-JSON body. */
const hexSummary = (body: string) => `${Buffer.from(body).subarray(0, 30).toString('hex')} ...`;

function assertBadRequest(r: RawResponse, message: string | RegExp): void {
  assert.equal(r.status, 400, r.body.slice(0, 400));
  assert.match(r.contentType, /^application\/json/);
  const s = statusOf(r);
  assert.equal(s.code, 400);
  assert.equal(s.reason, 'BadRequest');
  if (typeof message === 'string') assert.equal(s.message, message);
  else assert.match(s.message, message);
}

describe('bad client input is a 400 Status', () => {
  let api: TestApi;
  let raw: RawClient;
  const logged = capturingLogger();
  before(async () => {
    api = await startTestApi('bad-input', 'svcnet-test', { log: logged.log });
    raw = new RawClient(api);
    const r = await raw.send({
      method: 'POST',
      path: SVCS,
      body: JSON.stringify({ metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } }),
      headers: JSON_TYPE,
    });
    assert.equal(r.status, 201, r.body);
  });
  after(async () => {
    raw?.close();
    await api?.stop();
  });

  describe('JSON nested past the depth limit', () => {
    const deep = deepService('deep', 10_000);

    it('a create body', async () => {
      assertBadRequest(
        await raw.send({ method: 'POST', path: SVCS, body: deep, headers: JSON_TYPE }),
        `the object provided is unrecognized (must be of type Service): couldn't get version/kind; json parse error: invalid character '{' exceeded max depth (${deep.slice(0, 30)} ...)`,
      );
    });

    it('an update body', async () => {
      assertBadRequest(
        await raw.send({
          method: 'PUT',
          path: `${SVCS}/web`,
          body: deepService('web', 10_000),
          headers: JSON_TYPE,
        }),
        /json parse error: invalid character '\{' exceeded max depth/,
      );
    });

    it('a strategic merge patch', async () => {
      assertBadRequest(
        await raw.send({
          method: 'PATCH',
          path: `${SVCS}/web`,
          body: `{"metadata":{"annotations":${nested(10_000)}}}`,
          headers: patchType('strategic-merge-patch+json'),
        }),
        "invalid character '{' exceeded max depth",
      );
    });

    it('a merge patch', async () => {
      assertBadRequest(
        await raw.send({
          method: 'PATCH',
          path: `${SVCS}/web`,
          body: `{"metadata":{"annotations":${nested(10_000)}}}`,
          headers: patchType('merge-patch+json'),
        }),
        "error decoding patch: invalid character '{' exceeded max depth",
      );
    });

    it('a JSON patch (a deep value, and deep arrays)', async () => {
      assertBadRequest(
        await raw.send({
          method: 'PATCH',
          path: `${SVCS}/web`,
          body: `[{"op":"add","path":"/metadata/annotations/a","value":${nested(10_000)}}]`,
          headers: patchType('json-patch+json'),
        }),
        "error decoding patch: invalid character '{' exceeded max depth",
      );
      assertBadRequest(
        await raw.send({
          method: 'PATCH',
          path: `${SVCS}/web`,
          body: `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
          headers: patchType('json-patch+json'),
        }),
        "error decoding patch: invalid character '[' exceeded max depth",
      );
    });

    it('takes JSON nested exactly to the limit, as far as the schema allows', async () => {
      // The annotation is no string: a type error (400), reached only after decoding the whole depth.
      const r = await raw.send({
        method: 'POST',
        path: SVCS,
        body: deepService('at-limit', MAX_JSON_DEPTH - 2),
        headers: JSON_TYPE,
      });
      assertBadRequest(
        r,
        /cannot unmarshal object into Go struct field ObjectMeta.metadata.annotations of type string/,
      );
      for (const [type, body] of [
        ['merge-patch+json', `{"metadata":{"annotations":${nested(MAX_JSON_DEPTH - 2)}}}`],
        ['strategic-merge-patch+json', `{"metadata":{"annotations":${nested(MAX_JSON_DEPTH - 2)}}}`],
        [
          'json-patch+json',
          `[{"op":"add","path":"/metadata/annotations/a","value":${nested(MAX_JSON_DEPTH - 2)}}]`,
        ],
      ] as const) {
        const p = await raw.send({ method: 'PATCH', path: `${SVCS}/web`, body, headers: patchType(type) });
        assert.ok(p.status >= 400 && p.status < 500, `${type}: ${p.status} ${p.body.slice(0, 300)}`);
      }
    });
  });

  describe('YAML', () => {
    it('an alias bomb as application/yaml', async () => {
      assertBadRequest(
        await raw.send({ method: 'POST', path: SVCS, body: aliasBomb, headers: YAML_TYPE }),
        `the object provided is unrecognized (must be of type Service): error converting YAML to JSON: yaml: document contains excessive aliasing (${hexSummary(aliasBomb)})`,
      );
      assertBadRequest(
        await raw.send({ method: 'PUT', path: `${SVCS}/web`, body: aliasBomb, headers: YAML_TYPE }),
        /error converting YAML to JSON: yaml: document contains excessive aliasing/,
      );
    });

    it('an alias bomb as an apply patch', async () => {
      assertBadRequest(
        await raw.send({
          method: 'PATCH',
          path: `${SVCS}/laughs?fieldManager=test`,
          body: aliasBomb,
          headers: patchType('apply-patch+yaml'),
        }),
        'error decoding YAML: error converting YAML to JSON: yaml: document contains excessive aliasing',
      );
    });

    it('an anchor that contains itself', async () => {
      const body = 'metadata:\n  name: loop\n  annotations: &x {a: *x}\n';
      assertBadRequest(
        await raw.send({ method: 'POST', path: SVCS, body, headers: YAML_TYPE }),
        /error converting YAML to JSON: yaml: anchor 'x' value contains itself/,
      );
    });

    it('YAML nested past the depth limit, in flow and block style, and through aliases', async () => {
      const flow = `metadata:\n  name: deep\n  annotations: {a: ${'['.repeat(10_000)}${']'.repeat(10_000)}}\n`;
      const block = `metadata:\n  name: deep\n  annotations:\n    a:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(6 + i)}- `).join('\n')}x\n`;
      // Each anchor is shallow; expanding the aliases makes it deep.
      const chain = ['metadata:', '  name: deep', '  annotations:'];
      const step = Math.floor(MAX_YAML_DEPTH / 4);
      chain.push(`    a0: &a0 ${'['.repeat(step)}1${']'.repeat(step)}`);
      for (let i = 1; i <= 8; i++)
        chain.push(`    a${i}: &a${i} ${'['.repeat(step)}*a${i - 1}${']'.repeat(step)}`);
      for (const body of [flow, block, `${chain.join('\n')}\n`]) {
        assertBadRequest(
          await raw.send({ method: 'POST', path: SVCS, body, headers: YAML_TYPE }),
          new RegExp(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_YAML_DEPTH} \\(`),
        );
        assertBadRequest(
          await raw.send({
            method: 'PATCH',
            path: `${SVCS}/deep?fieldManager=test`,
            body,
            headers: patchType('apply-patch+yaml'),
          }),
          `error decoding YAML: error converting YAML to JSON: yaml: exceeded max depth of ${MAX_YAML_DEPTH}`,
        );
      }
    });

    it('takes YAML with a few aliases, as go-yaml does', async () => {
      const anchors = ['metadata:', '  name: aliased', '  labels: &l {app: web}', '  annotations:'];
      for (let i = 0; i < 150; i++) anchors.push(`    k${i}: &v${i} "v"`);
      for (let i = 0; i < 150; i++) anchors.push(`    r${i}: *v${i}`);
      anchors.push('spec:', '  selector: *l', '  ports: [{port: 80}]');
      const r = await raw.send({
        method: 'POST',
        path: SVCS,
        body: `${anchors.join('\n')}\n`,
        headers: YAML_TYPE,
      });
      assert.equal(r.status, 201, r.body.slice(0, 300));
      const svc = JSON.parse(r.body);
      assert.deepEqual(svc.spec.selector, { app: 'web' });
      assert.equal(svc.metadata.annotations.r149, 'v');
    });
  });

  describe('paths', () => {
    it('a malformed percent-escape in the path', async () => {
      for (const path of [
        '/api/v1/namespaces/%zz/services',
        `${SVCS}/%zz`,
        `${SVCS}/web%`,
        '/api/v1/namespaces/%E0%A4%A/services',
        '/apis/discovery.k8s.io/v1/namespaces/%zz/endpointslices',
      ]) {
        const r = await raw.send({ method: 'GET', path });
        assert.equal(r.status, 400, `${path}: ${r.body}`);
        assert.equal(statusOf(r).reason, 'BadRequest');
      }
      assertBadRequest(
        await raw.send({ method: 'GET', path: '/api/v1/namespaces/%zz/services' }),
        'parse "/api/v1/namespaces/%zz/services": invalid URL escape "%zz"',
      );
      assertBadRequest(
        await raw.send({
          method: 'POST',
          path: '/api/v1/namespaces/%zz/bindings',
          body: '{}',
          headers: JSON_TYPE,
        }),
        'parse "/api/v1/namespaces/%zz/bindings": invalid URL escape "%zz"',
      );
    });

    it("refuses a malformed path before authentication, as Go's HTTP server does", async () => {
      const r = await raw.send({ method: 'GET', path: '/api/v1/namespaces/%zz/services', anonymous: true });
      assertBadRequest(r, 'parse "/api/v1/namespaces/%zz/services": invalid URL escape "%zz"');
    });

    it('reads escapes that are not UTF-8 as a name that does not exist', async () => {
      const r = await raw.send({ method: 'GET', path: `${SVCS}/%FF%FE` });
      assert.equal(r.status, 404, r.body);
      assert.equal(statusOf(r).reason, 'NotFound');
    });
  });

  describe('a patch that takes the metadata away', () => {
    const gone = 'the name of the object () does not match the name on the URL (web)';
    for (const [type, body] of [
      ['json-patch+json', '[{"op":"remove","path":"/metadata"}]'],
      ['json-patch+json', '[{"op":"remove","path":"/metadata/name"}]'],
      ['merge-patch+json', '{"metadata":null}'],
      ['strategic-merge-patch+json', '{"metadata":null}'],
    ] as const) {
      it(`${type} ${body}`, async () => {
        assertBadRequest(
          await raw.send({ method: 'PATCH', path: `${SVCS}/web`, body, headers: patchType(type) }),
          gone,
        );
      });
    }

    it('left the object as it was', async () => {
      const r = await raw.send({ method: 'GET', path: `${SVCS}/web` });
      assert.equal(r.status, 200, r.body);
      assert.equal(JSON.parse(r.body).metadata.name, 'web');
    });
  });

  // Each a 500 (or worse) the HTTP fuzz found (http-fuzz.test.ts).
  describe('found by the fuzz', () => {
    it('CONNECT: a Status (Node dropped the connection when nothing handled it)', async () => {
      assert.equal((await raw.send({ method: 'CONNECT', path: `${SVCS}/web` })).status, 405);
    });

    it('DELETE with a body that is no DeleteOptions object', async () => {
      const del = (body: string) =>
        raw.send({ method: 'DELETE', path: `${SVCS}/gone`, body, headers: JSON_TYPE });
      assertBadRequest(
        await del('5'),
        /^the object provided is unrecognized \(must be of type DeleteOptions\): couldn't get version\/kind; json parse error: json: cannot unmarshal number into Go value of type struct/,
      );
      assertBadRequest(
        await del('{"dryRun":5}'),
        'DeleteOptions in version "v1" cannot be handled as a DeleteOptions: json: cannot unmarshal number into Go struct field DeleteOptions.dryRun of type []string',
      );
      await raw.send({
        method: 'POST',
        path: SVCS,
        body: '{"metadata":{"name":"gone"},"spec":{"ports":[{"port":80}]}}',
        headers: JSON_TYPE,
      });
      // JSON null is no options at all.
      assert.equal((await del('null')).status, 200);
    });

    it('a create that carries a resourceVersion', async () => {
      assertBadRequest(
        await raw.send({
          method: 'POST',
          path: SVCS,
          body: '{"metadata":{"name":"versioned","resourceVersion":"12"},"spec":{"ports":[{"port":80}]}}',
          headers: JSON_TYPE,
        }),
        'resourceVersion should not be set on objects to be created',
      );
    });

    it('an apply of a field the schema does not declare (kube-apiserver 1.32: 500)', async () => {
      assertBadRequest(
        await raw.send({
          method: 'PATCH',
          path: `${SVCS}/web?fieldManager=test`,
          body: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"portz":1}}',
          headers: patchType('apply-patch+yaml'),
        }),
        'failed to create typed patch object (/web; /v1, Kind=Service): .spec.portz: field not declared in schema',
      );
    });

    it('a strategic merge patch of the wrong shape (kube-apiserver 1.32: 500)', async () => {
      assertBadRequest(
        await raw.send({
          method: 'PATCH',
          path: `${SVCS}/web`,
          body: '{"spec":{"$setElementOrder/ports":{}}}',
          headers: patchType('strategic-merge-patch+json'),
        }),
        'expected a []interface {}, but received a map[string]interface {}',
      );
    });

    it('an update that repeats a node port (kube-apiserver 1.32: 500)', async () => {
      const body = JSON.stringify({
        spec: {
          type: 'NodePort',
          ports: [
            { name: 'a', port: 80, nodePort: 30999 },
            { name: 'b', port: 81, nodePort: 30999 },
          ],
        },
      });
      const r = await raw.send({
        method: 'PATCH',
        path: `${SVCS}/web`,
        body,
        headers: patchType('merge-patch+json'),
      });
      assert.equal(r.status, 422, r.body);
      assert.match(statusOf(r).message, /spec.ports\[1\].nodePort: Duplicate value: 30999/);
    });

    it('a merge patch naming __proto__ leaves every other object alone', async () => {
      const r = await raw.send({
        method: 'PATCH',
        path: `${SVCS}/web`,
        body: '{"metadata":{"__proto__":{"kind":false,"ownerReferences":[{}]}}}',
        headers: patchType('merge-patch+json'),
      });
      assert.equal(r.status, 200, r.body);
      assert.equal(({} as Record<string, unknown>).ownerReferences, undefined);
      const created = await raw.send({
        method: 'POST',
        path: SVCS,
        body: '{"metadata":{"name":"after-proto"},"spec":{"ports":[{"port":80}]}}',
        headers: JSON_TYPE,
      });
      assert.equal(created.status, 201, created.body);
    });

    it('an unknown field whose name holds a control character: created, the warning dropped', async () => {
      const r = await raw.send({
        method: 'POST',
        path: SVCS,
        body: '{"metadata":{"name":"odd"},"spec":{"ports":[{"port":80}]},"x\u007fy":1}',
        headers: JSON_TYPE,
      });
      assert.equal(r.status, 201, r.body);
    });
  });

  it('still answers, and logged no unhandled error', async () => {
    const r = await raw.send({ method: 'GET', path: `${SVCS}/web` });
    assert.equal(r.status, 200, r.body);
    const unhandled = logged.lines.filter((l) => l.includes('Unhandled error'));
    assert.deepEqual(unhandled, []);
  });
});
