import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertStatus, held, ipFields, newAlloc, nodePorts, svc, tcp, udp, V4, V6 } from './helpers.js';

test('create: cluster IPs requested and next, conflicts and range errors, commit and revert', () => {
  const a = newAlloc();
  const s1 = svc('a', { type: 'ClusterIP', ports: [tcp(80)] });
  const t1 = a.allocateCreate(s1, false);
  assert.deepEqual(ipFields(s1), {
    clusterIP: '10.96.1.1',
    clusterIPs: ['10.96.1.1'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
  });
  assert.equal(a.inFlight.ips.get('10.96.1.1'), 1, 'held by the open transaction');
  t1.commit();
  assert.equal(a.inFlight.ips.size, 0);
  assert.deepEqual(held(a).ips, ['10.96.1.1']);

  const s2 = svc('b', {
    type: 'ClusterIP',
    clusterIP: '10.96.0.42',
    clusterIPs: ['10.96.0.42'],
    ports: [tcp(80)],
  });
  a.allocateCreate(s2, false).commit();
  assert.equal(s2.spec!.clusterIP, '10.96.0.42', 'requested addresses may be in the static band');

  const s3 = svc('c', {
    type: 'ClusterIP',
    clusterIP: '10.96.0.42',
    clusterIPs: ['10.96.0.42'],
    ports: [tcp(80)],
  });
  const err = assertStatus(
    () => a.allocateCreate(s3, false),
    422,
    'Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.42"}: failed to allocate IP 10.96.0.42: provided IP is already allocated',
  );
  assert.deepEqual(err.details?.causes, [
    {
      reason: 'FieldValueInvalid',
      message:
        'Invalid value: []string{"10.96.0.42"}: failed to allocate IP 10.96.0.42: provided IP is already allocated',
      field: 'spec.clusterIPs',
    },
  ]);
  assert.deepEqual(err.details?.kind, 'Service');

  const s4 = svc('d', { type: 'ClusterIP', clusterIP: '1.1.1.1', clusterIPs: ['1.1.1.1'], ports: [tcp(80)] });
  assertStatus(
    () => a.allocateCreate(s4, false),
    422,
    'Service "d" is invalid: spec.clusterIPs: Invalid value: []string{"1.1.1.1"}: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
  );

  const s5 = svc('e', { type: 'ClusterIP', ports: [tcp(80)] });
  const t5 = a.allocateCreate(s5, false);
  assert.equal(s5.spec!.clusterIP, '10.96.1.2');
  t5.revert();
  assert.deepEqual(held(a).ips, ['10.96.0.42', '10.96.1.1'], 'revert gives the address back');
  t5.revert();
  t5.commit();
  assert.deepEqual(held(a).ips, ['10.96.0.42', '10.96.1.1'], 'a settled transaction ignores later calls');
  assert.equal(a.inFlight.ips.size, 0);
});

test('create: headless and ExternalName get no cluster IP', () => {
  const a = newAlloc();
  const headless = svc('h', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [tcp(80)] });
  a.allocateCreate(headless, false).commit();
  assert.deepEqual(ipFields(headless), {
    clusterIP: 'None',
    clusterIPs: ['None'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
  });

  // #104986: headless without selector defaults to RequireDualStack, even on a single-stack cluster.
  const selectorless = svc('hs', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }, null);
  a.allocateCreate(selectorless, false).commit();
  assert.deepEqual(ipFields(selectorless), {
    clusterIP: 'None',
    clusterIPs: ['None'],
    ipFamilies: ['IPv4', 'IPv6'],
    ipFamilyPolicy: 'RequireDualStack',
  });
  const single = svc(
    'hs1',
    { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ipFamilyPolicy: 'SingleStack' },
    null,
  );
  a.allocateCreate(single, false).commit();
  assert.deepEqual(single.spec!.ipFamilies, ['IPv4']);

  const ext = svc('x', { type: 'ExternalName', externalName: 'example.com' });
  a.allocateCreate(ext, false).commit();
  assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'example.com' }, 'untouched');
  assert.deepEqual(held(a), { ips: [], ports: [] });
});

