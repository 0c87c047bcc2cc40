/**
 * The supervisor of `svcnet up` restarts a component that dies, and tells
 * its caller every pid change, so `status -o json` (run.json) shows the
 * running pids rather than those of the first start. The supervised
 * "component" here is a stand-in script; the whole of it against `svcnet up`
 * is in test/e2e/proxy.test.ts (a killed proxy).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isAlive, readRunState, runFile, writeRunState } from '../../src/cli/runstate.js';
import { type ComponentPids, Supervisor } from '../../src/cli/supervisor.js';
import { silentLogger } from '../../src/lib/log.js';

const fake = fileURLToPath(new URL('./fake-component.js', import.meta.url));

async function eventually<T>(what: string, fn: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Supervisor', () => {
  it('reports the pid of a restarted component, and nothing while it stops', async () => {
    const seen: ComponentPids[] = [];
    const sup = new Supervisor(fake, silentLogger, (pids) => seen.push(pids));
    try {
      sup.start({ name: 'comp', args: [] });
      const first = sup.pid('comp')!;
      assert.deepEqual(seen, [{ comp: first }]);
      process.kill(first, 'SIGKILL');
      // Gone, then (after the 1 s backoff) back with a new pid.
      await eventually('the exit reported', () => (seen.some((p) => p.comp === null) ? true : undefined));
      const second = await eventually('the restart', () => {
        const pid = sup.pid('comp');
        return pid !== undefined && pid !== first ? pid : undefined;
      });
      assert.ok(isAlive(second));
      assert.deepEqual(seen, [{ comp: first }, { comp: null }, { comp: second }]);
      assert.deepEqual(sup.pids(), { comp: second });
    } finally {
      const before = seen.length;
      await sup.stop(5000);
      assert.equal(seen.length, before, 'a stop is not a change to record');
    }
  });

  it('run.json is replaced whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcnet-runstate-'));
    try {
      const state = {
        pid: 1,
        startedAt: '2024-01-01T00:00:00Z',
        apiServer: 'https://127.0.0.1:6443',
        kubeconfig: '/k',
        serviceClusterIPRange: '127.96.0.0/12',
        serviceNodePortRange: '30000-32767',
        storage: 'sqlite',
        version: 'test',
        components: { agent: 10 },
      };
      writeRunState(dir, state);
      writeRunState(dir, { ...state, components: { agent: 11 } });
      assert.deepEqual(readRunState(dir)?.components, { agent: 11 });
      assert.equal(JSON.parse(readFileSync(runFile(dir), 'utf8')).components.agent, 11);
      assert.deepEqual(readdirSync(dir), ['run.json'], 'no temporary file left behind');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
