import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Nodes, Pods } from '../../../src/client/resources.js';
import { NodeLifecycleController } from '../../../src/controllers/nodelifecycle/controller.js';
import { startEnv, type TestEnv, waitFor } from '../../scheduler/env.js';

const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Plays the kubelet posting node status: Ready with a fresh heartbeat. */
async function heartbeat(env: TestEnv, name: string, status = 'True'): Promise<void> {
  const n = await env.client.get<Node>(Nodes, '', name);
  const now = stamp();
  const old = n.status?.conditions?.find((c) => c.type === 'Ready');
  await env.client.update(
    Nodes,
    {
      ...n,
      status: {
        ...n.status,
        conditions: [
          {
            type: 'Ready',
            status,
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
            // A distinct heartbeat even within one second.
            lastHeartbeatTime: `${now.slice(0, 19)}.${String(Date.now() % 1000).padStart(3, '0')}Z`,
            lastTransitionTime: old?.status === status ? old.lastTransitionTime : now,
          },
        ],
      },
    },
    'status',
  );
}

const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready');

describe('NodeLifecycleController against an API server', () => {
  let env: TestEnv;
  let beat: NodeJS.Timeout | undefined;
  before(async () => {
    env = await startEnv('node-controller');
    for (const name of ['node1', 'node2']) {
      await env.client.create<Node>(Nodes, '', { apiVersion: 'v1', kind: 'Node', metadata: { name } });
      await heartbeat(env, name);
    }
    const p = await env.client.create<Pod>(Pods, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'on-node1' },
      spec: { nodeName: 'node1', containers: [{ name: 'c', image: 'nginx' }] },
    });
    await env.client.update(
      Pods,
      {
        ...p,
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: stamp() }],
        },
      },
      'status',
    );
    // node2's kubelet keeps posting; node1's is silent.
    beat = setInterval(() => void heartbeat(env, 'node2').catch(() => {}), 100);
    await env.run(
      new NodeLifecycleController(env.ctx, { nodeMonitorGracePeriodMs: 2000, nodeMonitorPeriodMs: 100 }),
    );
  });
  after(async () => {
    clearInterval(beat);
    await env.stop();
  });

  it('marks a silent node Unknown, taints it and marks its pods not ready', async () => {
    const n1 = await waitFor('node1 Unknown', async () => {
      const n = await env.client.get<Node>(Nodes, '', 'node1');
      return ready(n)?.status === 'Unknown' ? n : undefined;
    });
    assert.equal(ready(n1)?.reason, 'NodeStatusUnknown');
    assert.equal(ready(n1)?.message, 'Kubelet stopped posting node status.');
    const taints = await waitFor('taints', async () => {
      const t = (await env.client.get<Node>(Nodes, '', 'node1')).spec?.taints ?? [];
      return t.length === 2 ? t : undefined;
    });
    assert.deepEqual(taints.map((t) => `${t.key}:${t.effect}`).sort(), [
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    assert.ok(taints.every((t) => t.timeAdded));
    const pod = await waitFor('pod not ready', async () => {
      const p = await env.client.get<Pod>(Pods, 'default', 'on-node1');
      return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False' ? p : undefined;
    });
    assert.equal(pod.status?.phase, 'Running');
    // Events are written in the background.
    await waitFor('NodeNotReady events', async () => {
      const events = await env.events();
      return (
        events.some(
          (e) => e.reason === 'NodeNotReady' && e.message === 'Node node1 status is now: NodeNotReady',
        ) &&
        events.some(
          (e) => e.reason === 'NodeNotReady' && e.message === 'Node is not ready' && e.type === 'Warning',
        )
      );
    });

    // The heartbeating node stays Ready and untainted.
    const n2 = await env.client.get<Node>(Nodes, '', 'node2');
    assert.equal(ready(n2)?.status, 'True');
    assert.equal(n2.spec?.taints, undefined);
  });

  it('removes the taints once the kubelet posts Ready again', async () => {
    await heartbeat(env, 'node1');
    await waitFor('taints removed', async () => {
      const n = await env.client.get<Node>(Nodes, '', 'node1');
      return ready(n)?.status === 'True' && !n.spec?.taints?.length;
    });
  });
});
