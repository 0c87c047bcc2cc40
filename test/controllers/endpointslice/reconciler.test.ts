import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { EndpointSet } from '../../../src/controllers/endpointslice/endpointset.js';
import {
  finalizePlan,
  newEndpointSlice,
  planServiceSlices,
  reconcile,
  sliceToFill,
} from '../../../src/controllers/endpointslice/reconciler.js';
import { node, nodesByName, pod, SliceStore, service } from './fixtures.js';

const nodes = nodesByName([node('node-1', 'zone-a'), node('node-2', 'zone-b')]);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

interface Step {
  what: string;
  pods: Pod[];
  svc?: Service;
  churn: { creates: number; updates: number; deletes: number };
  sizes: number[];
  /** Slices (by their endpoint count before the step) that must come out untouched. */
  untouched?: number;
}

function runSteps(steps: Step[], max = 100) {
  const store = new SliceStore();
  for (const step of steps) {
    const svc = step.svc ?? service();
    const before = new Map(store.list().map((s) => [s.metadata!.name!, s.metadata!.generation]));
    const plan = planServiceSlices(svc, step.pods, store.list(), nodes, max);
    assert.deepEqual(plan.errors, [], step.what);
    const churn = store.apply(plan);
    assert.deepEqual(churn, step.churn, `${step.what}: churn`);
    assert.deepEqual(store.sizes(), step.sizes, `${step.what}: slice sizes`);
    if (step.untouched !== undefined) {
      const same = store
        .list()
        .filter((s) => before.get(s.metadata!.name!) === s.metadata!.generation).length;
      assert.equal(same, step.untouched, `${step.what}: untouched slices`);
    }
    // Every desired pod appears exactly once.
    const ips = store.list().flatMap((s) => s.endpoints.map((e) => e.addresses[0]));
    assert.equal(new Set(ips).size, ips.length, `${step.what}: duplicate endpoints`);
  }
  return store;
}

