/**
 * Authentication and request limits at the HTTPS front: what answers without
 * credentials and what doesn't, the admin token (any case of the bearer
 * scheme), the client certificate of the kubeconfig (with the token
 * stripped), certificates from elsewhere, failing credentials on the public
 * paths, the TLS versions and suites offered, the 3 MiB body limit (with
 * and without Content-Length), and bodies the server can't read (hostile
 * ones too: JSON nested 10,000 deep, YAML alias bombs, a malformed path
 * escape): each gets upstream's Status, never a 500, and the server keeps
 * serving.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ConnectionOptions, connect } from 'node:tls';
import forge from 'node-forge';
import { parse, stringify } from 'yaml';
import { Api, type Response, service } from './api.js';
import { type Cluster, skipReason, startCluster, stopCluster } from './harness.js';
import { serverLog } from './procs.js';

const skip = skipReason();
const SVCS = '/api/v1/namespaces/default/services';

const unauthorized = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
};

/** A self-signed client certificate for system:masters that our CA never signed. */
function foreignCert(): { cert: string; key: string } {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  const subject = [
    { name: 'commonName', value: 'kubernetes-admin' },
    { name: 'organizationName', value: 'system:masters' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** The protocol and cipher a handshake with these client options settles on, or its error. */
function handshake(c: Cluster, opts: ConnectionOptions): Promise<string> {
  const ca = readFileSync(join(c.dataDir, 'pki', 'ca.crt'), 'utf8');
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: c.port, ca, servername: 'localhost', ...opts }, () => {
      resolve(`${s.getProtocol()} ${s.getCipher().name}`);
      s.destroy();
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(`refused: ${err.code ?? err.message}`));
  });
}

