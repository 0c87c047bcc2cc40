import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkObject,
  type DecodeOptions,
  decodeBody,
  type FieldValidation,
} from '../../../src/api/schema/decode.js';
import { schemaForKind } from '../../../src/api/schema/index.js';
import { StatusError } from '../../../src/k8s/status.js';
import { useFreshDefinitions } from './definitions-fixture.js';

useFreshDefinitions();

const svcSchema = () => schemaForKind({ group: '', version: 'v1', kind: 'Service' })!;
const opts = (fieldValidation: FieldValidation = 'Strict'): DecodeOptions => ({
  group: '',
  version: 'v1',
  kind: 'Service',
  fieldValidation,
});
const prefix = 'Service in version "v1" cannot be handled as a Service: ';

interface Case {
  name: string;
  body: string;
  format?: 'json' | 'yaml';
  mode?: FieldValidation;
  /** Expected object, or omitted when an error is expected. */
  obj?: unknown;
  warnings?: string[];
  /** Expected 400 message. */
  error?: string;
}

const svc = (spec: string, meta = '{"name":"web"}') =>
  `{"apiVersion":"v1","kind":"Service","metadata":${meta},"spec":${spec}}`;
const obj = (spec: unknown, metadata: unknown = { name: 'web' }) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata,
  spec,
});

