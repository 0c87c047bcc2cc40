/**
 * `kubectl get svc -w` as a user watches Services change: the list, then a
 * row per change (ADDED/MODIFIED/DELETED with --output-watch-events), and
 * the single-object watch `get svc NAME -w`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import { nodePorts, spec, table } from './kubectl-output.js';

const skip = skipReason();

type Watcher = ReturnType<Cluster['kubectlAsync']>;

/** Rows without AGE, as the watch printed them so far. */
/** The complete lines printed so far as table rows (a line still being written is left out). */
function rows(w: Watcher): string[][] {
  const out = w.output();
  const t = table(out.slice(0, out.lastIndexOf('\n') + 1));
  const age = t[0]?.indexOf('AGE') ?? -1;
  return age < 0 ? t : t.map((r) => r.filter((_, i) => i !== age));
}

async function rowsWhen(w: Watcher, n: number, what: string): Promise<string[][]> {
  await eventually(() => rows(w).length >= n, 10_000, `${what} (watch printed:\n${w.output()}${w.stderr()})`);
  return rows(w);
}

describe('kubectl get svc -w', { skip }, () => {
  let c: Cluster;
  const watchers: Watcher[] = [];
  const watch = (args: string[]) => {
    const w = c.kubectlAsync(args);
    watchers.push(w);
    return w;
  };
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await Promise.all(watchers.map((w) => w.kill()));
    stopCluster(c);
  });

  it('prints ADDED, MODIFIED and DELETED rows with --output-watch-events', async () => {
    c.ok(['create', 'service', 'clusterip', 'before', '--tcp=80']);
    const w = watch(['get', 'svc', '-w', '--output-watch-events']);
    let r = await rowsWhen(w, 3, 'the initial list');
    assert.deepEqual(r[0], ['EVENT', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)']);
    const beforeIP = spec(c, 'before').clusterIP;
    assert.deepEqual(r.slice(1), [
      ['ADDED', 'before', 'ClusterIP', beforeIP, '<none>', '80/TCP'],
      ['ADDED', 'kubernetes', 'ClusterIP', '127.96.0.1', '<none>', '443/TCP'],
    ]);

    c.ok(['create', 'service', 'nodeport', 'web', '--tcp=80:8080', '--node-port=30080']);
    const ip = spec(c, 'web').clusterIP;
    r = await rowsWhen(w, 4, 'ADDED web');
    assert.deepEqual(r[3], ['ADDED', 'web', 'NodePort', ip, '<none>', '80:30080/TCP']);

    c.ok(['patch', 'svc', 'web', '-p', '{"spec":{"type":"LoadBalancer"}}']);
    r = await rowsWhen(w, 5, 'MODIFIED web');
    assert.deepEqual(r[4], ['MODIFIED', 'web', 'LoadBalancer', ip, '<pending>', '80:30080/TCP']);

    c.ok(['patch', 'svc', 'web', '-p', '{"spec":{"type":"ClusterIP"}}']);
    r = await rowsWhen(w, 6, 'MODIFIED web to ClusterIP');
    assert.deepEqual(r[5], ['MODIFIED', 'web', 'ClusterIP', ip, '<none>', '80/TCP']);

    c.ok(['delete', 'svc', 'web']);
    r = await rowsWhen(w, 7, 'DELETED web');
    assert.deepEqual(r[6], ['DELETED', 'web', 'ClusterIP', ip, '<none>', '80/TCP']);

    // A no-op patch writes nothing, so the watch sees nothing.
    c.ok(['patch', 'svc', 'before', '-p', '{"spec":{"type":"ClusterIP"}}']);
    c.ok(['patch', 'svc', 'before', '--type=merge', '-p', '{"spec":{"ports":[{"port":81}]}}']);
    await eventually(() => w.output().includes('81/TCP'), 10_000, 'MODIFIED before');
    r = rows(w);
    assert.deepEqual(r.slice(7), [['MODIFIED', 'before', 'ClusterIP', beforeIP, '<none>', '81/TCP']]);
    assert.equal(w.stderr(), '');
    await w.kill();
  });

  it('prints bare rows without --output-watch-events, and watches one namespace', async () => {
    // -v=6 logs kubectl's requests on stderr: the watch request is the sign that the list is done.
    const w = watch(['get', 'svc', '-w', '-n', 'kube-public', '-v=6']);
    await eventually(() => /services\?.*watch=true/.test(w.stderr()), 10_000, 'the watch request');
    // An empty namespace: a watch prints nothing (no "No resources found") until something comes.
    const notLog = (text: string) => text.split('\n').filter((l) => l && !/^[IWEF]\d{4} /.test(l));
    assert.equal(w.output(), '');
    assert.deepEqual(notLog(w.stderr()), []);
    c.ok(['create', 'service', 'clusterip', 'other-ns', '--tcp=80', '-n', 'default']);
    c.ok([
      'create',
      'service',
      'externalname',
      'ext',
      '--external-name=api.example.com',
      '-n',
      'kube-public',
    ]);
    const r = await rowsWhen(w, 2, 'ADDED ext');
    assert.deepEqual(r, [
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)'],
      ['ext', 'ExternalName', '<none>', 'api.example.com', '<none>'],
    ]);
    c.ok(['delete', 'svc', 'ext', '-n', 'kube-public']);
    assert.deepEqual((await rowsWhen(w, 3, 'the deleted row'))[2], r[1]);
    await w.kill();
  });

  it('watches a single Service by name', async () => {
    c.ok(['create', 'service', 'loadbalancer', 'one', '--tcp=80:8080']);
    c.ok(['create', 'service', 'clusterip', 'two', '--tcp=80']);
    const ip = spec(c, 'one').clusterIP;
    const [np] = nodePorts(c, 'one');
    const w = watch(['get', 'svc', 'one', '-w']);
    let r = await rowsWhen(w, 2, 'the first row');
    assert.deepEqual(r, [
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)'],
      ['one', 'LoadBalancer', ip, '<pending>', `80:${np}/TCP`],
    ]);
    c.ok(['label', 'svc', 'two', 'x=y']); // not watched
    c.ok(['patch', 'svc', 'one', '--type=merge', '-p', '{"spec":{"ports":[{"port":81,"targetPort":8080}]}}']);
    r = await rowsWhen(w, 3, 'the modified row');
    const [np2] = nodePorts(c, 'one');
    assert.deepEqual(r[2], ['one', 'LoadBalancer', ip, '<pending>', `81:${np2}/TCP`]);
    c.ok(['delete', 'svc', 'one']);
    r = await rowsWhen(w, 4, 'the deleted row');
    assert.deepEqual(r[3], r[2]);
    assert.equal(r.length, 4, 'nothing about "two"');
    await w.kill();
  });

  it('streams objects with -o name and -o json', async () => {
    const w = watch(['get', 'svc', 'kubernetes', '-w', '-o', 'name']);
    await eventually(() => w.output() === 'service/kubernetes\n', 10_000, 'the name');
    c.ok(['annotate', 'svc', 'kubernetes', 'seen=yes']);
    await eventually(
      () => w.output() === 'service/kubernetes\nservice/kubernetes\n',
      10_000,
      'the second name',
    );
    await w.kill();

    const j = watch(['get', 'svc', 'two', '-w', '-o', 'json', '--output-watch-events']);
    // One compact JSON event per line.
    await eventually(() => j.output().includes('{"type":"ADDED"'), 10_000, 'the ADDED event');
    c.ok(['delete', 'svc', 'two']);
    await eventually(() => j.output().includes('{"type":"DELETED"'), 10_000, 'the DELETED event');
    const events = j
      .output()
      .trim()
      .split('\n')
      .map((s) => JSON.parse(s));
    assert.deepEqual(
      events.map((e) => [e.type, e.object.kind, e.object.metadata.name]),
      [
        ['ADDED', 'Service', 'two'],
        ['DELETED', 'Service', 'two'],
      ],
    );
    await j.kill();
  });
});
