import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  goErrors,
  goServicePortKey,
  goSlice,
  goTime,
  timeValue,
} from '../../../src/api/validation/govalues.js';
import { FieldPath } from '../../../src/k8s/field.js';

describe('goTime (time.Time.String)', () => {
  const cases: [string | undefined, string][] = [
    [undefined, '0001-01-01 00:00:00 +0000 UTC'],
    ['2024-01-02T03:04:05Z', '2024-01-02 03:04:05 +0000 UTC'],
    ['2024-01-02T03:04:05.120000Z', '2024-01-02 03:04:05.12 +0000 UTC'],
    ['2024-01-02T03:04:05.000000Z', '2024-01-02 03:04:05 +0000 UTC'],
    ['2024-01-02T12:04:05+09:00', '2024-01-02 12:04:05 +0900 +0900'],
  ];
  for (const [input, want] of cases) it(String(input), () => assert.equal(goTime(input), want));
});

describe('timeValue', () => {
  it('treats absent and the Go zero time as unset', () => {
    assert.equal(timeValue(undefined), undefined);
    assert.equal(timeValue('0001-01-01T00:00:00Z'), undefined);
    assert.equal(timeValue('2024-01-02T03:04:05Z'), timeValue('2024-01-02T12:04:05+09:00'));
  });
});

describe('Go-rendered values', () => {
  it('typed and nil slices', () => {
    assert.equal(goSlice(undefined), '[]string(nil)');
    assert.equal(goSlice([]), '[]string{}');
    assert.equal(goSlice(['IPv4', 'IPv6'], 'core.IPFamily'), '[]core.IPFamily{"IPv4", "IPv6"}');
  });
  it('errors print the rendered value verbatim', () => {
    const p = FieldPath.root('spec', 'ports').index(1);
    assert.equal(
      goErrors.duplicate(p, goServicePortKey('UDP', 53)).toString(),
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"UDP", AppProtocol:(*string)(nil), Port:53, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    );
    const e = goErrors.invalid(FieldPath.root('spec', 'clusterIPs'), goSlice(['a']), 'bad');
    assert.equal(e.body(), 'Invalid value: []string{"a"}: bad');
    assert.equal(e.type, 'FieldValueInvalid');
    assert.equal(e.field, 'spec.clusterIPs');
  });
});
