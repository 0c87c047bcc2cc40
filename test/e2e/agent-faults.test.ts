/**
 * Faults of the node agent under `svcnet up`: an agent killed outright is
 * restarted by the supervisor and finds its pods again (same IPs, containers
 * restarted, no process left running twice); an agent that stops
 * heartbeating makes its Node NotReady and its pods' endpoints not ready,
 * until it comes back.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import { getJson, type Obj } from './kubectl-output.js';

const skip = skipReason();

const curl = (url: string) => {
  const r = spawnSync('curl', ['-sS', '--max-time', '2', url], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
};

/** Processes whose command line is exactly `args` (the containers' own, not their shells). */
function processesRunning(args: string): number[] {
  const r = spawnSync('pgrep', ['-fx', args], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

const isReady = (o: Obj) => o.status?.conditions?.some((x: Obj) => x.type === 'Ready' && x.status === 'True');

describe('agent faults', { skip }, () => {
  let c: Cluster;
  let stopped: number | undefined;
  // A command line no other test runs.
  const sleeper = `sleep ${3000 + (process.pid % 500)}`;
  before(async () => {
    c = await startCluster(['--node-monitor-grace-period=5s']);
  });
  after(() => {
    if (stopped) spawnSync('kill', ['-CONT', String(stopped)]);
    stopCluster(c);
  });

  const agentPid = (): number => {
    const out = spawnSync('pgrep', ['-f', `agent --kubeconfig=${join(c.dataDir, 'kubeconfig')}`], {
      encoding: 'utf8',
    });
    const pids = out.stdout.split('\n').filter(Boolean).map(Number);
    assert.equal(pids.length, 1, `one agent process, found ${pids.join(',')}`);
    return pids[0]!;
  };

  it('an agent killed with SIGKILL is restarted and finds its pods again', async () => {
    c.ok(['create', 'deployment', 'f', '--image=svcnet/netexec', '--replicas=2']);
    c.ok(['run', 'sleeper', '--image=busybox', '--', ...sleeper.split(' ')]);
    c.ok(['rollout', 'status', 'deployment/f', '--timeout=60s']);
    c.ok(['wait', '--for=condition=Ready', 'pod/sleeper', '--timeout=60s']);
    const before = getJson(c, ['pods']).items as Obj[];
    const ips = new Map(before.map((p) => [p.metadata.name, p.status.podIP]));
    assert.equal(processesRunning(sleeper).length, 1);
    const state = JSON.parse(readFileSync(join(c.dataDir, 'run.json'), 'utf8'));
    const first = agentPid();
    assert.equal(state.components.agent, first);

    process.kill(first, 'SIGKILL');
    await eventually(
      () => {
        const pods = getJson(c, ['pods']).items as Obj[];
        return (
          pods.length === 3 &&
          pods.every((p) => isReady(p) && p.status.containerStatuses?.[0]?.restartCount === 1)
        );
      },
      60_000,
      'every pod running again with restartCount 1',
    );
    assert.notEqual(agentPid(), first);
    const now = getJson(c, ['pods']).items as Obj[];
    for (const p of now)
      assert.equal(p.status.podIP, ips.get(p.metadata.name), `${p.metadata.name} kept its IP`);
    // The old sleep was reaped, the new one runs: exactly one.
    assert.equal(processesRunning(sleeper).length, 1);
    for (const p of now.filter((x) => x.metadata.name.startsWith('f-')))
      assert.equal(curl(`http://${p.status.podIP}:8080/hostname`), p.metadata.name);
  });

  it('a silent agent makes its Node NotReady and its endpoints not ready, until it is back', async () => {
    c.ok(['expose', 'deployment', 'f', '--port=80', '--target-port=8080']);
    const readyEndpoints = () =>
      (getJson(c, ['endpointslices', '-l', 'kubernetes.io/service-name=f']).items as Obj[])
        .flatMap((s) => s.endpoints ?? [])
        .filter((e: Obj) => e.conditions.ready).length;
    await eventually(() => readyEndpoints() === 2, 15_000, 'two ready endpoints');
    stopped = agentPid();
    spawnSync('kill', ['-STOP', String(stopped)]);
    const node = await eventually(
      () => {
        const n = (getJson(c, ['nodes']).items as Obj[])[0];
        const ready = n?.status?.conditions?.find((x: Obj) => x.type === 'Ready');
        // The condition (a status write) and the taint (a spec write) land one after the other.
        const tainted = (n?.spec?.taints ?? []).some((t: Obj) => t.key === 'node.kubernetes.io/unreachable');
        return ready?.status === 'Unknown' && tainted ? n : undefined;
      },
      30_000,
      'the node Unknown and tainted unreachable',
    );
    const ready = node.status.conditions.find((x: Obj) => x.type === 'Ready');
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    assert.ok(
      node.spec.taints.some(
        (t: Obj) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule',
      ),
    );
    await eventually(() => readyEndpoints() === 0, 20_000, 'endpoints not ready');
    spawnSync('kill', ['-CONT', String(stopped)]);
    stopped = undefined;
    await eventually(
      () => {
        const n = (getJson(c, ['nodes']).items as Obj[])[0];
        return (
          isReady(n) && !(n.spec.taints ?? []).some((t: Obj) => t.key === 'node.kubernetes.io/unreachable')
        );
      },
      30_000,
      'the node Ready again, untainted',
    );
    await eventually(() => readyEndpoints() === 2, 30_000, 'endpoints ready again');
  });
});
