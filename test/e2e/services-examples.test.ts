/**
 * The course notes' Service manifests (examples/), created and applied as a
 * user does, and the defaults kubectl then shows; Endpoints and
 * EndpointSlices as `get endpoints` / `get endpointslices` print them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import {
  assertInServiceRange,
  describeText,
  example,
  getYaml,
  nodePorts,
  run,
  sliceWritten,
  spec,
  table,
  tableNoAge,
} from './kubectl-output.js';

const skip = skipReason();

const defaultsClusterIP = (ip: string) => ({
  clusterIP: ip,
  clusterIPs: [ip],
  internalTrafficPolicy: 'Cluster',
  ipFamilies: ['IPv4'],
  ipFamilyPolicy: 'SingleStack',
  sessionAffinity: 'None',
  type: 'ClusterIP',
});

describe('the course notes examples', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => stopCluster(c));

  const row = (name: string) => tableNoAge(c.ok(['get', 'svc', name]))[1]!;

  it('web-service.yaml: selector, port and targetPort', () => {
    assert.equal(c.ok(['create', '-f', example('web-service.yaml')]), 'service/web-service created\n');
    const s = spec(c, 'web-service');
    const ip = assertInServiceRange(s.clusterIP);
    assert.deepEqual(s, {
      ...defaultsClusterIP(ip),
      ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: 'web' },
    });
    assert.deepEqual(row('web-service'), ['web-service', 'ClusterIP', ip, '<none>', '80/TCP']);
    // create -f again: upstream's AlreadyExists, with the file named.
    const again = c.kubectl(['create', '-f', example('web-service.yaml')]);
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr,
      `Error from server (AlreadyExists): error when creating "${example('web-service.yaml')}": services "web-service" already exists\n`,
    );
    assert.equal(c.ok(['delete', '-f', example('web-service.yaml')]), 'service "web-service" deleted\n');
  });

  it('backend-service.yaml: type ClusterIP written out', () => {
    assert.equal(c.ok(['apply', '-f', example('backend-service.yaml')]), 'service/backend-service created\n');
    assert.equal(
      c.ok(['apply', '-f', example('backend-service.yaml')]),
      'service/backend-service unchanged\n',
    );
    const y = getYaml(c, ['svc', 'backend-service']);
    const ip = assertInServiceRange(y.spec.clusterIP);
    assert.deepEqual(y.spec, {
      ...defaultsClusterIP(ip),
      ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: 'backend' },
    });
    // apply records what it applied.
    assert.deepEqual(JSON.parse(y.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { annotations: {}, name: 'backend-service', namespace: 'default' },
      spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'backend' }, type: 'ClusterIP' },
    });
  });

  it('web-nodeport.yaml: NodePort 30080', () => {
    assert.equal(c.ok(['apply', '-f', example('web-nodeport.yaml')]), 'service/web-nodeport created\n');
    const s = spec(c, 'web-nodeport');
    const ip = assertInServiceRange(s.clusterIP);
    assert.deepEqual(s, {
      ...defaultsClusterIP(ip),
      externalTrafficPolicy: 'Cluster',
      ports: [{ nodePort: 30080, port: 80, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: 'web' },
      type: 'NodePort',
    });
    assert.deepEqual(row('web-nodeport'), ['web-nodeport', 'NodePort', ip, '<none>', '80:30080/TCP']);
    assert.equal(c.ok(['apply', '-f', example('web-nodeport.yaml')]), 'service/web-nodeport unchanged\n');
  });

  it('web-lb.yaml: LoadBalancer, pending, with its annotation', async () => {
    assert.equal(c.ok(['create', '-f', example('web-lb.yaml')]), 'service/web-lb created\n');
    const y = getYaml(c, ['svc', 'web-lb']);
    const ip = assertInServiceRange(y.spec.clusterIP);
    const [np] = nodePorts(c, 'web-lb');
    assert.ok(np! >= 30000 && np! <= 32767);
    assert.deepEqual(y.metadata.annotations, { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' });
    assert.deepEqual(y.spec, {
      ...defaultsClusterIP(ip),
      allocateLoadBalancerNodePorts: true,
      externalTrafficPolicy: 'Cluster',
      ports: [{ nodePort: np, port: 80, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: 'web' },
      type: 'LoadBalancer',
    });
    assert.deepEqual(y.status, { loadBalancer: {} });
    assert.deepEqual(row('web-lb'), ['web-lb', 'LoadBalancer', ip, '<pending>', `80:${np}/TCP`]);
    await sliceWritten(c, 'web-lb');
    assert.equal(
      c.ok(['describe', 'svc', 'web-lb']),
      describeText([
        ['Name:', 'web-lb'],
        ['Namespace:', 'default'],
        ['Labels:', '<none>'],
        ['Annotations:', 'service.beta.kubernetes.io/aws-load-balancer-type: nlb'],
        ['Selector:', 'app=web'],
        ['Type:', 'LoadBalancer'],
        ['IP Family Policy:', 'SingleStack'],
        ['IP Families:', 'IPv4'],
        ['IP:', ip],
        ['IPs:', ip],
        ['Port:', '<unset>  80/TCP'],
        ['TargetPort:', '8080/TCP'],
        ['NodePort:', `<unset>  ${np}/TCP`],
        ['Endpoints:', ''],
        ['Session Affinity:', 'None'],
        ['External Traffic Policy:', 'Cluster'],
        ['Internal Traffic Policy:', 'Cluster'],
        ['Events:', '<none>'],
      ]),
    );
  });

  it('external-api.yaml: ExternalName gets no cluster IP', () => {
    assert.equal(c.ok(['apply', '-f', example('external-api.yaml')]), 'service/external-api created\n');
    assert.deepEqual(spec(c, 'external-api'), {
      externalName: 'api.external-service.com',
      sessionAffinity: 'None',
      type: 'ExternalName',
    });
    assert.deepEqual(row('external-api'), [
      'external-api',
      'ExternalName',
      '<none>',
      'api.external-service.com',
      '<none>',
    ]);
  });

  it('db-headless.yaml: clusterIP None', () => {
    assert.equal(c.ok(['apply', '-f', example('db-headless.yaml')]), 'service/db-headless created\n');
    assert.deepEqual(spec(c, 'db-headless'), {
      ...defaultsClusterIP('None'),
      ports: [{ port: 5432, protocol: 'TCP', targetPort: 5432 }],
      selector: { app: 'database' },
    });
    assert.deepEqual(row('db-headless'), ['db-headless', 'ClusterIP', 'None', '<none>', '5432/TCP']);
  });

  it('sticky-service.yaml: ClientIP affinity, and the 10800 s default timeout', () => {
    assert.equal(c.ok(['apply', '-f', example('sticky-service.yaml')]), 'service/sticky-service created\n');
    const s = spec(c, 'sticky-service');
    assert.equal(s.sessionAffinity, 'ClientIP');
    assert.deepEqual(s.sessionAffinityConfig, { clientIP: { timeoutSeconds: 3600 } });
    assert.match(c.ok(['describe', 'svc', 'sticky-service']), /\nSession Affinity: +ClientIP\n/);
    // Without a timeout, the default is 3 hours.
    const noTimeout = `apiVersion: v1
kind: Service
metadata:
  name: sticky-default
spec:
  selector:
    app: web
  sessionAffinity: ClientIP
  ports:
  - port: 80
    targetPort: 8080
`;
    assert.equal(c.ok(['apply', '-f', '-'], { input: noTimeout }), 'service/sticky-default created\n');
    assert.deepEqual(spec(c, 'sticky-default').sessionAffinityConfig, {
      clientIP: { timeoutSeconds: 10800 },
    });
    // Back to None: the config goes with it.
    c.ok(['apply', '-f', '-'], { input: noTimeout.replace('ClientIP', 'None') });
    const none = spec(c, 'sticky-default');
    assert.equal(none.sessionAffinity, 'None');
    assert.equal(none.sessionAffinityConfig, undefined);
  });

  it('multi-port-service.yaml: three named ports', async () => {
    assert.equal(
      c.ok(['apply', '-f', example('multi-port-service.yaml')]),
      'service/multi-port-service created\n',
    );
    const s = spec(c, 'multi-port-service');
    assert.deepEqual(s.ports, [
      { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
      { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090 },
    ]);
    assert.deepEqual(row('multi-port-service'), [
      'multi-port-service',
      'ClusterIP',
      s.clusterIP,
      '<none>',
      '80/TCP,443/TCP,9090/TCP',
    ]);
    await sliceWritten(c, 'multi-port-service');
    const d = c.ok(['describe', 'svc', 'multi-port-service']);
    assert.match(
      d,
      /\nPort: +http {2}80\/TCP\nTargetPort: +8080\/TCP\nEndpoints: *\nPort: +https {2}443\/TCP\nTargetPort: +8443\/TCP\nEndpoints: *\nPort: +metrics {2}9090\/TCP\nTargetPort: +9090\/TCP\nEndpoints: *\n/,
    );
  });

  it('named-port-service.yaml over web-service.yaml: apply merges into what create made', () => {
    c.ok(['create', '-f', example('web-service.yaml')]);
    const r = run(c, ['apply', '-f', example('named-port-service.yaml')]);
    assert.equal(r.stdout, 'service/web-service configured\n');
    assert.equal(
      r.stderr,
      'Warning: resource services/web-service is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n',
    );
    assert.deepEqual(spec(c, 'web-service').ports, [
      { name: 'http', port: 80, protocol: 'TCP', targetPort: 'http-port' },
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 'https-port' },
    ]);
    const d = c.ok(['describe', 'svc', 'web-service']);
    assert.match(d, /\nPort: +http {2}80\/TCP\nTargetPort: +http-port\/TCP\n/);
    assert.match(d, /\nPort: +https {2}443\/TCP\nTargetPort: +https-port\/TCP\n/);
  });

  it('external-traffic-policy-*.yaml: NodePort 30080, Cluster then Local', () => {
    // web-nodeport holds 30080: the notes' next example can't have it.
    assert.equal(
      c.kubectl(['apply', '-f', example('external-traffic-policy-cluster.yaml')]).stderr,
      `The Service "web-service" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n`,
    );
    c.ok(['delete', 'svc', 'web-nodeport']);
    assert.equal(
      c.ok(['apply', '-f', example('external-traffic-policy-cluster.yaml')]),
      'service/web-service configured\n',
    );
    const s = spec(c, 'web-service');
    // The names and named targetPorts applied before are gone; targetPort defaults to port.
    assert.deepEqual(s.ports, [{ nodePort: 30080, port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.equal(s.type, 'NodePort');
    assert.equal(s.externalTrafficPolicy, 'Cluster');
    assert.deepEqual(row('web-service'), ['web-service', 'NodePort', s.clusterIP, '<none>', '80:30080/TCP']);

    assert.equal(
      c.ok(['apply', '-f', example('external-traffic-policy-local.yaml')]),
      'service/web-service configured\n',
    );
    const l = spec(c, 'web-service');
    assert.equal(l.externalTrafficPolicy, 'Local');
    assert.equal(l.clusterIP, s.clusterIP, 'the cluster IP stays');
    assert.equal(l.healthCheckNodePort, undefined, 'only LoadBalancers get a health check node port');
    const d = c.ok(['describe', 'svc', 'web-service']);
    assert.match(d, /\nNodePort: +<unset> {2}30080\/TCP\n/);
    assert.match(d, /\nExternal Traffic Policy: +Local\n/);
    assert.doesNotMatch(d, /HealthCheck NodePort/);
    c.ok(['delete', '-f', example('external-traffic-policy-local.yaml')]);
  });

  it('internal-traffic-policy-local.yaml', () => {
    assert.equal(
      c.ok(['apply', '-f', example('internal-traffic-policy-local.yaml')]),
      'service/local-service created\n',
    );
    const s = spec(c, 'local-service');
    assert.equal(s.internalTrafficPolicy, 'Local');
    assert.deepEqual(s.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.match(
      c.ok(['describe', 'svc', 'local-service']),
      /\nInternal Traffic Policy: +Local\nEvents: +<none>\n$/,
    );
  });

  it("app-services.yaml: the application example's four Services", () => {
    assert.equal(
      c.ok(['create', '-f', example('app-services.yaml')]),
      'service/frontend-svc created\nservice/backend-svc created\nservice/mysql-headless created\nservice/mysql-svc created\n',
    );
    const out = c.ok([
      'get',
      'svc',
      'frontend-svc',
      'backend-svc',
      'mysql-headless',
      'mysql-svc',
      '-o',
      'wide',
    ]);
    const t = tableNoAge(out);
    const fe = spec(c, 'frontend-svc');
    const np = fe.ports[0].nodePort;
    assert.deepEqual(t, [
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'SELECTOR'],
      ['frontend-svc', 'LoadBalancer', fe.clusterIP, '<pending>', `80:${np}/TCP`, 'app=frontend'],
      ['backend-svc', 'ClusterIP', spec(c, 'backend-svc').clusterIP, '<none>', '80/TCP', 'app=backend'],
      ['mysql-headless', 'ClusterIP', 'None', '<none>', '3306/TCP', 'app=mysql'],
      ['mysql-svc', 'ClusterIP', spec(c, 'mysql-svc').clusterIP, '<none>', '3306/TCP', 'app=mysql'],
    ]);
    assert.equal(
      c
        .ok(['apply', '-f', example('app-services.yaml')])
        .split('\n')
        .filter(Boolean).length,
      4,
      'apply after create configures all four',
    );
    assert.equal(
      c.ok(['apply', '-f', example('app-services.yaml')]),
      'service/frontend-svc unchanged\nservice/backend-svc unchanged\nservice/mysql-headless unchanged\nservice/mysql-svc unchanged\n',
    );
    assert.equal(
      c.ok(['delete', '-f', example('app-services.yaml')]),
      'service "frontend-svc" deleted\nservice "backend-svc" deleted\nservice "mysql-headless" deleted\nservice "mysql-svc" deleted\n',
    );
  });

  it('external-db.yaml: a selector-less Service and its hand-written Endpoints', () => {
    assert.equal(
      c.ok(['create', '-f', example('external-db.yaml')]),
      'service/external-db created\nendpoints/external-db created\n',
    );
    const s = spec(c, 'external-db');
    assert.deepEqual(s, {
      ...defaultsClusterIP(assertInServiceRange(s.clusterIP)),
      ports: [{ port: 3306, protocol: 'TCP', targetPort: 3306 }],
    });
    assert.deepEqual(tableNoAge(c.ok(['get', 'endpoints', 'external-db'])), [
      ['NAME', 'ENDPOINTS'],
      ['external-db', '192.168.1.100:3306,192.168.1.101:3306'],
    ]);
    const ep = getYaml(c, ['endpoints', 'external-db']);
    assert.deepEqual(ep.subsets, [
      {
        addresses: [{ ip: '192.168.1.100' }, { ip: '192.168.1.101' }],
        ports: [{ port: 3306, protocol: 'TCP' }],
      },
    ]);
    assert.equal(
      c.ok(['describe', 'endpoints', 'external-db']),
      [
        'Name:         external-db',
        'Namespace:    default',
        'Labels:       <none>',
        'Annotations:  <none>',
        'Subsets:',
        '  Addresses:          192.168.1.100,192.168.1.101',
        '  NotReadyAddresses:  <none>',
        '  Ports:',
        '    Name     Port  Protocol',
        '    ----     ----  --------',
        '    <unset>  3306  TCP',
        '',
        'Events:  <none>',
        '',
      ].join('\n'),
    );
    // `get ep` lists it next to the API server's own (and those the endpoints controller wrote).
    const all = tableNoAge(c.ok(['get', 'ep']));
    assert.deepEqual(all[0], ['NAME', 'ENDPOINTS']);
    const names = all.slice(1).map((r) => r[0]);
    assert.ok(names.includes('external-db') && names.includes('kubernetes'), names.join());
  });

  it('external-db.yaml: the Endpoints are mirrored into an EndpointSlice', async () => {
    const out = await eventually(
      () => {
        const o = c.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=external-db']);
        return o.includes('external-db-') ? o : '';
      },
      10_000,
      'a mirrored slice',
    );
    const t = tableNoAge(out);
    assert.deepEqual(t[0], ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS']);
    assert.match(t[1]![0]!, /^external-db-[a-z0-9]{5}$/);
    assert.deepEqual(t[1]!.slice(1), ['IPv4', '3306', '192.168.1.100,192.168.1.101']);
    assert.match(
      c.ok(['describe', 'svc', 'external-db']),
      /\nEndpoints: +192\.168\.1\.100:3306,192\.168\.1\.101:3306\n/,
    );
  });

  it('kubernetes: Endpoints and EndpointSlice that point at the API server', () => {
    assert.deepEqual(tableNoAge(c.ok(['get', 'endpoints', 'kubernetes'])), [
      ['NAME', 'ENDPOINTS'],
      ['kubernetes', `127.0.0.1:${c.port}`],
    ]);
    assert.deepEqual(tableNoAge(c.ok(['get', 'endpointslices', 'kubernetes'])), [
      ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS'],
      ['kubernetes', 'IPv4', String(c.port), '127.0.0.1'],
    ]);
    const slice = getYaml(c, ['endpointslices', 'kubernetes']);
    assert.equal(slice.apiVersion, 'discovery.k8s.io/v1');
    assert.equal(slice.kind, 'EndpointSlice');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
    assert.deepEqual(slice.ports, [{ name: 'https', port: c.port, protocol: 'TCP' }]);
    assert.deepEqual(slice.metadata.labels, { 'kubernetes.io/service-name': 'kubernetes' });
    const ep = getYaml(c, ['endpoints', 'kubernetes']);
    assert.deepEqual(ep.metadata.labels, { 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    assert.deepEqual(ep.subsets, [
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: c.port, protocol: 'TCP' }] },
    ]);
    // The short names and the full resource name work alike.
    assert.deepEqual(table(c.ok(['get', 'endpointslice.discovery.k8s.io', 'kubernetes', '-o', 'name'])), [
      ['endpointslice.discovery.k8s.io/kubernetes'],
    ]);
    assert.deepEqual(table(c.ok(['get', 'ep', 'kubernetes', '-o', 'name'])), [['endpoints/kubernetes']]);
  });

  it('a Service with a selector gets Endpoints and an EndpointSlice (empty until pods match)', async () => {
    await eventually(
      () =>
        c.kubectl(['get', 'endpoints', 'backend-service']).code === 0 &&
        c
          .ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=backend-service'])
          .includes('backend'),
      10_000,
      'Endpoints and a placeholder slice',
    );
    assert.deepEqual(tableNoAge(c.ok(['get', 'endpoints', 'backend-service'])), [
      ['NAME', 'ENDPOINTS'],
      ['backend-service', '<none>'],
    ]);
    const t = tableNoAge(c.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=backend-service']));
    assert.match(t[1]![0]!, /^backend-service-[a-z0-9]{5}$/);
    // An empty placeholder slice: kubectl prints <unset> for no ports and for no endpoints alike.
    assert.deepEqual(t[1]!.slice(1), ['IPv4', '<unset>', '<unset>']);
  });
});
