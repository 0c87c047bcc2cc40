/**
 * What kubectl prints for the usual mistakes in a Service manifest
 * (validation, strict field validation), `--dry-run=server|client` (nothing
 * persists, nothing stays allocated), and `kubectl explain`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { type Cluster, skipReason, startCluster, stopCluster } from './harness.js';
import { fails, getYaml, nodePorts, run, spec, tableNoAge } from './kubectl-output.js';

const skip = skipReason();

/** A Service manifest with these spec lines (YAML, indented by two). */
const svc = (name: string, specLines: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n${specLines}`;

describe('Service validation, dry runs and explain', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => stopCluster(c));

  const create = (yaml: string) => fails(c, ['create', '-f', '-'], { input: yaml });

  it('reports typical mistakes as upstream does', () => {
    assert.equal(
      create(svc('bad-port', '  ports:\n  - port: 70000\n    targetPort: 8080\n')),
      'The Service "bad-port" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n',
    );
    assert.equal(
      create(svc('bad-target', '  ports:\n  - port: 80\n    targetPort: http_port\n')),
      'The Service "bad-target" is invalid: spec.ports[0].targetPort: Invalid value: "http_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)\n',
    );
    assert.equal(
      create(svc('bad-type', '  type: Nodeport\n  ports:\n  - port: 80\n')),
      'The Service "bad-type" is invalid: spec.type: Unsupported value: "Nodeport": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"\n',
    );
    assert.equal(
      create(svc('two-ports', '  ports:\n  - port: 80\n  - port: 443\n')),
      'The Service "two-ports" is invalid: \n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value\n',
    );
    assert.equal(
      create(svc('dup-names', '  ports:\n  - name: web\n    port: 80\n  - name: web\n    port: 443\n')),
      'The Service "dup-names" is invalid: spec.ports[1].name: Duplicate value: "web"\n',
    );
    assert.equal(
      create(svc('np-on-cip', '  type: ClusterIP\n  ports:\n  - port: 80\n    nodePort: 30080\n')),
      'The Service "np-on-cip" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is \'ClusterIP\'\n',
    );
    assert.equal(
      create(
        svc('ext-ip', '  type: ExternalName\n  externalName: api.example.com\n  clusterIP: 127.96.0.50\n'),
      ),
      'The Service "ext-ip" is invalid: spec.clusterIPs: Forbidden: may not be set for ExternalName services\n',
    );
    assert.equal(
      create(svc('ext-none', '  type: ExternalName\n')),
      'The Service "ext-none" is invalid: spec.externalName: Required value\n',
    );
    assert.equal(
      create(svc('no-ports', '  selector:\n    app: web\n')),
      'The Service "no-ports" is invalid: spec.ports: Required value\n',
    );
    assert.equal(
      create(svc('lb-headless', '  type: LoadBalancer\n  clusterIP: None\n  ports:\n  - port: 80\n')),
      'The Service "lb-headless" is invalid: spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for LoadBalancer services\n',
    );
    assert.equal(
      create(
        svc(
          'affinity',
          '  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 90000\n  ports:\n  - port: 80\n',
        ),
      ),
      'The Service "affinity" is invalid: spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: must be greater than 0 and less than 86400\n',
    );
    assert.equal(
      create(svc('etp', '  externalTrafficPolicy: Local\n  ports:\n  - port: 80\n')),
      'The Service "etp" is invalid: spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services\n',
    );
    // None of them was created.
    assert.deepEqual(c.ok(['get', 'svc', '-o', 'name']).trim().split('\n'), ['service/kubernetes']);
  });

  it('rejects an address with leading zeros in a new Service or a changed field, with upstream 1.33 strict wording', () => {
    // libc reads 010 as octal (8): the value would be stored as written and served elsewhere.
    const [a, b, c3] = c.ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']).split('.');
    const lz = `${a}.${b}.0${c3}.77`;
    assert.equal(
      create(svc('lz', `  clusterIP: ${lz}\n  ports:\n  - port: 80\n`)),
      `The Service "lz" is invalid: spec.clusterIPs[0]: Invalid value: "${lz}": must not have leading 0s\n`,
    );
    assert.equal(
      create(svc('mapped', `  clusterIP: ::ffff:${a}.${b}.${c3}.78\n  ports:\n  - port: 80\n`)),
      `The Service "mapped" is invalid: spec.clusterIPs[0]: Invalid value: "::ffff:${a}.${b}.${c3}.78": must not be an IPv4-mapped IPv6 address\n`,
    );
    // The canonical spelling of the same address is fine.
    c.ok(['create', '-f', '-'], {
      input: svc('lz', `  clusterIP: ${a}.${b}.${c3}.77\n  ports:\n  - port: 80\n`),
    });
    assert.equal(spec(c, 'lz').clusterIP, `${a}.${b}.${c3}.77`);
    // An update may not bring one in either.
    assert.equal(
      fails(c, ['patch', 'svc', 'lz', '--type=merge', '-p', '{"spec":{"externalIPs":["192.0.2.010"]}}']),
      'The Service "lz" is invalid: spec.externalIPs[0]: Invalid value: "192.0.2.010": must not have leading 0s\n',
    );
    c.ok(['delete', 'svc', 'lz']);
  });

  it('rejects unknown fields (strict), warns with --validate=warn, ignores with --validate=false', () => {
    const typo = svc('typo', '  portz:\n  - port: 80\n  ports:\n  - port: 80\n');
    assert.equal(
      create(typo),
      'Error from server (BadRequest): error when creating "STDIN": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.portz"\n',
    );
    assert.equal(
      fails(c, ['apply', '-f', '-'], { input: typo }),
      'Error from server (BadRequest): error when creating "STDIN": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.portz"\n',
    );
    const warn = run(c, ['create', '-f', '-', '--validate=warn'], { input: typo });
    assert.equal(warn.stdout, 'service/typo created\n');
    assert.equal(warn.stderr, 'Warning: unknown field "spec.portz"\n');
    assert.equal(spec(c, 'typo').portz, undefined);
    c.ok(['delete', 'svc', 'typo']);
    const ignore = run(c, ['create', '-f', '-', '--validate=false'], { input: typo });
    assert.equal(ignore.stdout, 'service/typo created\n');
    assert.equal(ignore.stderr, '');
    // Two unknown fields, and one in a list item.
    assert.equal(
      create(svc('typo2', '  ports:\n  - port: 80\n    tagretPort: 8080\n  tpye: NodePort\n')),
      'Error from server (BadRequest): error when creating "STDIN": Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.ports[0].tagretPort", unknown field "spec.tpye"\n',
    );
    // kubectl patch sends no fieldValidation: the server's default, Warn, applies.
    const r = run(c, ['patch', 'svc', 'typo', '--type=merge', '-p', '{"spec":{"portz":1}}']);
    assert.equal(r.stderr, 'Warning: unknown field "spec.portz"\n');
  });

  it('--dry-run=server: create, patch and delete persist nothing and keep no allocation', () => {
    const created = run(c, [
      'create',
      'service',
      'nodeport',
      'dry',
      '--tcp=80:8080',
      '--node-port=30111',
      '--dry-run=server',
      '-o',
      'yaml',
    ]);
    const dry = parseYaml(created.stdout);
    // The server defaulted and allocated as for a real create...
    assert.equal(dry.spec.ports[0].nodePort, 30111);
    assert.match(dry.spec.clusterIP, /^127\./);
    assert.equal(dry.spec.externalTrafficPolicy, 'Cluster');
    assert.match(dry.metadata.uid, /^[0-9a-f-]{36}$/);
    // ...and kept none of it.
    assert.equal(fails(c, ['get', 'svc', 'dry']), 'Error from server (NotFound): services "dry" not found\n');
    assert.equal(
      c.ok([
        'create',
        'service',
        'nodeport',
        'dry',
        '--tcp=80:8080',
        '--node-port=30111',
        '--dry-run=server',
      ]),
      'service/dry created (server dry run)\n',
    );
    // The node port and the cluster IP the dry runs saw are free.
    c.ok(['create', 'service', 'clusterip', 'takes-ip', '--tcp=80', `--clusterip=${dry.spec.clusterIP}`]);
    assert.equal(
      c.ok(['create', 'service', 'nodeport', 'dry', '--tcp=80:8080', '--node-port=30111']),
      'service/dry created\n',
    );

    // A patch dry run: validated, allocated, answered, not stored.
    const before = getYaml(c, ['svc', 'dry']);
    const p = run(c, [
      'patch',
      'svc',
      'dry',
      '-p',
      '{"spec":{"type":"LoadBalancer","externalTrafficPolicy":"Local"}}',
      '--dry-run=server',
      '-o',
      'yaml',
    ]);
    const patched = parseYaml(p.stdout);
    assert.equal(patched.spec.type, 'LoadBalancer');
    const hc = patched.spec.healthCheckNodePort;
    assert.ok(hc >= 30000 && hc <= 32767, `health check node port ${hc}`);
    assert.deepEqual(getYaml(c, ['svc', 'dry']), before);
    // The health check node port the dry run allocated is free.
    c.ok(['create', 'service', 'nodeport', 'hc', '--tcp=80', `--node-port=${hc}`]);
    assert.equal(
      fails(c, ['patch', 'svc', 'dry', '-p', '{"spec":{"type":"Nodeport"}}', '--dry-run=server']),
      'The Service "dry" is invalid: spec.type: Unsupported value: "Nodeport": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"\n',
    );

    assert.equal(
      c.ok(['delete', 'svc', 'dry', '--dry-run=server']),
      'service "dry" deleted (server dry run)\n',
    );
    assert.deepEqual(nodePorts(c, 'dry'), [30111]);
    assert.match(
      fails(c, ['create', 'service', 'nodeport', 'steal', '--tcp=80', '--node-port=30111']),
      /provided port is already allocated/,
    );
    // A server dry run still reports allocation errors.
    assert.equal(
      fails(c, [
        'create',
        'service',
        'nodeport',
        'steal',
        '--tcp=80',
        '--node-port=30111',
        '--dry-run=server',
      ]),
      'error: failed to create NodePort service: Service "steal" is invalid: spec.ports[0].nodePort: Invalid value: 30111: provided port is already allocated\n',
    );
    // apply --dry-run=server of a new object.
    assert.equal(
      c.ok(['apply', '-f', '-', '--dry-run=server'], { input: svc('applied', '  ports:\n  - port: 80\n') }),
      'service/applied created (server dry run)\n',
    );
    assert.equal(c.kubectl(['get', 'svc', 'applied']).code, 1);
  });

  it('--dry-run=client prints what would be sent and sends nothing', () => {
    assert.equal(
      c.ok(['create', 'service', 'clusterip', 'cdr', '--tcp=80:8080', '--dry-run=client', '-o', 'yaml']),
      `apiVersion: v1
kind: Service
metadata:
  creationTimestamp: null
  labels:
    app: cdr
  name: cdr
spec:
  ports:
  - name: 80-8080
    port: 80
    protocol: TCP
    targetPort: 8080
  selector:
    app: cdr
  type: ClusterIP
status:
  loadBalancer: {}
`,
    );
    assert.equal(
      c.ok(['create', 'service', 'clusterip', 'cdr', '--tcp=80:8080', '--dry-run=client']),
      'service/cdr created (dry run)\n',
    );
    assert.equal(c.ok(['delete', 'svc', 'dry', '--dry-run=client']), 'service "dry" deleted (dry run)\n');
    assert.equal(c.kubectl(['get', 'svc', 'cdr']).code, 1);
    assert.deepEqual(tableNoAge(c.ok(['get', 'svc', 'dry']))[1]!.slice(0, 2), ['dry', 'NodePort']);
    // The research notes' workaround: a client dry run piped into apply.
    const yaml = c.ok([
      'create',
      'service',
      'nodeport',
      'piped',
      '--tcp=80:8080',
      '--dry-run=client',
      '-o',
      'yaml',
    ]);
    assert.equal(c.ok(['apply', '-f', '-'], { input: yaml }), 'service/piped created\n');
  });

  it('explains service.spec.sessionAffinityConfig and svc.spec.type', () => {
    assert.equal(
      c.ok(['explain', 'service.spec.sessionAffinityConfig']),
      `KIND:       Service
VERSION:    v1

FIELD: sessionAffinityConfig <SessionAffinityConfig>


DESCRIPTION:
    sessionAffinityConfig contains the configurations of session affinity.
    SessionAffinityConfig represents the configurations of session affinity.
    
FIELDS:
  clientIP	<ClientIPConfig>
    clientIP contains the configurations of Client IP based session affinity.


`,
    );
    const t = c.ok(['explain', 'svc.spec.type']);
    assert.equal(
      t.split('DESCRIPTION:')[0],
      `KIND:       Service
VERSION:    v1

FIELD: type <string>
ENUM:
    ClusterIP
    ExternalName
    LoadBalancer
    NodePort

`,
    );
    assert.match(t, /\n {4}type determines how the Service is exposed\. Defaults to ClusterIP\. Valid\n/);
    assert.match(
      t,
      /\n {5}- `"NodePort"` means a service will be exposed on one port of every node,\n {4}in addition to 'ClusterIP' type\.\n/,
    );
    assert.match(
      c.ok(['explain', 'svc.spec.sessionAffinityConfig.clientIP.timeoutSeconds']),
      /FIELD: timeoutSeconds <integer>\n\n\nDESCRIPTION:\n {4}timeoutSeconds specifies the seconds of ClientIP type session sticky time\.\n {4}The value must be >0 && <=86400\(for 1 day\) if ServiceAffinity == "ClientIP"\.\n {4}Default value is 10800\(for 3 hours\)\.\n/,
    );
    assert.equal(fails(c, ['explain', 'svc.spec.portz']), 'error: field "portz" does not exist\n');
  });
});
