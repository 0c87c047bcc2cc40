/** Pod rows: upstream printPod, the STATUS/READY/RESTARTS logic of `kubectl get pods`. */
import type { Container, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../registry/strategy.js';
import { AGE_COLUMN, column, DOC, NAME_COLUMN } from './columns.js';
import { humanDuration, parseTime, translateTimestampSince } from './duration.js';
import type { TableConvertor, TableRowCondition } from './types.js';

/** node.NodeUnreachablePodReason: the node controller marks pods of lost nodes with it. */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

/** A sidecar: an init container that keeps running (restartPolicy Always). */
function isRestartableInitContainer(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function hasCondition(status: PodStatus, type: string): boolean {
  return (status.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** isPodInitializedConditionTrue: the first Initialized condition decides. */
function isInitialized(status: PodStatus): boolean {
  const cond = (status.conditions ?? []).find((c) => c.type === 'Initialized');
  return cond?.status === 'True';
}

/** When the container last terminated (epoch ms), if it ever did. */
function lastTermination(cs: ContainerStatus): number | undefined {
  return cs.lastState?.terminated ? parseTime(cs.lastState.terminated.finishedAt) : undefined;
}

/** Keeps the later of two restart times; undefined is Go's zero time. */
function later(a: number | undefined, b: number | undefined): number | undefined {
  if (b === undefined) return a;
  return a === undefined || a < b ? b : a;
}

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  lastRestart: number | undefined;
}

/** READY, STATUS and RESTARTS as upstream derives them from spec and status. */
export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const initSpecs = spec.initContainers ?? [];
  let total = (spec.containers ?? []).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  let reason = status.phase ?? '';
  if (status.reason) reason = status.reason;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initByName = new Map<string, Container>();
  for (const c of initSpecs) {
    initByName.set(c.name, c);
    if (isRestartableInitContainer(c)) total++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    const sidecar = isRestartableInitContainer(initByName.get(cs.name));
    restarts += cs.restartCount ?? 0;
    lastRestart = later(lastRestart, lastTermination(cs));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, lastTermination(cs));
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (terminated) {
      // Initialization failed.
      if (!terminated.reason) {
        reason = terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isInitialized(status)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Backwards, so the first container's state is the one that wins.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts += cs.restartCount ?? 0;
      lastRestart = later(lastRestart, lastTermination(cs));
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A container still running means the pod is not done, whatever the others say.
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(status, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp) {
    const phase = status.phase;
    if (status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
    else if (phase !== 'Failed' && phase !== 'Succeeded') reason = 'Terminating';
  }

  return { ready, total, reason, restarts, lastRestart };
}

/** `3`, or `3 (5m ago)` when the last restart time is known. */
function restartsCell(s: PodSummary, now: Date): string {
  if (s.restarts !== 0 && s.lastRestart !== undefined) {
    return `${s.restarts} (${humanDuration(now.getTime() - s.lastRestart)} ago)`;
  }
  return String(s.restarts);
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  let trueConditions = 0;
  for (const gate of gates) {
    const cond = conditions.find((c) => c.type === gate.conditionType);
    if (cond?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

export const podConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE_COLUMN,
    column('IP', 'string', DOC.podIP, { priority: 1 }),
    column('Node', 'string', DOC.nodeName, { priority: 1 }),
    column('Nominated Node', 'string', DOC.nominatedNodeName, { priority: 1 }),
    column('Readiness Gates', 'string', DOC.readinessGates, { priority: 1 }),
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const pod = obj as Pod;
    const s = summarizePod(pod);
    // Decoding makes a lone status.podIP the primary of podIPs.
    const podIP = pod.status?.podIP || pod.status?.podIPs?.[0]?.ip || '<none>';
    return [
      [
        pod.metadata?.name ?? '',
        `${s.ready}/${s.total}`,
        s.reason,
        restartsCell(s, now),
        translateTimestampSince(pod.metadata?.creationTimestamp, now),
        podIP,
        pod.spec?.nodeName || '<none>',
        pod.status?.nominatedNodeName || '<none>',
        readinessGates(pod),
      ],
    ];
  },
  conditions(obj: KubeObject): TableRowCondition[] | undefined {
    switch ((obj as Pod).status?.phase) {
      case 'Succeeded':
        return [
          {
            type: 'Completed',
            status: 'True',
            reason: 'Succeeded',
            message: 'The pod has completed successfully.',
          },
        ];
      case 'Failed':
        return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
      default:
        return undefined;
    }
  },
};
