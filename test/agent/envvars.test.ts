import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod, Service } from 'kubernetes-types/core/v1.js';
import { buildContainerEnv, expand, expandArgs, podHostname, serviceEnv } from '../../src/agent/envvars.js';

function svc(
  ns: string,
  name: string,
  clusterIP: string,
  ports: { port: number; name?: string; protocol?: string }[],
): Service {
  return { metadata: { namespace: ns, name }, spec: { clusterIP, ports } };
}

const kubernetes = svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);
const KUBERNETES_ENV = {
  KUBERNETES_SERVICE_HOST: '10.96.0.1',
  KUBERNETES_SERVICE_PORT: '443',
  KUBERNETES_SERVICE_PORT_HTTPS: '443',
  KUBERNETES_PORT: 'tcp://10.96.0.1:443',
  KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
  KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
  KUBERNETES_PORT_443_TCP_PORT: '443',
  KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
};

describe('serviceEnv', () => {
  const cases: {
    name: string;
    services: Service[];
    ns: string;
    links: boolean;
    want: Record<string, string>;
  }[] = [
    {
      name: 'the research note my-db example, plus default/kubernetes',
      services: [
        kubernetes,
        svc('shop', 'my-db', '10.96.50.3', [{ name: 'postgres', port: 5432, protocol: 'TCP' }]),
      ],
      ns: 'shop',
      links: true,
      want: {
        ...KUBERNETES_ENV,
        MY_DB_SERVICE_HOST: '10.96.50.3',
        MY_DB_SERVICE_PORT: '5432',
        MY_DB_SERVICE_PORT_POSTGRES: '5432',
        MY_DB_PORT: 'tcp://10.96.50.3:5432',
        MY_DB_PORT_5432_TCP: 'tcp://10.96.50.3:5432',
        MY_DB_PORT_5432_TCP_PROTO: 'tcp',
        MY_DB_PORT_5432_TCP_PORT: '5432',
        MY_DB_PORT_5432_TCP_ADDR: '10.96.50.3',
      },
    },
    {
      name: 'multiple ports: the first is the unnamed default, UDP upper-cased in names, lower in values',
      services: [
        svc('default', 'dns-ish', '10.96.0.10', [
          { port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
          { name: 'metrics', port: 9153 },
        ]),
      ],
      ns: 'default',
      links: true,
      want: {
        DNS_ISH_SERVICE_HOST: '10.96.0.10',
        DNS_ISH_SERVICE_PORT: '53',
        DNS_ISH_SERVICE_PORT_DNS_TCP: '53',
        DNS_ISH_SERVICE_PORT_METRICS: '9153',
        DNS_ISH_PORT: 'udp://10.96.0.10:53',
        DNS_ISH_PORT_53_UDP: 'udp://10.96.0.10:53',
        DNS_ISH_PORT_53_UDP_PROTO: 'udp',
        DNS_ISH_PORT_53_UDP_PORT: '53',
        DNS_ISH_PORT_53_UDP_ADDR: '10.96.0.10',
        DNS_ISH_PORT_53_TCP: 'tcp://10.96.0.10:53',
        DNS_ISH_PORT_53_TCP_PROTO: 'tcp',
        DNS_ISH_PORT_53_TCP_PORT: '53',
        DNS_ISH_PORT_53_TCP_ADDR: '10.96.0.10',
        DNS_ISH_PORT_9153_TCP: 'tcp://10.96.0.10:9153',
        DNS_ISH_PORT_9153_TCP_PROTO: 'tcp',
        DNS_ISH_PORT_9153_TCP_PORT: '9153',
        DNS_ISH_PORT_9153_TCP_ADDR: '10.96.0.10',
      },
    },
    {
      name: 'IPv6 cluster IPs are bracketed in URLs, bare in _ADDR and _HOST',
      services: [svc('default', 'v6', 'fd00:10:96::a', [{ port: 80 }])],
      ns: 'default',
      links: true,
      want: {
        V6_SERVICE_HOST: 'fd00:10:96::a',
        V6_SERVICE_PORT: '80',
        V6_PORT: 'tcp://[fd00:10:96::a]:80',
        V6_PORT_80_TCP: 'tcp://[fd00:10:96::a]:80',
        V6_PORT_80_TCP_PROTO: 'tcp',
        V6_PORT_80_TCP_PORT: '80',
        V6_PORT_80_TCP_ADDR: 'fd00:10:96::a',
      },
    },
    {
      name: 'default/kubernetes in another namespace; other namespaces\u2019 services never',
      services: [
        kubernetes,
        svc('default', 'web', '10.96.1.1', [{ port: 80 }]),
        svc('other', 'x', '10.96.1.2', [{ port: 1 }]),
      ],
      ns: 'team-a',
      links: true,
      want: KUBERNETES_ENV,
    },
    {
      name: 'enableServiceLinks false keeps only default/kubernetes',
      services: [kubernetes, svc('default', 'web', '10.96.1.1', [{ port: 80 }])],
      ns: 'default',
      links: false,
      want: KUBERNETES_ENV,
    },
    {
      name: 'headless and IP-less services are skipped',
      services: [
        svc('default', 'db', 'None', [{ port: 3306 }]),
        svc('default', 'pending', '', [{ port: 1 }]),
      ],
      ns: 'default',
      links: true,
      want: {},
    },
    {
      name: 'dots are kept, dashes become underscores',
      services: [svc('default', 'a.b-c', '10.96.2.2', [{ port: 8080 }])],
      ns: 'default',
      links: true,
      want: {
        'A.B_C_SERVICE_HOST': '10.96.2.2',
        'A.B_C_SERVICE_PORT': '8080',
        'A.B_C_PORT': 'tcp://10.96.2.2:8080',
        'A.B_C_PORT_8080_TCP': 'tcp://10.96.2.2:8080',
        'A.B_C_PORT_8080_TCP_PROTO': 'tcp',
        'A.B_C_PORT_8080_TCP_PORT': '8080',
        'A.B_C_PORT_8080_TCP_ADDR': '10.96.2.2',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(serviceEnv(c.services, c.ns, c.links), c.want));
  }
});

describe('expand', () => {
  const vars: Record<string, string> = { VAR_A: 'A', VAR_B: 'B', EMPTY: '' };
  const look = (n: string) => vars[n];
  const cases: [string, string][] = [
    ['$(VAR_A)', 'A'],
    ['___$(VAR_B)___', '___B___'],
    ['$(VAR_A)-$(VAR_B)', 'A-B'],
    ['$(EMPTY)x', 'x'],
    ['$(UNKNOWN)', '$(UNKNOWN)'],
    ['$$(VAR_A)', '$(VAR_A)'],
    ['$$$(VAR_A)', '$A'],
    ['$$$$(VAR_A)', '$$(VAR_A)'],
    ['$(VAR_A', '$(VAR_A'],
    ['$VAR_A', '$VAR_A'],
    ['trailing $', 'trailing $'],
    ['$()', '$()'],
    ['$(VAR_A)$', 'A$'],
    ['$€', '$€'],
    ['no refs', 'no refs'],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want}`, () => assert.equal(expand(input, look), want));
  }
  it('expandArgs maps each argument against the final env', () => {
    assert.deepEqual(expandArgs(['echo', '$(MSG)', '$$(MSG)', '$(NOPE)'], { MSG: 'hi' }), [
      'echo',
      'hi',
      '$(MSG)',
      '$(NOPE)',
    ]);
  });
});

function pod(
  spec: Partial<NonNullable<Pod['spec']>> = {},
  meta: Partial<NonNullable<Pod['metadata']>> = {},
): Pod {
  return {
    metadata: {
      name: 'web-0',
      namespace: 'shop',
      uid: '1111-2222',
      labels: { app: 'web', tier: 'front' },
      annotations: { note: 'say "hi"' },
      ...meta,
    },
    spec: { containers: [], nodeName: 'node-1', serviceAccountName: 'default', ...spec },
    status: {
      podIP: '127.244.0.5',
      podIPs: [{ ip: '127.244.0.5' }],
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
    },
  };
}

describe('buildContainerEnv', () => {
  const services = [kubernetes, svc('shop', 'my-db', '10.96.50.3', [{ name: 'postgres', port: 5432 }])];

  it('HOSTNAME, service links and the container env; expansion sees earlier vars and service links only', () => {
    const c: Container = {
      name: 'app',
      env: [
        { name: 'DB_URL', value: 'postgres://$(MY_DB_SERVICE_HOST):$(MY_DB_SERVICE_PORT)/app' },
        { name: 'LATER_REF', value: '$(DEFINED_LATER)' },
        { name: 'DEFINED_LATER', value: 'x' },
        { name: 'SELF', value: '$(DB_URL)?ssl=1' },
        { name: 'ESCAPED', value: '$$(DB_URL)' },
        { name: 'EMPTY' },
      ],
    };
    const { env, error } = buildContainerEnv(pod(), c, services);
    assert.equal(error, undefined);
    assert.equal(env.HOSTNAME, 'web-0');
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
    assert.equal(env.MY_DB_PORT, 'tcp://10.96.50.3:5432');
    assert.equal(env.DB_URL, 'postgres://10.96.50.3:5432/app');
    assert.equal(env.LATER_REF, '$(DEFINED_LATER)');
    assert.equal(env.SELF, 'postgres://10.96.50.3:5432/app?ssl=1');
    assert.equal(env.ESCAPED, '$(DB_URL)');
    assert.equal(env.EMPTY, '');
  });

  it('the container env wins over service links and HOSTNAME', () => {
    const c: Container = {
      name: 'app',
      env: [
        { name: 'MY_DB_SERVICE_HOST', value: 'db.example' },
        { name: 'HOSTNAME', value: 'custom' },
      ],
    };
    const { env } = buildContainerEnv(pod(), c, services);
    assert.equal(env.MY_DB_SERVICE_HOST, 'db.example');
    assert.equal(env.HOSTNAME, 'custom');
  });

  it('enableServiceLinks false drops own-namespace services but keeps kubernetes', () => {
    const { env } = buildContainerEnv(pod({ enableServiceLinks: false }), { name: 'app' }, services);
    assert.equal(env.MY_DB_SERVICE_HOST, undefined);
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
  });

  it('downward API fieldRefs', () => {
    const field = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
    const c: Container = {
      name: 'app',
      env: [
        field('POD_NAME', 'metadata.name'),
        field('POD_NS', 'metadata.namespace'),
        field('POD_UID', 'metadata.uid'),
        field('APP', "metadata.labels['app']"),
        field('MISSING', "metadata.labels['nope']"),
        field('NOTE', "metadata.annotations['note']"),
        field('LABELS', 'metadata.labels'),
        field('NODE', 'spec.nodeName'),
        field('SA', 'spec.serviceAccountName'),
        field('HOST_IP', 'status.hostIP'),
        field('HOST_IPS', 'status.hostIPs'),
        field('POD_IP', 'status.podIP'),
        field('POD_IPS', 'status.podIPs'),
        { name: 'GREETING', value: 'I am $(POD_NAME) at $(POD_IP)' },
      ],
    };
    const { env, error } = buildContainerEnv(pod(), c, [], { podIPs: ['127.244.0.9', 'fd00::9'] });
    assert.equal(error, undefined);
    assert.deepEqual(
      {
        POD_NAME: env.POD_NAME,
        POD_NS: env.POD_NS,
        POD_UID: env.POD_UID,
        APP: env.APP,
        MISSING: env.MISSING,
        NOTE: env.NOTE,
        LABELS: env.LABELS,
        NODE: env.NODE,
        SA: env.SA,
        HOST_IP: env.HOST_IP,
        HOST_IPS: env.HOST_IPS,
        POD_IP: env.POD_IP,
        POD_IPS: env.POD_IPS,
        GREETING: env.GREETING,
      },
      {
        POD_NAME: 'web-0',
        POD_NS: 'shop',
        POD_UID: '1111-2222',
        APP: 'web',
        MISSING: '',
        NOTE: 'say "hi"',
        LABELS: 'app="web"\ntier="front"',
        NODE: 'node-1',
        SA: 'default',
        HOST_IP: '127.0.0.1',
        HOST_IPS: '127.0.0.1',
        POD_IP: '127.244.0.9',
        POD_IPS: '127.244.0.9,fd00::9',
        GREETING: 'I am web-0 at 127.244.0.9',
      },
    );
  });

  it('an unsupported fieldPath is a CreateContainerConfigError', () => {
    const c: Container = {
      name: 'app',
      env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } }],
    };
    assert.deepEqual(buildContainerEnv(pod(), c, []).error, {
      reason: 'CreateContainerConfigError',
      message: 'field label not supported: spec.nope',
    });
  });

  it('resourceFieldRef with divisors, limits defaulting to node allocatable', () => {
    const res = (name: string, resource: string, divisor?: string, containerName?: string) => ({
      name,
      valueFrom: { resourceFieldRef: { resource, divisor, containerName } },
    });
    const c: Container = {
      name: 'app',
      resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
      env: [
        res('CPU_LIMIT', 'limits.cpu'),
        res('CPU_LIMIT_M', 'limits.cpu', '1m'),
        res('CPU_REQ_M', 'requests.cpu', '1m'),
        res('MEM_LIMIT', 'limits.memory'),
        res('MEM_LIMIT_MI', 'limits.memory', '1Mi'),
        res('MEM_REQ_MI', 'requests.memory', '1Mi'),
        res('SIDE_CPU', 'limits.cpu', undefined, 'side'),
        res('SIDE_MEM_GI', 'limits.memory', '1Gi', 'side'),
      ],
    };
    const p = pod({ containers: [c, { name: 'side' }] });
    const { env, error } = buildContainerEnv(p, c, [], { nodeAllocatable: { cpu: '4', memory: '8Gi' } });
    assert.equal(error, undefined);
    assert.deepEqual(
      [
        env.CPU_LIMIT,
        env.CPU_LIMIT_M,
        env.CPU_REQ_M,
        env.MEM_LIMIT,
        env.MEM_LIMIT_MI,
        env.MEM_REQ_MI,
        env.SIDE_CPU,
        env.SIDE_MEM_GI,
      ],
      ['1', '500', '250', String(128 * 2 ** 20), '128', '64', '4', '8'],
    );
  });

  it('configMap and secret references: error unless optional, resolved when data is given', () => {
    const cmRef = (optional?: boolean) => ({
      name: 'LEVEL',
      valueFrom: { configMapKeyRef: { name: 'app-config', key: 'level', optional } },
    });
    const cases: { name: string; c: Container; opts?: object; want: Record<string, string> | string }[] = [
      {
        name: 'missing configmap',
        c: { name: 'a', env: [cmRef()] },
        want: 'configmap "app-config" not found',
      },
      { name: 'optional configmap', c: { name: 'a', env: [cmRef(true)] }, want: {} },
      {
        name: 'missing secret',
        c: { name: 'a', env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } }] },
        want: 'secret "db" not found',
      },
      {
        name: 'missing envFrom configmap',
        c: { name: 'a', envFrom: [{ configMapRef: { name: 'bulk' } }] },
        want: 'configmap "bulk" not found',
      },
      {
        name: 'optional envFrom secret',
        c: { name: 'a', envFrom: [{ secretRef: { name: 'bulk', optional: true } }] },
        want: {},
      },
      {
        name: 'missing key',
        c: { name: 'a', env: [cmRef()] },
        opts: { configMaps: { 'app-config': { other: '1' } } },
        want: "couldn't find key level in ConfigMap shop/app-config",
      },
      {
        name: 'present data, envFrom with prefix, env wins and can refer to it',
        c: {
          name: 'a',
          envFrom: [{ configMapRef: { name: 'bulk' }, prefix: 'CFG_' }],
          env: [cmRef(), { name: 'CFG_B', value: '$(CFG_A)+' }],
        },
        opts: { configMaps: { 'app-config': { level: 'debug' }, bulk: { A: '1', B: '2', 'bad key': 'x' } } },
        want: { CFG_A: '1', CFG_B: '1+', LEVEL: 'debug' },
      },
    ];
    for (const tc of cases) {
      const { env, error } = buildContainerEnv(pod(), tc.c, [], tc.opts);
      if (typeof tc.want === 'string') {
        assert.deepEqual(error, { reason: 'CreateContainerConfigError', message: tc.want }, tc.name);
      } else {
        assert.equal(error, undefined, tc.name);
        const { HOSTNAME: _h, ...rest } = env;
        assert.deepEqual(rest, tc.want, tc.name);
      }
    }
  });
});

describe('podHostname', () => {
  const cases: [string, Pod, string][] = [
    ['pod name', pod(), 'web-0'],
    ['spec.hostname', pod({ hostname: 'mysql-0', subdomain: 'mysql' }), 'mysql-0'],
    [
      'setHostnameAsFQDN',
      pod({ hostname: 'mysql-0', subdomain: 'mysql', setHostnameAsFQDN: true }),
      'mysql-0.mysql.shop.svc.cluster.local',
    ],
    ['truncated to 63 without a trailing dash', pod({}, { name: `${'a'.repeat(62)}-bcd` }), 'a'.repeat(62)],
  ];
  for (const [name, p, want] of cases) it(name, () => assert.equal(podHostname(p), want));
});
