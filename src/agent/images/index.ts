/**
 * The built-in images: which image reference runs how. Registry, tag and
 * digest are ignored for matching, so `nginx:1.27`, `docker.io/library/nginx`
 * and `registry.k8s.io/e2e-test-images/agnhost:2.53` all resolve here.
 *
 *   svcnet/netexec, agnhost netexec   in process (netexec.ts)
 *   agnhost pause, pause              in process, idle until stopped
 *   nginx                             in process (nginx.ts) unless given another program
 *   busybox                           the command as a local program; `sh` by default
 *   curlimages/curl                   `curl` + args as a local program
 *   anything else                     its `command`, if that program exists here
 */
import { goQuote } from '../../k8s/gofmt.js';
import type { Logger } from '../../lib/log.js';
import { exitWith, InProcessContainer } from './inprocess.js';
import { startNetexec } from './netexec.js';
import { startNginx } from './nginx.js';
import { ProcessTracker } from './orphans.js';
import { containerPath, findExecutable, startProcess } from './process.js';
import { baseName, containerArgv, imageName } from './reference.js';
import { type ContainerRuntime, type ContainerSpec, type RunningContainer, StartError } from './types.js';

export { imageName } from './reference.js';

/**
 * The built-in images. `stateDir` (kubelet's --root-dir) records container
 * processes so that orphans of a killed agent are reaped on the next start.
 */
export function builtinRuntime(opts: { log?: Logger; stateDir?: string } = {}): ContainerRuntime {
  const log = opts.log?.named('images');
  const tracker = opts.stateDir ? new ProcessTracker(opts.stateDir, log) : undefined;
  tracker?.reapOrphans();
  return {
    async start(spec: ContainerSpec): Promise<RunningContainer> {
      const ctr = await startBuiltin(spec, tracker);
      log?.v(4).info('Container started', {
        pod: `${spec.namespace}/${spec.podName}`,
        container: spec.containerName,
        image: spec.image,
        ...(ctr.pid === undefined ? {} : { pid: ctr.pid }),
      });
      return ctr;
    },
  };
}

const progName = (p: string | undefined) => baseName(p ?? '');

async function startBuiltin(spec: ContainerSpec, tracker?: ProcessTracker): Promise<RunningContainer> {
  const name = imageName(spec.image);
  const base = baseName(name);
  const { command, args } = spec;
  if (name === 'svcnet/netexec' || base === 'agnhost')
    return startAgnhost(spec, name === 'svcnet/netexec', tracker);
  if (base === 'nginx') {
    // The image's entrypoint script execs its arguments; its default is nginx itself.
    let argv = containerArgv(command, args, ['/docker-entrypoint.sh'], ['nginx', '-g', 'daemon off;']);
    if (argv[0] === '/docker-entrypoint.sh') argv = argv.slice(1);
    if (progName(argv[0]) === 'nginx') return startNginx(spec);
    return startProcess(spec, argv, tracker);
  }
  if (base === 'pause') return startPause(spec, 'pause');
  if (base === 'busybox') return startProcess(spec, containerArgv(command, args, [], ['sh']), tracker);
  if (name === 'curlimages/curl') {
    // The image's entrypoint runs curl when the first argument is an option.
    let argv = containerArgv(command, args, [], ['curl']);
    if (command.length === 0 && argv[0]?.startsWith('-')) argv = ['curl', ...argv];
    return startProcess(spec, argv, tracker);
  }
  const program = command[0];
  if (program !== undefined && findExecutable(program, containerPath(spec.env))) {
    return startProcess(spec, [...command, ...args], tracker);
  }
  const why =
    program === undefined
      ? 'and has no command to run locally'
      : `and its command ${goQuote(program)} is not a program on this machine`;
  throw new StartError(
    'ErrImagePull',
    `image ${goQuote(spec.image)} is not built into svcnet ${why}: use svcnet/netexec, nginx, busybox or ` +
      'curlimages/curl, or give a command that exists on this machine',
  );
}

/** agnhost (entrypoint /agnhost, default `pause`) and svcnet/netexec (netexec's flags as args). */
function startAgnhost(
  spec: ContainerSpec,
  isNetexec: boolean,
  tracker?: ProcessTracker,
): Promise<RunningContainer> {
  const argv = isNetexec
    ? containerArgv(spec.command, spec.args, ['netexec'], [])
    : containerArgv(spec.command, spec.args, ['/agnhost'], ['pause']);
  const prog = progName(argv[0]);
  if (prog !== 'agnhost' && prog !== 'netexec') return startProcess(spec, argv, tracker);
  const rest = argv.slice(1);
  if (prog === 'netexec') return startNetexec(spec, rest[0] === 'netexec' ? rest.slice(1) : rest);
  const sub = rest[0] ?? '';
  if (sub === 'netexec') return startNetexec(spec, rest.slice(1));
  if (sub === 'pause') return startPause(spec, 'agnhost');
  throw new StartError(
    'RunContainerError',
    `agnhost subcommand ${goQuote(sub)} is not built into svcnet: the built-in agnhost runs netexec and pause`,
  );
}

/** An idle container: `registry.k8s.io/pause` exits 0 on SIGTERM, agnhost's pause exits 2. */
async function startPause(spec: ContainerSpec, flavour: 'pause' | 'agnhost'): Promise<RunningContainer> {
  const ctr = new InProcessContainer();
  if (flavour === 'agnhost') spec.stdout('Paused\n');
  ctr.onTerm = () => {
    if (flavour === 'agnhost') {
      spec.stdout('exiting 2\n');
      ctr.exit(exitWith(2));
    } else {
      spec.stderr('Shutting down, got signal: Terminated\n');
      ctr.exit(exitWith(0));
    }
  };
  return ctr;
}
