import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addressTypesForService,
  endpointAddresses,
  endpointPorts,
  podToEndpoint,
} from '../../../src/controllers/endpointslice/endpoint.js';
import {
  findPort,
  podEndpointsChanged,
  servicesToUpdateOnPodChange,
  shouldPodBeInEndpoints,
} from '../../../src/controllers/endpointslice/pod.js';
import { node, pod, service } from './fixtures.js';

describe('podToEndpoint conditions', () => {
  // [pod Ready, terminating, publishNotReadyAddresses] → [ready, serving, terminating]
  const table: [boolean, boolean, boolean, boolean, boolean, boolean][] = [
    [true, false, false, true, true, false],
    [false, false, false, false, false, false],
    [true, true, false, false, true, true],
    [false, true, false, false, false, true],
    [true, false, true, true, true, false],
    [false, false, true, true, false, false],
    [true, true, true, true, true, true],
    [false, true, true, true, false, true],
  ];
  for (const [podReady, terminating, publish, ready, serving, term] of table) {
    it(`Ready=${podReady} terminating=${terminating} publishNotReady=${publish}`, () => {
      const ep = podToEndpoint(
        pod(0, { ready: podReady, terminating }),
        node('node-1'),
        service({ publishNotReadyAddresses: publish }),
        'IPv4',
      );
      assert.deepEqual(ep.conditions, { ready, serving, terminating: term });
    });
  }

  it('fills addresses, targetRef, nodeName, zone and hostname', () => {
    const ep = podToEndpoint(
      pod(3, { hostname: 'web-3', subdomain: 'web', node: 'node-1' }),
      node('node-1', 'zone-a'),
      service(),
      'IPv4',
    );
    assert.deepEqual(ep, {
      addresses: ['10.0.0.4'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-3', uid: 'pod-uid-3' },
      nodeName: 'node-1',
      zone: 'zone-a',
      hostname: 'web-3',
    });
  });

  it('hostname only when the subdomain names the service', () => {
    const ep = podToEndpoint(pod(0, { hostname: 'h', subdomain: 'other' }), undefined, service(), 'IPv4');
    assert.equal(ep.hostname, undefined);
    assert.equal(ep.zone, undefined);
  });

  it('addresses are of the slice family, in canonical form', () => {
    const p = pod(0, { ip: ['010.000.000.001', 'FD00:0::0001'] });
    assert.deepEqual(endpointAddresses(p, 'IPv4'), ['10.0.0.1']);
    assert.deepEqual(endpointAddresses(p, 'IPv6'), ['fd00::1']);
  });
});

describe('which pods count', () => {
  const cases: [string, Parameters<typeof pod>[1], boolean, boolean][] = [
    // [what, pod, included (slices: terminating kept), included without terminating]
    ['running ready', {}, true, true],
    ['not ready', { ready: false }, true, true],
    ['no IP', { ip: null }, false, false],
    ['succeeded', { phase: 'Succeeded' }, false, false],
    ['failed', { phase: 'Failed' }, false, false],
    ['pending with IP', { phase: 'Pending', ready: false }, true, true],
    ['terminating', { terminating: true }, true, false],
  ];
  for (const [what, o, withTerm, withoutTerm] of cases) {
    it(what, () => {
      assert.equal(shouldPodBeInEndpoints(pod(0, o), true), withTerm);
      assert.equal(shouldPodBeInEndpoints(pod(0, o), false), withoutTerm);
    });
  }
});

describe('ports', () => {
  it('findPort: numbers as is, names per container port and protocol', () => {
    const p = pod(0, {
      containerPorts: [
        { name: 'http', containerPort: 8080 },
        { name: 'dns', containerPort: 5353, protocol: 'UDP' },
      ],
    });
    assert.equal(findPort(p, { port: 80, targetPort: 9000 }), 9000);
    assert.equal(findPort(p, { port: 80 }), 80);
    assert.equal(findPort(p, { port: 80, targetPort: 'http' }), 8080);
    assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 5353);
    assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'TCP' }), undefined);
    assert.equal(findPort(p, { port: 80, targetPort: 'nope' }), undefined);
  });

  it('restartable init containers (sidecars) count', () => {
    const p = pod(0);
    p.spec!.initContainers = [
      { name: 'once', ports: [{ name: 'm', containerPort: 1 }] },
      { name: 'side', restartPolicy: 'Always', ports: [{ name: 'm', containerPort: 2 }] },
    ];
    assert.equal(findPort(p, { port: 9, targetPort: 'm' }), 2);
  });

  it('endpointPorts drops unresolved ports and keeps appProtocol', () => {
    const svc = service({
      ports: [
        { name: 'a', port: 80, targetPort: 'web', protocol: 'TCP', appProtocol: 'http' },
        { name: 'b', port: 81, targetPort: 'missing', protocol: 'TCP' },
      ],
    });
    const p = pod(0, { containerPorts: [{ name: 'web', containerPort: 8080 }] });
    assert.deepEqual(endpointPorts(svc, p), [
      { name: 'a', port: 8080, protocol: 'TCP', appProtocol: 'http' },
    ]);
  });

  it('address types follow ipFamilies, else the cluster IP, else both', () => {
    assert.deepEqual(addressTypesForService(service({ ipFamilies: ['IPv6', 'IPv4'] })), ['IPv6', 'IPv4']);
    assert.deepEqual(addressTypesForService(service({ ipFamilies: [], clusterIP: 'fd00::1' })), ['IPv6']);
    assert.deepEqual(addressTypesForService(service({ ipFamilies: [], clusterIP: 'None' })), [
      'IPv4',
      'IPv6',
    ]);
  });
});

describe('pod changes → services to sync', () => {
  const svcs = [
    service({ name: 'a', selector: { app: 'web' } }),
    service({ name: 'b', selector: { tier: 'front' } }),
    service({ name: 'c', selector: null }),
  ];
  const bump = (p: ReturnType<typeof pod>) => {
    p.metadata = { ...p.metadata, resourceVersion: '2' };
    return p;
  };
  const cases: [string, ReturnType<typeof pod>, ReturnType<typeof pod>, string[]][] = [
    ['resync (same resourceVersion)', pod(0, { ready: false }), pod(0), []],
    ['irrelevant change', pod(0), bump(pod(0, { readyTime: '2024-05-01T10:09:00Z' })), []],
    ['readiness', pod(0), bump(pod(0, { ready: false })), ['default/a']],
    ['deletion', pod(0), bump(pod(0, { terminating: true })), ['default/a']],
    ['IP change', pod(0), bump(pod(0, { ip: '10.9.9.9' })), ['default/a']],
    [
      'labels only: services joined or left',
      pod(0, { labels: { app: 'web' } }),
      bump(pod(0, { labels: { app: 'web', tier: 'front' } })),
      ['default/b'],
    ],
    [
      'labels and readiness: old and new members',
      pod(0, { labels: { app: 'web' } }),
      bump(pod(0, { labels: { tier: 'front' }, ready: false })),
      ['default/a', 'default/b'],
    ],
  ];
  for (const [what, oldPod, newPod, want] of cases) {
    it(what, () => {
      assert.deepEqual([...servicesToUpdateOnPodChange(svcs, oldPod, newPod)].sort(), want);
    });
  }

  it('podEndpointsChanged reports hostname changes as membership changes', () => {
    assert.deepEqual(podEndpointsChanged(pod(0), bump(pod(0, { hostname: 'x' }))), [false, true]);
  });
});
