import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import {
  collectHeldNodePorts,
  dropTypeDependentFields,
  normalizeClusterIPs,
  patchAllocatedValues,
} from '../../../../src/api/registry/service/fields.js';
import { tcp, udp } from './helpers.js';

const s = (spec: ServiceSpec, status?: Service['status']): Service => ({
  metadata: { name: 'x' },
  spec: structuredClone(spec),
  ...(status ? { status } : {}),
});

test('normalizeClusterIPs: create and update rows', () => {
  const rows: [
    string,
    ServiceSpec | undefined,
    ServiceSpec,
    Pick<ServiceSpec, 'clusterIP' | 'clusterIPs'>,
  ][] = [
    [
      'create, singular only',
      undefined,
      { clusterIP: '10.0.0.1' },
      { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'] },
    ],
    [
      'create, both',
      undefined,
      { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', 'fd00::1'] },
      { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', 'fd00::1'] },
    ],
    ['create, neither', undefined, {}, { clusterIP: undefined, clusterIPs: undefined }],
    [
      'update, old client omits plural',
      { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', 'fd00::1'] },
      { clusterIP: '10.0.0.1' },
      { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1', 'fd00::1'] },
    ],
    [
      'update, singular cleared, plural unchanged → both cleared',
      { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'] },
      { clusterIP: '', clusterIPs: ['10.0.0.1'] },
      { clusterIP: '', clusterIPs: undefined },
    ],
    [
      'update, singular changed, plural unchanged → plural follows',
      { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'] },
      { clusterIP: '10.0.0.2', clusterIPs: ['10.0.0.1'] },
      { clusterIP: '10.0.0.2', clusterIPs: ['10.0.0.2'] },
    ],
    [
      'update, both changed → left for validation',
      { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'] },
      { clusterIP: '10.0.0.2', clusterIPs: ['10.0.0.3'] },
      { clusterIP: '10.0.0.2', clusterIPs: ['10.0.0.3'] },
    ],
  ];
  for (const [name, old, spec, want] of rows) {
    const next = s(spec);
    normalizeClusterIPs(next, old ? s(old) : undefined);
    assert.deepEqual({ clusterIP: next.spec!.clusterIP, clusterIPs: next.spec!.clusterIPs }, want, name);
  }
});

test('patchAllocatedValues: cluster IPs, node ports by name, health check port', () => {
  const old = s({
    type: 'LoadBalancer',
    externalTrafficPolicy: 'Local',
    clusterIP: '10.0.0.1',
    clusterIPs: ['10.0.0.1'],
    healthCheckNodePort: 30100,
    ports: [tcp(80, { name: 'http', nodePort: 30080 }), tcp(443, { name: 'https', nodePort: 30443 })],
  });
  const next = s({
    type: 'LoadBalancer',
    externalTrafficPolicy: 'Local',
    ports: [
      tcp(8080, { name: 'http' }), // renumbered but same name: keeps 30080
      tcp(443, { name: 'https', nodePort: 30080 }), // took http's node port itself
      tcp(9000, { name: 'new' }),
    ],
  });
  patchAllocatedValues(next, old);
  assert.equal(next.spec!.clusterIP, '10.0.0.1');
  assert.deepEqual(next.spec!.clusterIPs, ['10.0.0.1']);
  assert.deepEqual(
    next.spec!.ports!.map((p) => p.nodePort),
    [undefined, 30080, undefined],
    '30080 is used by another new port, so http is not patched; new ports get nothing',
  );
  assert.equal(next.spec!.healthCheckNodePort, 30100);
  next.spec!.clusterIPs!.push('changed');
  assert.deepEqual(old.spec!.clusterIPs, ['10.0.0.1'], 'the stored object is not aliased');

  const toClusterIP = s({ type: 'ClusterIP', ports: [tcp(80, { name: 'http' })] });
  patchAllocatedValues(toClusterIP, old);
  assert.deepEqual(
    toClusterIP.spec!.ports!.map((p) => p.nodePort),
    [undefined],
    'ClusterIP needs no node ports',
  );
  assert.equal(toClusterIP.spec!.healthCheckNodePort, undefined);

  const toExternal = s({ type: 'ExternalName', externalName: 'a.example' });
  patchAllocatedValues(toExternal, old);
  assert.equal(toExternal.spec!.clusterIP, undefined, 'ExternalName needs no cluster IP');
});

test('dropTypeDependentFields: only what the new type does not use and the user did not change', () => {
  const lb = s(
    {
      type: 'LoadBalancer',
      clusterIP: '10.0.0.1',
      clusterIPs: ['10.0.0.1'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 30100,
      allocateLoadBalancerNodePorts: true,
      loadBalancerClass: 'example.com/lb',
      ports: [tcp(80, { nodePort: 30080 })],
    },
    { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  );

  const np = structuredClone(lb);
  np.spec!.type = 'NodePort';
  dropTypeDependentFields(np, lb);
  assert.deepEqual(
    np.spec!.ports!.map((p) => p.nodePort),
    [30080],
    'NodePort keeps node ports',
  );
  assert.equal(np.spec!.healthCheckNodePort, undefined);
  assert.equal(np.spec!.allocateLoadBalancerNodePorts, undefined);
  assert.equal(np.spec!.loadBalancerClass, undefined);
  assert.equal(np.spec!.externalTrafficPolicy, 'Local', 'NodePort is still externally accessible');
  assert.deepEqual(np.status, { loadBalancer: {} });

  const ext = structuredClone(lb);
  ext.spec!.type = 'ExternalName';
  ext.spec!.allocateLoadBalancerNodePorts = false; // changed by the user: kept for validation to reject
  dropTypeDependentFields(ext, lb);
  assert.deepEqual(
    [ext.spec!.clusterIP, ext.spec!.clusterIPs, ext.spec!.ipFamilies, ext.spec!.ipFamilyPolicy],
    [undefined, undefined, undefined, undefined],
  );
  assert.deepEqual(
    ext.spec!.ports!.map((p) => p.nodePort),
    [undefined],
  );
  assert.equal(ext.spec!.externalTrafficPolicy, undefined);
  assert.equal(ext.spec!.allocateLoadBalancerNodePorts, false);

  const userChanged = structuredClone(lb);
  userChanged.spec!.type = 'ClusterIP';
  userChanged.spec!.ports!.push(tcp(81, { nodePort: 30081 })); // a net-new node port
  userChanged.spec!.healthCheckNodePort = 30101;
  dropTypeDependentFields(userChanged, lb);
  assert.deepEqual(
    userChanged.spec!.ports!.map((p) => p.nodePort),
    [30080, 30081],
    'net-new node port: all kept',
  );
  assert.equal(userChanged.spec!.healthCheckNodePort, 30101);

  const withExternalIPs = s({ type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [tcp(80)] });
  const cip = s({
    type: 'ClusterIP',
    externalTrafficPolicy: 'Cluster',
    externalIPs: ['192.0.2.9'],
    ports: [tcp(80)],
  });
  dropTypeDependentFields(cip, withExternalIPs);
  assert.equal(cip.spec!.externalTrafficPolicy, 'Cluster', 'ClusterIP with external IPs still needs it');

  const created = s({ type: 'ClusterIP', externalTrafficPolicy: 'Cluster' });
  dropTypeDependentFields(created, undefined);
  assert.equal(created.spec!.externalTrafficPolicy, 'Cluster', 'creates are left alone');
});

test('node ports a Service holds: shared across protocols, health check port', () => {
  const x = s({
    type: 'LoadBalancer',
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: 30053,
    ports: [tcp(53, { nodePort: 30053 }), udp(53, { nodePort: 30053 }), tcp(54, { nodePort: 30053 })],
  });
  assert.deepEqual(
    collectHeldNodePorts(x),
    [30053, 30053, 30053],
    'same protocol twice is a duplicate; so is TCP hc',
  );
  const y = s({ type: 'NodePort', healthCheckNodePort: 30053, ports: [udp(53, { nodePort: 30053 })] });
  assert.deepEqual(
    collectHeldNodePorts(y),
    [30053],
    'a UDP node port does not clash with the TCP health check',
  );
});
