import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConvertor, formatRFC3339, tableConvertorFor } from '../../../src/api/printers/index.js';
import { formatLabelSelector, formatLabels } from '../../../src/api/printers/labels.js';
import type { KubeObject } from '../../../src/api/registry/strategy.js';
import { ago, HOUR, NOW } from './helpers.js';

describe('tableConvertorFor', () => {
  const known: [string, string, string][] = [
    ['', 'Service', 'Port(s)'],
    ['', 'Endpoints', 'Endpoints'],
    ['discovery.k8s.io', 'EndpointSlice', 'AddressType'],
    ['', 'Namespace', 'Status'],
    ['', 'Event', 'Last Seen'],
    ['events.k8s.io', 'Event', 'Last Seen'],
    ['', 'Pod', 'Restarts'],
    ['', 'Node', 'Roles'],
    ['apps', 'Deployment', 'Up-to-date'],
    ['apps', 'ReplicaSet', 'Desired'],
    ['apps', 'StatefulSet', 'Ready'],
  ];
  for (const [group, kind, columnName] of known) {
    it(`${group || 'core'}/${kind} has its own printer`, () => {
      const p = tableConvertorFor(group, kind);
      assert.notEqual(p, defaultConvertor);
      assert.ok(p.columns.some((c) => c.name === columnName));
    });
  }

  const unknown: [string, string][] = [
    ['', 'LimitRange'],
    ['apps', 'Service'],
    ['discovery.k8s.io', 'Endpoints'],
    ['example.com', 'Widget'],
  ];
  for (const [group, kind] of unknown) {
    it(`${group || 'core'}/${kind} falls back to the default`, () => {
      assert.equal(tableConvertorFor(group, kind), defaultConvertor);
    });
  }

  it('every printer emits one cell per column, and every column is fully defined', () => {
    for (const [group, kind] of known) {
      const p = tableConvertorFor(group, kind);
      for (const c of p.columns) {
        assert.deepEqual(Object.keys(c).sort(), ['description', 'format', 'name', 'priority', 'type']);
        assert.ok(c.description.length > 0, `${kind}.${c.name} has a description`);
      }
      const rows = p.rows({ metadata: { name: 'x' } }, NOW);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.length, p.columns.length, `${kind} cells`);
    }
  });
});

describe('default convertor', () => {
  it('columns are Name (format name) and Created At (type date)', () => {
    assert.deepEqual(
      defaultConvertor.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Created At', 'date', '', 0],
      ],
    );
  });

  const cases: { name: string; obj: KubeObject; want: unknown[] }[] = [
    {
      name: 'name and RFC 3339 creation time',
      obj: { metadata: { name: 'cm', creationTimestamp: '2024-05-31T09:08:07Z' } },
      want: ['cm', '2024-05-31T09:08:07Z'],
    },
    {
      name: 'fractional seconds and offsets are normalized to UTC seconds',
      obj: { metadata: { name: 'cm', creationTimestamp: '2024-05-31T11:08:07.123+02:00' } },
      want: ['cm', '2024-05-31T09:08:07Z'],
    },
    {
      name: 'unset creation time is Go zero time',
      obj: { metadata: { name: 'cm' } },
      want: ['cm', '0001-01-01T00:00:00Z'],
    },
    { name: 'no metadata', obj: {}, want: ['', '0001-01-01T00:00:00Z'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(defaultConvertor.rows(c.obj, NOW), [c.want]));
  }

  it('formatRFC3339 ignores the clock', () => {
    assert.equal(formatRFC3339(ago(HOUR)), '2024-06-01T11:00:00Z');
  });
});

describe('label formatting', () => {
  const labelCases: [Record<string, string> | undefined, string][] = [
    [undefined, '<none>'],
    [{}, '<none>'],
    [{ b: '2', a: '1' }, 'a=1,b=2'],
    [{ 'app.kubernetes.io/name': 'x', app: '' }, 'app=,app.kubernetes.io/name=x'],
  ];
  for (const [labels, want] of labelCases) {
    it(`formatLabels ${JSON.stringify(labels)} → ${want}`, () => assert.equal(formatLabels(labels), want));
  }

  const selectorCases: [Parameters<typeof formatLabelSelector>[0], string][] = [
    [undefined, '<none>'],
    [{}, '<none>'],
    [{ matchLabels: { b: '2', a: '1' } }, 'a=1,b=2'],
    [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['z', 'a', 'm'] }] }, 'k in (a,m,z)'],
    [{ matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['x'] }] }, 'k notin (x)'],
    [{ matchExpressions: [{ key: 'k', operator: 'Exists' }] }, 'k'],
    [{ matchExpressions: [{ key: 'k', operator: 'DoesNotExist' }] }, '!k'],
    [{ matchExpressions: [{ key: 'k', operator: 'Exists', values: ['x'] }] }, '<error>'],
    [{ matchExpressions: [{ key: 'k', operator: 'Gt', values: ['1'] }] }, '<error>'],
  ];
  for (const [sel, want] of selectorCases) {
    it(`formatLabelSelector ${JSON.stringify(sel)} → ${want}`, () =>
      assert.equal(formatLabelSelector(sel), want));
  }
});
