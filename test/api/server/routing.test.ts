import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coreResources } from '../../../src/api/registry/resources.js';
import type { Strategy } from '../../../src/api/registry/strategy.js';
import { buildDiscovery } from '../../../src/api/server/discovery.js';
import { parseResourcePath } from '../../../src/api/server/http.js';
import { Registry } from '../../../src/api/storage/registry.js';
import { MemoryStore } from '../../../src/store/memory.js';

const fakeServiceStrategy: Strategy = { validate: () => [], validateUpdate: () => [] };
const resources = coreResources(fakeServiceStrategy);
const store = new MemoryStore();
const registries = new Map(resources.map((r) => [`${r.group}/${r.resource}`, new Registry(r, store)]));

function route(path: string) {
  const t = parseResourcePath(path, registries);
  return t && `${t.registry.info.resource} ns=${t.namespace} name=${t.name} sub=${t.subresource}`;
}

describe('resource paths', () => {
  const rows: [string, string | undefined][] = [
    ['/api/v1/services', 'services ns= name= sub='],
    ['/api/v1/namespaces/default/services', 'services ns=default name= sub='],
    ['/api/v1/namespaces/default/services/web', 'services ns=default name=web sub='],
    ['/api/v1/namespaces/default/services/web/status', 'services ns=default name=web sub=status'],
    ['/api/v1/namespaces', 'namespaces ns= name= sub='],
    ['/api/v1/namespaces/team', 'namespaces ns= name=team sub='],
    ['/api/v1/namespaces/team/finalize', 'namespaces ns= name=team sub=finalize'],
    ['/api/v1/namespaces/team/status', 'namespaces ns= name=team sub=status'],
    [
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/k',
      'endpointslices ns=default name=k sub=',
    ],
    ['/apis/discovery.k8s.io/v1/endpointslices', 'endpointslices ns= name= sub='],
    ['/api/v1/namespaces/default/endpoints/web/status', undefined],
    ['/api/v1/namespaces/default/services/web/proxy', undefined],
    ['/api/v1/services/web', undefined],
    ['/api/v2/services', undefined],
    ['/apis/discovery.k8s.io/v1beta1/endpointslices', undefined],
    ['/api/v1/pods', 'pods ns= name= sub='],
    ['/api/v1/namespaces/default/pods/web/binding', 'pods ns=default name=web sub=binding'],
    ['/api/v1/namespaces/default/pods/web/log', 'pods ns=default name=web sub=log'],
    ['/api/v1/namespaces/default/pods/web/scale', undefined],
    ['/api/v1/nodes/node-a/status', 'nodes ns= name=node-a sub=status'],
    [
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n',
      'leases ns=kube-node-lease name=n sub=',
    ],
    ['/api/v1/namespaces/default/services/web/status/extra', undefined],
  ];
  for (const [path, want] of rows) {
    it(path, () => assert.equal(route(path), want));
  }
});

describe('discovery', () => {
  const docs = buildDiscovery(resources, '127.0.0.1:6443');

  it('lists the core resources with short names, verbs and subresources', () => {
    const list = JSON.parse(docs.legacy.get('/api/v1')!) as {
      resources: { name: string; shortNames?: string[]; categories?: string[]; verbs: string[] }[];
    };
    const svc = list.resources.find((r) => r.name === 'services')!;
    assert.deepEqual(svc.shortNames, ['svc']);
    assert.deepEqual(svc.categories, ['all']);
    assert.ok(svc.verbs.includes('watch'));
    assert.ok(list.resources.some((r) => r.name === 'services/status'));
    assert.ok(list.resources.some((r) => r.name === 'namespaces/finalize'));
    assert.deepEqual(list.resources.find((r) => r.name === 'endpoints')!.shortNames, ['ep']);
  });

  it('publishes coordination.k8s.io and discovery.k8s.io as groups', () => {
    const groups = JSON.parse(docs.legacy.get('/apis')!) as {
      groups: { name: string; preferredVersion: { version: string } }[];
    };
    assert.deepEqual(
      groups.groups.map((g) => `${g.name}/${g.preferredVersion.version}`),
      ['coordination.k8s.io/v1', 'discovery.k8s.io/v1'],
    );
  });

  it('lists pod subresources with upstream verbs and kinds, and the bindings resource', () => {
    const list = JSON.parse(docs.legacy.get('/api/v1')!) as {
      resources: { name: string; kind: string; verbs: string[]; group?: string }[];
    };
    const byName = new Map(list.resources.map((r) => [r.name, r]));
    assert.deepEqual(byName.get('pods/binding'), {
      name: 'pods/binding',
      singularName: '',
      namespaced: true,
      kind: 'Binding',
      verbs: ['create'],
    });
    assert.equal(byName.get('pods/log')?.kind, 'Pod');
    assert.deepEqual(byName.get('pods/log')?.verbs, ['get']);
    assert.deepEqual(byName.get('pods/status')?.verbs, ['get', 'patch', 'update']);
    assert.deepEqual(byName.get('bindings')?.verbs, ['create']);
    const agg = JSON.parse(docs.aggregated.get('v2:/api')!.json) as {
      items: {
        versions: {
          resources: { resource: string; subresources?: { subresource: string; responseKind: object }[] }[];
        }[];
      }[];
    };
    const pods = agg.items[0]!.versions[0]!.resources.find((r) => r.resource === 'pods')!;
    assert.deepEqual(
      pods.subresources?.map((s) => [s.subresource, s.responseKind]),
      [
        ['attach', { group: '', version: 'v1', kind: 'PodAttachOptions' }],
        ['binding', { group: '', version: 'v1', kind: 'Binding' }],
        ['exec', { group: '', version: 'v1', kind: 'PodExecOptions' }],
        ['log', { group: '', version: 'v1', kind: 'Pod' }],
        ['portforward', { group: '', version: 'v1', kind: 'PodPortForwardOptions' }],
        ['status', { group: '', version: 'v1', kind: 'Pod' }],
      ],
    );
    // The streaming subresources as upstream lists them (connect: create and get).
    for (const [sub, kind] of [
      ['exec', 'PodExecOptions'],
      ['attach', 'PodAttachOptions'],
      ['portforward', 'PodPortForwardOptions'],
    ]) {
      assert.deepEqual(byName.get(`pods/${sub}`), {
        name: `pods/${sub}`,
        singularName: '',
        namespaced: true,
        kind,
        verbs: ['create', 'get'],
      });
    }
  });

  it('serves the aggregated form with an ETag', () => {
    const agg = docs.aggregated.get('v2:/apis')!;
    const doc = JSON.parse(agg.json) as {
      apiVersion: string;
      items: {
        metadata: { name: string };
        versions: { resources: { resource: string; scope: string }[] }[];
      }[];
    };
    assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2');
    const discovery = doc.items.find((i) => i.metadata.name === 'discovery.k8s.io')!;
    assert.deepEqual(
      discovery.versions[0]!.resources.map((r) => `${r.resource}:${r.scope}`),
      ['endpointslices:Namespaced'],
    );
    assert.match(agg.etag, /^"[0-9a-f]{32}"$/);
  });
});
