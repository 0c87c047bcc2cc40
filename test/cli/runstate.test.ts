/**
 * The components a SIGKILLed `up` leaves behind: they stop by themselves
 * within a second, holding their ports meanwhile, and a restarted `up` must
 * wait for them rather than take their ports for another svcnet's.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { pidFile, strandedComponents, writeRunState } from '../../src/cli/runstate.js';

describe('strandedComponents', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A live process whose command line names svcnet, as a component's does. */
  const component = async (): Promise<number> => {
    const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'svcnet-component'], {
      stdio: 'ignore',
    });
    children.push(c);
    await new Promise((r) => c.once('spawn', r));
    return c.pid!;
  };

  const dataDir = (components: Record<string, number | null>, owner?: number): string => {
    const d = mkdtempSync(join(tmpdir(), 'svcnet-runstate-'));
    dirs.push(d);
    writeRunState(d, {
      pid: owner ?? 999_999,
      startedAt: new Date(0).toISOString(),
      apiServer: 'https://127.0.0.1:6443',
      kubeconfig: join(d, 'kubeconfig'),
      serviceClusterIPRange: '127.96.0.0/12',
      serviceNodePortRange: '30000-32767',
      storage: 'sqlite',
      version: 'test',
      components,
    });
    if (owner !== undefined) writeFileSync(pidFile(d), `${owner}\n`);
    return d;
  };

  it('lists the live components of a run whose owner is gone', async () => {
    const dns = await component();
    assert.deepEqual(strandedComponents(dataDir({ dns, agent: null, proxy: 2 ** 22 + 7 })), [dns]);
  });

  it('is empty while a live svcnet owns the data dir (its components are its own)', async () => {
    const dns = await component();
    const owner = await component();
    assert.deepEqual(strandedComponents(dataDir({ dns }, owner)), []);
  });

  it('ignores a recorded pid that now runs something else', async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(other);
    await new Promise((r) => other.once('spawn', r));
    assert.deepEqual(strandedComponents(dataDir({ dns: other.pid! })), []);
  });

  it('is empty without a run file', () => {
    const d = mkdtempSync(join(tmpdir(), 'svcnet-runstate-'));
    dirs.push(d);
    assert.deepEqual(strandedComponents(d), []);
  });
});
