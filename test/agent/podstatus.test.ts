import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import {
  containersReadyCondition,
  generatePodStatus,
  getPhase,
  initializedCondition,
  podReadyCondition,
  qosClass,
} from '../../src/agent/podstatus.js';

const pod = (containers: string[], opts: { init?: string[]; restartPolicy?: string } = {}): Pod => ({
  metadata: { name: 'web-x', namespace: 'default', uid: 'u1' },
  spec: {
    restartPolicy: opts.restartPolicy ?? 'Always',
    initContainers: opts.init?.map((name) => ({ name, image: 'busybox' })),
    containers: containers.map((name) => ({ name, image: 'svcnet/netexec' })),
  },
});

const running = (name: string, ready = true): ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  ready,
  restartCount: 0,
  started: true,
  state: { running: { startedAt: '2024-01-01T00:00:00Z' } },
});
const terminated = (name: string, exitCode: number, ready = false): ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  ready,
  restartCount: 0,
  state: { terminated: { exitCode } },
});
const waiting = (name: string, lastExit?: number): ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { waiting: { reason: 'ContainerCreating' } },
  lastState: lastExit === undefined ? {} : { terminated: { exitCode: lastExit } },
});

test('getPhase follows kubelet', () => {
  const cases: { name: string; pod: Pod; statuses: ContainerStatus[]; terminal?: boolean; want: string }[] = [
    { name: 'no statuses', pod: pod(['a']), statuses: [], want: 'Pending' },
    { name: 'waiting', pod: pod(['a']), statuses: [waiting('a')], want: 'Pending' },
    { name: 'running', pod: pod(['a']), statuses: [running('a')], want: 'Running' },
    { name: 'one running, one unknown', pod: pod(['a', 'b']), statuses: [running('a')], want: 'Pending' },
    {
      name: 'crash loop (waiting with last term)',
      pod: pod(['a']),
      statuses: [waiting('a', 1)],
      want: 'Running',
    },
    { name: 'Always, all exited', pod: pod(['a']), statuses: [terminated('a', 0)], want: 'Running' },
    {
      name: 'Never, all exited 0',
      pod: pod(['a'], { restartPolicy: 'Never' }),
      statuses: [terminated('a', 0)],
      want: 'Succeeded',
    },
    {
      name: 'Never, one failed',
      pod: pod(['a', 'b'], { restartPolicy: 'Never' }),
      statuses: [terminated('a', 0), terminated('b', 2)],
      want: 'Failed',
    },
    {
      name: 'OnFailure, failed (restarting)',
      pod: pod(['a'], { restartPolicy: 'OnFailure' }),
      statuses: [terminated('a', 1)],
      want: 'Running',
    },
    {
      name: 'OnFailure, succeeded',
      pod: pod(['a'], { restartPolicy: 'OnFailure' }),
      statuses: [terminated('a', 0)],
      want: 'Succeeded',
    },
    {
      name: 'deleted, exited by SIGTERM',
      pod: pod(['a']),
      statuses: [terminated('a', 143)],
      terminal: true,
      want: 'Failed',
    },
    {
      name: 'deleted, exited 0',
      pod: pod(['a']),
      statuses: [terminated('a', 0)],
      terminal: true,
      want: 'Succeeded',
    },
    {
      name: 'init running',
      pod: pod(['a'], { init: ['i'] }),
      statuses: [running('i'), waiting('a')],
      want: 'Pending',
    },
    {
      name: 'init failed under Never',
      pod: pod(['a'], { init: ['i'], restartPolicy: 'Never' }),
      statuses: [terminated('i', 1), waiting('a')],
      want: 'Failed',
    },
    {
      name: 'init done, app running',
      pod: pod(['a'], { init: ['i'] }),
      statuses: [terminated('i', 0, true), running('a')],
      want: 'Running',
    },
  ];
  for (const c of cases) assert.equal(getPhase(c.pod, c.statuses, c.terminal ?? false), c.want, c.name);
});

test('ContainersReady / Ready conditions with kubelet reasons and messages', () => {
  const p = pod(['web', 'side']);
  assert.deepEqual(containersReadyCondition(p, [running('web', false), running('side', false)], 'Running'), {
    type: 'ContainersReady',
    status: 'False',
    reason: 'ContainersNotReady',
    message: 'containers with unready status: [web side]',
  });
  assert.deepEqual(containersReadyCondition(p, [running('web', false)], 'Running'), {
    type: 'ContainersReady',
    status: 'False',
    reason: 'ContainersNotReady',
    message: 'containers with unknown status: [side], containers with unready status: [web]',
  });
  assert.deepEqual(podReadyCondition(p, [], [running('web'), running('side')], 'Running'), {
    type: 'Ready',
    status: 'True',
  });
  assert.deepEqual(containersReadyCondition(p, [terminated('web', 0), terminated('side', 0)], 'Succeeded'), {
    type: 'ContainersReady',
    status: 'False',
    reason: 'PodCompleted',
  });
  assert.equal(containersReadyCondition(p, [], 'Failed').reason, 'PodFailed');
  const gated: Pod = {
    ...p,
    spec: { ...p.spec, containers: p.spec?.containers ?? [], readinessGates: [{ conditionType: 'x/y' }] },
  };
  assert.deepEqual(podReadyCondition(gated, [], [running('web'), running('side')], 'Running'), {
    type: 'Ready',
    status: 'False',
    reason: 'ReadinessGatesNotReady',
    message: 'corresponding condition of pod readiness gate "x/y" does not exist.',
  });
});

