/**
 * Bodies the real kubectl 1.32 sent (tools/capture-kubectl.ts), decoded and
 * compared with kubectl's own JSON for the same command (`--dry-run=client
 * -o json`), and with the object kubectl was asked to copy.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeProtobuf } from '../../../src/api/protobuf/index.js';
import { fixtureBytes, fixtureJSON, indexOf, type Loose, ld, pruneNoise, tag, varint } from './helpers.js';

const createCommands = [
  'service-clusterip',
  'service-clusterip-multi',
  'service-clusterip-headless',
  'service-nodeport',
  'service-loadbalancer',
  'service-externalname',
  'namespace',
  'deployment-web',
  'deployment-command',
];

/**
 * The JSON noise that pruneNoise may remove from kubectl's output, and why:
 * - metadata.creationTimestamp (and the template's): a zero metav1.Time, JSON null;
 * - status (Service: status.loadBalancer), spec (Namespace), strategy,
 *   containers[].resources: value structs, which Go marshals as {} when empty.
 */
const NOISE = /(^|\.)(creationTimestamp|status|status\.loadBalancer|spec|strategy|resources)$/;

describe('kubectl typed create bodies decode to the JSON kubectl prints', () => {
  for (const name of createCommands) {
    test(name, () => {
      const { value: want, removed } = pruneNoise(fixtureJSON(`${name}.dry-run.json`));
      for (const path of removed)
        assert.match(path.replace(/\[\d+\]/g, ''), NOISE, `unexpected noise at ${path}`);
      const decoded = decodeProtobuf(fixtureBytes(`${name}.pb`));
      assert.deepEqual(decoded.object, want);
      assert.deepEqual(Object.keys(decoded.object).slice(0, 2), ['apiVersion', 'kind']);
      assert.equal(decoded.apiVersion, decoded.object.apiVersion);
      assert.equal(decoded.kind, decoded.object.kind);
    });
  }
});

describe('field numbers, checked on the bytes Go wrote', () => {
  test('ServicePort: Go writes every value field, zeros included', () => {
    // name=1 "80-8080", protocol=2 "TCP", port=3 80, targetPort=4 {type=1 0, intVal=2 8080, strVal=3 ""}, nodePort=5 0
    const intOrString = [...tag(1, 0), 0, ...tag(2, 0), ...varint(8080), ...ld(3, '')];
    const port = [
      ...ld(1, '80-8080'),
      ...ld(2, 'TCP'),
      ...tag(3, 0),
      80,
      ...ld(4, intOrString),
      ...tag(5, 0),
      0,
    ];
    assert.ok(indexOf(fixtureBytes('service-clusterip.pb'), ld(1, port)) > 0);
  });

  test('ServicePort.nodePort = 5, ServiceSpec.type = 4', () => {
    const body = fixtureBytes('service-nodeport.pb');
    assert.ok(indexOf(body, [...tag(5, 0), ...varint(30080)]) > 0);
    assert.ok(indexOf(body, ld(4, 'NodePort')) > 0);
  });

  test('ServiceSpec.externalName = 10, clusterIP = 3', () => {
    assert.ok(indexOf(fixtureBytes('service-externalname.pb'), ld(10, 'api.example.com')) > 0);
    assert.ok(indexOf(fixtureBytes('service-clusterip-headless.pb'), ld(3, 'None')) > 0);
  });

  test('DeploymentSpec.replicas = 1 (a pointer), ContainerPort.containerPort = 3', () => {
    const body = fixtureBytes('deployment-web.pb');
    assert.ok(indexOf(body, [...tag(1, 0), 3]) > 0);
    assert.ok(indexOf(body, [...tag(3, 0), 80]) > 0);
  });

  test('envelope: magic, then runtime.Unknown{typeMeta=1{apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4}', () => {
    const body = fixtureBytes('namespace.pb');
    assert.deepEqual([...body.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
    const typeMeta = ld(1, [...ld(1, 'v1'), ...ld(2, 'Namespace')]);
    assert.deepEqual([...body.subarray(4, 4 + typeMeta.length)], typeMeta);
    // Go writes the empty contentEncoding and contentType too.
    assert.deepEqual([...body.subarray(-4)], [...ld(3, ''), ...ld(4, '')]);
  });
});

describe('kubectl debug --copy-to: a rich Pod, Go-encoded', () => {
  test('decodes to the served pod, with exactly the changes kubectl debug makes', () => {
    const served = fixtureJSON<Loose>('rich-pod.json');
    const want = structuredClone(served);
    // The copy keeps only the namespace and annotations of the original's metadata
    // (1.32 drops the labels despite --keep-labels).
    want.metadata = { name: 'rich-copy', namespace: 'default', annotations: served.metadata.annotations };
    delete want.status;
    delete want.spec.ephemeralContainers; // not copied
    delete want.spec.nodeName; // free to schedule anywhere
    want.spec.shareProcessNamespace = true; // --share-processes
    want.spec.containers.push({ name: 'dbg', image: 'busybox', terminationMessagePolicy: 'File' });
    // `resources: {}` in the served JSON is an empty value struct: noise.
    delete want.spec.initContainers[0].resources;
    delete want.spec.containers[1].resources;

    const got = decodeProtobuf(fixtureBytes('pod-debug-copy.pb'));
    assert.equal(got.kind, 'Pod');
    assert.deepEqual(got.object, { apiVersion: 'v1', kind: 'Pod', ...want });
  });

  test('pointer fields set to zero values survive (terminationGracePeriodSeconds: 0, automount: false)', () => {
    const spec = (
      decodeProtobuf(fixtureBytes('pod-debug-copy.pb')).object as { spec: Record<string, unknown> }
    ).spec;
    assert.equal(spec.terminationGracePeriodSeconds, 0);
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(spec.setHostnameAsFQDN, false);
    assert.deepEqual((spec.volumes as unknown[])[1], { name: 'empty', emptyDir: {} });
  });
});

describe('what kubectl sends for other verbs', () => {
  const captures =
    fixtureJSON<{ command: string; requests: { method: string; contentType: string; body?: string }[] }[]>(
      'captures.json',
    );
  const requests = (prefix: string) => captures.find((c) => c.command.startsWith(prefix))!.requests;

  test('scale: a JSON merge patch of the scale subresource', () => {
    assert.deepEqual(requests('kubectl scale'), [
      {
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/default/deployments/web/scale',
        contentType: 'application/merge-patch+json',
        body: '{"spec":{"replicas":5}}',
      },
    ]);
  });

  test('delete: a JSON DeleteOptions body', () => {
    const [del] = requests('kubectl delete service');
    assert.equal(del!.contentType, 'application/json');
    assert.deepEqual(JSON.parse(del!.body!), { propagationPolicy: 'Background' });
  });

  test('typed clients (drain --disable-eviction) send DeleteOptions as protobuf', () => {
    assert.equal(
      requests('kubectl drain').find((r) => r.method === 'DELETE')!.contentType,
      'application/vnd.kubernetes.protobuf',
    );
    assert.deepEqual(decodeProtobuf(fixtureBytes('delete-options.pb')).object, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 5,
    });
  });

  test('kubectl run sends JSON', () => {
    assert.equal(requests('kubectl run')[0]!.contentType, 'application/json');
  });
});
