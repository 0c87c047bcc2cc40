/**
 * The kubectl (and other tools) the tests drive, and what happens without
 * one: a skip with the reason on a developer's machine, a failure under CI.
 */
import { spawnSync } from 'node:child_process';
import { kubectl } from '../../src/lib/kubectl.js';

/** The kubectl the tests run: PATH's, else the one `./setup` put in .tools/bin (see src/lib/kubectl.ts). */
export function kubectlPath(): string {
  const k = kubectl();
  if (!k) throw new Error(noKubectl);
  return k.path;
}

export function hasKubectl(): boolean {
  return kubectl() !== undefined;
}

const noKubectl =
  'kubectl is not on PATH and ./setup has not installed one in .tools/bin (run ./setup, or install kubectl v1.32)';

/** CI=true (or any value but false/0), as CI services set it. */
export const isCI = (env: NodeJS.ProcessEnv = process.env): boolean =>
  !!env.CI && env.CI !== 'false' && env.CI !== '0';

/**
 * The reason tests that drive kubectl skip on this machine, or undefined when
 * they can run. Under CI (CI=true) a missing kubectl throws instead, failing
 * the test file: a suite that skipped its end-to-end tests must not pass there.
 */
export function skipReason(env: NodeJS.ProcessEnv = process.env, found = hasKubectl): string | undefined {
  if (found()) return undefined;
  if (isCI(env)) throw new Error(`CI=${env.CI}, and ${noKubectl}: the tests that drive kubectl cannot run`);
  return noKubectl;
}

/**
 * The reason tests that run `tool` skip, or undefined when it runs; under CI a
 * missing tool throws instead (`./setup` installs it from Debian's `pkg`).
 */
export function toolSkipReason(
  tool: string,
  pkg: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const r = spawnSync(tool, ['-v'], { stdio: 'ignore' });
  if (!r.error) return undefined;
  const why = `${tool} is not installed (./setup installs ${pkg})`;
  if (isCI(env)) throw new Error(`CI=${env.CI}, and ${why}`);
  return why;
}
