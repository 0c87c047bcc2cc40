import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { categorizeEndpoints, type PortPolicy, topologyZone } from '../../../src/proxy/model/categorize.js';
import type { Endpoint } from '../../../src/proxy/model/types.js';

/** e('10.0.0.1', 'RL') — flags: R ready, S serving, T terminating, L local; zones after ':'. */
function e(ip: string, flags: string, hints?: string): Endpoint {
  const ep: Endpoint = {
    ip,
    port: 80,
    ready: flags.includes('R'),
    serving: flags.includes('R') || flags.includes('S'),
    terminating: flags.includes('T'),
    isLocal: flags.includes('L'),
  };
  if (hints) ep.zoneHints = hints.split(',');
  return ep;
}

const clusterOnly: PortPolicy = {
  internalPolicyLocal: false,
  externalPolicyLocal: false,
  externallyAccessible: false,
};
const itpLocal: PortPolicy = {
  internalPolicyLocal: true,
  externalPolicyLocal: false,
  externallyAccessible: false,
};
const etpLocal: PortPolicy = {
  internalPolicyLocal: false,
  externalPolicyLocal: true,
  externallyAccessible: true,
};
const etpLocalInternal: PortPolicy = {
  internalPolicyLocal: false,
  externalPolicyLocal: true,
  externallyAccessible: false,
};
const bothLocal: PortPolicy = {
  internalPolicyLocal: true,
  externalPolicyLocal: true,
  externallyAccessible: true,
};

const ips = (eps: Endpoint[] | undefined) => eps?.map((x) => x.ip);

