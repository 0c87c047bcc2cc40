import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event as EventsEvent } from 'kubernetes-types/events/v1.js';
import { tableConvertorFor } from '../../../src/api/printers/index.js';
import { ago, agoMicro, HOUR, MINUTE, NOW, SECOND } from './helpers.js';

const printer = tableConvertorFor('', 'Event');
const eventsPrinter = tableConvertorFor('events.k8s.io', 'Event');

function ev(e: Partial<CoreEvent>): CoreEvent {
  return {
    metadata: { name: 'web.17a' },
    involvedObject: { kind: 'Service', name: 'web', fieldPath: '' },
    type: 'Normal',
    reason: 'Sync',
    message: 'synced',
    ...e,
  };
}

describe('Event columns', () => {
  it('LAST SEEN TYPE REASON OBJECT MESSAGE, wide SUBOBJECT SOURCE FIRST SEEN COUNT NAME', () => {
    assert.deepEqual(
      printer.columns.map((c) => [c.name, c.format, c.priority]),
      [
        ['Last Seen', '', 0],
        ['Type', '', 0],
        ['Reason', '', 0],
        ['Object', '', 0],
        ['Subobject', '', 1],
        ['Source', '', 1],
        ['Message', '', 0],
        ['First Seen', '', 1],
        ['Count', '', 1],
        ['Name', 'name', 1],
      ],
    );
    assert.deepEqual(eventsPrinter.columns, printer.columns);
  });
});

describe('Event rows', () => {
  // [lastSeen, type, reason, object, subobject, source, message, firstSeen, count, name]
  const cases: { name: string; ev: CoreEvent; want: unknown[] }[] = [
    {
      name: 'classic event with first/last timestamps and count',
      ev: ev({
        involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{web}' },
        type: 'Warning',
        reason: 'BackOff',
        message: '  Back-off restarting failed container\n',
        source: { component: 'kubelet', host: 'node-1' },
        firstTimestamp: ago(HOUR),
        lastTimestamp: ago(5 * MINUTE),
        count: 12,
      }),
      want: [
        '5m',
        'Warning',
        'BackOff',
        'pod/web-1',
        'spec.containers{web}',
        'kubelet, node-1',
        'Back-off restarting failed container',
        '60m',
        12,
        'web.17a',
      ],
    },
    {
      name: 'no timestamps at all',
      ev: ev({}),
      want: ['<unknown>', 'Normal', 'Sync', 'service/web', '', '', 'synced', '<unknown>', 1, 'web.17a'],
    },
    {
      name: 'no lastTimestamp falls back to first seen',
      ev: ev({ firstTimestamp: ago(90 * SECOND), count: 2 }),
      want: ['90s', 'Normal', 'Sync', 'service/web', '', '', 'synced', '90s', 2, 'web.17a'],
    },
    {
      name: 'new-API event: eventTime, series and reporting controller',
      ev: ev({
        eventTime: agoMicro(3 * HOUR),
        series: { count: 3, lastObservedTime: agoMicro(5 * MINUTE) },
        reportingComponent: 'endpointslice-controller',
        reportingInstance: 'svcnet-1',
      }),
      want: [
        '5m',
        'Normal',
        'Sync',
        'service/web',
        '',
        'endpointslice-controller, svcnet-1',
        'synced',
        '3h',
        3,
        'web.17a',
      ],
    },
    {
      name: 'singleton new-API event: count 1, last seen = event time',
      ev: ev({ eventTime: agoMicro(2 * MINUTE + 30 * SECOND), reportingComponent: 'svcnet-controllers' }),
      want: [
        '2m30s',
        'Normal',
        'Sync',
        'service/web',
        '',
        'svcnet-controllers',
        'synced',
        '2m30s',
        1,
        'web.17a',
      ],
    },
    {
      name: 'source component wins over the reporting controller; no host, no instance',
      ev: ev({ source: { component: 'kubelet' }, reportingComponent: 'other', lastTimestamp: ago(SECOND) }),
      want: ['1s', 'Normal', 'Sync', 'service/web', '', 'kubelet', 'synced', '<unknown>', 1, 'web.17a'],
    },
    {
      name: 'involved object without a name shows the lower-cased kind',
      ev: ev({ involvedObject: { kind: 'Node' } }),
      want: ['<unknown>', 'Normal', 'Sync', 'node', '', '', 'synced', '<unknown>', 1, 'web.17a'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(printer.rows(c.ev, NOW), [c.want]));
  }

  it('events.k8s.io/v1 prints through the core shape', () => {
    const e: EventsEvent = {
      metadata: { name: 'web.17b' },
      eventTime: agoMicro(10 * MINUTE),
      regarding: { kind: 'Service', name: 'web' },
      note: 'allocated',
      reason: 'IPAllocated',
      type: 'Normal',
      reportingController: 'lbipam',
      reportingInstance: 'lbipam-0',
      series: { count: 4, lastObservedTime: agoMicro(MINUTE) },
    };
    assert.deepEqual(eventsPrinter.rows(e, NOW), [
      [
        '60s',
        'Normal',
        'IPAllocated',
        'service/web',
        '',
        'lbipam, lbipam-0',
        'allocated',
        '10m',
        4,
        'web.17b',
      ],
    ]);
  });

  it('events.k8s.io/v1 deprecated fields', () => {
    const e: EventsEvent = {
      metadata: { name: 'old' },
      eventTime: '',
      regarding: { kind: 'Pod', name: 'p', fieldPath: 'spec.containers{c}' },
      note: 'Pulled',
      reason: 'Pulled',
      type: 'Normal',
      deprecatedSource: { component: 'kubelet', host: 'node-1' },
      deprecatedFirstTimestamp: ago(HOUR),
      deprecatedLastTimestamp: ago(MINUTE),
      deprecatedCount: 7,
    };
    assert.deepEqual(eventsPrinter.rows(e, NOW), [
      [
        '60s',
        'Normal',
        'Pulled',
        'pod/p',
        'spec.containers{c}',
        'kubelet, node-1',
        'Pulled',
        '60m',
        7,
        'old',
      ],
    ]);
  });
});