test('Initialized condition', () => {
  const p = pod(['a'], { init: ['i1', 'i2'] });
  assert.deepEqual(initializedCondition(p, [terminated('i1', 0, true), running('i2', false)], 'Pending'), {
    type: 'Initialized',
    status: 'False',
    reason: 'ContainersNotInitialized',
    message: 'containers with incomplete status: [i2]',
  });
  assert.deepEqual(
    initializedCondition(p, [terminated('i1', 0, true), terminated('i2', 0, true)], 'Pending'),
    {
      type: 'Initialized',
      status: 'True',
    },
  );
  assert.deepEqual(initializedCondition(pod(['a']), [], 'Pending'), { type: 'Initialized', status: 'True' });
});

test('qosClass', () => {
  const withRes = (resources: object[]): Pod => ({
    spec: { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) },
  });
  assert.equal(qosClass(withRes([{}])), 'BestEffort');
  assert.equal(qosClass(withRes([{ requests: { cpu: '100m' } }])), 'Burstable');
  assert.equal(qosClass(withRes([{ limits: { cpu: '1', memory: '1Gi' } }])), 'Guaranteed');
  assert.equal(
    qosClass(
      withRes([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } }]),
    ),
    'Guaranteed',
  );
  assert.equal(qosClass(withRes([{ limits: { cpu: '1', memory: '1Gi' } }, {}])), 'Burstable');
  assert.equal(
    qosClass(withRes([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } }])),
    'Burstable',
  );
});

test('generatePodStatus: order of conditions, IPs, preserved conditions and transition times', () => {
  const p: Pod = {
    ...pod(['web']),
    status: {
      phase: 'Pending',
      startTime: '2024-01-01T00:00:00Z',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' },
        { type: 'example.com/gate', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' },
        { type: 'Ready', status: 'False', lastTransitionTime: '2024-01-01T00:00:01Z' },
      ],
    },
  };
  const now = Date.UTC(2024, 0, 1, 0, 1, 0);
  const s = generatePodStatus({
    pod: p,
    initContainerStatuses: [],
    containerStatuses: [running('web', false)],
    podIPs: ['127.244.0.2'],
    hostIPs: ['127.0.0.1'],
    sandboxReady: true,
    podIsTerminal: false,
    startTime: now,
    now,
  });
  assert.equal(s.phase, 'Running');
  assert.deepEqual(
    s.conditions?.map((c) => c.type),
    [
      'example.com/gate',
      'PodReadyToStartContainers',
      'Initialized',
      'Ready',
      'ContainersReady',
      'PodScheduled',
    ],
  );
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  assert.equal(
    ready?.lastTransitionTime,
    '2024-01-01T00:00:01Z',
    'unchanged status keeps its transition time',
  );
  assert.equal(ready?.message, 'containers with unready status: [web]');
  assert.equal(
    s.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime,
    '2024-01-01T00:00:00Z',
  );
  assert.equal(
    s.conditions?.find((c) => c.type === 'Initialized')?.lastTransitionTime,
    '2024-01-01T00:01:00Z',
  );
  assert.equal(s.podIP, '127.244.0.2');
  assert.deepEqual(s.podIPs, [{ ip: '127.244.0.2' }]);
  assert.equal(s.hostIP, '127.0.0.1');
  assert.deepEqual(s.hostIPs, [{ ip: '127.0.0.1' }]);
  assert.equal(s.startTime, '2024-01-01T00:00:00Z');
  assert.equal(s.qosClass, 'BestEffort');
});

test('generatePodStatus never leaves a terminal phase', () => {
  const p: Pod = { ...pod(['web'], { restartPolicy: 'Never' }), status: { phase: 'Succeeded' } };
  const s = generatePodStatus({
    pod: p,
    initContainerStatuses: [],
    containerStatuses: [waiting('web')],
    podIPs: [],
    hostIPs: [],
    sandboxReady: false,
    podIsTerminal: false,
    now: 0,
  });
  assert.equal(s.phase, 'Succeeded');
});

test('generatePodStatus keeps a pod’s IPs when it holds none (before its claim, rejected)', () => {
  const p: Pod = {
    ...pod(['web']),
    status: { phase: 'Running', podIP: '127.244.0.7', podIPs: [{ ip: '127.244.0.7' }] },
  };
  const input = {
    pod: p,
    initContainerStatuses: [],
    containerStatuses: [running('web')],
    hostIPs: ['127.0.0.1'],
    sandboxReady: true,
    podIsTerminal: false,
    now: 0,
  };
  const kept = generatePodStatus({ ...input, podIPs: [] });
  assert.equal(kept.podIP, '127.244.0.7');
  assert.deepEqual(kept.podIPs, [{ ip: '127.244.0.7' }]);
  // Only podIP set (an older writer): it is kept too, as both fields.
  const s = generatePodStatus({ ...input, pod: { ...p, status: { podIP: '127.244.0.7' } }, podIPs: [] });
  assert.deepEqual([s.podIP, s.podIPs], ['127.244.0.7', [{ ip: '127.244.0.7' }]]);
  const none = generatePodStatus({ ...input, pod: { ...p, status: {} }, podIPs: [] });
  assert.deepEqual([none.podIP, none.podIPs], [undefined, undefined]);
});

test('generatePodStatus of a rejected pod: Failed with the reason and message', () => {
  const p: Pod = { ...pod(['web']), status: { phase: 'Running', reason: 'Old', message: 'old' } };
  const s = generatePodStatus({
    pod: p,
    initContainerStatuses: [],
    containerStatuses: [waiting('web')],
    podIPs: [],
    hostIPs: [],
    sandboxReady: false,
    podIsTerminal: false,
    now: 0,
    rejected: { reason: 'PodIPClaimFailed', message: 'Pod was rejected: no' },
  });
  assert.equal(s.phase, 'Failed');
  assert.equal(s.reason, 'PodIPClaimFailed');
  assert.equal(s.message, 'Pod was rejected: no');
  assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodFailed');
});
