/**
 * Dual-stack and IPv6 with the real kubectl: a dual-stack cluster
 * (`127.96.0.0/12,fd00:10:96::/108`) with every ipFamilyPolicy and family
 * order, stack upgrades and downgrades by patch; an IPv6-only cluster (its
 * `kubernetes` Service, endpoints and serving certificate); and the flag
 * values `svcnet up` must refuse.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, service } from './api.js';
import { Cluster, skipReason, startCluster, stopCluster } from './harness.js';

const skip = skipReason();
const DUAL = '--service-cluster-ip-range=127.96.0.0/12,fd00:10:96::/108';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON
type Svc = any;

const isV4 = (ip: string) => /^127\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/.test(ip);
const isV6 = (ip: string) => /^fd00:10:96::[0-9a-f]{1,4}$/.test(ip);

function get(c: Cluster, name: string): Svc {
  return JSON.parse(c.ok(['get', 'svc', name, '-o', 'json']));
}

function stack(s: Svc): string {
  return `${s.spec.ipFamilyPolicy} ${s.spec.ipFamilies.join(',')}`;
}

/** clusterIPs agree with ipFamilies, lie in the configured ranges, and clusterIP is the first. */
function assertIPs(s: Svc): void {
  const { clusterIP, clusterIPs, ipFamilies } = s.spec;
  assert.equal(clusterIPs.length, ipFamilies.length, s.metadata.name);
  assert.equal(clusterIP, clusterIPs[0]);
  clusterIPs.forEach((ip: string, i: number) => {
    assert.ok(
      ipFamilies[i] === 'IPv4' ? isV4(ip) : isV6(ip),
      `${s.metadata.name}: ${ip} as ${ipFamilies[i]}`,
    );
  });
}

