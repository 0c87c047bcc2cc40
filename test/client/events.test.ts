/**
 * The event sink against the API server: one Event per (object, reason,
 * message) whose count and lastTimestamp move on repeats, a fresh Event once
 * the aggregated one is gone, and failed writes logged, never thrown.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event, Node, Service } from 'kubernetes-types/core/v1.js';
import { clientEventSink } from '../../src/client/events.js';
import { Events, Services } from '../../src/client/resources.js';
import type { ApiClient } from '../../src/client/types.js';
import { createLogger } from '../../src/lib/log.js';
import { startTestApi, type TestApi } from '../lib/testapi.js';
import { until } from './harness.js';

const svc = (name: string, namespace = 'default'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { ports: [{ port: 80 }] },
});

describe('event sink', () => {
  let api: TestApi | undefined;
  let client: ApiClient;
  before(async () => {
    api = await startTestApi('client-events');
    ({ client } = api);
  });
  after(async () => {
    await api?.stop();
  });

  const eventsOf = async (name: string, namespace = 'default') =>
    (await client.list<Event>(Events, namespace, { fieldSelector: `involvedObject.name=${name}` })).items;

  it('writes an Event that names the object, the reason, the message and the reporter', async () => {
    const s = await client.create(Services, 'default', svc('ev-one'));
    const sink = clientEventSink(client, 'svcnet-test-controller', 'host-1');
    sink.event(s, 'Warning', 'FailedToSync', 'it broke');
    const [e] = await until(async () => {
      const items = await eventsOf('ev-one');
      return items.length === 1 && items;
    }, 'the event');
    assert.equal(e?.metadata?.namespace, 'default');
    assert.match(e?.metadata?.name ?? '', /^ev-one\.[0-9a-f]+$/);
    assert.deepEqual(e?.involvedObject, {
      kind: 'Service',
      apiVersion: 'v1',
      namespace: 'default',
      name: 'ev-one',
      uid: s.metadata?.uid,
      resourceVersion: s.metadata?.resourceVersion,
    });
    assert.equal(e?.type, 'Warning');
    assert.equal(e?.reason, 'FailedToSync');
    assert.equal(e?.message, 'it broke');
    assert.equal(e?.count, 1);
    assert.deepEqual(e?.source, { component: 'svcnet-test-controller', host: 'host-1' });
    assert.equal(e?.reportingComponent, 'svcnet-test-controller');
    assert.equal(e?.reportingInstance, 'host-1');
    assert.match(e?.firstTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(e?.lastTimestamp, e?.firstTimestamp);
  });

  it('aggregates repeats of (object, reason, message) into one Event with a count', async () => {
    const s = await client.create(Services, 'default', svc('ev-agg'));
    const sink = clientEventSink(client, 'svcnet-test');
    for (let i = 0; i < 3; i++) sink.event(s, 'Normal', 'Synced', 'all good');
    sink.event(s, 'Normal', 'Synced', 'another message');
    sink.event(s, 'Normal', 'OtherReason', 'all good');
    sink.event(s, 'Normal', 'Synced', 'all good');
    // Writes go in order, so the last one done means all are.
    const items = await until(async () => {
      const l = await eventsOf('ev-agg');
      return l.some((e) => e.reason === 'Synced' && e.message === 'all good' && e.count === 4) && l;
    }, 'four repeats');
    const summary = items.map((e) => `${e.reason}/${e.message}/${e.count}`).sort();
    assert.deepEqual(summary, ['OtherReason/all good/1', 'Synced/all good/4', 'Synced/another message/1']);
    const agg = items.find((e) => e.count === 4)!;
    assert.ok((agg.lastTimestamp ?? '') >= (agg.firstTimestamp ?? ''));
    // No host given: none in the source.
    assert.deepEqual(agg.source, { component: 'svcnet-test' });
  });

  it('keeps separate series for a recreated object (another uid) and for separate sinks', async () => {
    const first = await client.create(Services, 'default', svc('ev-uid'));
    const sink = clientEventSink(client, 'svcnet-test');
    sink.event(first, 'Normal', 'Seen', 'hello');
    await until(async () => (await eventsOf('ev-uid')).length === 1, 'the first event');
    await client.delete(Services, 'default', 'ev-uid');
    const second = await client.create(Services, 'default', svc('ev-uid'));
    assert.notEqual(second.metadata?.uid, first.metadata?.uid);
    sink.event(second, 'Normal', 'Seen', 'hello');
    const items = await until(async () => {
      const l = await eventsOf('ev-uid');
      return l.length === 2 && l;
    }, 'a second event');
    assert.deepEqual(
      items.map((e) => [e.involvedObject.uid, e.count]).sort(),
      [
        [first.metadata?.uid, 1],
        [second.metadata?.uid, 1],
      ].sort(),
    );
  });

  it('starts a new Event when the aggregated one was deleted', async () => {
    const s = await client.create(Services, 'default', svc('ev-del'));
    const sink = clientEventSink(client, 'svcnet-test');
    sink.event(s, 'Normal', 'Again', 'x');
    sink.event(s, 'Normal', 'Again', 'x');
    const [e] = await until(async () => {
      const l = await eventsOf('ev-del');
      return l.length === 1 && l[0]?.count === 2 && l;
    }, 'count 2');
    // As the event TTL does.
    await client.delete(Events, 'default', e!.metadata!.name!);
    sink.event(s, 'Normal', 'Again', 'x');
    const [fresh] = await until(async () => {
      const l = await eventsOf('ev-del');
      return l.length === 1 && l;
    }, 'a fresh event');
    assert.notEqual(fresh?.metadata?.name, e?.metadata?.name);
    assert.equal(fresh?.count, 1);
    sink.event(s, 'Normal', 'Again', 'x');
    await until(async () => (await eventsOf('ev-del'))[0]?.count === 2, 'the fresh one to count');
  });

  it("puts a cluster-scoped object's events in default", async () => {
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'ev-node', uid: 'node-uid' } };
    const sink = clientEventSink(client, 'svcnet-test');
    sink.event(node, 'Normal', 'NodeReady', 'ready');
    const [e] = await until(async () => {
      const l = await eventsOf('ev-node');
      return l.length === 1 && l;
    }, 'the node event');
    assert.equal(e?.metadata?.namespace, 'default');
    assert.equal(e?.involvedObject.kind, 'Node');
    assert.equal(e?.involvedObject.namespace, undefined);
    assert.equal(e?.involvedObject.uid, 'node-uid');
  });

  it('logs a failed write instead of throwing, and goes on with the next', async () => {
    const lines: string[] = [];
    const log = createLogger({ format: 'json', write: (l) => lines.push(l) });
    const sink = clientEventSink(client, 'svcnet-test', '', log);
    // No such namespace: the create is refused.
    assert.doesNotThrow(() => sink.event(svc('ev-lost', 'no-such-ns'), 'Warning', 'Lost', 'nowhere'));
    const ok = await client.create(Services, 'default', svc('ev-after'));
    sink.event(ok, 'Normal', 'After', 'still working');
    await until(async () => (await eventsOf('ev-after')).length === 1, 'the next event');
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; reason?: string; err?: string });
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.msg, 'Could not record event');
    assert.equal(warnings[0]?.reason, 'Lost');
    assert.match(warnings[0]?.err ?? '', /no-such-ns/);
  });
});
