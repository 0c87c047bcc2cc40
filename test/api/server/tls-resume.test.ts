/**
 * A client certificate authenticates a connection only when the connection
 * has one: a TLS session resumed from one that had none reports
 * `authorized` all the same (Node takes it from the session's verify
 * result), and must still get a 401.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { loadKubeconfig } from '../../../src/client/kubeconfig.js';
import { startTestApi, type TestApi } from '../../lib/testapi.js';

describe('authentication on resumed TLS sessions', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi('tls-resume');
  });
  after(async () => {
    await api?.stop();
  });

  /** GETs `path` on a new connection each time (keep-alive off), resuming the agent's cached TLS session. */
  const get = (agent: Agent, path: string) =>
    new Promise<{ status: number; resumed: boolean }>((resolve, reject) => {
      const conn = loadKubeconfig(api.server.kubeconfigPath);
      const req = request(`${conn.server}${path}`, { agent }, (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, resumed: (res.socket as TLSSocket).isSessionReused() }),
        );
      });
      req.on('error', reject);
      req.end();
    });

  it('answers 401 to a client without credentials, on a fresh and on a resumed session', async () => {
    const conn = loadKubeconfig(api.server.kubeconfigPath);
    const agent = new Agent({ keepAlive: false, ca: conn.ca });
    try {
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(await get(agent, '/api/v1/namespaces/default/services'));
      assert.ok(
        seen.some((s) => s.resumed),
        'the agent resumed a session (else this test shows nothing)',
      );
      assert.deepEqual(
        seen.map((s) => s.status),
        [401, 401, 401],
      );
    } finally {
      agent.destroy();
    }
  });

  it('still takes the client certificate on a resumed session', async () => {
    const conn = loadKubeconfig(api.server.kubeconfigPath);
    assert.ok(conn.cert && conn.key, 'the kubeconfig has a client certificate');
    const agent = new Agent({ keepAlive: false, ca: conn.ca, cert: conn.cert, key: conn.key });
    try {
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(await get(agent, '/api/v1/namespaces/default/services'));
      assert.ok(seen.some((s) => s.resumed));
      assert.deepEqual(
        seen.map((s) => s.status),
        [200, 200, 200],
      );
    } finally {
      agent.destroy();
    }
  });
});
