/**
 * The pod status kubelet generates (kubelet_pods.go generateAPIPodStatus,
 * getPhase; status/generate.go conditions; qos.GetPodQOS), as a pure
 * function of the pod and its container statuses. The pod worker builds the
 * container statuses; everything derived from them lives here.
 */
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { podQOSClass } from '../k8s/quantity.js';
import { rfc3339 } from './timefmt.js';

/** Conditions kubelet owns; others (readiness gates, DisruptionTarget...) are preserved. */
const KUBELET_CONDITIONS = new Set([
  'PodScheduled',
  'Ready',
  'Initialized',
  'ContainersReady',
  'PodReadyToStartContainers',
]);

export const isRestartableInit = (c: Container): boolean => c.restartPolicy === 'Always';

const isTerminalPhase = (p: string | undefined): boolean => p === 'Succeeded' || p === 'Failed';

const statusOf = (statuses: ContainerStatus[], name: string): ContainerStatus | undefined =>
  statuses.find((s) => s.name === name);

/** Go prints a []string with %s as `[a b]`. */
const goList = (names: string[]): string => `[${names.join(' ')}]`;

function hasAnyRegularContainerStarted(pod: Pod, statuses: ContainerStatus[]): boolean {
  return (pod.spec?.containers ?? []).some((c) => {
    const s = statusOf(statuses, c.name);
    return (
      !!s &&
      (s.state?.running !== undefined || s.state?.terminated !== undefined || !!s.lastState?.terminated)
    );
  });
}

/** kubelet's getPhase: the phase from the container statuses (init and regular together). */
export function getPhase(pod: Pod, statuses: ContainerStatus[], podIsTerminal: boolean): string {
  const spec = pod.spec;
  const initContainers = spec?.initContainers ?? [];
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const c of initContainers) {
    if (isRestartableInit(c)) continue;
    const s = statusOf(statuses, c.name);
    if (!s) {
      pendingInitialization++;
    } else if (s.state?.running) {
      pendingInitialization++;
    } else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else {
        pendingInitialization++;
      }
    } else {
      pendingInitialization++;
    }
  }

  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of initContainers) {
    if (!isRestartableInit(c)) continue;
    const s = statusOf(statuses, c.name);
    if (!s) {
      unknown++;
    } else if (s.state?.running) {
      if (!s.started) pendingInitialization++;
      running++;
    } else if (s.state?.terminated) {
      // Terminated sidecars do not count for the phase.
    } else if (s.state?.waiting) {
      if (!s.lastState?.terminated) {
        pendingInitialization++;
        waiting++;
      }
    } else {
      pendingInitialization++;
      unknown++;
    }
  }
  for (const c of spec?.containers ?? []) {
    const s = statusOf(statuses, c.name);
    if (!s) {
      unknown++;
    } else if (s.state?.running) {
      running++;
    } else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else {
      unknown++;
    }
  }

  const restartPolicy = spec?.restartPolicy ?? 'Always';
  if (failedInitialization > 0 && restartPolicy === 'Never') return 'Failed';
  if ((pendingInitialization > 0 && !hasAnyRegularContainerStarted(pod, statuses)) || waiting > 0)
    return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

type Cond = Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>;

/** status/generate.go GenerateContainersReadyCondition. */
export function containersReadyCondition(pod: Pod, statuses: ContainerStatus[], phase: string): Cond {
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (c: Container) => {
    const s = statusOf(statuses, c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  };
  for (const c of pod.spec?.initContainers ?? []) if (isRestartableInit(c)) check(c);
  for (const c of pod.spec?.containers ?? []) check(c);
  if ((phase === 'Succeeded' && unknown.length === 0) || phase === 'Failed') {
    return {
      type: 'ContainersReady',
      status: 'False',
      reason: phase === 'Failed' ? 'PodFailed' : 'PodCompleted',
    };
  }
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${goList(unready)}`);
  if (msgs.length) {
    return {
      type: 'ContainersReady',
      status: 'False',
      reason: 'ContainersNotReady',
      message: msgs.join(', '),
    };
  }
  return { type: 'ContainersReady', status: 'True' };
}

/** status/generate.go GeneratePodReadyCondition (with readiness gates). */
export function podReadyCondition(
  pod: Pod,
  conditions: PodCondition[],
  statuses: ContainerStatus[],
  phase: string,
): Cond {
  const cr = containersReadyCondition(pod, statuses, phase);
  if (cr.status !== 'True') return { ...cr, type: 'Ready' };
  const msgs: string[] = [];
  for (const rg of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === rg.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${rg.conditionType}" does not exist.`);
    else if (c.status !== 'True') {
      msgs.push(`the status of pod readiness gate "${rg.conditionType}" is not "True", but ${c.status}`);
    }
  }
  if (msgs.length)
    return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') };
  return { type: 'Ready', status: 'True' };
}

