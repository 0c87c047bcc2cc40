import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Nodes, Pods } from '../../src/client/resources.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { startEnv, type TestEnv, waitFor } from './env.js';

const NS = 'default';

async function addNode(env: TestEnv, name: string, labels: Record<string, string> = {}): Promise<void> {
  const n = await env.client.create<Node>(Nodes, '', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
  });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await env.client.update(
    Nodes,
    {
      ...n,
      status: {
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now }],
      },
    },
    'status',
  );
}

function pod(name: string, spec: Partial<Pod['spec']> = {}, owner?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      ...(owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: owner,
                uid: `${owner}-uid`,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
  };
}

const nodeOf = async (env: TestEnv, name: string) =>
  (await env.client.get<Pod>(Pods, NS, name)).spec?.nodeName;

describe('Scheduler against an API server', () => {
  let env: TestEnv;
  let scheduler: Scheduler;
  before(async () => {
    env = await startEnv('default-scheduler');
    await addNode(env, 'node1');
    await addNode(env, 'node2');
    scheduler = new Scheduler(env.ctx);
    await env.run(scheduler);
  });
  after(async () => {
    await env.stop();
  });

  it('binds pending pods, spreading the replicas of one owner', async () => {
    for (let i = 0; i < 4; i++) await env.client.create(Pods, NS, pod(`web-${i}`, {}, 'web'));
    const nodes = await waitFor('all bound', async () => {
      const n = await Promise.all([0, 1, 2, 3].map((i) => nodeOf(env, `web-${i}`)));
      return n.every(Boolean) ? n : undefined;
    });
    assert.deepEqual(nodes.filter((n) => n === 'node1').length, 2, `spread evenly: ${nodes.join()}`);
    // Events are written in the background.
    await waitFor('Scheduled event', async () =>
      (await env.events(NS)).some(
        (e) => e.reason === 'Scheduled' && e.message === `Successfully assigned default/web-0 to ${nodes[0]}`,
      ),
    );
  });

  it('leaves pods with spec.nodeName or another schedulerName alone', async () => {
    await env.client.create(Pods, NS, pod('other', { schedulerName: 'my-scheduler' }));
    await env.client.create(Pods, NS, pod('pinned', { nodeName: 'node2' }));
    // A later pod of ours as the barrier: once it is bound the scheduler has seen the two before it
    // (one watch, in order), and idle() waits out anything they might have queued.
    await env.client.create(Pods, NS, pod('after-them'));
    await waitFor('the later pod bound', () => nodeOf(env, 'after-them'));
    await scheduler.idle();
    assert.equal(await nodeOf(env, 'other'), undefined);
    assert.equal(await nodeOf(env, 'pinned'), 'node2');
  });

  it('reports an unschedulable pod and retries it when a node changes', async () => {
    await env.client.create(Pods, NS, pod('picky', { nodeSelector: { disk: 'ssd' } }));
    const want =
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
    const cond = await waitFor('PodScheduled=False', async () => {
      const p = await env.client.get<Pod>(Pods, NS, 'picky');
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, want);
    const failed = await waitFor('FailedScheduling event', async () =>
      (await env.events(NS)).find((e) => e.reason === 'FailedScheduling'),
    );
    assert.equal(failed?.type, 'Warning');
    assert.equal(failed?.message, want);

    const n2 = await env.client.get<Node>(Nodes, '', 'node2');
    await env.client.update(Nodes, {
      ...n2,
      metadata: { ...n2.metadata, labels: { ...n2.metadata?.labels, disk: 'ssd' } },
    });
    assert.equal(await waitFor('picky bound', () => nodeOf(env, 'picky')), 'node2');
  });
});
