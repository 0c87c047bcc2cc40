/** The decoder's wire and JSON semantics on hand-assembled bodies. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeProtobuf, isProtobufMediaType } from '../../../src/api/protobuf/index.js';
import { StatusError } from '../../../src/k8s/status.js';
import { envelope, fixtureBytes, type Loose, ld, tag, varint } from './helpers.js';

const decode = (apiVersion: string, kind: string, raw: number[]): Loose =>
  decodeProtobuf(envelope(apiVersion, kind, raw)).object as Loose;

function rejects(body: Uint8Array, message: RegExp): void {
  assert.throws(
    () => decodeProtobuf(body),
    (err: unknown) => {
      assert.ok(err instanceof StatusError, `not a StatusError: ${String(err)}`);
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'BadRequest');
      assert.match(err.message, message);
      return true;
    },
  );
}

// Service spec (field 2) helpers.
const spec = (...fields: number[][]) => ld(2, fields.flat());
const metaName = (name: string) => ld(1, ld(1, name));

describe('isProtobufMediaType', () => {
  test('matches the media type, ignoring parameters and case', () => {
    assert.ok(isProtobufMediaType('application/vnd.kubernetes.protobuf'));
    assert.ok(isProtobufMediaType('Application/Vnd.Kubernetes.Protobuf; charset=utf-8'));
    assert.ok(!isProtobufMediaType('application/json'));
    assert.ok(!isProtobufMediaType('application/vnd.kubernetes.protobuf+json'));
    assert.ok(!isProtobufMediaType(''));
  });
});

describe('envelope and kinds', () => {
  test('bad magic, empty data, magic only: 400 with upstream messages', () => {
    rejects(new Uint8Array(0), /empty data/);
    rejects(Buffer.from('{"kind":"Service"}'), /expected prefix \[107 56 115 0\]/);
    rejects(Uint8Array.of(0x6b, 0x38, 0x73, 0x00), /empty body/);
  });

  test('an unsupported kind names the supported ones', () => {
    rejects(
      envelope('apps/v1', 'ControllerRevision', []),
      /ControllerRevision in apps\/v1 are not supported.*v1\/Service/,
    );
    rejects(envelope('v2', 'Service', []), /Service in v2 are not supported/);
  });

  test('a missing kind is an error unless the request path supplies it', () => {
    const body = envelope('', '', metaName('x'));
    rejects(body, /'Kind' is missing/);
    const d = decodeProtobuf(body, { apiVersion: 'v1', kind: 'Namespace' });
    assert.deepEqual(d.object, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
  });

  test('DeleteOptions is accepted in every served group version', () => {
    for (const gv of ['v1', 'apps/v1', 'meta.k8s.io/v1', 'discovery.k8s.io/v1', 'autoscaling/v1']) {
      assert.deepEqual(decode(gv, 'DeleteOptions', [...ld(4, 'Orphan')]), {
        apiVersion: gv,
        kind: 'DeleteOptions',
        propagationPolicy: 'Orphan',
      });
    }
  });

  test('a Node Buffer decodes like a Uint8Array', () => {
    const bytes = fixtureBytes('deployment-web.pb');
    assert.deepEqual(decodeProtobuf(Buffer.from(bytes)), decodeProtobuf(bytes));
  });

  test('truncated bodies: 400', () => {
    const full = fixtureBytes('deployment-web.pb');
    for (const n of [5, 10, 40, full.length - 1])
      rejects(full.subarray(0, n), /unable to decode protobuf body/);
  });
});

describe('wire format', () => {
  test('a field with the wrong wire type is rejected', () => {
    rejects(envelope('v1', 'Namespace', [...tag(1, 0), 5]), /wrong wire type 0 for field metadata/);
    rejects(envelope('v1', 'Service', spec([...tag(3, 0), 1])), /wrong wire type 0 for field clusterIP/);
  });

  test('unknown fields of every wire type are skipped, groups included', () => {
    const unknown = [
      ...tag(90, 0),
      ...varint(-1),
      ...tag(91, 1),
      ...[1, 2, 3, 4, 5, 6, 7, 8],
      ...ld(92, 'ignored'),
      ...tag(93, 5),
      ...[1, 2, 3, 4],
      ...tag(94, 3),
      ...tag(1, 0),
      7,
      ...tag(95, 3),
      ...ld(2, 'x'),
      ...tag(95, 4),
      ...tag(94, 4),
    ];
    const plain = decode('v1', 'Service', [...metaName('a'), ...spec(ld(4, 'NodePort'))]);
    assert.deepEqual(
      decode('v1', 'Service', [...unknown, ...metaName('a'), ...spec(unknown, ld(4, 'NodePort'))]),
      plain,
    );
  });

  test('illegal wire types, stray end-group and tag 0 are rejected', () => {
    rejects(envelope('v1', 'Service', [...tag(90, 6)]), /illegal wire type 6/);
    rejects(envelope('v1', 'Service', [...tag(90, 7)]), /illegal wire type 7/);
    rejects(envelope('v1', 'Service', [...tag(90, 4)]), /end group/);
    rejects(envelope('v1', 'Service', [0, 0]), /illegal tag 0/);
    rejects(envelope('v1', 'Service', [...tag(90, 3), ...tag(1, 0), 1]), /end of data in group/);
  });

  test('a length prefix past the end of its message is rejected', () => {
    rejects(envelope('v1', 'Service', [...tag(1, 2), 0x7f, 1, 2]), /truncated or malformed/);
    rejects(
      envelope('v1', 'Service', [...tag(1, 2), 0xff, 0xff, 0xff, 0xff, 0x0f]),
      /truncated or malformed/,
    );
  });

  test('repeated scalars: unpacked (as Go writes) and packed are both read', () => {
    const podSC = (groups: number[]) => decode('v1', 'Pod', ld(2, ld(14, groups))).spec.securityContext;
    const unpacked = [1, 2, 300].flatMap((g) => [...tag(4, 0), ...varint(g)]);
    const packed = ld(
      4,
      [1, 2, 300].flatMap((g) => varint(g)),
    );
    assert.deepEqual(podSC(unpacked), { supplementalGroups: [1, 2, 300] });
    assert.deepEqual(podSC(packed), { supplementalGroups: [1, 2, 300] });
  });

  test('repeated occurrences: scalars last-wins, messages merge, lists append', () => {
    const port = (p: number) => ld(1, [...tag(3, 0), p]);
    const got = decode('v1', 'Service', [
      ...metaName('first'),
      ...metaName('second'),
      ...spec(ld(4, 'ClusterIP'), port(80)),
      ...spec(ld(3, 'None'), port(81)),
    ]);
    assert.deepEqual(got, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'second' },
      spec: { ports: [{ port: 80 }, { port: 81 }], clusterIP: 'None', type: 'ClusterIP' },
    });
  });

  test('int32 from a 10-byte negative varint, int64 beyond 32 bits', () => {
    const got = decode('v1', 'Service', [
      ...ld(1, [...tag(7, 0), ...varint(2 ** 40)]),
      ...spec(ld(1, [...tag(3, 0), ...varint(-1)])),
    ]);
    assert.equal(got.metadata.generation, 2 ** 40);
    assert.deepEqual(got.spec.ports, [{ port: -1 }]);
  });

  test('invalid UTF-8 becomes U+FFFD, as Go JSON-encodes it', () => {
    assert.equal(decode('v1', 'Namespace', ld(1, ld(1, [0x61, 0xff, 0x62]))).metadata.name, 'a\ufffdb');
  });
});

describe('maps', () => {
  const labels = (...entries: number[][]) =>
    decode(
      'v1',
      'Namespace',
      ld(
        1,
        entries.flatMap((e) => ld(11, e)),
      ),
    ).metadata.labels;

  test('entries: last wins, missing key or value is empty', () => {
    assert.deepEqual(
      labels([...ld(1, 'a'), ...ld(2, '1')], [...ld(1, 'a'), ...ld(2, '2')], ld(2, 'v'), ld(1, 'k')),
      {
        a: '2',
        '': 'v',
        k: '',
      },
    );
  });

  test('a "__proto__" key stays an ordinary key', () => {
    const got = labels([...ld(1, '__proto__'), ...ld(2, 'x')]);
    assert.deepEqual(Object.keys(got), ['__proto__']);
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
  });

  test('Quantity values', () => {
    const res = (q: number[]) =>
      decode('v1', 'Pod', ld(2, ld(2, [...ld(1, 'c'), ...ld(8, ld(1, [...ld(1, 'cpu'), ...ld(2, q)]))]))).spec
        .containers[0].resources;
    assert.deepEqual(res(ld(1, '500m')), { limits: { cpu: '500m' } });
    assert.deepEqual(res([]), { limits: { cpu: '0' } });
    rejects(
      envelope('v1', 'Pod', ld(2, ld(2, ld(8, ld(1, [...ld(1, 'cpu'), ...ld(2, ld(1, 'lots'))]))))),
      /quantities must match/,
    );
  });
});

describe('Go shapes in JSON', () => {
  test('value structs: absent or empty omitted, their always-fields emitted when present', () => {
    const status = (cs: number[]) => decode('v1', 'Pod', ld(3, ld(8, cs))).status;
    assert.deepEqual(status([]), {
      containerStatuses: [{ name: '', ready: false, restartCount: 0, image: '', imageID: '' }],
    });
    assert.deepEqual(decode('v1', 'Service', [...ld(2, []), ...ld(3, ld(1, []))]), {
      apiVersion: 'v1',
      kind: 'Service',
    });
  });

  test('pointer structs and scalars are kept when empty or zero', () => {
    const vol = ld(1, [...ld(1, 'v'), ...ld(2, ld(2, []))]);
    const got = decode('v1', 'Pod', ld(2, [...vol, ...tag(4, 0), 0, ...tag(21, 0), 0]));
    assert.deepEqual(got.spec, {
      volumes: [{ name: 'v', emptyDir: {} }],
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
    });
  });

  test('omitempty value scalars are dropped when zero', () => {
    assert.deepEqual(decode('v1', 'Service', spec(ld(3, ''), ld(4, ''), [...tag(13, 0), 0])), {
      apiVersion: 'v1',
      kind: 'Service',
    });
  });

  test('IntOrString: number, string, zero targetPort omitted, zero probe port kept, bad type rejected', () => {
    const ios = (type: number, int: number, str: string) => [
      ...tag(1, 0),
      type,
      ...tag(2, 0),
      ...varint(int),
      ...ld(3, str),
    ];
    const ports = (t: number[]) =>
      decode('v1', 'Service', spec(ld(1, [...tag(3, 0), 80, ...ld(4, t)]))).spec.ports[0];
    assert.deepEqual(ports(ios(0, 8080, '')), { port: 80, targetPort: 8080 });
    assert.deepEqual(ports(ios(1, 0, 'http')), { port: 80, targetPort: 'http' });
    assert.deepEqual(ports(ios(0, 0, '')), { port: 80 });
    const probe = decode(
      'v1',
      'Pod',
      ld(2, ld(2, [...ld(1, 'c'), ...ld(10, ld(1, ld(3, ld(1, ios(0, 0, '')))))])),
    );
    assert.deepEqual(probe.spec.containers[0].livenessProbe, { tcpSocket: { port: 0 } });
    rejects(envelope('v1', 'Service', spec(ld(1, ld(4, ios(2, 0, ''))))), /impossible IntOrString\.Type 2/);
  });

  test('Time: RFC 3339 seconds in UTC; empty and Go zero time omitted; nanos normalised', () => {
    const ts = (s: number, n: number) => [...tag(1, 0), ...varint(s), ...tag(2, 0), ...varint(n)];
    const created = (t: number[]) => decode('v1', 'Namespace', ld(1, ld(8, t))).metadata?.creationTimestamp;
    assert.equal(created(ts(1704067200, 999_999_999)), '2024-01-01T00:00:00Z');
    assert.equal(created(ts(0, 0)), '1970-01-01T00:00:00Z');
    assert.equal(created(ts(10, -1)), '1970-01-01T00:00:09Z');
    assert.equal(created([]), undefined);
    assert.equal(created(ts(-62135596800, 0)), undefined);
    rejects(envelope('v1', 'Namespace', ld(1, ld(8, ts(2 ** 40, 0)))), /timestamp out of range/);
  });

  test('MicroTime: six fractional digits', () => {
    const ev = decode(
      'v1',
      'Event',
      ld(10, [...tag(1, 0), ...varint(1704067200), ...tag(2, 0), ...varint(1_234_567)]),
    );
    assert.equal(ev.eventTime, '2024-01-01T00:00:00.001234Z');
  });

  test('FieldsV1 is parsed JSON; invalid JSON is rejected', () => {
    const mf = (raw: string) => ld(1, ld(17, ld(7, ld(1, raw))));
    assert.deepEqual(decode('v1', 'Namespace', mf('{"f:metadata":{}}')).metadata.managedFields, [
      { fieldsV1: { 'f:metadata': {} } },
    ]);
    rejects(envelope('v1', 'Namespace', mf('{nope')), /not valid JSON/);
  });
});
