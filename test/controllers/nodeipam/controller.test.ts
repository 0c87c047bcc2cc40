import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { Nodes } from '../../../src/client/resources.js';
import { NodeIPAMController } from '../../../src/controllers/nodeipam/controller.js';
import { startEnv, type TestEnv, waitFor } from '../../scheduler/env.js';

const cidrOf = async (env: TestEnv, name: string) => {
  const n = await env.client.get<Node>(Nodes, '', name);
  return n.spec?.podCIDR ? [n.spec.podCIDR, ...(n.spec.podCIDRs ?? [])] : undefined;
};
const addNode = (env: TestEnv, name: string, podCIDR?: string) =>
  env.client.create<Node>(Nodes, '', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  });

describe('NodeIPAMController against an API server', () => {
  let env: TestEnv;
  before(async () => {
    env = await startEnv('node-ipam-controller');
    // A node that already holds a CIDR before the controller starts.
    await addNode(env, 'old', '127.244.0.0/24');
  });
  after(async () => {
    await env.stop();
  });

  it('gives each new node the next free /24, never one already held', async () => {
    await env.run(new NodeIPAMController(env.ctx, { clusterCIDR: '127.244.0.0/22' }));
    await addNode(env, 'a');
    assert.deepEqual(await waitFor('a', () => cidrOf(env, 'a')), ['127.244.1.0/24', '127.244.1.0/24']);
    await addNode(env, 'b');
    assert.deepEqual(await waitFor('b', () => cidrOf(env, 'b')), ['127.244.2.0/24', '127.244.2.0/24']);
  });

  it('releases a deleted node and reports exhaustion with CIDRNotAvailable', async () => {
    await addNode(env, 'c');
    assert.deepEqual(await waitFor('c', () => cidrOf(env, 'c')), ['127.244.3.0/24', '127.244.3.0/24']);
    await addNode(env, 'd');
    await waitFor('CIDRNotAvailable', async () =>
      (await env.events()).some(
        (e) => e.reason === 'CIDRNotAvailable' && e.message === 'Node d status is now: CIDRNotAvailable',
      ),
    );
    await env.client.delete(Nodes, '', 'a');
    // The retried allocation picks up a's released CIDR.
    assert.deepEqual(await waitFor('d', () => cidrOf(env, 'd'), 8000), ['127.244.1.0/24', '127.244.1.0/24']);
  });
});
