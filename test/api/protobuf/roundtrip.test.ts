/**
 * decode(encode(x)) = x for rich objects of every supported kind, written by
 * hand from the JSON names (the encoder rejects a name the schema lacks), and
 * for generated objects with every field of every reachable message set.
 * Field numbers themselves are checked against Go's bytes in kubectl.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeProtobuf, encodeProtobuf } from '../../../src/api/protobuf/index.js';
import { messageForKind, supportedKinds } from '../../../src/api/protobuf/kinds.js';
import type { KubeObject } from '../../../src/api/registry/strategy.js';
import { fixtureJSON, fullObject, type Loose } from './helpers.js';

function roundTrip(obj: Loose): void {
  const decoded = decodeProtobuf(encodeProtobuf(obj as KubeObject));
  assert.deepEqual(decoded.object, obj);
  assert.deepEqual(Object.keys(decoded.object).slice(0, 2), ['apiVersion', 'kind']);
}

const meta = {
  name: 'web',
  generateName: 'web-',
  namespace: 'default',
  selfLink: '/api/v1/namespaces/default/services/web',
  uid: '7f0c3a52-0c7b-4f57-9d0e-5d1b8a6f3e21',
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: '2024-01-01T00:00:00Z',
  deletionTimestamp: '2024-01-02T00:00:00Z',
  deletionGracePeriodSeconds: 0,
  labels: { app: 'web', 'app.kubernetes.io/name': 'web' },
  annotations: { 'example.com/note': 'a "quoted" value\nwith a newline' },
  ownerReferences: [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'web',
      uid: 'u1',
      controller: true,
      blockOwnerDeletion: false,
    },
  ],
  finalizers: ['example.com/cleanup'],
  managedFields: [
    {
      manager: 'kubectl',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2024-01-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
      subresource: 'status',
    },
  ],
};

describe('round trip: rich objects', () => {
  test('Service: every spec field, status with ingress ports and conditions', () => {
    roundTrip({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta,
      spec: {
        ports: [
          {
            name: 'http',
            protocol: 'TCP',
            appProtocol: 'kubernetes.io/h2c',
            port: 80,
            targetPort: 'http',
            nodePort: 30080,
          },
          { name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353, nodePort: 30053 },
        ],
        selector: { app: 'web' },
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10', 'fd00::10'],
        type: 'LoadBalancer',
        externalIPs: ['192.0.2.1'],
        sessionAffinity: 'ClientIP',
        loadBalancerIP: '198.51.100.7',
        loadBalancerSourceRanges: ['10.0.0.0/8'],
        externalName: 'unused.example.com',
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 32000,
        publishNotReadyAddresses: true,
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        ipFamilies: ['IPv4', 'IPv6'],
        ipFamilyPolicy: 'PreferDualStack',
        allocateLoadBalancerNodePorts: false,
        loadBalancerClass: 'example.com/lb',
        internalTrafficPolicy: 'Cluster',
        trafficDistribution: 'PreferClose',
      },
      status: {
        loadBalancer: {
          ingress: [
            { ip: '198.51.100.7', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP', error: 'Pending' }] },
            { hostname: 'lb.example.com' },
          ],
        },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            observedGeneration: 3,
            lastTransitionTime: '2024-01-01T00:00:05Z',
            reason: 'Provisioned',
            message: '',
          },
        ],
      },
    });
  });

  test('EndpointSlice: conditions (false pointers kept), hints, every port pointer', () => {
    roundTrip({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.244.0.5'],
          conditions: { ready: true, serving: true, terminating: false },
          hostname: 'web-0',
          targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u2' },
          deprecatedTopology: { 'topology.kubernetes.io/zone': 'a' },
          nodeName: 'node-1',
          zone: 'a',
          hints: { forZones: [{ name: 'a' }, { name: 'b' }], forNodes: [{ name: 'node-1' }] },
        },
        { addresses: ['10.244.1.9'], conditions: { ready: false, serving: false, terminating: true } },
        { addresses: ['10.244.2.2'] },
      ],
      ports: [
        { name: 'http', protocol: 'TCP', port: 8080, appProtocol: 'http' },
        { name: '', protocol: 'UDP', port: 0 },
      ],
    });
  });

  test('Endpoints: subsets with ready and not-ready addresses', () => {
    roundTrip({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: 'web',
        namespace: 'default',
        annotations: { 'endpoints.kubernetes.io/over-capacity': 'truncated' },
      },
      subsets: [
        {
          addresses: [
            {
              ip: '10.244.0.5',
              hostname: 'web-0',
              nodeName: 'node-1',
              targetRef: { kind: 'Pod', name: 'web-0' },
            },
          ],
          notReadyAddresses: [{ ip: '10.244.0.6' }],
          ports: [
            { name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' },
            { port: 53, protocol: 'UDP' },
          ],
        },
      ],
    });
  });

  test('Deployment: strategy with IntOrString percentages, zero pointers, status conditions', () => {
    roundTrip({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }],
        },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
        minReadySeconds: 5,
        revisionHistoryLimit: 0,
        paused: true,
        progressDeadlineSeconds: 600,
      },
      status: {
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 2,
        availableReplicas: 2,
        unavailableReplicas: 1,
        terminatingReplicas: 0,
        conditions: [
          {
            type: 'Available',
            status: 'False',
            lastUpdateTime: '2024-01-01T00:00:00Z',
            lastTransitionTime: '2024-01-01T00:00:01Z',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          },
        ],
        collisionCount: 0,
      },
    });
  });

  test('ReplicaSet', () => {
    roundTrip({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-5d8f', namespace: 'default', labels: { 'pod-template-hash': '5d8f' } },
      spec: {
        replicas: 2,
        minReadySeconds: 1,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8f' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
      status: {
        replicas: 0,
        fullyLabeledReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
        terminatingReplicas: 1,
        observedGeneration: 4,
        conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota' }],
      },
    });
  });

  test('Job: generated selector, zero counts that are pointers, uncounted pods, conditions', () => {
    roundTrip({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi', namespace: 'default', uid: 'u1' },
      spec: {
        parallelism: 1,
        completions: 1,
        activeDeadlineSeconds: 600,
        backoffLimit: 0,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } },
        manualSelector: false,
        template: {
          metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u1', 'job-name': 'pi' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox' }] },
        },
        ttlSecondsAfterFinished: 0,
        completionMode: 'NonIndexed',
        suspend: false,
        podReplacementPolicy: 'TerminatingOrFailed',
      },
      status: {
        conditions: [
          {
            type: 'Complete',
            status: 'True',
            lastProbeTime: '2024-01-01T00:00:05Z',
            lastTransitionTime: '2024-01-01T00:00:05Z',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
          },
        ],
        startTime: '2024-01-01T00:00:00Z',
        completionTime: '2024-01-01T00:00:05Z',
        succeeded: 1,
        terminating: 0,
        uncountedTerminatedPods: { failed: ['p2'] },
        ready: 0,
      },
    });
  });

  test('CronJob: time zone, 64-bit deadline, job template, active references', () => {
    roundTrip({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick', namespace: 'default' },
      spec: {
        schedule: '*/5 * * * *',
        timeZone: 'Europe/Berlin',
        startingDeadlineSeconds: 5000000000,
        concurrencyPolicy: 'Forbid',
        suspend: true,
        jobTemplate: {
          metadata: { labels: { app: 'tick' } },
          spec: {
            template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } },
          },
        },
        successfulJobsHistoryLimit: 0,
        failedJobsHistoryLimit: 1,
      },
      status: {
        active: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'tick-1', namespace: 'default', uid: 'u2' }],
        lastScheduleTime: '2024-01-01T00:05:00Z',
      },
    });
  });

  test('StatefulSet: claim templates, rolling update partition 0, ordinals start 0', () => {
    roundTrip({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: {
            containers: [
              { name: 'db', image: 'postgres', volumeMounts: [{ name: 'data', mountPath: '/var/lib/pg' }] },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              selector: { matchLabels: { tier: 'ssd' } },
              resources: { requests: { storage: '10Gi' }, limits: { storage: '20Gi' } },
              storageClassName: '',
              volumeMode: 'Filesystem',
              dataSourceRef: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' },
            },
            status: { phase: 'Pending' },
          },
        ],
        serviceName: 'db',
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '50%' } },
        revisionHistoryLimit: 5,
        minReadySeconds: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
        ordinals: { start: 0 },
      },
      status: {
        observedGeneration: 1,
        replicas: 3,
        readyReplicas: 3,
        currentReplicas: 3,
        updatedReplicas: 3,
        currentRevision: 'db-1',
        updateRevision: 'db-1',
        collisionCount: 0,
        conditions: [{ type: 'Healthy', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }],
        availableReplicas: 0,
      },
    });
  });

  test('Pod: the rich PodSpec, newer fields, ephemeral containers, full status', () => {
    const pod = fixtureJSON<Loose>('rich-pod.json');
    // Served JSON noise the decoder does not reproduce (see json.ts).
    delete pod.spec.initContainers[0].resources;
    delete pod.spec.containers[1].resources;
    delete pod.status.conditions[0].lastProbeTime;
    const app = pod.spec.containers[0];
    app.restartPolicy = 'Always';
    app.restartPolicyRules = [{ action: 'Restart', exitCodes: { operator: 'In', values: [42, -1] } }];
    app.env.push({
      name: 'F',
      valueFrom: { fileKeyRef: { volumeName: 'cfg', path: 'env', key: 'F', optional: true } },
    });
    app.lifecycle.stopSignal = 'SIGTERM';
    app.lifecycle.preStop = { httpGet: { path: '/stop', port: 8080 } };
    app.volumeDevices = [{ name: 'raw', devicePath: '/dev/xvda' }];
    pod.spec.volumes.push({
      name: 'pc',
      projected: {
        sources: [
          {
            podCertificate: {
              signerName: 'example.com/signer',
              keyType: 'ED25519',
              maxExpirationSeconds: 86400,
              credentialBundlePath: 'bundle.pem',
            },
          },
          {
            clusterTrustBundle: {
              signerName: 'example.com/signer',
              labelSelector: {},
              optional: true,
              path: 'ca.pem',
            },
          },
        ],
      },
    });
    pod.spec.volumes.push({
      name: 'img',
      image: { reference: 'registry.example.com/data:1', pullPolicy: 'Always' },
    });
    pod.spec.ephemeralContainers = [
      { name: 'debugger', image: 'busybox', stdin: true, tty: true, targetContainerName: 'app' },
    ];
    pod.spec.hostnameOverride = 'custom';
    pod.spec.workloadRef = { name: 'w', podGroup: 'g' };
    pod.spec.resources = { limits: { cpu: '1', memory: '1Gi' } };
    pod.spec.securityContext.supplementalGroupsPolicy = 'Strict';
    pod.spec.securityContext.seLinuxOptions = { user: 'u', role: 'r', type: 't', level: 's0' };
    pod.spec.securityContext.windowsOptions = { gmsaCredentialSpecName: 'g', hostProcess: false };
    pod.spec.securityContext.appArmorProfile = { type: 'RuntimeDefault' };
    pod.status = {
      ...pod.status,
      observedGeneration: 2,
      message: 'ok',
      reason: 'Started',
      nominatedNodeName: 'node-2',
      initContainerStatuses: [
        {
          name: 'init',
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
          ready: false,
          restartCount: 0,
          image: 'busybox',
          imageID: '',
          started: false,
        },
      ],
      ephemeralContainerStatuses: [
        {
          name: 'debugger',
          state: { waiting: { reason: 'ContainerCreating', message: 'pulling' } },
          ready: false,
          restartCount: 0,
          image: 'busybox',
          imageID: '',
          allocatedResources: { cpu: '100m' },
          resources: { requests: { cpu: '100m' } },
          volumeMounts: [{ name: 'cfg', mountPath: '/cfg', readOnly: true, recursiveReadOnly: 'Disabled' }],
          user: { linux: { uid: 0, gid: 0, supplementalGroups: [10, 20] } },
          allocatedResourcesStatus: [
            { name: 'example.com/gpu', resources: [{ resourceID: 'gpu-0', health: 'Healthy' }] },
          ],
          stopSignal: 'SIGKILL',
        },
      ],
      resize: 'InProgress',
      resourceClaimStatuses: [{ name: 'gpu', resourceClaimName: 'rich-gpu' }],
      extendedResourceClaimStatus: {
        requestMappings: [{ containerName: 'app', resourceName: 'example.com/gpu', requestName: 'r' }],
        resourceClaimName: 'rich-extended',
      },
      allocatedResources: { cpu: '500m' },
      resources: { requests: { cpu: '500m' } },
    };
    roundTrip(pod);
  });

  test('Node: taints, config source, full status', () => {
    roundTrip({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
      spec: {
        podCIDR: '10.244.1.0/24',
        podCIDRs: ['10.244.1.0/24', 'fd00:1::/64'],
        providerID: 'svcnet://node-1',
        unschedulable: true,
        taints: [
          {
            key: 'node.kubernetes.io/unschedulable',
            effect: 'NoSchedule',
            timeAdded: '2024-01-01T00:00:00Z',
          },
          { key: 'k', value: 'v', effect: 'NoExecute' },
        ],
        configSource: { configMap: { namespace: 'kube-system', name: 'kc', kubeletConfigKey: 'kubelet' } },
        externalID: 'legacy',
      },
      status: {
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        allocatable: { cpu: '3800m', memory: '7Gi', pods: '110' },
        phase: 'Running',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastHeartbeatTime: '2024-01-01T00:00:10Z',
            lastTransitionTime: '2024-01-01T00:00:00Z',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
          },
        ],
        addresses: [
          { type: 'InternalIP', address: '10.0.0.5' },
          { type: 'Hostname', address: 'node-1' },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: 'm',
          systemUUID: 's',
          bootID: 'b',
          kernelVersion: '6.1.0',
          osImage: 'Debian',
          containerRuntimeVersion: 'svcnet://0.1.0',
          kubeletVersion: 'v1.32.4',
          kubeProxyVersion: '',
          operatingSystem: 'linux',
          architecture: 'amd64',
          swap: { capacity: 0 },
        },
        images: [{ names: ['nginx:1.25', 'nginx@sha256:abc'], sizeBytes: 67108864 }],
        volumesInUse: ['kubernetes.io/csi/d^v'],
        volumesAttached: [{ name: 'kubernetes.io/csi/d^v', devicePath: '/dev/xvdb' }],
        config: {
          assigned: {
            configMap: {
              namespace: 'kube-system',
              name: 'kc',
              uid: 'u',
              resourceVersion: '1',
              kubeletConfigKey: 'k',
            },
          },
          error: 'none',
        },
        runtimeHandlers: [{ name: '', features: { recursiveReadOnlyMounts: true, userNamespaces: false } }],
        features: { supplementalGroupsPolicy: true },
        declaredFeatures: ['Foo'],
      },
    });
  });

  test('Event: MicroTime, series, related object, reporting fields', () => {
    roundTrip({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.17a', namespace: 'default' },
      involvedObject: {
        kind: 'Service',
        namespace: 'default',
        name: 'web',
        uid: 'u',
        apiVersion: 'v1',
        fieldPath: 'spec',
      },
      reason: 'EnsuringLoadBalancer',
      message: 'Ensuring load balancer',
      source: { component: 'service-controller', host: 'node-1' },
      firstTimestamp: '2024-01-01T00:00:00Z',
      lastTimestamp: '2024-01-01T00:05:00Z',
      count: 3,
      type: 'Normal',
      eventTime: '2024-01-01T00:00:00.123456Z',
      series: { count: 2, lastObservedTime: '2024-01-01T00:04:59.000001Z' },
      action: 'Ensure',
      related: { kind: 'Node', name: 'node-1' },
      reportingComponent: 'svcnet/controllers',
      reportingInstance: '',
    });
  });

  test('Namespace, Binding, Scale, DeleteOptions', () => {
    roundTrip({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x' },
      spec: { finalizers: ['kubernetes'] },
      status: {
        phase: 'Terminating',
        conditions: [
          { type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' },
        ],
      },
    });
    roundTrip({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web-0', namespace: 'default' },
      target: { kind: 'Node', name: 'node-1', apiVersion: 'v1' },
    });
    roundTrip({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 5 },
      status: { replicas: 0, selector: 'app=web' },
    });
    roundTrip({
      apiVersion: 'meta.k8s.io/v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u', resourceVersion: '7' },
      orphanDependents: false,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
      ignoreStoreReadErrorWithClusterBreakingPotential: false,
    });
  });

  test('ConfigMap, Secret, ServiceAccount: byte maps stay base64, empty values kept', () => {
    roundTrip({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'default' },
      immutable: false,
      data: { a: 'one', empty: '' },
      binaryData: { bin: Buffer.from([0, 1, 255]).toString('base64'), none: '' },
    });
    roundTrip({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default' },
      immutable: true,
      data: { p: Buffer.from('x').toString('base64'), empty: '' },
      stringData: { q: 'plain' },
      type: 'kubernetes.io/basic-auth',
    });
    roundTrip({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sa', namespace: 'default' },
      secrets: [{ name: 'tok', namespace: 'default' }],
      imagePullSecrets: [{ name: 'pull' }],
      automountServiceAccountToken: false,
    });
  });

  test('DaemonSet, ReplicationController, PersistentVolume(Claim), Ingress, IngressClass', () => {
    roundTrip({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv1' },
      spec: {
        capacity: { storage: '1Gi' },
        csi: {
          driver: 'x.example.com',
          volumeHandle: 'h',
          volumeAttributes: { a: 'b' },
          nodePublishSecretRef: { name: 's', namespace: 'ns' },
        },
        accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
        claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'c', uid: 'u' },
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'fast',
        mountOptions: ['ro'],
        volumeMode: 'Filesystem',
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }],
          },
        },
      },
      status: { phase: 'Bound', lastPhaseTransitionTime: '2024-01-01T00:00:00Z' },
    });
    roundTrip({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv2' },
      spec: {
        capacity: { storage: '5Gi' },
        local: { path: '/mnt/d', fsType: 'ext4' },
        accessModes: ['ReadWriteOnce'],
      },
      status: { phase: 'Available' },
    });
    const template = {
      metadata: { labels: { app: 'a' } },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    };
    roundTrip({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'ds', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '10%' } },
        minReadySeconds: 5,
        revisionHistoryLimit: 10,
      },
      status: {
        currentNumberScheduled: 1,
        numberMisscheduled: 0,
        desiredNumberScheduled: 2,
        numberReady: 1,
        observedGeneration: 3,
        updatedNumberScheduled: 1,
        numberAvailable: 1,
        numberUnavailable: 1,
        collisionCount: 0,
      },
    });
    roundTrip({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'rc', namespace: 'default' },
      spec: { replicas: 0, minReadySeconds: 1, selector: { app: 'a' }, template },
      status: {
        replicas: 2,
        fullyLabeledReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
        observedGeneration: 1,
      },
    });
    roundTrip({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'c', namespace: 'default' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
        volumeName: 'pv1',
        storageClassName: '',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } },
    });
    roundTrip({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'ing', namespace: 'default' },
      spec: {
        ingressClassName: 'nginx',
        defaultBackend: { resource: { apiGroup: 'example.com', kind: 'Bucket', name: 'b' } },
        tls: [{ hosts: ['a.example.com'], secretName: 'cert' }],
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
                {
                  path: '/x',
                  pathType: 'Exact',
                  backend: { service: { name: 'web', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.1', ports: [{ port: 80, protocol: 'TCP' }] }] } },
    });
    roundTrip({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'nginx' },
      spec: {
        controller: 'example.com/ingress',
        parameters: {
          apiGroup: 'example.com',
          kind: 'Params',
          name: 'p',
          scope: 'Namespace',
          namespace: 'ns',
        },
      },
    });
  });

  test('the encoder rejects a JSON name the schema does not have', () => {
    assert.throws(
      () => encodeProtobuf({ apiVersion: 'v1', kind: 'Service', spec: { port: [] } } as KubeObject),
      /unknown field core\.Service\.spec\.port/,
    );
  });
});

describe('round trip: every field of every reachable message', () => {
  for (const gvk of supportedKinds.filter((k) => !k.endsWith('/DeleteOptions') || k === 'v1/DeleteOptions')) {
    test(gvk, () => {
      const kind = gvk.slice(gvk.lastIndexOf('/') + 1);
      const apiVersion = gvk.slice(0, gvk.lastIndexOf('/'));
      roundTrip({ apiVersion, kind, ...fullObject(messageForKind(apiVersion, kind)!) });
    });
  }
});
