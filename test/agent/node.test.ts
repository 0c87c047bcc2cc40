import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildLease,
  buildNode,
  buildNodeStatus,
  goArch,
  type MachineFacts,
  nodeLabels,
} from '../../src/agent/node.js';
import { version } from '../../src/version.js';

const facts: MachineFacts = {
  cpus: 2,
  memoryBytes: 4 * 1024 ** 3,
  ephemeralBytes: 100 * 1024 ** 3,
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  machineID: 'm',
  bootID: 'b',
  systemUUID: '',
  architecture: 'amd64',
};

test('node status: capacity, allocatable, conditions, addresses, nodeInfo, kubelet port', () => {
  const now = Date.UTC(2024, 0, 1, 0, 0, 10);
  const s = buildNodeStatus({ nodeName: 'n1', nodeIP: '127.0.0.1', kubeletPort: 10250, facts, now });
  assert.deepEqual(s.capacity, {
    cpu: '2',
    'ephemeral-storage': `${100 * 1024 * 1024}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${4 * 1024 * 1024}Ki`,
    pods: '110',
  });
  assert.equal(s.allocatable?.memory, `${4 * 1024 * 1024 - 100 * 1024}Ki`);
  assert.deepEqual(
    s.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
    ],
  );
  assert.equal(s.conditions?.[3]?.lastHeartbeatTime, '2024-01-01T00:00:10Z');
  assert.deepEqual(s.addresses, [
    { type: 'InternalIP', address: '127.0.0.1' },
    { type: 'Hostname', address: 'n1' },
  ]);
  assert.deepEqual(s.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  assert.equal(s.nodeInfo?.kubeletVersion, version().gitVersion);
  assert.match(s.nodeInfo?.containerRuntimeVersion ?? '', /^svcnet:\/\//);
  assert.equal(s.nodeInfo?.operatingSystem, 'linux');
  assert.equal(s.nodeInfo?.architecture, 'amd64');
});

test('node conditions keep lastTransitionTime while unchanged; NotReady carries the message', () => {
  const first = buildNodeStatus({
    nodeName: 'n',
    nodeIP: '127.0.0.1',
    kubeletPort: 1,
    facts,
    now: 0,
    notReadyMessage: 'no cidr',
  });
  const ready0 = first.conditions?.[3];
  assert.deepEqual(
    [ready0?.status, ready0?.reason, ready0?.message],
    ['False', 'KubeletNotReady', 'no cidr'],
  );
  const later = buildNodeStatus({
    nodeName: 'n',
    nodeIP: '127.0.0.1',
    kubeletPort: 1,
    facts,
    now: 20_000,
    previous: first.conditions,
  });
  assert.equal(later.conditions?.[0]?.lastTransitionTime, '1970-01-01T00:00:00Z');
  assert.equal(later.conditions?.[0]?.lastHeartbeatTime, '1970-01-01T00:00:20Z');
  assert.equal(later.conditions?.[3]?.lastTransitionTime, '1970-01-01T00:00:20Z');
});

test('node object, labels and lease', () => {
  const labels = nodeLabels('n1', facts, { 'topology.kubernetes.io/zone': 'a' });
  assert.equal(labels['kubernetes.io/hostname'], 'n1');
  assert.equal(labels['kubernetes.io/os'], 'linux');
  assert.equal(labels['kubernetes.io/arch'], 'amd64');
  assert.equal(labels['topology.kubernetes.io/zone'], 'a');
  const node = buildNode('n1', labels, {}, '127.244.0.0/24');
  assert.deepEqual(node.spec, { podCIDR: '127.244.0.0/24', podCIDRs: ['127.244.0.0/24'] });
  const lease = buildLease('n1', 'uid-1', 40, Date.UTC(2024, 0, 1));
  assert.deepEqual(lease.spec, {
    holderIdentity: 'n1',
    leaseDurationSeconds: 40,
    renewTime: '2024-01-01T00:00:00.000000Z',
  });
  assert.deepEqual(lease.metadata?.ownerReferences, [
    { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'uid-1' },
  ]);
  assert.equal(lease.metadata?.namespace, 'kube-node-lease');
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(goArch('arm64'), 'arm64');
});
