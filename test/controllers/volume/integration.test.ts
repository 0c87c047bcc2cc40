/** The PersistentVolume binder against a real in-process API server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../../src/client/client.js';
import { PersistentVolumeClaims, PersistentVolumes } from '../../../src/client/resources.js';
import { PersistentVolumeController } from '../../../src/controllers/volume/controller.js';
import { waitFor } from '../deployment/harness.js';
import { type ControllerHarness, startControllers } from '../harness.js';

const NS = 'default';

const pv = (
  name: string,
  size: string,
  extra: Partial<NonNullable<PersistentVolume['spec']>> = {},
  labels = {},
): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, labels },
  spec: {
    capacity: { storage: size },
    accessModes: ['ReadWriteOnce'],
    hostPath: { path: `/tmp/${name}` },
    ...extra,
  },
});
const pvc = (
  name: string,
  size: string,
  extra: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {},
): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: NS },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...extra },
});

describe('PersistentVolume binder against the API server', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllers('volumes', (ctx) => [new PersistentVolumeController(ctx, { resyncMs: 200 })]);
  });
  after(async () => {
    await h?.stop();
  });

  const claim = (name: string) => h.client.get<PersistentVolumeClaim>(PersistentVolumeClaims, NS, name);
  const volume = (name: string) => h.client.get<PersistentVolume>(PersistentVolumes, '', name);

  it('binds a claim to the smallest volume that fits, both ways', async () => {
    await h.client.create(PersistentVolumes, '', pv('big', '10Gi'));
    await h.client.create(PersistentVolumes, '', pv('small', '1Gi'));
    await h.client.create(PersistentVolumes, '', pv('tiny', '100Mi'));
    await waitFor('volumes Available', async () => (await volume('tiny')).status?.phase === 'Available');
    const c = await h.client.create<PersistentVolumeClaim>(PersistentVolumeClaims, NS, pvc('data', '500Mi'));
    const bound = await waitFor('claim Bound', async () => {
      const cur = await claim('data');
      return cur.status?.phase === 'Bound' ? cur : undefined;
    });
    assert.equal(bound.spec?.volumeName, 'small');
    assert.deepEqual(bound.status?.capacity, { storage: '1Gi' });
    assert.deepEqual(bound.status?.accessModes, ['ReadWriteOnce']);
    assert.equal(bound.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(bound.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    const v = await waitFor('volume Bound', async () => {
      const cur = await volume('small');
      return cur.status?.phase === 'Bound' ? cur : undefined;
    });
    assert.deepEqual(
      { ...v.spec?.claimRef, resourceVersion: undefined },
      {
        kind: 'PersistentVolumeClaim',
        namespace: NS,
        name: 'data',
        uid: c.metadata?.uid,
        apiVersion: 'v1',
        resourceVersion: undefined,
      },
    );
  });

  it('a claim without a match stays Pending with the no-storage-class event', async () => {
    await h.client.create(PersistentVolumeClaims, NS, pvc('huge', '1Ti'));
    await waitFor('FailedBinding', async () =>
      h.events.some(
        (e) =>
          e.name === 'huge' &&
          e.type === 'Normal' &&
          e.reason === 'FailedBinding' &&
          e.message === 'no persistent volumes available for this claim and no storage class is set',
      ),
    );
    assert.equal((await claim('huge')).status?.phase, 'Pending');
    // A fitting volume that appears later is taken.
    await h.client.create(PersistentVolumes, '', pv('later', '2Ti'));
    await waitFor('bound later', async () => (await claim('huge')).spec?.volumeName === 'later');
  });

  it('storage class, access modes, selector and pre-binding decide', async () => {
    await h.client.create(PersistentVolumes, '', pv('fast', '1Gi', { storageClassName: 'fast' }));
    await h.client.create(PersistentVolumes, '', pv('rwx', '1Gi', { accessModes: ['ReadWriteMany'] }));
    await h.client.create(PersistentVolumes, '', pv('labelled', '5Gi', {}, { tier: 'gold' }));
    await h.client.create(
      PersistentVolumes,
      '',
      pv('reserved', '1Gi', { claimRef: { namespace: NS, name: 'mine' } }),
    );
    await h.client.create(PersistentVolumeClaims, NS, pvc('c-fast', '1Gi', { storageClassName: 'fast' }));
    await h.client.create(
      PersistentVolumeClaims,
      NS,
      pvc('c-rwx', '1Gi', { accessModes: ['ReadWriteMany'] }),
    );
    await h.client.create(
      PersistentVolumeClaims,
      NS,
      pvc('c-gold', '1Gi', { selector: { matchLabels: { tier: 'gold' } } }),
    );
    await h.client.create(PersistentVolumeClaims, NS, pvc('mine', '1Gi'));
    await h.client.create(PersistentVolumeClaims, NS, pvc('named', '1Gi', { volumeName: 'tiny' }));
    for (const [c, v] of [
      ['c-fast', 'fast'],
      ['c-rwx', 'rwx'],
      ['c-gold', 'labelled'],
      ['mine', 'reserved'],
    ] as const)
      await waitFor(`${c} → ${v}`, async () => {
        const cur = await claim(c);
        return cur.spec?.volumeName === v && cur.status?.phase === 'Bound';
      });
    // Pre-bound by volumeName to a volume too small: it stays Pending.
    await waitFor('mismatch event', async () =>
      h.events.some((e) => e.name === 'named' && e.reason === 'VolumeMismatch'),
    );
    assert.equal((await claim('named')).status?.phase, 'Pending');
    // A class nobody provisions: ProvisioningFailed, as with no StorageClass object.
    await h.client.create(PersistentVolumeClaims, NS, pvc('c-slow', '1Gi', { storageClassName: 'slow' }));
    await waitFor('ProvisioningFailed', async () =>
      h.events.some(
        (e) =>
          e.name === 'c-slow' &&
          e.reason === 'ProvisioningFailed' &&
          e.message === 'storageclass.storage.k8s.io "slow" not found',
      ),
    );
  });

  it('a deleted claim releases its volume: Retain keeps it, Delete deletes it', async () => {
    await h.client.delete(PersistentVolumeClaims, NS, 'data');
    await waitFor('Released', async () => (await volume('small')).status?.phase === 'Released');
    await h.client.patch(PersistentVolumes, '', 'fast', 'merge', {
      spec: { persistentVolumeReclaimPolicy: 'Delete' },
    });
    await h.client.delete(PersistentVolumeClaims, NS, 'c-fast');
    await waitFor('deleted', async () => {
      try {
        await volume('fast');
        return false;
      } catch (err) {
        return isNotFound(err);
      }
    });
    // A released Retain volume is not handed to a new claim.
    await h.client.patch(PersistentVolumes, '', 'small', 'merge', { metadata: { labels: { pick: 'me' } } });
    await h.client.create(
      PersistentVolumeClaims,
      NS,
      pvc('again', '1Gi', { selector: { matchLabels: { pick: 'me' } } }),
    );
    await waitFor('Pending event', async () =>
      h.events.some((e) => e.name === 'again' && e.reason === 'FailedBinding'),
    );
    assert.equal((await volume('small')).status?.phase, 'Released');
  });
});
