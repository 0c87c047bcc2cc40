/**
 * The work queue on a manual clock: delays are asserted as the delays the
 * queue asks for, and time only moves when a test advances it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue, type WorkQueueOptions } from '../../src/client/workqueue.js';
import { createLogger } from '../../src/lib/log.js';
import { ManualClock } from '../lib/clock.js';
import { until } from './harness.js';

/** A promise with its resolve/reject, to hold a worker mid-run. */
function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A queue whose worker records each run and then waits until the test
 * finishes that run (`finish(key)` or `fail(key)`), so "while processing" is
 * a state the test controls, not a moment it hopes to hit.
 */
function harness(opts: WorkQueueOptions = {}) {
  const clock = new ManualClock();
  const runs: string[] = [];
  const inFlight = new Map<string, ReturnType<typeof deferred> & { ended: boolean }>();
  let concurrent = 0;
  let maxConcurrent = 0;
  const lines: string[] = [];
  const log = createLogger({ format: 'json', verbosity: 2, write: (l) => lines.push(l) });
  const q = new WorkQueue(
    'test',
    async (key) => {
      assert.ok(!inFlight.has(key), `${key} runs twice at once`);
      const run = { ...deferred(), ended: false };
      inFlight.set(key, run);
      runs.push(key);
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      try {
        await run.promise;
      } finally {
        concurrent--;
        inFlight.delete(key);
        run.ended = true;
      }
    },
    { clock, ...opts },
    log,
  );
  const started = (key: string) => until(() => inFlight.get(key), `${key} to start`);
  /** Ends the current run of `key` (waiting for it to start) and waits until the queue has seen it end. */
  const end = async (key: string, err?: Error) => {
    const run = await started(key);
    if (err) run.reject(err);
    else run.resolve();
    await until(() => run.ended, `${key} to end`);
    // The queue's own bookkeeping (catch/finally) runs right after the worker's promise settles.
    await tick();
  };
  const finish = (key: string) => end(key);
  const fail = (key: string) => end(key, new Error(`${key} failed`));
  const messages = () => lines.map((l) => JSON.parse(l) as { msg: string; attempt?: number; v?: number });
  return {
    q,
    clock,
    runs,
    started,
    finish,
    fail,
    messages,
    inFlight,
    maxConcurrent: () => maxConcurrent,
  };
}

/** Lets queued microtasks (the queue's pump) run. */
const tick = () => new Promise((r) => setImmediate(r));

