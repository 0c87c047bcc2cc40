/** The Job and TTL-after-finished controllers against a real in-process API server, with a manual clock. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Jobs, Pods } from '../../../src/client/resources.js';
import { formatIndexes, parseIndexes } from '../../../src/controllers/job/state.js';
import {
  type BatchHarness,
  conditionsOf,
  finishPod,
  getJob,
  jobManifest,
  livePods,
  podsOf,
  startBatchHarness,
  waitFor,
} from './harness.js';

const FINALIZER = 'batch.kubernetes.io/job-tracking';

describe('Job controller', () => {
  let h: BatchHarness;
  before(async () => {
    h = await startBatchHarness({ jobs: true, ttl: true });
  });
  after(async () => {
    await h?.stop();
  });

  const waitLive = (job: string, n: number) =>
    waitFor(`${n} running pods of ${job}`, async () => {
      const p = await livePods(h.client, job);
      return p.length === n ? p : undefined;
    });

  it('runs completions pods, parallelism at a time, counting each once through the finalizer', async () => {
    const created = await h.client.create<Job>(
      Jobs,
      'default',
      jobManifest('work', { completions: 3, parallelism: 2 }),
    );
    const first = await waitLive('work', 2);
    for (const p of first) {
      assert.ok(p.metadata?.finalizers?.includes(FINALIZER));
      assert.match(p.metadata!.name!, /^work-[a-z0-9]{5}$/);
      assert.equal(p.metadata?.ownerReferences?.[0]?.uid, created.metadata?.uid);
      assert.equal(p.metadata?.labels?.['batch.kubernetes.io/controller-uid'], created.metadata?.uid);
    }
    let job = await waitFor('active 2', async () => {
      const j = await getJob(h.client, 'work');
      return j.status?.active === 2 ? j : undefined;
    });
    assert.ok(job.status?.startTime);
    assert.deepEqual(job.status?.uncountedTerminatedPods, {});

    await finishPod(h.client, first[0]!, 'Succeeded', h.clock.t);
    job = await waitFor('one counted', async () => {
      const j = await getJob(h.client, 'work');
      return j.status?.succeeded === 1 ? j : undefined;
    });
    // The counted pod lost its finalizer; a second pod replaced it (only one more is needed after that).
    const done = await h.client.get<Pod>(Pods, 'default', first[0]!.metadata!.name!);
    assert.deepEqual(done.metadata?.finalizers ?? [], []);
    const second = await waitLive('work', 2);
    assert.deepEqual(conditionsOf(job), []);

    for (const p of second) await finishPod(h.client, p, 'Succeeded', h.clock.t);
    job = await waitFor('Complete', async () => {
      const j = await getJob(h.client, 'work');
      return conditionsOf(j).includes('Complete=True/CompletionsReached') ? j : undefined;
    });
    assert.deepEqual(conditionsOf(job), [
      'SuccessCriteriaMet=True/CompletionsReached',
      'Complete=True/CompletionsReached',
    ]);
    assert.equal(job.status?.succeeded, 3);
    assert.equal(job.status?.active, 0);
    assert.equal(job.status?.conditions?.[1]?.message, 'Reached expected number of succeeded pods');
    assert.ok(job.status?.completionTime);
    assert.equal((await podsOf(h.client, 'work')).length, 3, 'no pod beyond completions');
    assert.ok(h.events.some((e) => e.name === 'work' && e.reason === 'Completed'));
  });

  it('without completions, succeeds when one pod succeeded and the others ended', async () => {
    await h.client.create<Job>(Jobs, 'default', jobManifest('queue', { parallelism: 2 }));
    const pods = await waitLive('queue', 2);
    await finishPod(h.client, pods[0]!, 'Succeeded', h.clock.t);
    await waitFor('counted', async () => (await getJob(h.client, 'queue')).status?.succeeded === 1);
    // No replacement once one succeeded; still running until the other ends.
    assert.equal((await livePods(h.client, 'queue')).length, 1);
    assert.deepEqual(conditionsOf(await getJob(h.client, 'queue')), []);
    await finishPod(h.client, pods[1]!, 'Succeeded', h.clock.t);
    const job = await waitFor('Complete', async () => {
      const j = await getJob(h.client, 'queue');
      return conditionsOf(j).includes('Complete=True/CompletionsReached') ? j : undefined;
    });
    assert.equal(job.status?.succeeded, 2);
  });

  it('replaces failed pods until backoffLimit is passed, then fails with BackoffLimitExceeded', async () => {
    await h.client.create<Job>(Jobs, 'default', jobManifest('flaky', { backoffLimit: 1 }));
    const [p1] = await waitLive('flaky', 1);
    await finishPod(h.client, p1!, 'Failed', h.clock.t);
    const [p2] = await waitFor('a replacement', async () => {
      const p = await livePods(h.client, 'flaky');
      return p.length === 1 && p[0]!.metadata?.uid !== p1!.metadata?.uid ? p : undefined;
    });
    assert.equal((await getJob(h.client, 'flaky')).status?.failed, 1);
    await finishPod(h.client, p2!, 'Failed', h.clock.t);
    const job = await waitFor('Failed', async () => {
      const j = await getJob(h.client, 'flaky');
      return conditionsOf(j).includes('Failed=True/BackoffLimitExceeded') ? j : undefined;
    });
    assert.deepEqual(conditionsOf(job), [
      'FailureTarget=True/BackoffLimitExceeded',
      'Failed=True/BackoffLimitExceeded',
    ]);
    assert.equal(job.status?.conditions?.[1]?.message, 'Job has reached the specified backoff limit');
    assert.equal(job.status?.failed, 2);
    assert.equal(job.status?.completionTime, undefined);
    assert.ok(
      h.events.some((e) => e.name === 'flaky' && e.type === 'Warning' && e.reason === 'BackoffLimitExceeded'),
    );
  });

  it("podFailurePolicy: Ignore does not count, FailJob fails at once with upstream's message", async () => {
    await h.client.create<Job>(
      Jobs,
      'default',
      jobManifest('policy', {
        podFailurePolicy: {
          rules: [
            { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          ],
        },
      }),
    );
    const next = async (prev?: Pod) =>
      (
        await waitFor('a new pod', async () => {
          const p = await livePods(h.client, 'policy');
          return p.length === 1 && p[0]!.metadata?.uid !== prev?.metadata?.uid ? p : undefined;
        })
      )[0]!;
    const p1 = await next();
    await finishPod(h.client, p1, 'Failed', h.clock.t, { exitCode: 1 });
    const p2 = await next(p1);
    assert.equal((await getJob(h.client, 'policy')).status?.failed, 1);
    await finishPod(h.client, p2, 'Failed', h.clock.t, { condition: 'DisruptionTarget' });
    const p3 = await next(p2);
    const released = await h.client.get<Pod>(Pods, 'default', p2.metadata!.name!);
    assert.deepEqual(released.metadata?.finalizers ?? [], []);
    assert.equal((await getJob(h.client, 'policy')).status?.failed, 1, 'the ignored failure is not counted');
    await finishPod(h.client, p3, 'Failed', h.clock.t, { exitCode: 42 });
    const job = await waitFor('Failed', async () => {
      const j = await getJob(h.client, 'policy');
      return conditionsOf(j).includes('Failed=True/PodFailurePolicy') ? j : undefined;
    });
    assert.equal(
      job.status?.conditions?.find((c) => c.type === 'Failed')?.message,
      `Container c for pod default/${p3.metadata?.name} failed with exit code 42 matching FailJob rule at index 0`,
    );
    assert.equal(job.status?.failed, 2);
  });

  it('fails with DeadlineExceeded once activeDeadlineSeconds pass on its clock, deleting active pods', async () => {
    await h.client.create<Job>(
      Jobs,
      'default',
      jobManifest('slow', { activeDeadlineSeconds: 30, parallelism: 2, completions: 2 }),
    );
    await waitLive('slow', 2);
    await h.advance(29_000);
    await h.jobs!.quiet();
    assert.deepEqual(conditionsOf(await getJob(h.client, 'slow')), []);
    await h.advance(1_000);
    const job = await waitFor('Failed', async () => {
      const j = await getJob(h.client, 'slow');
      return conditionsOf(j).includes('Failed=True/DeadlineExceeded') ? j : undefined;
    });
    assert.equal(job.status?.conditions?.[1]?.message, 'Job was active longer than specified deadline');
    assert.equal(job.status?.active, 0);
    // The deleted pods counted as failed and then were let go.
    await waitFor('pods gone', async () => (await podsOf(h.client, 'slow')).length === 0);
    assert.equal((await getJob(h.client, 'slow')).status?.failed, 2);
  });

  it('suspend creates no pods and stops the clock; resume starts them', async () => {
    await h.client.create<Job>(Jobs, 'default', jobManifest('later', { suspend: true }));
    let job = await waitFor('Suspended', async () => {
      const j = await getJob(h.client, 'later');
      return conditionsOf(j).includes('Suspended=True/JobSuspended') ? j : undefined;
    });
    assert.equal(job.status?.startTime, undefined);
    assert.equal((await podsOf(h.client, 'later')).length, 0);
    await h.client.patch(Jobs, 'default', 'later', 'merge', { spec: { suspend: false } });
    await waitLive('later', 1);
    job = await waitFor('resumed', async () => {
      const j = await getJob(h.client, 'later');
      return conditionsOf(j).includes('Suspended=False/JobResumed') ? j : undefined;
    });
    assert.ok(job.status?.startTime);
    await h.client.patch(Jobs, 'default', 'later', 'merge', { spec: { suspend: true } });
    await waitFor('pods deleted', async () => (await livePods(h.client, 'later')).length === 0);
    job = await waitFor('Suspended again', async () => {
      const j = await getJob(h.client, 'later');
      return conditionsOf(j).includes('Suspended=True/JobSuspended') ? j : undefined;
    });
    assert.equal(job.status?.failed ?? 0, 0, 'pods removed by suspension are not failures');
  });

  it('Indexed: one pod per index with its annotation and hostname; completedIndexes', async () => {
    await h.client.create<Job>(
      Jobs,
      'default',
      jobManifest('idx', { completionMode: 'Indexed', completions: 3, parallelism: 3 }),
    );
    const pods = await waitLive('idx', 3);
    const byIndex = new Map(
      pods.map((p) => [p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], p]),
    );
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    assert.equal(byIndex.get('1')?.spec?.hostname, 'idx-1');
    assert.match(byIndex.get('1')!.metadata!.name!, /^idx-1-[a-z0-9]{5}$/);
    assert.deepEqual(byIndex.get('1')?.spec?.containers[0]?.env?.[0]?.name, 'JOB_COMPLETION_INDEX');
    await finishPod(h.client, byIndex.get('1')!, 'Succeeded', h.clock.t);
    await waitFor(
      'index 1 done',
      async () => (await getJob(h.client, 'idx')).status?.completedIndexes === '1',
    );
    await finishPod(h.client, byIndex.get('2')!, 'Failed', h.clock.t);
    const [again] = await waitFor('index 2 again', async () => {
      const p = (await livePods(h.client, 'idx')).filter(
        (x) => x.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] === '2',
      );
      return p.length === 1 && p[0]!.metadata?.uid !== byIndex.get('2')!.metadata?.uid ? p : undefined;
    });
    await finishPod(h.client, byIndex.get('0')!, 'Succeeded', h.clock.t);
    await finishPod(h.client, again!, 'Succeeded', h.clock.t);
    const job = await waitFor('Complete', async () => {
      const j = await getJob(h.client, 'idx');
      return conditionsOf(j).includes('Complete=True/CompletionsReached') ? j : undefined;
    });
    assert.equal(job.status?.completedIndexes, '0-2');
    assert.equal(job.status?.succeeded, 3);
    assert.equal(job.status?.failed, 1);
  });

  it('successPolicy: an Indexed Job completes once its chosen indexes succeed, the rest deleted', async () => {
    await h.client.create<Job>(
      Jobs,
      'default',
      jobManifest('leader', {
        completionMode: 'Indexed',
        completions: 3,
        parallelism: 3,
        successPolicy: { rules: [{ succeededIndexes: '0' }] },
      }),
    );
    const pods = await waitLive('leader', 3);
    const zero = pods.find(
      (p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] === '0',
    )!;
    await finishPod(h.client, zero, 'Succeeded', h.clock.t);
    const job = await waitFor('Complete', async () => {
      const j = await getJob(h.client, 'leader');
      return conditionsOf(j).includes('Complete=True/SuccessPolicy') ? j : undefined;
    });
    assert.deepEqual(conditionsOf(job), [
      'SuccessCriteriaMet=True/SuccessPolicy',
      'Complete=True/SuccessPolicy',
    ]);
    assert.equal(job.status?.conditions?.[0]?.message, 'Matched rules at index 0');
    assert.equal(job.status?.completedIndexes, '0');
    assert.deepEqual(await livePods(h.client, 'leader'), []);
  });

  it('releases the finalizers of pods whose Job was deleted', async () => {
    await h.client.create<Job>(Jobs, 'default', jobManifest('gone'));
    const [pod] = await waitLive('gone', 1);
    await h.client.delete(Jobs, 'default', 'gone', { propagationPolicy: 'Background' });
    await waitFor('finalizer removed', async () => {
      const p = await h.client.get<Pod>(Pods, 'default', pod!.metadata!.name!);
      return !(p.metadata?.finalizers ?? []).includes(FINALIZER);
    });
  });

  it('a Job deleted in the foreground gets no replacement pods', async () => {
    await h.client.create<Job>(Jobs, 'default', jobManifest('fg'));
    const [pod] = await waitLive('fg', 1);
    await h.client.delete(Jobs, 'default', 'fg', { propagationPolicy: 'Foreground' });
    await waitFor('deleting', async () => !!(await getJob(h.client, 'fg')).metadata?.deletionTimestamp);
    // What the garbage collector would do: delete the pod. Its finalizer is released, nothing replaces it.
    await h.client.delete(Pods, 'default', pod!.metadata!.name!);
    await waitFor('pod gone', async () => (await podsOf(h.client, 'fg')).length === 0);
    await h.advance(0);
    assert.deepEqual(await podsOf(h.client, 'fg'), []);
  });

  it('deletecollection by label removes the Jobs; their pods are let go', async () => {
    for (const name of ['dc1', 'dc2'])
      await h.client.create<Job>(Jobs, 'default', {
        ...jobManifest(name),
        metadata: { name, labels: { dc: 'yes' } },
      });
    const pods = [...(await waitLive('dc1', 1)), ...(await waitLive('dc2', 1))];
    await h.client.deleteCollection(
      Jobs,
      'default',
      { propagationPolicy: 'Background' },
      { labelSelector: 'dc=yes' },
    );
    assert.deepEqual((await h.client.list<Job>(Jobs, 'default', { labelSelector: 'dc=yes' })).items, []);
    for (const pod of pods)
      await waitFor('finalizer removed', async () => {
        const p = await h.client.get<Pod>(Pods, 'default', pod.metadata!.name!);
        return !(p.metadata?.finalizers ?? []).includes(FINALIZER);
      });
  });

  it('ttlSecondsAfterFinished: the TTL controller deletes the finished Job on its clock', async () => {
    await h.client.create<Job>(Jobs, 'default', jobManifest('brief', { ttlSecondsAfterFinished: 60 }));
    const [pod] = await waitLive('brief', 1);
    await finishPod(h.client, pod!, 'Succeeded', h.clock.t);
    await waitFor('Complete', async () =>
      conditionsOf(await getJob(h.client, 'brief')).includes('Complete=True/CompletionsReached'),
    );
    await h.advance(59_000);
    await h.ttl!.quiet();
    assert.ok(await getJob(h.client, 'brief'));
    await h.advance(1_000);
    // Deleted in the foreground: the garbage collector (not running here) removes the pods, then the Job.
    const deleting = await waitFor('Job deleting', async () => {
      const j = await getJob(h.client, 'brief');
      return j.metadata?.deletionTimestamp ? j : undefined;
    });
    assert.deepEqual(deleting.metadata?.finalizers, ['foregroundDeletion']);
  });
});

describe('Job controller failure back-off', () => {
  let h: BatchHarness;
  before(async () => {
    h = await startBatchHarness({ jobs: true, podFailureBackoffMs: 10_000 });
  });
  after(async () => {
    await h?.stop();
  });

  it('waits 10s after the first failure before replacing the pod', async () => {
    await h.client.create<Job>(Jobs, 'default', jobManifest('retry', { backoffLimit: 3 }));
    const [p1] = await waitFor('a pod', async () => {
      const p = await livePods(h.client, 'retry');
      return p.length === 1 ? p : undefined;
    });
    await finishPod(h.client, p1!, 'Failed', h.clock.t);
    await waitFor('failure counted', async () => (await getJob(h.client, 'retry')).status?.failed === 1);
    await h.advance(9_000);
    await h.jobs!.quiet();
    assert.equal((await livePods(h.client, 'retry')).length, 0);
    await h.advance(1_000);
    await waitFor('replacement', async () => (await livePods(h.client, 'retry')).length === 1);
  });
});

describe('completed index text', () => {
  it('compresses runs of three or more', () => {
    assert.equal(formatIndexes([7, 1, 3, 4, 5]), '1,3-5,7');
    assert.equal(formatIndexes([0, 1]), '0,1');
    assert.deepEqual([...parseIndexes('1,3-5,7')], [1, 3, 4, 5, 7]);
  });
});
