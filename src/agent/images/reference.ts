/**
 * Image references as the built-in images match them, and the argv a
 * container runs (Docker's entrypoint/cmd rules as Kubernetes applies them).
 */

/** The PATH container images usually set; in-process images show it when the pod sets none. */
export const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The repository path of an image reference without registry, tag or digest:
 * `registry.k8s.io/e2e-test-images/agnhost:2.53` → `e2e-test-images/agnhost`,
 * `docker.io/library/nginx@sha256:…` → `nginx`.
 */
export function imageName(ref: string): string {
  let s = ref.trim();
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) s = s.slice(0, colon);
  const parts = s.split('/');
  // The first component is a registry when it looks like a host (Docker's rule).
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    parts.shift();
  }
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  return parts.join('/').toLowerCase();
}

/** The tag of an image reference, '' when none. */
export function imageTag(ref: string): string {
  const s = ref.split('@')[0];
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  return colon > slash ? s.slice(colon + 1) : '';
}

/** The last path component: `e2e-test-images/agnhost` → `agnhost`. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * What a container execs: `command` replaces the image's entrypoint and drops
 * its default cmd; `args` replace the cmd.
 */
export function containerArgv(
  command: string[],
  args: string[],
  entrypoint: string[],
  cmd: string[],
): string[] {
  if (command.length > 0) return [...command, ...args];
  return [...entrypoint, ...(args.length > 0 ? args : cmd)];
}