/** kubectl fails with this message (as kubectl prints the server's Status). */
function fails(c: Cluster, args: string[], message: RegExp, input?: string): void {
  const r = c.kubectl(args, { input });
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} succeeded:\n${r.stdout}`);
  assert.match(r.stderr, message);
}

const manifest = `apiVersion: v1
kind: Service
metadata: {name: single}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: prefer}
spec: {ipFamilyPolicy: PreferDualStack, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: require}
spec: {ipFamilyPolicy: RequireDualStack, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: require-v6-first}
spec: {ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv6, IPv4], type: NodePort, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: v6only}
spec: {ipFamilies: [IPv6], ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: headless}
spec: {clusterIP: None, ports: [{port: 80}]}
`;

describe('dual-stack cluster', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster([DUAL]);
  });
  after(() => stopCluster(c));

  it('keeps default/kubernetes single-stack on the primary family', () => {
    const k = get(c, 'kubernetes');
    assert.equal(stack(k), 'SingleStack IPv4');
    assert.deepEqual(k.spec.clusterIPs, ['127.96.0.1']);
  });

  it('applies every ipFamilyPolicy and family order', () => {
    const out = c.ok(['apply', '-f', '-'], { input: manifest });
    assert.match(out, /service\/require-v6-first created/);
    const want: Record<string, string> = {
      single: 'SingleStack IPv4',
      prefer: 'PreferDualStack IPv4,IPv6',
      require: 'RequireDualStack IPv4,IPv6',
      'require-v6-first': 'RequireDualStack IPv6,IPv4',
      v6only: 'SingleStack IPv6',
      // Headless without selector: any family (upstream #104986).
      headless: 'RequireDualStack IPv4,IPv6',
    };
    for (const [name, s] of Object.entries(want)) {
      const svc = get(c, name);
      assert.equal(stack(svc), s, name);
      if (name === 'headless') assert.deepEqual(svc.spec.clusterIPs, ['None']);
      else assertIPs(svc);
    }
    // kubectl shows the primary cluster IP.
    const wide = c.ok(['get', 'svc', 'require-v6-first', 'v6only', '--no-headers']);
    for (const line of wide.trim().split('\n')) assert.ok(isV6(line.split(/\s+/)[2]!), line);
    // A second apply changes nothing.
    assert.match(c.ok(['apply', '-f', '-'], { input: manifest }), /service\/prefer unchanged/);
  });

  it('takes a requested pair of cluster IPs in the order given', () => {
    const r = c.ok(['create', '-f', '-'], {
      input: JSON.stringify(
        service('pair', {
          ipFamilyPolicy: 'RequireDualStack',
          clusterIP: 'fd00:10:96::50',
          clusterIPs: ['fd00:10:96::50', '127.96.0.50'],
        }),
      ),
    });
    assert.match(r, /service\/pair created/);
    const s = get(c, 'pair');
    assert.deepEqual(s.spec.clusterIPs, ['fd00:10:96::50', '127.96.0.50']);
    assert.deepEqual(s.spec.ipFamilies, ['IPv6', 'IPv4']);
    fails(
      c,
      ['create', '-f', '-'],
      /The Service "pair2" is invalid: spec.clusterIPs: Invalid value: \[\]string\{"fd00:10:96::50"\}: failed to allocate IP fd00:10:96::50: provided IP is already allocated/,
      JSON.stringify(
        service('pair2', {
          ipFamilies: ['IPv6'],
          clusterIP: 'fd00:10:96::50',
          clusterIPs: ['fd00:10:96::50'],
        }),
      ),
    );
  });

  it('upgrades SingleStack to PreferDualStack by patch, and downgrades back', () => {
    const before = get(c, 'single');
    c.ok(['patch', 'svc', 'single', '-p', '{"spec":{"ipFamilyPolicy":"PreferDualStack"}}']);
    const up = get(c, 'single');
    assert.equal(stack(up), 'PreferDualStack IPv4,IPv6');
    assert.equal(up.spec.clusterIPs[0], before.spec.clusterIP, 'the primary stays');
    assertIPs(up);
    const secondary = up.spec.clusterIPs[1];

    c.ok(['patch', 'svc', 'single', '-p', '{"spec":{"ipFamilyPolicy":"SingleStack"}}']);
    const down = get(c, 'single');
    assert.equal(stack(down), 'SingleStack IPv4');
    assert.deepEqual(down.spec.clusterIPs, [before.spec.clusterIP]);
    // The released secondary can be taken again.
    assert.match(
      c.ok(['create', '-f', '-'], {
        input: JSON.stringify(
          service('takes-secondary', { ipFamilies: ['IPv6'], clusterIP: secondary, clusterIPs: [secondary] }),
        ),
      }),
      /created/,
    );

    // Upgrading a v6 single-stack adds an IPv4 secondary; RequireDualStack works the same.
    c.ok(['patch', 'svc', 'v6only', '-p', '{"spec":{"ipFamilyPolicy":"RequireDualStack"}}']);
    const v6 = get(c, 'v6only');
    assert.equal(stack(v6), 'RequireDualStack IPv6,IPv4');
    assertIPs(v6);
  });

  it('refuses to drop the secondary without SingleStack, or to change the primary family', () => {
    fails(
      c,
      [
        'patch',
        'svc',
        'prefer',
        '--type=json',
        '-p',
        '[{"op":"remove","path":"/spec/clusterIPs/1"},{"op":"remove","path":"/spec/ipFamilies/1"}]',
      ],
      /The Service "prefer" is invalid: [\s\S]*spec.ipFamilyPolicy: Invalid value: "PreferDualStack": must be 'SingleStack' to release the secondary cluster IP/,
    );
    assert.equal(get(c, 'prefer').spec.clusterIPs.length, 2);
    fails(
      c,
      ['patch', 'svc', 'prefer', '-p', '{"spec":{"ipFamilies":["IPv6","IPv4"]}}'],
      /The Service "prefer" is invalid: /,
    );
    assert.equal(stack(get(c, 'prefer')), 'PreferDualStack IPv4,IPv6');
  });

  it('rejects inconsistent family fields with upstream messages', () => {
    fails(
      c,
      ['create', '-f', '-'],
      /The Service "plural-only" is invalid: spec.clusterIPs: Invalid value: \[\]string\{"127.96.0.61"\}: must be empty when `clusterIP` is not specified/,
      JSON.stringify(service('plural-only', { clusterIPs: ['127.96.0.61'] })),
    );
    fails(
      c,
      ['create', '-f', '-'],
      /The Service "dup" is invalid: spec.ipFamilies\[1\]: Duplicate value: "IPv4"/,
      JSON.stringify(service('dup', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv4'] })),
    );
    fails(
      c,
      ['create', '-f', '-'],
      /The Service "two-single" is invalid: spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified/,
      JSON.stringify(service('two-single', { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] })),
    );
    fails(
      c,
      ['create', '-f', '-'],
      /The Service "mismatch" is invalid: spec.clusterIPs\[0\]: Invalid value: "127.96.0.60": expected an IPv6 value as indicated by `ipFamilies\[0\]`/,
      JSON.stringify(
        service('mismatch', { ipFamilies: ['IPv6'], clusterIP: '127.96.0.60', clusterIPs: ['127.96.0.60'] }),
      ),
    );
  });
});

describe('IPv6-only cluster', { skip }, () => {
  let c: Cluster;
  let api: Api;
  before(async () => {
    c = await startCluster(['--service-cluster-ip-range=fd00:10:96::/108']);
    // The API server listens on ::1: the kubernetes Service's endpoints are of its family.
    api = new Api(`https://[::1]:${c.port}`, readFileSync(join(c.dataDir, 'pki', 'ca.crt'), 'utf8'), {
      token: readFileSync(join(c.dataDir, 'pki', 'admin-token'), 'utf8').trim(),
    });
  });
  after(() => {
    api?.close();
    stopCluster(c);
  });

  it('gives default/kubernetes the first IPv6 address, with IPv6 endpoints', async () => {
    const k = get(c, 'kubernetes');
    assert.equal(stack(k), 'SingleStack IPv6');
    assert.deepEqual(k.spec.clusterIPs, ['fd00:10:96::1']);
    const ep = await api.json('GET', '/api/v1/namespaces/default/endpoints/kubernetes', undefined, 200);
    assert.deepEqual(ep.subsets[0].addresses, [{ ip: '::1' }]);
    assert.equal(ep.subsets[0].ports[0].port, c.port);
    const slice = await api.json(
      'GET',
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes',
      undefined,
      200,
    );
    assert.equal(slice.addressType, 'IPv6');
    assert.deepEqual(slice.endpoints[0].addresses, ['::1']);
    assert.match(readFileSync(c.kubeconfig, 'utf8'), new RegExp(`server: https://\\[::1\\]:${c.port}`));
  });

  it('serves a certificate whose SANs include the kubernetes Service IPv6 address', () => {
    const cert = new X509Certificate(readFileSync(join(c.dataDir, 'pki', 'apiserver.crt')));
    const ips = (cert.subjectAltName ?? '')
      .split(', ')
      .filter((s) => s.startsWith('IP Address:'))
      .map((s) => s.slice('IP Address:'.length).toLowerCase());
    const expanded = (ip: string) =>
      ip.includes(':')
        ? ip
            .split(':')
            .map((h) => h.replace(/^0+(?=.)/, ''))
            .join(':')
        : ip;
    assert.ok(ips.map(expanded).includes('fd00:10:96:0:0:0:0:1'), `SANs: ${cert.subjectAltName}`);
    assert.ok(ips.map(expanded).includes('0:0:0:0:0:0:0:1'), `SANs: ${cert.subjectAltName}`);
    assert.ok(cert.checkIP('fd00:10:96::1'));
  });

  it('allocates IPv6 cluster IPs, and refuses what needs IPv4', () => {
    c.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
    const web = get(c, 'web');
    assert.equal(stack(web), 'SingleStack IPv6');
    assertIPs(web);
    c.ok(['create', '-f', '-'], {
      input: JSON.stringify(service('prefer', { ipFamilyPolicy: 'PreferDualStack' })),
    });
    const prefer = get(c, 'prefer');
    assert.equal(stack(prefer), 'PreferDualStack IPv6');
    assert.equal(prefer.spec.clusterIPs.length, 1);
    fails(
      c,
      ['create', '-f', '-'],
      /^The Service "both" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services$/m,
      JSON.stringify(service('both', { ipFamilyPolicy: 'RequireDualStack' })),
    );
    fails(
      c,
      ['create', '-f', '-'],
      /The Service "v4" is invalid: spec.ipFamilies\[0\]: Invalid value: "IPv4": not configured on this cluster/,
      JSON.stringify(service('v4', { ipFamilies: ['IPv4'] })),
    );
    fails(
      c,
      ['patch', 'svc', 'web', '-p', '{"spec":{"ipFamilyPolicy":"RequireDualStack"}}'],
      /this cluster is not configured for dual-stack services/,
    );
  });
});

