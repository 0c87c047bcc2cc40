/**
 * Runs the test suite from the compiled tree: every `*.test.js` under
 * dist/test, optionally only those whose path contains one of the arguments
 * (`npm test -- store e2e/services`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function find(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
// A compiled test whose source is gone (moved or deleted since the last build) is not run: tsc leaves it behind.
const hasSource = (f: string) => existsSync(`${f.slice('dist/'.length, -'.js'.length)}.ts`);
const files = find('dist/test')
  .filter(hasSource)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
console.log(`running ${files.length} test files: ${files.map((f) => relative('dist/test', f)).join(' ')}`);
const r = spawnSync(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    '--test-timeout=600000',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
