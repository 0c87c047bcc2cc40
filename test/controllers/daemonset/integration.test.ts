/** The DaemonSet controller against a real in-process API server (no scheduler: pods stay pinned by affinity). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ControllerRevisions, DaemonSets, Nodes, Pods } from '../../../src/client/resources.js';
import type { ApiClient } from '../../../src/client/types.js';
import { DaemonSetController } from '../../../src/controllers/daemonset/controller.js';
import { targetNodeName } from '../../../src/controllers/daemonset/placement.js';
import { setPodReady, waitFor } from '../deployment/harness.js';
import { type ControllerHarness, startControllers } from '../harness.js';

const NS = 'default';

const node = (name: string, labels: Record<string, string>, taints: Node['spec'] = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  spec: taints,
});

function daemonSet(name: string, strategy: NonNullable<DaemonSet['spec']>['updateStrategy']): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      updateStrategy: strategy,
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'c', image: 'svcnet/netexec' }] },
      },
    },
  };
}

const podsOf = async (client: ApiClient, app: string): Promise<Pod[]> =>
  (await client.list<Pod>(Pods, NS, { labelSelector: `app=${app}` })).items.filter(
    (p) => !p.metadata?.deletionTimestamp,
  );

/** Node name → the hash labels of its pods, by node name. */
async function placement(client: ApiClient, app: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const p of await podsOf(client, app)) {
    const n = targetNodeName(p) ?? '?';
    out[n] = [...(out[n] ?? []), p.metadata?.labels?.['controller-revision-hash'] ?? ''].sort();
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Plays kubelet for every daemon pod not yet ready. */
async function readyAll(client: ApiClient, app: string): Promise<void> {
  for (const p of await podsOf(client, app))
    if (!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      await setPodReady(client, p, true);
}

async function patchTemplate(client: ApiClient, name: string, env: string): Promise<void> {
  await client.patch(DaemonSets, NS, name, 'strategic', {
    spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'V', value: env }] }] } } },
  });
}

async function currentHash(client: ApiClient, name: string): Promise<string> {
  const revs = (await client.list<ControllerRevision>(ControllerRevisions, NS)).items.filter((r) =>
    r.metadata?.name?.startsWith(`${name}-`),
  );
  revs.sort((a, b) => a.revision - b.revision);
  return revs[revs.length - 1]!.metadata!.labels!['controller-revision-hash']!;
}

