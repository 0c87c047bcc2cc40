import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { ServiceAllocator } from '../../../../src/api/registry/service/alloc.js';
import { serviceHooks } from '../../../../src/api/registry/service/hooks.js';
import type { FinishFunc } from '../../../../src/api/registry/strategy.js';
import { assertStatus, held, ipFields, newAlloc, nodePorts, svc, tcp, V4, V6 } from './helpers.js';

/** Create through the hooks, as the registry does (defaults and validation aside). */
function create(a: ServiceAllocator, s: Service, dryRun = false): Service {
  const h = serviceHooks(a);
  const finish = h.beginCreate(s, { dryRun, namespace: 'default' });
  h.prepareForCreate(s);
  finish(true);
  return s;
}

/** An update body derived from `old`, run through beginUpdate and prepareForUpdate. */
function update(
  a: ServiceAllocator,
  old: Service,
  edit: (s: Service) => void,
  dryRun = false,
): { svc: Service; finish: FinishFunc } {
  const h = serviceHooks(a);
  const next = structuredClone(old);
  edit(next);
  const finish = h.beginUpdate(next, old, { dryRun, namespace: 'default' });
  h.prepareForUpdate(next, old);
  return { svc: next, finish };
}

test('update: ClusterIP ⇄ NodePort ⇄ LoadBalancer ⇄ ExternalName, in sequence', () => {
  const a = newAlloc();
  let web = create(a, svc('web', { type: 'ClusterIP', ports: [tcp(80)] }));
  assert.equal(web.spec!.clusterIP, '10.96.1.1');

  // 1. to NodePort with a body that never mentions the cluster IP (kubectl apply of a manifest).
  let u = update(a, web, (s) => {
    s.spec!.type = 'NodePort';
    s.spec!.externalTrafficPolicy = 'Cluster';
    delete s.spec!.clusterIP;
    delete s.spec!.clusterIPs;
  });
  assert.equal(u.svc.spec!.clusterIP, '10.96.1.1', 'patched from the stored object');
  assert.deepEqual(u.svc.spec!.clusterIPs, ['10.96.1.1']);
  assert.deepEqual(nodePorts(u.svc), [30086]);
  assert.equal(a.inFlight.ports.get(30086), 1);
  u.finish(true);
  web = u.svc;
  assert.deepEqual(held(a), { ips: ['10.96.1.1'], ports: [30086] });

  // 2. the same manifest again, without node ports: kept by port name.
  u = update(a, web, (s) => delete s.spec!.ports![0]!.nodePort);
  assert.deepEqual(nodePorts(u.svc), [30086]);
  u.finish(true);
  assert.deepEqual(held(a).ports, [30086], 'nothing allocated or released');

  // 3. a renamed port without a node port is a new port: new node port, the old one released on commit.
  u = update(a, web, (s) => {
    s.spec!.ports![0]!.name = 'http';
    delete s.spec!.ports![0]!.nodePort;
  });
  assert.deepEqual(nodePorts(u.svc), [30087]);
  assert.deepEqual(held(a).ports, [30086, 30087], 'the old one is kept until commit');
  assert.equal(a.inFlight.ports.get(30086), 1, 'and held against the leak check');
  u.finish(true);
  web = u.svc;
  assert.deepEqual(held(a).ports, [30087]);

  // 4. to LoadBalancer with externalTrafficPolicy Local: node ports kept, health check port allocated.
  u = update(a, web, (s) => {
    s.spec!.type = 'LoadBalancer';
    s.spec!.allocateLoadBalancerNodePorts = true;
    s.spec!.externalTrafficPolicy = 'Local';
  });
  assert.deepEqual([nodePorts(u.svc), u.svc.spec!.healthCheckNodePort], [[30087], 30086]);
  u.finish(true);
  web = u.svc;
  (web as { status?: object }).status = { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } };

  // 5. Local → Cluster: the health check port goes on commit, and the field is dropped.
  u = update(a, web, (s) => {
    s.spec!.externalTrafficPolicy = 'Cluster';
  });
  assert.equal(u.svc.spec!.healthCheckNodePort, undefined, 'dropped: unchanged by the user');
  assert.deepEqual(
    u.svc.status,
    { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
    'status kept from old',
  );
  assert.deepEqual(held(a).ports, [30086, 30087]);
  u.finish(true);
  web = u.svc;
  assert.deepEqual(held(a).ports, [30087]);

  // 6. a full PUT of the LoadBalancer with only the type changed to ClusterIP.
  u = update(a, web, (s) => {
    s.spec!.type = 'ClusterIP';
  });
  assert.deepEqual(nodePorts(u.svc), [undefined], 'node ports dropped');
  assert.equal(u.svc.spec!.allocateLoadBalancerNodePorts, undefined);
  assert.equal(u.svc.spec!.externalTrafficPolicy, undefined, 'no longer externally accessible');
  assert.deepEqual(u.svc.status, { loadBalancer: {} }, 'load balancer status cleared');
  u.finish(true);
  web = u.svc;
  assert.deepEqual(held(a), { ips: ['10.96.1.1'], ports: [] });

  // 7. to ExternalName: a failed write keeps the IP, a successful one releases it.
  const toExt = (s: Service) => {
    s.spec!.type = 'ExternalName';
    s.spec!.externalName = 'example.com';
  };
  u = update(a, web, toExt);
  assert.deepEqual(ipFields(u.svc), {
    clusterIP: undefined,
    clusterIPs: undefined,
    ipFamilies: undefined,
    ipFamilyPolicy: undefined,
  });
  u.finish(false);
  assert.deepEqual(held(a).ips, ['10.96.1.1'], 'revert releases nothing that was kept');
  u = update(a, web, toExt);
  u.finish(true);
  web = u.svc;
  assert.deepEqual(held(a), { ips: [], ports: [] });

  // 8. back from ExternalName: a fresh cluster IP.
  u = update(a, web, (s) => {
    s.spec!.type = 'ClusterIP';
    delete s.spec!.externalName;
  });
  assert.deepEqual(ipFields(u.svc), {
    clusterIP: '10.96.1.1',
    clusterIPs: ['10.96.1.1'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
  });
  u.finish(true);
  assert.deepEqual(held(a), { ips: ['10.96.1.1'], ports: [] });
  assert.equal(a.inFlight.ips.size + a.inFlight.ports.size, 0);
});

test('update: node port conflicts, duplicates, dry run', () => {
  const a = newAlloc();
  create(a, svc('other', { type: 'NodePort', ports: [tcp(80, { nodePort: 30080 })] }));
  let np = create(a, svc('np', { type: 'NodePort', ports: [tcp(80)] }));
  assert.deepEqual(nodePorts(np), [30086]);

  assertStatus(
    () =>
      update(a, np, (s) => {
        s.spec!.ports!.push(tcp(81), tcp(82, { nodePort: 30080 }));
      }),
    422,
    'Service "np" is invalid: spec.ports[2].nodePort: Invalid value: 30080: provided port is already allocated',
  );
  assert.deepEqual(held(a).ports, [30080, 30086], 'the port allocated for ports[1] was given back');

  assertStatus(
    () =>
      update(a, np, (s) => {
        s.spec!.ports!.push(tcp(81, { nodePort: 30090 }), tcp(82, { nodePort: 30090 }));
      }),
    422,
    'Service "np" is invalid: spec.ports[2].nodePort: Duplicate value: 30090',
  );
  assert.deepEqual(held(a).ports, [30080, 30086]);

  const u = update(
    a,
    np,
    (s) => {
      s.spec!.ports!.push(tcp(81));
      s.spec!.type = 'LoadBalancer';
      s.spec!.externalTrafficPolicy = 'Local';
      s.spec!.allocateLoadBalancerNodePorts = true;
    },
    true,
  );
  assert.deepEqual([nodePorts(u.svc), u.svc.spec!.healthCheckNodePort], [[30086, 30087], 30088]);
  u.finish(true);
  assert.deepEqual(held(a).ports, [30080, 30086], 'dry run reserved nothing');
  np = u.svc;
});

test('dual-stack: SingleStack → PreferDualStack upgrade, no-op, reduce errors, downgrade', () => {
  const a = newAlloc([V4, V6]);
  let ds = create(a, svc('ds', { type: 'ClusterIP', ports: [tcp(80)] }));
  assert.deepEqual(ipFields(ds), {
    clusterIP: '10.96.1.1',
    clusterIPs: ['10.96.1.1'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
  });

  let u = update(a, ds, (s) => {
    s.spec!.ipFamilyPolicy = 'PreferDualStack';
  });
  assert.deepEqual(ipFields(u.svc), {
    clusterIP: '10.96.1.1',
    clusterIPs: ['10.96.1.1', 'fd00::101'],
    ipFamilies: ['IPv4', 'IPv6'],
    ipFamilyPolicy: 'PreferDualStack',
  });
  u.finish(true);
  ds = u.svc;
  assert.deepEqual(held(a).ips, ['10.96.1.1', 'fd00::101']);

  u = update(a, ds, () => {});
  u.finish(true);
  assert.deepEqual(ipFields(u.svc), ipFields(ds), 'PreferDualStack with nothing changed stays as it is');

  assertStatus(
    () =>
      update(a, ds, (s) => {
        s.spec!.clusterIPs = ['10.96.1.1'];
      }),
    422,
    `Service "ds" is invalid: spec.ipFamilyPolicy: Invalid value: "PreferDualStack": must be 'SingleStack' to release the secondary cluster IP`,
  );

  // SingleStack with the same IPs and families: drop the secondary.
  u = update(a, ds, (s) => {
    s.spec!.ipFamilyPolicy = 'SingleStack';
  });
  assert.deepEqual(ipFields(u.svc), {
    clusterIP: '10.96.1.1',
    clusterIPs: ['10.96.1.1'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
  });
  assert.deepEqual(held(a).ips, ['10.96.1.1', 'fd00::101'], 'released only on commit');
  u.finish(false);
  assert.deepEqual(held(a).ips, ['10.96.1.1', 'fd00::101'], 'a failed downgrade keeps it');
  u = update(a, ds, (s) => {
    s.spec!.ipFamilyPolicy = 'SingleStack';
  });
  u.finish(true);
  ds = u.svc;
  assert.deepEqual(held(a).ips, ['10.96.1.1']);

  // Upgrade asking for a secondary that is taken.
  create(a, svc('v6', { type: 'ClusterIP', ipFamilies: ['IPv6'], ports: [tcp(80)] }));
  assert.deepEqual(held(a).ips, ['10.96.1.1', 'fd00::101']);
  assertStatus(
    () =>
      update(a, ds, (s) => {
        s.spec!.ipFamilyPolicy = 'RequireDualStack';
        s.spec!.clusterIPs = ['10.96.1.1', 'fd00::101'];
      }),
    422,
    'Service "ds" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.1.1", "fd00::101"}: failed to allocate IP fd00::101: provided IP is already allocated',
  );
});

test('dual-stack create: families, order, SingleStack with two IPs, headless', () => {
  const a = newAlloc([V4, V6]);
  const v6first = create(
    a,
    svc('v6', {
      type: 'ClusterIP',
      ipFamilyPolicy: 'PreferDualStack',
      ipFamilies: ['IPv6'],
      ports: [tcp(80)],
    }),
  );
  assert.deepEqual(ipFields(v6first), {
    clusterIP: 'fd00::101',
    clusterIPs: ['fd00::101', '10.96.1.1'],
    ipFamilies: ['IPv6', 'IPv4'],
    ipFamilyPolicy: 'PreferDualStack',
  });
  const req = create(
    a,
    svc('req', {
      type: 'ClusterIP',
      ipFamilyPolicy: 'RequireDualStack',
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ports: [tcp(80)],
    }),
  );
  assert.deepEqual(req.spec!.clusterIPs, ['10.96.0.10', 'fd00::102'], 'requested primary, next secondary');
  assertStatus(
    () =>
      create(
        a,
        svc('two', {
          type: 'ClusterIP',
          ipFamilyPolicy: 'SingleStack',
          clusterIP: '10.96.0.11',
          clusterIPs: ['10.96.0.11', 'fd00::11'],
          ports: [tcp(80)],
        }),
      ),
    422,
    `Service "two" is invalid: spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified`,
  );
  const headless = create(
    a,
    svc('hl', { type: 'ClusterIP', clusterIP: 'None', ipFamilyPolicy: 'PreferDualStack', ports: [tcp(80)] }),
  );
  assert.deepEqual(ipFields(headless), {
    clusterIP: 'None',
    clusterIPs: ['None'],
    ipFamilies: ['IPv4', 'IPv6'],
    ipFamilyPolicy: 'PreferDualStack',
  });
  assert.deepEqual(held(a).ips, ['10.96.0.10', '10.96.1.1', 'fd00::101', 'fd00::102']);
});
