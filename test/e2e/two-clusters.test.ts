/**
 * Two `svcnet up` on one machine, each with its own data dir and ranges but
 * every port flag left at its default and the same node IP: the second finds
 * the first's ports taken, picks free ones, says where (in its output and in
 * `svcnet status`), and both become ready and serve.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Cluster, type ClusterFlags, reserveClusterFlags, settled, skipReason } from './harness.js';

describe('two clusters on one machine with default ports', { skip: skipReason() }, () => {
  const clusters: { c: Cluster; own: ClusterFlags }[] = [];
  after(() => {
    for (const { c, own } of clusters) {
      c.stop();
      own.release();
      rmSync(c.dataDir, { recursive: true, force: true });
    }
  });

  /** `up --detach --wait` on 127.0.0.1 with default ports; ranges of its own (the harness's). */
  async function up(): Promise<{ c: Cluster; out: string }> {
    // '--dns-port' and '--node-ip' given here only so the harness adds neither; they are not passed.
    const own = await reserveClusterFlags(['--dns-port=', '--node-ip=127.0.0.1'], { proxy: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'svcnet-e2e-'));
    const c = new Cluster(dataDir, 6443, '127.0.0.1', own.flags);
    clusters.push({ c, own });
    const r = c.svcnet(['up', '--detach', `--data-dir=${dataDir}`, ...settled(own.flags)]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    return { c, out: r.stdout };
  }

  it('both become ready and serve, the second on ports it says', async () => {
    const first = await up();
    const second = await up();
    // The second could not have the API server's default port: the first (or someone else) holds it.
    assert.match(
      second.out,
      /API server: port 6443 on 127\.0\.0\.1 is in use; listening on 127\.0\.0\.1:\d+ instead \(set --port to choose\)/,
    );
    for (const what of [
      'cluster DNS',
      'DNS health and metrics',
      'proxy health',
      'proxy metrics',
      'agent log server',
    ])
      assert.match(
        second.out,
        new RegExp(`${what}: port \\d+ on 127\\.0\\.0\\.1 is in use; listening on`),
        what,
      );

    const status = (c: Cluster) =>
      JSON.parse(c.svcnet(['status', '-o', 'json', `--data-dir=${c.dataDir}`]).stdout);
    const a = status(first.c);
    const b = status(second.c);
    assert.equal(a.ready && b.ready, true);
    assert.notEqual(a.apiServer, b.apiServer);
    for (const k of ['dns', 'dns-metrics', 'proxy-healthz', 'proxy-metrics', 'kubelet'])
      assert.notEqual(a.listeners[k], b.listeners[k], k);
    const text = second.c.svcnet(['status', `--data-dir=${second.c.dataDir}`]).stdout;
    assert.match(text, new RegExp(`dns:\\s+${b.listeners.dns.replace(/\./g, '\\.')}`));

    for (const { c } of [first, second]) {
      // Each cluster's kubectl reaches its own API server, whose node is Ready.
      const nodes = c.ok([
        'get',
        'nodes',
        '-o',
        'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
      ]);
      assert.equal(nodes, 'True');
      const ns = `ns-${c === first.c ? 'a' : 'b'}`;
      c.ok(['create', 'namespace', ns]);
      assert.doesNotMatch(c.ok(['get', 'namespaces', '-o', 'name']), c === first.c ? /ns-b/ : /ns-a/);
    }
    // The proxies' and DNS servers' health and metrics answer where status says.
    for (const s of [a, b]) {
      const health = await fetch(`http://${s.listeners['proxy-healthz']}/healthz`);
      assert.equal(health.status, 200);
      const metrics = await (await fetch(`http://${s.listeners['proxy-metrics']}/metrics`)).text();
      assert.match(metrics, /^kubeproxy_sync_proxy_rules_duration_seconds_count /m);
      assert.equal((await fetch(`http://${s.listeners['dns-metrics']}/health`)).status, 200);
    }
  });
});
