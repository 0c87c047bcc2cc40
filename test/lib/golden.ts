/**
 * Golden files: expected text kept next to the test sources in
 * `testdata/<name>.golden`. A test compares its output with the file;
 * `UPDATE_GOLDEN=1` rewrites the files instead (review the diff, then commit).
 *
 *   const assertGolden = goldens(import.meta.url);
 *   assertGolden('clusterip', renderNodeState(state));
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest directory above `from` holding svcnet's package.json. */
function repoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'svcnet') {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`repository root not found above ${from}`);
  }
}

/**
 * The testdata directory of the test file at `metaUrl` (its `import.meta.url`), in the source
 * tree also when the test runs compiled from dist/.
 */
export function testdataDir(metaUrl: string): string {
  const here = dirname(fileURLToPath(metaUrl));
  const root = repoRoot(here);
  const rel = relative(root, here).split(sep);
  if (rel[0] === 'dist') rel.shift();
  return join(root, ...rel, 'testdata');
}

export const updating = (): boolean => process.env.UPDATE_GOLDEN === '1';

/** An assertGolden(name, text) for the test file at `metaUrl`. */
export function goldens(metaUrl: string): (name: string, text: string) => void {
  const dir = testdataDir(metaUrl);
  return (name, text) => assertGoldenIn(dir, name, text);
}

export function assertGoldenIn(dir: string, name: string, text: string): void {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`bad golden name ${JSON.stringify(name)}`);
  const file = join(dir, `${name}.golden`);
  if (updating()) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) assert.fail(`${file} does not exist; run with UPDATE_GOLDEN=1 to create it`);
  const want = readFileSync(file, 'utf8');
  assert.equal(text, want, `${name}.golden differs (UPDATE_GOLDEN=1 rewrites it)`);
}
