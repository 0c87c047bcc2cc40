import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Event } from 'kubernetes-types/core/v1.js';
import { validateEvent, validateEventUpdate } from '../../../src/api/validation/event.js';
import { DNS1123_SUBDOMAIN, QNAME_NAME_PART, strings } from './messages.js';

/** What client-go's event recorder writes through core/v1. */
function recorded(): Event {
  return {
    metadata: { name: 'web.17b2c3d4e5f60718', namespace: 'default', resourceVersion: '9' },
    involvedObject: { kind: 'Service', namespace: 'default', name: 'web', uid: 'u', apiVersion: 'v1' },
    reason: 'EnsuringLoadBalancer',
    message: 'Ensuring load balancer',
    source: { component: 'service-controller' },
    firstTimestamp: '2024-01-01T00:00:00Z',
    lastTimestamp: '2024-01-01T00:00:00Z',
    count: 1,
    type: 'Normal',
  };
}

/** A new-style event (eventTime set), as events.k8s.io clients write them. */
function newStyle(): Event {
  return {
    metadata: { name: 'web.17b2c3d4e5f60719', namespace: 'default', resourceVersion: '9' },
    involvedObject: { kind: 'Service', namespace: 'default', name: 'web' },
    eventTime: '2024-01-01T00:00:00.000000Z',
    reportingComponent: 'svcnet.io/lb-controller',
    reportingInstance: 'lb-controller-node-1',
    action: 'Allocate',
    reason: 'IPAllocated',
    type: 'Normal',
  };
}

const cases: [string, () => Event, (e: Event) => void, string[]][] = [
  ['recorded event', recorded, () => {}, []],
  ['new-style event', newStyle, () => {}, []],
  ['name is only a path segment', recorded, (e) => (e.metadata!.name = 'Web.Event_1'), []],
  [
    'name may not contain a slash',
    recorded,
    (e) => (e.metadata!.name = 'a/b'),
    ['metadata.name: Invalid value: "a/b": may not contain \'/\''],
  ],
  [
    'an empty namespace fails the legacy DNS check first',
    recorded,
    (e) => {
      delete e.metadata!.namespace;
      delete e.involvedObject.namespace;
    },
    [`namespace: Invalid value: "": ${DNS1123_SUBDOMAIN}`],
  ],
  [
    'namespace must match the involved object',
    recorded,
    (e) => (e.involvedObject.namespace = 'other'),
    ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
  ],
  [
    'cluster-scoped object, event in default',
    recorded,
    (e) => (e.involvedObject = { kind: 'Node', name: 'node-1' }),
    [],
  ],
  [
    'cluster-scoped object, event elsewhere',
    recorded,
    (e) => {
      e.involvedObject = { kind: 'Node', name: 'node-1' };
      e.metadata!.namespace = 'team-a';
    },
    ['involvedObject.namespace: Invalid value: "": does not match event.namespace'],
  ],
  [
    'namespace checked as a DNS subdomain',
    recorded,
    (e) => (e.metadata!.namespace = e.involvedObject.namespace = 'Team'),
    [`namespace: Invalid value: "Team": ${DNS1123_SUBDOMAIN}`],
  ],
  [
    'new style: kube-system for cluster objects',
    newStyle,
    (e) => {
      e.involvedObject = { kind: 'Node', name: 'n' };
      e.metadata!.namespace = 'kube-system';
    },
    [],
  ],
  [
    'new style: other namespace for cluster objects',
    newStyle,
    (e) => {
      e.involvedObject = { kind: 'Node', name: 'n' };
      e.metadata!.namespace = 'team-a';
    },
    ['involvedObject.namespace: Invalid value: "": does not match event.namespace'],
  ],
  ['new style: involved namespace may differ', newStyle, (e) => (e.involvedObject.namespace = 'other'), []],
  [
    'new style: required fields',
    newStyle,
    (e) => {
      delete e.reportingComponent;
      delete e.reportingInstance;
      delete e.action;
      delete e.reason;
    },
    [
      'reportingController: Required value',
      'reportingController: Invalid value: "": name part must be non-empty',
      `reportingController: Invalid value: "": ${QNAME_NAME_PART}`,
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
    ],
  ],
  [
    'new style: lengths',
    newStyle,
    (e) => {
      e.reportingInstance = 'i'.repeat(129);
      e.action = 'a'.repeat(129);
      e.reason = 'r'.repeat(129);
      e.message = 'm'.repeat(1025);
    },
    [
      'reportingInstance: Invalid value: "": can have at most 128 characters',
      'action: Invalid value: "": can have at most 128 characters',
      'reason: Invalid value: "": can have at most 128 characters',
      'message: Invalid value: "": can have at most 1024 characters',
    ],
  ],
  ['old style: lengths are not checked', recorded, (e) => (e.message = 'm'.repeat(5000)), []],
  [
    'metadata checked once the legacy rules pass',
    recorded,
    (e) => (e.metadata!.labels = { k: '-' }),
    [
      "metadata.labels: Invalid value: \"-\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  ],
];

describe('validateEvent', () => {
  for (const [name, base, mutate, want] of cases) {
    it(name, () => {
      const e = base();
      mutate(e);
      assert.deepEqual(strings(validateEvent(e)), want);
    });
  }
});

describe('validateEventUpdate', () => {
  const updates: [string, (e: Event) => void, string[]][] = [
    [
      'count and lastTimestamp may change',
      (e) => {
        e.count = 2;
        e.lastTimestamp = '2024-01-01T00:05:00Z';
      },
      [],
    ],
    ['the message may change on v1', (e) => (e.message = 'other'), []],
    [
      'name immutable',
      (e) => (e.metadata!.name = 'x'),
      ['metadata.name: Invalid value: "x": field is immutable'],
    ],
    [
      'legacy rules apply',
      (e) => (e.involvedObject.namespace = 'other'),
      ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
    ],
  ];
  for (const [name, mutate, want] of updates) {
    it(name, () => {
      const e = recorded();
      mutate(e);
      assert.deepEqual(strings(validateEventUpdate(e, recorded())), want);
    });
  }
});
