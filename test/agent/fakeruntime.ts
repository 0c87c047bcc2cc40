/** A ContainerRuntime for tests: containers are records the test drives (exit, output). */
import type {
  ContainerRuntime,
  ContainerSpec,
  ExitStatus,
  RunningContainer,
  StartError,
} from '../../src/agent/images/types.js';

export class FakeContainer implements RunningContainer {
  readonly exited: Promise<ExitStatus>;
  signals: string[] = [];
  private resolve!: (s: ExitStatus) => void;
  done = false;

  constructor(
    readonly spec: ContainerSpec,
    /** Exit on SIGTERM at once (default), or ignore it (needs SIGKILL). */
    private readonly termBehaviour: 'exit' | 'ignore',
  ) {
    this.exited = new Promise((r) => {
      this.resolve = r;
    });
  }

  kill(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL') this.exit({ exitCode: 137, signal: 'SIGKILL', reason: 'Error' });
    else if (this.termBehaviour === 'exit') this.exit({ exitCode: 143, signal: 'SIGTERM', reason: 'Error' });
  }

  exit(s: ExitStatus): void {
    if (this.done) return;
    this.done = true;
    this.resolve(s);
  }
}

export class FakeRuntime implements ContainerRuntime {
  readonly started: FakeContainer[] = [];
  /** image → a StartError to throw. */
  failures = new Map<string, StartError>();
  /** Called on each start (e.g. to write output or exit at once). */
  onStart?: (c: FakeContainer) => void;
  termBehaviour: 'exit' | 'ignore' = 'exit';

  async start(spec: ContainerSpec): Promise<RunningContainer> {
    const f = this.failures.get(spec.image);
    if (f) throw f;
    const c = new FakeContainer(spec, this.termBehaviour);
    this.started.push(c);
    this.onStart?.(c);
    return c;
  }

  /** Instances of a container, oldest first. */
  of(containerName: string, podName?: string): FakeContainer[] {
    return this.started.filter(
      (c) => c.spec.containerName === containerName && (podName === undefined || c.spec.podName === podName),
    );
  }
}
