/** Reading kubeconfigs: inline data, file references, contexts, and the errors for broken files. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { apiVersionOf, Deployments, EndpointSlices, Leases, Services } from '../../src/client/resources.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('kubeconfig', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'svcnet-kubeconfig-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  const write = (doc: unknown): string => {
    const p = join(dir, `config-${n++}`);
    writeFileSync(p, typeof doc === 'string' ? doc : stringify(doc));
    return p;
  };

  const twoContexts = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'first',
    clusters: [
      {
        name: 'c1',
        cluster: { server: 'https://127.0.0.1:6443//', 'certificate-authority-data': b64('CA-1') },
      },
      { name: 'c2', cluster: { server: 'https://[::1]:7443', 'insecure-skip-tls-verify': true } },
    ],
    users: [
      {
        name: 'u1',
        user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY'), token: 't1' },
      },
      { name: 'u2', user: { token: 't2' } },
    ],
    contexts: [
      { name: 'first', context: { cluster: 'c1', user: 'u1' } },
      { name: 'second', context: { cluster: 'c2', user: 'u2', namespace: 'kube-system' } },
      { name: 'anonymous', context: { cluster: 'c1' } },
    ],
  };

  it('reads the current context with inline data; another context on request', () => {
    const p = write(twoContexts);
    assert.deepEqual(loadKubeconfig(p), {
      server: 'https://127.0.0.1:6443',
      ca: 'CA-1',
      cert: 'CERT',
      key: 'KEY',
      token: 't1',
      insecure: false,
      namespace: 'default',
    });
    assert.deepEqual(loadKubeconfig(p, 'second'), {
      server: 'https://[::1]:7443',
      ca: undefined,
      cert: undefined,
      key: undefined,
      token: 't2',
      insecure: true,
      namespace: 'kube-system',
    });
    // A context without a user: no credentials.
    const anon = loadKubeconfig(p, 'anonymous');
    assert.equal(anon.token, undefined);
    assert.equal(anon.cert, undefined);
  });

  it('reads file references relative to the kubeconfig', () => {
    writeFileSync(join(dir, 'ca.pem'), 'CA-FILE');
    writeFileSync(join(dir, 'client.pem'), 'CERT-FILE');
    writeFileSync(join(dir, 'client.key'), 'KEY-FILE');
    const p = write({
      'current-context': 'x',
      clusters: [
        { name: 'c', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority': 'ca.pem' } },
      ],
      users: [
        { name: 'u', user: { 'client-certificate': 'client.pem', 'client-key': join(dir, 'client.key') } },
      ],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    });
    const c = loadKubeconfig(p);
    assert.equal(c.ca, 'CA-FILE');
    assert.equal(c.cert, 'CERT-FILE');
    assert.equal(c.key, 'KEY-FILE');
  });

  it('names what is wrong with a broken kubeconfig', () => {
    assert.throws(() => loadKubeconfig(join(dir, 'missing')), /kubeconfig .*missing: ENOENT/);
    assert.throws(() => loadKubeconfig(write('a: [b')), /kubeconfig .*config-\d+: /);
    assert.throws(() => loadKubeconfig(write('just a string')), /not a kubeconfig/);
    assert.throws(
      () => loadKubeconfig(write({ ...twoContexts, 'current-context': undefined })),
      /no current-context/,
    );
    assert.throws(() => loadKubeconfig(write(twoContexts), 'third'), /context "third" not found/);
    assert.throws(
      () =>
        loadKubeconfig(
          write({ ...twoContexts, contexts: [{ name: 'first', context: { cluster: 'nope', user: 'u1' } }] }),
        ),
      /cluster "nope" has no server/,
    );
    assert.throws(
      () => loadKubeconfig(write({ ...twoContexts, clusters: [{ name: 'c1', cluster: {} }] })),
      /cluster "c1" has no server/,
    );
  });
});

describe('resource types', () => {
  it('give their apiVersion', () => {
    assert.equal(apiVersionOf(Services), 'v1');
    assert.equal(apiVersionOf(EndpointSlices), 'discovery.k8s.io/v1');
    assert.equal(apiVersionOf(Leases), 'coordination.k8s.io/v1');
    assert.equal(apiVersionOf(Deployments), 'apps/v1');
  });
});
