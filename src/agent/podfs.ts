/**
 * A pod's "filesystem" in host mode. Containers are local programs without a
 * root filesystem of their own, so each pod gets a directory that stands for
 * `/` inside its containers:
 *
 *   <root-dir>/pods/<pod UID>/root/            the pod's root
 *   <root-dir>/pods/<pod UID>/root/<path>      container path /<path>
 *
 * `kubectl cp` (tar and test -d run by exec) and exec's default working
 * directory use this mapping, and volumes are materialised at their mount
 * paths under it, so what one writes the others see. The directory goes with
 * the pod.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';

/** The directory that is `/` for the containers of the pod with this UID. */
export function podRoot(rootDir: string, podUID: string): string {
  if (!podUID || podUID.includes('/') || podUID === '.' || podUID === '..')
    throw new Error(`invalid pod UID ${JSON.stringify(podUID)}`);
  return join(rootDir, 'pods', podUID, 'root');
}

/**
 * The host path of a container path: absolute, or relative to `/`; `..`
 * never leaves the pod's root (as a path in a chroot cannot).
 */
export function hostPath(root: string, containerPath: string): string {
  const clean = posix.normalize(`/${containerPath}`);
  return clean === '/' ? root : join(root, clean);
}

/** Creates the pod's root (and its parents) with a /tmp; returns it. */
export function ensurePodRoot(rootDir: string, podUID: string): string {
  const root = podRoot(rootDir, podUID);
  mkdirSync(root, { recursive: true, mode: 0o755 });
  // /tmp exists in every image; kubectl cp into it needs it to be a directory. A pod that put
  // something else there keeps it: exec still runs, cp into /tmp fails as it would in the pod.
  try {
    mkdirSync(join(root, 'tmp'), { recursive: true, mode: 0o1777 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return root;
}

/** Removes everything kept for the pod (its root and what is beside it). */
export function removePodDir(rootDir: string, podUID: string): void {
  rmSync(join(podRoot(rootDir, podUID), '..'), { recursive: true, force: true });
}
