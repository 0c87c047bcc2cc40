/** ReplicationControllers run through the ReplicaSet controller's logic, against a real in-process API server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import { ReplicationControllers } from '../../../src/client/resources.js';
import type { Obj } from '../../../src/client/types.js';
import {
  REPLICATION_CONTROLLER_KIND,
  ReplicaSetController,
} from '../../../src/controllers/replicaset/controller.js';
import { activePods, setPodReady, waitFor } from '../deployment/harness.js';
import { type ControllerHarness, startControllers } from '../harness.js';

const NS = 'default';

describe('ReplicationController controller against the API server', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllers('rc', (ctx) => [
      new ReplicaSetController(ctx, { kind: REPLICATION_CONTROLLER_KIND }),
    ]);
  });
  after(async () => {
    await h?.stop();
  });

  it('keeps spec.replicas pods selected by its label map, owned by it, and reports status', async () => {
    const rc = await h.client.create<ReplicationController>(ReplicationControllers, NS, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'svcnet/netexec' }] },
        },
      },
    });
    // Defaulted from the template.
    assert.deepEqual(rc.spec?.selector, { app: 'web' });
    const pods = await waitFor('2 pods', async () => {
      const p = await activePods(h.client, NS, 'app=web');
      return p.length === 2 ? p : undefined;
    });
    for (const p of pods)
      assert.deepEqual(p.metadata?.ownerReferences, [
        {
          apiVersion: 'v1',
          kind: 'ReplicationController',
          name: 'web',
          uid: rc.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    assert.equal(
      h.events.filter((e) => e.kind === 'ReplicationController' && e.reason === 'SuccessfulCreate').length,
      2,
    );
    for (const p of pods) await setPodReady(h.client, p, true);
    await waitFor('status', async () => {
      const s = (await h.client.get<ReplicationController>(ReplicationControllers, NS, 'web')).status;
      return (
        s?.replicas === 2 && s.readyReplicas === 2 && s.availableReplicas === 2 && s.observedGeneration === 1
      );
    });

    // Through the scale subresource, as `kubectl scale rc` does.
    const scale = await h.client.get<Obj & { spec: { replicas: number }; status: { selector: string } }>(
      ReplicationControllers,
      NS,
      'web',
      'scale',
    );
    assert.equal(scale.status.selector, 'app=web');
    await h.client.update(ReplicationControllers, { ...scale, spec: { replicas: 3 } }, 'scale');
    await waitFor('3 pods', async () => (await activePods(h.client, NS, 'app=web')).length === 3);
    await h.client.patch(ReplicationControllers, NS, 'web', 'merge', { spec: { replicas: 1 } });
    await waitFor('1 pod', async () => (await activePods(h.client, NS, 'app=web')).length === 1);
  });
});
