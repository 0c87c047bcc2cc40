import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { computeHash, fnv1a32, safeEncodeString } from '../../../src/controllers/deployment/hash.js';
import {
  planCleanup,
  planNewReplicaSet,
  planOldReplicaSets,
  planRecreateScaleDown,
  planScale,
} from '../../../src/controllers/deployment/plan.js';
import {
  calculateStatus,
  progressCheckDelay,
  rolloutStatus,
  statusEqual,
} from '../../../src/controllers/deployment/status.js';
import {
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  intOrPercent,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  resolveFenceposts,
  setCondition,
  setNewReplicaSetAnnotations,
} from '../../../src/controllers/deployment/util.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const at = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function deploy(
  replicas: number,
  surge: number | string = 1,
  unavailable: number | string = 0,
  extra: Partial<Deployment['spec']> = {},
): Deployment {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd1', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v2' }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } },
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      ...extra,
    },
    status: {},
  };
}

function rs(
  name: string,
  replicas: number,
  available = replicas,
  age = 100,
  ann: Record<string, string> = {},
): ReplicaSet {
  return {
    metadata: {
      name,
      uid: name,
      namespace: 'default',
      creationTimestamp: at(age),
      annotations: ann,
      generation: 1,
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } } },
    },
    status: { replicas, availableReplicas: available, readyReplicas: available, observedGeneration: 1 },
  };
}

describe('pod-template-hash', () => {
  it('FNV-1a 32 known vectors', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    assert.equal(fnv1a32(enc('')), 0x811c9dc5);
    assert.equal(fnv1a32(enc('a')), 0xe40c292c);
    assert.equal(fnv1a32(enc('foobar')), 0xbf9cf968);
  });
  it('SafeEncodeString maps decimal digits into the safe alphabet', () => {
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  });
  it('is deterministic, key-order blind, and changes with the template and collisionCount', () => {
    const t1 = {
      metadata: { labels: { app: 'web', x: '1' } },
      spec: { containers: [{ name: 'c', image: 'a' }] },
    };
    const t2 = {
      spec: { containers: [{ image: 'a', name: 'c' }] },
      metadata: { labels: { x: '1', app: 'web' } },
    };
    const h = computeHash(t1);
    assert.match(h, /^[456789bcdf]{1,10}$/);
    assert.equal(computeHash(t2), h);
    assert.notEqual(computeHash({ ...t1, spec: { containers: [{ name: 'c', image: 'b' }] } }), h);
    assert.notEqual(computeHash(t1, 1), h);
    assert.notEqual(computeHash(t1, 1), computeHash(t1, 2));
  });
});

describe('fenceposts', () => {
  const table: [number | string, number | string, number, number, number][] = [
    // maxSurge, maxUnavailable, desired → surge, unavailable
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 1, 1, 0],
    ['25%', '25%', 4, 1, 1],
    [0, 0, 3, 0, 1],
    ['0%', '1%', 2, 0, 1],
    ['1%', '25%', 2, 1, 0],
    [2, 3, 5, 2, 3],
  ];
  for (const [s, u, desired, es, eu] of table) {
    it(`surge ${s}, unavailable ${u}, ${desired} desired → ${es}/${eu}`, () => {
      assert.deepEqual(resolveFenceposts(s, u, desired), { surge: es, unavailable: eu });
    });
  }
  it('maxUnavailable is capped at replicas and 0 for Recreate or 0 replicas', () => {
    assert.equal(maxUnavailable(deploy(2, 0, 5)), 2);
    assert.equal(maxUnavailable(deploy(0, 0, 5)), 0);
    assert.equal(maxUnavailable(deploy(3, 1, 1, { strategy: { type: 'Recreate' } })), 0);
    assert.equal(maxSurge(deploy(3, 1, 1, { strategy: { type: 'Recreate' } })), 0);
  });
  it('rejects non-percent strings', () => {
    assert.throws(() => intOrPercent('5', 10, true), /string is not a percentage/);
  });
});

