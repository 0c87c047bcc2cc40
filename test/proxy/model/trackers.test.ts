import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  EndpointSliceChangeTracker,
  parseTriggerTime,
  ServiceChangeTracker,
} from '../../../src/proxy/model/trackers.js';
import { ep, slice, svc } from './fixtures.js';

const clone = <T>(o: T): T => structuredClone(o);

describe('ServiceChangeTracker', () => {
  const a1 = svc('a', { clusterIP: '127.97.4.1' });
  const a2 = svc('a', { clusterIP: '127.97.4.1', ports: [{ name: 'http', port: 81 }] });

  it('add then take; nothing pending afterwards', () => {
    const t = new ServiceChangeTracker();
    assert.equal(t.update(undefined, a1), true);
    assert.deepEqual(t.pending(), ['ns/a']);
    const changes = t.take();
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.key, 'ns/a');
    assert.equal(changes[0]!.previous, undefined);
    assert.equal(changes[0]!.current, a1);
    assert.equal(t.pendingCount, 0);
    assert.deepEqual(t.take(), []);
  });

  it('add then delete before a sync cancels out', () => {
    const t = new ServiceChangeTracker();
    t.update(undefined, a1);
    assert.equal(t.update(a1, undefined), false);
    assert.deepEqual(t.take(), []);
  });

  it('update and revert cancels out; multiple updates collapse to first previous → last current', () => {
    const t = new ServiceChangeTracker();
    assert.equal(t.update(a1, a2), true);
    assert.equal(t.update(a2, a1), false);
    t.update(a1, a2);
    const a3 = svc('a', { clusterIP: '127.97.4.1', ports: [{ name: 'http', port: 82 }] });
    t.update(a2, a3);
    const [c] = t.take();
    assert.equal(c!.previous, a1);
    assert.equal(c!.current, a3);
  });

  it('changes the proxy does not act on are not pending', () => {
    const t = new ServiceChangeTracker();
    const b = clone(a1);
    b.metadata!.annotations = { note: 'x' };
    Object.assign(b.metadata!, { resourceVersion: '7' });
    b.spec!.selector = { app: 'other' };
    assert.equal(t.update(a1, b), false);
    const c = clone(a1);
    c.metadata!.annotations = { 'svcnet.io/scheduler': 'rr' };
    assert.equal(t.update(a1, c), true);
  });

  it('a skipped service changing stays unpending; becoming served is a change', () => {
    const t = new ServiceChangeTracker();
    const other = svc(
      'o',
      { clusterIP: '127.97.4.2' },
      { labels: { 'service.kubernetes.io/service-proxy-name': 'x' } },
    );
    const other2 = clone(other);
    other2.spec!.ports = [{ name: 'http', port: 99 }];
    assert.equal(t.update(undefined, other), false);
    assert.equal(t.update(other, other2), false);
    const served = clone(other2);
    delete served.metadata!.labels;
    assert.equal(t.update(other2, served), true);
  });

  it('delete, tracked per key with several services', () => {
    const t = new ServiceChangeTracker();
    const b = svc('b', { clusterIP: '127.97.4.3' });
    t.update(undefined, a1);
    t.update(undefined, b);
    t.take();
    t.update(b, undefined);
    t.update(a1, a2);
    const changes = t.take();
    assert.deepEqual(
      changes.map((c) => [c.key, c.previous !== undefined, c.current !== undefined]),
      [
        ['ns/a', true, true],
        ['ns/b', true, false],
      ],
    );
    assert.equal(t.changesTotal, 4);
  });

  it('update(undefined, undefined) is a no-op', () => {
    const t = new ServiceChangeTracker();
    assert.equal(t.update(undefined, undefined), false);
    assert.equal(t.changesTotal, 0);
  });
});

