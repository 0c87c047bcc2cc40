/**
 * Changing Services the ways kubectl offers: patch (strategic, merge, json)
 * through type changes and the notes' selector scenario, edit with a
 * scripted editor, client-side apply removing a port, server-side apply with
 * its conflicts, label/annotate/replace, expose, and delete.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import { fails, getYaml, nodePorts, type Obj, run, spec, tableNoAge } from './kubectl-output.js';

const skip = skipReason();

/** An EDITOR for `kubectl edit`: applies EDIT_REPLACE ([regex, replacement] pairs) and logs what it was given. */
const editorScript = `import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
const file = process.argv[process.argv.length - 1];
let text = readFileSync(file, 'utf8');
if (process.env.EDIT_LOG) appendFileSync(process.env.EDIT_LOG, text + '\\n--- end of file ---\\n');
for (const [re, to] of JSON.parse(process.env.EDIT_REPLACE || '[]')) text = text.replace(new RegExp(re, 'm'), to);
writeFileSync(file, text);
`;

const row = (c: Cluster, name: string) => tableNoAge(c.ok(['get', 'svc', name]))[1]!;

describe('kubectl patch, edit, apply, delete on Services', { skip }, () => {
  let c: Cluster;
  let editor: string;
  before(async () => {
    c = await startCluster();
    editor = c.writeFile('editor.mjs', editorScript);
  });
  after(() => stopCluster(c));

  it('patches the type ClusterIP → NodePort → LoadBalancer → ClusterIP, allocating and releasing node ports', () => {
    c.ok(['create', 'service', 'clusterip', 'web-service', '--tcp=80:8080']);
    const ip = spec(c, 'web-service').clusterIP;

    // The notes: kubectl patch svc web-service -p '{"spec":{"type":"NodePort"}}' (strategic merge).
    assert.equal(
      c.ok(['patch', 'svc', 'web-service', '-p', '{"spec":{"type":"NodePort"}}']),
      'service/web-service patched\n',
    );
    const [np] = nodePorts(c, 'web-service');
    assert.ok(np! >= 30000 && np! <= 32767, `node port ${np}`);
    assert.deepEqual(row(c, 'web-service'), ['web-service', 'NodePort', ip, '<none>', `80:${np}/TCP`]);
    assert.equal(spec(c, 'web-service').externalTrafficPolicy, 'Cluster');
    // The same patch again changes nothing, and kubectl says so.
    assert.equal(
      c.ok(['patch', 'svc', 'web-service', '-p', '{"spec":{"type":"NodePort"}}']),
      'service/web-service patched (no change)\n',
    );

    // JSON merge patch: to LoadBalancer, keeping the node port.
    assert.equal(
      c.ok(['patch', 'svc', 'web-service', '--type=merge', '-p', '{"spec":{"type":"LoadBalancer"}}']),
      'service/web-service patched\n',
    );
    assert.deepEqual(row(c, 'web-service'), ['web-service', 'LoadBalancer', ip, '<pending>', `80:${np}/TCP`]);
    assert.equal(spec(c, 'web-service').allocateLoadBalancerNodePorts, true);

    // JSON patch: back to ClusterIP; the node port and the external-only fields go.
    assert.equal(
      c.ok([
        'patch',
        'svc',
        'web-service',
        '--type=json',
        '-p',
        '[{"op":"replace","path":"/spec/type","value":"ClusterIP"}]',
      ]),
      'service/web-service patched\n',
    );
    assert.deepEqual(row(c, 'web-service'), ['web-service', 'ClusterIP', ip, '<none>', '80/TCP']);
    const s = spec(c, 'web-service');
    assert.equal(s.ports[0].nodePort, undefined);
    assert.equal(s.externalTrafficPolicy, undefined);
    assert.equal(s.allocateLoadBalancerNodePorts, undefined);
    assert.equal(s.clusterIP, ip, 'the cluster IP survives every type change');
    // The released node port is free for another Service.
    assert.equal(
      c.ok(['create', 'service', 'nodeport', 'reuse', '--tcp=80', `--node-port=${np}`]),
      'service/reuse created\n',
    );
  });

  it('patches a chosen node port in and out', () => {
    c.ok(['create', 'service', 'clusterip', 'np', '--tcp=80:8080']);
    // Strategic merge: ports merge by port, so only nodePort is added.
    c.ok(['patch', 'svc', 'np', '-p', '{"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30090}]}}']);
    assert.deepEqual(spec(c, 'np').ports, [
      { name: '80-8080', nodePort: 30090, port: 80, protocol: 'TCP', targetPort: 8080 },
    ]);
    assert.equal(
      fails(c, ['patch', 'svc', 'reuse', '-p', '{"spec":{"ports":[{"port":80,"nodePort":30090}]}}']),
      'The Service "reuse" is invalid: spec.ports[0].nodePort: Invalid value: 30090: provided port is already allocated\n',
    );
    // Back to ClusterIP with the node port still named in the patch: it is unchanged, so it is dropped.
    c.ok([
      'patch',
      'svc',
      'np',
      '-p',
      '{"spec":{"type":"ClusterIP","ports":[{"port":80,"nodePort":30090}]}}',
    ]);
    assert.equal(spec(c, 'np').ports[0].nodePort, undefined);
    // A node port on a ClusterIP Service is refused.
    assert.equal(
      fails(c, ['patch', 'svc', 'np', '-p', '{"spec":{"ports":[{"port":80,"nodePort":30091}]}}']),
      'The Service "np" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is \'ClusterIP\'\n',
    );
    // The cluster IP can't change.
    assert.equal(
      fails(c, ['patch', 'svc', 'np', '-p', '{"spec":{"clusterIP":"127.96.0.99"}}']),
      'The Service "np" is invalid: spec.clusterIPs[0]: Invalid value: []string{"127.96.0.99"}: may not change once set\n',
    );
    // A merge patch replaces the whole ports list.
    c.ok(['patch', 'svc', 'np', '--type=merge', '-p', '{"spec":{"ports":[{"port":81}]}}']);
    assert.deepEqual(spec(c, 'np').ports, [{ port: 81, protocol: 'TCP', targetPort: 81 }]);
    // To ExternalName and back: the cluster IP is released, then a new one allocated.
    const ip = spec(c, 'np').clusterIP;
    c.ok(['patch', 'svc', 'np', '-p', '{"spec":{"type":"ExternalName","externalName":"db.example.com"}}']);
    assert.deepEqual(row(c, 'np'), ['np', 'ExternalName', '<none>', 'db.example.com', '81/TCP']);
    const ext = spec(c, 'np');
    assert.equal(ext.clusterIP, undefined);
    assert.equal(ext.clusterIPs, undefined);
    assert.equal(ext.ipFamilies, undefined);
    assert.equal(ext.ipFamilyPolicy, undefined);
    c.ok(['create', 'service', 'clusterip', 'takes-ip', '--tcp=80', `--clusterip=${ip}`]);
    c.ok(['patch', 'svc', 'np', '--type=merge', '-p', '{"spec":{"type":"ClusterIP","externalName":null}}']);
    const back = spec(c, 'np');
    assert.notEqual(back.clusterIP, ip);
    assert.equal(back.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(row(c, 'np'), ['np', 'ClusterIP', back.clusterIP, '<none>', '81/TCP']);
  });

  it('shows external IPs in EXTERNAL-IP, with the traffic policy they bring', () => {
    c.ok(['create', 'service', 'clusterip', 'eip', '--tcp=80']);
    c.ok(['patch', 'svc', 'eip', '-p', '{"spec":{"externalIPs":["192.0.2.10","192.0.2.11"]}}']);
    const s = spec(c, 'eip');
    assert.deepEqual(row(c, 'eip'), ['eip', 'ClusterIP', s.clusterIP, '192.0.2.10,192.0.2.11', '80/TCP']);
    // Reachable from outside: externalTrafficPolicy defaults to Cluster.
    assert.equal(s.externalTrafficPolicy, 'Cluster');
    assert.match(
      c.ok(['describe', 'svc', 'eip']),
      /\nIPs: +[\d.]+\nExternal IPs: +192\.0\.2\.10,192\.0\.2\.11\nPort: /,
    );
    c.ok(['patch', 'svc', 'eip', '--type=json', '-p', '[{"op":"remove","path":"/spec/externalIPs"}]']);
    assert.equal(spec(c, 'eip').externalTrafficPolicy, undefined);
    assert.deepEqual(row(c, 'eip'), ['eip', 'ClusterIP', s.clusterIP, '<none>', '80/TCP']);
  });

  it("changes the selector (the notes' scenario 3)", () => {
    c.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
    assert.equal(
      c.ok(['patch', 'svc', 'web', '-p', '{"spec":{"selector":{"app":"web-v2"}}}']),
      'service/web patched\n',
    );
    const t = tableNoAge(c.ok(['get', 'svc', 'web', '-o', 'wide']));
    assert.deepEqual(t[1]!.slice(-1), ['app=web-v2']);
    // Strategic merge adds keys; null removes one.
    c.ok(['patch', 'svc', 'web', '-p', '{"spec":{"selector":{"tier":"front"}}}']);
    assert.deepEqual(spec(c, 'web').selector, { app: 'web-v2', tier: 'front' });
    c.ok(['patch', 'svc', 'web', '-p', '{"spec":{"selector":{"tier":null}}}']);
    assert.deepEqual(spec(c, 'web').selector, { app: 'web-v2' });
    assert.match(c.ok(['describe', 'svc', 'web']), /\nSelector: +app=web-v2\n/);
    // kubectl set selector replaces the whole selector.
    assert.equal(
      c.ok(['set', 'selector', 'svc', 'web', 'app=web-v3,tier=front']),
      'service/web selector updated\n',
    );
    assert.deepEqual(spec(c, 'web').selector, { app: 'web-v3', tier: 'front' });
    c.ok(['set', 'selector', 'svc', 'web', 'app=web-v2']);
    assert.deepEqual(spec(c, 'web').selector, { app: 'web-v2' });
  });

  it('reports patch errors as kubectl prints them', () => {
    assert.equal(
      fails(c, ['patch', 'svc', 'nope', '-p', '{"spec":{"type":"NodePort"}}']),
      'Error from server (NotFound): services "nope" not found\n',
    );
    assert.equal(
      fails(c, ['patch', 'svc', 'web', '-p', '{"spec":{"type":"Nodeport"}}']),
      'The Service "web" is invalid: spec.type: Unsupported value: "Nodeport": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"\n',
    );
    assert.equal(
      fails(c, ['patch', 'svc', 'web', '--type=json', '-p', '[{"op":"remove","path":"/spec/externalName"}]']),
      'The request is invalid: the server rejected our request due to an error in our request\n',
    );
  });

  it('edits with $KUBE_EDITOR', () => {
    c.ok(['create', 'service', 'clusterip', 'ed', '--tcp=80:8080']);
    const env = (replace: [string, string][], log = '') => ({
      KUBE_EDITOR: `${process.execPath} ${editor}`,
      EDIT_REPLACE: JSON.stringify(replace),
      EDIT_LOG: log,
      TMPDIR: c.dataDir,
    });
    assert.equal(
      c.ok(['edit', 'svc', 'ed'], { env: env([['^  type: ClusterIP$', '  type: NodePort']]) }),
      'service/ed edited\n',
    );
    assert.equal(spec(c, 'ed').type, 'NodePort');
    assert.ok(nodePorts(c, 'ed')[0]! >= 30000);

    // Nothing changed: nothing sent.
    const same = run(c, ['edit', 'svc', 'ed'], { env: env([]) });
    assert.equal(same.stdout, '');
    assert.equal(same.stderr, 'Edit cancelled, no changes made.\n');

    // An invalid edit: kubectl reopens the file with the API server's causes on top.
    const log = c.writeFile('edit.log', '');
    const r = c.kubectl(['edit', 'svc', 'ed'], { env: env([['^    port: 80$', '    port: 99999']], log) });
    assert.equal(r.code, 1);
    const lines = r.stderr.split('\n');
    assert.equal(lines[0], 'error: services "ed" is invalid');
    assert.match(lines[1]!, /^A copy of your changes has been stored to ".*kubectl-edit-\d+\.yaml"$/);
    assert.equal(lines[2], 'error: Edit cancelled, no valid changes were saved.');
    assert.match(
      readFileSync(log, 'utf8'),
      /# services "ed" was not valid:\n# \* spec\.ports\[0\]\.port: Invalid value: 99999: must be between 1 and 65535, inclusive\n/,
    );
    assert.equal(spec(c, 'ed').ports[0].port, 80, 'nothing was saved');
  });

  it('client-side apply removes a port ($setElementOrder / $patch: delete) and releases its node port', () => {
    const v1 = `apiVersion: v1
kind: Service
metadata:
  name: ap
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
  - name: https
    port: 443
    targetPort: 9443
`;
    assert.equal(c.ok(['apply', '-f', '-'], { input: v1 }), 'service/ap created\n');
    const [httpNp, httpsNp] = nodePorts(c, 'ap');
    assert.deepEqual(row(c, 'ap').slice(4), [`80:${httpNp}/TCP,443:${httpsNp}/TCP`]);
    const v2 = v1.replace('  - name: http\n    port: 80\n    targetPort: 8080\n', '');
    const r = run(c, ['apply', '-f', '-', '-v=8'], { input: v2 });
    assert.match(r.stdout, /^service\/ap configured\n$/);
    // kubectl -v=8 logs each request body as a Go-quoted string.
    const bodies = [...r.stderr.matchAll(/"Request Body" body="((?:[^"\\]|\\.)*)"\n/g)]
      .map((m) => JSON.parse(`"${m[1]}"`) as string)
      .filter((b) => b.includes('$setElementOrder'));
    assert.equal(bodies.length, 1, 'kubectl sent one strategic merge patch');
    const sent = JSON.parse(bodies[0]!);
    assert.deepEqual(sent.spec['$setElementOrder/ports'], [{ port: 443 }]);
    assert.deepEqual(sent.spec.ports, [{ $patch: 'delete', port: 80 }]);
    assert.deepEqual(spec(c, 'ap').ports, [
      { name: 'https', nodePort: httpsNp, port: 443, protocol: 'TCP', targetPort: 9443 },
    ]);
    assert.deepEqual(row(c, 'ap').slice(4), [`443:${httpsNp}/TCP`]);
    // The removed port's node port is free again.
    c.ok(['create', 'service', 'nodeport', 'ap-reuse', '--tcp=80', `--node-port=${httpNp}`]);
    assert.equal(c.ok(['apply', '-f', '-'], { input: v2 }), 'service/ap unchanged\n');
  });

  it('server-side apply: create, re-apply without a field, conflicts, --force-conflicts', () => {
    const v1 = `apiVersion: v1
kind: Service
metadata:
  name: ss
  labels:
    team: a
spec:
  selector:
    app: ss
  sessionAffinity: ClientIP
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;
    assert.equal(
      c.ok(['apply', '--server-side', '-f', '-'], { input: v1 }),
      'service/ss serverside-applied\n',
    );
    let y: Obj = getYaml(c, ['svc', 'ss', '--show-managed-fields']);
    assert.equal(y.spec.sessionAffinity, 'ClientIP');
    assert.deepEqual(y.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    assert.equal(y.metadata.managedFields.length, 1);
    const mf = y.metadata.managedFields[0];
    assert.equal(mf.manager, 'kubectl');
    assert.equal(mf.operation, 'Apply');
    assert.equal(mf.apiVersion, 'v1');
    assert.equal(mf.fieldsType, 'FieldsV1');
    assert.deepEqual(mf.fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:team': {} } },
      'f:spec': {
        'f:ports': {
          'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:targetPort': {} },
        },
        'f:selector': {},
        'f:sessionAffinity': {},
      },
    });
    // Managed fields stay out of -o yaml unless asked for.
    assert.equal(getYaml(c, ['svc', 'ss']).metadata.managedFields, undefined);
    assert.equal(
      c.ok(['apply', '--server-side', '-f', '-'], { input: v1 }),
      'service/ss serverside-applied\n',
    );

    // Re-applied without the label and sessionAffinity: both go (affinity back to its default).
    const v2 = v1.replace('  labels:\n    team: a\n', '').replace('  sessionAffinity: ClientIP\n', '');
    c.ok(['apply', '--server-side', '-f', '-'], { input: v2 });
    y = getYaml(c, ['svc', 'ss']);
    assert.equal(y.metadata.labels, undefined);
    assert.equal(y.spec.sessionAffinity, 'None');
    assert.equal(y.spec.sessionAffinityConfig, undefined);

    // Another manager wants the selector.
    const other =
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: ss\nspec:\n  selector:\n    app: other\n';
    const conflict = fails(c, ['apply', '--server-side', '--field-manager=other', '-f', '-'], {
      input: other,
    });
    assert.equal(
      conflict,
      `error: Apply failed with 1 conflict: conflict with "kubectl": .spec.selector
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`,
    );
    assert.deepEqual(spec(c, 'ss').selector, { app: 'ss' });
    assert.equal(
      c.ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], {
        input: other,
      }),
      'service/ss serverside-applied\n',
    );
    y = getYaml(c, ['svc', 'ss', '--show-managed-fields']);
    assert.deepEqual(y.spec.selector, { app: 'other' });
    const byManager = new Map(y.metadata.managedFields.map((m: Obj) => [m.manager, m.fieldsV1]));
    assert.deepEqual(byManager.get('other'), { 'f:spec': { 'f:selector': {} } });
    assert.equal((byManager.get('kubectl') as Obj)['f:spec']['f:selector'], undefined);

    // A field last set by an update (kubectl patch) conflicts too, named with its API version.
    c.ok(['patch', 'svc', 'ss', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    const v3 = v2.replace('  ports:\n', '  sessionAffinity: None\n  ports:\n');
    assert.match(
      fails(c, ['apply', '--server-side', '-f', '-'], { input: v3 }),
      /^error: Apply failed with 2 conflicts: conflicts with "kubectl-patch" using v1:\n- \.spec\.sessionAffinity\nconflicts with "other":\n- \.spec\.selector\nPlease review/,
    );
    const v4 = v3
      .replace('app: ss', 'app: other')
      .replace('sessionAffinity: None', 'sessionAffinity: ClientIP');
    assert.equal(
      c.ok(['apply', '--server-side', '-f', '-'], { input: v4 }),
      'service/ss serverside-applied\n',
    );
  });

  it('server-side apply: a port and the type left out go, and their node ports with them', () => {
    const both = `apiVersion: v1
kind: Service
metadata:
  name: ssp
spec:
  type: NodePort
  ports:
  - name: a
    port: 80
  - name: b
    port: 81
`;
    c.ok(['apply', '--server-side', '-f', '-'], { input: both });
    const [a, b] = nodePorts(c, 'ssp');
    // Re-applying keeps the allocated node ports (the applier never owned them).
    c.ok(['apply', '--server-side', '-f', '-'], { input: both });
    assert.deepEqual(nodePorts(c, 'ssp'), [a, b]);
    const onlyB = both.replace('  - name: a\n    port: 80\n', '');
    c.ok(['apply', '--server-side', '-f', '-'], { input: onlyB });
    assert.deepEqual(spec(c, 'ssp').ports, [
      { name: 'b', nodePort: b, port: 81, protocol: 'TCP', targetPort: 81 },
    ]);
    c.ok(['apply', '--server-side', '-f', '-'], { input: onlyB.replace('  type: NodePort\n', '') });
    const s = spec(c, 'ssp');
    assert.equal(s.type, 'ClusterIP');
    assert.deepEqual(s.ports, [{ name: 'b', port: 81, protocol: 'TCP', targetPort: 81 }]);
    c.ok(['create', 'service', 'nodeport', 'ssp-a', '--tcp=80', `--node-port=${a}`]);
    c.ok(['create', 'service', 'nodeport', 'ssp-b', '--tcp=80', `--node-port=${b}`]);
  });

  it('labels, annotates and replaces, with a stale resourceVersion refused', () => {
    c.ok(['create', 'service', 'clusterip', 'lab', '--tcp=80']);
    assert.equal(c.ok(['label', 'svc', 'lab', 'tier=front']), 'service/lab labeled\n');
    assert.equal(c.ok(['annotate', 'svc', 'lab', 'owner=team-a']), 'service/lab annotated\n');
    const d = c.ok(['describe', 'svc', 'lab']);
    assert.match(d, /\nLabels: +app=lab\n +tier=front\nAnnotations: +owner: team-a\n/);
    const yaml = c.ok(['get', 'svc', 'lab', '-o', 'yaml']);
    c.ok(['label', 'svc', 'lab', 'tier=back', '--overwrite']);
    assert.equal(
      fails(c, ['replace', '-f', '-'], { input: yaml.replace('tier: front', 'tier: middle') }),
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on services "lab": the object has been modified; please apply your changes to the latest version and try again\n',
    );
    const fresh = c.ok(['get', 'svc', 'lab', '-o', 'yaml']);
    assert.equal(
      c.ok(['replace', '-f', '-'], { input: fresh.replace('tier: back', 'tier: middle') }),
      'service/lab replaced\n',
    );
    assert.equal(getYaml(c, ['svc', 'lab']).metadata.labels.tier, 'middle');
  });

  it('exposes a Service as another', () => {
    assert.equal(c.ok(['expose', 'service', 'web', '--name=web2', '--port=8081']), 'service/web2 exposed\n');
    const t = tableNoAge(c.ok(['get', 'svc', 'web2', '-o', 'wide']));
    assert.deepEqual(t[1]!.slice(3), ['<none>', '8081/TCP', 'app=web-v2']);
    assert.equal(
      c.ok(['expose', 'svc', 'web', '--name=web3', '--port=9000', '--target-port=9001', '--type=NodePort']),
      'service/web3 exposed\n',
    );
    const s = spec(c, 'web3');
    assert.equal(s.type, 'NodePort');
    assert.equal(s.ports[0].port, 9000);
    assert.equal(s.ports[0].targetPort, 9001);
    assert.ok(s.ports[0].nodePort >= 30000);
    assert.equal(
      fails(c, ['expose', 'svc', 'web', '--name=web2', '--port=8081']),
      'Error from server (AlreadyExists): services "web2" already exists\n',
    );
  });

  it('deletes one, by label, and --all; the API server brings default/kubernetes back', async () => {
    assert.equal(c.ok(['delete', 'svc', 'web3']), 'service "web3" deleted\n');
    assert.equal(
      fails(c, ['delete', 'svc', 'web3']),
      'Error from server (NotFound): services "web3" not found\n',
    );
    assert.equal(c.ok(['delete', 'svc', '-l', 'app=lab']), 'service "lab" deleted\n');
    const names = c
      .ok(['get', 'svc', '-o', 'name'])
      .trim()
      .split('\n')
      .map((n) => n.replace('service/', ''));
    assert.ok(names.includes('kubernetes'));
    const out = c.ok(['delete', 'svc', '--all']);
    assert.equal(out, names.map((n) => `service "${n}" deleted\n`).join(''));
    // Deleting a namespace deletes its Services and frees what they held.
    assert.equal(c.ok(['create', 'namespace', 'team-a']), 'namespace/team-a created\n');
    c.ok(['create', 'service', 'nodeport', 'np', '--tcp=80', '--node-port=30200', '-n', 'team-a']);
    assert.equal(c.ok(['delete', 'namespace', 'team-a']), 'namespace "team-a" deleted\n');
    const gone = run(c, ['get', 'svc', '-n', 'team-a']);
    assert.equal(gone.stdout + gone.stderr, 'No resources found in team-a namespace.\n');
    c.ok(['create', 'service', 'nodeport', 'np', '--tcp=80', '--node-port=30200']);
    c.ok(['delete', 'svc', 'np']);
    const r = c.kubectl(['get', 'svc', '--ignore-not-found']);
    assert.equal(r.code, 0);
    // Every allocation went with them: a node port can be taken again.
    c.ok(['create', 'service', 'nodeport', 'again', '--tcp=80', '--node-port=30090']);
    c.ok(['delete', 'svc', 'again']);
    // Upstream's API server recreates its own Service within its reconcile interval (10 s).
    const back = await eventually(
      () => {
        const g = c.kubectl(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']);
        return g.code === 0 && g.stdout;
      },
      20_000,
      'default/kubernetes to come back',
    );
    assert.equal(back, '127.96.0.1');
  });
});
