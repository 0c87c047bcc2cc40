import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { planMirroredSlices, shouldMirror } from '../../../src/controllers/mirroring/mirror.js';
import { SliceStore } from '../endpointslice/fixtures.js';

/** The course notes' external database: a selector-less service plus manual Endpoints. */
const external = (
  over: Partial<Endpoints['metadata']> = {},
  ips = ['192.168.10.5', '192.168.10.6'],
): Endpoints => ({
  metadata: {
    name: 'external-db',
    namespace: 'default',
    uid: 'ep-uid',
    labels: { team: 'db' },
    annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': '2024-01-01T00:00:00Z' },
    ...over,
  },
  subsets: [
    {
      addresses: ips.map((ip) => ({ ip })),
      notReadyAddresses: [{ ip: '192.168.10.9' }],
      ports: [{ name: 'mysql', port: 3306, protocol: 'TCP' }],
    },
  ],
});

describe('mirroring', () => {
  it('mirrors addresses (ready) and notReadyAddresses (not ready) into one slice', () => {
    const plan = planMirroredSlices(external(), []);
    assert.equal(plan.toCreate.length, 1);
    const [s] = plan.toCreate;
    assert.deepEqual(s!.metadata, {
      namespace: 'default',
      generateName: 'external-db-',
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Endpoints',
          name: 'external-db',
          uid: 'ep-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      labels: {
        team: 'db',
        'kubernetes.io/service-name': 'external-db',
        'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
      },
      annotations: { note: 'x' },
    });
    assert.equal(s!.addressType, 'IPv4');
    assert.deepEqual(s!.ports, [{ name: 'mysql', port: 3306, protocol: 'TCP' }]);
    assert.deepEqual(
      s!.endpoints.map((e) => [e.addresses[0], e.conditions?.ready]),
      [
        ['192.168.10.5', true],
        ['192.168.10.6', true],
        ['192.168.10.9', false],
      ],
    );
  });

  it('steps: no-op, change, label change, IPv6 address, emptied', () => {
    const store = new SliceStore();
    const steps: [string, Endpoints, { creates: number; updates: number; deletes: number }, number[]][] = [
      ['first sync', external(), { creates: 1, updates: 0, deletes: 0 }, [3]],
      ['same again', external(), { creates: 0, updates: 0, deletes: 0 }, [3]],
      [
        'trigger time alone is ignored',
        external({ annotations: { note: 'x' } }),
        { creates: 0, updates: 0, deletes: 0 },
        [3],
      ],
      [
        'an address added',
        external({}, ['192.168.10.5', '192.168.10.6', '192.168.10.7']),
        { creates: 0, updates: 1, deletes: 0 },
        [4],
      ],
      [
        'labels changed',
        external({ labels: { team: 'dba' } }, ['192.168.10.5', '192.168.10.6', '192.168.10.7']),
        { creates: 0, updates: 1, deletes: 0 },
        [4],
      ],
      [
        'an IPv6 address: a second slice',
        external({ labels: { team: 'dba' } }, ['192.168.10.5', 'fd00::5']),
        { creates: 1, updates: 1, deletes: 0 },
        [2, 1],
      ],
      ['no addresses left', { ...external(), subsets: [] }, { creates: 0, updates: 0, deletes: 2 }, []],
    ];
    for (const [what, ep, churn, sizes] of steps) {
      const plan = planMirroredSlices(ep, store.list());
      assert.deepEqual(store.apply(plan), churn, what);
      assert.deepEqual(store.sizes(), sizes, what);
    }
  });

  it('caps each subset and skips invalid IPs', () => {
    const ep = external({}, ['10.0.0.1', 'not-an-ip', '10.0.0.2', '10.0.0.3']);
    const plan = planMirroredSlices(ep, [], 2);
    assert.equal(plan.invalid, 1);
    assert.equal(plan.skipped, 3, 'one invalid + two beyond the cap (incl. the not-ready one)');
    assert.deepEqual(
      plan.toCreate[0]!.endpoints.map((e) => e.addresses[0]),
      ['10.0.0.1', '10.0.0.2'],
    );
  });

  it('a port change recycles the old slice instead of delete + create', () => {
    const store = new SliceStore();
    store.apply(planMirroredSlices(external(), []));
    const moved = external();
    moved.subsets![0]!.ports = [{ name: 'mysql', port: 3307, protocol: 'TCP' }];
    const plan = planMirroredSlices(moved, store.list());
    assert.deepEqual(store.apply(plan), { creates: 0, updates: 1, deletes: 0 });
    assert.equal(store.list()[0]!.ports![0]!.port, 3307);
  });

  it('skip-mirror and leader-election Endpoints are not mirrored', () => {
    assert.equal(shouldMirror(external()), true);
    assert.equal(
      shouldMirror(external({ labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } })),
      false,
    );
    assert.equal(
      shouldMirror(external({ annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } })),
      false,
    );
    assert.equal(shouldMirror(undefined), false);
  });
});
