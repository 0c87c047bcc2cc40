/**
 * Server-side apply through @kubernetes/client-node 1.4's
 * KubernetesObjectApi.patch with PatchStrategy.ServerSideApply against the
 * svcnet API server: apply creates, a second manager's change of an owned
 * field is a 409 conflict until forced, apply without a field manager is
 * upstream's 422; and delete answers a Success Status for a Deployment.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  KubernetesObjectApi,
  PatchStrategy,
  type V1Deployment,
  type V1Status,
} from '@kubernetes/client-node';
import { type ClientNodeApi, startClientNodeApi } from './inprocess.js';

const deployment = (replicas: number): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'applied', namespace: 'default', labels: { app: 'applied' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'applied' } },
    template: {
      metadata: { labels: { app: 'applied' } },
      spec: { containers: [{ name: 'app', image: 'svcnet/netexec:1' }] },
    },
  },
});

async function failure(
  p: Promise<unknown>,
): Promise<{ code: number; body: { message?: string; reason?: string } }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiException, String(err));
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { code: err.code, body };
  }
  assert.fail('the request succeeded');
}

describe('client-node server-side apply', () => {
  let c: ClientNodeApi;
  let objects: KubernetesObjectApi;
  const apply = (d: V1Deployment, manager?: string, force?: boolean) =>
    objects.patch(d, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);

  before(async () => {
    c = await startClientNodeApi('cn-apply');
    objects = KubernetesObjectApi.makeApiClient(c.kc);
  });
  after(async () => {
    await c?.stop();
  });

  it('creates with apply, and records the manager', async () => {
    const d = await apply(deployment(1), 'first');
    assert.equal(d.spec?.replicas, 1);
    assert.ok(d.metadata?.managedFields?.some((m) => m.manager === 'first' && m.operation === 'Apply'));
  });

  it('a second manager changing an owned field conflicts, until it forces', async () => {
    const conflict = await failure(apply(deployment(3), 'second'));
    assert.equal(conflict.code, 409);
    assert.equal(conflict.body.reason, 'Conflict');
    assert.match(conflict.body.message ?? '', /conflict with "first".*\.spec\.replicas/s);
    const forced = await apply(deployment(3), 'second', true);
    assert.equal(forced.spec?.replicas, 3);
  });

  it('apply without a field manager is 422, as upstream', async () => {
    const invalid = await failure(apply(deployment(2)));
    assert.equal(invalid.code, 422);
    assert.equal(
      invalid.body.message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });

  it('delete of the Deployment answers a Success Status', async () => {
    const read = await objects.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'applied', namespace: 'default' },
    });
    const status = (await objects.delete(deployment(0))) as V1Status;
    assert.equal(status.kind, 'Status');
    assert.equal(status.status, 'Success');
    assert.deepEqual(
      { ...status.details },
      {
        name: 'applied',
        group: 'apps',
        kind: 'deployments',
        uid: read.metadata?.uid,
      },
    );
  });
});
