/**
 * `svcnet up --detach` / `status` / `down` as a user runs them, and the
 * first things kubectl does against a fresh control plane.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, skipReason, startCluster, stopCluster } from './harness.js';

const skip = skipReason();

describe('svcnet up/status/down', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => stopCluster(c));

  it('serves the system namespaces and default/kubernetes', () => {
    const ns = c.ok(['get', 'ns', '-o', 'name']);
    assert.deepEqual(ns.trim().split('\n').sort(), [
      'namespace/default',
      'namespace/kube-node-lease',
      'namespace/kube-public',
      'namespace/kube-system',
    ]);
    const svc = c.ok([
      'get',
      'svc',
      'kubernetes',
      '-o',
      'jsonpath={.spec.clusterIP} {.spec.ports[0].name} {.spec.ports[0].port}',
    ]);
    assert.equal(svc, '127.96.0.1 https 443');
    const ep = c.ok([
      'get',
      'endpoints',
      'kubernetes',
      '-o',
      'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}',
    ]);
    assert.equal(ep, `127.0.0.1:${c.port}`);
  });

  it('reports itself in status', () => {
    const r = c.svcnet(['status', `--data-dir=${c.dataDir}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /is running \(pid \d+/);
    assert.match(r.stdout, new RegExp(`https://127\\.0\\.0\\.1:${c.port} \\(ready\\)`));
  });

  it('refuses a second up on the same data dir', () => {
    const r = c.svcnet(['up', '--detach', `--data-dir=${c.dataDir}`, `--port=${c.port}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /svcnet is already running on .* \(pid \d+\)/);
  });

  it('keeps everything across a restart', () => {
    c.ok(['create', 'service', 'nodeport', 'keep', '--tcp=80:8080', '--node-port=30555']);
    const before = c.ok(['get', 'svc', 'keep', '-o', 'jsonpath={.spec.clusterIP} {.metadata.uid}']);
    assert.equal(c.svcnet(['down', `--data-dir=${c.dataDir}`]).code, 0);
    const up = c.svcnet(['up', '--detach', `--data-dir=${c.dataDir}`, `--port=${c.port}`]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(c.ok(['get', 'svc', 'keep', '-o', 'jsonpath={.spec.clusterIP} {.metadata.uid}']), before);
    // The allocators were rebuilt from what was stored: the node port is still taken.
    const clash = c.kubectl(['create', 'service', 'nodeport', 'clash', '--tcp=81:8080', '--node-port=30555']);
    assert.notEqual(clash.code, 0);
    assert.match(
      clash.stderr,
      /spec\.ports\[0\]\.nodePort: Invalid value: 30555: provided port is already allocated/,
    );
  });

  it('stops cleanly with down, and status then says so', () => {
    const d = c.svcnet(['down', `--data-dir=${c.dataDir}`]);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /svcnet stopped/);
    const s = c.svcnet(['status', `--data-dir=${c.dataDir}`]);
    assert.equal(s.code, 3);
    assert.match(s.stdout, /not running/);
  });
});