describe('DaemonSet controller against the API server', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllers('daemonset', (ctx) => [new DaemonSetController(ctx)]);
    await h.client.create(Nodes, '', node('n1', { disk: 'ssd' }));
    await h.client.create(
      Nodes,
      '',
      node('n2', { disk: 'ssd' }, { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }),
    );
    await h.client.create(Nodes, '', node('n3', { disk: 'hdd' }));
  });
  after(async () => {
    await h?.stop();
  });

  it('one pod per eligible node, pinned with a metadata.name term, with daemon tolerations and labels', async () => {
    const ds = await h.client.create<DaemonSet>(DaemonSets, NS, daemonSet('agent', undefined));
    const pods = await waitFor('a pod on n1 only', async () => {
      const p = await podsOf(h.client, 'agent');
      return p.length === 1 ? p : undefined;
    });
    const pod = pods[0]!;
    assert.equal(targetNodeName(pod), 'n1');
    assert.deepEqual(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
    });
    const tolerated = (pod.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
    assert.deepEqual(tolerated, [
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    const hash = await currentHash(h.client, 'agent');
    assert.deepEqual(pod.metadata?.labels, {
      app: 'agent',
      'controller-revision-hash': hash,
      'pod-template-generation': '1',
    });
    assert.deepEqual(pod.metadata?.ownerReferences?.[0]?.uid, ds.metadata?.uid);
    await readyAll(h.client, 'agent');
    await waitFor('status', async () => {
      const s = (await h.client.get<DaemonSet>(DaemonSets, NS, 'agent')).status;
      return (
        s?.desiredNumberScheduled === 1 &&
        s.currentNumberScheduled === 1 &&
        s.numberReady === 1 &&
        s.numberAvailable === 1 &&
        s.updatedNumberScheduled === 1 &&
        s.observedGeneration === 1
      );
    });
  });

  it('a failed daemon pod is deleted with a FailedDaemonPod event and replaced', async () => {
    const [failed] = await podsOf(h.client, 'agent');
    const cur = await h.client.get<Pod>(Pods, NS, failed!.metadata!.name!);
    await h.client.update<Pod>(Pods, { ...cur, status: { ...cur.status, phase: 'Failed' } }, 'status');
    await waitFor('replaced', async () => {
      const p = await podsOf(h.client, 'agent');
      return p.length === 1 && p[0]!.metadata?.name !== failed!.metadata?.name;
    });
    assert.ok(
      h.events.some(
        (e) =>
          e.reason === 'FailedDaemonPod' &&
          e.type === 'Warning' &&
          e.message ===
            `Found failed daemon pod ${NS}/${failed!.metadata?.name} on node n1, will try to kill it`,
      ),
    );
    // Failing again on the same node: deleted once its backoff (1 s) has passed, then replaced.
    const [again] = await podsOf(h.client, 'agent');
    const cur2 = await h.client.get<Pod>(Pods, NS, again!.metadata!.name!);
    await h.client.update<Pod>(Pods, { ...cur2, status: { ...cur2.status, phase: 'Failed' } }, 'status');
    await waitFor('replaced after the backoff', async () => {
      const p = await podsOf(h.client, 'agent');
      return p.length === 1 && p[0]!.metadata?.name !== again!.metadata?.name;
    });
    await readyAll(h.client, 'agent');
  });

  it('a toleration opens the tainted node; a relabelled node gains or loses its pod', async () => {
    await h.client.patch(DaemonSets, NS, 'agent', 'strategic', {
      spec: {
        template: { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] } },
      },
    });
    await h.client.patch(Nodes, '', 'n3', 'strategic', { metadata: { labels: { disk: 'ssd' } } });
    const hash = await waitFor('a new revision', async () => {
      const x = await currentHash(h.client, 'agent');
      return (await h.client.get<DaemonSet>(DaemonSets, NS, 'agent')).status?.observedGeneration === 2
        ? x
        : undefined;
    });
    // maxUnavailable 1: the old pod on n1 is replaced once the new pods are ready.
    await waitFor('every node on the new revision', async () => {
      await readyAll(h.client, 'agent');
      const p = await placement(h.client, 'agent');
      return JSON.stringify(p) === JSON.stringify({ n1: [hash], n2: [hash], n3: [hash] });
    });
    await h.client.patch(Nodes, '', 'n1', 'strategic', { metadata: { labels: { disk: 'hdd' } } });
    await waitFor('n1 emptied', async () => {
      const p = await placement(h.client, 'agent');
      return p.n1 === undefined && p.n2 && p.n3;
    });
    await waitFor('status follows', async () => {
      const s = (await h.client.get<DaemonSet>(DaemonSets, NS, 'agent')).status;
      return s?.desiredNumberScheduled === 2 && s.numberMisscheduled === 0 && s.updatedNumberScheduled === 2;
    });
  });

  it('OnDelete leaves old pods until they are deleted', async () => {
    await h.client.patch(DaemonSets, NS, 'agent', 'strategic', {
      spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null } },
    });
    const before = await placement(h.client, 'agent');
    await patchTemplate(h.client, 'agent', 'on-delete');
    const hash = await waitFor('a newer revision', async () => {
      const x = await currentHash(h.client, 'agent');
      return x !== before.n2![0] ? x : undefined;
    });
    await waitFor('status observed', async () => {
      const s = (await h.client.get<DaemonSet>(DaemonSets, NS, 'agent')).status;
      return s?.observedGeneration === 4 && s.updatedNumberScheduled === 0;
    });
    assert.deepEqual(await placement(h.client, 'agent'), before);
    const onN2 = (await podsOf(h.client, 'agent')).find((p) => targetNodeName(p) === 'n2')!;
    await h.client.delete(Pods, NS, onN2.metadata!.name!);
    await waitFor('n2 recreated on the new revision', async () => {
      const p = await placement(h.client, 'agent');
      return (
        JSON.stringify(p.n2) === JSON.stringify([hash]) && JSON.stringify(p.n3) === JSON.stringify(before.n3)
      );
    });
  });

  it('maxSurge starts the new pod beside the old one and removes the old one once the new is ready', async () => {
    // n1 and n3 eligible (n2 keeps its taint, which this set does not tolerate).
    await h.client.patch(Nodes, '', 'n1', 'strategic', { metadata: { labels: { disk: 'ssd' } } });
    await h.client.create<DaemonSet>(
      DaemonSets,
      NS,
      daemonSet('surge', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }),
    );
    await waitFor('two pods', async () => (await podsOf(h.client, 'surge')).length === 2);
    await readyAll(h.client, 'surge');
    const oldHash = await currentHash(h.client, 'surge');
    await patchTemplate(h.client, 'surge', 'v2');
    const both = await waitFor('an old and a new pod on one node', async () => {
      const p = await placement(h.client, 'surge');
      const doubled = Object.values(p).find((hs) => hs.length === 2);
      return doubled ? p : undefined;
    });
    // One node surges at a time (maxSurge 1), and old pods stay while the new ones are not ready.
    assert.equal(Object.values(both).filter((hs) => hs.length === 2).length, 1);
    assert.ok(Object.values(both).every((hs) => hs.includes(oldHash)));
    const newHash = await currentHash(h.client, 'surge');
    await waitFor('all replaced', async () => {
      await readyAll(h.client, 'surge');
      const p = await placement(h.client, 'surge');
      return (
        Object.keys(p).length === 2 && Object.values(p).every((hs) => hs.length === 1 && hs[0] === newHash)
      );
    });
  });
});
