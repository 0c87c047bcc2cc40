/**
 * Runs the benchmarks from the compiled tree (`npm run bench`): every
 * `*.js` directly under dist/bench, one after another, each in its own
 * process with its output passed through; optionally only those whose name
 * contains one of the arguments (`npm run bench -- apiserver`). Exits
 * non-zero when any benchmark fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** No single benchmark may run longer than this. */
const TIMEOUT_MS = 10 * 60_000;
const DIR = 'dist/bench';

const filters = process.argv.slice(2);
if (!existsSync(DIR)) {
  console.error(`${DIR} not found: run \`npm run build\` first (\`npm run bench\` does)`);
  process.exit(1);
}
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmarks in ${DIR} match ${filters.join(' ')}`);
  process.exit(1);
}

const failed: string[] = [];
for (const file of files) {
  const name = basename(file, '.js');
  console.log(`\n=== bench/${name} ===`);
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--enable-source-maps', join(DIR, file)], {
    stdio: 'inherit',
    timeout: TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const secs = ((performance.now() - start) / 1000).toFixed(1);
  if (r.status === 0) {
    console.log(`=== bench/${name}: done in ${secs} s ===`);
  } else {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
    console.log(`=== bench/${name}: FAILED after ${secs} s (${why}) ===`);
    failed.push(name);
  }
}
if (failed.length > 0) {
  console.error(`failed: ${failed.join(' ')}`);
  process.exit(1);
}