test('create: family errors on a single-stack cluster', () => {
  const a = newAlloc();
  assertStatus(
    () =>
      a.allocateCreate(
        svc('r', { type: 'ClusterIP', ipFamilyPolicy: 'RequireDualStack', ports: [tcp(80)] }),
        false,
      ),
    422,
    'Service "r" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
  );
  assertStatus(
    () => a.allocateCreate(svc('f', { type: 'ClusterIP', ipFamilies: ['IPv6'], ports: [tcp(80)] }), false),
    422,
    'Service "f" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster',
  );
  assertStatus(
    () =>
      a.allocateCreate(
        svc('i', { type: 'ClusterIP', clusterIP: 'fd00::1', clusterIPs: ['fd00::1'], ports: [tcp(80)] }),
        false,
      ),
    422,
    'Service "i" is invalid: spec.clusterIPs[0]: Invalid value: []string{"fd00::1"}: IPv6 is not configured on this cluster',
  );
  assertStatus(
    () =>
      a.allocateCreate(
        svc('m', { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.2'], ports: [tcp(80)] }),
        false,
      ),
    422,
    'Service "m" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.2"}: first value must match `clusterIP`',
  );
  // PreferDualStack on a single-stack cluster is fine: one family.
  const p = svc('p', { type: 'ClusterIP', ipFamilyPolicy: 'PreferDualStack', ports: [tcp(80)] });
  a.allocateCreate(p, false).commit();
  assert.deepEqual(ipFields(p).ipFamilies, ['IPv4']);
  assert.deepEqual(held(a).ips, ['10.96.1.1'], 'failed creates took nothing');
});

test('create: node ports for NodePort, sharing across protocols, requested ones, errors', () => {
  const a = newAlloc();
  const np = svc('np', { type: 'NodePort', ports: [tcp(80), tcp(443, { nodePort: 30443 })] });
  a.allocateCreate(np, false).commit();
  assert.deepEqual(nodePorts(np), [30086, 30443]);

  // Same port number, different protocols: one node port for both (DNS-style).
  const dns = svc('dns', { type: 'NodePort', ports: [tcp(53), udp(53)] });
  a.allocateCreate(dns, false).commit();
  assert.deepEqual(nodePorts(dns), [30087, 30087]);

  const dnsReq = svc('dns2', { type: 'NodePort', ports: [tcp(54), udp(54, { nodePort: 30054 })] });
  a.allocateCreate(dnsReq, false).commit();
  assert.deepEqual(nodePorts(dnsReq), [30054, 30054], 'a later port with a request decides for both');

  const dnsTwo = svc('dns3', {
    type: 'NodePort',
    ports: [tcp(55, { nodePort: 30055 }), udp(55, { nodePort: 30056 })],
  });
  a.allocateCreate(dnsTwo, false).commit();
  assert.deepEqual(nodePorts(dnsTwo), [30055, 30056], 'different requests are both allocated');

  assert.deepEqual(held(a).ports, [30054, 30055, 30056, 30086, 30087, 30443]);
  const ipsBefore = held(a).ips;

  assertStatus(
    () =>
      a.allocateCreate(
        svc('c1', { type: 'NodePort', ports: [tcp(80), tcp(81, { nodePort: 30443 })] }),
        false,
      ),
    422,
    'Service "c1" is invalid: spec.ports[1].nodePort: Invalid value: 30443: provided port is already allocated',
  );
  assertStatus(
    () => a.allocateCreate(svc('c2', { type: 'NodePort', ports: [tcp(80, { nodePort: 80 })] }), false),
    422,
    'Service "c2" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  assert.deepEqual(held(a).ips, ipsBefore, 'the cluster IP of a failed create is given back');
  assert.deepEqual(held(a).ports, [30054, 30055, 30056, 30086, 30087, 30443], 'and its node ports');

  const cip = svc('cip', { type: 'ClusterIP', ports: [tcp(80, { nodePort: 30999 })] });
  a.allocateCreate(cip, false).commit();
  assert.deepEqual(nodePorts(cip), [30999], 'ClusterIP: left for validation to reject, not allocated');
  assert.equal(a.nodePorts.has(30999), false);
});

test('create: LoadBalancer node ports, allocateLoadBalancerNodePorts=false, health check port', () => {
  const a = newAlloc();
  const lb = svc('lb', {
    type: 'LoadBalancer',
    allocateLoadBalancerNodePorts: true,
    externalTrafficPolicy: 'Cluster',
    ports: [tcp(80)],
  });
  a.allocateCreate(lb, false).commit();
  assert.deepEqual([nodePorts(lb), lb.spec!.healthCheckNodePort], [[30086], undefined]);

  const noNP = svc('lb2', {
    type: 'LoadBalancer',
    allocateLoadBalancerNodePorts: false,
    externalTrafficPolicy: 'Cluster',
    ports: [tcp(80), tcp(81, { nodePort: 30081 })],
  });
  a.allocateCreate(noNP, false).commit();
  assert.deepEqual(nodePorts(noNP), [undefined, 30081], 'only explicit requests');

  const local = svc('lb3', {
    type: 'LoadBalancer',
    allocateLoadBalancerNodePorts: true,
    externalTrafficPolicy: 'Local',
    ports: [tcp(80)],
  });
  const t = a.allocateCreate(local, false);
  assert.deepEqual([nodePorts(local), local.spec!.healthCheckNodePort], [[30087], 30088]);
  t.revert();
  assert.deepEqual(held(a).ports, [30081, 30086], 'revert gives back node ports and the health check port');

  const req = svc('lb4', {
    type: 'LoadBalancer',
    allocateLoadBalancerNodePorts: true,
    externalTrafficPolicy: 'Local',
    healthCheckNodePort: 30081,
    ports: [tcp(80)],
  });
  assertStatus(
    () => a.allocateCreate(req, false),
    500,
    'Internal error occurred: failed to allocate requested HealthCheck NodePort 30081: provided port is already allocated',
  );
  assert.deepEqual(held(a).ports, [30081, 30086]);
  assert.deepEqual(held(a).ips, ['10.96.1.1', '10.96.1.2']);
});

test('create: full ranges are internal errors', () => {
  const a = newAlloc(['10.0.0.0/30'], { nodePortRange: '30000-30000' });
  a.allocateCreate(svc('a', { type: 'NodePort', ports: [tcp(80)] }), false).commit();
  a.allocateCreate(svc('b', { type: 'ClusterIP', ports: [tcp(80)] }), false).commit();
  assertStatus(
    () => a.allocateCreate(svc('c', { type: 'ClusterIP', ports: [tcp(80)] }), false),
    500,
    'Internal error occurred: failed to allocate a serviceIP: range is full',
  );
  const b = newAlloc([V4], { nodePortRange: '30000-30000' });
  b.allocateCreate(svc('a', { type: 'NodePort', ports: [tcp(80)] }), false).commit();
  assertStatus(
    () => b.allocateCreate(svc('b', { type: 'NodePort', ports: [tcp(80)] }), false),
    500,
    'Internal error occurred: failed to allocate a nodePort: range is full',
  );
  assertStatus(
    () =>
      b.allocateCreate(
        svc('c', {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Local',
          allocateLoadBalancerNodePorts: false,
          ports: [tcp(80)],
        }),
        false,
      ),
    500,
    'Internal error occurred: failed to allocate a HealthCheck NodePort 0: range is full',
  );
  assert.deepEqual(held(b).ips, ['10.96.1.1'], 'the failed creates gave their IPs back');
});

test('create: dry run answers like a real create and reserves nothing', () => {
  const a = newAlloc([V4, V6]);
  a.allocateCreate(svc('taken', { type: 'NodePort', ports: [tcp(80, { nodePort: 30080 })] }), false).commit();
  const before = held(a);

  const s = svc('d', {
    type: 'LoadBalancer',
    ipFamilyPolicy: 'PreferDualStack',
    externalTrafficPolicy: 'Local',
    allocateLoadBalancerNodePorts: true,
    ports: [tcp(80), tcp(81)],
  });
  const t = a.allocateCreate(s, true);
  assert.deepEqual(ipFields(s), {
    clusterIP: '10.96.1.2',
    clusterIPs: ['10.96.1.2', 'fd00::101'],
    ipFamilies: ['IPv4', 'IPv6'],
    ipFamilyPolicy: 'PreferDualStack',
  });
  assert.deepEqual(
    [...nodePorts(s), s.spec!.healthCheckNodePort],
    [30086, 30087, 30088],
    'distinct, free values',
  );
  t.commit();
  assert.deepEqual(held(a), before, 'dry run reserved nothing');
  assert.equal(a.inFlight.ips.size + a.inFlight.ports.size, 0);

  assertStatus(
    () => a.allocateCreate(svc('e', { type: 'NodePort', ports: [tcp(80, { nodePort: 30080 })] }), true),
    422,
    'Service "e" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
  );
  assertStatus(
    () =>
      a.allocateCreate(
        svc('f', { type: 'ClusterIP', clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ports: [tcp(80)] }),
        true,
      ),
    422,
    'Service "f" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.1.1"}: failed to allocate IP 10.96.1.1: provided IP is already allocated',
  );
  assert.deepEqual(held(a), before);
});

test('releaseAll gives back everything a deleted Service held', () => {
  const a = newAlloc([V4, V6]);
  const s = svc('lb', {
    type: 'LoadBalancer',
    ipFamilyPolicy: 'RequireDualStack',
    externalTrafficPolicy: 'Local',
    allocateLoadBalancerNodePorts: true,
    ports: [tcp(53), udp(53), tcp(80)],
  });
  a.allocateCreate(s, false).commit();
  assert.deepEqual(held(a), { ips: ['10.96.1.1', 'fd00::101'], ports: [30086, 30087, 30088] });
  a.releaseAll(s);
  assert.deepEqual(held(a), { ips: [], ports: [] });
  a.releaseAll(svc('x', { type: 'ExternalName', externalName: 'a.b' }));
  a.releaseAll(svc('h', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }));
});

test('kubernetes service IP is the first address of the primary range', () => {
  assert.equal(newAlloc().kubernetesServiceIP(), '10.96.0.1');
  assert.equal(newAlloc([V6, V4]).kubernetesServiceIP(), 'fd00::1');
  assert.throws(() => newAlloc(['10.0.0.0/24', '10.1.0.0/24']), /different IP families/);
});
