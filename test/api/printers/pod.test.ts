import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { tableConvertorFor } from '../../../src/api/printers/index.js';
import { ago, DAY, MINUTE, NOW, SECOND } from './helpers.js';

const printer = tableConvertorFor('', 'Pod');

const containers = (n: number): Container[] => Array.from({ length: n }, (_, i) => ({ name: `c${i}` }));
const sidecar = (name: string): Container => ({ name, restartPolicy: 'Always' });
const running = { running: { startedAt: ago(DAY) } };
const waiting = (reason?: string) => ({ waiting: reason ? { reason } : {} });
const terminated = (t: { reason?: string; exitCode?: number; signal?: number }) => ({
  terminated: { exitCode: 0, ...t },
});
const lastRestart = (msAgo: number) => ({ terminated: { exitCode: 1, finishedAt: ago(msAgo) } });

function cs(name: string, s: Partial<ContainerStatus>): ContainerStatus {
  return { name, image: 'img', imageID: '', ready: false, restartCount: 0, ...s };
}

function pod(spec: Partial<Pod['spec']>, status: Pod['status'], meta: Pod['metadata'] = {}): Pod {
  return {
    metadata: { name: 'p', ...meta },
    spec: { containers: containers(1), ...spec },
    status,
  };
}

/** NAME READY STATUS RESTARTS AGE of the row. */
const narrow = (p: Pod) => printer.rows(p, NOW)[0]!.slice(0, 5);

describe('Pod columns', () => {
  it('match upstream: 5 standard and 4 wide', () => {
    assert.deepEqual(
      printer.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Ready', 'string', 0],
        ['Status', 'string', 0],
        ['Restarts', 'string', 0],
        ['Age', 'string', 0],
        ['IP', 'string', 1],
        ['Node', 'string', 1],
        ['Nominated Node', 'string', 1],
        ['Readiness Gates', 'string', 1],
      ],
    );
  });
});

