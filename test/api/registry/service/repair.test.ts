import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { held, newAlloc, svc, tcp, udp, V4, V6 } from './helpers.js';

const withIP = (name: string, ip: string, more: Partial<NonNullable<Service['spec']>> = {}): Service =>
  svc(name, { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ports: [tcp(80)], ...more });

test('repair at startup: rebuilds from stored Services and reports what upstream reports', () => {
  const a = newAlloc();
  a.ipAllocators.get('IPv4')!.allocate('10.96.7.7'); // stale state from before the restart
  a.nodePorts.allocate(30777);
  const stored: Service[] = [
    withIP('kubernetes', '10.96.0.1'),
    withIP('a', '10.96.0.10', { type: 'NodePort', ports: [tcp(80, { nodePort: 30010 })] }),
    withIP('dup', '10.96.0.10'),
    withIP('out', '1.1.1.1'),
    withIP('bad', 'bogus'),
    withIP('v6', 'fd00::1'),
    withIP('dupport', '10.96.0.11', { type: 'NodePort', ports: [tcp(81, { nodePort: 30010 })] }),
    withIP('lowport', '10.96.0.12', { type: 'NodePort', ports: [tcp(81, { nodePort: 80 })] }),
    withIP('dns', '10.96.0.13', {
      type: 'NodePort',
      ports: [tcp(53, { nodePort: 30053 }), udp(53, { nodePort: 30053 })],
    }),
    svc('headless', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }),
    svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
  ];
  const findings = a.repair(stored);
  assert.deepEqual(
    findings.map((f) => [f.name, f.reason, f.message, f.source]),
    [
      [
        'dup',
        'ClusterIPAlreadyAllocated',
        'Cluster IP [IPv4]:10.96.0.10 was assigned to multiple services; please recreate service',
        'ipallocator-repair-controller',
      ],
      [
        'out',
        'ClusterIPOutOfRange',
        'Cluster IP [IPv4]:1.1.1.1 is not within the service CIDR 10.96.0.0/12; please recreate service',
        'ipallocator-repair-controller',
      ],
      [
        'bad',
        'ClusterIPNotValid',
        'Cluster IP bogus is not a valid IP; please recreate service',
        'ipallocator-repair-controller',
      ],
      [
        'v6',
        'ClusterIPNotValid',
        'Cluster IP fd00::1(IPv6) is of ip family that is no longer configured on cluster; please recreate service',
        'ipallocator-repair-controller',
      ],
      [
        'dupport',
        'PortAlreadyAllocated',
        'Port 30010 was assigned to multiple services; please recreate service',
        'portallocator-repair-controller',
      ],
      [
        'lowport',
        'PortOutOfRange',
        'Port 80 is not within the port range 30000-32767; please recreate service',
        'portallocator-repair-controller',
      ],
    ],
  );
  assert.deepEqual(findings[0], {
    namespace: 'default',
    name: 'dup',
    uid: 'uid-dup',
    type: 'Warning',
    reason: 'ClusterIPAlreadyAllocated',
    message: 'Cluster IP [IPv4]:10.96.0.10 was assigned to multiple services; please recreate service',
    source: 'ipallocator-repair-controller',
  });
  assert.deepEqual(held(a), {
    ips: ['10.96.0.1', '10.96.0.10', '10.96.0.11', '10.96.0.12', '10.96.0.13'],
    ports: [30010, 30053],
  });
  assert.deepEqual(a.repair(stored).length, 6, 'idempotent');
});

test('findLeaks: re-allocates missing values, frees leaks on the third sighting, spares open transactions', () => {
  const a = newAlloc([V4, V6]);
  const owned = withIP('owned', '10.96.0.20', { type: 'NodePort', ports: [tcp(80, { nodePort: 30020 })] });
  const stored = [owned];
  a.ipAllocators.get('IPv4')!.allocate('10.96.5.5'); // leaked
  a.ipAllocators.get('IPv6')!.allocate('fd00::5'); // leaked
  a.nodePorts.allocate(30500); // leaked

  // An open create: allocated, not yet stored.
  const pending = svc('pending', { type: 'NodePort', ipFamilyPolicy: 'PreferDualStack', ports: [tcp(80)] });
  const txn = a.allocateCreate(pending, false);

  const first = a.findLeaks(stored);
  assert.deepEqual(
    first.findings.map((f) => [f.reason, f.message]),
    [
      ['ClusterIPNotAllocated', 'Cluster IP [IPv4]:10.96.0.20 is not allocated; repairing'],
      ['PortNotAllocated', 'Port 30020 is not allocated; repairing'],
    ],
  );
  assert.equal(a.ipAllocators.get('IPv4')!.has('10.96.0.20'), true, 'repaired');
  assert.deepEqual(first.leaks, [
    {
      kind: 'ClusterIP',
      value: '10.96.5.5',
      released: false,
      message: 'the cluster IP 10.96.5.5 may have leaked: flagging for later clean up',
    },
    {
      kind: 'ClusterIP',
      value: 'fd00::5',
      released: false,
      message: 'the cluster IP fd00::5 may have leaked: flagging for later clean up',
    },
    {
      kind: 'NodePort',
      value: '30500',
      released: false,
      message: 'the node port 30500 may have leaked: flagging for later clean up',
    },
  ]);

  const second = a.findLeaks(stored);
  assert.deepEqual([second.findings, second.leaks], [[], []], 'counting down silently');
  assert.equal(a.nodePorts.has(30500), true);

  const third = a.findLeaks(stored);
  assert.deepEqual(
    third.leaks.map((l) => [l.value, l.released, l.message]),
    [
      ['10.96.5.5', true, 'the cluster IP 10.96.5.5 appears to have leaked: cleaning up'],
      ['fd00::5', true, 'the cluster IP fd00::5 appears to have leaked: cleaning up'],
      ['30500', true, 'the node port 30500 appears to have leaked: cleaning up'],
    ],
  );
  assert.deepEqual(third.released, third.leaks, 'all three were released');
  const pendingValues = [
    ...pending.spec!.clusterIPs!,
    ...pending.spec!.ports!.map((p) => String(p.nodePort)),
  ];
  assert.deepEqual(pendingValues, ['10.96.1.1', 'fd00::101', '30086']);
  assert.deepEqual(
    held(a),
    {
      ips: ['10.96.0.20', '10.96.1.1', 'fd00::101'],
      ports: [30020, 30086],
    },
    'the open transaction kept its values through three checks',
  );

  txn.commit();
  stored.push(pending);
  for (let i = 0; i < 3; i++) assert.deepEqual(a.findLeaks(stored).leaks, []);
  assert.deepEqual(held(a).ports, [30020, 30086]);
});

test('findLeaks: a value that becomes owned again starts over', () => {
  const a = newAlloc();
  a.ipAllocators.get('IPv4')!.allocate('10.96.0.50');
  assert.equal(a.findLeaks([]).leaks.length, 1);
  assert.equal(a.findLeaks([]).leaks.length, 0);
  // Now a stored Service owns it (its write landed after an earlier list).
  assert.deepEqual(a.findLeaks([withIP('late', '10.96.0.50')]).leaks, []);
  assert.equal(a.leakCounters.ips.size, 0);
  // Deleted without release (crash): the count starts from scratch.
  assert.equal(a.findLeaks([]).leaks[0]!.released, false);
  assert.deepEqual(a.findLeaks([]).leaks, []);
  assert.equal(a.findLeaks([]).leaks[0]!.released, true);
  assert.deepEqual(held(a).ips, []);
});
