import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { type BuildInput, nodePortAddresses } from '../../../src/proxy/model/build.js';
import type { Frontend, NodeState } from '../../../src/proxy/model/types.js';
import { buildState, ep, NODE, node, slice, svc } from './fixtures.js';

const NODE_IP = '127.97.200.1';

const build = (services: Service[], slices: EndpointSlice[], over: Partial<BuildInput> = {}): NodeState =>
  buildState(services, slices, [NODE_IP], over);

/** `KIND ip:port -> ep1,ep2` per frontend, for compact assertions. */
function show(fe: Frontend): string {
  return `${fe.kind} ${fe.ip}:${fe.port} -> ${fe.endpoints.map((e) => `${e.ip}:${e.port}`).join(',')}`;
}
/** Each frontend's action, in order. */
function actions(state: NodeState, key: string): Frontend['action'][] {
  return (state.services.get(key)?.frontends ?? []).map((f) => f.action);
}
function frontends(state: NodeState, key: string): string[] {
  const s = state.services.get(key);
  assert.ok(s, `no service port ${key}; have ${[...state.services.keys()].join(' ')}`);
  return s.frontends.map(show);
}

describe('buildNodeState: what is served', () => {
  const base = { clusterIP: '127.97.0.1', clusterIPs: ['127.97.0.1'] };
  const cases: { name: string; svc: Service; served: boolean }[] = [
    { name: 'ClusterIP service', svc: svc('a', base), served: true },
    {
      name: 'headless (clusterIP None)',
      svc: svc('a', { clusterIP: 'None', clusterIPs: ['None'] }),
      served: false,
    },
    { name: 'no clusterIP yet', svc: svc('a', {}), served: false },
    {
      name: 'ExternalName',
      svc: svc('a', { type: 'ExternalName', externalName: 'example.com', ports: [] }),
      served: false,
    },
    {
      name: 'labelled service.kubernetes.io/headless',
      svc: svc('a', base, { labels: { 'service.kubernetes.io/headless': '' } }),
      served: false,
    },
    {
      name: 'labelled for another proxy',
      svc: svc('a', base, { labels: { 'service.kubernetes.io/service-proxy-name': 'other' } }),
      served: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const state = build([c.svc], [slice('a', 'a-1', [ep('127.245.0.1')])]);
      assert.equal(state.services.size, c.served ? 1 : 0);
    });
  }

  it('with a proxyName: serves its own label and unlabelled services, not others', () => {
    const mine = svc('mine', base, { labels: { 'service.kubernetes.io/service-proxy-name': 'svcnet' } });
    const other = svc('other', base, { labels: { 'service.kubernetes.io/service-proxy-name': 'other' } });
    const plain = svc('plain', base);
    const state = build([mine, other, plain], [], {
      config: { nodePortAddresses: [], defaultScheduler: 'random', proxyName: 'svcnet' },
    });
    assert.deepEqual([...state.services.keys()], ['ns/mine:http/TCP', 'ns/plain:http/TCP']);
    const none = build([mine, other, plain], []);
    assert.deepEqual([...none.services.keys()], ['ns/plain:http/TCP']);
  });
});