describe('Pod READY/STATUS/RESTARTS', () => {
  const deleted = { name: 'p', deletionTimestamp: ago(10 * SECOND) };
  const cases: { name: string; pod: Pod; want: [string, string, string] }[] = [
    {
      name: 'phase, ready count and summed restarts',
      pod: pod(
        { containers: containers(2) },
        {
          phase: 'podPhase',
          containerStatuses: [
            cs('c0', { ready: true, restartCount: 3, state: running }),
            cs('c1', { restartCount: 3 }),
          ],
        },
      ),
      want: ['1/2', 'podPhase', '6'],
    },
    {
      name: 'a waiting reason overrides the phase',
      pod: pod(
        { containers: containers(2) },
        {
          phase: 'podPhase',
          containerStatuses: [
            cs('c0', { ready: true, restartCount: 3, state: running }),
            cs('c1', { restartCount: 3, state: waiting('ContainerWaitingReason') }),
          ],
        },
      ),
      want: ['1/2', 'ContainerWaitingReason', '6'],
    },
    {
      name: 'the first container wins over the later ones',
      pod: pod(
        { containers: containers(2) },
        {
          phase: 'podPhase',
          containerStatuses: [
            cs('c0', { restartCount: 3, state: waiting('ContainerWaitingReason') }),
            cs('c1', { restartCount: 3, state: terminated({ reason: 'ContainerTerminatedReason' }) }),
          ],
        },
      ),
      want: ['0/2', 'ContainerWaitingReason', '6'],
    },
    {
      name: 'ready without running is not counted',
      pod: pod(
        { containers: containers(2) },
        {
          phase: 'podPhase',
          containerStatuses: [
            cs('c0', { ready: true, restartCount: 3, state: running }),
            cs('c1', { ready: true, restartCount: 3 }),
          ],
        },
      ),
      want: ['1/2', 'podPhase', '6'],
    },
    {
      name: 'status.reason overrides the phase',
      pod: pod({}, { phase: 'Running', reason: 'Evicted' }),
      want: ['0/1', 'Evicted', '0'],
    },
    {
      name: 'Completed with a container still running and no Ready condition is NotReady',
      pod: pod(
        { containers: containers(2) },
        {
          phase: 'Running',
          containerStatuses: [
            cs('c0', { ready: true, restartCount: 3, state: terminated({ reason: 'Completed' }) }),
            cs('c1', { ready: true, restartCount: 3, state: running }),
          ],
        },
      ),
      want: ['1/2', 'NotReady', '6'],
    },
    {
      name: 'Completed with a container still running and Ready is Running',
      pod: pod(
        { containers: containers(2) },
        {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            cs('c0', { ready: true, restartCount: 3, state: terminated({ reason: 'Completed' }) }),
            cs('c1', { ready: true, restartCount: 3, state: running }),
          ],
        },
      ),
      want: ['1/2', 'Running', '6'],
    },
    {
      name: 'terminated without reason shows the signal',
      pod: pod(
        {},
        {
          phase: 'Running',
          containerStatuses: [cs('c0', { state: terminated({ signal: 9, exitCode: 137 }) })],
        },
      ),
      want: ['0/1', 'Signal:9', '0'],
    },
    {
      name: 'terminated without reason or signal shows the exit code',
      pod: pod(
        {},
        { phase: 'Running', containerStatuses: [cs('c0', { state: terminated({ exitCode: 2 }) })] },
      ),
      want: ['0/1', 'ExitCode:2', '0'],
    },
    {
      name: 'CrashLoopBackOff with the last restart age',
      pod: pod(
        {},
        {
          phase: 'Running',
          containerStatuses: [
            cs('c0', {
              restartCount: 5,
              state: waiting('CrashLoopBackOff'),
              lastState: lastRestart(2 * MINUTE),
            }),
          ],
        },
      ),
      want: ['0/1', 'CrashLoopBackOff', '5 (2m ago)'],
    },
    {
      name: 'restart age is the latest over all containers',
      pod: pod(
        { containers: containers(2) },
        {
          phase: 'Running',
          containerStatuses: [
            cs('c0', { ready: true, restartCount: 6, state: running, lastState: lastRestart(5 * DAY) }),
            cs('c1', { ready: true, restartCount: 3, state: running, lastState: lastRestart(20 * DAY) }),
          ],
        },
      ),
      want: ['2/2', 'Running', '9 (5d ago)'],
    },
    {
      name: 'restarts without a termination time show no age',
      pod: pod(
        {},
        { phase: 'Running', containerStatuses: [cs('c0', { ready: true, restartCount: 2, state: running })] },
      ),
      want: ['1/1', 'Running', '2'],
    },
    {
      name: 'SchedulingGated',
      pod: pod(
        { containers: containers(2) },
        {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
        },
      ),
      want: ['0/2', 'SchedulingGated', '0'],
    },
    {
      name: 'unscheduled Pending pod',
      pod: pod({}, { phase: 'Pending' }),
      want: ['0/1', 'Pending', '0'],
    },
    {
      name: 'ContainerCreating',
      pod: pod(
        {},
        { phase: 'Pending', containerStatuses: [cs('c0', { state: waiting('ContainerCreating') })] },
      ),
      want: ['0/1', 'ContainerCreating', '0'],
    },
    {
      name: 'Succeeded shows Completed',
      pod: pod(
        {},
        { phase: 'Succeeded', containerStatuses: [cs('c0', { state: terminated({ reason: 'Completed' }) })] },
      ),
      want: ['0/1', 'Completed', '0'],
    },
    {
      name: 'Failed shows the container reason',
      pod: pod(
        {},
        {
          phase: 'Failed',
          containerStatuses: [cs('c0', { state: terminated({ reason: 'Error', exitCode: 1 }) })],
        },
      ),
      want: ['0/1', 'Error', '0'],
    },
    {
      name: 'a deleted Succeeded pod stays Completed',
      pod: pod(
        {},
        { phase: 'Succeeded', containerStatuses: [cs('c0', { state: terminated({ reason: 'Completed' }) })] },
        deleted,
      ),
      want: ['0/1', 'Completed', '0'],
    },
    {
      name: 'a deleted running pod is Terminating',
      pod: pod(
        {},
        { phase: 'Running', containerStatuses: [cs('c0', { ready: true, state: running })] },
        deleted,
      ),
      want: ['1/1', 'Terminating', '0'],
    },
    {
      name: 'a deleted pod on a lost node is Unknown',
      pod: pod(
        {},
        {
          phase: 'Running',
          reason: 'NodeLost',
          containerStatuses: [cs('c0', { ready: true, state: running })],
        },
        deleted,
      ),
      want: ['1/1', 'Unknown', '0'],
    },
    {
      name: 'NodeLost without deletion shows the reason',
      pod: pod({}, { phase: 'Running', reason: 'NodeLost' }),
      want: ['0/1', 'NodeLost', '0'],
    },
    {
      name: 'init container running: Init:0/1, init restarts only',
      pod: pod(
        { initContainers: containers(1) },
        {
          phase: 'Pending',
          initContainerStatuses: [
            cs('c0', { restartCount: 3, state: running, lastState: lastRestart(10 * SECOND) }),
          ],
          containerStatuses: [cs('c0', { restartCount: 0, state: waiting() })],
        },
      ),
      want: ['0/1', 'Init:0/1', '3 (10s ago)'],
    },
    {
      name: 'two init containers, the first still running: Init:0/2',
      pod: pod(
        { initContainers: containers(2) },
        {
          phase: 'Pending',
          initContainerStatuses: [
            cs('c0', { restartCount: 3, state: running, lastState: lastRestart(10 * SECOND) }),
            cs('c1', { state: waiting() }),
          ],
          containerStatuses: [cs('c0', { state: waiting() })],
        },
      ),
      want: ['0/1', 'Init:0/2', '3 (10s ago)'],
    },
    {
      name: 'first init container done, second restarting: Init:1/2 with both restarts',
      pod: pod(
        { initContainers: containers(2) },
        {
          phase: 'Pending',
          initContainerStatuses: [
            cs('c0', { restartCount: 2, state: terminated({}), lastState: lastRestart(2 * MINUTE) }),
            cs('c1', { restartCount: 3, state: running, lastState: lastRestart(10 * SECOND) }),
          ],
          containerStatuses: [cs('c0', { state: waiting() })],
        },
      ),
      want: ['0/1', 'Init:1/2', '5 (10s ago)'],
    },
    {
      name: 'init done: init restarts no longer count',
      pod: pod(
        { initContainers: containers(1) },
        {
          phase: 'Running',
          initContainerStatuses: [
            cs('c0', { restartCount: 2, state: terminated({}), lastState: lastRestart(2 * MINUTE) }),
          ],
          containerStatuses: [
            cs('c0', { restartCount: 4, state: running, lastState: lastRestart(20 * SECOND) }),
          ],
        },
      ),
      want: ['0/1', 'Running', '4 (20s ago)'],
    },
    {
      name: 'init container failed with a reason',
      pod: pod(
        { initContainers: containers(1) },
        {
          phase: 'Pending',
          initContainerStatuses: [cs('c0', { state: terminated({ reason: 'Error', exitCode: 1 }) })],
        },
      ),
      want: ['0/1', 'Init:Error', '0'],
    },
    {
      name: 'init container failed by signal',
      pod: pod(
        { initContainers: containers(1) },
        {
          phase: 'Pending',
          initContainerStatuses: [cs('c0', { state: terminated({ exitCode: 137, signal: 9 }) })],
        },
      ),
      want: ['0/1', 'Init:Signal:9', '0'],
    },
    {
      name: 'init container failed with an exit code',
      pod: pod(
        { initContainers: containers(1) },
        { phase: 'Pending', initContainerStatuses: [cs('c0', { state: terminated({ exitCode: 3 }) })] },
      ),
      want: ['0/1', 'Init:ExitCode:3', '0'],
    },
    {
      name: 'init container waiting with a reason',
      pod: pod(
        { initContainers: containers(1) },
        { phase: 'Pending', initContainerStatuses: [cs('c0', { state: waiting('ImagePullBackOff') })] },
      ),
      want: ['0/1', 'Init:ImagePullBackOff', '0'],
    },
    {
      name: 'init container waiting with PodInitializing counts as not started',
      pod: pod(
        { initContainers: containers(2) },
        {
          phase: 'Pending',
          initContainerStatuses: [
            cs('c0', { state: terminated({}) }),
            cs('c1', { state: waiting('PodInitializing') }),
          ],
        },
      ),
      want: ['0/1', 'Init:1/2', '0'],
    },
    {
      name: 'with Initialized true, containers are still counted after an init failure',
      pod: pod(
        { initContainers: containers(1) },
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [cs('c0', { state: terminated({ reason: 'Error', exitCode: 1 }) })],
          containerStatuses: [cs('c0', { ready: true, state: running })],
        },
      ),
      want: ['1/1', 'Init:Error', '0'],
    },
    {
      name: 'started sidecar counts in READY and does not block init',
      pod: pod(
        { initContainers: [sidecar('proxy'), { name: 'setup' }], containers: containers(1) },
        {
          phase: 'Pending',
          initContainerStatuses: [
            cs('proxy', {
              started: true,
              ready: true,
              restartCount: 1,
              state: running,
              lastState: lastRestart(MINUTE),
            }),
            cs('setup', { state: running }),
          ],
          containerStatuses: [cs('c0', { state: waiting('PodInitializing') })],
        },
      ),
      want: ['1/2', 'Init:1/2', '1 (60s ago)'],
    },
    {
      name: 'sidecar not started yet blocks init',
      pod: pod(
        { initContainers: [sidecar('proxy')], containers: containers(1) },
        { phase: 'Pending', initContainerStatuses: [cs('proxy', { started: false, state: running })] },
      ),
      want: ['0/2', 'Init:0/1', '0'],
    },
    {
      name: 'running pod with a sidecar: sidecar restarts and readiness count',
      pod: pod(
        { initContainers: [sidecar('proxy')], containers: containers(1) },
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [
            cs('proxy', {
              started: true,
              ready: true,
              restartCount: 2,
              state: running,
              lastState: lastRestart(3 * DAY),
            }),
          ],
          containerStatuses: [
            cs('c0', { ready: true, restartCount: 1, state: running, lastState: lastRestart(DAY) }),
          ],
        },
      ),
      want: ['2/2', 'Running', '3 (24h ago)'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(narrow(c.pod), ['p', ...c.want, '<unknown>']));
  }
});

