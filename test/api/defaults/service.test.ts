import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { setServiceDefaults } from '../../../src/api/defaults/service.js';

const meta = { name: 'web', namespace: 'default' };

const cases: [name: string, input: Service, want: Service][] = [
  [
    'minimal ClusterIP',
    { metadata: meta, spec: { ports: [{ port: 80 }] } },
    {
      metadata: meta,
      spec: {
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        sessionAffinity: 'None',
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
  ],
  [
    'no spec at all',
    { metadata: meta },
    {
      metadata: meta,
      spec: { sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster' },
    },
  ],
  [
    'targetPort 0 and "" mean the port; explicit values stay',
    {
      metadata: meta,
      spec: {
        ports: [
          { name: 'a', port: 80, targetPort: 0 },
          { name: 'b', port: 81, targetPort: '' },
          { name: 'c', port: 82, targetPort: 'http', protocol: 'UDP' },
          { name: 'd', port: 83, targetPort: 8083 },
        ],
      },
    },
    {
      metadata: meta,
      spec: {
        ports: [
          { name: 'a', port: 80, targetPort: 80, protocol: 'TCP' },
          { name: 'b', port: 81, targetPort: 81, protocol: 'TCP' },
          { name: 'c', port: 82, targetPort: 'http', protocol: 'UDP' },
          { name: 'd', port: 83, targetPort: 8083, protocol: 'TCP' },
        ],
        sessionAffinity: 'None',
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
  ],
  [
    'None drops sessionAffinityConfig',
    {
      metadata: meta,
      spec: { sessionAffinity: 'None', sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } },
    },
    {
      metadata: meta,
      spec: { sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster' },
    },
  ],
  [
    'ClientIP gets the 3h timeout',
    { metadata: meta, spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: {} } } },
    {
      metadata: meta,
      spec: {
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
  ],
  [
    'ClientIP keeps its timeout',
    {
      metadata: meta,
      spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } },
    },
    {
      metadata: meta,
      spec: {
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
  ],
  [
    'NodePort is externally accessible',
    { metadata: meta, spec: { type: 'NodePort' } },
    {
      metadata: meta,
      spec: {
        type: 'NodePort',
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
      },
    },
  ],
  [
    'ClusterIP with externalIPs is externally accessible',
    { metadata: meta, spec: { externalIPs: ['192.0.2.1'] } },
    {
      metadata: meta,
      spec: {
        externalIPs: ['192.0.2.1'],
        sessionAffinity: 'None',
        type: 'ClusterIP',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
      },
    },
  ],
  [
    'LoadBalancer: node ports allocated, ingress IPs in VIP mode',
    {
      metadata: meta,
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' },
      status: {
        loadBalancer: {
          ingress: [{ ip: '192.0.2.1' }, { ip: '192.0.2.2', ipMode: 'Proxy' }, { hostname: 'lb.example' }],
        },
      },
    },
    {
      metadata: meta,
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        allocateLoadBalancerNodePorts: true,
      },
      status: {
        loadBalancer: {
          ingress: [
            { ip: '192.0.2.1', ipMode: 'VIP' },
            { ip: '192.0.2.2', ipMode: 'Proxy' },
            { hostname: 'lb.example' },
          ],
        },
      },
    },
  ],
  [
    'LoadBalancer keeps allocateLoadBalancerNodePorts false',
    { metadata: meta, spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false } },
    {
      metadata: meta,
      spec: {
        type: 'LoadBalancer',
        allocateLoadBalancerNodePorts: false,
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
      },
    },
  ],
  [
    'ingress ipMode only defaulted for LoadBalancer',
    {
      metadata: meta,
      spec: { type: 'NodePort' },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    },
    {
      metadata: meta,
      spec: {
        type: 'NodePort',
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
      },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    },
  ],
  [
    'ExternalName: no traffic policies; IP families left to the allocator',
    { metadata: meta, spec: { type: 'ExternalName', externalName: 'example.com' } },
    { metadata: meta, spec: { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' } },
  ],
  [
    'explicit internalTrafficPolicy stays',
    { metadata: meta, spec: { internalTrafficPolicy: 'Local' } },
    { metadata: meta, spec: { internalTrafficPolicy: 'Local', sessionAffinity: 'None', type: 'ClusterIP' } },
  ],
];

describe('setServiceDefaults', () => {
  for (const [name, input, want] of cases) {
    it(name, () => {
      setServiceDefaults(input);
      assert.deepEqual(input, want);
    });
  }

  it('is idempotent', () => {
    const s: Service = { metadata: meta, spec: { type: 'LoadBalancer', ports: [{ port: 443 }] } };
    setServiceDefaults(s);
    const once = structuredClone(s);
    setServiceDefaults(s);
    assert.deepEqual(s, once);
  });
});
