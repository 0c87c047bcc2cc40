import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { Pods, ReplicaSets } from '../../../src/client/resources.js';
import {
  blockingDependents,
  decideItem,
  type ItemAction,
  type OwnerState,
  ownerState,
  unblockOwners,
  withoutOwners,
} from '../../../src/controllers/gc/decide.js';
import { type GraphNode, nodeOf, OwnerGraph } from '../../../src/controllers/gc/graph.js';

const ref = (uid: string, block = true): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: `rs-${uid}`,
  uid,
  controller: true,
  blockOwnerDeletion: block,
});

describe('ownerState', () => {
  const r = ref('a');
  const cases: [string, Parameters<typeof ownerState>[1], OwnerState][] = [
    ['not found', undefined, 'dangling'],
    ['recreated under another uid', { metadata: { uid: 'b' } }, 'dangling'],
    ['present', { metadata: { uid: 'a' } }, 'solid'],
    ['being deleted in the background', { metadata: { uid: 'a', deletionTimestamp: 't' } }, 'solid'],
    [
      'being deleted in the foreground',
      { metadata: { uid: 'a', deletionTimestamp: 't', finalizers: ['foregroundDeletion'] } },
      'waiting',
    ],
  ];
  for (const [name, live, want] of cases) it(name, () => assert.equal(ownerState(r, live), want));
});

describe('decideItem', () => {
  const deleting = { finalizers: ['foregroundDeletion'], deletionTimestamp: 't' };
  const cases: {
    name: string;
    owners: OwnerReference[];
    finalizers?: string[];
    states: Record<string, OwnerState>;
    deps?: Pick<GraphNode, 'finalizers' | 'deletionTimestamp'>[];
    want: ItemAction;
  }[] = [
    { name: 'no owners: not a dependent', owners: [], states: {}, want: { kind: 'none' } },
    { name: 'all owners solid', owners: [ref('a')], states: { a: 'solid' }, want: { kind: 'none' } },
    {
      name: 'sole owner gone: background delete',
      owners: [ref('a')],
      states: { a: 'dangling' },
      want: { kind: 'delete', policy: 'Background', unblock: [] },
    },
    {
      name: 'one owner gone, one present: drop the dangling reference',
      owners: [ref('a'), ref('b')],
      states: { a: 'dangling', b: 'solid' },
      want: { kind: 'removeOwnerRefs', uids: ['a'] },
    },
    {
      name: 'owner waiting, item without dependents: background delete',
      owners: [ref('a')],
      states: { a: 'waiting' },
      want: { kind: 'delete', policy: 'Background', unblock: [] },
    },
    {
      name: 'owner waiting, item with dependents: foreground delete',
      owners: [ref('a')],
      states: { a: 'waiting' },
      deps: [{ finalizers: [] }],
      want: { kind: 'delete', policy: 'Foreground', unblock: [] },
    },
    {
      name: 'owner waiting, a dependent also deleting dependents: unblock first',
      owners: [ref('a')],
      states: { a: 'waiting' },
      deps: [deleting],
      want: { kind: 'delete', policy: 'Foreground', unblock: ['a'] },
    },
    {
      name: 'the item asks for orphaning itself',
      owners: [ref('a')],
      finalizers: ['orphan'],
      states: { a: 'dangling' },
      want: { kind: 'delete', policy: 'Orphan', unblock: [] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = decideItem(
        { owners: c.owners, finalizers: c.finalizers ?? [] },
        new Map(Object.entries(c.states)),
        c.deps ?? [],
      );
      assert.deepEqual(got, c.want);
    });
  }
});

describe('OwnerGraph', () => {
  it('indexes dependents by owner uid and follows owner changes', () => {
    const g = new OwnerGraph();
    const pod = (name: string, owners: OwnerReference[]) =>
      nodeOf(Pods, { metadata: { name, namespace: 'default', uid: name, ownerReferences: owners } });
    g.upsert(nodeOf(ReplicaSets, { metadata: { name: 'rs', namespace: 'default', uid: 'a' } }));
    g.upsert(pod('p1', [ref('a')]));
    g.upsert(pod('p2', [ref('a', false)]));
    assert.deepEqual(
      g
        .dependentsOf('a')
        .map((n) => n.id.name)
        .sort(),
      ['p1', 'p2'],
    );
    assert.deepEqual(
      blockingDependents('a', g.dependentsOf('a')).map((n) => n.id.name),
      ['p1'],
    );
    g.upsert(pod('p1', [ref('b')]));
    assert.deepEqual(
      g.dependentsOf('a').map((n) => n.id.name),
      ['p2'],
    );
    assert.deepEqual(
      g.dependentsOf('b').map((n) => n.id.name),
      ['p1'],
    );
    g.remove('p2');
    assert.deepEqual(g.dependentsOf('a'), []);
    assert.equal(g.size, 2);
  });

  it('edits owner reference lists', () => {
    const refs = [ref('a'), ref('b')];
    assert.deepEqual(withoutOwners(refs, ['a']), [ref('b')]);
    assert.deepEqual(unblockOwners(refs, ['b']), [ref('a'), { ...ref('b'), blockOwnerDeletion: false }]);
  });
});
