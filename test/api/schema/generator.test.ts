import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enums, fieldFacts, INT_OR_STRING, QUANTITY, TIME } from '../../../src/api/schema/facts.js';
import { useFreshDefinitions } from './definitions-fixture.js';

type S = Record<string, unknown> & { properties?: Record<string, S>; items?: S };

const defs = useFreshDefinitions() as unknown as Record<string, S>;
const core = 'io.k8s.api.core.v1.';
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const prop = (def: string, p: string): S => {
  const s = defs[def]?.properties?.[p];
  assert.ok(s, `${def}.${p} missing`);
  return s;
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe('gen-schemas', () => {
  it('emits every definition reachable from the served kinds, named as upstream', () => {
    for (const name of [
      `${core}Service`,
      `${core}ServiceList`,
      `${core}Endpoints`,
      `${core}Namespace`,
      `${core}Event`,
      `${core}Pod`,
      `${core}Node`,
      `${core}Binding`,
      `${core}PersistentVolumeClaim`,
      'io.k8s.api.discovery.v1.EndpointSlice',
      'io.k8s.api.apps.v1.Deployment',
      'io.k8s.api.apps.v1.StatefulSetList',
      'io.k8s.api.autoscaling.v1.Scale',
      `${meta}ObjectMeta`,
      `${meta}Status`,
      `${meta}DeleteOptions`,
      `${meta}WatchEvent`,
      `${meta}APIResourceList`,
      INT_OR_STRING,
      QUANTITY,
      TIME,
      'io.k8s.apimachinery.pkg.runtime.RawExtension',
    ]) {
      assert.ok(defs[name], name);
    }
    // Unreachable kinds stay out.
    assert.equal(defs[`${core}LimitRange`], undefined);
    assert.equal(defs[`${core}ResourceQuota`], undefined);
  });

  it('references other definitions the v3 way: allOf plus default for Go value structs', () => {
    assert.deepEqual(prop(`${core}Service`, 'metadata'), {
      allOf: [ref(`${meta}ObjectMeta`)],
      default: {},
      description: prop(`${core}Service`, 'metadata').description,
    });
    assert.equal(prop(`${core}Service`, 'spec').default !== undefined, true);
    // A pointer field has no default.
    const sac = prop(`${core}ServiceSpec`, 'sessionAffinityConfig');
    assert.deepEqual(sac.allOf, [ref(`${core}SessionAffinityConfig`)]);
    assert.equal(sac.default, undefined);
    // List items of structs are value structs.
    assert.deepEqual(prop(`${core}ServiceSpec`, 'ports').items, {
      allOf: [ref(`${core}ServicePort`)],
      default: {},
    });
    assert.deepEqual(prop(`${core}ServiceSpec`, 'clusterIPs').items, { default: '', type: 'string' });
    assert.deepEqual(prop(`${meta}ObjectMeta`, 'labels').additionalProperties, {
      default: '',
      type: 'string',
    });
    assert.deepEqual(prop(`${core}ResourceRequirements`, 'limits').additionalProperties, ref(QUANTITY));
  });

  it('carries list, map and patch semantics from the facts', () => {
    const ports = prop(`${core}ServiceSpec`, 'ports');
    assert.equal(ports['x-kubernetes-list-type'], 'map');
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
    assert.equal(ports['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(ports['x-kubernetes-patch-merge-key'], 'port');
    assert.equal(prop(`${core}ServiceSpec`, 'clusterIPs')['x-kubernetes-list-type'], 'atomic');
    assert.equal(prop(`${core}ServiceSpec`, 'selector')['x-kubernetes-map-type'], 'atomic');
    assert.equal(prop(`${core}PodSpec`, 'volumes')['x-kubernetes-patch-strategy'], 'merge,retainKeys');
    assert.equal(prop(`${core}Container`, 'env')['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(
      prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')['x-kubernetes-patch-strategy'],
      'retainKeys',
    );
    const finalizers = prop(`${meta}ObjectMeta`, 'finalizers');
    assert.equal(finalizers['x-kubernetes-list-type'], 'set');
    assert.equal(finalizers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(defs[`${meta}OwnerReference`]!['x-kubernetes-map-type'], 'atomic');
    assert.equal(defs[`${core}ObjectReference`]!['x-kubernetes-map-type'], 'atomic');
    assert.deepEqual(defs[`${core}Service`]!['x-kubernetes-group-version-kind'], [
      { group: '', kind: 'Service', version: 'v1' },
    ]);
  });

  it('publishes enums with the "Possible enum values" lines', () => {
    const type = prop(`${core}ServiceSpec`, 'type');
    assert.deepEqual(type.enum, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']);
    assert.match(
      type.description as string,
      /\n\nPossible enum values:\n - `"ClusterIP"` means a service will only be accessible inside the cluster, via the cluster IP\.\n - `"ExternalName"` /,
    );
    assert.match(
      prop(`${core}ServiceSpec`, 'sessionAffinity').description as string,
      / - `"None"` - no session affinity\.$/,
    );
    const protocol = prop(`${core}ServicePort`, 'protocol');
    assert.equal(protocol.default, 'TCP');
    assert.deepEqual(protocol.enum, ['SCTP', 'TCP', 'UDP']);
    assert.deepEqual(prop(`${core}ServiceSpec`, 'ipFamilies').items?.enum, ['', 'IPv4', 'IPv6']);
    // Values without docs are listed bare.
    assert.match(
      prop(`${core}PodSpec`, 'restartPolicy').description as string,
      / - `"Always"`\n - `"Never"`\n - `"OnFailure"`$/,
    );
  });

  it('gives integers their Go width and required scalars their zero default', () => {
    assert.deepEqual(
      {
        format: prop(`${core}ServicePort`, 'port').format,
        default: prop(`${core}ServicePort`, 'port').default,
      },
      { format: 'int32', default: 0 },
    );
    assert.equal(prop(`${meta}ObjectMeta`, 'generation').format, 'int64');
    assert.equal(prop(`${core}PodSpec`, 'terminationGracePeriodSeconds').format, 'int64');
    assert.equal(prop(`${core}PodSecurityContext`, 'supplementalGroups').items?.format, 'int64');
    assert.equal(prop('io.k8s.api.discovery.v1.EndpointSlice', 'addressType').default, '');
    assert.equal(prop(`${meta}APIResource`, 'namespaced').default, false);
  });

  it('shapes the special types as upstream', () => {
    assert.deepEqual(
      { ...defs[INT_OR_STRING], description: undefined },
      { description: undefined, format: 'int-or-string', type: 'string' },
    );
    assert.equal(defs[QUANTITY]!.type, 'string');
    assert.deepEqual([defs[TIME]!.type, defs[TIME]!.format], ['string', 'date-time']);
    assert.deepEqual(prop(`${core}ServicePort`, 'targetPort').allOf, [ref(INT_OR_STRING)]);
  });

  it('names only fields and enums that exist', () => {
    for (const [def, fields] of Object.entries(fieldFacts)) {
      if (!defs[def]) continue; // facts may cover types only reachable in later API versions
      for (const [f, facts] of Object.entries(fields)) {
        assert.ok(defs[def]!.properties?.[f], `${def}.${f}`);
        if (facts.enum) assert.ok(enums[facts.enum], facts.enum);
      }
    }
  });
});
