/** apps/v1 over HTTPS against an in-process API server: create, read, status writes, generation. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControllerRevision, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { ApiError } from '../../../src/client/client.js';
import {
  ControllerRevisions,
  Deployments,
  ReplicaSets,
  StatefulSets,
} from '../../../src/client/resources.js';
import type { ApiClient } from '../../../src/client/types.js';
import { startTestApi, type TestApi } from '../../lib/testapi.js';

const template = (app: string) => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: app, image: 'svcnet/netexec' }] },
});

const invalid = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ApiError, String(e));
  assert.equal(e.code, 422);
  assert.match(e.message, pattern);
  return true;
};

describe('apps/v1 registry over HTTPS', () => {
  let testApi: TestApi | undefined;
  let client: ApiClient;
  before(async () => {
    testApi = await startTestApi('apps', 'svcnet-test');
    ({ client } = testApi);
  });
  after(async () => {
    await testApi?.stop();
  });

  it('discovery lists the four resources with short names, categories and subresources', async () => {
    const list = JSON.parse(await client.getRaw('/apis/apps/v1')) as {
      resources: { name: string; shortNames?: string[]; categories?: string[]; kind: string }[];
    };
    const byName = new Map(list.resources.map((r) => [r.name, r]));
    assert.deepEqual(byName.get('deployments')?.shortNames, ['deploy']);
    assert.deepEqual(byName.get('replicasets')?.shortNames, ['rs']);
    assert.deepEqual(byName.get('statefulsets')?.shortNames, ['sts']);
    assert.deepEqual(byName.get('statefulsets')?.categories, ['all']);
    assert.equal(byName.get('controllerrevisions')?.kind, 'ControllerRevision');
    for (const r of ['deployments', 'replicasets', 'statefulsets']) {
      assert.ok(byName.has(`${r}/status`), `${r}/status`);
      assert.equal(byName.get(`${r}/scale`)?.kind, 'Scale');
    }
  });

  it('Deployment: defaults on create, status ignored, generation bumps on spec and annotation changes only', async () => {
    const created = await client.create<Deployment>(Deployments, 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: template('web') },
      status: { replicas: 9 },
    });
    assert.equal(created.metadata?.generation, 1);
    assert.equal(created.spec?.replicas, 1);
    assert.deepEqual(created.spec?.strategy?.rollingUpdate, { maxUnavailable: '25%', maxSurge: '25%' });
    assert.equal(created.spec?.template.spec?.restartPolicy, 'Always');
    assert.equal(created.status?.replicas, undefined);

    const got = await client.get<Deployment>(Deployments, 'default', 'web');
    assert.equal(got.metadata?.uid, created.metadata?.uid);

    // The controller's status write: spec and labels in the body are ignored.
    const st = structuredClone(got);
    (st as { status: object }).status = { observedGeneration: 1, replicas: 1, readyReplicas: 1 };
    st.spec!.replicas = 7;
    st.metadata!.labels = { sneaky: 'yes' };
    const afterStatus = await client.update(Deployments, st, 'status');
    assert.equal(afterStatus.status?.readyReplicas, 1);
    assert.equal(afterStatus.spec?.replicas, 1);
    assert.equal(afterStatus.metadata?.labels, undefined);
    assert.equal(afterStatus.metadata?.generation, 1);

    // A spec write keeps the status and bumps the generation.
    const scaled = await client.patch<Deployment>(Deployments, 'default', 'web', 'merge', {
      spec: { replicas: 3 },
    });
    assert.equal(scaled.metadata?.generation, 2);
    assert.equal(scaled.status?.readyReplicas, 1);
    const labelled = await client.patch<Deployment>(Deployments, 'default', 'web', 'merge', {
      metadata: { labels: { a: 'b' } },
    });
    assert.equal(labelled.metadata?.generation, 2);
    const annotated = await client.patch<Deployment>(Deployments, 'default', 'web', 'merge', {
      metadata: { annotations: { 'kubernetes.io/change-cause': 'test' } },
    });
    assert.equal(annotated.metadata?.generation, 3);

    await assert.rejects(
      client.patch(Deployments, 'default', 'web', 'merge', {
        spec: { selector: { matchLabels: { app: 'other' } } },
      }),
      invalid(/spec\.selector: Invalid value: v1\.LabelSelector\{.*\}: field is immutable/),
    );
  });

  it('Deployment: invalid bodies answer 422 with upstream messages', async () => {
    await assert.rejects(
      client.create(Deployments, 'default', {
        metadata: { name: 'bad' },
        spec: {
          selector: { matchLabels: { app: 'x' } },
          template: template('y'),
          strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
        },
      } as Deployment),
      invalid(
        /^Deployment\.apps "bad" is invalid: \[spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"y"\}: `selector` does not match template `labels`, spec\.strategy\.rollingUpdate\.maxUnavailable: .*may not be 0 when `maxSurge` is 0\]$/,
      ),
    );
  });

  it('ReplicaSet: status.replicas is a field selector; status writes keep spec', async () => {
    const rs = await client.create<ReplicaSet>(ReplicaSets, 'default', {
      metadata: { name: 'web-1' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'rs' } }, template: template('rs') },
    });
    assert.equal(rs.metadata?.generation, 1);
    const st = structuredClone(rs);
    (st as { status: object }).status = { replicas: 2, observedGeneration: 1 };
    await client.update(ReplicaSets, st, 'status');
    const two = await client.list<ReplicaSet>(ReplicaSets, 'default', { fieldSelector: 'status.replicas=2' });
    assert.deepEqual(
      two.items.map((i) => i.metadata?.name),
      ['web-1'],
    );
    const none = await client.list<ReplicaSet>(ReplicaSets, 'default', {
      fieldSelector: 'status.replicas=0',
    });
    assert.equal(none.items.length, 0);
    const scaled = await client.patch<ReplicaSet>(ReplicaSets, 'default', 'web-1', 'merge', {
      spec: { replicas: 0 },
    });
    assert.equal(scaled.metadata?.generation, 2);
    assert.equal(scaled.status?.replicas, 2);
  });

  it('StatefulSet: defaults, allowed and forbidden updates, maxUnavailable dropped (gate off)', async () => {
    const ss = await client.create<StatefulSet>(StatefulSets, 'default', {
      metadata: { name: 'mysql' },
      spec: {
        serviceName: 'mysql',
        replicas: 3,
        selector: { matchLabels: { app: 'mysql' } },
        template: template('mysql'),
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
      },
    });
    assert.equal(ss.spec?.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(ss.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.equal(ss.spec?.volumeClaimTemplates?.[0]?.spec?.volumeMode, 'Filesystem');
    const bumped = await client.patch<StatefulSet>(StatefulSets, 'default', 'mysql', 'merge', {
      spec: { replicas: 5 },
    });
    assert.equal(bumped.metadata?.generation, 2);
    await assert.rejects(
      client.patch(StatefulSets, 'default', 'mysql', 'merge', { spec: { serviceName: 'other' } }),
      invalid(/spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals'/),
    );
    const st = structuredClone(bumped);
    (st as { status: object }).status = {
      replicas: 5,
      readyReplicas: 2,
      availableReplicas: 2,
      observedGeneration: 2,
    };
    const withStatus = await client.update(StatefulSets, st, 'status');
    assert.equal(withStatus.status?.readyReplicas, 2);
    assert.equal(withStatus.metadata?.generation, 2);
  });

  it('ControllerRevision: data required and immutable, no generation', async () => {
    await assert.rejects(
      client.create(ControllerRevisions, 'default', {
        metadata: { name: 'cr0' },
        revision: 1,
      } as ControllerRevision),
      invalid(/data: Required value: data is mandatory/),
    );
    const cr = await client.create<ControllerRevision>(ControllerRevisions, 'default', {
      metadata: { name: 'mysql-abc' },
      data: { spec: { template: { metadata: { labels: { app: 'mysql' } } } } },
      revision: 1,
    });
    assert.equal(cr.metadata?.generation, undefined);
    const moved = await client.patch<ControllerRevision>(
      ControllerRevisions,
      'default',
      'mysql-abc',
      'merge',
      { revision: 2 },
    );
    assert.equal(moved.revision, 2);
    await assert.rejects(
      client.patch(ControllerRevisions, 'default', 'mysql-abc', 'merge', { data: { other: 1 } }),
      invalid(/data: Invalid value: runtime\.RawExtension\{Raw:\[\]uint8\{0x7b.*: field is immutable/),
    );
  });
});