describe('buildNodeState: frontends and endpoints', () => {
  it('ClusterIP: endpoints from every slice, matched by port name and protocol, deduplicated and sorted', () => {
    const s = svc('web', {
      clusterIP: '127.97.0.10',
      clusterIPs: ['127.97.0.10'],
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' },
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    });
    const ports = [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'dns', port: 5353, protocol: 'UDP' },
      { name: 'dns-tcp', port: 5353, protocol: 'TCP' },
    ];
    const state = build(
      [s],
      [
        slice('web', 'web-2', [ep('127.245.0.3'), ep('127.245.0.1')], ports),
        slice('web', 'web-1', [ep('127.245.0.2'), ep('127.245.0.1', 'RL')], ports),
        // Another service's slice: not ours.
        slice('other', 'other-1', [ep('127.245.9.9')], ports),
        // Same protocol, other name: no match for `http`.
        slice('web', 'web-3', [ep('127.245.0.7')], [{ name: 'metrics', port: 9090, protocol: 'TCP' }]),
      ],
    );
    assert.deepEqual(frontends(state, 'ns/web:http/TCP'), [
      'ClusterIP 127.97.0.10:80 -> 127.245.0.1:8080,127.245.0.2:8080,127.245.0.3:8080',
    ]);
    assert.deepEqual(frontends(state, 'ns/web:dns/UDP'), [
      'ClusterIP 127.97.0.10:53 -> 127.245.0.1:5353,127.245.0.2:5353,127.245.0.3:5353',
    ]);
    assert.deepEqual(frontends(state, 'ns/web:dns-tcp/TCP'), [
      'ClusterIP 127.97.0.10:53 -> 127.245.0.1:5353,127.245.0.2:5353,127.245.0.3:5353',
    ]);
    // The duplicate 127.245.0.1 is the local copy.
    const first = state.services.get('ns/web:http/TCP')!.frontends[0]!.endpoints[0]!;
    assert.equal(first.isLocal, true);
    assert.equal(first.nodeName, NODE);
    const st = state.services.get('ns/web:dns/UDP')!;
    assert.equal(st.protocol, 'UDP');
    assert.equal(st.portName, 'dns');
    assert.equal(st.namespace, 'ns');
    assert.equal(st.name, 'web');
  });

  it('an unnamed single port matches the unnamed slice port', () => {
    const s = svc('u', { clusterIP: '127.97.0.11', ports: [{ port: 80, protocol: 'TCP' }] });
    const state = build(
      [s],
      [slice('u', 'u-1', [ep('127.245.0.1')], [{ name: '', port: 8080, protocol: 'TCP' }])],
    );
    assert.deepEqual(frontends(state, 'ns/u:/TCP'), ['ClusterIP 127.97.0.11:80 -> 127.245.0.1:8080']);
  });

  it('no endpoints → every frontend rejects (empty list)', () => {
    const s = svc('empty', {
      type: 'NodePort',
      clusterIP: '127.97.0.12',
      ports: [{ name: 'http', port: 80, nodePort: 30080 }],
    });
    const state = build([s], []);
    assert.deepEqual(frontends(state, 'ns/empty:http/TCP'), [
      'ClusterIP 127.97.0.12:80 -> ',
      `NodePort ${NODE_IP}:30080 -> `,
    ]);
    assert.deepEqual(actions(state, 'ns/empty:http/TCP'), ['reject', 'reject']);
  });

  it('NodePort, ExternalIP and LoadBalancer frontends (ipMode Proxy skipped)', () => {
    const s = svc(
      'lb',
      {
        type: 'LoadBalancer',
        clusterIP: '127.97.0.13',
        clusterIPs: ['127.97.0.13'],
        externalIPs: ['127.97.100.1', 'fd00::1'],
        ports: [{ name: 'http', port: 80, nodePort: 30081, protocol: 'TCP' }],
      },
      {},
      {
        loadBalancer: {
          ingress: [
            { ip: '127.97.150.1' },
            { ip: '127.97.150.2', ipMode: 'VIP' },
            { ip: '127.97.150.3', ipMode: 'Proxy' },
            { hostname: 'lb.example.com' },
          ],
        },
      },
    );
    const state = build([s], [slice('lb', 'lb-1', [ep('127.245.0.1')])], {
      nodeIPs: [NODE_IP, '127.97.200.2'],
    });
    assert.deepEqual(frontends(state, 'ns/lb:http/TCP'), [
      'ClusterIP 127.97.0.13:80 -> 127.245.0.1:8080',
      `NodePort ${NODE_IP}:30081 -> 127.245.0.1:8080`,
      'NodePort 127.97.200.2:30081 -> 127.245.0.1:8080',
      'ExternalIP 127.97.100.1:80 -> 127.245.0.1:8080',
      'LoadBalancer 127.97.150.1:80 -> 127.245.0.1:8080',
      'LoadBalancer 127.97.150.2:80 -> 127.245.0.1:8080',
    ]);
  });

  it('dual-stack: frontends per family, each with endpoints of its family', () => {
    const s = svc('ds', {
      type: 'NodePort',
      clusterIP: '127.97.0.14',
      clusterIPs: ['127.97.0.14', 'fd00:96::14'],
      ipFamilies: ['IPv4', 'IPv6'],
      ports: [{ name: 'http', port: 80, nodePort: 30082 }],
    });
    const slices = [
      slice('ds', 'ds-v4', [ep('127.245.0.1')]),
      slice('ds', 'ds-v6', [ep('fd00:244::1')], undefined, { addressType: 'IPv6' }),
      slice('ds', 'ds-fqdn', [ep('db.example.com')], undefined, { addressType: 'FQDN' }),
    ];
    const state = build([s], slices, { nodeIPs: [NODE_IP, 'fd00:200::1'] });
    assert.deepEqual(frontends(state, 'ns/ds:http/TCP'), [
      'ClusterIP 127.97.0.14:80 -> 127.245.0.1:8080',
      `NodePort ${NODE_IP}:30082 -> 127.245.0.1:8080`,
      'ClusterIP fd00:96::14:80 -> fd00:244::1:8080',
      'NodePort fd00:200::1:30082 -> fd00:244::1:8080',
    ]);
    const v4only = build([s], slices, {
      nodeIPs: [NODE_IP, 'fd00:200::1'],
      config: { nodePortAddresses: [], defaultScheduler: 'random', ipFamilies: ['IPv4'] },
    });
    assert.deepEqual(frontends(v4only, 'ns/ds:http/TCP'), [
      'ClusterIP 127.97.0.14:80 -> 127.245.0.1:8080',
      `NodePort ${NODE_IP}:30082 -> 127.245.0.1:8080`,
    ]);
  });

  it('single-stack IPv4 service: IPv6 node addresses and external IPs get no frontend', () => {
    const s = svc('v4', {
      type: 'NodePort',
      clusterIP: '127.97.0.15',
      externalIPs: ['fd00::5'],
      ports: [{ name: 'http', port: 80, nodePort: 30083 }],
    });
    const state = build([s], [], { nodeIPs: [NODE_IP, 'fd00:200::1'] });
    assert.deepEqual(frontends(state, 'ns/v4:http/TCP'), [
      'ClusterIP 127.97.0.15:80 -> ',
      `NodePort ${NODE_IP}:30083 -> `,
    ]);
  });

  it('an endpoint of the wrong family for its slice is skipped and reported', () => {
    const s = svc('bad', { clusterIP: '127.97.0.16' });
    const state = build([s], [slice('bad', 'bad-1', [ep('fd00::1'), ep('127.245.0.1')])]);
    assert.deepEqual(frontends(state, 'ns/bad:http/TCP'), ['ClusterIP 127.97.0.16:80 -> 127.245.0.1:8080']);
    assert.deepEqual(state.problems, [
      { object: 'EndpointSlice/ns/bad-1', message: 'endpoint address fd00::1 is not IPv4' },
    ]);
  });

  it('an address that does not parse is reported, never dropped silently; the rest is served', () => {
    const s = svc(
      'junk',
      {
        type: 'LoadBalancer',
        clusterIP: '127.97.0.30',
        clusterIPs: ['127.97.0.30', 'fd00::300::1'],
        ipFamilies: ['IPv4', 'IPv6'],
        externalIPs: ['127.97.5.300', '127.97.5.5'],
        ports: [{ name: 'http', port: 80, nodePort: 30090, protocol: 'TCP' }],
      },
      {},
      {
        loadBalancer: {
          ingress: [
            { ip: 'lb.example', ipMode: 'VIP' },
            { ip: '127.97.6.6', ipMode: 'VIP' },
          ],
        },
      },
    );
    const state = build([s], [slice('junk', 'junk-1', [ep('127.245.0.999'), ep('127.245.0.1')])]);
    assert.deepEqual(frontends(state, 'ns/junk:http/TCP'), [
      'ClusterIP 127.97.0.30:80 -> 127.245.0.1:8080',
      `NodePort ${NODE_IP}:30090 -> 127.245.0.1:8080`,
      'ExternalIP 127.97.5.5:80 -> 127.245.0.1:8080',
      'LoadBalancer 127.97.6.6:80 -> 127.245.0.1:8080',
    ]);
    assert.deepEqual(state.problems, [
      {
        object: 'EndpointSlice/ns/junk-1',
        message: 'endpoint address "127.245.0.999" is not a valid IP address',
      },
      {
        object: 'Service/ns/junk',
        message: 'clusterIP "fd00::300::1" is not a valid IP address; not served',
      },
      {
        object: 'Service/ns/junk',
        message: 'externalIP "127.97.5.300" is not a valid IP address; not served',
      },
      {
        object: 'Service/ns/junk',
        message: 'load balancer ingress IP "lb.example" is not a valid IP address; not served',
      },
    ]);
  });

  it('a clusterIP none of whose addresses parse is reported', () => {
    const state = build([svc('none', { clusterIP: '127.97.0.300' })], []);
    assert.deepEqual(frontends(state, 'ns/none:http/TCP'), []);
    assert.deepEqual(state.problems, [
      {
        object: 'Service/ns/none',
        message: 'clusterIP "127.97.0.300" is not a valid IP address; not served',
      },
    ]);
  });

  it("a stored address with leading zeros is served where it was allocated, canonical (kube-proxy's ParseIPSloppy)", () => {
    // Not octal: the allocator reserved 127.97.10.7 for it, and libc would read 010 as 8.
    const s = svc('lz', { clusterIP: '127.97.010.7', externalIPs: ['127.97.005.5'] });
    const state = build([s], [slice('lz', 'lz-1', [ep('127.245.000.001')])]);
    assert.deepEqual(frontends(state, 'ns/lz:http/TCP'), [
      'ClusterIP 127.97.10.7:80 -> 127.245.0.1:8080',
      'ExternalIP 127.97.5.5:80 -> 127.245.0.1:8080',
    ]);
    assert.deepEqual(state.problems, []);
  });

  it('adding a service port adds a service port state; ports differing in protocol are distinct', () => {
    const s = svc('mp', {
      clusterIP: '127.97.0.17',
      ports: [
        { name: 'a', port: 80, protocol: 'TCP' },
        { name: 'b', port: 80, protocol: 'UDP' },
        { name: 'c', port: 81, protocol: 'SCTP' },
      ],
    });
    const state = build([s], []);
    assert.deepEqual([...state.services.keys()], ['ns/mp:a/TCP', 'ns/mp:b/UDP', 'ns/mp:c/SCTP']);
    assert.equal(state.services.get('ns/mp:c/SCTP')!.frontends[0]!.protocol, 'SCTP');
  });
});

