import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasReadyEndpoint, PromptSyncs, sliceServiceKey } from '../../../src/proxy/model/prompt.js';
import { ep, slice, svc } from './fixtures.js';

const web = svc('web', { clusterIP: '127.96.0.20' });
const ready = slice('web', 'web-1', [ep('127.244.0.2', 'RL')]);
const notReady = slice('web', 'web-1', [ep('127.244.0.2', 'L')]);

describe('hasReadyEndpoint and sliceServiceKey', () => {
  test('ready unless the condition says false', () => {
    assert.equal(hasReadyEndpoint(ready), true);
    assert.equal(hasReadyEndpoint(notReady), false);
    assert.equal(hasReadyEndpoint(slice('web', 'web-1', [{ addresses: ['127.244.0.2'] }])), true);
    assert.equal(hasReadyEndpoint(slice('web', 'web-1', [])), false);
  });

  test("a slice's Service, by its kubernetes.io/service-name label", () => {
    assert.equal(sliceServiceKey(ready), 'ns/web');
    assert.equal(sliceServiceKey({ ...ready, metadata: { name: 'x', namespace: 'ns' } }), undefined);
  });
});

describe('PromptSyncs', () => {
  test("a refusing Service's first ready endpoint syncs at once, once", () => {
    const p = new PromptSyncs();
    assert.equal(
      p.opens(web, () => [ready]),
      false,
      'before the first sync',
    );
    p.synced(new Set());
    assert.equal(
      p.opens(web, () => []),
      false,
      'no slices yet',
    );
    assert.equal(
      p.opens(web, () => [notReady]),
      false,
      'no ready endpoint',
    );
    assert.equal(
      p.opens(undefined, () => [ready]),
      false,
      'a slice before its Service',
    );
    assert.equal(
      p.opens(web, () => [notReady, ready]),
      true,
    );
    assert.equal(
      p.opens(web, () => [ready]),
      false,
      'asked already; not served yet',
    );
  });

  test('served Services wait as usual; one that refuses again qualifies again', () => {
    const p = new PromptSyncs();
    p.synced(new Set());
    assert.equal(
      p.opens(web, () => [ready]),
      true,
    );
    p.synced(new Set(['ns/web']));
    assert.equal(
      p.opens(web, () => [ready]),
      false,
      'served',
    );
    p.synced(new Set());
    assert.equal(
      p.opens(web, () => [ready]),
      true,
      'refusing again after being served',
    );
  });

  test('a Service the sync did not serve stays asked, so it cannot defeat minSyncPeriod', () => {
    const p = new PromptSyncs();
    p.synced(new Set());
    assert.equal(
      p.opens(web, () => [ready]),
      true,
    );
    p.synced(new Set());
    assert.equal(
      p.opens(web, () => [ready]),
      false,
    );
    p.forget('ns/web');
    assert.equal(
      p.opens(web, () => [ready]),
      true,
      'deleted and created again',
    );
  });

  test('Services and slices this proxy does not serve never qualify', () => {
    const p = new PromptSyncs();
    p.synced(new Set());
    assert.equal(
      p.opens(svc('h', { clusterIP: 'None' }), () => [ready]),
      false,
      'headless',
    );
    assert.equal(
      p.opens(svc('x', { type: 'ExternalName', externalName: 'example.com' }), () => [ready]),
      false,
    );
    const other = { labels: { 'service.kubernetes.io/service-proxy-name': 'other' } };
    assert.equal(
      p.opens(svc('o', { clusterIP: '127.96.0.21' }, other), () => [ready]),
      false,
      'another proxy',
    );
    const labelled = slice('web', 'web-2', [ep('127.244.0.3', 'RL')], undefined, {
      labels: { 'service.kubernetes.io/headless': '' },
    });
    assert.equal(
      p.opens(web, () => [labelled]),
      false,
      'a slice labelled headless',
    );
  });
});
