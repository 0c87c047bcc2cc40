import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { EndpointSliceTracker } from '../../../src/controllers/endpointslice/tracker.js';
import {
  formatRFC3339Nano,
  TriggerTimeTracker,
} from '../../../src/controllers/endpointslice/trigger-time.js';
import { pod, service } from './fixtures.js';

const slice = (uid: string, generation: number, svc = 'web'): EndpointSlice => ({
  metadata: {
    name: `s-${uid}`,
    namespace: 'default',
    uid,
    generation,
    labels: { 'kubernetes.io/service-name': svc },
  },
  addressType: 'IPv4',
  endpoints: [],
});

describe('EndpointSliceTracker', () => {
  it('shouldSync: unknown or newer than ours', () => {
    const t = new EndpointSliceTracker();
    assert.equal(t.shouldSync(slice('a', 1)), true);
    t.update(slice('a', 2));
    assert.equal(t.shouldSync(slice('a', 2)), false);
    assert.equal(t.shouldSync(slice('a', 1)), false);
    assert.equal(t.shouldSync(slice('a', 3)), true);
  });

  const svc = service();
  const cases: [string, (t: EndpointSliceTracker) => void, EndpointSlice[], boolean][] = [
    ['nothing tracked', () => {}, [slice('a', 1)], false],
    ['cache has what we wrote', (t) => t.update(slice('a', 2)), [slice('a', 2)], false],
    ['cache newer than what we wrote', (t) => t.update(slice('a', 2)), [slice('a', 3)], false],
    ['cache older than what we wrote', (t) => t.update(slice('a', 2)), [slice('a', 1)], true],
    ['cache still has a slice we deleted', (t) => t.expectDeletion(slice('a', 1)), [slice('a', 1)], true],
    ['cache misses a slice we created', (t) => t.update(slice('b', 1)), [slice('a', 1)], true],
    ['a deleted slice that is gone is fine', (t) => t.expectDeletion(slice('a', 1)), [], false],
  ];
  for (const [what, setup, cached, stale] of cases) {
    it(`staleSlices: ${what}`, () => {
      const t = new EndpointSliceTracker();
      t.staleSlices(svc, []);
      setup(t);
      assert.equal(t.staleSlices(svc, cached), stale);
    });
  }

  it('a recreated service (new UID) forgets what was tracked', () => {
    const t = new EndpointSliceTracker();
    t.staleSlices(svc, []);
    t.update(slice('a', 5));
    assert.equal(t.staleSlices(svc, []), true);
    assert.equal(t.staleSlices(service({ uid: 'new' }), []), false);
  });

  it('handleDeletion: expected deletions are quiet, others ask for a resync', () => {
    const t = new EndpointSliceTracker();
    t.expectDeletion(slice('a', 1));
    t.update(slice('b', 1));
    assert.equal(t.has(slice('a', 1)), true);
    assert.equal(t.handleDeletion(slice('a', 1)), true);
    assert.equal(t.has(slice('a', 1)), false);
    assert.equal(t.handleDeletion(slice('b', 1)), false);
  });
});

describe('trigger time', () => {
  it('formats as Go RFC3339Nano in UTC', () => {
    assert.equal(formatRFC3339Nano(Date.parse('2024-05-01T10:00:05Z')), '2024-05-01T10:00:05Z');
    assert.equal(formatRFC3339Nano(Date.parse('2024-05-01T10:00:05.120Z')), '2024-05-01T10:00:05.12Z');
  });

  it('first sync: the service creation; later: the earliest change since', () => {
    const t = new TriggerTimeTracker();
    const svc = service();
    const p0 = pod(0, { readyTime: '2024-05-01T10:00:05Z' });
    const p1 = pod(1, { readyTime: '2024-05-01T10:00:06Z' });
    assert.equal(t.compute(svc, [p0, p1]), Date.parse('2024-05-01T10:00:00Z'));
    assert.equal(t.compute(svc, [p0, p1]), 0, 'nothing moved');
    const p1b = pod(1, { readyTime: '2024-05-01T10:05:00Z' });
    const p2 = pod(2, { readyTime: '2024-05-01T10:04:00Z' });
    assert.equal(t.compute(svc, [p0, p1b, p2]), Date.parse('2024-05-01T10:04:00Z'));
    t.deleteService('default', 'web');
    assert.equal(t.compute(svc, [p0]), Date.parse('2024-05-01T10:00:00Z'));
  });
});