describe('categorizeEndpoints (upstream topology.go cases)', () => {
  const cases: {
    name: string;
    policy: PortPolicy;
    zone?: string;
    eps: Endpoint[];
    cluster: string[] | undefined;
    local: string[] | undefined;
    any: boolean;
  }[] = [
    { name: 'no endpoints', policy: clusterOnly, eps: [], cluster: [], local: undefined, any: false },
    {
      name: 'Cluster: all ready endpoints, local or not',
      policy: clusterOnly,
      eps: [e('10.0.0.1', 'RL'), e('10.0.0.2', 'R'), e('10.0.0.3', '')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: undefined,
      any: true,
    },
    {
      name: 'Cluster: no ready → serving-terminating fallback',
      policy: clusterOnly,
      eps: [e('10.0.0.1', 'ST'), e('10.0.0.2', 'T'), e('10.0.0.3', '')],
      cluster: ['10.0.0.1'],
      local: undefined,
      any: true,
    },
    {
      name: 'Cluster: ready wins over serving-terminating',
      policy: clusterOnly,
      eps: [e('10.0.0.1', 'ST'), e('10.0.0.2', 'R')],
      cluster: ['10.0.0.2'],
      local: undefined,
      any: true,
    },
    {
      name: 'Cluster: only terminating, not serving → nothing',
      policy: clusterOnly,
      eps: [e('10.0.0.1', 'T'), e('10.0.0.2', 'TL')],
      cluster: [],
      local: undefined,
      any: false,
    },
    {
      name: 'internal Local: local ready only',
      policy: itpLocal,
      eps: [e('10.0.0.1', 'RL'), e('10.0.0.2', 'R'), e('10.0.0.3', 'STL')],
      cluster: undefined,
      local: ['10.0.0.1'],
      any: true,
    },
    {
      name: 'internal Local: no local ready → local serving-terminating',
      policy: itpLocal,
      eps: [e('10.0.0.1', 'STL'), e('10.0.0.2', 'R'), e('10.0.0.3', 'TL')],
      cluster: undefined,
      local: ['10.0.0.1'],
      any: true,
    },
    {
      name: 'internal Local: only remote endpoints → empty, but some exist',
      policy: itpLocal,
      eps: [e('10.0.0.2', 'R')],
      cluster: undefined,
      local: [],
      any: true,
    },
    {
      name: 'internal Local: nothing usable anywhere',
      policy: itpLocal,
      eps: [e('10.0.0.2', ''), e('10.0.0.3', 'TL')],
      cluster: undefined,
      local: [],
      any: false,
    },
    {
      name: 'external Local (externally accessible): cluster and local sets',
      policy: etpLocal,
      eps: [e('10.0.0.1', 'RL'), e('10.0.0.2', 'R')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: ['10.0.0.1'],
      any: true,
    },
    {
      name: 'external Local: cluster falls back to terminating, local to local terminating',
      policy: etpLocal,
      eps: [e('10.0.0.1', 'STL'), e('10.0.0.2', 'ST')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: ['10.0.0.1'],
      any: true,
    },
    {
      name: 'external Local: local ready elsewhere, local set empty',
      policy: etpLocal,
      eps: [e('10.0.0.2', 'R'), e('10.0.0.3', 'R')],
      cluster: ['10.0.0.2', '10.0.0.3'],
      local: [],
      any: true,
    },
    {
      name: 'external Local without external access: no local set',
      policy: etpLocalInternal,
      eps: [e('10.0.0.1', 'RL'), e('10.0.0.2', 'R')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: undefined,
      any: true,
    },
    {
      name: 'both Local: cluster still computed for the short circuit',
      policy: bothLocal,
      eps: [e('10.0.0.1', 'RL'), e('10.0.0.2', 'R')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: ['10.0.0.1'],
      any: true,
    },
    {
      name: 'hints: every ready endpoint hinted, ours among them → our zone only',
      policy: clusterOnly,
      zone: 'a',
      eps: [e('10.0.0.1', 'R', 'a'), e('10.0.0.2', 'R', 'b'), e('10.0.0.3', 'R', 'a,b')],
      cluster: ['10.0.0.1', '10.0.0.3'],
      local: undefined,
      any: true,
    },
    {
      name: 'hints: one ready endpoint unhinted → ignored',
      policy: clusterOnly,
      zone: 'a',
      eps: [e('10.0.0.1', 'R', 'a'), e('10.0.0.2', 'R')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: undefined,
      any: true,
    },
    {
      name: 'hints: an unready unhinted endpoint does not disable them',
      policy: clusterOnly,
      zone: 'a',
      eps: [e('10.0.0.1', 'R', 'a'), e('10.0.0.2', 'R', 'b'), e('10.0.0.3', '')],
      cluster: ['10.0.0.1'],
      local: undefined,
      any: true,
    },
    {
      name: 'hints: none for our zone → ignored',
      policy: clusterOnly,
      zone: 'c',
      eps: [e('10.0.0.1', 'R', 'a'), e('10.0.0.2', 'R', 'b')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: undefined,
      any: true,
    },
    {
      name: 'hints: node without zone label → ignored',
      policy: clusterOnly,
      eps: [e('10.0.0.1', 'R', 'a'), e('10.0.0.2', 'R', 'b')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: undefined,
      any: true,
    },
    {
      name: 'hints: no ready endpoints → serving-terminating, all zones',
      policy: clusterOnly,
      zone: 'a',
      eps: [e('10.0.0.1', 'ST', 'a'), e('10.0.0.2', 'ST', 'b')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: undefined,
      any: true,
    },
    {
      name: 'hints do not narrow the Local set',
      policy: itpLocal,
      zone: 'a',
      eps: [e('10.0.0.1', 'RL', 'b'), e('10.0.0.2', 'R', 'a')],
      cluster: undefined,
      local: ['10.0.0.1'],
      any: true,
    },
    {
      name: 'hints narrow Cluster while external Local keeps local',
      policy: etpLocal,
      zone: 'a',
      eps: [e('10.0.0.1', 'RL', 'b'), e('10.0.0.2', 'R', 'a')],
      cluster: ['10.0.0.2'],
      local: ['10.0.0.1'],
      any: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = categorizeEndpoints(c.eps, c.policy, c.zone);
      assert.deepEqual(ips(got.cluster), c.cluster);
      assert.deepEqual(ips(got.local), c.local);
      assert.equal(got.hasAnyEndpoints, c.any);
    });
  }

  it('topologyZone needs a ready endpoint', () => {
    assert.equal(topologyZone([e('10.0.0.1', 'ST', 'a')], 'a'), undefined);
    assert.equal(topologyZone([e('10.0.0.1', 'R', 'a')], 'a'), 'a');
  });
});
