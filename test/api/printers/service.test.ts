import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { tableConvertorFor } from '../../../src/api/printers/index.js';
import { ago, DAY, NOW } from './helpers.js';

const printer = tableConvertorFor('', 'Service');

function svc(name: string, spec: Service['spec'], status?: Service['status']): Service {
  return { metadata: { name, creationTimestamp: ago(2 * DAY) }, spec, status };
}

describe('Service columns', () => {
  it('are NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, then SELECTOR for -o wide', () => {
    assert.deepEqual(
      printer.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Type', 'string', '', 0],
        ['Cluster-IP', 'string', '', 0],
        ['External-IP', 'string', '', 0],
        ['Port(s)', 'string', '', 0],
        ['Age', 'string', '', 0],
        ['Selector', 'string', '', 1],
      ],
    );
    assert.match(printer.columns[0]!.description, /^Name must be unique within a namespace/);
    assert.match(printer.columns[1]!.description, /^type determines how the Service is exposed/);
  });
});

describe('Service rows', () => {
  const cases: { name: string; svc: Service; want: unknown[] }[] = [
    {
      name: 'ClusterIP with one port and a selector',
      svc: svc('web', {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }],
        selector: { app: 'web' },
      }),
      want: ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP', '2d', 'app=web'],
    },
    {
      name: 'ClusterIP with externalIPs, several ports and selector keys sorted',
      svc: svc('multi', {
        type: 'ClusterIP',
        clusterIPs: ['10.96.0.11'],
        externalIPs: ['192.0.2.1', '192.0.2.2'],
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'sctp', port: 9999, protocol: 'SCTP' },
        ],
        selector: { tier: 'front', app: 'web', 'app.kubernetes.io/name': 'x' },
      }),
      want: [
        'multi',
        'ClusterIP',
        '10.96.0.11',
        '192.0.2.1,192.0.2.2',
        '80/TCP,53/UDP,9999/SCTP',
        '2d',
        'app=web,app.kubernetes.io/name=x,tier=front',
      ],
    },
    {
      name: 'headless ClusterIP without ports or selector',
      svc: svc('headless', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }),
      want: ['headless', 'ClusterIP', 'None', '<none>', '<none>', '2d', '<none>'],
    },
    {
      name: 'dual-stack shows the primary cluster IP',
      svc: svc('dual', {
        type: 'ClusterIP',
        clusterIPs: ['fd00::10', '10.96.0.12'],
        ports: [{ port: 443, protocol: 'TCP' }],
      }),
      want: ['dual', 'ClusterIP', 'fd00::10', '<none>', '443/TCP', '2d', '<none>'],
    },
    {
      name: 'a lone clusterIP counts as clusterIPs[0]; protocol defaults to TCP',
      svc: svc('legacy', { type: 'ClusterIP', clusterIP: '10.96.0.13', ports: [{ port: 8080 }] }),
      want: ['legacy', 'ClusterIP', '10.96.0.13', '<none>', '8080/TCP', '2d', '<none>'],
    },
    {
      name: 'NodePort shows port:nodePort',
      svc: svc('np', {
        type: 'NodePort',
        clusterIPs: ['10.96.0.20'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 443, nodePort: 30443, protocol: 'TCP' },
        ],
        selector: { app: 'np' },
      }),
      want: ['np', 'NodePort', '10.96.0.20', '<none>', '80:30080/TCP,443:30443/TCP', '2d', 'app=np'],
    },
    {
      name: 'NodePort with externalIPs',
      svc: svc('np-ext', {
        type: 'NodePort',
        clusterIPs: ['10.96.0.21'],
        externalIPs: ['198.51.100.7'],
        ports: [{ port: 80, nodePort: 30081, protocol: 'TCP' }],
      }),
      want: ['np-ext', 'NodePort', '10.96.0.21', '198.51.100.7', '80:30081/TCP', '2d', '<none>'],
    },
    {
      name: 'LoadBalancer without ingress is pending',
      svc: svc('lb', {
        type: 'LoadBalancer',
        clusterIPs: ['10.96.0.30'],
        ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }],
      }),
      want: ['lb', 'LoadBalancer', '10.96.0.30', '<pending>', '80:31000/TCP', '2d', '<none>'],
    },
    {
      name: 'LoadBalancer ingress IPs and hostnames, de-duplicated and sorted, unclipped',
      svc: svc(
        'lb-ready',
        {
          type: 'LoadBalancer',
          clusterIPs: ['10.96.0.31'],
          ports: [{ port: 80, nodePort: 31001, protocol: 'TCP' }],
        },
        {
          loadBalancer: {
            ingress: [
              { ip: '203.0.113.20' },
              { hostname: 'lb.example.com' },
              { ip: '203.0.113.10', hostname: 'ignored.example.com' },
              { ip: '203.0.113.20' },
              {},
            ],
          },
        },
      ),
      want: [
        'lb-ready',
        'LoadBalancer',
        '10.96.0.31',
        '203.0.113.10,203.0.113.20,lb.example.com',
        '80:31001/TCP',
        '2d',
        '<none>',
      ],
    },
    {
      name: 'LoadBalancer ingress followed by externalIPs',
      svc: svc(
        'lb-ext',
        {
          type: 'LoadBalancer',
          clusterIPs: ['10.96.0.32'],
          externalIPs: ['192.0.2.50'],
          ports: [{ port: 80, nodePort: 31002, protocol: 'TCP' }],
        },
        { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } },
      ),
      want: [
        'lb-ext',
        'LoadBalancer',
        '10.96.0.32',
        '203.0.113.5,192.0.2.50',
        '80:31002/TCP',
        '2d',
        '<none>',
      ],
    },
    {
      name: 'LoadBalancer pending ingress but with externalIPs',
      svc: svc('lb-ext-only', {
        type: 'LoadBalancer',
        clusterIPs: ['10.96.0.33'],
        externalIPs: ['192.0.2.51'],
        ports: [{ port: 80, nodePort: 31003, protocol: 'TCP' }],
      }),
      want: ['lb-ext-only', 'LoadBalancer', '10.96.0.33', '192.0.2.51', '80:31003/TCP', '2d', '<none>'],
    },
    {
      name: 'LoadBalancer without node ports (allocateLoadBalancerNodePorts=false)',
      svc: svc(
        'lb-nonp',
        {
          type: 'LoadBalancer',
          clusterIPs: ['10.96.0.34'],
          allocateLoadBalancerNodePorts: false,
          ports: [{ port: 80, protocol: 'TCP' }],
        },
        { loadBalancer: { ingress: [{ ip: '203.0.113.6' }] } },
      ),
      want: ['lb-nonp', 'LoadBalancer', '10.96.0.34', '203.0.113.6', '80/TCP', '2d', '<none>'],
    },
    {
      name: 'ExternalName shows the external name and no cluster IP',
      svc: svc('ext', { type: 'ExternalName', externalName: 'db.example.com' }),
      want: ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '2d', '<none>'],
    },
    {
      name: 'ExternalName with ports',
      svc: svc('ext-ports', {
        type: 'ExternalName',
        externalName: 'api.example.com',
        ports: [{ port: 443, protocol: 'TCP' }],
      }),
      want: ['ext-ports', 'ExternalName', '<none>', 'api.example.com', '443/TCP', '2d', '<none>'],
    },
    {
      name: 'unknown type',
      svc: svc('odd', { type: 'Bogus', clusterIPs: ['10.96.0.40'] }),
      want: ['odd', 'Bogus', '10.96.0.40', '<unknown>', '<none>', '2d', '<none>'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(printer.rows(c.svc, NOW), [c.want]));
  }

  it('age is <unknown> without a creation timestamp', () => {
    const row = printer.rows({ metadata: { name: 'x' }, spec: { type: 'ClusterIP' } } as Service, NOW)[0]!;
    assert.equal(row[5], '<unknown>');
  });
});
