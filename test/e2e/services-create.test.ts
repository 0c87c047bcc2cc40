/**
 * `kubectl create service clusterip|nodeport|loadbalancer|externalname` as the
 * course notes' CKA section runs them, and what `get svc` (table, wide, yaml,
 * json, jsonpath, name) and `describe svc` then print; allocation errors as
 * upstream words them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import {
  assertInServiceRange,
  describeText,
  fails,
  getJson,
  getYaml,
  nodePorts,
  rowsByName,
  sliceWritten,
  spec,
  table,
  tableNoAge,
} from './kubectl-output.js';

const skip = skipReason();

describe('kubectl create service', { skip }, () => {
  let c: Cluster;
  const ip: Record<string, string> = {};
  before(async () => {
    c = await startCluster();
  });
  after(() => stopCluster(c));

  it('creates one Service of each type', () => {
    assert.equal(c.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']), 'service/web created\n');
    assert.equal(
      c.ok(['create', 'service', 'clusterip', 'multi', '--tcp=80:8080', '--tcp=443:8443']),
      'service/multi created\n',
    );
    assert.equal(
      c.ok(['create', 'service', 'nodeport', 'web-np', '--tcp=80:8080', '--node-port=30080']),
      'service/web-np created\n',
    );
    assert.equal(
      c.ok(['create', 'service', 'loadbalancer', 'web-lb', '--tcp=80:8080']),
      'service/web-lb created\n',
    );
    assert.equal(
      c.ok(['create', 'service', 'externalname', 'ext', '--external-name=api.example.com']),
      'service/ext created\n',
    );
    assert.equal(
      c.ok(['create', 'service', 'clusterip', 'headless', '--clusterip=None']),
      'service/headless created\n',
    );
    assert.equal(
      c.ok(['create', 'service', 'clusterip', 'headless-port', '--clusterip=None', '--tcp=5432']),
      'service/headless-port created\n',
    );
    // The notes' scenario 2: a chosen node port, and a NodePort without one.
    assert.equal(
      c.ok([
        'create',
        'service',
        'nodeport',
        'web',
        '--tcp=80:8080',
        '--node-port=30100',
        '-n',
        'kube-public',
      ]),
      'service/web created\n',
    );
    assert.equal(
      c.ok(['create', 'service', 'nodeport', 'auto-np', '--tcp=8080']),
      'service/auto-np created\n',
    );
  });

  it('lists them in the get svc table', async () => {
    const out = c.ok(['get', 'svc']);
    const t = table(out);
    assert.deepEqual(t[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const rows = rowsByName(out);
    assert.deepEqual(
      [...rows.keys()],
      ['auto-np', 'ext', 'headless', 'headless-port', 'kubernetes', 'multi', 'web', 'web-lb', 'web-np'],
    );
    for (const name of ['auto-np', 'kubernetes', 'multi', 'web', 'web-lb', 'web-np']) {
      ip[name] = assertInServiceRange(rows.get(name)![2]);
    }
    assert.equal(ip.kubernetes, '127.96.0.1');
    assert.equal(new Set(Object.values(ip)).size, Object.keys(ip).length, 'cluster IPs are unique');
    const [lbPort] = nodePorts(c, 'web-lb');
    const [autoPort] = nodePorts(c, 'auto-np');
    for (const p of [lbPort!, autoPort!]) assert.ok(p >= 30000 && p <= 32767, `node port ${p} in range`);
    assert.notEqual(lbPort, 30080);
    assert.deepEqual(rows.get('web'), ['web', 'ClusterIP', ip.web, '<none>', '80/TCP']);
    assert.deepEqual(rows.get('multi'), ['multi', 'ClusterIP', ip.multi, '<none>', '80/TCP,443/TCP']);
    assert.deepEqual(rows.get('web-np'), ['web-np', 'NodePort', ip['web-np'], '<none>', '80:30080/TCP']);
    assert.deepEqual(rows.get('web-lb'), [
      'web-lb',
      'LoadBalancer',
      ip['web-lb'],
      '<pending>',
      `80:${lbPort}/TCP`,
    ]);
    assert.deepEqual(rows.get('ext'), ['ext', 'ExternalName', '<none>', 'api.example.com', '<none>']);
    assert.deepEqual(rows.get('headless'), ['headless', 'ClusterIP', 'None', '<none>', '<none>']);
    assert.deepEqual(rows.get('headless-port'), ['headless-port', 'ClusterIP', 'None', '<none>', '5432/TCP']);
    assert.deepEqual(rows.get('kubernetes'), ['kubernetes', 'ClusterIP', '127.96.0.1', '<none>', '443/TCP']);
    assert.deepEqual(rows.get('auto-np'), [
      'auto-np',
      'NodePort',
      ip['auto-np'],
      '<none>',
      `8080:${autoPort}/TCP`,
    ]);

    const ks = tableNoAge(c.ok(['get', 'svc', '-n', 'kube-public']));
    assert.equal(ks.length, 2);
    assert.deepEqual(ks[1]!.slice(0, 2), ['web', 'NodePort']);
    assert.equal(ks[1]![4], '80:30100/TCP');

    // A single row by name, and a row across namespaces.
    assert.deepEqual(tableNoAge(c.ok(['get', 'svc', 'web-np'])), [
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)'],
      ['web-np', 'NodePort', ip['web-np'], '<none>', '80:30080/TCP'],
    ]);
    // The DNS server publishes kube-system/kube-dns shortly after start.
    await eventually(
      () => c.kubectl(['get', 'svc', 'kube-dns', '-n', 'kube-system']).code === 0,
      15_000,
      'kube-dns',
    );
    const all = tableNoAge(c.ok(['get', 'svc', '-A']));
    assert.deepEqual(all[0], ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)']);
    assert.equal(all.length, 12);
    assert.deepEqual(
      all.slice(1).map((r) => `${r[0]}/${r[1]}`),
      [
        'default/auto-np',
        'default/ext',
        'default/headless',
        'default/headless-port',
        'default/kubernetes',
        'default/multi',
        'default/web',
        'default/web-lb',
        'default/web-np',
        'kube-public/web',
        'kube-system/kube-dns',
      ],
    );
  });

  it('shows the selector with -o wide and labels with --show-labels', () => {
    const t = tableNoAge(c.ok(['get', 'svc', '-o', 'wide']));
    assert.deepEqual(t[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'SELECTOR']);
    const sel = new Map(t.slice(1).map((r) => [r[0], r[5]]));
    assert.equal(sel.get('web'), 'app=web');
    assert.equal(sel.get('ext'), 'app=ext');
    assert.equal(sel.get('kubernetes'), '<none>');
    const l = tableNoAge(c.ok(['get', 'svc', 'kubernetes', '--show-labels']));
    assert.deepEqual(l[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'LABELS']);
    assert.equal(l[1]![5], 'component=apiserver,provider=kubernetes');
    // Label selectors filter the table.
    assert.deepEqual(
      tableNoAge(c.ok(['get', 'svc', '-l', 'app=web-np'])).map((r) => r[0]),
      ['NAME', 'web-np'],
    );
  });

  it('prints the allocated and defaulted fields with -o yaml', () => {
    const web = getYaml(c, ['svc', 'web']);
    assert.equal(web.apiVersion, 'v1');
    assert.equal(web.kind, 'Service');
    assert.deepEqual(Object.keys(web.metadata).sort(), [
      'creationTimestamp',
      'labels',
      'name',
      'namespace',
      'resourceVersion',
      'uid',
    ]);
    assert.deepEqual(web.metadata.labels, { app: 'web' });
    assert.equal(web.metadata.namespace, 'default');
    assert.match(web.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(web.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(web.spec, {
      clusterIP: ip.web,
      clusterIPs: [ip.web],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: 'web' },
      sessionAffinity: 'None',
      type: 'ClusterIP',
    });
    assert.deepEqual(web.status, { loadBalancer: {} });

    assert.deepEqual(spec(c, 'web-np'), {
      clusterIP: ip['web-np'],
      clusterIPs: [ip['web-np']],
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: '80-8080', nodePort: 30080, port: 80, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: 'web-np' },
      sessionAffinity: 'None',
      type: 'NodePort',
    });
    const lb = getYaml(c, ['svc', 'web-lb']);
    assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
    assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
    assert.equal(lb.spec.type, 'LoadBalancer');
    assert.deepEqual(lb.status, { loadBalancer: {} });
    assert.deepEqual(spec(c, 'ext'), {
      externalName: 'api.example.com',
      selector: { app: 'ext' },
      sessionAffinity: 'None',
      type: 'ExternalName',
    });
    assert.deepEqual(spec(c, 'headless'), {
      clusterIP: 'None',
      clusterIPs: ['None'],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      selector: { app: 'headless' },
      sessionAffinity: 'None',
      type: 'ClusterIP',
    });
    assert.deepEqual(spec(c, 'multi').ports, [
      { name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 },
      { name: '443-8443', port: 443, protocol: 'TCP', targetPort: 8443 },
    ]);
  });

  it('prints JSON, jsonpath and names', () => {
    const j = getJson(c, ['svc', 'web-np']);
    assert.equal(j.kind, 'Service');
    assert.equal(j.spec.ports[0].nodePort, 30080);
    const list = getJson(c, ['svc']);
    assert.equal(list.kind, 'List');
    assert.equal(list.items.length, 9);
    assert.equal(
      c.ok([
        'get',
        'svc',
        'web-np',
        '-o',
        'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort} {.spec.type}',
      ]),
      `${ip['web-np']} 30080 NodePort`,
    );
    assert.equal(
      c.ok(['get', 'svc', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.type}{"\\n"}{end}']),
      [
        'auto-np=NodePort',
        'ext=ExternalName',
        'headless=ClusterIP',
        'headless-port=ClusterIP',
        'kubernetes=ClusterIP',
        'multi=ClusterIP',
        'web=ClusterIP',
        'web-lb=LoadBalancer',
        'web-np=NodePort',
        '',
      ].join('\n'),
    );
    assert.equal(
      c.ok(['get', 'svc', '-o', 'name']),
      [
        'service/auto-np',
        'service/ext',
        'service/headless',
        'service/headless-port',
        'service/kubernetes',
        'service/multi',
        'service/web',
        'service/web-lb',
        'service/web-np',
        '',
      ].join('\n'),
    );
    assert.equal(
      c.ok(['get', 'svc', '-o', 'custom-columns=NAME:.metadata.name,IP:.spec.clusterIP', 'web', 'ext']),
      `NAME   IP\nweb    ${ip.web}\next    <none>\n`,
    );
  });

  it('describes each type line by line', async () => {
    for (const svc of ['web', 'web-lb', 'web-np']) await sliceWritten(c, svc);
    assert.equal(
      c.ok(['describe', 'svc', 'web']),
      describeText([
        ['Name:', 'web'],
        ['Namespace:', 'default'],
        ['Labels:', 'app=web'],
        ['Annotations:', '<none>'],
        ['Selector:', 'app=web'],
        ['Type:', 'ClusterIP'],
        ['IP Family Policy:', 'SingleStack'],
        ['IP Families:', 'IPv4'],
        ['IP:', ip.web!],
        ['IPs:', ip.web!],
        ['Port:', '80-8080  80/TCP'],
        ['TargetPort:', '8080/TCP'],
        ['Endpoints:', ''],
        ['Session Affinity:', 'None'],
        ['Internal Traffic Policy:', 'Cluster'],
        ['Events:', '<none>'],
      ]),
    );
    const [lbPort] = nodePorts(c, 'web-lb');
    assert.equal(
      c.ok(['describe', 'svc', 'web-lb']),
      describeText([
        ['Name:', 'web-lb'],
        ['Namespace:', 'default'],
        ['Labels:', 'app=web-lb'],
        ['Annotations:', '<none>'],
        ['Selector:', 'app=web-lb'],
        ['Type:', 'LoadBalancer'],
        ['IP Family Policy:', 'SingleStack'],
        ['IP Families:', 'IPv4'],
        ['IP:', ip['web-lb']!],
        ['IPs:', ip['web-lb']!],
        ['Port:', '80-8080  80/TCP'],
        ['TargetPort:', '8080/TCP'],
        ['NodePort:', `80-8080  ${lbPort}/TCP`],
        ['Endpoints:', ''],
        ['Session Affinity:', 'None'],
        ['External Traffic Policy:', 'Cluster'],
        ['Internal Traffic Policy:', 'Cluster'],
        ['Events:', '<none>'],
      ]),
    );
    assert.equal(
      c.ok(['describe', 'svc', 'web-np']),
      describeText([
        ['Name:', 'web-np'],
        ['Namespace:', 'default'],
        ['Labels:', 'app=web-np'],
        ['Annotations:', '<none>'],
        ['Selector:', 'app=web-np'],
        ['Type:', 'NodePort'],
        ['IP Family Policy:', 'SingleStack'],
        ['IP Families:', 'IPv4'],
        ['IP:', ip['web-np']!],
        ['IPs:', ip['web-np']!],
        ['Port:', '80-8080  80/TCP'],
        ['TargetPort:', '8080/TCP'],
        ['NodePort:', '80-8080  30080/TCP'],
        ['Endpoints:', ''],
        ['Session Affinity:', 'None'],
        ['External Traffic Policy:', 'Cluster'],
        ['Internal Traffic Policy:', 'Cluster'],
        ['Events:', '<none>'],
      ]),
    );
    assert.equal(
      c.ok(['describe', 'svc', 'ext']),
      describeText([
        ['Name:', 'ext'],
        ['Namespace:', 'default'],
        ['Labels:', 'app=ext'],
        ['Annotations:', '<none>'],
        ['Selector:', 'app=ext'],
        ['Type:', 'ExternalName'],
        ['IP Families:', '<none>'],
        ['IP:', ''],
        ['IPs:', '<none>'],
        ['External Name:', 'api.example.com'],
        ['Session Affinity:', 'None'],
        ['Events:', '<none>'],
      ]),
    );
    assert.equal(
      c.ok(['describe', 'svc', 'headless']),
      describeText([
        ['Name:', 'headless'],
        ['Namespace:', 'default'],
        ['Labels:', 'app=headless'],
        ['Annotations:', '<none>'],
        ['Selector:', 'app=headless'],
        ['Type:', 'ClusterIP'],
        ['IP Family Policy:', 'SingleStack'],
        ['IP Families:', 'IPv4'],
        ['IP:', 'None'],
        ['IPs:', 'None'],
        ['Session Affinity:', 'None'],
        ['Internal Traffic Policy:', 'Cluster'],
        ['Events:', '<none>'],
      ]),
    );
    const kport = c.port;
    assert.equal(
      c.ok(['describe', 'svc', 'kubernetes']),
      describeText([
        ['Name:', 'kubernetes'],
        ['Namespace:', 'default'],
        ['Labels:', 'component=apiserver'],
        ['', 'provider=kubernetes'],
        ['Annotations:', '<none>'],
        ['Selector:', '<none>'],
        ['Type:', 'ClusterIP'],
        ['IP Family Policy:', 'SingleStack'],
        ['IP Families:', 'IPv4'],
        ['IP:', '127.96.0.1'],
        ['IPs:', '127.96.0.1'],
        ['Port:', 'https  443/TCP'],
        ['TargetPort:', `${kport}/TCP`],
        ['Endpoints:', `127.0.0.1:${kport}`],
        ['Session Affinity:', 'None'],
        ['Internal Traffic Policy:', 'Cluster'],
        ['Events:', '<none>'],
      ]),
    );
    // describe with a prefix describes every match, separated by a blank line.
    const both = c.ok(['describe', 'svc', 'web-']);
    assert.deepEqual(
      both
        .split('\n')
        .filter((l) => l.startsWith('Name:'))
        .map((l) => l.split(/\s+/)[1]),
      ['web-lb', 'web-np'],
    );
    assert.match(both, /Events: +<none>\n\nName: +web-np\n/);
  });

  it('gives a headless Service without a selector both families (upstream #104986)', () => {
    const manifest =
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: hl-nosel\nspec:\n  clusterIP: None\n  ports:\n  - port: 80\n';
    assert.equal(c.ok(['create', '-f', '-'], { input: manifest }), 'service/hl-nosel created\n');
    const s = spec(c, 'hl-nosel');
    assert.equal(s.ipFamilyPolicy, 'RequireDualStack');
    assert.deepEqual(s.ipFamilies, ['IPv4', 'IPv6']);
    assert.deepEqual(s.clusterIPs, ['None']);
    const d = c.ok(['describe', 'svc', 'hl-nosel']);
    assert.match(
      d,
      /\nIP Family Policy: +RequireDualStack\nIP Families: +IPv4,IPv6\nIP: +None\nIPs: +None\n/,
    );
    c.ok(['delete', 'svc', 'hl-nosel']);
  });

  it('refuses a node port that is taken or out of range, as upstream words it', () => {
    assert.equal(
      fails(c, ['create', 'service', 'nodeport', 'clash', '--tcp=81:8080', '--node-port=30080']),
      'error: failed to create NodePort service: Service "clash" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n',
    );
    assert.equal(
      fails(c, ['create', 'service', 'nodeport', 'low', '--tcp=80', '--node-port=29999']),
      'error: failed to create NodePort service: Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767\n',
    );
    assert.equal(
      fails(c, ['create', 'service', 'nodeport', 'high', '--tcp=80', '--node-port=32768']),
      'error: failed to create NodePort service: Service "high" is invalid: spec.ports[0].nodePort: Invalid value: 32768: provided port is not in the valid range. The range of valid ports is 30000-32767\n',
    );
    // The same node port in another namespace: node ports are cluster-wide.
    assert.match(
      fails(c, [
        'create',
        'service',
        'nodeport',
        'web-np',
        '--tcp=80',
        '--node-port=30080',
        '-n',
        'kube-public',
      ]),
      /Invalid value: 30080: provided port is already allocated/,
    );
    // kubectl puts --node-port on every port: the second one collides with the first.
    assert.equal(
      fails(c, ['create', 'service', 'nodeport', 'two', '--tcp=80', '--tcp=81', '--node-port=30444']),
      'error: failed to create NodePort service: Service "two" is invalid: spec.ports[1].nodePort: Invalid value: 30444: provided port is already allocated\n',
    );
    // From a manifest, kubectl prints the Status message itself.
    const manifest = `apiVersion: v1
kind: Service
metadata:
  name: clash
spec:
  type: NodePort
  ports:
  - port: 80
    nodePort: 30080
`;
    assert.equal(
      fails(c, ['create', '-f', '-'], { input: manifest }),
      'The Service "clash" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n',
    );
    // None of the failed creates kept an allocation: 30444 is free.
    assert.equal(
      c.ok(['create', 'service', 'nodeport', 'two', '--tcp=80', '--node-port=30444']),
      'service/two created\n',
    );
    assert.deepEqual(nodePorts(c, 'two'), [30444]);
    assert.equal(
      fails(c, ['get', 'svc', 'clash']),
      'Error from server (NotFound): services "clash" not found\n',
    );
  });

  it('refuses a cluster IP that is taken or out of range', () => {
    assert.equal(
      fails(c, ['create', 'service', 'clusterip', 'ipc', '--tcp=80', `--clusterip=${ip.web}`]),
      `error: failed to create ClusterIP service: Service "ipc" is invalid: spec.clusterIPs: Invalid value: []string{"${ip.web}"}: failed to allocate IP ${ip.web}: provided IP is already allocated\n`,
    );
    assert.equal(
      fails(c, ['create', 'service', 'clusterip', 'ipc', '--tcp=80', '--clusterip=10.96.0.10']),
      'error: failed to create ClusterIP service: Service "ipc" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: the provided IP (10.96.0.10) is not in the valid range. The range of valid IPs is 127.96.0.0/12\n',
    );
    assert.equal(
      fails(c, ['create', 'service', 'clusterip', 'ipc', '--tcp=80', '--clusterip=127.96.0.1']),
      'error: failed to create ClusterIP service: Service "ipc" is invalid: spec.clusterIPs: Invalid value: []string{"127.96.0.1"}: failed to allocate IP 127.96.0.1: provided IP is already allocated\n',
    );
    // A free address of the range can be chosen (the notes' static band; .10 is kube-dns's).
    assert.equal(
      c.ok(['create', 'service', 'clusterip', 'ipc', '--tcp=80', '--clusterip=127.96.0.20']),
      'service/ipc created\n',
    );
    assert.deepEqual(tableNoAge(c.ok(['get', 'svc', 'ipc']))[1], [
      'ipc',
      'ClusterIP',
      '127.96.0.20',
      '<none>',
      '80/TCP',
    ]);
  });

  it('reports names that exist, bad names and missing namespaces', () => {
    assert.equal(
      fails(c, ['create', 'service', 'clusterip', 'web', '--tcp=80']),
      'error: failed to create ClusterIP service: services "web" already exists\n',
    );
    assert.equal(
      fails(c, ['create', 'service', 'clusterip', 'Web_1', '--tcp=80']),
      `error: failed to create ClusterIP service: Service "Web_1" is invalid: metadata.name: Invalid value: "Web_1": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')\n`,
    );
    assert.equal(
      fails(c, ['create', 'service', 'clusterip', 'web', '--tcp=80', '-n', 'nope']),
      'error: failed to create ClusterIP service: namespaces "nope" not found\n',
    );
    assert.equal(
      fails(c, ['create', 'service', 'clusterip', 'dup', '--tcp=80:8080', '--tcp=80:9090']),
      'error: failed to create ClusterIP service: Service "dup" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}\n',
    );
  });
});
