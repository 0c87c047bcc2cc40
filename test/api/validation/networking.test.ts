import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ingress as V1Ingress, IngressClass as V1IngressClass } from 'kubernetes-types/networking/v1.js';
import { defaultIngressClass, ingressClassStrategy } from '../../../src/api/registry/networking.js';
import {
  validateIngressClass,
  validateIngressClassUpdate,
  validateIngressCreate,
  validateIngressStatusUpdate,
  validateIngressUpdate,
} from '../../../src/api/validation/networking.js';
import { DNS1035_LABEL, DNS1123_SUBDOMAIN, PORT_RANGE, strings, type Writable } from './messages.js';

type Ingress = Writable<V1Ingress>;
type IngressClass = Writable<V1IngressClass>;

const WILDCARD =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function ingress(): Ingress {
  return {
    metadata: { name: 'web', namespace: 'default', resourceVersion: '4', uid: 'u1', generation: 1 },
    spec: {
      rules: [
        {
          host: 'foo.example.com',
          http: {
            paths: [
              {
                path: '/api',
                pathType: 'Prefix',
                backend: { service: { name: 'api', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
      tls: [{ hosts: ['foo.example.com'], secretName: 'tls-cert' }],
    },
  } as Ingress;
}
const path0 = (i: Ingress) => i.spec!.rules![0]!.http!.paths[0]!;

describe('validateIngressCreate', () => {
  const cases: [string, (i: Ingress) => void, string[]][] = [
    ['valid', () => {}, []],
    [
      'neither rules nor defaultBackend',
      (i) => {
        i.spec = {};
      },
      [
        'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
      ],
    ],
    [
      'an IP as host',
      (i) => {
        i.spec!.rules![0]!.host = '10.0.0.1';
      },
      ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'],
    ],
    [
      'a bad wildcard host',
      (i) => {
        i.spec!.rules![0]!.host = 'foo.*.com';
      },
      [`spec.rules[0].host: Invalid value: "foo.*.com": ${WILDCARD}`],
    ],
    [
      'a host that is not a DNS subdomain',
      (i) => {
        i.spec!.rules![0]!.host = 'Foo_bar';
      },
      [`spec.rules[0].host: Invalid value: "Foo_bar": ${DNS1123_SUBDOMAIN}`],
    ],
    [
      'no pathType',
      (i) => {
        (path0(i) as { pathType?: string }).pathType = undefined;
      },
      ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'],
    ],
    [
      'an unknown pathType',
      (i) => {
        path0(i).pathType = 'Regex';
      },
      [
        'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
      ],
    ],
    [
      'relative and dotted paths',
      (i) => {
        path0(i).path = '/a/../b/.';
      },
      [
        'spec.rules[0].http.paths[0].path: Invalid value: "/a/../b/.": must not contain \'/../\'',
        'spec.rules[0].http.paths[0].path: Invalid value: "/a/../b/.": cannot end with \'/.\'',
      ],
    ],
    [
      'Exact path not absolute',
      (i) => {
        path0(i).pathType = 'Exact';
        path0(i).path = 'api';
      },
      ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'],
    ],
    [
      'no paths',
      (i) => {
        i.spec!.rules![0]!.http!.paths = [];
      },
      ['spec.rules[0].http.paths: Required value'],
    ],
    [
      'both service and resource backends',
      (i) => {
        path0(i).backend.resource = { kind: 'Bucket', name: 'b', apiGroup: 'example.com' };
      },
      [
        'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both resource and service backends',
      ],
    ],
    [
      'no backend',
      (i) => {
        path0(i).backend = {};
      },
      ['spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required'],
    ],
    [
      'service name and port problems',
      (i) => {
        path0(i).backend.service = { name: 'Api', port: {} };
      },
      [
        `spec.rules[0].http.paths[0].backend.service.name: Invalid value: "Api": ${DNS1035_LABEL}`,
        'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
      ],
    ],
    [
      'port name and number both',
      (i) => {
        path0(i).backend.service = { name: 'api', port: { name: 'http', number: 80 } };
      },
      ['spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number'],
    ],
    [
      'port number out of range',
      (i) => {
        path0(i).backend.service = { name: 'api', port: { number: 70000 } };
      },
      [`spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: ${PORT_RANGE}`],
    ],
    [
      'resource backend without kind',
      (i) => {
        path0(i).backend = { resource: { name: 'b' } as never };
      },
      ['spec.rules[0].http.paths[0].backend.resource.kind: Required value: kind is required'],
    ],
    [
      'TLS host and secret name',
      (i) => {
        i.spec!.tls = [{ hosts: ['*.ok.com', 'Bad'], secretName: 'Bad_Name' }];
      },
      [
        `spec.tls[0].hosts[1]: Invalid value: "Bad": ${DNS1123_SUBDOMAIN}`,
        `spec.tls[0].secretName: Invalid value: "Bad_Name": ${DNS1123_SUBDOMAIN}`,
      ],
    ],
    [
      'class annotation disagreeing with ingressClassName',
      (i) => {
        i.metadata!.annotations = { 'kubernetes.io/ingress.class': 'nginx' };
        i.spec!.ingressClassName = 'traefik';
      },
      [
        'annotations.kubernetes.io/ingress.class: Invalid value: "nginx": must match `ingressClassName` when both are specified',
      ],
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const i = ingress();
      mutate(i);
      assert.deepEqual(strings(validateIngressCreate(i)), want);
    });
  }

  it('an update keeps accepting a stored invalid TLS secret name', () => {
    const old = ingress();
    old.spec!.tls![0]!.secretName = 'Bad_Name';
    const i = ingress();
    i.spec!.tls![0]!.secretName = 'Bad_Name';
    assert.deepEqual(strings(validateIngressUpdate(i, old)), []);
    assert.equal(validateIngressCreate(i).length, 1);
  });

  it('status addresses', () => {
    const i = ingress();
    i.status = { loadBalancer: { ingress: [{ ip: '1.2.3' }, { hostname: '1.2.3.4' }] } };
    assert.deepEqual(strings(validateIngressStatusUpdate(i, ingress())), [
      'status.loadBalancer.ingress[0].ip: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'status.loadBalancer.ingress[1].hostname: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
    ]);
  });
});

function ingressClass(): IngressClass {
  return {
    metadata: { name: 'nginx', resourceVersion: '1', uid: 'c1', generation: 1 },
    spec: { controller: 'example.com/ingress-nginx' },
  };
}

describe('validateIngressClass', () => {
  const cases: [string, (c: IngressClass) => void, string[]][] = [
    ['valid', () => {}, []],
    [
      'no controller',
      (c) => {
        c.spec = {};
      },
      ['spec.controller: Required value'],
    ],
    [
      'controller without a domain prefix',
      (c) => {
        c.spec!.controller = 'nginx';
      },
      ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'],
    ],
    [
      'namespace-scoped parameters without a namespace',
      (c) => {
        c.spec!.parameters = { kind: 'Config', name: 'cfg', scope: 'Namespace' };
      },
      ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"],
    ],
    [
      'cluster-scoped parameters with a namespace',
      (c) => {
        c.spec!.parameters = { kind: 'Config', name: 'cfg', scope: 'Cluster', namespace: 'x' };
      },
      ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"],
    ],
    [
      'an unknown scope',
      (c) => {
        c.spec!.parameters = { kind: 'Config', name: 'cfg', scope: 'Global' };
      },
      ['spec.parameters.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"'],
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const c = ingressClass();
      mutate(c);
      assert.deepEqual(strings(validateIngressClass(c)), want);
    });
  }

  it('the controller is immutable', () => {
    const c = ingressClass();
    c.spec!.controller = 'example.com/other';
    assert.deepEqual(strings(validateIngressClassUpdate(c, ingressClass())), [
      'spec.controller: Invalid value: "example.com/other": field is immutable',
    ]);
  });

  it('parameters default to cluster scope', () => {
    const c = ingressClass();
    c.spec!.parameters = { kind: 'Config', name: 'cfg' };
    ingressClassStrategy.defaults!(c);
    assert.equal(c.spec!.parameters.scope, 'Cluster');
  });
});

describe('defaultIngressClass', () => {
  const cls = (name: string, ts: string, isDefault: boolean): V1IngressClass => ({
    metadata: {
      name,
      creationTimestamp: ts,
      annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {},
    },
  });
  it('the newest class marked default, none when none is', () => {
    assert.equal(defaultIngressClass([cls('a', '2024-01-01T00:00:00Z', false)]), undefined);
    assert.equal(
      defaultIngressClass([
        cls('old', '2024-01-01T00:00:00Z', true),
        cls('new', '2024-02-01T00:00:00Z', true),
        cls('plain', '2024-03-01T00:00:00Z', false),
      ]),
      'new',
    );
  });
});