describe('rolling update: new ReplicaSet (reconcileNewReplicaSet)', () => {
  const table: [string, number, number, number, number, number | undefined][] = [
    // name, deployment replicas, maxSurge, old, new → new size (undefined: no scale)
    ['no surge room', 10, 0, 10, 0, undefined],
    ['surge 2 from full old', 10, 2, 10, 0, 2],
    ['old already scaled down', 10, 2, 5, 0, 7],
    ['at the surge limit', 10, 2, 10, 2, undefined],
    ['new larger than desired scales down', 2, 0, 0, 3, 2],
    ['already saturated', 3, 1, 0, 3, undefined],
  ];
  for (const [name, want, surge, oldN, newN, expect] of table) {
    it(name, () => {
      const d = deploy(want, surge, 0);
      const oldRS = rs('old', oldN, oldN, 200);
      const newRS = rs('new', newN, newN, 100);
      const ops = planNewReplicaSet(d, [oldRS, newRS], newRS);
      assert.deepEqual(
        ops.map((o) => o.to),
        expect === undefined ? [] : [expect],
      );
    });
  }
  it('newRSNewReplicas for Recreate is the desired count', () => {
    const d = deploy(4, 1, 0, { strategy: { type: 'Recreate' } });
    assert.equal(newRSNewReplicas(d, [rs('old', 4)], rs('new', 0)), 4);
  });
});

describe('rolling update: old ReplicaSets (reconcileOldReplicaSets)', () => {
  const table: [string, number, number, number, number, number, number, number, number[]][] = [
    // name, replicas, maxSurge, maxUnavailable, old, new, old available, new available → old sizes after each op
    ['no room', 10, 1, 0, 10, 0, 10, 0, []],
    ['both fenceposts 0: one may be unavailable', 10, 0, 0, 10, 0, 10, 0, [9]],
    ['maxUnavailable 2 lets 2 go', 10, 0, 2, 10, 0, 10, 0, [8]],
    ['unhealthy old replicas cleaned up first', 10, 0, 2, 10, 0, 8, 0, [8]],
    ['1 unhealthy cleaned, 1 healthy scaled down', 10, 0, 2, 10, 0, 9, 0, [9, 8]],
    ['unavailable new pods block further scale down', 10, 0, 2, 8, 2, 8, 0, []],
    ['new pods available: old scale down', 3, 1, 0, 3, 1, 3, 1, [2]],
  ];
  for (const [name, want, surge, unavailable, oldN, newN, oldAvail, newAvail, sizes] of table) {
    it(name, () => {
      const d = deploy(want, surge, unavailable);
      const oldRS = rs('old', oldN, oldAvail, 200);
      const newRS = rs('new', newN, newAvail, 100);
      const ops = planOldReplicaSets(d, [oldRS, newRS], [oldRS], newRS);
      assert.deepEqual(
        ops.map((o) => o.to),
        sizes,
      );
      assert.ok(ops.every((o) => o.rs === oldRS && o.verb === 'down'));
    });
  }
  it('scales the oldest ReplicaSets down first', () => {
    const d = deploy(4, 0, 2);
    const older = rs('older', 2, 2, 300);
    const old = rs('old', 2, 2, 200);
    const newRS = rs('new', 0, 0, 100);
    const ops = planOldReplicaSets(d, [old, older, newRS], [old, older], newRS);
    assert.deepEqual(
      ops.map((o) => [o.rs.metadata?.name, o.to]),
      [['older', 0]],
    );
  });
});