/** status/generate.go GeneratePodInitializedCondition. */
export function initializedCondition(pod: Pod, statuses: ContainerStatus[], phase: string): Cond {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    const s = statusOf(statuses, c.name);
    if (!s) {
      unknown.push(c.name);
      continue;
    }
    const done = isRestartableInit(c) ? !!s.started : s.ready;
    if (!done) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) {
    return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  }
  if (hasAnyRegularContainerStarted(pod, statuses)) return { type: 'Initialized', status: 'True' };
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (msgs.length) {
    return {
      type: 'Initialized',
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: msgs.join(', '),
    };
  }
  return { type: 'Initialized', status: 'True' };
}

/** qos.GetPodQOS of a pod. */
export const qosClass = (pod: Pod) => podQOSClass(pod.spec);

export interface PodStatusInput {
  pod: Pod;
  initContainerStatuses: ContainerStatus[];
  containerStatuses: ContainerStatus[];
  podIPs: string[];
  hostIPs: string[];
  /** The pod's "sandbox" (its IP) is set up. */
  sandboxReady: boolean;
  /** The pod is done: deleted, or finished under its restart policy; containers won't restart. */
  podIsTerminal: boolean;
  /** When the agent first accepted the pod (ms). */
  startTime?: number;
  now: number;
  /** The agent cannot run the pod (kubelet's rejectPod): phase Failed with this reason and message. */
  rejected?: { reason: string; message: string };
}

/** generateAPIPodStatus: the whole status kubelet writes to pods/<name>/status. */
export function generatePodStatus(input: PodStatusInput): PodStatus {
  const { pod, now } = input;
  const old = pod.status ?? {};
  const all = [...input.containerStatuses, ...input.initContainerStatuses];
  let phase = input.rejected ? 'Failed' : getPhase(pod, all, input.podIsTerminal);
  // Pods never leave a terminal phase.
  if (!isTerminalPhase(phase) && isTerminalPhase(old.phase)) phase = old.phase as string;

  const conditions: PodCondition[] = (old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const generated: Cond[] = [
    { type: 'PodReadyToStartContainers', status: input.sandboxReady ? 'True' : 'False' },
    initializedCondition(pod, all, phase),
  ];
  generated.push(podReadyCondition(pod, conditions, all, phase));
  generated.push(containersReadyCondition(pod, all, phase));
  generated.push({ type: 'PodScheduled', status: 'True' });
  for (const c of generated) conditions.push(withTransitionTime(c, old.conditions ?? [], now));

  const status: PodStatus = { phase, conditions };
  if (input.rejected) {
    status.reason = input.rejected.reason;
    status.message = input.rejected.message;
  } else if (phase === old.phase) {
    if (old.reason) status.reason = old.reason;
    if (old.message) status.message = old.message;
  }
  if (input.hostIPs.length) {
    status.hostIP = input.hostIPs[0];
    status.hostIPs = input.hostIPs.map((ip) => ({ ip }));
  }
  // A pod whose address is not (or no longer) held keeps the IPs its status gave (as kubelet when the
  // sandbox is gone): a status write never takes a pod's IP away. The pod worker never changes one it holds.
  const podIPs = input.podIPs.length
    ? input.podIPs
    : old.podIPs?.length
      ? old.podIPs.flatMap((p) => (p.ip ? [p.ip] : []))
      : old.podIP
        ? [old.podIP]
        : [];
  if (podIPs.length) {
    status.podIP = podIPs[0];
    status.podIPs = podIPs.map((ip) => ({ ip }));
  }
  const start = old.startTime ?? (input.startTime !== undefined ? rfc3339(input.startTime) : undefined);
  if (start) status.startTime = start;
  if (input.initContainerStatuses.length) status.initContainerStatuses = input.initContainerStatuses;
  status.containerStatuses = input.containerStatuses;
  status.qosClass = qosClass(pod);
  return status;
}

/** The status manager keeps a condition's lastTransitionTime while its status is unchanged. */
function withTransitionTime(c: Cond, old: PodCondition[], now: number): PodCondition {
  const prev = old.find((o) => o.type === c.type);
  const lastTransitionTime =
    prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now);
  const out: PodCondition = { type: c.type, status: c.status, lastTransitionTime };
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  return out;
}
