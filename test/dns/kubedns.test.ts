/**
 * kube-system/kube-dns reconciled against a real API server: created from
 * nothing, then brought to this server's port and address on each start
 * (the Service's ClusterIP is held, so it is updated, never re-created).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { Endpoints as EndpointsRT, Services } from '../../src/client/resources.js';
import {
  endpointsUpdate,
  type KubeDnsTarget,
  kubeDnsObjects,
  publishKubeDns,
  serviceUpdate,
} from '../../src/dns/kubedns.js';
import { silentLogger } from '../../src/lib/log.js';
import { startTestApi, type TestApi } from '../lib/testapi.js';

const target = (port: number, extra: Partial<KubeDnsTarget> = {}): KubeDnsTarget => ({
  clusterIP: '127.96.0.10',
  address: '127.0.0.1',
  port,
  metricsPort: 9153,
  ...extra,
});

describe('serviceUpdate and endpointsUpdate', () => {
  const stored = (t: KubeDnsTarget) => {
    const { service, endpoints } = kubeDnsObjects(t);
    return {
      // As the API server returns them: defaulted fields and someone else's label.
      service: {
        ...service,
        metadata: {
          ...service.metadata,
          resourceVersion: '7',
          labels: { ...service.metadata!.labels, x: 'y' },
        },
        spec: { ...service.spec, clusterIPs: ['127.96.0.10'], ipFamilies: ['IPv4'], type: 'ClusterIP' },
      } satisfies Service,
      endpoints: {
        ...endpoints,
        metadata: { ...endpoints.metadata, resourceVersion: '8' },
      } satisfies Endpoints,
    };
  };

  it('nothing to write when the stored objects already say what this server wants', () => {
    const cur = stored(target(10053));
    const want = kubeDnsObjects(target(10053));
    assert.equal(serviceUpdate(cur.service, want.service), undefined);
    assert.equal(endpointsUpdate(cur.endpoints, want.endpoints), undefined);
  });

  it('a new port: the ports change, the rest of the stored objects is kept', () => {
    const cur = stored(target(10053));
    const want = kubeDnsObjects(target(20053));
    const svc = serviceUpdate(cur.service, want.service);
    assert.deepEqual(
      svc?.spec?.ports?.map((p) => [p.name, p.port, p.targetPort]),
      [
        ['dns', 53, 20053],
        ['dns-tcp', 53, 20053],
        ['metrics', 9153, 9153],
      ],
    );
    assert.equal(svc?.metadata?.resourceVersion, '7', 'an update of what was read (optimistic concurrency)');
    assert.deepEqual(svc?.spec?.clusterIPs, ['127.96.0.10']);
    assert.equal(svc?.metadata?.labels?.x, 'y');
    const ep = endpointsUpdate(cur.endpoints, want.endpoints);
    assert.deepEqual(
      ep?.subsets?.[0]?.ports?.map((p) => p.port),
      [20053, 20053, 9153],
    );
    assert.equal(ep?.metadata?.resourceVersion, '8');
  });

  it('a label taken off, or another address, is put back', () => {
    const cur = stored(target(10053));
    const want = kubeDnsObjects(target(10053, { address: '127.0.0.2' }));
    const { 'k8s-app': _, ...rest } = cur.service.metadata.labels as Record<string, string>;
    cur.service.metadata.labels = rest as typeof cur.service.metadata.labels;
    assert.equal(serviceUpdate(cur.service, want.service)?.metadata?.labels?.['k8s-app'], 'kube-dns');
    assert.deepEqual(endpointsUpdate(cur.endpoints, want.endpoints)?.subsets?.[0]?.addresses, [
      { ip: '127.0.0.2' },
    ]);
  });
});

describe('publishKubeDns against an API server', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi('kubedns');
  });
  after(() => api.stop());

  const read = async () => ({
    svc: await api.client.get<Service>(Services, 'kube-system', 'kube-dns'),
    ep: await api.client.get<Endpoints>(EndpointsRT, 'kube-system', 'kube-dns'),
  });
  const dnsPorts = (svc: Service) =>
    svc.spec?.ports?.filter((p) => p.name !== 'metrics').map((p) => p.targetPort);
  const endpointPorts = (ep: Endpoints) => ep.subsets?.flatMap((s) => s.ports?.map((p) => p.port));

  it('creates the Service and Endpoints', async () => {
    assert.equal(await publishKubeDns(api.client, target(10053), silentLogger), true);
    const { svc, ep } = await read();
    assert.equal(svc.spec?.clusterIP, '127.96.0.10');
    assert.deepEqual(dnsPorts(svc), [10053, 10053]);
    assert.deepEqual(endpointPorts(ep), [10053, 10053, 9153]);
  });

  it('a start on another port updates both (the ClusterIP is held: a create would be refused)', async () => {
    const before = await read();
    assert.equal(await publishKubeDns(api.client, target(20053), silentLogger), true);
    const { svc, ep } = await read();
    assert.equal(svc.metadata?.uid, before.svc.metadata?.uid, 'the same Service, updated');
    assert.equal(svc.spec?.clusterIP, '127.96.0.10');
    assert.deepEqual(dnsPorts(svc), [20053, 20053]);
    assert.deepEqual(endpointPorts(ep), [20053, 20053, 9153]);
  });

  it('a start with nothing changed writes nothing', async () => {
    const before = await read();
    assert.equal(await publishKubeDns(api.client, target(20053), silentLogger), true);
    const { svc, ep } = await read();
    assert.equal(svc.metadata?.resourceVersion, before.svc.metadata?.resourceVersion);
    assert.equal(ep.metadata?.resourceVersion, before.ep.metadata?.resourceVersion);
  });

  it('Endpoints deleted by hand are created again', async () => {
    await api.client.delete(EndpointsRT, 'kube-system', 'kube-dns');
    assert.equal(await publishKubeDns(api.client, target(20053), silentLogger), true);
    assert.deepEqual(endpointPorts((await read()).ep), [20053, 20053, 9153]);
  });

  it('another ClusterIP (the service range changed): the Service is replaced', async () => {
    assert.equal(
      await publishKubeDns(api.client, target(20053, { clusterIP: '127.96.0.11' }), silentLogger),
      true,
    );
    assert.equal((await read()).svc.spec?.clusterIP, '127.96.0.11');
  });
});
