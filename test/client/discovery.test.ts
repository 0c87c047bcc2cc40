/** Discovery: the preferred-version choice (pure) and the documents a real in-process API server serves. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type APIGroup,
  type APIResourceList,
  GroupDiscoveryError,
  preferredResources,
  resourceTypes,
  serverPreferredResources,
  supportsAllVerbs,
} from '../../src/client/discovery.js';
import { startTestApi, type TestApi } from '../lib/testapi.js';

const res = (name: string, verbs = ['list', 'delete', 'deletecollection'], namespaced = true) => ({
  name,
  kind: name,
  namespaced,
  verbs,
});

describe('discovery', () => {
  it("keeps each resource once, in its group's preferred version, without subresources", () => {
    const groups: APIGroup[] = [
      { name: '', versions: [{ groupVersion: 'v1', version: 'v1' }] },
      {
        name: 'example.com',
        versions: [
          { groupVersion: 'example.com/v2', version: 'v2' },
          { groupVersion: 'example.com/v1', version: 'v1' },
        ],
        preferredVersion: { groupVersion: 'example.com/v1', version: 'v1' },
      },
    ];
    const lists = new Map<string, APIResourceList>([
      ['v1', { groupVersion: 'v1', resources: [res('pods'), res('pods/status'), res('nodes', [], false)] }],
      ['example.com/v2', { groupVersion: 'example.com/v2', resources: [res('widgets'), res('gadgets')] }],
      ['example.com/v1', { groupVersion: 'example.com/v1', resources: [res('widgets')] }],
    ]);
    const chosen = preferredResources(groups, lists);
    assert.deepEqual(
      chosen.map((l) => [l.groupVersion, l.resources.map((r) => r.name)]),
      [
        ['v1', ['pods', 'nodes']],
        // gadgets exist only in v2; widgets come from the preferred v1.
        ['example.com/v2', ['gadgets']],
        ['example.com/v1', ['widgets']],
      ],
    );
    assert.deepEqual(
      resourceTypes(chosen, (r) => r.namespaced && supportsAllVerbs('deletecollection')(r)).map(
        (t) => `${t.group}/${t.version}/${t.resource}`,
      ),
      ['/v1/pods', 'example.com/v2/gadgets', 'example.com/v1/widgets'],
    );
  });

  it('names the failing group versions as client-go does', () => {
    const err = new GroupDiscoveryError(
      new Map([
        ['metrics.k8s.io/v1beta1', 'the server is currently unable to handle the request'],
        ['apps/v1', 'timed out'],
      ]),
    );
    assert.equal(
      err.message,
      'unable to retrieve the complete list of server APIs: apps/v1: timed out, metrics.k8s.io/v1beta1: the server is currently unable to handle the request',
    );
  });

  describe('against the API server', () => {
    let testApi: TestApi | undefined;
    before(async () => {
      testApi = await startTestApi('discovery');
    });
    after(async () => {
      await testApi?.stop();
    });

    it('finds every namespaced resource that can be emptied, none cluster-scoped', async () => {
      const { lists, error } = await serverPreferredResources(testApi!.client);
      assert.equal(error, undefined);
      const types = resourceTypes(
        lists,
        (r) => r.namespaced && supportsAllVerbs('deletecollection', 'list')(r),
      );
      const names = types.map((t) => `${t.resource}.${t.group}`);
      for (const n of [
        'pods.',
        'services.',
        'endpoints.',
        'events.',
        'endpointslices.discovery.k8s.io',
        'deployments.apps',
      ])
        assert.ok(names.includes(n), n);
      assert.ok(!names.includes('namespaces.'), 'namespaces are cluster-scoped');
      assert.ok(!names.includes('bindings.'), 'bindings only take create');
      assert.ok(!names.some((n) => n.includes('/')), 'no subresources');
      const pods = types.find((t) => t.resource === 'pods')!;
      assert.deepEqual([pods.group, pods.version, pods.kind, pods.namespaced], ['', 'v1', 'Pod', true]);
    });
  });
});
