/**
 * Event rows: upstream printEvent. events.k8s.io/v1 Events print through the
 * same function after conversion to core, so they are mapped to core's shape first.
 */
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event as EventsEvent } from 'kubernetes-types/events/v1.js';
import type { KubeObject } from '../registry/strategy.js';
import { column, DOC } from './columns.js';
import { parseTime, translateTimestampSince } from './duration.js';
import type { TableConvertor } from './types.js';

/** formatEventSource: `component, host`, falling back to the reporting controller and instance. */
function eventSource(ev: CoreEvent): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

/** `kind/name` of the involved object, lower-cased kind; just the kind without a name. */
function target(ev: CoreEvent): string {
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  const name = ev.involvedObject?.name ?? '';
  return name ? `${kind}/${name}` : kind;
}

function eventCells(ev: CoreEvent, now: Date): unknown[] {
  let firstSeen = translateTimestampSince(ev.firstTimestamp, now);
  if (parseTime(ev.firstTimestamp) === undefined) firstSeen = translateTimestampSince(ev.eventTime, now);
  let lastSeen = translateTimestampSince(ev.lastTimestamp, now);
  if (parseTime(ev.lastTimestamp) === undefined) lastSeen = firstSeen;
  let count = ev.count ?? 0;
  if (ev.series) {
    lastSeen = translateTimestampSince(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events of the new API have no count.
    count = 1;
  }
  return [
    lastSeen,
    ev.type ?? '',
    ev.reason ?? '',
    target(ev),
    ev.involvedObject?.fieldPath ?? '',
    eventSource(ev),
    (ev.message ?? '').trim(),
    firstSeen,
    count,
    ev.metadata?.name ?? '',
  ];
}

export const eventConvertor: TableConvertor = {
  columns: [
    column('Last Seen', 'string', DOC.eventLastTimestamp),
    column('Type', 'string', DOC.eventType),
    column('Reason', 'string', DOC.eventReason),
    column('Object', 'string', DOC.eventInvolvedObject),
    column('Subobject', 'string', DOC.eventFieldPath, { priority: 1 }),
    column('Source', 'string', DOC.eventSource, { priority: 1 }),
    column('Message', 'string', DOC.eventMessage),
    column('First Seen', 'string', DOC.eventFirstTimestamp, { priority: 1 }),
    column('Count', 'string', DOC.eventCount, { priority: 1 }),
    column('Name', 'string', DOC.name, { format: 'name', priority: 1 }),
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    return [eventCells(obj as CoreEvent, now)];
  },
};

/** events.k8s.io/v1 → core/v1, the fields printEvent reads (upstream's conversion). */
export function eventsV1ToCore(ev: EventsEvent): CoreEvent {
  return {
    metadata: ev.metadata ?? {},
    involvedObject: ev.regarding ?? {},
    message: ev.note,
    reason: ev.reason,
    type: ev.type,
    source: ev.deprecatedSource,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    eventTime: ev.eventTime,
    series: ev.series ? { count: ev.series.count, lastObservedTime: ev.series.lastObservedTime } : undefined,
    reportingComponent: ev.reportingController,
    reportingInstance: ev.reportingInstance,
  };
}

export const eventsV1Convertor: TableConvertor = {
  columns: eventConvertor.columns,
  rows(obj: KubeObject, now: Date): unknown[][] {
    return [eventCells(eventsV1ToCore(obj as EventsEvent), now)];
  },
};
