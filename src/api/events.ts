/**
 * Records core/v1 Events from inside the API server (e.g. the allocator
 * repair findings), as client-go's legacy recorder writes them: named
 * `<object>.<hex nanoseconds>`, with source, count and first/last timestamps.
 */
import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../lib/log.js';
import type { Registry } from './storage/registry.js';
import { timestamp } from './storage/registry.js';

export interface EventRecorder {
  event(ref: ObjectReference, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

export function eventRecorder(events: Registry, component: string, log: Logger): EventRecorder {
  return {
    async event(ref, type, reason, message) {
      const now = new Date();
      const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(process.hrtime()[1] % 1_000_000);
      const ev: Event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${ref.name}.${nanos.toString(16)}`, namespace: ref.namespace || 'default' },
        involvedObject: ref,
        reason,
        message,
        source: { component },
        firstTimestamp: timestamp(now),
        lastTimestamp: timestamp(now),
        count: 1,
        type,
        reportingComponent: component,
        reportingInstance: '',
      };
      try {
        await events.create(ev, { dryRun: false, namespace: ev.metadata!.namespace! });
      } catch (err) {
        log.error(err, 'Could not record event', { reason, object: `${ref.namespace}/${ref.name}` });
      }
    },
  };
}
