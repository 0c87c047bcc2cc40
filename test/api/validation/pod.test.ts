/** Pod validation with upstream's paths and messages: specs, templates, updates, status. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodSpec, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import { setPodDefaults } from '../../../src/api/defaults/pod.js';
import {
  validatePod,
  validatePodSpec,
  validatePodStatusUpdate,
  validatePodTemplateSpec,
  validatePodUpdate,
} from '../../../src/api/validation/pod.js';

function spec(mut: (s: PodSpec) => void = () => {}): PodSpec {
  const pod: Pod = {
    spec: {
      containers: [
        { name: 'app', image: 'svcnet/netexec:1', ports: [{ name: 'http', containerPort: 8080 }] },
      ],
    },
  };
  setPodDefaults(pod);
  mut(pod.spec!);
  return pod.spec!;
}
const msgs = (errs: { toString(): string }[]) => errs.map(String);

describe('validatePodSpec', () => {
  const cases: { name: string; mut: (s: PodSpec) => void; want: string[] }[] = [
    { name: 'valid', mut: () => {}, want: [] },
    { name: 'no containers', mut: (s) => (s.containers = []), want: ['spec.containers: Required value'] },
    {
      name: 'container name and image',
      mut: (s) => {
        s.containers[0]!.name = '';
        s.containers[0]!.image = '';
      },
      want: ['spec.containers[0].name: Required value', 'spec.containers[0].image: Required value'],
    },
    {
      name: 'duplicate container names across init and regular',
      mut: (s) => (s.initContainers = [{ ...s.containers[0]!, ports: undefined }]),
      want: ['spec.initContainers[0].name: Duplicate value: "app"'],
    },
    {
      name: 'ports',
      mut: (s) =>
        (s.containers[0]!.ports = [
          { name: 'http', containerPort: 0, protocol: 'TCP' },
          { name: 'http', containerPort: 70000, protocol: 'ICMP' as 'TCP' },
          { name: 'Bad_Name', containerPort: 1, protocol: 'TCP' },
        ]),
      want: [
        'spec.containers[0].ports[0].containerPort: Required value',
        'spec.containers[0].ports[1].name: Duplicate value: "http"',
        'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].ports[2].name: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    },
    {
      name: 'probe handlers',
      mut: (s) => {
        s.containers[0]!.readinessProbe = {
          periodSeconds: 1,
          timeoutSeconds: 1,
          successThreshold: 1,
          failureThreshold: 1,
        };
        s.containers[0]!.livenessProbe = {
          httpGet: { port: 'http', path: '/', scheme: 'HTTP' },
          tcpSocket: { port: 80 },
          successThreshold: 2,
        };
      },
      want: [
        'spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
        'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
        'spec.containers[0].readinessProbe: Required value: must specify a handler type',
      ],
    },
    {
      name: 'env',
      mut: (s) =>
        (s.containers[0]!.env = [
          { name: 'A=B', value: 'x' },
          { name: 'X', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.bogus' } } },
          {
            name: 'Y',
            value: 'v',
            valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
          },
        ]),
      want: [
        `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
        'spec.containers[0].env[1].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.bogus": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
        'spec.containers[0].env[2].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      ],
    },
    {
      name: 'policies',
      mut: (s) => {
        s.restartPolicy = 'Sometimes' as 'Always';
        s.dnsPolicy = 'Weird' as 'Default';
      },
      want: [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        'spec.dnsPolicy: Unsupported value: "Weird": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
      ],
    },
    {
      name: 'hostname, subdomain, nodeSelector, grace period',
      mut: (s) => {
        s.hostname = 'Not_A_Label';
        s.subdomain = 'mysql';
        s.nodeSelector = { 'bad key!': 'v' };
        s.terminationGracePeriodSeconds = -1;
      },
      want: [
        `spec.nodeSelector: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
        `spec.hostname: Invalid value: "Not_A_Label": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        'spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0',
      ],
    },
    {
      name: 'volume mounts need volumes',
      mut: (s) => (s.containers[0]!.volumeMounts = [{ name: 'data', mountPath: '/data' }]),
      want: ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(msgs(validatePodSpec(spec(c.mut), 'spec')), c.want));
  }

  it('paths follow the given root (templates)', () => {
    const errs = validatePodTemplateSpec(
      { metadata: { labels: { app: 'bad value!' } }, spec: spec((s) => (s.containers[0]!.image = '')) },
      'spec.template',
    );
    assert.deepEqual(
      msgs(errs).map((m) => m.split(':')[0]),
      ['spec.template.labels', 'spec.template.spec.containers[0].image'],
    );
  });
});

describe('validatePodSpec: volume sources and subPath (validateKeyToPath & co)', () => {
  const mode = 'must be a number between 0 and 0777 (octal), both inclusive';
  const cases: { name: string; volumes: Volume[]; mounts?: VolumeMount[]; want: string[] }[] = [
    {
      name: 'valid sources',
      volumes: [
        {
          name: 's',
          secret: { secretName: 'tls', defaultMode: 0o400, items: [{ key: 'k', path: 'a/b', mode: 0 }] },
        },
        {
          name: 'c',
          configMap: { name: 'cfg', items: [{ key: 'k', path: 'data/x' }] },
        },
        {
          name: 'd',
          downwardAPI: {
            items: [
              { path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } },
              { path: 'uid', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.uid' } },
              { path: 'tier', fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['tier']" } },
              {
                path: 'cpu',
                resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' },
                mode: 0o777,
              },
            ],
          },
        },
        {
          name: 'p',
          projected: {
            sources: [
              { secret: { name: 'tls', items: [{ key: 'k', path: 'one' }] } },
              { configMap: { name: 'cfg', items: [{ key: 'k', path: 'two' }] } },
              { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
            ],
          },
        },
      ],
      mounts: [{ name: 's', mountPath: '/s', subPath: 'a/b..c' }],
      want: [],
    },
    {
      name: 'secret: name, modes, item key and path',
      volumes: [
        {
          name: 's',
          secret: {
            defaultMode: 0o1000,
            items: [
              { key: '', path: '' },
              { key: 'k', path: '/etc/passwd' },
              { key: 'k', path: 'a/../../b' },
              { key: 'k', path: '..data' },
              { key: 'k', path: 'x', mode: -1 },
            ],
          },
        },
      ],
      want: [
        'spec.volumes[0].secret.secretName: Required value',
        `spec.volumes[0].secret.defaultMode: Invalid value: 512: ${mode}`,
        'spec.volumes[0].secret.items[0].key: Required value',
        'spec.volumes[0].secret.items[0].path: Required value',
        'spec.volumes[0].secret.items[1].path: Invalid value: "/etc/passwd": must be a relative path',
        `spec.volumes[0].secret.items[2].path: Invalid value: "a/../../b": must not contain '..'`,
        `spec.volumes[0].secret.items[3].path: Invalid value: "..data": must not start with '..'`,
        `spec.volumes[0].secret.items[4].mode: Invalid value: -1: ${mode}`,
      ],
    },
    {
      name: 'configMap: name, defaultMode, items',
      volumes: [{ name: 'c', configMap: { defaultMode: -5, items: [{ key: 'k', path: '../up' }] } }],
      want: [
        'spec.volumes[0].configMap.name: Required value',
        `spec.volumes[0].configMap.defaultMode: Invalid value: -5: ${mode}`,
        `spec.volumes[0].configMap.items[0].path: Invalid value: "../up": must not contain '..'`,
      ],
    },
    {
      name: 'downwardAPI: files (named at the source, as upstream does)',
      volumes: [
        {
          name: 'd',
          downwardAPI: {
            defaultMode: 0o7777,
            items: [
              { path: 'ip', fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } },
              { path: 'none' },
              {
                path: 'both',
                fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' },
                resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' },
              },
              { path: 'nocontainer', resourceFieldRef: { resource: 'limits.cpu' } },
              { path: 'badres', resourceFieldRef: { containerName: 'app', resource: 'limits.gpu' } },
              { path: '/abs', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' }, mode: 0o1777 },
              { path: 'v2', fieldRef: { apiVersion: 'v2', fieldPath: 'metadata.name' } },
            ],
          },
        },
      ],
      want: [
        `spec.volumes[0].downwardAPI.defaultMode: Invalid value: 4095: ${mode}`,
        'spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "status.podIP": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
        'spec.volumes[0].downwardAPI: Required value: one of fieldRef and resourceFieldRef is required',
        'spec.volumes[0].downwardAPI: Invalid value: "resource": fieldRef and resourceFieldRef can not be specified simultaneously',
        'spec.volumes[0].downwardAPI.resourceFieldRef.containerName: Required value',
        'spec.volumes[0].downwardAPI.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
        'spec.volumes[0].downwardAPI.path: Invalid value: "/abs": must be a relative path',
        `spec.volumes[0].downwardAPI.mode: Invalid value: 1023: ${mode}`,
        'spec.volumes[0].downwardAPI.fieldRef.fieldPath: Invalid value: "metadata.name": error converting fieldPath: unsupported pod version: v2',
      ],
    },
    {
      name: 'projected: sources, one kind each, no path twice',
      volumes: [
        {
          name: 'p',
          projected: {
            defaultMode: 0o1000,
            sources: [
              { secret: { name: 's', items: [{ key: 'k', path: 'same' }] } },
              { configMap: { name: 'c', items: [{ key: 'k', path: 'same' }] } },
              {
                downwardAPI: {
                  items: [{ path: '..x', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }],
                },
              },
              { serviceAccountToken: { path: '', expirationSeconds: 60 } },
              { secret: { name: '' }, configMap: { name: 'c' } },
            ],
          },
        },
      ],
      want: [
        `spec.volumes[0].projected.defaultMode: Invalid value: 512: ${mode}`,
        'spec.volumes[0].projected: Invalid value: "c": conflicting duplicate paths',
        `spec.volumes[0].projected.sources[2].downwardAPI.path: Invalid value: "..x": must not start with '..'`,
        'spec.volumes[0].projected.sources[3].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
        'spec.volumes[0].projected.path: Required value',
        'spec.volumes[0].projected.sources[4].secret.name: Required value',
        'spec.volumes[0].projected.sources[4]: Forbidden: may not specify more than 1 volume type',
      ],
    },
    {
      name: 'volumeMounts: subPath and subPathExpr (named at the list, as upstream does)',
      volumes: [{ name: 'v', emptyDir: {} }],
      mounts: [
        { name: 'v', mountPath: '/a', subPath: '/etc' },
        { name: 'v', mountPath: '/b', subPath: 'x/../..' },
        { name: 'v', mountPath: '/c', subPath: 'ok', subPathExpr: '$(POD)/..' },
      ],
      want: [
        'spec.containers[0].volumeMounts.subPath: Invalid value: "/etc": must be a relative path',
        `spec.containers[0].volumeMounts.subPath: Invalid value: "x/../..": must not contain '..'`,
        'spec.containers[0].volumeMounts[2].subPathExpr: Invalid value: "$(POD)/..": subPathExpr and subPath are mutually exclusive',
        `spec.containers[0].volumeMounts.subPathExpr: Invalid value: "$(POD)/..": must not contain '..'`,
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = spec((sp) => {
        sp.volumes = c.volumes;
        if (c.mounts) sp.containers[0]!.volumeMounts = c.mounts;
      });
      assert.deepEqual(msgs(validatePodSpec(s, 'spec')), c.want);
    });
  }
});

function pod(mut: (p: Pod) => void = () => {}): Pod {
  const p: Pod = { metadata: { name: 'web', namespace: 'default' }, spec: spec() };
  mut(p);
  return p;
}

describe('validatePod / validatePodUpdate / validatePodStatusUpdate', () => {
  it('checks the name as a DNS subdomain', () => {
    assert.deepEqual(msgs(validatePod(pod())), []);
    assert.match(
      msgs(validatePod(pod((p) => (p.metadata!.name = 'Web')))).join(),
      /^metadata.name: Invalid value: "Web"/,
    );
  });

  const old = () => pod((p) => (p.metadata = { ...p.metadata, resourceVersion: '5' }));
  const updates: { name: string; mut: (p: Pod) => void; want: RegExp | null }[] = [
    { name: 'image change is allowed', mut: (p) => (p.spec!.containers[0]!.image = 'x:2'), want: null },
    {
      name: 'activeDeadlineSeconds may be set',
      mut: (p) => (p.spec!.activeDeadlineSeconds = 10),
      want: null,
    },
    {
      name: 'tolerations may be added',
      mut: (p) => (p.spec!.tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }]),
      want: null,
    },
    {
      name: 'ports may not change',
      mut: (p) => (p.spec!.containers[0]!.ports![0]!.containerPort = 9090),
      want: /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n- spec.containers\[0\].ports\[0\].containerPort: 8080\n\+ spec.containers\[0\].ports\[0\].containerPort: 9090$/,
    },
    {
      name: 'nodeName may not change through an update',
      mut: (p) => (p.spec!.nodeName = 'node-a'),
      want: /pod updates may not change fields other than/,
    },
    {
      name: 'containers may not be added',
      mut: (p) => p.spec!.containers.push({ ...p.spec!.containers[0]!, name: 'b', ports: [] }),
      want: /spec.containers: Forbidden: pod updates may not add or remove containers/,
    },
  ];
  for (const u of updates) {
    it(u.name, () => {
      const next = old();
      u.mut(next);
      const errs = msgs(validatePodUpdate(next, old()));
      if (u.want === null) assert.deepEqual(errs, []);
      else
        assert.ok(
          errs.some((e) => u.want!.test(e)),
          errs.join('\n'),
        );
    });
  }

  it('status: phase and pod IPs', () => {
    const next = old();
    (next as { status: object }).status = {
      phase: 'Running',
      podIP: '10.0.0.1',
      podIPs: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }],
    };
    assert.deepEqual(msgs(validatePodStatusUpdate(next, old())), [
      'status.podIPs: Invalid value: []string{"10.0.0.1", "10.0.0.2"}: may specify no more than one IP for each IP family',
    ]);
    (next as { status: object }).status = { phase: 'Done' };
    assert.match(
      msgs(validatePodStatusUpdate(next, old())).join(),
      /status.phase: Unsupported value: "Done"/,
    );
  });
});
