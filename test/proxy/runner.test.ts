import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedFrequencyRunner } from '../../src/proxy/runner.js';
import { ManualClock } from '../lib/clock.js';

/** A runner over a recording fn; `fail` makes the next runs throw; `duration` makes runs take clock time. */
function harness(min: number, max: number, opts: { retryBackoffMs?: number; burst?: number } = {}) {
  const clock = new ManualClock();
  const runs: number[] = [];
  const ctl = { fail: 0, duration: 0 };
  const errors: unknown[] = [];
  const runner = new BoundedFrequencyRunner(
    'test',
    async () => {
      runs.push(clock.now());
      if (ctl.duration) await clock.advance(ctl.duration);
      if (ctl.fail > 0) {
        ctl.fail--;
        throw new Error('boom');
      }
    },
    min,
    max,
    { clock, onError: (e) => errors.push(e), ...opts },
  );
  return { clock, runs, ctl, runner, errors };
}

describe('BoundedFrequencyRunner', () => {
  it('rejects maxInterval < minInterval', () => {
    assert.throws(
      () => new BoundedFrequencyRunner('x', async () => {}, 10, 5),
      /x: maxInterval \(5ms\) must be >= minInterval \(10ms\)/,
    );
  });

  it('runs a request at once, then no sooner than minInterval, coalescing requests', async () => {
    const { clock, runs, runner } = harness(1000, 60_000);
    runner.start();
    runner.run();
    await clock.advance(0);
    assert.deepEqual(runs, [0]);
    // Three requests inside the cool-down become one run at its end.
    await clock.advance(100);
    runner.run();
    await clock.advance(200);
    runner.run();
    runner.run();
    await clock.advance(699);
    assert.deepEqual(runs, [0]);
    await clock.advance(1);
    assert.deepEqual(runs, [0, 1000]);
    await clock.advance(5000);
    assert.deepEqual(runs, [0, 1000], 'no request, no run before maxInterval');
    runner.run();
    await clock.advance(0);
    assert.deepEqual(runs, [0, 1000, 6000]);
    await runner.stop();
  });

  it('with burst 2 (the burstSyncs of kube-proxy), two syncs start back to back, then one per minInterval', async () => {
    const { clock, runs, runner } = harness(1000, 60_000, { burst: 2 });
    runner.start();
    runner.run();
    await clock.advance(0);
    await clock.advance(100);
    runner.run();
    await clock.advance(0);
    assert.deepEqual(runs, [0, 100], 'the second request used the second token');
    await clock.advance(100);
    runner.run();
    await clock.advance(799);
    assert.deepEqual(runs, [0, 100], 'the bucket is empty: one token per minInterval');
    await clock.advance(1);
    assert.deepEqual(runs, [0, 100, 1000]);
    // A quiet spell refills the bucket to two.
    await clock.advance(3000);
    runner.run();
    await clock.advance(0);
    runner.run();
    await clock.advance(0);
    assert.deepEqual(runs, [0, 100, 1000, 4000, 4000]);
    runner.run();
    await clock.advance(999);
    assert.equal(runs.length, 5);
    await clock.advance(1);
    assert.deepEqual(runs.slice(5), [5000]);
    await runner.stop();
  });

  it('remembers a request made before start', async () => {
    const { clock, runs, runner } = harness(1000, 60_000);
    runner.run();
    await clock.advance(10);
    assert.deepEqual(runs, []);
    runner.start();
    await clock.advance(0);
    assert.deepEqual(runs, [10]);
    await runner.stop();
  });

  it('runs every maxInterval without requests, counted from the end of the last run', async () => {
    const { clock, runs, runner } = harness(1000, 30_000);
    runner.start();
    await clock.advance(30_000);
    assert.deepEqual(runs, [30_000]);
    await clock.advance(10_000);
    runner.run();
    await clock.advance(0);
    await clock.advance(30_000);
    assert.deepEqual(runs, [30_000, 40_000, 70_000]);
    await runner.stop();
  });

  it('measures minInterval from the end of a run, and coalesces requests made during it', async () => {
    const { clock, runs, ctl, runner } = harness(1000, 60_000);
    runner.start();
    ctl.duration = 500;
    runner.run();
    await clock.advance(0);
    // The run is in progress (ends at 500): requests now wait for 500 + 1000.
    runner.run();
    runner.run();
    await clock.advance(1499);
    assert.deepEqual(runs, [0]);
    await clock.advance(1);
    assert.deepEqual(runs, [0, 1500]);
    ctl.duration = 0;
    await clock.advance(10_000);
    assert.deepEqual(runs, [0, 1500], 'the coalesced requests gave one run');
    await runner.stop();
  });

  it('retries failures with exponential backoff capped at maxInterval; success resets it', async () => {
    const { clock, runs, ctl, runner, errors } = harness(100, 10_000, { retryBackoffMs: 1000 });
    runner.start();
    ctl.fail = 5;
    runner.run();
    await clock.advance(0);
    assert.equal(runner.consecutiveFailures, 1);
    await clock.advance(1000 + 2000 + 4000 + 8000);
    // Retries at +1 s, +2 s, +4 s, +8 s (the 4th failure's 8 s is still under maxInterval).
    assert.deepEqual(runs, [0, 1000, 3000, 7000, 15_000]);
    assert.equal(runner.consecutiveFailures, 5);
    await clock.advance(10_000);
    assert.deepEqual(runs, [0, 1000, 3000, 7000, 15_000, 25_000], 'capped at maxInterval; this one succeeds');
    assert.equal(runner.consecutiveFailures, 0);
    await clock.advance(9_999);
    assert.equal(runs.length, 6, 'after success only the periodic run remains');
    ctl.fail = 1;
    runner.run();
    await clock.advance(0);
    await clock.advance(1000);
    assert.deepEqual(runs.slice(6), [34_999, 35_999], 'backoff starts over after a success');
    assert.equal(errors.length, 6);
    assert.match(String(errors[0]), /boom/);
    await runner.stop();
  });

  it('a request during the retry wait runs at once (after minInterval)', async () => {
    const { clock, runs, ctl, runner } = harness(100, 60_000, { retryBackoffMs: 5000 });
    runner.start();
    ctl.fail = 1;
    runner.run();
    await clock.advance(0);
    await clock.advance(50);
    runner.run();
    await clock.advance(50);
    assert.deepEqual(runs, [0, 100]);
    await clock.advance(10_000);
    assert.deepEqual(runs, [0, 100], 'the success cancelled the retry');
    await runner.stop();
  });

  it('runPromptly does not wait for a token; plain requests still do, from its end', async () => {
    const { clock, runs, runner } = harness(1000, 60_000);
    runner.start();
    runner.run();
    await clock.advance(0);
    await clock.advance(100);
    runner.run();
    await clock.advance(100);
    assert.deepEqual(runs, [0], 'a plain request waits for 1000');
    runner.runPromptly();
    await clock.advance(0);
    assert.deepEqual(runs, [0, 200], 'the prompt request ran at once, taking the waiting one with it');
    await clock.advance(1000);
    assert.deepEqual(runs, [0, 200], 'nothing left over at 1000');
    await clock.advance(500);
    runner.run();
    await clock.advance(0);
    assert.deepEqual(runs, [0, 200, 1700], 'minInterval counted from the prompt run has passed');
    runner.run();
    await clock.advance(999);
    assert.deepEqual(runs, [0, 200, 1700]);
    await clock.advance(1);
    assert.deepEqual(runs, [0, 200, 1700, 2700]);
    await runner.stop();
  });

  it('runPromptly during a run starts the next one as it ends, without overlap', async () => {
    const clock = new ManualClock();
    const runs: number[] = [];
    const runner: BoundedFrequencyRunner = new BoundedFrequencyRunner(
      'test',
      async () => {
        runs.push(clock.now());
        if (runs.length > 1) return;
        runner.runPromptly();
        await clock.advance(500);
      },
      1000,
      60_000,
      { clock },
    );
    runner.start();
    runner.run();
    await clock.advance(0);
    await clock.advance(499);
    assert.deepEqual(runs, [0]);
    await clock.advance(1);
    assert.deepEqual(runs, [0, 500], 'at the end of the first run, not minInterval after it');
    await runner.stop();
  });

  it('stop waits for a run in progress and cancels the rest', async () => {
    const { clock, runs, runner } = harness(0, 1000);
    runner.start();
    runner.run();
    await clock.advance(0);
    await runner.stop();
    runner.run();
    await clock.advance(5000);
    assert.deepEqual(runs, [0]);
    assert.deepEqual(clock.pending(), []);
  });
});
