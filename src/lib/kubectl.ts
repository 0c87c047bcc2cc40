/**
 * Which kubectl to run: the one on PATH, else the copy `./setup` installs in
 * the checkout (`.tools/bin/kubectl`) when PATH has no kubectl 1.32. The CLI's
 * hints, the end-to-end tests and the tools that drive kubectl all ask here,
 * so they agree on one binary.
 */

import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kubectl minor version svcnet's API level and tests are written against. */
export const KUBECTL_MINOR = 32;

export interface Kubectl {
  path: string;
  /** `gitVersion` as kubectl reports it, e.g. v1.32.3. */
  version: string;
  /** True when this is the copy in the checkout rather than one on PATH. */
  local: boolean;
}

/** The checkout's root (the directory whose package.json is svcnet's), from src/lib or dist/src/lib. */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      if (
        (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'svcnet'
      )
        return dir;
    } catch {}
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where `./setup` puts kubectl when PATH has none. */
export const localKubectlPath = (root: string): string => join(root, '.tools', 'bin', 'kubectl');

const executable = (p: string): boolean => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The first `kubectl` in a PATH string, as a shell would pick it. */
export function onPath(pathEnv: string): string | undefined {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const p = resolve(dir, 'kubectl');
    if (executable(p)) return p;
  }
  return undefined;
}

/** `kubectl version --client`'s gitVersion, or undefined when the binary does not run. */
export function clientVersion(path: string): string | undefined {
  const r = spawnSync(path, ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) return undefined;
  try {
    return (JSON.parse(r.stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
  } catch {
    return undefined;
  }
}

export const isWantedMinor = (version: string): boolean =>
  new RegExp(`^v1\\.${KUBECTL_MINOR}\\.`).test(version);

/**
 * The kubectl to use: PATH's when it is 1.32, else the checkout's, else
 * PATH's of another version (kubectl supports one minor of skew); undefined
 * when neither runs.
 */
export function findKubectl(
  opts: { pathEnv?: string; root?: string | undefined; version?: (path: string) => string | undefined } = {},
): Kubectl | undefined {
  const version = opts.version ?? clientVersion;
  const root = 'root' in opts ? opts.root : repoRoot();
  const found: Kubectl[] = [];
  const fromPath = onPath(opts.pathEnv ?? process.env.PATH ?? '');
  if (fromPath) {
    const v = version(fromPath);
    if (v) found.push({ path: fromPath, version: v, local: false });
  }
  const local = root ? localKubectlPath(root) : undefined;
  if (local && local !== fromPath && executable(local) && !found.some((k) => isWantedMinor(k.version))) {
    const v = version(local);
    if (v) found.push({ path: local, version: v, local: true });
  }
  return found.find((k) => isWantedMinor(k.version)) ?? found[0];
}

let cached: { kubectl: Kubectl | undefined } | undefined;
/** findKubectl() for this process's PATH, looked up once. */
export function kubectl(): Kubectl | undefined {
  cached ??= { kubectl: findKubectl() };
  return cached.kubectl;
}