describe('a whole rolling update, step by step', () => {
  // Simulates controller + ReplicaSet controller + pods becoming ready at once,
  // checking maxSurge / maxUnavailable at every step.
  const table: [number, number | string, number | string][] = [
    [3, 1, 0],
    [3, 0, 1],
    [10, '25%', '25%'],
    [5, 2, 2],
    [1, 0, 1],
  ];
  for (const [want, surge, unavailable] of table) {
    it(`replicas ${want}, maxSurge ${surge}, maxUnavailable ${unavailable}`, () => {
      const d = deploy(want, surge, unavailable);
      const { surge: s, unavailable: u } = resolveFenceposts(surge, unavailable, want);
      const oldRS = rs('old', want, want, 200);
      const newRS = rs('new', 0, 0, 100);
      const settle = (x: { status?: ReplicaSet['status']; spec?: ReplicaSet['spec'] }) => {
        x.status = {
          replicas: x.spec!.replicas!,
          availableReplicas: x.spec!.replicas!,
          readyReplicas: x.spec!.replicas!,
        };
      };
      for (let step = 0; step < 50 && (oldRS.spec!.replicas! > 0 || newRS.spec!.replicas! < want); step++) {
        const all = [oldRS, newRS];
        let ops = planNewReplicaSet(d, all, newRS);
        if (!ops.length) ops = planOldReplicaSets(d, all, [oldRS], newRS);
        assert.ok(ops.length > 0, `stuck at step ${step}`);
        for (const op of ops) op.rs.spec!.replicas = op.to;
        const total = oldRS.spec!.replicas! + newRS.spec!.replicas!;
        assert.ok(total <= want + s, `surge exceeded: ${total}`);
        // Pods of a scaled-down RS go away at once; new ones are not yet available.
        const available =
          Math.min(oldRS.status!.availableReplicas!, oldRS.spec!.replicas!) +
          newRS.status!.availableReplicas!;
        assert.ok(available >= want - u, `availability ${available} < ${want - u}`);
        settle(oldRS);
        settle(newRS);
      }
      assert.equal(newRS.spec!.replicas, want);
      assert.equal(oldRS.spec!.replicas, 0);
    });
  }
});

describe('proportional scaling (scale)', () => {
  it('one active ReplicaSet takes the new size', () => {
    const ops = planScale(deploy(5), rs('new', 3, 3, 100), [rs('old', 0, 0, 200)]);
    assert.deepEqual(
      ops.map((o) => [o.rs.metadata?.name, o.to, o.verb]),
      [['new', 5, 'up']],
    );
  });
  it('no active ReplicaSet: the newest scales', () => {
    const ops = planScale(deploy(2), undefined, [rs('a', 0, 0, 300), rs('b', 0, 0, 100)]);
    assert.deepEqual(
      ops.map((o) => [o.rs.metadata?.name, o.to]),
      [['b', 2]],
    );
  });
  it('saturated new ReplicaSet: old ones go to zero', () => {
    const newRS = rs('new', 3, 3, 100, { 'deployment.kubernetes.io/desired-replicas': '3' });
    const ops = planScale(deploy(3), newRS, [rs('old', 1, 1, 200)]);
    assert.deepEqual(
      ops.map((o) => [o.rs.metadata?.name, o.to]),
      [['old', 0]],
    );
  });
  it('10 → 15 mid-rollout with maxSurge 3: 3 to the old, 2 to the new', () => {
    const ann = {
      'deployment.kubernetes.io/max-replicas': '13',
      'deployment.kubernetes.io/desired-replicas': '10',
    };
    const oldRS = rs('old', 8, 8, 200, ann);
    const newRS = rs('new', 5, 0, 100, ann);
    const ops = planScale(deploy(15, 3, 2), newRS, [oldRS]);
    assert.deepEqual(
      ops.map((o) => [o.rs.metadata?.name, o.to, o.verb]),
      [
        ['old', 11, 'up'],
        ['new', 7, 'up'],
      ],
    );
  });
  it('scaling down to zero takes everything', () => {
    const ann = { 'deployment.kubernetes.io/max-replicas': '13' };
    const ops = planScale(deploy(0, 3, 2), rs('new', 5, 0, 100, ann), [rs('old', 8, 8, 200, ann)]);
    assert.deepEqual(
      ops.map((o) => [o.rs.metadata?.name, o.to, o.verb]),
      [
        ['old', 0, 'down'],
        ['new', 0, 'down'],
      ],
    );
  });
  it('Recreate scale down and active-or-latest', () => {
    assert.deepEqual(
      planRecreateScaleDown([rs('a', 2), rs('b', 0)]).map((o) => o.to),
      [0],
    );
    assert.equal(findActiveOrLatest(undefined, []), undefined);
    assert.equal(findActiveOrLatest(rs('n', 1), [rs('o', 1)]), undefined);
  });
  it('saturation needs size, annotation and availability', () => {
    const d = deploy(3);
    assert.equal(
      isSaturated(d, rs('n', 3, 3, 1, { 'deployment.kubernetes.io/desired-replicas': '3' })),
      true,
    );
    assert.equal(
      isSaturated(d, rs('n', 3, 2, 1, { 'deployment.kubernetes.io/desired-replicas': '3' })),
      false,
    );
    assert.equal(isSaturated(d, rs('n', 3, 3, 1)), false);
  });
});