describe('authentication', { skip }, () => {
  let c: Cluster;
  let admin: Api;
  let anonymous: Api;
  before(async () => {
    c = await startCluster();
    admin = Api.of(c);
    anonymous = Api.of(c, { token: null });
  });
  after(() => {
    admin?.close();
    anonymous?.close();
    stopCluster(c);
  });

  it('answers 401 with a Status to API requests without credentials', async () => {
    for (const [method, path] of [
      ['GET', '/api'],
      ['GET', '/apis'],
      ['GET', '/api/v1'],
      ['GET', '/api/v1/services'],
      ['GET', `${SVCS}/kubernetes`],
      ['GET', '/api/v1/services?watch=true'],
      ['GET', '/openapi/v3'],
      ['DELETE', `${SVCS}/kubernetes`],
    ] as const) {
      const r = await anonymous.request(method, path);
      assert.equal(r.status, 401, `${method} ${path}`);
      assert.match(String(r.headers['content-type']), /^application\/json/);
      assert.deepEqual(JSON.parse(r.body), unauthorized, `${method} ${path}`);
    }
    const create = await anonymous.request('POST', SVCS, service('sneaky'));
    assert.equal(create.status, 401);
    assert.equal((await admin.request('GET', `${SVCS}/sneaky`)).status, 404, 'nothing was created');
  });

  it('serves /healthz, /livez, /readyz and /version to anyone', async () => {
    for (const path of ['/healthz', '/livez', '/readyz', '/readyz?verbose', '/livez/ping']) {
      const r = await anonymous.request('GET', path);
      assert.equal(r.status, 200, path);
    }
    assert.equal((await anonymous.request('GET', '/readyz')).body, 'ok');
    const v = await anonymous.request('GET', '/version');
    assert.equal(v.status, 200);
    assert.equal(typeof JSON.parse(v.body).gitVersion, 'string');
  });

  it('refuses a wrong or malformed bearer token', async () => {
    const token = readFileSync(join(c.dataDir, 'pki', 'admin-token'), 'utf8').trim();
    for (const t of [
      'nope',
      `${token}x`,
      token.slice(0, -1),
      token.toUpperCase() === token ? 'A' : token.toUpperCase(),
    ]) {
      const api = Api.of(c, { token: t });
      try {
        const r = await api.request('GET', '/api/v1/services');
        assert.equal(r.status, 401, t);
        assert.deepEqual(JSON.parse(r.body), unauthorized);
      } finally {
        api.close();
      }
    }
    // Basic auth is not a credential here.
    const r = await anonymous.request('GET', '/api/v1/services', undefined, {
      Authorization: `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`,
    });
    assert.equal(r.status, 401);
  });

  it('accepts the kubeconfig client certificate without the token (kubectl and raw HTTPS)', async () => {
    const kc = parse(readFileSync(c.kubeconfig, 'utf8'));
    const user = kc.users[0].user;
    assert.ok(user.token && user['client-certificate-data'] && user['client-key-data']);
    delete user.token;
    const path = c.writeFile('kubeconfig-cert-only', stringify(kc));
    const r = c.kubectl(['get', 'svc', 'kubernetes', '-o', 'name'], { env: { KUBECONFIG: path } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'service/kubernetes');
    const created = c.kubectl(['create', 'service', 'clusterip', 'by-cert', '--tcp=80'], {
      env: { KUBECONFIG: path },
    });
    assert.equal(created.code, 0, created.stderr);

    const cert = Buffer.from(user['client-certificate-data'], 'base64').toString();
    const key = Buffer.from(user['client-key-data'], 'base64').toString();
    const api = Api.of(c, { token: null, cert, key });
    try {
      const got = await api.request('GET', `${SVCS}/by-cert`);
      assert.equal(got.status, 200, got.body);
    } finally {
      api.close();
    }

    // A wrong token: kubectl says so, as against a real cluster. (With no credential at
    // all, kubectl itself prompts for a username before sending anything.)
    delete user['client-certificate-data'];
    delete user['client-key-data'];
    user.token = 'not-the-token';
    const wrong = c.writeFile('kubeconfig-wrong', stringify(kc));
    const denied = c.kubectl(['get', 'svc'], { env: { KUBECONFIG: wrong } });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  });

  it('takes the bearer scheme in any case, and a token only as its first word, as upstream', async () => {
    const token = readFileSync(join(c.dataDir, 'pki', 'admin-token'), 'utf8').trim();
    for (const auth of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `Bearer ${token} extra`]) {
      const r = await anonymous.request('GET', '/api/v1/services', undefined, { Authorization: auth });
      assert.equal(r.status, 200, auth.replace(token, '<token>'));
    }
    // An empty token (two spaces) is no credential at all: anonymous, as upstream's bearer authenticator.
    const empty = { Authorization: `Bearer  ${token}` };
    assert.equal((await anonymous.request('GET', '/api/v1/services', undefined, empty)).status, 401);
    assert.equal((await anonymous.request('GET', '/healthz', undefined, empty)).status, 200);
  });

  it('answers 401 to a failing credential on the public paths too, as upstream', async () => {
    // Upstream authenticates every path; a credential that fails is an error, never anonymous.
    const wrong = Api.of(c, { token: 'not-the-token' });
    const foreign = Api.of(c, { token: null, ...foreignCert() });
    try {
      for (const path of ['/healthz', '/livez', '/readyz', '/version']) {
        for (const [who, api] of [
          ['wrong token', wrong],
          ['foreign certificate', foreign],
        ] as const) {
          const r = await api.request('GET', path);
          assert.equal(r.status, 401, `${who}: ${path}`);
          assert.deepEqual(JSON.parse(r.body), unauthorized);
        }
        assert.equal((await anonymous.request('GET', path)).status, 200, path);
      }
    } finally {
      wrong.close();
      foreign.close();
    }
    // A valid client certificate authenticates even with a wrong token beside it (upstream tries x509 first).
    const user = parse(readFileSync(c.kubeconfig, 'utf8')).users[0].user;
    const both = Api.of(c, {
      token: 'not-the-token',
      cert: Buffer.from(user['client-certificate-data'], 'base64').toString(),
      key: Buffer.from(user['client-key-data'], 'base64').toString(),
    });
    try {
      assert.equal((await both.request('GET', '/api/v1/services')).status, 200);
    } finally {
      both.close();
    }
  });

  it('offers TLS 1.2 only with the ECDHE AEAD suites of kube-apiserver defaults', async () => {
    const tls12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
    for (const suite of [
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ]) {
      assert.equal(await handshake(c, { ...tls12, ciphers: suite }), `TLSv1.2 ${suite}`);
    }
    for (const suite of [
      'AES128-GCM-SHA256', // RSA key exchange
      'AES256-GCM-SHA384',
      'AES128-SHA',
      'ECDHE-RSA-AES128-SHA', // CBC
      'ECDHE-RSA-AES256-SHA',
      'ECDHE-RSA-AES128-SHA256',
      'ECDHE-RSA-AES256-SHA384',
      'DHE-RSA-AES128-GCM-SHA256', // finite-field DH
      'DHE-RSA-AES256-GCM-SHA384',
    ]) {
      assert.match(await handshake(c, { ...tls12, ciphers: suite }), /^refused: /, suite);
    }
  });

  it('offers TLS 1.3 with its three suites, and nothing older than TLS 1.2', async () => {
    for (const suite of [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
    ]) {
      assert.equal(await handshake(c, { minVersion: 'TLSv1.3', ciphers: suite }), `TLSv1.3 ${suite}`);
    }
    assert.match(
      await handshake(c, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
      /^refused: /,
    );
  });

  it('refuses a client certificate our CA did not sign', async () => {
    const api = Api.of(c, { token: null, ...foreignCert() });
    try {
      const r = await api.request('GET', '/api/v1/services');
      assert.equal(r.status, 401);
      assert.deepEqual(JSON.parse(r.body), unauthorized);
    } finally {
      api.close();
    }
  });
});

describe('request limits and unreadable bodies', { skip }, () => {
  let c: Cluster;
  let api: Api;
  before(async () => {
    c = await startCluster();
    api = Api.of(c);
  });
  after(() => {
    api?.close();
    stopCluster(c);
  });

  const tooLarge = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Request entity too large: limit is 3145728',
    reason: 'RequestEntityTooLarge',
    code: 413,
  };

  /** A Service whose annotation makes the body `size` bytes. */
  const bigService = (name: string, size: number) => {
    const base = JSON.stringify(service(name, {}, { annotations: { pad: '' } }));
    return JSON.stringify(service(name, {}, { annotations: { pad: 'x'.repeat(size - base.length) } }));
  };

  async function stillServing(): Promise<void> {
    const r = await api.request('GET', `${SVCS}/kubernetes`);
    assert.equal(r.status, 200, r.body);
  }

  it('answers 413 to a body over 3 MiB (with Content-Length), and keeps serving', async () => {
    const body = bigService('big', 3 * 1024 * 1024 + 1);
    const r = await api.request('POST', SVCS, body);
    assert.equal(r.status, 413, r.body.slice(0, 300));
    assert.deepEqual(JSON.parse(r.body), tooLarge);
    await stillServing();
    assert.equal((await api.request('GET', `${SVCS}/big`)).status, 404);
  });

  it('answers 413 to a chunked body that grows past 3 MiB, and keeps serving', async () => {
    const body = Buffer.from(bigService('big-chunked', 4 * 1024 * 1024));
    const r = await new Promise<Response>((resolve, reject) => {
      const req = request(
        `${api.url}${SVCS}`,
        api.rawOptions('POST', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }),
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    });
    assert.equal(r.status, 413, r.body.slice(0, 300));
    assert.deepEqual(JSON.parse(r.body), tooLarge);
    await stillServing();
  });

  it('takes a body just under the limit', async () => {
    // Metadata may not exceed 256 KiB of annotations, so a big body is a 422, not a 413.
    const r = await api.request('POST', SVCS, bigService('near-limit', 3 * 1024 * 1024 - 100));
    assert.equal(r.status, 422, r.body.slice(0, 300));
    assert.match(
      JSON.parse(r.body).message,
      /metadata.annotations: Too long: may not be more than 262144 bytes/,
    );
  });

  it('answers 400 to malformed JSON and YAML', async () => {
    const r = await api.request('POST', SVCS, '{"apiVersion":"v1","kind":"Service",');
    assert.equal(r.status, 400);
    const s = JSON.parse(r.body);
    assert.equal(s.reason, 'BadRequest');
    assert.match(
      s.message,
      /^the object provided is unrecognized \(must be of type Service\): couldn't get version\/kind; json parse error: /,
    );
    const y = await api.request('POST', SVCS, 'kind: Service\n  bad: [', {
      'Content-Type': 'application/yaml',
    });
    assert.equal(y.status, 400, y.body);
    assert.equal(JSON.parse(y.body).reason, 'BadRequest');
    const p = await api.request('PATCH', `${SVCS}/kubernetes`, '{"metadata":', {
      'Content-Type': 'application/merge-patch+json',
    });
    assert.equal(p.status, 400, p.body);
    assert.equal(JSON.parse(p.body).reason, 'BadRequest');
    await stillServing();
  });

  it('answers 415 to a content type it does not read', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/cbor']) {
      const r = await api.request('POST', SVCS, JSON.stringify(service('typed')), { 'Content-Type': type });
      assert.equal(r.status, 415, `${type}: ${r.body}`);
      assert.deepEqual(JSON.parse(r.body), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
        reason: 'UnsupportedMediaType',
        code: 415,
      });
    }
    const patch = await api.request('PATCH', `${SVCS}/kubernetes`, '{}', { 'Content-Type': 'text/plain' });
    assert.equal(patch.status, 415, patch.body);
    assert.equal(JSON.parse(patch.body).reason, 'UnsupportedMediaType');
  });

  it('answers 400 to protobuf garbage', async () => {
    for (const body of [
      Buffer.from('garbage, not protobuf'),
      Buffer.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f]),
      Buffer.concat([
        Buffer.from([0x6b, 0x38, 0x73, 0x00]),
        Buffer.from('\x0a\x0c\x0a\x02v1\x12\x07Service\x12\xff\x01'),
      ]),
    ]) {
      const r = await api.request('POST', SVCS, body, {
        'Content-Type': 'application/vnd.kubernetes.protobuf',
      });
      assert.equal(r.status, 400, `${body.toString('hex')}: ${r.body}`);
      assert.equal(JSON.parse(r.body).reason, 'BadRequest');
    }
    await stillServing();
  });

  it('answers 400, not 500, to JSON nested 10,000 deep, YAML alias bombs and a malformed path escape', async () => {
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const bad = async (
      method: string,
      path: string,
      body: string | undefined,
      type: string,
      message: RegExp,
    ) => {
      const r = await api.request(method, path, body, { 'Content-Type': type });
      assert.equal(r.status, 400, `${method} ${path} ${type}: ${r.body.slice(0, 300)}`);
      const s = JSON.parse(r.body);
      assert.equal(s.kind, 'Status');
      assert.equal(s.reason, 'BadRequest');
      assert.match(s.message, message);
    };
    const tooDeep = /invalid character '\{' exceeded max depth/;
    await bad(
      'POST',
      SVCS,
      `{"metadata":{"name":"deep","annotations":${deep(10_000)}}}`,
      'application/json',
      tooDeep,
    );
    for (const type of ['strategic-merge-patch+json', 'merge-patch+json']) {
      await bad(
        'PATCH',
        `${SVCS}/kubernetes`,
        `{"metadata":{"annotations":${deep(10_000)}}}`,
        `application/${type}`,
        tooDeep,
      );
    }
    const laughs = [
      'metadata:',
      '  name: laughs',
      '  annotations:',
      '    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    ];
    for (let i = 1; i <= 9; i++)
      laughs.push(
        `    a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const bomb = `${laughs.join('\n')}\n`;
    await bad('POST', SVCS, bomb, 'application/yaml', /yaml: document contains excessive aliasing/);
    await bad(
      'PATCH',
      `${SVCS}/laughs?fieldManager=e2e`,
      bomb,
      'application/apply-patch+yaml',
      /yaml: document contains excessive aliasing/,
    );
    await bad(
      'GET',
      '/api/v1/namespaces/%zz/services',
      undefined,
      'application/json',
      /invalid URL escape "%zz"/,
    );
    await stillServing();
    assert.doesNotMatch(serverLog(c), /Unhandled error/);
  });

  it('answers 400 to a JSON patch that removes the metadata, and changes nothing', async () => {
    const before = JSON.parse((await api.request('GET', `${SVCS}/kubernetes`)).body);
    const r = await api.request('PATCH', `${SVCS}/kubernetes`, '[{"op":"remove","path":"/metadata"}]', {
      'Content-Type': 'application/json-patch+json',
    });
    assert.equal(r.status, 400, r.body);
    assert.equal(
      JSON.parse(r.body).message,
      'the name of the object () does not match the name on the URL (kubernetes)',
    );
    const after = JSON.parse((await api.request('GET', `${SVCS}/kubernetes`)).body);
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  });
});