describe('buildNodeState: traffic policies per frontend kind', () => {
  // 127.245.1.1 local ready, .2 remote ready, .3 local serving-terminating, .4 remote not ready.
  const eps = [
    ep('127.245.1.1', 'RL'),
    ep('127.245.1.2', 'R'),
    ep('127.245.1.3', 'STL'),
    ep('127.245.1.4', ''),
  ];
  const onlyTerminating = [ep('127.245.1.3', 'STL'), ep('127.245.1.5', 'ST'), ep('127.245.1.4', '')];
  const remoteOnly = [ep('127.245.1.2', 'R')];
  const spec = (etp: 'Cluster' | 'Local', itp: 'Cluster' | 'Local') => ({
    type: 'NodePort' as const,
    clusterIP: '127.97.1.1',
    externalIPs: ['127.97.101.1'],
    externalTrafficPolicy: etp,
    internalTrafficPolicy: itp,
    ports: [{ name: 'http', port: 80, nodePort: 30100 }],
  });
  const cases: {
    name: string;
    etp: 'Cluster' | 'Local';
    itp: 'Cluster' | 'Local';
    eps: ReturnType<typeof ep>[];
    internal: string;
    external: string;
  }[] = [
    { name: 'Cluster/Cluster, ready', etp: 'Cluster', itp: 'Cluster', eps, internal: '1,2', external: '1,2' },
    { name: 'external Local, ready', etp: 'Local', itp: 'Cluster', eps, internal: '1,2', external: '1' },
    { name: 'internal Local, ready', etp: 'Cluster', itp: 'Local', eps, internal: '1', external: '1,2' },
    { name: 'both Local, ready', etp: 'Local', itp: 'Local', eps, internal: '1', external: '1' },
    {
      name: 'Cluster/Cluster, only terminating',
      etp: 'Cluster',
      itp: 'Cluster',
      eps: onlyTerminating,
      internal: '3,5',
      external: '3,5',
    },
    {
      name: 'external Local, only terminating',
      etp: 'Local',
      itp: 'Cluster',
      eps: onlyTerminating,
      internal: '3,5',
      external: '3',
    },
    {
      name: 'internal Local, only terminating',
      etp: 'Cluster',
      itp: 'Local',
      eps: onlyTerminating,
      internal: '3',
      external: '3,5',
    },
    {
      name: 'external Local, remote only',
      etp: 'Local',
      itp: 'Cluster',
      eps: remoteOnly,
      internal: '2',
      external: '',
    },
    {
      name: 'internal Local, remote only',
      etp: 'Cluster',
      itp: 'Local',
      eps: remoteOnly,
      internal: '',
      external: '2',
    },
  ];
  const names = (s: string) =>
    s
      ? s
          .split(',')
          .map((n) => `127.245.1.${n}:8080`)
          .join(',')
      : '';
  for (const c of cases) {
    it(c.name, () => {
      const state = build([svc('tp', spec(c.etp, c.itp))], [slice('tp', 'tp-1', c.eps)]);
      assert.deepEqual(frontends(state, 'ns/tp:http/TCP'), [
        `ClusterIP 127.97.1.1:80 -> ${names(c.internal)}`,
        `NodePort ${NODE_IP}:30100 -> ${names(c.external)}`,
        `ExternalIP 127.97.101.1:80 -> ${names(c.external)}`,
      ]);
      // Endpoints exist in every case: a frontend left with none drops (upstream's "no local endpoints").
      const act = (list: string) => (list ? 'serve' : 'drop');
      assert.deepEqual(actions(state, 'ns/tp:http/TCP'), [act(c.internal), act(c.external), act(c.external)]);
    });
  }

  it('Local policies with no usable endpoint anywhere (only not-ready ones): reject, not drop', () => {
    const state = build([svc('tp', spec('Local', 'Local'))], [slice('tp', 'tp-1', [ep('127.245.1.4', 'L')])]);
    assert.deepEqual(actions(state, 'ns/tp:http/TCP'), ['reject', 'reject', 'reject']);
  });

  it('externalTrafficPolicy Local on a ClusterIP service without external IPs means nothing', () => {
    const s = svc('cl', { clusterIP: '127.97.1.2', externalTrafficPolicy: 'Local' });
    const state = build([s], [slice('cl', 'cl-1', eps)]);
    assert.deepEqual(frontends(state, 'ns/cl:http/TCP'), [
      'ClusterIP 127.97.1.2:80 -> 127.245.1.1:8080,127.245.1.2:8080',
    ]);
  });
});

