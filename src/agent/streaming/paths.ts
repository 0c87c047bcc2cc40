/**
 * Container paths in the arguments of an exec'd command, mapped into the
 * pod's root directory (podfs.ts) since a host-mode container has no root
 * filesystem of its own:
 *
 * - `tar` and `test` (what `kubectl cp` runs: `tar cf - /src`,
 *   `tar -xmf - -C /dest`, `test -d /dest`): every absolute path operand is
 *   the pod's, so both directions of `kubectl cp` stay inside the pod's root;
 * - any other command: an absolute argument is the pod's when its first
 *   directory exists in the pod's root (`cat /etc/config/key` with a volume
 *   at /etc/config, `ls /data` after `kubectl cp x pod:/data`); the rest
 *   (`/bin/sh`, `/proc/self/...`) stay this machine's.
 *
 * The program (argv[0]) and paths inside a shell script are never rewritten.
 */
import { existsSync } from 'node:fs';
import { basename, posix } from 'node:path';
import { hostPath } from '../podfs.js';

const isAbs = (a: string) => a.startsWith('/');

/** The container path relative to `/` (what tar stores for it: leading slashes dropped). */
const relative = (p: string) => posix.normalize(p).replace(/^\/+/, '') || '.';

function mapTar(args: string[], root: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((a === '-C' || a === '--directory') && i + 1 < args.length && isAbs(args[i + 1]!)) {
      out.push(a, hostPath(root, args[++i]!));
    } else if (a.startsWith('--directory=') && isAbs(a.slice(12))) {
      out.push(`--directory=${hostPath(root, a.slice(12))}`);
    } else if (isAbs(a) && i > 0) {
      // An operand: taken from the pod's root, stored under the same name tar would give it.
      out.push('-C', root, relative(a));
    } else out.push(a);
  }
  return out;
}

function ownedByPod(arg: string, root: string): boolean {
  const first = relative(arg).split('/')[0]!;
  return first !== '.' && existsSync(hostPath(root, first));
}

/** The command with its container paths mapped into `root`. */
export function mapCommand(command: readonly string[], root: string): string[] {
  const [program, ...args] = command;
  if (program === undefined) return [];
  const prog = basename(program);
  if (prog === 'tar') return [program, ...mapTar(args, root)];
  if (prog === 'test' || prog === '[')
    return [program, ...args.map((a) => (isAbs(a) ? hostPath(root, a) : a))];
  return [program, ...args.map((a) => (isAbs(a) && ownedByPod(a, root) ? hostPath(root, a) : a))];
}