describe('revisions', () => {
  it('maxRevision skips unparsable annotations', () => {
    const r = (v: string) => rs(v, 0, 0, 1, { 'deployment.kubernetes.io/revision': v });
    assert.equal(maxRevision([r('3'), r('x'), r('7'), rs('none', 0)]), 7);
  });
  it('a new ReplicaSet gets the revision, the deployment annotations and replica annotations', () => {
    const d = deploy(3, 1, 0);
    d.metadata!.annotations = {
      team: 'a',
      'deployment.kubernetes.io/revision': '9',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    };
    const n = rs('new', 0);
    assert.equal(setNewReplicaSetAnnotations(d, n, '4', false), true);
    assert.deepEqual(n.metadata?.annotations, {
      team: 'a',
      'deployment.kubernetes.io/revision': '4',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
  });
  it('a ReplicaSet brought back (rollback) gets the new number and revision-history', () => {
    const d = deploy(3);
    const back = rs('back', 0, 0, 1, { 'deployment.kubernetes.io/revision': '1' });
    assert.equal(setNewReplicaSetAnnotations(d, back, '3', true), true);
    assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    setNewReplicaSetAnnotations(d, back, '5', true);
    assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1,3');
    assert.equal(setNewReplicaSetAnnotations(d, back, '5', true), false, 'no change the second time');
    assert.equal(setNewReplicaSetAnnotations(d, back, '4', true), false, 'never lowered');
  });
  it('revision-history is trimmed from the front to the character limit', () => {
    const back = rs('back', 0, 0, 1, {
      'deployment.kubernetes.io/revision': '7',
      'deployment.kubernetes.io/revision-history': '1,2,3',
    });
    setNewReplicaSetAnnotations(deploy(1), back, '8', true, 4);
    assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '3,7');
  });
});

describe('new and old ReplicaSets', () => {
  it('equalIgnoreHash ignores the hash label and unset fields', () => {
    const d = deploy(1);
    const t = structuredClone(d.spec!.template);
    t.metadata!.labels!['pod-template-hash'] = 'abc';
    (t.metadata as Record<string, unknown>).creationTimestamp = null;
    assert.equal(equalIgnoreHash(d.spec!.template, t), true);
    t.spec!.containers[0]!.image = 'v3';
    assert.equal(equalIgnoreHash(d.spec!.template, t), false);
  });
  it('the oldest ReplicaSet with the template is the new one', () => {
    const d = deploy(1);
    const a = rs('a', 1, 1, 300);
    const b = { ...rs('b', 1, 1, 200), spec: { ...rs('b', 1).spec!, template: d.spec!.template } };
    const c = { ...rs('c', 1, 1, 100), spec: { ...rs('c', 1).spec!, template: d.spec!.template } };
    assert.equal(findNewReplicaSet(d, [c, a, b])?.metadata?.name, 'b');
    assert.deepEqual(
      findOldReplicaSets(d, [c, a, b]).map((x) => x.metadata?.name),
      ['c', 'a'],
    );
  });
  it('cleanup deletes the lowest revisions beyond the limit, only when empty', () => {
    const d = deploy(1, 1, 0, { revisionHistoryLimit: 1 });
    const r = (name: string, rev: string, replicas: number) =>
      rs(name, replicas, replicas, 1, { 'deployment.kubernetes.io/revision': rev });
    const victims = planCleanup(d, [r('r3', '3', 0), r('r1', '1', 0), r('r2', '2', 1)]);
    assert.deepEqual(
      victims.map((x) => x.metadata?.name),
      ['r1'],
    );
    assert.deepEqual(
      planCleanup({ ...d, spec: { ...d.spec!, revisionHistoryLimit: undefined } }, [r('a', '1', 0)]),
      [],
    );
  });
});

describe('status and conditions', () => {
  it('counts and Available condition', () => {
    const d = deploy(3, 1, 1);
    const s = calculateStatus([rs('old', 1, 1), rs('new', 3, 1)], rs('new', 3, 1), d, NOW);
    assert.deepEqual(
      [
        s.replicas,
        s.updatedReplicas,
        s.readyReplicas,
        s.availableReplicas,
        s.unavailableReplicas,
        s.observedGeneration,
      ],
      [4, 3, 2, 2, 2, 1],
    );
    assert.deepEqual(s.conditions, [
      {
        type: 'Available',
        status: 'True',
        lastUpdateTime: '2026-01-01T12:00:00Z',
        lastTransitionTime: '2026-01-01T12:00:00Z',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
      },
    ]);
    const low = calculateStatus([rs('new', 3, 1)], rs('new', 3, 1), d, NOW);
    assert.equal(low.conditions?.[0]?.reason, 'MinimumReplicasUnavailable');
    assert.equal(low.conditions?.[0]?.message, 'Deployment does not have minimum availability.');
  });
  it('Progressing: ReplicaSetUpdated while moving, NewReplicaSetAvailable when complete', () => {
    const d = deploy(2, 1, 0);
    d.metadata!.name = 'web';
    const newRS = rs('web-abc', 2, 1);
    const s1 = rolloutStatus([newRS], newRS, d, NOW);
    const p1 = s1.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(p1?.reason, 'ReplicaSetUpdated');
    assert.equal(p1?.message, 'ReplicaSet "web-abc" is progressing.');
    const done = rs('web-abc', 2, 2);
    const s2 = rolloutStatus([done], done, { ...d, status: s1 }, NOW + 1000);
    const p2 = s2.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(p2?.reason, 'NewReplicaSetAvailable');
    assert.equal(p2?.message, 'ReplicaSet "web-abc" has successfully progressed.');
    assert.equal(p2?.lastTransitionTime, p1?.lastTransitionTime, 'same status: transition time kept');
  });
  it('Progressing: ProgressDeadlineExceeded when nothing moved past the deadline', () => {
    const d = deploy(2, 1, 0, { progressDeadlineSeconds: 60 });
    const stuck = rs('web-abc', 2, 0);
    const prior = rolloutStatus([stuck], stuck, { ...d, status: {} }, NOW - 120_000);
    setCondition(prior, {
      type: 'Progressing',
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: 'x',
      lastUpdateTime: at(120),
      lastTransitionTime: at(120),
    });
    const dd = { ...d, status: prior };
    assert.equal(progressCheckDelay(dd, prior, NOW - 100_000), 41_000);
    const s = rolloutStatus([stuck], stuck, dd, NOW);
    const p = s.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(p?.reason, 'ProgressDeadlineExceeded');
    assert.equal(p?.status, 'False');
    assert.equal(p?.message, 'ReplicaSet "web-abc" has timed out progressing.');
  });
  it('ReplicaFailure is copied from the new ReplicaSet', () => {
    const d = deploy(2);
    const n = rs('n', 2, 0);
    n.status!.conditions = [
      {
        type: 'ReplicaFailure',
        status: 'True',
        reason: 'FailedCreate',
        message: 'quota',
        lastTransitionTime: at(5),
      },
    ];
    const s = rolloutStatus([n], n, d, NOW);
    assert.deepEqual(
      s.conditions?.find((c) => c.type === 'ReplicaFailure'),
      {
        type: 'ReplicaFailure',
        status: 'True',
        reason: 'FailedCreate',
        message: 'quota',
        lastTransitionTime: at(5),
        lastUpdateTime: at(5),
      },
    );
  });
  it('statusEqual treats absent counts as zero', () => {
    assert.equal(statusEqual({ replicas: 0 }, {}), true);
    assert.equal(statusEqual({ replicas: 1 }, {}), false);
  });
});