describe('buildNodeState: topology hints', () => {
  const s = svc('topo', { clusterIP: '127.97.2.1', trafficDistribution: 'PreferClose' });
  const cases: { name: string; zone?: string; eps: ReturnType<typeof ep>[]; want: string }[] = [
    {
      name: 'all hinted, one for our zone → our zone',
      zone: 'z1',
      eps: [ep('127.245.2.1', 'R', 'z1'), ep('127.245.2.2', 'R', 'z2')],
      want: '127.245.2.1:8080',
    },
    {
      name: 'one unhinted → all',
      zone: 'z1',
      eps: [ep('127.245.2.1', 'R', 'z1'), ep('127.245.2.2', 'R')],
      want: '127.245.2.1:8080,127.245.2.2:8080',
    },
    {
      name: 'no hint for our zone → all',
      zone: 'z3',
      eps: [ep('127.245.2.1', 'R', 'z1'), ep('127.245.2.2', 'R', 'z2')],
      want: '127.245.2.1:8080,127.245.2.2:8080',
    },
    {
      name: 'node without zone label → all',
      eps: [ep('127.245.2.1', 'R', 'z1'), ep('127.245.2.2', 'R', 'z2')],
      want: '127.245.2.1:8080,127.245.2.2:8080',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const state = build([s], [slice('topo', 'topo-1', c.eps)], { node: node(c.zone) });
      assert.deepEqual(frontends(state, 'ns/topo:http/TCP'), [`ClusterIP 127.97.2.1:80 -> ${c.want}`]);
    });
  }
  it('hints and zone are carried on endpoints', () => {
    const state = build([s], [slice('topo', 'topo-1', [ep('127.245.2.1', 'R', 'z2,z1', { zone: 'z1' })])]);
    const e = state.services.get('ns/topo:http/TCP')!.frontends[0]!.endpoints[0]!;
    assert.deepEqual(e.zoneHints, ['z1', 'z2']);
    assert.equal(e.zone, 'z1');
  });
});

