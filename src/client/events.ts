/**
 * Events from API clients (client-go's EventRecorder, simplified): one Event
 * per (object, reason, message), its count and lastTimestamp bumped when it
 * repeats. Fire and forget: a failed event write is logged, never thrown.
 */
import type { Event } from 'kubernetes-types/core/v1.js';
import { type Logger, silentLogger } from '../lib/log.js';
import { isNotFound } from './client.js';
import { Events } from './resources.js';
import type { ApiClient, Obj } from './types.js';

export interface EventSink {
  /** `type` is 'Normal' or 'Warning'; `reason` UpperCamelCase as upstream. */
  event(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

const rfc3339 = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
/** How many distinct (object, reason, message) series a sink remembers for aggregation. */
const MAX_SERIES = 4096;

/** An EventSink writing core/v1 Events through the API, as client-go's legacy recorder does. */
export function clientEventSink(
  client: ApiClient,
  component: string,
  host = '',
  log: Logger = silentLogger,
): EventSink {
  const series = new Map<string, { name: string; namespace: string; count: number; first: string }>();
  // Writes go one after another, so a repeat finds the first one's name.
  let chain: Promise<void> = Promise.resolve();
  const write = async (obj: Obj, type: string, reason: string, message: string) => {
    const m = obj.metadata ?? {};
    const namespace = m.namespace || 'default';
    const seriesKey = `${obj.kind}/${namespace}/${m.name}/${m.uid}/${reason}/${message}`;
    const now = new Date();
    const prev = series.get(seriesKey);
    if (prev) {
      prev.count++;
      try {
        await client.patch(Events, prev.namespace, prev.name, 'merge', {
          count: prev.count,
          lastTimestamp: rfc3339(now),
        });
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        series.delete(seriesKey);
      }
    }
    const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(process.hrtime()[1] % 1_000_000);
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${m.name}.${nanos.toString(16)}`, namespace },
      involvedObject: {
        kind: obj.kind,
        apiVersion: obj.apiVersion,
        namespace: m.namespace,
        name: m.name,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
      },
      reason,
      message,
      source: { component, ...(host ? { host } : {}) },
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      count: 1,
      type,
      reportingComponent: component,
      reportingInstance: host,
    };
    await client.create(Events, namespace, ev);
    if (series.size >= MAX_SERIES) series.delete(series.keys().next().value as string);
    series.set(seriesKey, { name: ev.metadata!.name!, namespace, count: 1, first: ev.firstTimestamp! });
  };
  return {
    event(obj, type, reason, message) {
      chain = chain
        .then(() => write(obj, type, reason, message))
        .catch((err) => log.warn('Could not record event', { reason, err: String(err) }));
    },
  };
}
