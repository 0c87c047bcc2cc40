/**
 * The contract between the node agent and what runs a container. Built-in
 * images (svcnet/netexec, nginx, busybox, curl) implement it, most inside the
 * agent's own process; anything else is a local program. Each container keeps
 * its own address (the pod IP), sockets, environment, logs and lifecycle.
 */
import { SvcnetError } from '../../lib/errors.js';

export interface ContainerSpec {
  namespace: string;
  podName: string;
  podUID: string;
  containerName: string;
  /** The image reference as written in the pod (`nginx:1.27`, `svcnet/netexec`). */
  image: string;
  /** The pod's IP: in-process servers bind here. */
  podIP: string;
  /** The pod's hostname (spec.hostname, else the pod name). */
  hostname: string;
  /** `command` and `args` from the pod spec, `$(VAR)` references already expanded. */
  command: string[];
  args: string[];
  /** The container's environment: service links, downward API, env/envFrom, already merged. */
  env: Record<string, string>;
  workingDir?: string;
  /** spec.stdin: the container's stdin stays open for attach (else it reads end-of-file). */
  stdin?: boolean;
  /** spec.tty: the container runs in a terminal (its output is one stream, stdout). */
  tty?: boolean;
  /** Where the container's output goes; the agent keeps it as the container log. */
  stdout: (chunk: string) => void;
  stderr: (chunk: string) => void;
}

export interface ExitStatus {
  exitCode: number;
  /** Set when a signal ended it: 'SIGTERM', 'SIGKILL'. */
  signal?: string;
  /** kubelet's terminated reason: 'Completed' (0), 'Error', 'OOMKilled'... */
  reason: 'Completed' | 'Error';
  message?: string;
}

export interface RunningContainer {
  /** OS process id when the container is a process of its own. */
  readonly pid?: number;
  /** Resolves once when the container has ended (it never rejects). */
  readonly exited: Promise<ExitStatus>;
  /** SIGTERM begins a graceful stop; SIGKILL ends it now. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
  /** The container's stdin, when it was started with one (spec.stdin). */
  readonly stdin?: ContainerInput;
}

/** A container's open stdin (a pipe, or its terminal with spec.tty). */
export interface ContainerInput {
  /** False: the container is this far behind reading its stdin; wait for onDrain before more. */
  write(data: Buffer): boolean;
  /** Calls back once the container has read what was waiting (at once if nothing is). */
  onDrain(listener: () => void): void;
  /** End of file: the pipe closes (a terminal gets its EOF character). */
  end(): void;
  /** A new terminal size (terminals only). */
  resize?(width: number, height: number): void;
}

/** Why a container cannot start: kubelet's waiting reasons. */
export class StartError extends SvcnetError {
  constructor(
    /** 'ErrImagePull' | 'ImagePullBackOff' | 'CreateContainerError' | 'RunContainerError' | 'CreateContainerConfigError' */
    readonly reason: string,
    message: string,
  ) {
    super('CONTAINER_START', message);
  }
}

export interface ContainerRuntime {
  /** Starts a container; rejects with StartError when it cannot (unknown image, port in use...). */
  start(spec: ContainerSpec): Promise<RunningContainer>;
}