describe('reconciler sequences (churn asserted)', () => {
  it('scales 250 → 150 → 260 → 0 → 0 with minimal churn', () => {
    const pods = (ids: number[], ready = (_: number) => true) => ids.map((i) => pod(i, { ready: ready(i) }));
    const store = runSteps([
      {
        what: '250 endpoints',
        pods: pods(range(0, 250)),
        churn: { creates: 3, updates: 0, deletes: 0 },
        sizes: [100, 100, 50],
      },
      {
        what: 'no change',
        pods: pods(range(0, 250)),
        churn: { creates: 0, updates: 0, deletes: 0 },
        sizes: [100, 100, 50],
        untouched: 3,
      },
      {
        what: 'scale to 150',
        pods: pods(range(0, 150)),
        churn: { creates: 0, updates: 1, deletes: 1 },
        sizes: [100, 50],
        untouched: 1,
      },
      {
        what: 'readiness flip of one pod',
        pods: pods(range(0, 150), (i) => i !== 7),
        churn: { creates: 0, updates: 1, deletes: 0 },
        sizes: [100, 50],
        untouched: 1,
      },
      {
        what: 'scale to 260: one new full slice, the rest tops up the tightest fit',
        pods: pods(range(0, 260), (i) => i !== 7),
        churn: { creates: 1, updates: 1, deletes: 0 },
        sizes: [100, 100, 60],
        untouched: 1,
      },
      {
        what: 'scale to 0: one slice becomes the placeholder',
        pods: [],
        churn: { creates: 0, updates: 1, deletes: 2 },
        sizes: [0],
      },
      {
        what: 'still 0: the placeholder is kept',
        pods: [],
        churn: { creates: 0, updates: 0, deletes: 0 },
        sizes: [0],
        untouched: 1,
      },
      {
        what: 'one pod again: the placeholder is reused',
        pods: pods([0]),
        churn: { creates: 0, updates: 1, deletes: 0 },
        sizes: [1],
      },
    ]);
    const [only] = store.list();
    assert.equal(only!.endpoints[0]!.targetRef?.name, 'web-0');
  });

  it('a readiness flip updates exactly the slice holding the pod', () => {
    const store = new SliceStore();
    const svc = service();
    store.apply(
      planServiceSlices(
        svc,
        range(0, 250).map((i) => pod(i)),
        [],
        nodes,
      ),
    );
    const holder = store.list().find((s) => s.endpoints.some((e) => e.targetRef?.name === 'web-120'))!;
    const plan = planServiceSlices(
      svc,
      range(0, 250).map((i) => pod(i, { ready: i !== 120 })),
      store.list(),
      nodes,
    );
    assert.equal(plan.toCreate.length + plan.toDelete.length, 0);
    assert.equal(plan.toUpdate.length, 1);
    assert.equal(plan.toUpdate[0]!.metadata!.name, holder.metadata!.name);
    const ep = plan.toUpdate[0]!.endpoints.find((e) => e.targetRef?.name === 'web-120')!;
    assert.deepEqual(ep.conditions, { ready: false, serving: false, terminating: false });
  });

  it('pods whose named port resolves differently land in different slices', () => {
    const svc = service({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
    const pods = [
      ...range(0, 3).map((i) => pod(i, { containerPorts: [{ name: 'http', containerPort: 8080 }] })),
      ...range(3, 5).map((i) => pod(i, { containerPorts: [{ name: 'http', containerPort: 9090 }] })),
      // A port name with another protocol does not resolve: the pod gets no ports.
      pod(5, { containerPorts: [{ name: 'http', containerPort: 7070, protocol: 'UDP' }] }),
    ];
    const store = new SliceStore();
    assert.deepEqual(store.apply(planServiceSlices(svc, pods, [], nodes)), {
      creates: 3,
      updates: 0,
      deletes: 0,
    });
    const byPort = new Map(store.list().map((s) => [s.ports?.[0]?.port ?? 'none', s.endpoints.length]));
    assert.deepEqual(Object.fromEntries(byPort), { 8080: 3, 9090: 2, none: 1 });
    const s8080 = store.list().find((s) => s.ports?.[0]?.port === 8080)!;
    assert.deepEqual(s8080.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    // All pods move to 9090: the 8080 slice is emptied and recycled, no create.
    const moved = pods
      .slice(0, 5)
      .map((_, i) => pod(i, { containerPorts: [{ name: 'http', containerPort: 9090 }] }));
    const churn = store.apply(planServiceSlices(svc, [...moved, pods[5]!], store.list(), nodes));
    assert.deepEqual(churn, { creates: 0, updates: 1, deletes: 1 });
    assert.deepEqual(store.sizes(), [5, 1]);
  });

  it('respects a smaller maxEndpointsPerSlice', () => {
    runSteps(
      [
        {
          what: '25 endpoints at 10 per slice',
          pods: range(0, 25).map((i) => pod(i)),
          churn: { creates: 3, updates: 0, deletes: 0 },
          sizes: [10, 10, 5],
        },
      ],
      10,
    );
  });

  it('a terminating pod stays as serving/terminating, not ready', () => {
    const store = runSteps([
      {
        what: 'three pods',
        pods: range(0, 3).map((i) => pod(i)),
        churn: { creates: 1, updates: 0, deletes: 0 },
        sizes: [3],
      },
      {
        what: 'one terminating',
        pods: range(0, 3).map((i) => pod(i, { terminating: i === 1 })),
        churn: { creates: 0, updates: 1, deletes: 0 },
        sizes: [3],
      },
      {
        what: 'it finishes (Succeeded): gone',
        pods: range(0, 3).map((i) =>
          pod(i, { terminating: i === 1, phase: i === 1 ? 'Succeeded' : 'Running' }),
        ),
        churn: { creates: 0, updates: 1, deletes: 0 },
        sizes: [2],
      },
    ]);
    assert.equal(store.list()[0]!.endpoints.length, 2);
  });

  it('service label changes rewrite labels only; reserved labels are ours', () => {
    const store = new SliceStore();
    store.apply(planServiceSlices(service(), [pod(0)], [], nodes));
    const labelled = service({ labels: { team: 'a', 'kubernetes.io/service-name': 'evil' } });
    const plan = planServiceSlices(labelled, [pod(0)], store.list(), nodes);
    assert.equal(plan.toUpdate.length, 1);
    assert.deepEqual(plan.toUpdate[0]!.metadata!.labels, {
      team: 'a',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    store.apply(plan);
    assert.equal(planServiceSlices(labelled, [pod(0)], store.list(), nodes).toUpdate.length, 0);
  });

  it('deletes slices not owned by this service (a deleted namesake) and of dropped address types', () => {
    const svc = service();
    const old = newEndpointSlice(service({ uid: 'old-uid' }), [], 'IPv4');
    old.metadata = { ...old.metadata, name: 'web-old' };
    const v6 = newEndpointSlice(svc, [], 'IPv6');
    v6.metadata = { ...v6.metadata, name: 'web-v6' };
    const plan = planServiceSlices(svc, [pod(0)], [old, v6], nodes);
    assert.deepEqual(plan.toDelete.map((s) => s.metadata!.name).sort(), ['web-old', 'web-v6']);
    // The not-owned slice must not be recycled into the new one.
    assert.equal(plan.toCreate.length, 1);
    assert.equal(plan.toUpdate.length, 0);
  });

  it('dual-stack services get one slice per family; pods contribute the matching IP', () => {
    const svc = service({ ipFamilies: ['IPv6', 'IPv4'], clusterIP: 'fd00::a' });
    const pods = [pod(0, { ip: ['10.0.0.1', 'fd00:0:0::1'] }), pod(1, { ip: '10.0.0.2' })];
    const plan = planServiceSlices(svc, pods, [], nodes);
    const byType = Object.fromEntries(
      plan.toCreate.map((s) => [s.addressType, s.endpoints.map((e) => e.addresses)]),
    );
    assert.deepEqual(byType, { IPv6: [['fd00::1']], IPv4: [['10.0.0.1'], ['10.0.0.2']] });
  });

  it('no pods: a single placeholder slice with no ports', () => {
    const plan = planServiceSlices(service(), [], [], nodes);
    assert.equal(plan.toCreate.length, 1);
    const [p] = plan.toCreate;
    assert.deepEqual(p!.endpoints, []);
    assert.deepEqual(p!.ports, []);
    assert.equal(p!.metadata!.generateName, 'web-');
    assert.deepEqual(p!.metadata!.ownerReferences, [
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'web',
        uid: 'svc-uid-1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('headless services are labelled and may have no ports', () => {
    const svc = service({ clusterIP: 'None', ports: [] });
    const plan = planServiceSlices(svc, [pod(0, { hostname: 'web-0', subdomain: 'web' })], [], nodes);
    const [s] = plan.toCreate;
    assert.equal(s!.metadata!.labels!['service.kubernetes.io/headless'], '');
    assert.deepEqual(s!.ports, []);
    assert.equal(s!.endpoints[0]!.hostname, 'web-0');
  });

  it('a pod on an unknown node is skipped (and reported) unless publishNotReadyAddresses', () => {
    const pods = [pod(0), pod(1, { node: 'ghost' })];
    const plan = planServiceSlices(service(), pods, [], nodes);
    assert.equal(plan.toCreate[0]!.endpoints.length, 1);
    assert.match(plan.errors[0]!, /skipping Pod web-1 for Service default\/web: Node ghost Not Found/);
    const pub = planServiceSlices(service({ publishNotReadyAddresses: true }), pods, [], nodes);
    assert.equal(pub.toCreate[0]!.endpoints.length, 2);
    assert.deepEqual(pub.errors, []);
  });

  it('PreferClose hints each ready endpoint for its own zone and fixes unchanged slices', () => {
    const plain = service();
    const store = new SliceStore();
    store.apply(planServiceSlices(plain, [pod(0), pod(1, { node: 'node-2', ready: false })], [], nodes));
    assert.equal(store.list()[0]!.endpoints[0]!.hints, undefined);
    const close = service({ trafficDistribution: 'PreferClose' });
    const plan = planServiceSlices(
      close,
      [pod(0), pod(1, { node: 'node-2', ready: false })],
      store.list(),
      nodes,
    );
    assert.equal(plan.toUpdate.length, 1, 'unchanged slice rewritten for its hints');
    const eps = plan.toUpdate[0]!.endpoints;
    assert.deepEqual(eps[0]!.hints, { forZones: [{ name: 'zone-a' }] });
    assert.equal(eps[1]!.hints, undefined, 'not-ready endpoints get no hint');
    store.apply(plan);
    const again = planServiceSlices(
      close,
      [pod(0), pod(1, { node: 'node-2', ready: false })],
      store.list(),
      nodes,
    );
    assert.equal(again.toUpdate.length, 0);
  });

  it('never mutates the slices it is given', () => {
    const store = new SliceStore();
    store.apply(
      planServiceSlices(
        service(),
        range(0, 120).map((i) => pod(i)),
        [],
        nodes,
      ),
    );
    const frozen = structuredClone(store.list());
    planServiceSlices(
      service({ labels: { x: 'y' } }),
      range(5, 130).map((i) => pod(i, { ready: i % 2 === 0 })),
      store.list(),
      nodes,
    );
    assert.deepEqual(store.list(), frozen);
  });
});

describe('reconcile building blocks', () => {
  const slice = (name: string, n: number): EndpointSlice => ({
    metadata: { name },
    addressType: 'IPv4',
    endpoints: range(0, n).map((i) => ({ addresses: [`10.1.${name.length}.${i}`] })),
  });

  it('sliceToFill picks the tightest fit', () => {
    const cases: [number[], number, string | undefined][] = [
      [[10, 50, 95], 5, 'c'],
      [[10, 50, 95], 40, 'b'],
      [[10, 50, 95], 91, undefined],
      [[90, 60], 10, 'a'],
      [[], 1, undefined],
    ];
    for (const [sizes, n, want] of cases) {
      const slices = sizes.map((s, i) => slice('abc'[i]!, s));
      assert.equal(sliceToFill(slices, n, 100)?.metadata?.name, want, `${sizes} + ${n}`);
    }
  });

  it('finalize turns create+delete pairs of the same type and owner into updates', () => {
    const svc = service();
    const mine = newEndpointSlice(svc, [], 'IPv4');
    mine.metadata = { ...mine.metadata, name: 'web-aaaaa', resourceVersion: '7' };
    const create1 = newEndpointSlice(svc, [], 'IPv4');
    const create2 = newEndpointSlice(svc, [], 'IPv4');
    const out = finalizePlan(svc, { toCreate: [create1, create2], toUpdate: [], toDelete: [mine] });
    assert.equal(out.toCreate.length, 1);
    assert.equal(out.toDelete.length, 0);
    assert.equal(out.toUpdate[0]!.metadata!.name, 'web-aaaaa');
    assert.equal(out.toUpdate[0]!.metadata!.resourceVersion, '7');
    assert.equal(out.toUpdate[0]!.metadata!.generateName, undefined);
  });

  it('reconcile consumes desired groups given directly (the brief signature)', () => {
    const svc = service();
    const endpoints = new EndpointSet(
      range(0, 3).map((i) => ({ addresses: [`10.9.0.${i}`], conditions: { ready: true } })),
    );
    const plan = reconcile(svc, [], new Map([['k', { ports: [], endpoints }]]), 2);
    assert.deepEqual(
      plan.toCreate.map((s) => s.endpoints.length),
      [2, 1],
    );
  });
});
