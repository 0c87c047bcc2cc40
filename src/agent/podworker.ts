/**
 * One pod's life on the node, as kubelet's pod worker + SyncPod: an IP,
 * init containers in order (each to completion), then the containers, each
 * restarted per restartPolicy with crash-loop back-off; probes; a status
 * written whenever what kubelet would report changes; and termination
 * (preStop, SIGTERM, the grace period, SIGKILL, final status, DELETE with
 * grace 0). Each pod has its own worker; a slow pod never blocks another.
 */
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type {
  ConfigMap,
  Container,
  ContainerState,
  ContainerStateTerminated,
  ContainerStatus,
  Pod,
  PodStatus,
  Secret,
  Service,
} from 'kubernetes-types/core/v1.js';
import type { EventSink } from '../client/events.js';
import { errText } from '../lib/errors.js';
import { formatGoDurationMs } from '../lib/goduration.js';
import { jsonEqual } from '../lib/json.js';
import type { Logger } from '../lib/log.js';
import type { Backoff } from './backoff.js';
import { buildContainerEnv, expandArgs, podHostname } from './envvars.js';
import { runHook } from './hooks.js';
import type { ContainerRuntime, ExitStatus, RunningContainer } from './images/types.js';
import { StartError } from './images/types.js';
import { claimPodIPs, type PodIPAllocator, type PodIPClaim, type PodIPClaimResult } from './ipam.js';
import { ContainerLog } from './logs.js';
import { generatePodStatus, isRestartableInit } from './podstatus.js';
import { PodVolumes } from './podvolumes.js';
import { type ProbeKind, ProbeRunner } from './probe.js';
import { type ProbeTarget, runProbe } from './probecheck.js';
import { rfc3339 } from './timefmt.js';

/** kubelet's minimum grace after a preStop hook used up the period. */
const MIN_GRACE_MS = 2000;
/** How long to wait for a container to go after SIGKILL before giving up on it. */
const KILL_WAIT_MS = 10_000;
const DEFAULT_GRACE_S = 30;
/** The reason of a pod whose address cannot be claimed again (status, event). */
export const POD_IP_CLAIM_FAILED = 'PodIPClaimFailed';

export interface PodWorkerDeps {
  runtime: ContainerRuntime;
  events: EventSink;
  log: Logger;
  hostIPs: string[];
  /**
   * The pod IP allocator; undefined until the node has a podCIDR and the
   * agent has claimed the addresses of the pods it already runs.
   */
  ipam(): PodIPAllocator | undefined;
  services(): Service[];
  backoff: Backoff;
  clusterDomain: string;
  /** Writes pods/<name>/status. */
  writeStatus(pod: Pod, status: PodStatus): Promise<void>;
  /** DELETE pods/<name> with grace 0 and a uid precondition. */
  deletePod(pod: Pod): Promise<void>;
  now(): number;
  /** kubelet's --root-dir: pods' directories and volumes (podfs.ts); without it volumes are not written. */
  rootDir?: string;
  /** ConfigMaps and Secrets as the agent's caches hold them; absent: none exist. */
  configMap?(namespace: string, name: string): ConfigMap | undefined;
  secret?(namespace: string, name: string): Secret | undefined;
}

/** The env var that tells a process container where its pod's `/` is (volume mount paths are under it). */
export const POD_ROOT_ENV = 'SVCNET_POD_ROOT';
/** How soon volumes that could not be set up are tried again (an object's arrival retries at once). */
const VOLUME_RETRY_MS = 5000;

interface Instance {
  id: string;
  running: RunningContainer;
  startedAt: number;
  log: ContainerLog;
  env: Record<string, string>;
  /** Attached clients, given the container's output as it comes. */
  listeners: Set<OutputListener>;
  /** `reasonText` keeps an adopted state's reason (ContainerStatusUnknown...). */
  exit?: ExitStatus & { finishedAt: number; reasonText?: string };
  probes: ProbeRunner[];
  /** Passed its startup probe (or has none). */
  started: boolean;
  /** Readiness probe result (true when there is none). */
  readinessOK: boolean;
  killing?: Promise<void>;
  /** Shortens an in-progress kill's wait (a deletion with a smaller grace). */
  hurry?: () => void;
}

type OutputListener = (stream: 'stdout' | 'stderr', data: string) => void;

/** Why a container cannot be streamed to (kubelet's HTTP code and message). */
export interface StreamRefusal {
  code: number;
  message: string;
}

/** A running container's streams for attach (session.ts AttachTarget). */
export interface ContainerStreams {
  tty: boolean;
  stdin: boolean;
  stdinOnce: boolean;
  subscribe(listener: OutputListener): () => void;
  write(data: Buffer): boolean;
  onStdinDrain(listener: () => void): void;
  closeStdin(): void;
  resize(size: { width: number; height: number }): void;
  exited: Promise<unknown>;
}

interface Previous {
  id: string;
  state: ContainerStateTerminated;
  log: ContainerLog;
}

interface ContainerRecord {
  spec: Container;
  init: boolean;
  current?: Instance;
  previous?: Previous;
  restartCount: number;
  waiting?: { reason: string; message?: string };
  retryTimer?: NodeJS.Timeout;
  /** Restart whatever the restart policy (the spec changed). */
  forceRestart?: boolean;
  /** Start attempts that failed (for ErrImagePull → ImagePullBackOff). */
  failures: number;
}