describe('svcnet up refuses bad network flags', { skip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'svcnet-e2e-flags-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const cases: [string[], RegExp][] = [
    [
      ['--service-cluster-ip-range=10.0.0.0/8'],
      /^error: invalid argument "10.0.0.0\/8" for "--service-cluster-ip-range" flag: specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12$/m,
    ],
    [
      ['--service-cluster-ip-range=1.2.3.4/33'],
      /"1.2.3.4\/33" for "--service-cluster-ip-range" flag: invalid CIDR address: 1.2.3.4\/33/,
    ],
    [
      ['--service-cluster-ip-range=10.96.0.0/12,10.100.0.0/16'],
      /--service-cluster-ip-range\[0\] and --service-cluster-ip-range\[1\] must be of different IP family/,
    ],
    [
      ['--service-cluster-ip-range=fd00::/64'],
      /specified --service-cluster-ip-range is too large; for 128-bit addresses, the mask must be >= 108/,
    ],
    [
      ['--service-cluster-ip-range=10.96.0.0/12,fd00::/108,fd01::/108'],
      /--service-cluster-ip-range must not contain more than two entries/,
    ],
    [
      ['--service-node-port-range=40000-30000'],
      /^error: invalid argument "40000-30000" for "--service-node-port-range" flag: end port cannot be less than start port: 40000-30000$/m,
    ],
    [['--service-node-port-range=30000-'], /for "--service-node-port-range" flag/],
    [
      ['--node-ip=10.0.0.1'],
      /invalid argument "10.0.0.1" for "--node-ip" flag: host mode needs a loopback address/,
    ],
    [
      ['--node-ip=::1'],
      /invalid argument "::1" for "--node-ip" flag: its family must match the primary service range's \(127.96.0.0\/12\)/,
    ],
    [
      ['--service-cluster-ip-range=fd00:10:96::/108', '--bind-address=127.0.0.1'],
      /service IP family "fd00:10:96::\/108" must match public address family "127.0.0.1"/,
    ],
  ];
  for (const [flags, message] of cases) {
    it(`exits non-zero on ${flags.join(' ')}`, () => {
      const c = new Cluster(dataDir, 0);
      const r = c.svcnet(['up', '--detach', `--data-dir=${dataDir}`, '--port=0', ...flags]);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '');
      assert.ok(!existsSync(join(dataDir, 'svcnet.pid')), 'nothing started');
    });
  }
});
