/** Pod defaults: SetDefaults_PodSpec and below (shared with templates), SetDefaults_Pod on pods only. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { defaultContainer, defaultPodSpec, imageTag, setPodDefaults } from '../../../src/api/defaults/pod.js';

describe('imageTag (parsers.ParseImageName)', () => {
  const cases: [string, string][] = [
    ['nginx', 'latest'],
    ['nginx:latest', 'latest'],
    ['nginx:1.25', '1.25'],
    ['localhost:5000/nginx', 'latest'],
    ['localhost:5000/nginx:2', '2'],
    ['nginx@sha256:abc', ''],
    ['nginx:1.2@sha256:abc', '1.2'],
  ];
  for (const [image, tag] of cases)
    it(`${image} → ${tag || '(none)'}`, () => assert.equal(imageTag(image), tag));
});

describe('defaultContainer', () => {
  const cases: { name: string; in: Container; want: Partial<Container> }[] = [
    {
      name: 'no tag pulls Always; termination message defaults',
      in: { name: 'a', image: 'nginx' },
      want: {
        imagePullPolicy: 'Always',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    },
    {
      name: 'a tag pulls IfNotPresent',
      in: { name: 'a', image: 'nginx:1' },
      want: { imagePullPolicy: 'IfNotPresent' },
    },
    {
      name: 'an explicit policy stays',
      in: { name: 'a', image: 'nginx', imagePullPolicy: 'Never' },
      want: { imagePullPolicy: 'Never' },
    },
    {
      name: 'ports get TCP',
      in: { name: 'a', image: 'x:1', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] },
      want: {
        ports: [
          { containerPort: 80, protocol: 'TCP' },
          { containerPort: 53, protocol: 'UDP' },
        ],
      },
    },
    {
      name: 'probes get timing defaults and httpGet path/scheme',
      in: {
        name: 'a',
        image: 'x:1',
        readinessProbe: { httpGet: { port: 8080 } },
        livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 3 },
      },
      want: {
        readinessProbe: {
          httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
          timeoutSeconds: 1,
          periodSeconds: 10,
          successThreshold: 1,
          failureThreshold: 3,
        },
        livenessProbe: {
          tcpSocket: { port: 8080 },
          periodSeconds: 3,
          timeoutSeconds: 1,
          successThreshold: 1,
          failureThreshold: 3,
        },
      },
    },
    {
      name: 'env fieldRef gets apiVersion v1',
      in: {
        name: 'a',
        image: 'x:1',
        env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
      },
      want: {
        env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP', apiVersion: 'v1' } } }],
      },
    },
    {
      name: 'preStop httpGet defaults',
      in: { name: 'a', image: 'x:1', lifecycle: { preStop: { httpGet: { port: 80 } } } },
      want: { lifecycle: { preStop: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } } } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = structuredClone(c.in);
      defaultContainer(got);
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k as keyof Container], v, k);
    });
  }
});

describe('defaultPodSpec', () => {
  it('fills the spec defaults and leaves set values', () => {
    const spec: PodSpec = {
      containers: [{ name: 'a', image: 'x:1' }],
      volumes: [{ name: 'v' }, { name: 's', secret: { secretName: 's' } }],
    };
    defaultPodSpec(spec);
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.deepEqual(spec.securityContext, {});
    assert.deepEqual(spec.volumes?.[0], { name: 'v', emptyDir: {} });
    assert.equal(spec.volumes?.[1]?.secret?.defaultMode, 0o644);
    // Templates do not get the pod-only defaults.
    assert.equal(spec.enableServiceLinks, undefined);
    const set: PodSpec = { containers: [], restartPolicy: 'Never', terminationGracePeriodSeconds: 0 };
    defaultPodSpec(set);
    assert.equal(set.restartPolicy, 'Never');
    assert.equal(set.terminationGracePeriodSeconds, 0);
  });
});

describe('setPodDefaults', () => {
  it('adds service links, requests from limits and host ports with host networking', () => {
    const pod: Pod = {
      spec: {
        hostNetwork: true,
        containers: [
          {
            name: 'a',
            image: 'x:1',
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: '1' }, requests: { memory: '1Gi' } },
          },
        ],
      },
    };
    setPodDefaults(pod);
    assert.equal(pod.spec?.enableServiceLinks, true);
    assert.deepEqual(pod.spec?.containers[0]?.resources?.requests, { memory: '1Gi', cpu: '1' });
    assert.equal(pod.spec?.containers[0]?.ports?.[0]?.hostPort, 80);
  });
});