describe('EndpointSliceChangeTracker', () => {
  const s1 = slice('web', 'web-1', [ep('127.245.4.1')]);
  const s1b = slice('web', 'web-1', [ep('127.245.4.1'), ep('127.245.4.2')]);
  const s2 = slice('web', 'web-2', [ep('127.245.4.3')]);
  const withTime = (s: EndpointSlice, t: string): EndpointSlice => {
    const c = clone(s);
    c.metadata!.annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': t };
    return c;
  };

  it('groups slices by service; take applies them', () => {
    const t = new EndpointSliceChangeTracker();
    assert.equal(t.update(undefined, s1), true);
    assert.equal(t.update(undefined, s2), true);
    assert.equal(t.pendingCount, 1);
    assert.deepEqual(t.take().services, ['ns/web']);
    assert.equal(t.pendingCount, 0);
    // Same content again: nothing to do.
    assert.equal(t.update(s1, clone(s1)), false);
  });

  it('add then delete cancels; update then revert cancels', () => {
    const t = new EndpointSliceChangeTracker();
    t.update(undefined, s1);
    assert.equal(t.update(s1, undefined), false);
    assert.deepEqual(t.take().services, []);
    t.update(undefined, s1);
    t.take();
    assert.equal(t.update(s1, s1b), true);
    assert.equal(t.update(s1b, s1), false);
    assert.deepEqual(t.take().services, []);
  });

  it('endpoint order and unrelated metadata do not matter', () => {
    const t = new EndpointSliceChangeTracker();
    const x = slice('web', 'web-1', [ep('127.245.4.1'), ep('127.245.4.2')]);
    t.update(undefined, x);
    t.take();
    const y = slice('web', 'web-1', [ep('127.245.4.2'), ep('127.245.4.1')]);
    Object.assign(y.metadata!, { resourceVersion: '9' });
    assert.equal(t.update(x, y), false);
    const z = clone(y);
    z.endpoints![0]!.conditions!.ready = false;
    assert.equal(t.update(y, z), true);
  });

  it('delete of an applied slice is a change; endpoints moving between slices is tracked per slice', () => {
    const t = new EndpointSliceChangeTracker();
    t.update(undefined, s1);
    t.update(undefined, s2);
    t.take();
    assert.equal(t.update(s2, undefined), true);
    assert.deepEqual(t.take().services, ['ns/web']);
    assert.equal(t.update(s2, undefined), false);
  });

  it('ignores FQDN slices and slices without a service-name label', () => {
    const t = new EndpointSliceChangeTracker();
    assert.equal(
      t.update(undefined, slice('web', 'f', [ep('a.example')], undefined, { addressType: 'FQDN' })),
      false,
    );
    const unlabelled = clone(s1);
    delete unlabelled.metadata!.labels;
    assert.equal(t.update(undefined, unlabelled), false);
    assert.equal(t.changesTotal, 0);
  });

  it('slices labelled for another proxy count as absent', () => {
    const t = new EndpointSliceChangeTracker();
    const other = slice('web', 'web-9', [ep('127.245.4.9')], undefined, {
      labels: { 'service.kubernetes.io/service-proxy-name': 'other' },
    });
    assert.equal(t.update(undefined, other), false);
  });

  it('records trigger times after the tracker started, per service, and hands them over once', () => {
    const start = Date.parse('2025-01-01T00:00:00Z');
    const t = new EndpointSliceChangeTracker({ startTime: start });
    t.update(undefined, withTime(s1, '2024-12-31T23:59:59Z')); // before start: ignored
    t.update(s1, withTime(s1b, '2025-01-01T00:00:01.5Z'));
    t.update(undefined, withTime(s2, '2025-01-01T00:00:02.000000001Z'));
    t.update(undefined, withTime(slice('db', 'db-1', [ep('127.245.4.5')]), 'not a time'));
    const got = t.take();
    assert.deepEqual(got.services, ['ns/db', 'ns/web']);
    assert.deepEqual([...got.lastChangeTriggerTimes], [['ns/web', [start + 1500, start + 2000.000001]]]);
    assert.equal(t.take().lastChangeTriggerTimes.size, 0);
  });

  it('a deletion drops the service trigger times; a cancelled change too', () => {
    const start = Date.parse('2025-01-01T00:00:00Z');
    const t = new EndpointSliceChangeTracker({ startTime: start });
    t.update(undefined, s1);
    t.update(undefined, s2);
    t.take();
    t.update(s1, withTime(s1b, '2025-01-01T00:00:05Z'));
    t.update(s2, undefined);
    assert.equal(t.take().lastChangeTriggerTimes.size, 0);
    t.update(s1b, withTime(s1, '2025-01-01T00:00:06Z'));
    t.update(s1, withTime(s1b, '2025-01-01T00:00:07Z'));
    assert.deepEqual(t.pending(), []);
    assert.equal(t.take().lastChangeTriggerTimes.size, 0);
  });
});

describe('parseTriggerTime', () => {
  const cases: [string | undefined, number | undefined][] = [
    ['2025-01-01T00:00:00Z', Date.parse('2025-01-01T00:00:00Z')],
    ['2025-01-01T00:00:00.25Z', Date.parse('2025-01-01T00:00:00Z') + 250],
    ['2025-01-01T02:00:00+02:00', Date.parse('2025-01-01T00:00:00Z')],
    ['2025-01-01 00:00:00', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [input, want] of cases) {
    it(String(input), () => assert.equal(parseTriggerTime(input), want));
  }
});
