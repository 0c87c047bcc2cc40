/**
 * /livez and /readyz report the real store: a store whose health check fails
 * answers `[-]etcd failed`, as kube-apiserver does when etcd is unreachable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiServer } from '../../src/api/apiserver.js';
import { MemoryStore } from '../../src/store/memory.js';

/** A memory store whose health check fails while `failing` is set. */
class FlakyStore extends MemoryStore {
  failing = false;
  override async check(): Promise<void> {
    if (this.failing) throw new Error('connection refused');
    return super.check();
  }
}

function health(port: number, path: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('health checks report the store', () => {
  const store = new FlakyStore();
  let server: ApiServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'svcnet-health-'));
    server = await ApiServer.start({ dataDir: dir, securePort: 0, bindAddress: '127.0.0.1', store });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes while the store answers', async () => {
    for (const path of ['/readyz', '/livez', '/readyz/etcd']) {
      const r = await health(server.port, path);
      assert.deepEqual(r, { code: 200, body: 'ok' }, path);
    }
    const verbose = await health(server.port, '/readyz?verbose');
    assert.match(verbose.body, /^\[\+\]etcd ok$/m);
  });

  it('fails with [-]etcd failed when the store does not, and recovers with it', async () => {
    store.failing = true;
    try {
      for (const path of ['/readyz', '/livez']) {
        const r = await health(server.port, path);
        assert.equal(r.code, 500, path);
        assert.match(r.body, /^\[-\]etcd failed: reason withheld$/m, path);
        assert.match(r.body, /^\[\+\]ping ok$/m, path);
      }
      assert.deepEqual(await health(server.port, '/readyz/etcd'), {
        code: 500,
        body: 'internal server error: etcd check failed\n',
      });
      const failed = await health(server.port, '/livez?verbose');
      assert.deepEqual(failed, {
        code: 500,
        body: '[+]ping ok\n[-]etcd failed: reason withheld\nlivez check failed\n',
      });
      // Excluding the check, as kubectl get --raw='/readyz?exclude=etcd' does.
      assert.equal((await health(server.port, '/readyz?exclude=etcd')).code, 200);
    } finally {
      store.failing = false;
    }
    assert.equal((await health(server.port, '/readyz')).code, 200);
  });

  it('answers verbose, excluded and single checks as upstream, anonymously', async () => {
    const v = await health(server.port, '/livez?verbose');
    assert.deepEqual(v, { code: 200, body: '[+]ping ok\n[+]etcd ok\nlivez check passed\n' });
    const h = await health(server.port, '/healthz?verbose');
    assert.match(h.body, /^\[\+\]etcd ok\nhealthz check passed\n$/m);
    const x = await health(server.port, '/readyz?verbose&exclude=etcd&exclude=nope');
    assert.equal(x.code, 200);
    assert.match(x.body, /^\[\+\]etcd excluded: ok$/m);
    assert.match(x.body, /^warn: some health checks cannot be excluded: no matches for "nope"$/m);
    assert.match(x.body, /readyz check passed\n$/);
    assert.deepEqual(await health(server.port, '/livez/ping'), { code: 200, body: 'ok' });
    assert.equal((await health(server.port, '/livez/nope')).code, 404);
  });

  it('a closed store fails its check', async () => {
    const closed = new MemoryStore();
    await closed.close();
    await assert.rejects(closed.check());
  });
});