describe('buildNodeState: affinity, scheduler, health check', () => {
  it('sessionAffinity ClientIP with its timeout, default 10800', () => {
    const a = svc('aff', {
      clusterIP: '127.97.3.1',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
    });
    const b = svc('aff2', { clusterIP: '127.97.3.2', sessionAffinity: 'ClientIP' });
    const c = svc('none', { clusterIP: '127.97.3.3', sessionAffinity: 'None' });
    const state = build([a, b, c], []);
    assert.deepEqual(state.services.get('ns/aff:http/TCP')!.sessionAffinity, { timeoutSeconds: 60 });
    assert.deepEqual(state.services.get('ns/aff2:http/TCP')!.sessionAffinity, { timeoutSeconds: 10800 });
    assert.equal(state.services.get('ns/none:http/TCP')!.sessionAffinity, undefined);
  });

  const schedCases: { name: string; annotation?: string; want: string; problem: boolean }[] = [
    { name: 'no annotation → proxy default', want: 'lc', problem: false },
    { name: 'valid annotation', annotation: 'rr', want: 'rr', problem: false },
    { name: 'mh', annotation: 'mh', want: 'mh', problem: false },
    { name: 'invalid annotation → default and a problem', annotation: 'wrr', want: 'lc', problem: true },
    { name: 'empty annotation is invalid', annotation: '', want: 'lc', problem: true },
  ];
  for (const c of schedCases) {
    it(`scheduler: ${c.name}`, () => {
      const s = svc(
        'sch',
        {
          clusterIP: '127.97.3.4',
          ports: [
            { name: 'a', port: 80 },
            { name: 'b', port: 81 },
          ],
        },
        c.annotation === undefined ? {} : { annotations: { 'svcnet.io/scheduler': c.annotation } },
      );
      const state = build([s], [], { config: { nodePortAddresses: [], defaultScheduler: 'lc' } });
      assert.equal(state.services.get('ns/sch:a/TCP')!.scheduler, c.want);
      assert.equal(state.services.get('ns/sch:b/TCP')!.scheduler, c.want);
      if (c.problem) {
        assert.equal(state.problems.length, 1);
        assert.equal(state.problems[0]!.object, 'Service/ns/sch');
        assert.match(
          state.problems[0]!.message,
          /svcnet\.io\/scheduler.*must be one of random, rr, lc, sed, nq, sh, dh, mh/,
        );
      } else assert.deepEqual(state.problems, []);
    });
  }

  it('LoadBalancer + Local: healthCheckNodePort and distinct local ready IPs over all ports', () => {
    const s = svc('hc', {
      type: 'LoadBalancer',
      clusterIP: '127.97.3.5',
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32000,
      ports: [
        { name: 'a', port: 80, nodePort: 30200 },
        { name: 'b', port: 443, nodePort: 30201 },
      ],
    });
    const ports = [
      { name: 'a', port: 8080, protocol: 'TCP' },
      { name: 'b', port: 8443, protocol: 'TCP' },
    ];
    const state = build(
      [s],
      [
        slice(
          'hc',
          'hc-1',
          [ep('127.245.3.1', 'RL'), ep('127.245.3.2', 'R'), ep('127.245.3.3', 'STL')],
          ports,
        ),
      ],
    );
    for (const key of ['ns/hc:a/TCP', 'ns/hc:b/TCP']) {
      const st = state.services.get(key)!;
      assert.equal(st.healthCheckNodePort, 32000);
      // Terminating local endpoints serve but do not count (the health check fails with only those).
      assert.equal(st.localEndpointCount, 1);
    }
  });

  it('LoadBalancer + Cluster, or NodePort + Local: no healthCheckNodePort', () => {
    const a = svc('lbc', {
      type: 'LoadBalancer',
      clusterIP: '127.97.3.6',
      externalTrafficPolicy: 'Cluster',
      ports: [{ name: 'http', port: 80, nodePort: 30202 }],
    });
    const b = svc('npl', {
      type: 'NodePort',
      clusterIP: '127.97.3.7',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', port: 80, nodePort: 30203 }],
    });
    const state = build([a, b], []);
    assert.equal(state.services.get('ns/lbc:http/TCP')!.healthCheckNodePort, undefined);
    assert.equal(state.services.get('ns/npl:http/TCP')!.healthCheckNodePort, undefined);
  });

  it('LoadBalancer + Local without a healthCheckNodePort is reported', () => {
    const s = svc('nohc', {
      type: 'LoadBalancer',
      clusterIP: '127.97.3.8',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', port: 80, nodePort: 30204 }],
    });
    const state = build([s], []);
    assert.deepEqual(state.problems, [
      { object: 'Service/ns/nohc', message: 'Service has no healthcheck nodeport' },
    ]);
  });

  it('is pure: same input, same output; input not modified', () => {
    const services = [svc('p', { clusterIP: '127.97.3.9' })];
    const slices = [slice('p', 'p-1', [ep('127.245.3.9'), ep('127.245.3.8', 'RL')])];
    const before = JSON.stringify([services, slices]);
    const a = build(services, slices);
    const b = build(services, slices);
    assert.deepEqual(a, b);
    assert.equal(JSON.stringify([services, slices]), before);
  });
});

describe('nodePortAddresses', () => {
  const nodeIPs = ['10.0.0.5', '127.0.0.1', '192.168.1.5', 'fd00::5', '::1'];
  const cases: { spec: string[]; want: string[] }[] = [
    { spec: [], want: ['10.0.0.5', '127.0.0.1', '192.168.1.5', '::1', 'fd00::5'] },
    { spec: ['primary'], want: ['10.0.0.5', '127.0.0.1', '192.168.1.5', '::1', 'fd00::5'] },
    { spec: ['10.0.0.0/8'], want: ['10.0.0.5'] },
    { spec: ['10.0.0.0/8', 'fd00::/8'], want: ['10.0.0.5', 'fd00::5'] },
    { spec: ['localhost'], want: ['127.0.0.1', '::1'] },
    { spec: ['all'], want: ['10.0.0.5', '127.0.0.1', '192.168.1.5', '::1', 'fd00::5'] },
    { spec: ['127.97.200.9'], want: ['127.97.200.9'] },
    { spec: ['172.16.0.0/12'], want: [] },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.spec), () => assert.deepEqual(nodePortAddresses(c.spec, nodeIPs), c.want));
  }
});
