/**
 * One probe of one container instance, as kubelet's prober worker
 * (pkg/kubelet/prober/worker.go): the result starts as failure (readiness),
 * success (liveness) or unknown (startup); a probe runs every periodSeconds
 * from the container's start, skipped within initialDelaySeconds, and
 * liveness/readiness wait until the startup probe has passed. A result is
 * published only after successThreshold / failureThreshold equal outcomes in
 * a row; a published liveness or startup failure puts the worker on hold
 * until the container is replaced.
 *
 * `ProbeState` is the pure state machine (time comes in as arguments);
 * `ProbeRunner` drives it with timers and a check function.
 */
import type { Probe } from 'kubernetes-types/core/v1.js';
import { errText } from '../lib/errors.js';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

/** kubelet's event wording: "Readiness probe failed: ...". */
export const probeTitle: Record<ProbeKind, string> = {
  readiness: 'Readiness',
  liveness: 'Liveness',
  startup: 'Startup',
};

export interface ProbeTiming {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

/** The API server's defaults for a probe's timing fields. */
export function probeTiming(p: Probe): ProbeTiming {
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds || 10,
    timeoutSeconds: p.timeoutSeconds || 1,
    successThreshold: p.successThreshold || 1,
    failureThreshold: p.failureThreshold || 3,
  };
}

const initialResult: Record<ProbeKind, ProbeResult> = {
  readiness: 'failure',
  liveness: 'success',
  startup: 'unknown',
};

export class ProbeState {
  /** The published result. */
  result: ProbeResult;
  private lastOutcome: ProbeResult = 'unknown';
  private run = 0;
  /** Set after a published liveness/startup failure: no more probes for this instance. */
  onHold = false;

  constructor(
    readonly kind: ProbeKind,
    readonly timing: ProbeTiming,
    /** When the container instance started (ms). */
    readonly startedAt: number,
  ) {
    this.result = initialResult[kind];
  }

  /** Whether a probe should run at `now`; `started` = the container passed its startup probe (or has none). */
  due(now: number, started: boolean): boolean {
    if (this.onHold) return false;
    // kubelet compares whole seconds since start with initialDelaySeconds.
    if (Math.floor((now - this.startedAt) / 1000) < this.timing.initialDelaySeconds) return false;
    return started ? this.kind !== 'startup' : this.kind === 'startup';
  }

  /** Feeds one outcome; answers whether the published result changed. */
  observe(outcome: 'success' | 'failure'): boolean {
    this.run = outcome === this.lastOutcome ? this.run + 1 : 1;
    this.lastOutcome = outcome;
    const threshold = outcome === 'failure' ? this.timing.failureThreshold : this.timing.successThreshold;
    if (this.run < threshold) return false;
    const changed = this.result !== outcome;
    this.result = outcome;
    if (outcome === 'failure' && this.kind !== 'readiness') {
      this.onHold = true;
      this.run = 0;
    }
    return changed;
  }
}

export interface ProbeOutcome {
  result: 'success' | 'failure';
  output: string;
}

/** Runs one check; rejects for a probe error (bad port name...), which kubelet throws away. */
export type ProbeCheck = (probe: Probe, timeoutMs: number) => Promise<ProbeOutcome>;

export interface ProbeRunnerHooks {
  /** Whether the container has started (startup probe passed, or none). */
  started(): boolean;
  /** The published result changed. */
  onResult(kind: ProbeKind, result: ProbeResult): void;
  /** Every failed (or errored) probe, for the Unhealthy event. */
  onUnhealthy(kind: ProbeKind, message: string): void;
  now?: () => number;
}

/** Drives a ProbeState with a timer: the first tick at once, then every periodSeconds. */
export class ProbeRunner {
  readonly state: ProbeState;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    startedAt: number,
    private readonly check: ProbeCheck,
    private readonly hooks: ProbeRunnerHooks,
  ) {
    this.state = new ProbeState(kind, probeTiming(probe), startedAt);
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.state.timing.periodSeconds * 1000);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs a probe now if one is due (also used by tests). */
  async tick(): Promise<void> {
    const now = (this.hooks.now ?? Date.now)();
    if (this.busy || this.stopped || !this.state.due(now, this.hooks.started())) return;
    this.busy = true;
    try {
      let outcome: ProbeOutcome;
      try {
        outcome = await this.check(this.probe, this.state.timing.timeoutSeconds * 1000);
      } catch (err) {
        if (!this.stopped) {
          const msg = errText(err);
          this.hooks.onUnhealthy(
            this.kind,
            `${probeTitle[this.kind]} probe errored and resulted in unknown state: ${msg}`,
          );
        }
        return;
      }
      if (this.stopped) return;
      if (outcome.result === 'failure') {
        this.hooks.onUnhealthy(this.kind, `${probeTitle[this.kind]} probe failed: ${outcome.output}`);
      }
      if (this.state.observe(outcome.result)) this.hooks.onResult(this.kind, this.state.result);
    } finally {
      this.busy = false;
    }
  }
}
