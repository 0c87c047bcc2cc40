import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { frontendKey, renderNodeState } from '../../../src/proxy/model/render.js';
import { goldens } from '../../lib/golden.js';
import { buildState, ep, slice, svc } from './fixtures.js';

const assertGolden = goldens(import.meta.url);
const NODE_IPS = ['127.97.204.1', 'fd00:204::1'];

function render(services: Service[], slices: EndpointSlice[]): string {
  return renderNodeState(buildState(services, slices, NODE_IPS));
}

describe('renderNodeState (golden)', () => {
  it('clusterip: two ports, endpoints sorted, local marked; terminating ones when nothing is ready', () => {
    const s = svc('web', {
      clusterIP: '127.97.204.10',
      clusterIPs: ['127.97.204.10'],
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    });
    const ports = [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'dns', port: 5353, protocol: 'UDP' },
    ];
    const eps = [ep('127.245.204.3'), ep('127.245.204.2', 'RL'), ep('127.245.204.4', 'STL')];
    // Nothing ready: the serving-terminating endpoints carry the traffic.
    const drain = svc('drain', { clusterIP: '127.97.204.9' });
    const draining = [ep('127.245.204.5', 'STL'), ep('127.245.204.6', 'ST'), ep('127.245.204.7', '')];
    assertGolden(
      'clusterip',
      render([s, drain], [slice('web', 'web-1', eps, ports), slice('drain', 'drain-1', draining)]),
    );
  });

  it('nodeport: every node address of the family, scheduler annotation', () => {
    const s = svc(
      'np',
      {
        type: 'NodePort',
        clusterIP: '127.97.204.11',
        ports: [{ name: 'http', port: 80, nodePort: 30204, protocol: 'TCP' }],
      },
      { annotations: { 'svcnet.io/scheduler': 'rr' } },
    );
    assertGolden('nodeport', render([s], [slice('np', 'np-1', [ep('127.245.204.5'), ep('127.245.204.6')])]));
  });

  it('lb-local: externalTrafficPolicy Local with and without local endpoints (drop)', () => {
    const lb = (name: string, ip: string, lbIP: string, nodePort: number, hc: number): Service =>
      svc(
        name,
        {
          type: 'LoadBalancer',
          clusterIP: ip,
          externalTrafficPolicy: 'Local',
          healthCheckNodePort: hc,
          ports: [{ name: 'http', port: 80, nodePort, protocol: 'TCP' }],
        },
        {},
        { loadBalancer: { ingress: [{ ip: lbIP }] } },
      );
    const text = render(
      [
        lb('local', '127.97.204.12', '127.97.214.1', 30205, 32205),
        lb('remote', '127.97.204.13', '127.97.214.2', 30206, 32206),
      ],
      [
        slice('local', 'local-1', [ep('127.245.204.7', 'RL'), ep('127.245.204.8')]),
        slice('remote', 'remote-1', [ep('127.245.204.9')]),
      ],
    );
    assertGolden('lb-local', text);
  });

  it('no-endpoints: every frontend rejects', () => {
    const s = svc('empty', {
      type: 'NodePort',
      clusterIP: '127.97.204.14',
      externalIPs: ['127.97.224.1'],
      ports: [{ name: 'http', port: 80, nodePort: 30207, protocol: 'TCP' }],
    });
    // Only a not-ready endpoint: nothing usable anywhere.
    assertGolden('no-endpoints', render([s], [slice('empty', 'empty-1', [ep('127.245.204.10', '')])]));
  });

  it('affinity: ClientIP with its timeout, internalTrafficPolicy Local', () => {
    const s = svc('sticky', {
      clusterIP: '127.97.204.15',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
      internalTrafficPolicy: 'Local',
    });
    assertGolden(
      'affinity',
      render([s], [slice('sticky', 'sticky-1', [ep('127.245.204.11', 'RL'), ep('127.245.204.12')])]),
    );
  });

  it('dual-stack: one frontend set per family, IPv6 bracketed', () => {
    const s = svc('ds', {
      type: 'NodePort',
      clusterIP: '127.97.204.16',
      clusterIPs: ['127.97.204.16', 'fd00:96::16'],
      ipFamilies: ['IPv4', 'IPv6'],
      ports: [{ name: 'http', port: 80, nodePort: 30208, protocol: 'TCP' }],
    });
    assertGolden(
      'dual-stack',
      render(
        [s],
        [
          slice('ds', 'ds-v4', [ep('127.245.204.13')]),
          slice('ds', 'ds-v6', [ep('fd00:245::13', 'RL')], undefined, { addressType: 'IPv6' }),
        ],
      ),
    );
  });
});

describe('frontendKey', () => {
  it('PROTOCOL/ip:port, IPv6 bracketed', () => {
    assert.equal(frontendKey({ protocol: 'TCP', ip: '127.97.0.1', port: 80 }), 'TCP/127.97.0.1:80');
    assert.equal(frontendKey({ protocol: 'UDP', ip: 'fd00::1', port: 53 }), 'UDP/[fd00::1]:53');
  });

  it('an empty state renders as nothing; problems follow the services', () => {
    assert.equal(renderNodeState({ services: new Map(), problems: [] }), '');
    const text = render(
      [svc('bad', { clusterIP: '127.97.204.17' })],
      [slice('bad', 'bad-1', [ep('fd00::9')])],
    );
    assert.equal(
      text,
      'ns/bad:http/TCP scheduler=random\n  ClusterIP 127.97.204.17:80/TCP reject\n! EndpointSlice/ns/bad-1: endpoint address fd00::9 is not IPv4\n',
    );
  });
});