const cases: Case[] = [
  {
    name: 'a valid Service decodes unchanged',
    body: svc(
      '{"type":"NodePort","ports":[{"name":"http","port":80,"targetPort":8080,"nodePort":30080}],"selector":{"app":"web"}}',
    ),
    obj: obj({
      type: 'NodePort',
      ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }],
      selector: { app: 'web' },
    }),
  },
  {
    name: 'Strict: unknown and duplicate fields fail with upstream paths, in document order',
    body: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"a","name":"b","labelz":{}},"spec":{"portz":1,"ports":[{"port":80,"foo":1}]}}',
    error: `${prefix}strict decoding error: duplicate field "metadata.name", unknown field "metadata.labelz", unknown field "spec.portz", unknown field "spec.ports[0].foo"`,
  },
  {
    name: 'Warn: the same fields become warnings and are pruned; the last duplicate wins',
    mode: 'Warn',
    body: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"a","name":"b","labelz":{}},"spec":{"portz":1,"ports":[{"port":80,"foo":1}]}}',
    obj: obj({ ports: [{ port: 80 }] }, { name: 'b' }),
    warnings: [
      'duplicate field "metadata.name"',
      'unknown field "metadata.labelz"',
      'unknown field "spec.portz"',
      'unknown field "spec.ports[0].foo"',
    ],
  },
  {
    name: 'Ignore: pruned silently',
    mode: 'Ignore',
    body: svc('{"portz":1}', '{"name":"a","name":"b"}'),
    obj: obj({}, { name: 'b' }),
    warnings: [],
  },
  {
    name: 'a duplicate between unknown fields is reported where it occurred',
    body: svc('{"type":"ClusterIP","x":1,"type":"NodePort","y":2}'),
    error: `${prefix}strict decoding error: unknown field "spec.x", duplicate field "spec.type", unknown field "spec.y"`,
  },
  {
    name: 'duplicate keys of a map are duplicates too',
    body: svc('{}', '{"name":"a","labels":{"k":"1","k":"2"}}'),
    error: `${prefix}strict decoding error: duplicate field "metadata.labels.k"`,
  },
  {
    name: 'duplicate unknown fields are reported once, as unknown',
    body: svc('{"x":1,"x":2}'),
    error: `${prefix}strict decoding error: unknown field "spec.x"`,
  },
  {
    name: 'duplicated objects merge as Go decodes into the same struct',
    mode: 'Ignore',
    body: '{"metadata":{"name":"a"},"metadata":{"namespace":"b"}}',
    obj: { metadata: { name: 'a', namespace: 'b' } },
  },
  {
    name: 'a string for an int32 fails with the Go struct field path (no indexes) and type',
    body: svc('{"ports":[{"port":"80"}]}'),
    error: `${prefix}json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32`,
  },
  {
    name: 'type errors win over strict errors, whatever the directive',
    mode: 'Ignore',
    body: svc('{"portz":1,"ports":[{"port":true}]}'),
    error: `${prefix}json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.port of type int32`,
  },
  {
    name: 'only the first type error is reported',
    body: svc('{"type":5,"ports":"x"}'),
    error: `${prefix}json: cannot unmarshal number into Go struct field ServiceSpec.spec.type of type v1.ServiceType`,
  },
  {
    name: 'a list given as a string',
    body: svc('{"ports":"x"}'),
    error: `${prefix}json: cannot unmarshal string into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort`,
  },
  {
    name: 'a struct given as an array',
    body: '{"apiVersion":"v1","kind":"Service","spec":[]}',
    error: `${prefix}json: cannot unmarshal array into Go struct field Service.spec of type v1.ServiceSpec`,
  },
  {
    name: 'a map value of the wrong type',
    body: svc('{}', '{"labels":{"a":1}}'),
    error: `${prefix}json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string`,
  },
  {
    name: 'a named string type in a list',
    body: svc('{"ipFamilies":[4]}'),
    error: `${prefix}json: cannot unmarshal number into Go struct field ServiceSpec.spec.ipFamilies of type v1.IPFamily`,
  },
  {
    name: 'integers must be integral: Go refuses 1.0 and 1e3 by their text',
    body: svc('{"ports":[{"port":1.0}]}'),
    error: `${prefix}json: cannot unmarshal number 1.0 into Go struct field ServicePort.spec.ports.port of type int32`,
  },
  {
    name: 'exponent form is not an integer either',
    body: svc('{"ports":[{"port":1e3}]}'),
    error: `${prefix}json: cannot unmarshal number 1e3 into Go struct field ServicePort.spec.ports.port of type int32`,
  },
  {
    name: 'int32 range',
    body: svc('{"ports":[{"port":2147483648}]}'),
    error: `${prefix}json: cannot unmarshal number 2147483648 into Go struct field ServicePort.spec.ports.port of type int32`,
  },
  {
    name: 'int64 fields take values beyond int32',
    mode: 'Strict',
    body: '{"metadata":{"generation":4294967296}}',
    obj: { metadata: { generation: 4294967296 } },
  },
  {
    name: 'int64 range',
    body: '{"metadata":{"generation":9223372036854775808}}',
    error: `${prefix}json: cannot unmarshal number 9223372036854775808 into Go struct field ObjectMeta.metadata.generation of type int64`,
  },
  {
    name: 'int-or-string takes a string or an int32',
    body: svc('{"ports":[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8081}]}'),
    obj: obj({
      ports: [
        { port: 80, targetPort: 'http' },
        { port: 81, targetPort: 8081 },
      ],
    }),
  },
  {
    name: 'int-or-string reports its int32 for anything else',
    body: svc('{"ports":[{"port":80,"targetPort":1.5}]}'),
    error: `${prefix}json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort of type int32`,
  },
  {
    name: 'int-or-string with an object',
    body: svc('{"ports":[{"port":80,"targetPort":{}}]}'),
    error: `${prefix}json: cannot unmarshal object into Go struct field ServicePort.spec.ports.targetPort of type int32`,
  },
  {
    name: 'null unsets a field',
    body: svc(
      '{"type":null,"selector":null,"ports":null,"sessionAffinityConfig":null}',
      '{"name":"web","creationTimestamp":null}',
    ),
    obj: obj({}),
  },
  {
    name: 'null in a list or map is the zero value of the element',
    body: svc('{"clusterIPs":[null],"ports":[null]}', '{"name":"web","labels":{"a":null}}'),
    obj: obj({ clusterIPs: [''], ports: [{}] }, { name: 'web', labels: { a: '' } }),
  },
  {
    name: 'a null document is an empty object',
    body: 'null',
    obj: {},
  },
  {
    name: 'times are re-encoded in UTC seconds',
    body: '{"metadata":{"creationTimestamp":"2024-01-02T03:04:05.5+01:00"}}',
    obj: { metadata: { creationTimestamp: '2024-01-02T02:04:05Z' } },
  },
  {
    name: 'a malformed time fails with Go time.Parse wording',
    body: '{"metadata":{"creationTimestamp":"2024-1-02"}}',
    error: `${prefix}parsing time "2024-1-02" as "2006-01-02T15:04:05Z07:00": cannot parse "1-02" as "01"`,
  },
  {
    name: 'a time given as a number',
    body: '{"metadata":{"creationTimestamp":5}}',
    error: `${prefix}json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string`,
  },
  {
    name: 'free-form fields (FieldsV1) are kept as they are',
    body: '{"metadata":{"managedFields":[{"manager":"m","fieldsV1":{"f:spec":{"f:x":{}},"n":1.5}}]}}',
    obj: { metadata: { managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:x': {} }, n: 1.5 } }] } },
  },
  {
    name: '__proto__ is an unknown field, not a prototype',
    body: svc('{"__proto__":{"polluted":true}}'),
    error: `${prefix}strict decoding error: unknown field "spec.__proto__"`,
  },
  {
    name: 'the body’s own kind and version name it in messages',
    body: '{"apiVersion":"v2","kind":"Servicez","spec":{"x":1}}',
    error:
      'Servicez in version "v2" cannot be handled as a Service: strict decoding error: unknown field "spec.x"',
  },
  {
    name: 'JSON syntax errors',
    body: '{"apiVersion":"v1","kind":"Service",}',
    error:
      'the object provided is unrecognized (must be of type Service): couldn\'t get version/kind; json parse error: invalid character \'}\' looking for beginning of object key string ({"apiVersion":"v1","kind":"Ser ...)',
  },
  {
    name: 'truncated JSON',
    body: '{"a":',
    error:
      'the object provided is unrecognized (must be of type Service): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"a":)',
  },
  {
    name: 'a JSON array is not an object',
    body: '[]',
    error:
      'the object provided is unrecognized (must be of type Service): couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } (5b5d)',
  },
  {
    name: 'YAML: duplicates as go-yaml reports them, then unknown fields',
    format: 'yaml',
    body: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\nspec:\n  portz: 1\n',
    error: `${prefix}strict decoding error: yaml: unmarshal errors:\n  line 5: key "name" already set in map, unknown field "spec.portz"`,
  },
  {
    name: 'YAML Warn: one warning per duplicate line',
    format: 'yaml',
    mode: 'Warn',
    body: 'metadata:\n  name: a\n  name: b\n  labels:\n    x: "1"\n    x: "2"\n',
    obj: { metadata: { name: 'b', labels: { x: '2' } } },
    warnings: ['line 3: key "name" already set in map', 'line 6: key "x" already set in map'],
  },
  {
    name: 'YAML 1.1 scalars: yes is a boolean',
    format: 'yaml',
    body: 'metadata:\n  labels:\n    enabled: yes\n',
    error: `${prefix}json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string`,
  },
  {
    name: 'YAML numbers and quoted strings',
    format: 'yaml',
    body: 'spec:\n  ports:\n  - port: 80\n    targetPort: "8080"\n    nodePort: 0x7531\n',
    obj: { spec: { ports: [{ port: 80, targetPort: '8080', nodePort: 30001 }] } },
  },
  {
    name: 'YAML syntax errors',
    format: 'yaml',
    body: 'a: 1\n b: 2\n',
    error:
      'the object provided is unrecognized (must be of type Service): error converting YAML to JSON: yaml: line 1: Nested mappings are not allowed in compact mappings (613a20310a20623a20320a)',
  },
];

describe('decodeBody', () => {
  for (const c of cases) {
    it(c.name, () => {
      const run = () => decodeBody(c.body, c.format ?? 'json', svcSchema(), opts(c.mode));
      if (c.error !== undefined) {
        assert.throws(run, (e: unknown) => {
          assert.ok(e instanceof StatusError);
          assert.equal(e.code, 400);
          assert.equal(e.reason, 'BadRequest');
          assert.equal(e.message, c.error);
          return true;
        });
        return;
      }
      const r = run();
      assert.deepEqual(r.obj, c.obj);
      assert.deepEqual(r.warnings, c.warnings ?? []);
    });
  }

  it('decodes quantities and refuses malformed ones', () => {
    const pod = schemaForKind({ group: '', version: 'v1', kind: 'Pod' })!;
    const podOpts = { group: '', version: 'v1', kind: 'Pod', fieldValidation: 'Strict' as const };
    const body = (limits: string) =>
      `{"spec":{"containers":[{"name":"c","resources":{"limits":${limits}}}]}}`;
    const r = decodeBody(body('{"cpu":"500m","memory":1.5}'), 'json', pod, podOpts);
    assert.deepEqual(r.obj, {
      spec: { containers: [{ name: 'c', resources: { limits: { cpu: '500m', memory: '1.5' } } }] },
    });
    assert.throws(
      () => decodeBody(body('{"cpu":"lots"}'), 'json', pod, podOpts),
      /Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression/,
    );
    assert.throws(
      () => decodeBody(body('{"cpu":"5KK"}'), 'json', pod, podOpts),
      /unable to parse quantity's suffix/,
    );
    assert.throws(() => decodeBody(body('{"cpu":"5X"}'), 'json', pod, podOpts), /quantities must match/);
  });

  // How fast is bench/apiserver.ts's (d): a pass/fail test asserts the result, not the time.
  it('decodes 1,000 Service bodies, each to the same object', () => {
    const body = svc(
      '{"type":"NodePort","ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"},{"name":"https","port":443,"targetPort":"https"}],"selector":{"app":"web","tier":"frontend"},"sessionAffinity":"None","externalTrafficPolicy":"Cluster"}',
      '{"name":"web","namespace":"default","labels":{"app":"web"},"annotations":{"note":"a fairly long annotation value to make the body realistic"}}',
    );
    const schema = svcSchema();
    const o = opts();
    const first = decodeBody(body, 'json', schema, o);
    assert.deepEqual((first.obj.spec as { ports: unknown[] }).ports[1], {
      name: 'https',
      port: 443,
      targetPort: 'https',
    });
    for (let i = 0; i < 1000; i++) assert.deepEqual(decodeBody(body, 'json', schema, o), first);
  });
});

describe('checkObject', () => {
  it('applies the same rules to parsed objects', () => {
    const schema = svcSchema();
    const patched = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'a' },
      spec: { ports: [{ port: 80, bogus: 1 }], extra: true },
    };
    assert.throws(
      () => checkObject(patched, schema, opts()),
      (e: unknown) =>
        e instanceof StatusError &&
        e.message ===
          `${prefix}strict decoding error: unknown field "spec.ports[0].bogus", unknown field "spec.extra"`,
    );
    const r = checkObject(patched, schema, opts('Warn'));
    assert.deepEqual(r.obj, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'a' },
      spec: { ports: [{ port: 80 }] },
    });
    assert.deepEqual(r.warnings, ['unknown field "spec.ports[0].bogus"', 'unknown field "spec.extra"']);
    assert.throws(
      () => checkObject({ spec: { ports: [{ port: 1.5 }] } }, schema, opts('Ignore')),
      /number 1\.5 into Go struct field/,
    );
  });
});