describe('Pod wide columns', () => {
  const cases: { name: string; pod: Pod; want: string[] }[] = [
    {
      name: 'nothing assigned',
      pod: pod({}, { phase: 'Pending' }),
      want: ['<none>', '<none>', '<none>', '<none>'],
    },
    {
      name: 'IP, node, nominated node',
      pod: pod(
        { nodeName: 'node-1' },
        {
          phase: 'Running',
          podIP: '10.244.1.5',
          podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }],
          nominatedNodeName: 'node-2',
        },
      ),
      want: ['10.244.1.5', 'node-1', 'node-2', '<none>'],
    },
    {
      name: 'podIPs alone',
      pod: pod({ nodeName: 'node-1' }, { phase: 'Running', podIPs: [{ ip: 'fd00::6' }] }),
      want: ['fd00::6', 'node-1', '<none>', '<none>'],
    },
    {
      name: 'readiness gates: first matching condition decides',
      pod: pod(
        {
          readinessGates: [
            { conditionType: 'example.com/a' },
            { conditionType: 'example.com/b' },
            { conditionType: 'example.com/c' },
          ],
        },
        {
          phase: 'Running',
          conditions: [
            { type: 'example.com/a', status: 'True' },
            { type: 'example.com/b', status: 'False' },
            { type: 'example.com/b', status: 'True' },
          ],
        },
      ),
      want: ['<none>', '<none>', '<none>', '1/3'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(printer.rows(c.pod, NOW)[0]!.slice(5), c.want));
  }

  it('age from the creation timestamp', () => {
    const p = pod({}, { phase: 'Running' }, { name: 'p', creationTimestamp: ago(3 * MINUTE + 5 * SECOND) });
    assert.equal(printer.rows(p, NOW)[0]![4], '3m5s');
  });
});

describe('Pod row conditions', () => {
  const cases: [string, unknown][] = [
    ['Running', undefined],
    ['Pending', undefined],
    [
      'Succeeded',
      [
        {
          type: 'Completed',
          status: 'True',
          reason: 'Succeeded',
          message: 'The pod has completed successfully.',
        },
      ],
    ],
    ['Failed', [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]],
  ];
  for (const [phase, want] of cases) {
    it(phase, () => assert.deepEqual(printer.conditions!(pod({}, { phase })), want));
  }
});
