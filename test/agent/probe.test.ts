import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ProbeKind,
  type ProbeResult,
  ProbeRunner,
  ProbeState,
  probeTiming,
} from '../../src/agent/probe.js';

const timing = (o: Partial<ReturnType<typeof probeTiming>> = {}) => ({ ...probeTiming({}), ...o });

test('probe timing defaults as the API server sets them', () => {
  assert.deepEqual(probeTiming({}), {
    initialDelaySeconds: 0,
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  });
});

test('ProbeState: initial results, thresholds, hold after liveness failure', () => {
  type Step = ['s' | 'f', ProbeResult, boolean];
  const cases: {
    name: string;
    kind: ProbeKind;
    t?: Partial<ReturnType<typeof probeTiming>>;
    steps: Step[];
  }[] = [
    {
      name: 'readiness starts failed, one success flips it',
      kind: 'readiness',
      steps: [
        ['s', 'success', true],
        ['s', 'success', false],
      ],
    },
    {
      name: 'readiness needs failureThreshold failures in a row',
      kind: 'readiness',
      t: { failureThreshold: 3 },
      steps: [
        ['s', 'success', true],
        ['f', 'success', false],
        ['f', 'success', false],
        ['s', 'success', false],
        ['f', 'success', false],
        ['f', 'success', false],
        ['f', 'failure', true],
        ['f', 'failure', false],
      ],
    },
    {
      name: 'readiness successThreshold 2',
      kind: 'readiness',
      t: { successThreshold: 2 },
      steps: [
        ['s', 'failure', false],
        ['s', 'success', true],
      ],
    },
    {
      name: 'liveness starts success, failure after threshold',
      kind: 'liveness',
      t: { failureThreshold: 2 },
      steps: [
        ['f', 'success', false],
        ['f', 'failure', true],
      ],
    },
    { name: 'startup starts unknown', kind: 'startup', steps: [['s', 'success', true]] },
  ];
  for (const c of cases) {
    const st = new ProbeState(c.kind, timing(c.t), 0);
    c.steps.forEach(([o, result, changed], i) => {
      const got = st.observe(o === 's' ? 'success' : 'failure');
      assert.equal(st.result, result, `${c.name}: step ${i} result`);
      assert.equal(got, changed, `${c.name}: step ${i} changed`);
    });
  }
  const live = new ProbeState('liveness', timing({ failureThreshold: 1 }), 0);
  live.observe('failure');
  assert.equal(live.onHold, true);
  assert.equal(live.due(60_000, true), false, 'on hold until the container is replaced');
});

test('ProbeState.due: initial delay in whole seconds, startup gating', () => {
  const r = new ProbeState('readiness', timing({ initialDelaySeconds: 5 }), 1000);
  assert.equal(r.due(5999, true), false);
  assert.equal(r.due(6000, true), true);
  assert.equal(r.due(6000, false), false, 'readiness waits for startup');
  const s = new ProbeState('startup', timing(), 0);
  assert.equal(s.due(0, false), true);
  assert.equal(s.due(0, true), false, 'startup stops once started');
});

test('ProbeRunner publishes results and Unhealthy messages', async () => {
  const outcomes: ('success' | 'failure')[] = ['failure', 'success', 'failure', 'failure', 'failure'];
  const results: string[] = [];
  const unhealthy: string[] = [];
  const runner = new ProbeRunner(
    'readiness',
    { httpGet: { port: 80 }, failureThreshold: 3 },
    0,
    async () => {
      const r = outcomes.shift() ?? 'success';
      return { result: r, output: r === 'failure' ? 'HTTP probe failed with statuscode: 503' : '' };
    },
    {
      started: () => true,
      now: () => 0,
      onResult: (_k, r) => results.push(r),
      onUnhealthy: (_k, m) => unhealthy.push(m),
    },
  );
  for (let i = 0; i < 5; i++) await runner.tick();
  assert.deepEqual(results, ['success', 'failure']);
  assert.equal(unhealthy.length, 4);
  assert.equal(unhealthy[0], 'Readiness probe failed: HTTP probe failed with statuscode: 503');
  runner.stop();
});

test('ProbeRunner throws away probe errors', async () => {
  const msgs: string[] = [];
  const results: string[] = [];
  const runner = new ProbeRunner(
    'liveness',
    { tcpSocket: { port: 'nope' } },
    0,
    async () => {
      throw new Error("couldn't find port: nope");
    },
    {
      started: () => true,
      now: () => 0,
      onResult: (_k, r) => results.push(r),
      onUnhealthy: (_k, m) => msgs.push(m),
    },
  );
  await runner.tick();
  assert.deepEqual(results, []);
  assert.equal(runner.state.result, 'success');
  assert.match(msgs[0] ?? '', /^Liveness probe errored and resulted in unknown state: couldn't find port/);
});