const terminalPhase = (p: string | undefined): boolean => p === 'Succeeded' || p === 'Failed';

const signalNumber = (sig: string | undefined): number | undefined =>
  sig ? (osConstants.signals as Record<string, number>)[sig] : undefined;

export class PodWorker {
  pod: Pod;
  readonly uid: string;
  private readonly records = new Map<string, ContainerRecord>();
  /** The pod's IPs: its status's when adopted (claimed again before use), else the ones given. Set once. */
  private podIPs: string[] = [];
  /** podIPs are the pod's in the allocator (or the node's, host network): containers may use them. */
  private ipHeld = false;
  /** The pod's address cannot be claimed again: it is Failed with this, never given another. */
  private rejected: { reason: string; message: string } | undefined;
  private readonly startTime: number;
  private syncing = false;
  private again = false;
  private terminating: Promise<void> | undefined;
  /** All containers are gone after deletion (or the pod finished): nothing more runs. */
  private finished = false;
  private removed = false;
  /** The pod was already terminal when adopted: report nothing. */
  private readonly adoptedTerminal: boolean;
  private lastStatus: PodStatus | undefined;
  private writing: Promise<void> | undefined;
  private statusDirty = false;
  private readonly log: Logger;
  private readonly volumes: PodVolumes;
  /** Every volume was set up once: containers may start (later failures only warn). */
  private volumesReady = false;
  private volumeRetry: NodeJS.Timeout | undefined;
  /** The FailedMount messages already reported, so a retry does not repeat the event. */
  private mountErrors = new Set<string>();

