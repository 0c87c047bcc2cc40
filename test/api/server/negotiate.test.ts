import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bodyFormat,
  negotiateShape,
  patchType,
  wantsAggregatedDiscovery,
} from '../../../src/api/server/negotiate.js';
import { StatusError } from '../../../src/k8s/status.js';

describe('response negotiation', () => {
  it('gives kubectl get a Table', () => {
    const accept =
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    assert.deepEqual(negotiateShape(accept), { as: 'Table', version: 'v1' });
  });
  it('falls back to JSON for typed clients that prefer protobuf', () => {
    assert.deepEqual(negotiateShape('application/vnd.kubernetes.protobuf,application/json'), {
      as: 'object',
    });
  });
  it('serves PartialObjectMetadata lists', () => {
    assert.deepEqual(negotiateShape('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'), {
      as: 'PartialObjectMetadata',
      version: 'v1',
      list: true,
    });
  });
  it('defaults to JSON with no Accept or */*', () => {
    assert.deepEqual(negotiateShape(undefined), { as: 'object' });
    assert.deepEqual(negotiateShape('*/*'), { as: 'object' });
  });
  it('answers 406 when only protobuf is acceptable', () => {
    assert.throws(
      () => negotiateShape('application/vnd.kubernetes.protobuf'),
      (e: unknown) => e instanceof StatusError && e.code === 406,
    );
  });
  it('recognises aggregated discovery requests', () => {
    const accept =
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    assert.equal(wantsAggregatedDiscovery(accept), 'v2');
    assert.equal(wantsAggregatedDiscovery('application/json'), undefined);
  });
});

describe('request bodies', () => {
  it('knows the body formats', () => {
    assert.equal(bodyFormat(undefined), 'json');
    assert.equal(bodyFormat('application/json; charset=utf-8'), 'json');
    assert.equal(bodyFormat('application/yaml'), 'yaml');
    assert.equal(bodyFormat('application/vnd.kubernetes.protobuf'), 'protobuf');
    assert.throws(
      () => bodyFormat('text/plain'),
      (e: unknown) => e instanceof StatusError && e.code === 415,
    );
  });
  it('knows the patch types', () => {
    assert.equal(patchType('application/json-patch+json'), 'json');
    assert.equal(patchType('application/merge-patch+json'), 'merge');
    assert.equal(patchType('application/strategic-merge-patch+json'), 'strategic');
    assert.equal(patchType('application/apply-patch+yaml'), 'apply');
    assert.throws(
      () => patchType('application/json'),
      (e: unknown) => e instanceof StatusError && e.code === 415,
    );
  });
});
