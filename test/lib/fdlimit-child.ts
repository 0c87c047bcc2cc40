/**
 * The child process of fdlimit.test.ts: Node has already raised its soft
 * descriptor limit to the hard one at start; this lowers it again (as an
 * embedder or a wrapper might leave it), then raises it with
 * raiseNoFileLimit and prints the result as JSON.
 */
import { execFileSync } from 'node:child_process';
import { raiseNoFileLimit, readNoFileLimit } from '../../src/lib/fdlimit.js';

const atStart = readNoFileLimit();
execFileSync('prlimit', ['--pid', String(process.pid), '--nofile=64:']);
const raised = raiseNoFileLimit();
process.stdout.write(`${JSON.stringify({ atStart, ...raised })}\n`);
