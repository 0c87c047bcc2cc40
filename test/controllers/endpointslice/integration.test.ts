/**
 * The three endpoint controllers against a real in-process API server:
 * pods are created and their status (IP, Ready) written directly, as an
 * agent would, and the resulting slices and Endpoints are read back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Endpoints, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ControllerContext } from '../../../src/client/controller.js';
import { SharedInformerFactory } from '../../../src/client/informer.js';
import {
  EndpointSlices,
  Endpoints as EndpointsRT,
  Nodes,
  Pods,
  Services,
} from '../../../src/client/resources.js';
import type { ApiClient } from '../../../src/client/types.js';
import { EndpointsController } from '../../../src/controllers/endpoints/controller.js';
import { EndpointSliceController } from '../../../src/controllers/endpointslice/controller.js';
import { EndpointSliceMirroringController } from '../../../src/controllers/mirroring/controller.js';
import { silentLogger } from '../../../src/lib/log.js';
import { startTestApi, type TestApi } from '../../lib/testapi.js';

const NS = 'default';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('endpoint controllers against the API server', () => {
  let api: TestApi | undefined;
  let client: ApiClient;
  let informers: SharedInformerFactory;
  let slicesCtl: EndpointSliceController;
  let endpointsCtl: EndpointsController;
  let mirrorCtl: EndpointSliceMirroringController;

  before(async () => {
    api = await startTestApi('epctl');
    client = api.client;
    informers = new SharedInformerFactory(client, silentLogger);
    const ctx: ControllerContext = { client, informers, events: { event() {} }, log: silentLogger };
    slicesCtl = new EndpointSliceController(ctx, { maxEndpointsPerSlice: 2 });
    endpointsCtl = new EndpointsController(ctx);
    mirrorCtl = new EndpointSliceMirroringController(ctx);
    informers.start();
    await Promise.all([slicesCtl.start(), endpointsCtl.start(), mirrorCtl.start()]);
    const node: Node = { metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } };
    await client.create(Nodes, '', node);
  });

  after(async () => {
    slicesCtl?.stop();
    endpointsCtl?.stop();
    mirrorCtl?.stop();
    informers?.stop();
    await api?.stop();
  });

  const slicesOf = async (svc: string, managedBy = 'endpointslice-controller.k8s.io') =>
    (
      await client.list<EndpointSlice>(EndpointSlices, NS, {
        labelSelector: `kubernetes.io/service-name=${svc},endpointslice.kubernetes.io/managed-by=${managedBy}`,
      })
    ).items;

  async function runPod(name: string, ip: string, ready: boolean, labels = { app: 'web' }): Promise<Pod> {
    const pod = await client.create<Pod>(Pods, NS, {
      metadata: { name, labels },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'svcnet/netexec' }] },
    });
    return setStatus(pod, ip, ready);
  }

  async function setStatus(pod: Pod, ip: string, ready: boolean): Promise<Pod> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const fresh = await client.get<Pod>(Pods, NS, pod.metadata!.name!);
    const status: Pod['status'] = {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
    };
    return client.update(Pods, { ...fresh, status }, 'status');
  }

  it('pods → slices (≤2 each) and Endpoints; readiness, deletion and selector changes follow', async () => {
    await client.create<Service>(Services, NS, {
      metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    const pods = [];
    for (let i = 1; i <= 3; i++) pods.push(await runPod(`web-${i}`, `127.244.0.${i}`, true));

    const slices = await waitFor('3 ready endpoints in slices', async () => {
      const s = await slicesOf('web');
      const ready = s.flatMap((x) => x.endpoints ?? []).filter((e) => e.conditions?.ready);
      return ready.length === 3 ? s : undefined;
    });
    assert.deepEqual(slices.map((s) => s.endpoints.length).sort(), [1, 2]);
    const s0 = slices[0]!;
    assert.equal(s0.metadata!.labels!.tier, 'front');
    assert.equal(s0.metadata!.ownerReferences![0]!.kind, 'Service');
    assert.equal(s0.ports![0]!.port, 8080);
    assert.ok(s0.metadata!.annotations!['endpoints.kubernetes.io/last-change-trigger-time']);
    const ep1 = slices.flatMap((s) => s.endpoints).find((e) => e.targetRef?.name === 'web-1')!;
    assert.equal(ep1.zone, 'zone-a');
    assert.equal(ep1.nodeName, 'node-1');

    const eps = await waitFor('Endpoints with 3 addresses', async () => {
      const e = await client.get<Endpoints>(EndpointsRT, NS, 'web');
      return e.subsets?.[0]?.addresses?.length === 3 ? e : undefined;
    });
    assert.deepEqual(
      eps.subsets![0]!.addresses!.map((a) => a.ip),
      ['127.244.0.1', '127.244.0.2', '127.244.0.3'],
    );
    assert.equal(eps.metadata!.labels!.tier, 'front');

    // Readiness lost: not ready in the slice, notReadyAddresses in Endpoints; only one slice rewritten.
    const writesBefore = { ...slicesCtl.churn };
    await setStatus(pods[1]!, '127.244.0.2', false);
    await waitFor('web-2 not ready in Endpoints', async () => {
      const e = await client.get<Endpoints>(EndpointsRT, NS, 'web');
      return e.subsets?.some((s) => s.notReadyAddresses?.[0]?.ip === '127.244.0.2') ? e : undefined;
    });
    const flipped = await waitFor('web-2 not ready in its slice', async () => {
      const e = (await slicesOf('web'))
        .flatMap((s) => s.endpoints)
        .find((x) => x.targetRef?.name === 'web-2');
      return e?.conditions?.ready === false ? e : undefined;
    });
    assert.deepEqual(flipped.conditions, { ready: false, serving: false, terminating: false });
    await slicesCtl.idle();
    assert.deepEqual(
      { ...slicesCtl.churn },
      { ...writesBefore, updates: writesBefore.updates + 1 },
      'a readiness flip costs one slice update',
    );

    // Graceful deletion: the endpoint stays, serving and terminating, until the pod is gone.
    await client.delete(Pods, NS, 'web-1', { gracePeriodSeconds: 30 });
    const terminating = await waitFor('web-1 terminating', async () => {
      const e = (await slicesOf('web'))
        .flatMap((s) => s.endpoints)
        .find((x) => x.targetRef?.name === 'web-1');
      return e?.conditions?.terminating ? e : undefined;
    });
    assert.deepEqual(terminating.conditions, { ready: false, serving: true, terminating: true });
    await waitFor('web-1 out of Endpoints', async () => {
      const e = await client.get<Endpoints>(EndpointsRT, NS, 'web');
      const all = (e.subsets ?? []).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]);
      return all.some((a) => a.ip === '127.244.0.1') ? undefined : e;
    });
    await client.delete(Pods, NS, 'web-1', { gracePeriodSeconds: 0 });
    await waitFor('web-1 gone from slices', async () => {
      const all = (await slicesOf('web')).flatMap((s) => s.endpoints);
      return all.some((x) => x.targetRef?.name === 'web-1') ? undefined : all;
    });

    // The selector goes: our slices go; the Endpoints object now belongs to the user.
    const svc = await client.get<Service>(Services, NS, 'web');
    delete svc.spec!.selector;
    await client.update(Services, svc);
    await waitFor('managed slices deleted', async () =>
      (await slicesOf('web')).length === 0 ? true : undefined,
    );
    const kept = await client.get<Endpoints>(EndpointsRT, NS, 'web');
    assert.ok(kept.subsets?.length, 'Endpoints of a selector-less service are left alone');
  });

  it('ExternalName and selector-less services get no slices; no pods → one placeholder', async () => {
    await client.create<Service>(Services, NS, {
      metadata: { name: 'empty' },
      spec: { selector: { app: 'nothing' }, ports: [{ port: 80 }] },
    });
    const placeholder = await waitFor('placeholder slice', async () => {
      const s = await slicesOf('empty');
      return s.length === 1 ? s[0] : undefined;
    });
    assert.deepEqual(placeholder.endpoints ?? [], []);
    await client.create<Service>(Services, NS, {
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'db.example.com' },
    });
    await slicesCtl.idle();
    assert.equal((await slicesOf('ext')).length, 0);
  });

  it('mirrors a selector-less service’s manual Endpoints, and stops on skip-mirror', async () => {
    await client.create<Service>(Services, NS, {
      metadata: { name: 'external-db' },
      spec: { ports: [{ name: 'mysql', port: 3306 }] },
    });
    await client.create<Endpoints>(EndpointsRT, NS, {
      metadata: { name: 'external-db', labels: { team: 'db' } },
      subsets: [{ addresses: [{ ip: '127.10.0.5' }], ports: [{ name: 'mysql', port: 3306 }] }],
    });
    const [mirrored] = await waitFor('mirrored slice', async () => {
      const s = await slicesOf('external-db', 'endpointslicemirroring-controller.k8s.io');
      return s.length ? s : undefined;
    });
    assert.deepEqual(
      mirrored!.endpoints.map((e) => [e.addresses[0], e.conditions?.ready]),
      [['127.10.0.5', true]],
    );
    assert.equal(mirrored!.metadata!.labels!.team, 'db');
    assert.equal(mirrored!.metadata!.ownerReferences![0]!.kind, 'Endpoints');
    assert.equal(
      (await slicesOf('external-db')).length,
      0,
      'no controller slices for a selector-less service',
    );

    const ep = await client.get<Endpoints>(EndpointsRT, NS, 'external-db');
    ep.metadata = {
      ...ep.metadata,
      labels: { ...ep.metadata!.labels, 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    };
    await client.update(EndpointsRT, ep);
    await waitFor('mirrored slice removed', async () =>
      (await slicesOf('external-db', 'endpointslicemirroring-controller.k8s.io')).length === 0
        ? true
        : undefined,
    );
    // The Endpoints controller never touched the user's object.
    const after = await client.get<Endpoints>(EndpointsRT, NS, 'external-db');
    assert.deepEqual(after.subsets, [
      { addresses: [{ ip: '127.10.0.5' }], ports: [{ name: 'mysql', port: 3306, protocol: 'TCP' }] },
    ]);
  });

  it('a deleted service takes its Endpoints with it', async () => {
    await client.create<Service>(Services, NS, {
      metadata: { name: 'gone' },
      spec: { selector: { app: 'gone' }, ports: [{ port: 80 }] },
    });
    await waitFor('Endpoints created', async () => client.get<Endpoints>(EndpointsRT, NS, 'gone'));
    await client.delete(Services, NS, 'gone');
    await waitFor('Endpoints deleted', async () => {
      try {
        await client.get<Endpoints>(EndpointsRT, NS, 'gone');
        return undefined;
      } catch {
        return true;
      }
    });
  });
});