  constructor(
    pod: Pod,
    private readonly deps: PodWorkerDeps,
  ) {
    this.pod = pod;
    this.uid = pod.metadata?.uid ?? '';
    this.volumes = new PodVolumes(deps.rootDir, this.uid);
    this.startTime = deps.now();
    this.log = deps.log.with({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` });
    this.adoptedTerminal = terminalPhase(pod.status?.phase);
    for (const c of pod.spec?.initContainers ?? []) this.records.set(c.name, this.newRecord(c, true));
    for (const c of pod.spec?.containers ?? []) this.records.set(c.name, this.newRecord(c, false));
    this.adopt(pod);
  }

  private get key(): string {
    return `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
  }

  /** kubelet's format.Pod: `name_namespace(uid)`. */
  private get podRef(): string {
    return `${this.pod.metadata?.name}_${this.pod.metadata?.namespace}(${this.uid})`;
  }

  private newRecord(spec: Container, init: boolean): ContainerRecord {
    return { spec, init, restartCount: 0, failures: 0 };
  }

  /**
   * A pod this node ran before the agent restarted: keep its IP, and treat
   * each container that had run as an instance that exited, so the restart
   * policy decides (restartCount + 1 when it restarts).
   */
  private adopt(pod: Pod): void {
    const st = pod.status;
    if (!st) return;
    // Claimed again before any container uses them (ipClaim, claimed); they never change.
    if (!terminalPhase(st.phase)) this.podIPs = statusIPs(pod);
    const now = this.deps.now();
    for (const cs of [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])]) {
      const rec = this.records.get(cs.name);
      if (!rec) continue;
      rec.restartCount = cs.restartCount ?? 0;
      const term: ContainerStateTerminated | undefined = cs.state?.running
        ? {
            exitCode: 137,
            reason: 'ContainerStatusUnknown',
            message:
              'The container could not be located when the pod was deleted.  The container used to be Running',
            startedAt: cs.state.running.startedAt,
            finishedAt: rfc3339(now),
          }
        : (cs.state?.terminated ?? cs.lastState?.terminated);
      if (!term) continue;
      const log = new ContainerLog();
      log.close();
      const id = (cs.containerID ?? term.containerID ?? '').replace(/^svcnet:\/\//, '') || newID();
      const finishedAt = term.finishedAt ? Date.parse(term.finishedAt) : now;
      rec.current = {
        id,
        running: { exited: new Promise(() => {}), kill() {} },
        startedAt: term.startedAt ? Date.parse(term.startedAt) : finishedAt,
        log,
        env: {},
        listeners: new Set(),
        exit: {
          exitCode: term.exitCode,
          reason: term.reason === 'Completed' ? 'Completed' : 'Error',
          ...(term.message ? { message: term.message } : {}),
          ...(term.reason ? { reasonText: term.reason } : {}),
          finishedAt,
        },
        probes: [],
        started: false,
        readinessOK: false,
      };
    }
  }

  /** A newer version of the pod from the informer. */
  update(pod: Pod): void {
    this.pod = pod;
    // Someone else changed what we report (the node lifecycle controller marks pods of a
    // silent node not ready): write ours again, as kubelet's status manager reconciles.
    const ready = (st?: PodStatus) => st?.conditions?.find((c) => c.type === 'Ready')?.status;
    if (
      this.lastStatus &&
      !this.writing &&
      (ready(pod.status) !== ready(this.lastStatus) || pod.status?.phase !== this.lastStatus.phase)
    )
      this.lastStatus = undefined;
    // An image change restarts the container, whatever the restart policy.
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      const rec = this.records.get(c.name);
      if (!rec) continue;
      if (rec.spec.image !== c.image && rec.current && !rec.current.exit && !this.terminating) {
        rec.forceRestart = true;
        this.event('Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`);
        void this.kill(rec, rec.current, this.graceMs(), false);
      }
      rec.spec = c;
    }
    this.kick();
  }

  /** Schedules a sync; syncs of one pod never overlap. */
  kick(): void {
    if (this.removed) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.sync();
        } while (this.again && !this.removed);
      } catch (err) {
        this.log.error(err, 'Pod sync failed');
      } finally {
        this.syncing = false;
      }
    })();
  }

  private async sync(): Promise<void> {
    if (this.removed || this.adoptedTerminal) {
      if (this.adoptedTerminal && this.pod.metadata?.deletionTimestamp && !this.terminating) {
        this.terminating = this.deleteFromAPI();
      }
      return;
    }
    if (this.pod.metadata?.deletionTimestamp) {
      this.terminating ??= this.terminate();
      this.hurryKills();
      this.reportStatus();
      return;
    }
    if (this.finished) {
      if (this.rejected) this.reportStatus();
      return;
    }
    if (!this.ensureIP()) {
      this.reportStatus();
      return;
    }
    // As kubelet's syncPod: the status before this round's container starts (Pending, ContainerCreating).
    this.reportStatus();
    // kubelet's WaitForAttachAndMount: no container starts before the volumes are there.
    if (!this.setUpVolumes()) return;
    const init = await this.syncInit();
    if (init === 'done') await this.syncContainers();
    const status = this.reportStatus();
    // A pod that reached a terminal phase stops here: sidecars go, the IP is freed.
    if (terminalPhase(status?.phase)) {
      this.finished = true;
      await Promise.all(
        [...this.records.values()].map((r) =>
          r.current ? this.kill(r, r.current, this.graceMs(), false) : undefined,
        ),
      );
      this.clearTimers();
      this.deps.ipam()?.release(this.uid);
      this.reportStatus();
    }
  }

  /** Writes the pod's volumes (again: updates reach them); false while they cannot all be set up the first time. */
  private setUpVolumes(): boolean {
    const ns = this.pod.metadata?.namespace ?? '';
    const failures = this.volumes.setUp(
      this.pod,
      {
        configMap: (name) => this.deps.configMap?.(ns, name),
        secret: (name) => this.deps.secret?.(ns, name),
      },
      this.deps.now(),
    );
    const seen = new Set<string>();
    for (const f of failures) {
      const message = `MountVolume.SetUp failed for volume ${JSON.stringify(f.volume)} : ${f.message}`;
      seen.add(message);
      if (!this.mountErrors.has(message)) this.event('Warning', 'FailedMount', message);
    }
    this.mountErrors = seen;
    if (failures.length === 0) {
      this.volumesReady = true;
      return true;
    }
    this.volumeRetry ??= setTimeout(() => {
      this.volumeRetry = undefined;
      this.kick();
    }, VOLUME_RETRY_MS);
    this.volumeRetry.unref?.();
    return this.volumesReady;
  }

  /**
   * A ConfigMap or Secret of the pod's namespace changed: volumes are written
   * again and containers waiting on a missing reference try again now.
   */
  sourcesChanged(): void {
    if (this.removed || this.finished) return;
    for (const rec of this.records.values()) {
      if (rec.waiting?.reason === 'CreateContainerConfigError' && rec.retryTimer) {
        clearTimeout(rec.retryTimer);
        rec.retryTimer = undefined;
      }
    }
    this.kick();
  }

  private ensureIP(): boolean {
    if (this.ipHeld) return true;
    if (this.rejected) return false;
    if (!this.podIPs.length) this.podIPs = statusIPs(this.pod);
    if (this.pod.spec?.hostNetwork) {
      // Host-network pods have the node's IPs, immutable once set (as kubelet).
      if (!this.podIPs.length) this.podIPs = [...this.deps.hostIPs];
      this.ipHeld = true;
      return true;
    }
    const ipam = this.deps.ipam();
    if (!ipam) return false;
    // An address the pod already has is claimed, never replaced (a pod the agent's startup claims did not cover).
    const claim = this.ipClaim();
    if (claim) {
      const result = claimPodIPs(ipam, [claim]).get(this.uid);
      if (result) this.claimed(result);
      return this.ipHeld;
    }
    try {
      this.podIPs = [ipam.allocate(this.uid, this.key)];
      this.ipHeld = true;
      return true;
    } catch (err) {
      const msg = errText(err);
      this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${msg}`);
      return false;
    }
  }

  /**
   * This pod's claim to the address it had before the agent started (its
   * status's, else the agent's record of it), or undefined when it has none
   * to claim: finished, host network, already held, or never given one.
   */
  ipClaim(recordedIP?: string): PodIPClaim | undefined {
    if (this.adoptedTerminal || this.ipHeld || this.rejected || this.pod.spec?.hostNetwork) return undefined;
    const statusIP = (this.podIPs.length ? this.podIPs : statusIPs(this.pod))[0];
    if (!statusIP && !recordedIP) return undefined;
    return {
      uid: this.uid,
      pod: this.key,
      ...(this.pod.metadata?.creationTimestamp ? { created: this.pod.metadata.creationTimestamp } : {}),
      ...(statusIP ? { statusIP } : {}),
      ...(recordedIP ? { recordedIP } : {}),
    };
  }

  /**
   * The outcome of this pod's claim: the address is its own again, or the
   * pod is rejected (Failed, with an event saying why), as a pod's IP never
   * changes during its life.
   */
  claimed(result: PodIPClaimResult): void {
    if ('error' in result) {
      const message = `cannot claim its IP ${result.ip} again: ${result.error.message} (a pod's IP never changes, so it is not started with another)`;
      this.rejected = { reason: POD_IP_CLAIM_FAILED, message: `Pod was rejected: ${message}` };
      this.finished = true;
      this.clearTimers();
      this.event('Warning', POD_IP_CLAIM_FAILED, `Pod ${message}`);
      this.log.warn('Pod rejected: its IP cannot be claimed', { ip: result.ip, err: result.error.message });
      this.kick();
      return;
    }
    if (!this.podIPs.length) this.podIPs = [result.ip];
    this.ipHeld = true;
  }

  /** Runs init containers in order; 'done' once every regular one completed. */
  private async syncInit(): Promise<'done' | 'waiting' | 'failed'> {
    for (const c of this.pod.spec?.initContainers ?? []) {
      const rec = this.records.get(c.name);
      if (!rec) continue;
      if (isRestartableInit(c)) {
        await this.ensureRunning(rec);
        if (!rec.current || rec.current.exit || !rec.current.started) return 'waiting';
        continue;
      }
      const cur = rec.current;
      if (cur && !cur.exit) return 'waiting';
      if (cur?.exit && cur.exit.exitCode === 0 && !rec.forceRestart) continue;
      if (cur?.exit && this.restartPolicy() === 'Never' && !rec.forceRestart) return 'failed';
      await this.ensureRunning(rec);
      return 'waiting';
    }
    return 'done';
  }

  private async syncContainers(): Promise<void> {
    for (const c of this.pod.spec?.containers ?? []) {
      const rec = this.records.get(c.name);
      if (rec) await this.ensureRunning(rec);
      if (this.removed || this.terminating) return;
    }
  }

  private restartPolicy(): string {
    return this.pod.spec?.restartPolicy ?? 'Always';
  }

  private shouldRestart(rec: ContainerRecord): boolean {
    const exit = rec.current?.exit;
    if (!exit) return false;
    if (rec.forceRestart) return true;
    if (rec.init && isRestartableInit(rec.spec)) return true;
    const policy = this.restartPolicy();
    if (rec.init) return policy !== 'Never' && exit.exitCode !== 0;
    if (policy === 'Always') return true;
    if (policy === 'OnFailure') return exit.exitCode !== 0;
    return false;
  }

  /** Starts the container if it never ran, or restarts it per policy and back-off. */
  private async ensureRunning(rec: ContainerRecord): Promise<void> {
    if (rec.retryTimer) return;
    const cur = rec.current;
    if (cur && !cur.exit) return;
    if (cur?.exit) {
      if (!this.shouldRestart(rec)) {
        rec.waiting = undefined;
        return;
      }
      const key = this.backoffKey(rec);
      const finishedAt = cur.exit.finishedAt;
      if (!rec.forceRestart && this.deps.backoff.isInBackOffSince(key, finishedAt)) {
        const delay = formatGoDurationMs(this.deps.backoff.get(key));
        const message = `back-off ${delay} restarting failed container=${rec.spec.name} pod=${this.podRef}`;
        if (rec.waiting?.reason !== 'CrashLoopBackOff' || rec.waiting.message !== message) {
          this.event(
            'Warning',
            'BackOff',
            `Back-off restarting failed container ${rec.spec.name} in pod ${this.podRef}`,
          );
        }
        rec.waiting = { reason: 'CrashLoopBackOff', message };
        this.retryAfter(rec, this.deps.backoff.remaining(key, finishedAt));
        return;
      }
      this.deps.backoff.next(key, finishedAt);
    }
    await this.start(rec);
  }

  private backoffKey(rec: ContainerRecord): string {
    return `${this.uid}/${rec.spec.name}`;
  }

  private retryAfter(rec: ContainerRecord, ms: number): void {
    if (rec.retryTimer) clearTimeout(rec.retryTimer);
    rec.retryTimer = setTimeout(
      () => {
        rec.retryTimer = undefined;
        this.kick();
      },
      Math.max(ms, 10),
    );
    rec.retryTimer.unref?.();
  }

  /** The ConfigMaps' data and Secrets' decoded data the container's env and envFrom name. */
  private envSources(c: Container): {
    configMaps: Record<string, Record<string, string>>;
    secrets: Record<string, Record<string, string>>;
  } {
    const ns = this.pod.metadata?.namespace ?? '';
    const configMaps: Record<string, Record<string, string>> = {};
    const secrets: Record<string, Record<string, string>> = {};
    const addCM = (name: string | undefined) => {
      const cm = name ? this.deps.configMap?.(ns, name) : undefined;
      if (cm && name) configMaps[name] = { ...(cm.data ?? {}) };
    };
    const addSecret = (name: string | undefined) => {
      const s = name ? this.deps.secret?.(ns, name) : undefined;
      if (s && name)
        secrets[name] = Object.fromEntries(
          Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
        );
    };
    for (const f of c.envFrom ?? []) {
      addCM(f.configMapRef?.name);
      addSecret(f.secretRef?.name);
    }
    for (const e of c.env ?? []) {
      addCM(e.valueFrom?.configMapKeyRef?.name);
      addSecret(e.valueFrom?.secretKeyRef?.name);
    }
    return { configMaps, secrets };
  }

  /** The pod as the env builder should see it: with the IPs this agent assigned. */
  private podWithIPs(): Pod {
    return {
      ...this.pod,
      status: {
        ...(this.pod.status ?? {}),
        podIP: this.podIPs[0],
        podIPs: this.podIPs.map((ip) => ({ ip })),
        hostIP: this.deps.hostIPs[0],
        hostIPs: this.deps.hostIPs.map((ip) => ({ ip })),
      },
    };
  }

  private async start(rec: ContainerRecord): Promise<void> {
    const c = rec.spec;
    const built = buildContainerEnv(this.podWithIPs(), c, this.deps.services(), {
      podIPs: this.podIPs,
      hostIPs: this.deps.hostIPs,
      clusterDomain: this.deps.clusterDomain,
      ...this.envSources(c),
    });
    if (built.error) {
      this.startFailed(rec, built.error.reason, built.error.message);
      return;
    }
    const root = this.volumes.root;
    const env = root ? { ...built.env, [POD_ROOT_ENV]: root } : built.env;
    try {
      this.volumes.mount(this.pod, c);
    } catch (err) {
      this.startFailed(rec, 'CreateContainerError', errText(err));
      return;
    }
    const log = new ContainerLog();
    const listeners = new Set<OutputListener>();
    const output = (stream: 'stdout' | 'stderr') => (chunk: string) => {
      log.write(stream, chunk);
      for (const l of listeners) l(stream, chunk);
    };
    let running: RunningContainer;
    try {
      running = await this.deps.runtime.start({
        namespace: this.pod.metadata?.namespace ?? '',
        podName: this.pod.metadata?.name ?? '',
        podUID: this.uid,
        containerName: c.name,
        image: c.image ?? '',
        podIP: this.podIPs[0] ?? '',
        hostname: podHostname(this.pod, this.deps.clusterDomain),
        command: expandArgs(c.command ?? [], env),
        args: expandArgs(c.args ?? [], env),
        env,
        ...(c.workingDir ? { workingDir: c.workingDir } : {}),
        ...(c.stdin ? { stdin: true } : {}),
        ...(c.tty ? { tty: true } : {}),
        stdout: output('stdout'),
        stderr: output('stderr'),
      });
    } catch (err) {
      const reason = err instanceof StartError ? err.reason : 'RunContainerError';
      const message = errText(err);
      this.startFailed(rec, reason, message);
      return;
    }
    if (this.removed || this.terminating || this.finished) {
      // The pod went away while the container was starting.
      running.kill('SIGKILL');
      return;
    }
    const now = this.deps.now();
    if (rec.current?.exit) {
      rec.previous = {
        id: rec.current.id,
        state: this.terminatedState(rec.current),
        log: rec.current.log,
      };
      rec.restartCount++;
    }
    rec.forceRestart = false;
    rec.waiting = undefined;
    rec.failures = 0;
    const inst: Instance = {
      id: newID(),
      running,
      startedAt: now,
      log,
      env,
      listeners,
      probes: [],
      started: !c.startupProbe,
      readinessOK: !c.readinessProbe,
    };
    rec.current = inst;
    this.event('Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
    this.event('Normal', 'Created', `Created container: ${c.name}`);
    this.event('Normal', 'Started', `Started container ${c.name}`);
    void running.exited.then((st) => this.exited(rec, inst, st));
    this.startProbes(rec, inst);
  }

  private startFailed(rec: ContainerRecord, reason: string, message: string): void {
    rec.failures++;
    const key = this.backoffKey(rec);
    const now = this.deps.now();
    if (reason === 'ErrImagePull' && rec.failures > 1) {
      rec.waiting = {
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${rec.spec.image}": ErrImagePull: ${message}`,
      };
      this.event('Normal', 'BackOff', `Back-off pulling image "${rec.spec.image}"`);
    } else {
      rec.waiting = { reason, message };
      if (reason === 'ErrImagePull')
        this.event('Warning', 'Failed', `Failed to pull image "${rec.spec.image}": ${message}`);
      this.event('Warning', 'Failed', `Error: ${reason === 'ErrImagePull' ? reason : message}`);
    }
    this.log.warn('Container failed to start', { container: rec.spec.name, reason, message });
    this.deps.backoff.next(key, now);
    this.retryAfter(rec, this.deps.backoff.get(key));
  }

  private exited(rec: ContainerRecord, inst: Instance, st: ExitStatus): void {
    if (inst.exit) return;
    inst.exit = { ...st, finishedAt: this.deps.now() };
    for (const p of inst.probes) p.stop();
    inst.log.close();
    this.log.v(2).info('Container exited', { container: rec.spec.name, exitCode: st.exitCode });
    this.kick();
  }

  private probeTarget(rec: ContainerRecord, inst: Instance): ProbeTarget {
    return { podIP: this.podIPs[0] ?? '', container: rec.spec, env: inst.env };
  }

  private startProbes(rec: ContainerRecord, inst: Instance): void {
    const c = rec.spec;
    const kinds: [ProbeKind, typeof c.readinessProbe][] = [
      ['startup', c.startupProbe],
      ['readiness', c.readinessProbe],
      ['liveness', c.livenessProbe],
    ];
    // Regular init containers run to completion; kubelet does not probe them.
    if (rec.init && !isRestartableInit(c)) return;
    for (const [kind, probe] of kinds) {
      if (!probe) continue;
      const runner = new ProbeRunner(
        kind,
        probe,
        inst.startedAt,
        (p, timeoutMs) => runProbe(p, this.probeTarget(rec, inst), timeoutMs),
        {
          started: () => inst.started,
          now: this.deps.now,
          onUnhealthy: (_k, message) => this.event('Warning', 'Unhealthy', message),
          onResult: (k, result) => this.probeResult(rec, inst, k, result),
        },
      );
      inst.probes.push(runner);
      runner.start();
    }
  }

  private probeResult(rec: ContainerRecord, inst: Instance, kind: ProbeKind, result: string): void {
    if (inst.exit || this.removed) return;
    if (kind === 'readiness') {
      inst.readinessOK = result === 'success';
    } else if (kind === 'startup' && result === 'success') {
      inst.started = true;
      // Readiness and liveness start probing now rather than at their next tick.
      for (const p of inst.probes) if (p.kind !== 'startup') void p.tick();
    } else if (result === 'failure' && !this.terminating) {
      // A failed liveness or startup probe restarts the container.
      this.event('Normal', 'Killing', `Container ${rec.spec.name} failed ${kind} probe, will be restarted`);
      const probe = kind === 'liveness' ? rec.spec.livenessProbe : rec.spec.startupProbe;
      const graceS =
        probe?.terminationGracePeriodSeconds ??
        this.pod.spec?.terminationGracePeriodSeconds ??
        DEFAULT_GRACE_S;
      void this.kill(rec, inst, graceS * 1000, false);
    }
    this.reportStatus();
  }

  /** preStop, SIGTERM, wait out the grace, SIGKILL; resolves once the instance is gone. */
  private kill(rec: ContainerRecord, inst: Instance, graceMs: number, emitStopping: boolean): Promise<void> {
    if (inst.exit) return Promise.resolve();
    inst.killing ??= (async () => {
      if (emitStopping) this.event('Normal', 'Killing', `Stopping container ${rec.spec.name}`);
      // Liveness/startup probes end now; readiness keeps reporting while the container drains.
      for (const p of inst.probes) if (p.kind !== 'readiness') p.stop();
      const began = this.deps.now();
      let hurried = false;
      let wake: () => void = () => {};
      const hurryP = new Promise<void>((r) => {
        wake = r;
      });
      inst.hurry = () => {
        hurried = true;
        wake();
      };
      const preStop = rec.spec.lifecycle?.preStop;
      if (preStop && graceMs > 0) {
        const err = await Promise.race([
          runHook(preStop, this.probeTarget(rec, inst), graceMs),
          inst.running.exited.then(() => undefined),
          hurryP.then(() => undefined),
        ]);
        if (err) this.event('Warning', 'FailedPreStopHook', err);
      }
      if (!inst.exit && !hurried) {
        const remaining = graceMs > 0 ? Math.max(graceMs - (this.deps.now() - began), MIN_GRACE_MS) : 0;
        inst.running.kill('SIGTERM');
        if (remaining > 0) await raceTimeout(Promise.race([inst.running.exited, hurryP]), remaining);
      }
      if (!inst.exit) {
        inst.running.kill('SIGKILL');
        await raceTimeout(inst.running.exited, KILL_WAIT_MS);
      }
      for (const p of inst.probes) p.stop();
    })();
    return inst.killing;
  }

  /** The pod's grace in ms: the deletion's grace, else the spec's, else 30 s. */
  private graceMs(): number {
    const g =
      this.pod.metadata?.deletionGracePeriodSeconds ??
      this.pod.spec?.terminationGracePeriodSeconds ??
      DEFAULT_GRACE_S;
    return g * 1000;
  }

  private deletionDeadline: number | undefined;

  /** A later deletion with a shorter grace cuts running kills short. */
  private hurryKills(): void {
    const deadline = (this.deletionStarted ?? this.deps.now()) + this.graceMs();
    if (this.deletionDeadline !== undefined && deadline >= this.deletionDeadline) return;
    const first = this.deletionDeadline === undefined;
    this.deletionDeadline = deadline;
    if (first) return;
    const wait = Math.max(0, deadline - this.deps.now());
    const t = setTimeout(() => {
      for (const r of this.records.values()) r.current?.hurry?.();
    }, wait);
    t.unref?.();
  }

  private deletionStarted: number | undefined;

  /** Graceful termination of a deleted pod, then its final status and removal from the API. */
  private async terminate(): Promise<void> {
    this.deletionStarted = this.deps.now();
    this.clearTimers();
    const grace = this.graceMs();
    await Promise.all(
      [...this.records.values()].map((r) =>
        r.current && !r.current.exit ? this.kill(r, r.current, grace, true) : undefined,
      ),
    );
    for (const r of this.records.values()) r.waiting = undefined;
    this.finished = true;
    this.deps.ipam()?.release(this.uid);
    if (this.removed) return;
    await this.flushStatus();
    await this.deleteFromAPI();
  }

  private async deleteFromAPI(): Promise<void> {
    try {
      await this.deps.deletePod(this.pod);
    } catch (err) {
      this.log.error(err, 'Failed to delete pod');
    }
  }

  /** The pod is gone from the API (force delete, or our own delete): stop everything now. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    this.clearTimers();
    const kills: Promise<void>[] = [];
    for (const r of this.records.values()) {
      const inst = r.current;
      if (inst && !inst.exit) {
        for (const p of inst.probes) p.stop();
        inst.running.kill('SIGKILL');
        kills.push(raceTimeout(inst.running.exited, KILL_WAIT_MS).then(() => undefined));
      }
    }
    this.deps.backoff.forgetPrefix(`${this.uid}/`);
    await Promise.all(kills);
    // Only now: a new pod given this address while a container still holds it could not bind.
    this.deps.ipam()?.release(this.uid);
    try {
      this.volumes.remove();
    } catch (err) {
      this.log.error(err, 'Failed to remove the pod directory');
    }
  }

  /**
   * The agent is stopping: stop containers (SIGTERM, then SIGKILL after at
   * most `maxGraceMs`), leave the pod in the API, and report the final
   * container states so its endpoints go not-ready.
   */
  async shutdown(maxGraceMs: number): Promise<void> {
    this.clearTimers();
    const grace = Math.min(this.graceMs(), maxGraceMs);
    this.removed = true;
    await Promise.all(
      [...this.records.values()].map((r) =>
        r.current && !r.current.exit ? this.kill(r, r.current, grace, false) : undefined,
      ),
    );
    if (this.adoptedTerminal || this.lastStatus === undefined) return;
    this.removed = false;
    this.finished = true;
    this.reportStatus();
    await this.flushStatus();
    this.removed = true;
  }

  private clearTimers(): void {
    if (this.volumeRetry) clearTimeout(this.volumeRetry);
    this.volumeRetry = undefined;
    for (const r of this.records.values()) {
      if (r.retryTimer) clearTimeout(r.retryTimer);
      r.retryTimer = undefined;
    }
  }

  /** The container statuses kubelet reports (convertToAPIContainerStatuses). */
  private containerStatus(rec: ContainerRecord, hasInit: boolean): ContainerStatus {
    const c = rec.spec;
    const s: ContainerStatus = {
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready: false,
      restartCount: rec.restartCount,
      started: false,
      state: {},
      lastState: {},
    };
    const cur = rec.current;
    const waitingDefault: ContainerState = {
      waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' },
    };
    if (cur) {
      s.containerID = `svcnet://${cur.id}`;
      s.imageID = imageIDOf(c.image ?? '');
    }
    if (cur && !cur.exit) {
      s.state = { running: { startedAt: rfc3339(cur.startedAt) } };
      s.started = cur.started;
      s.ready = cur.started && cur.readinessOK;
      if (rec.previous) s.lastState = { terminated: rec.previous.state };
    } else if (cur?.exit) {
      if (rec.waiting) {
        s.state = { waiting: { ...rec.waiting } };
        s.lastState = { terminated: this.terminatedState(cur) };
      } else {
        s.state = { terminated: this.terminatedState(cur) };
        if (rec.previous) s.lastState = { terminated: rec.previous.state };
        // A completed init container counts as ready.
        if (rec.init && !isRestartableInit(c) && cur.exit.exitCode === 0) s.ready = true;
      }
    } else if (this.finished && this.pod.metadata?.deletionTimestamp) {
      // A deleted pod's container that never ran is reported as kubelet does for a terminal pod.
      s.state = {
        terminated: {
          exitCode: 137,
          reason: 'ContainerStatusUnknown',
          message: 'The container could not be located when the pod was terminated',
        },
      };
    } else {
      s.state = rec.waiting ? { waiting: { ...rec.waiting } } : waitingDefault;
      if (rec.previous) s.lastState = { terminated: rec.previous.state };
    }
    return s;
  }

  private terminatedState(inst: Instance): ContainerStateTerminated {
    const e = inst.exit as NonNullable<Instance['exit']>;
    const t: ContainerStateTerminated = {
      exitCode: e.exitCode,
      reason: e.reasonText ?? e.reason,
      startedAt: rfc3339(inst.startedAt),
      finishedAt: rfc3339(e.finishedAt),
      containerID: `svcnet://${inst.id}`,
    };
    const sig = signalNumber(e.signal);
    if (sig) t.signal = sig;
    if (e.message) t.message = e.message;
    return t;
  }

  /** The status as kubelet would generate it now. */
  currentStatus(): PodStatus {
    const hasInit = (this.pod.spec?.initContainers?.length ?? 0) > 0;
    const initStatuses = (this.pod.spec?.initContainers ?? []).map((c) =>
      this.containerStatus(this.records.get(c.name) ?? this.newRecord(c, true), hasInit),
    );
    const statuses = (this.pod.spec?.containers ?? []).map((c) =>
      this.containerStatus(this.records.get(c.name) ?? this.newRecord(c, false), hasInit),
    );
    const allGone = [...this.records.values()].every((r) => !r.current || !!r.current.exit);
    return generatePodStatus({
      pod: this.pod,
      initContainerStatuses: initStatuses,
      containerStatuses: statuses,
      podIPs: this.podIPs,
      hostIPs: this.deps.hostIPs,
      sandboxReady: this.ipHeld && !this.rejected && !(this.finished && allGone),
      podIsTerminal: !!this.pod.metadata?.deletionTimestamp && allGone && this.finished,
      startTime: this.startTime,
      now: this.deps.now(),
      ...(this.rejected ? { rejected: this.rejected } : {}),
    });
  }

  /** Queues a status write when the status differs from the last one written. */
  private reportStatus(): PodStatus | undefined {
    if (this.removed || this.adoptedTerminal) return undefined;
    const status = this.currentStatus();
    if (this.lastStatus && jsonEqual(stripTimes(status), stripTimes(this.lastStatus))) return this.lastStatus;
    this.lastStatus = status;
    this.statusDirty = true;
    if (!this.writing) this.writing = this.writeLoop();
    return status;
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.statusDirty && !this.removed) {
        this.statusDirty = false;
        const status = this.lastStatus as PodStatus;
        try {
          await this.deps.writeStatus(this.pod, status);
          this.pod = { ...this.pod, status };
        } catch (err) {
          this.log.error(err, 'Failed to update pod status');
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** Waits for queued status writes. */
  async flushStatus(): Promise<void> {
    this.reportStatus();
    while (this.writing) await this.writing;
  }

  /** A container's log (the current instance, or with `previous` the one before). */
  containerLog(name: string, previous: boolean): ContainerLog | { code: number; message: string } {
    const rec = this.records.get(name);
    const podName = this.pod.metadata?.name;
    if (!rec) return { code: 400, message: `container ${name} is not valid for pod ${podName}` };
    if (previous) {
      // When the current instance exited and waits to restart, it is the "previous" one.
      if (rec.current?.exit && rec.waiting) return rec.current.log;
      if (rec.previous) return rec.previous.log;
      return { code: 400, message: `previous terminated container "${name}" in pod "${podName}" not found` };
    }
    if (!rec.current) {
      const reason = rec.waiting?.reason ?? 'ContainerCreating';
      return { code: 400, message: `container "${name}" in pod "${podName}" is waiting to start: ${reason}` };
    }
    return rec.current.log;
  }

  /** The running instance of a container, or kubelet's refusal (`container not found ("c")`). */
  private runningInstance(name: string): { rec: ContainerRecord; inst: Instance } | StreamRefusal {
    const rec = this.records.get(name);
    const inst = rec?.current;
    if (!rec || !inst || inst.exit || inst.killing)
      return { code: 500, message: `container not found (${JSON.stringify(name)})` };
    return { rec, inst };
  }

  /** What exec needs of a running container: its environment and working directory. */
  execTarget(name: string): { env: Record<string, string>; workingDir?: string } | StreamRefusal {
    const found = this.runningInstance(name);
    if ('code' in found) return found;
    const wd = found.rec.spec.workingDir;
    return { env: found.inst.env, ...(wd ? { workingDir: wd } : {}) };
  }

  /** A running container's own streams, for attach. */
  attachTarget(name: string): ContainerStreams | StreamRefusal {
    const found = this.runningInstance(name);
    if ('code' in found) return found;
    const { rec, inst } = found;
    const input = inst.running.stdin;
    return {
      tty: !!rec.spec.tty,
      stdin: !!input,
      stdinOnce: !!rec.spec.stdinOnce,
      subscribe: (l) => {
        inst.listeners.add(l);
        return () => inst.listeners.delete(l);
      },
      write: (d) => input?.write(d) ?? true,
      onStdinDrain: (l) => (input ? input.onDrain(l) : l()),
      closeStdin: () => input?.end(),
      resize: (s) => input?.resize?.(s.width, s.height),
      exited: inst.running.exited,
    };
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.events.event(this.pod, type, reason, message);
  }

  toString(): string {
    return this.key;
  }
}

const newID = (): string => randomBytes(32).toString('hex');

/** The IPs a pod's status gives it (podIPs, else podIP). */
const statusIPs = (pod: Pod): string[] => {
  const st = pod.status;
  if (st?.podIPs?.length) return st.podIPs.flatMap((p) => (p.ip ? [p.ip] : []));
  return st?.podIP ? [st.podIP] : [];
};

/** Built-in images have no registry digest; the ID names the image. */
const imageIDOf = (image: string): string => `svcnet://${image}`;

/** Condition times change on every generation; compare without them. */
function stripTimes(s: PodStatus): PodStatus {
  return { ...s, conditions: (s.conditions ?? []).map(({ lastTransitionTime: _t, ...c }) => c) };
}

function raceTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    void p.then((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}
