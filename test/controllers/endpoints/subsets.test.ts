import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointAddress, Endpoints } from 'kubernetes-types/core/v1.js';
import {
  desiredEndpoints,
  desiredSubsets,
  podToEndpointAddress,
  truncateEndpoints,
} from '../../../src/controllers/endpoints/subsets.js';
import { pod, service } from '../endpointslice/fixtures.js';

const ips = (as: EndpointAddress[] | undefined) => (as ?? []).map((a) => a.ip);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('Endpoints subsets', () => {
  it('ready pods in addresses, others in notReadyAddresses; terminating and finished pods out', () => {
    const pods = [
      pod(0),
      pod(1, { ready: false }),
      pod(2, { terminating: true }),
      pod(3, { phase: 'Failed' }),
      pod(4, { ip: null }),
    ];
    const subsets = desiredSubsets(service(), pods);
    assert.equal(subsets.length, 1);
    assert.deepEqual(ips(subsets[0]!.addresses), ['10.0.0.1']);
    assert.deepEqual(ips(subsets[0]!.notReadyAddresses), ['10.0.0.2']);
    assert.deepEqual(subsets[0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  it('publishNotReadyAddresses: every pod, terminating ones too, in addresses', () => {
    const pods = [pod(0), pod(1, { ready: false }), pod(2, { terminating: true })];
    const [s] = desiredSubsets(service({ publishNotReadyAddresses: true }), pods);
    assert.deepEqual(ips(s!.addresses), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    assert.equal(s!.notReadyAddresses, undefined);
  });

  it('addresses carry nodeName, targetRef and (for the governing service) hostname', () => {
    const a = podToEndpointAddress(
      service({ name: 'mysql' }),
      pod(0, { hostname: 'mysql-0', subdomain: 'mysql' }),
    );
    assert.deepEqual(a, {
      ip: '10.0.0.1',
      nodeName: 'node-1',
      hostname: 'mysql-0',
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'pod-uid-0' },
    });
  });

  it('uses the primary family of the service', () => {
    const p = pod(0, { ip: ['10.0.0.1', 'fd00::1'] });
    assert.equal(podToEndpointAddress(service({ ipFamilies: ['IPv6', 'IPv4'] }), p)?.ip, 'fd00::1');
    assert.equal(podToEndpointAddress(service({ ipFamilies: ['IPv6'] }), pod(1))?.ip, undefined);
  });

  it('pods resolving a named port differently form separate subsets', () => {
    const svc = service({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
    const pods = [
      pod(0, { containerPorts: [{ name: 'http', containerPort: 8080 }] }),
      pod(1, { containerPorts: [{ name: 'http', containerPort: 9090 }] }),
    ];
    const subsets = desiredSubsets(svc, pods);
    assert.deepEqual(
      subsets.map((s) => [ips(s.addresses), s.ports?.[0]?.port]),
      [
        [['10.0.0.1'], 8080],
        [['10.0.0.2'], 9090],
      ],
    );
  });

  it('a headless service without ports still lists its pods', () => {
    const [s] = desiredSubsets(service({ clusterIP: 'None', ports: [] }), [pod(0)]);
    assert.deepEqual(ips(s!.addresses), ['10.0.0.1']);
    assert.equal(s!.ports, undefined);
  });
});

describe('truncateEndpoints', () => {
  const addr = (i: number): EndpointAddress => ({ ip: `10.${Math.floor(i / 250)}.0.${i % 250}` });
  const cases: [string, [number, number][], [number, number][]][] = [
    // [what, per subset [ready, notReady] before, after]
    ['under the cap: untouched', [[500, 500]], [[500, 500]]],
    ['not-ready cut first', [[800, 400]], [[800, 200]]],
    [
      'not-ready shared in proportion, rounded up',
      [
        [400, 300],
        [400, 100],
      ],
      [
        [400, 150],
        [400, 50],
      ],
    ],
    [
      'ready over the cap: ready shared, not-ready dropped',
      [
        [900, 10],
        [300, 10],
      ],
      [
        [750, 0],
        [250, 0],
      ],
    ],
  ];
  for (const [what, before, after] of cases) {
    it(what, () => {
      let n = 0;
      const ep: Endpoints = {
        subsets: before.map(([r, nr]) => ({
          addresses: range(r).map(() => addr(n++)),
          notReadyAddresses: range(nr).map(() => addr(n++)),
        })),
      };
      const cut = truncateEndpoints(ep);
      assert.equal(cut, !what.startsWith('under the cap'));
      assert.deepEqual(
        ep.subsets!.map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]),
        after,
      );
    });
  }
});

describe('desiredEndpoints', () => {
  const stored = (e: Endpoints): Endpoints => ({ ...e, metadata: { ...e.metadata, resourceVersion: '5' } });

  it('creates with the service labels, the headless label and the trigger time', () => {
    const svc = service({ clusterIP: 'None', labels: { app: 'web' } });
    const out = desiredEndpoints(svc, [pod(0)], undefined, Date.parse('2024-05-01T10:00:05Z'))!;
    assert.equal(out.create, true);
    assert.deepEqual(out.endpoints.metadata, {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web', 'service.kubernetes.io/headless': '' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-05-01T10:00:05Z' },
    });
  });

  it('no write when nothing changed (trigger time alone does not count)', () => {
    const svc = service();
    const first = desiredEndpoints(svc, [pod(0)], undefined, 1)!;
    assert.equal(desiredEndpoints(svc, [pod(0)], stored(first.endpoints), 0), undefined);
    const changed = desiredEndpoints(svc, [pod(0, { ready: false })], stored(first.endpoints), 0)!;
    assert.equal(changed.create, false);
    assert.equal(changed.endpoints.metadata?.annotations, undefined, 'no trigger time → annotation cleared');
  });

  it('over 1000 addresses: truncated and annotated; the annotation goes once under the cap', () => {
    const svc = service();
    const many = range(1100).map((i) => pod(i));
    const big = desiredEndpoints(svc, many, undefined, 0)!;
    assert.equal(big.endpoints.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'], 'truncated');
    assert.equal(big.endpoints.subsets![0]!.addresses!.length, 1000);
    // Still over the cap: upstream compares with the untruncated set, so it writes again (a no-op on the server).
    assert.equal(desiredEndpoints(svc, many, stored(big.endpoints), 0)?.create, false);
    const small = desiredEndpoints(svc, many.slice(0, 10), stored(big.endpoints), 0)!;
    assert.equal(small.endpoints.metadata?.annotations, undefined);
    assert.equal(small.endpoints.subsets![0]!.addresses!.length, 10);
  });
});
