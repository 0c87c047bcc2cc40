/** The version the API server reports at /version and the CLI prints. */
import { readFileSync } from 'node:fs';

/** The Kubernetes API level svcnet implements (kubectl's skew check reads it). */
export const KUBE_MAJOR = '1';
export const KUBE_MINOR = '32';

let pkgVersion: string | undefined;
export function svcnetVersion(): string {
  if (!pkgVersion) {
    // dist/src/version.js when built, src/version.ts under tsx.
    for (const rel of ['../../package.json', '../package.json']) {
      try {
        pkgVersion = (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string })
          .version;
        break;
      } catch {}
    }
    pkgVersion ??= '0.0.0';
  }
  return pkgVersion;
}

export function version(): Record<string, string> {
  return {
    major: KUBE_MAJOR,
    minor: KUBE_MINOR,
    gitVersion: `v${KUBE_MAJOR}.${KUBE_MINOR}.0-svcnet.${svcnetVersion()}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: `node ${process.version}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