describe('WorkQueue', () => {
  it('dedupes a key while it is queued and works keys in order', async () => {
    const h = harness();
    h.q.add('a');
    h.q.add('b');
    h.q.add('a');
    h.q.add('c');
    h.q.add('b');
    assert.equal(h.q.len(), 3);
    await h.finish('a');
    await h.finish('b');
    await h.finish('c');
    await h.q.idle();
    assert.deepEqual(h.runs, ['a', 'b', 'c']);
    assert.equal(h.q.len(), 0);
    h.q.stop();
  });

  it('runs a key re-added while it is processed once more, after the run ends, never concurrently', async () => {
    const h = harness({ concurrency: 4 });
    h.q.add('a');
    await h.started('a');
    // Three adds while a runs: one more run, after this one.
    h.q.add('a');
    h.q.add('a');
    h.q.add('a');
    assert.equal(h.q.len(), 0, 'a is not queued while it runs');
    await tick();
    assert.deepEqual(h.runs, ['a']);
    await h.finish('a');
    await h.finish('a');
    await h.q.idle();
    assert.deepEqual(h.runs, ['a', 'a']);
    assert.equal(h.maxConcurrent(), 1);
    h.q.stop();
  });

  it('works different keys concurrently up to the limit', async () => {
    const h = harness({ concurrency: 2 });
    for (const k of ['a', 'b', 'c']) h.q.add(k);
    await h.started('a');
    await h.started('b');
    assert.equal(h.q.len(), 1, 'c waits for a free worker');
    assert.ok(!h.inFlight.has('c'));
    await h.finish('b');
    await h.started('c');
    await h.finish('a');
    await h.finish('c');
    await h.q.idle();
    assert.deepEqual(h.runs, ['a', 'b', 'c']);
    assert.equal(h.maxConcurrent(), 2);
    h.q.stop();
  });

  it('requeues a failed key after a per-key exponential backoff, capped', async () => {
    const h = harness({ baseDelayMs: 10, maxDelayMs: 50 });
    h.q.add('a');
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      await h.fail('a');
      await until(() => h.clock.pending().length === 1, 'the retry to be scheduled');
      const [delay] = h.clock.pending();
      delays.push(delay!);
      // Not due a millisecond early...
      h.clock.advanceNow(delay! - 1);
      assert.deepEqual(h.clock.pending(), [1]);
      assert.equal(h.runs.length, attempt);
      // ...and run when due.
      h.clock.advanceNow(1);
      await h.started('a');
    }
    assert.deepEqual(delays, [10, 20, 40, 50, 50]);
    await h.finish('a');
    // Another key's failures have their own backoff.
    h.q.add('b');
    await h.fail('b');
    await until(() => h.clock.pending().length === 1, 'b to be scheduled');
    assert.deepEqual(h.clock.pending(), [10]);
    // The first failures are quiet (-v=2), repeats warn.
    const requeued = h.messages().filter((m) => m.msg === 'Sync failed; requeued');
    assert.deepEqual(
      requeued.map((m) => [m.attempt, m.v ?? 'warn']),
      [
        [1, 2],
        [2, 2],
        [3, 'warn'],
        [4, 'warn'],
        [5, 'warn'],
        [1, 2],
      ],
    );
    h.q.stop();
  });

  it('forgets the backoff of a key once it succeeds', async () => {
    const h = harness({ baseDelayMs: 10 });
    h.q.add('a');
    for (const delay of [10, 20, 40]) {
      await h.fail('a');
      await until(() => h.clock.pending().length === 1, 'the retry');
      assert.deepEqual(h.clock.pending(), [delay]);
      h.clock.advanceNow(delay);
    }
    await h.finish('a');
    h.q.add('a');
    await h.fail('a');
    await until(() => h.clock.pending().length === 1, 'the retry after success');
    assert.deepEqual(h.clock.pending(), [10]);
    h.q.stop();
  });

  it('adds a key after a delay; a key already waiting keeps the sooner time', async () => {
    const h = harness();
    h.q.addAfter('a', 100);
    assert.deepEqual(h.clock.pending(), [100]);
    assert.equal(h.q.len(), 0);
    // A later time does not postpone it.
    h.q.addAfter('a', 500);
    assert.deepEqual(h.clock.pending(), [100]);
    // A sooner one brings it forward (client-go's delaying queue).
    h.q.addAfter('a', 30);
    assert.deepEqual(h.clock.pending(), [30]);
    h.clock.advanceNow(30);
    assert.deepEqual(h.clock.pending(), []);
    await h.finish('a');
    // No delay: added at once.
    h.q.addAfter('b', 0);
    assert.equal(h.q.len(), 1);
    await h.finish('b');
    // A delayed add of a key that is queued by then is deduped.
    h.q.addAfter('c', 10);
    h.q.add('c');
    h.clock.advanceNow(10);
    assert.equal(h.q.len(), 1);
    await h.finish('c');
    await h.q.idle();
    assert.deepEqual(h.runs, ['a', 'b', 'c']);
    h.q.stop();
  });

  it('a sooner delayed add overtakes a long retry backoff', async () => {
    const h = harness({ baseDelayMs: 60_000 });
    h.q.add('a');
    await h.fail('a');
    await until(() => h.clock.pending().length === 1, 'the retry');
    assert.deepEqual(h.clock.pending(), [60_000]);
    // e.g. a controller's batch delay after a watch event: must not wait for the backoff.
    h.q.addAfter('a', 5);
    h.clock.advanceNow(5);
    await h.finish('a');
    assert.deepEqual(h.runs, ['a', 'a']);
    h.q.stop();
  });

  it('stop drops queued keys and pending retries, lets the run in progress end, and takes nothing more', async () => {
    const h = harness({ baseDelayMs: 10 });
    h.q.add('x');
    await h.fail('x');
    await until(() => h.clock.pending().length === 1, 'x retry');
    h.q.add('a');
    await h.started('a');
    h.q.add('b');
    h.q.add('a'); // re-added while running
    h.q.addAfter('c', 10);
    h.q.stop();
    assert.equal(h.q.len(), 0);
    assert.deepEqual(h.clock.pending(), [], 'timers cancelled');
    h.q.add('d');
    h.q.addAfter('e', 1);
    assert.equal(h.q.len(), 0);
    assert.deepEqual(h.clock.pending(), []);
    // The run in progress finishes (and failing now requeues nothing).
    await h.fail('a');
    await h.q.idle();
    await tick();
    assert.deepEqual(h.runs, ['x', 'a']);
    assert.deepEqual(h.clock.pending(), []);
  });

  it('idle() waits for queued keys, running workers and pending retries', async () => {
    const h = harness({ baseDelayMs: 10 });
    let idle = false;
    h.q.add('a');
    await h.started('a');
    const done = h.q.idle().then(() => {
      idle = true;
    });
    await h.fail('a');
    await until(() => h.clock.pending().length === 1, 'the retry');
    assert.equal(idle, false, 'a retry is pending');
    h.clock.advanceNow(10);
    await h.finish('a');
    await done;
    assert.equal(idle, true);
    h.q.stop();
  });
});
