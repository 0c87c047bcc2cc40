/** The CronJob controller against a real in-process API server, its time driven by a manual clock. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { CronJobs, Jobs } from '../../../src/client/resources.js';
import { mostRecentScheduleTime } from '../../../src/controllers/cronjob/controller.js';
import { parseStandard } from '../../../src/k8s/cron.js';
import { type BatchHarness, startBatchHarness, waitFor } from '../job/harness.js';

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function cronJob(name: string, spec: Partial<NonNullable<CronJob['spec']>> = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '*/5 * * * *',
      timeZone: 'UTC',
      jobTemplate: {
        metadata: { labels: { from: name } },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
      ...spec,
    },
  };
}

const jobsOf = async (h: BatchHarness, cj: string): Promise<Job[]> =>
  (await h.client.list<Job>(Jobs, 'default', { labelSelector: `from=${cj}` })).items
    .filter((j) => !j.metadata?.deletionTimestamp)
    .sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));

const getCronJob = (h: BatchHarness, name: string) => h.client.get<CronJob>(CronJobs, 'default', name);

async function finishJob(h: BatchHarness, job: Job, type: 'Complete' | 'Failed'): Promise<void> {
  const cur = await h.client.get<Job>(Jobs, 'default', job.metadata!.name!);
  const now = iso(h.clock.t);
  await h.client.update<Job>(
    Jobs,
    {
      ...cur,
      status: {
        startTime: now,
        ...(type === 'Complete' ? { completionTime: now, succeeded: 1 } : { failed: 1 }),
        conditions: [{ type, status: 'True', lastTransitionTime: now, lastProbeTime: now }],
      },
    },
    'status',
  );
}

/** The next 5-minute boundary after t. */
const nextFive = (t: number) => Math.floor(t / (5 * MIN)) * 5 * MIN + 5 * MIN;

describe('CronJob controller', () => {
  let h: BatchHarness;
  before(async () => {
    h = await startBatchHarness({ cronJobs: true });
  });
  after(async () => {
    await h?.stop();
  });

  /** Advances the manual clock to just after the next five-minute schedule time; answers that time. */
  async function toNextSchedule(): Promise<number> {
    const due = nextFive(h.clock.t);
    await h.advance(due - h.clock.t + 1000);
    return due;
  }

  it('creates a Job per schedule time, named by its minute, and records it in status', async () => {
    const cj = await h.client.create<CronJob>(CronJobs, 'default', cronJob('tick'));
    await h.advance(0);
    assert.deepEqual(await jobsOf(h, 'tick'), []);
    const due = await toNextSchedule();
    const [job] = await waitFor('a job', async () => {
      const j = await jobsOf(h, 'tick');
      return j.length === 1 ? j : undefined;
    });
    assert.equal(job!.metadata?.name, `tick-${due / MIN}`);
    assert.equal(job!.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], iso(due));
    assert.deepEqual(
      job!.metadata?.ownerReferences?.map((r) => [r.kind, r.uid, r.controller]),
      [['CronJob', cj.metadata?.uid, true]],
    );
    const status = (
      await waitFor('status', async () => {
        const c = await getCronJob(h, 'tick');
        return c.status?.active?.length === 1 ? c : undefined;
      })
    ).status!;
    assert.equal(status.lastScheduleTime, iso(due));
    assert.equal(status.active?.[0]?.name, job!.metadata?.name);

    // Finishing it empties active and sets lastSuccessfulTime.
    await finishJob(h, job!, 'Complete');
    const done = await waitFor('no active', async () => {
      const c = await getCronJob(h, 'tick');
      return !c.status?.active?.length ? c : undefined;
    });
    assert.equal(done.status?.lastSuccessfulTime, iso(h.clock.t));
    assert.ok(h.events.some((e) => e.reason === 'SawCompletedJob' && e.name === 'tick'));
  });

  it('keeps successfulJobsHistoryLimit finished Jobs, deleting the oldest', async () => {
    await h.client.create<CronJob>(CronJobs, 'default', cronJob('hist', { successfulJobsHistoryLimit: 1 }));
    // The clock runs ahead of the server's: a schedule time may already have passed at creation.
    await h.advance(0);
    const finishAll = async () => {
      for (const j of await jobsOf(h, 'hist'))
        if (!j.status?.conditions?.length) await finishJob(h, j, 'Complete');
      await waitFor('none active', async () => !(await getCronJob(h, 'hist')).status?.active?.length);
    };
    await finishAll();
    for (let i = 0; i < 2; i++) {
      const due = await toNextSchedule();
      await waitFor('the new job', async () =>
        (await jobsOf(h, 'hist')).some((j) => j.metadata?.name === `hist-${due / MIN}`),
      );
      await finishAll();
    }
    const last = (await getCronJob(h, 'hist')).status?.lastScheduleTime;
    const left = await waitFor('one kept', async () => {
      const j = await jobsOf(h, 'hist');
      return j.length === 1 ? j : undefined;
    });
    assert.equal(left[0]!.metadata?.name, `hist-${Date.parse(last!) / MIN}`);
  });

  it('Forbid skips a schedule while a Job runs; Replace deletes it for the new one', async () => {
    await h.client.create<CronJob>(CronJobs, 'default', cronJob('solo', { concurrencyPolicy: 'Forbid' }));
    await toNextSchedule();
    const [first] = await waitFor('first', async () => {
      const j = await jobsOf(h, 'solo');
      return j.length === 1 ? j : undefined;
    });
    await toNextSchedule();
    await waitFor('skipped', async () =>
      h.events.some((e) => e.name === 'solo' && e.reason === 'JobAlreadyActive'),
    );
    assert.equal((await jobsOf(h, 'solo')).length, 1);

    await h.client.patch(CronJobs, 'default', 'solo', 'merge', { spec: { concurrencyPolicy: 'Replace' } });
    const due = await toNextSchedule();
    const jobs = await waitFor('replaced', async () => {
      const j = await jobsOf(h, 'solo');
      return j.length === 1 && j[0]!.metadata?.uid !== first!.metadata?.uid ? j : undefined;
    });
    assert.equal(jobs[0]!.metadata?.name, `solo-${due / MIN}`);
    assert.ok(h.events.some((e) => e.name === 'solo' && e.reason === 'SuccessfulDelete'));
  });

  it('suspend stops new Jobs; a schedule missed past startingDeadlineSeconds is skipped', async () => {
    await h.client.create<CronJob>(
      CronJobs,
      'default',
      cronJob('late', { suspend: true, startingDeadlineSeconds: 60 }),
    );
    await toNextSchedule();
    assert.equal((await jobsOf(h, 'late')).length, 0);
    // Resumed two minutes after the schedule time: past startingDeadlineSeconds, so nothing starts.
    await h.advance(2 * MIN);
    await h.client.patch(CronJobs, 'default', 'late', 'merge', { spec: { suspend: false } });
    await waitFor('resumed', async () => (await getCronJob(h, 'late')).spec?.suspend === false);
    await h.advance(0);
    assert.equal((await jobsOf(h, 'late')).length, 0);
    await toNextSchedule();
    await waitFor('on time', async () => (await jobsOf(h, 'late')).length === 1);
  });
});

describe('mostRecentScheduleTime', () => {
  const sched = parseStandard('*/5 * * * *');
  const base = Date.parse('2024-03-01T10:00:00Z');
  const cj = (last: number | undefined, sds?: number): CronJob => ({
    metadata: { creationTimestamp: iso(base) },
    spec: { schedule: '*/5 * * * *', jobTemplate: {}, startingDeadlineSeconds: sds },
    status: last === undefined ? {} : { lastScheduleTime: iso(last) },
  });
  it('answers the latest time passed since the last schedule, counting the missed ones', () => {
    assert.deepEqual(mostRecentScheduleTime(cj(undefined), sched, base + 4 * MIN, 'UTC'), {
      time: undefined,
      missed: 0,
    });
    assert.deepEqual(mostRecentScheduleTime(cj(undefined), sched, base + 16 * MIN, 'UTC'), {
      time: base + 15 * MIN,
      missed: 3,
    });
    assert.deepEqual(mostRecentScheduleTime(cj(base + 10 * MIN), sched, base + 16 * MIN, 'UTC'), {
      time: base + 15 * MIN,
      missed: 1,
    });
  });
  it('looks back no further than startingDeadlineSeconds', () => {
    assert.deepEqual(mostRecentScheduleTime(cj(undefined, 120), sched, base + 16 * MIN, 'UTC'), {
      time: base + 15 * MIN,
      missed: 1,
    });
    assert.deepEqual(mostRecentScheduleTime(cj(undefined, 30), sched, base + 16 * MIN, 'UTC'), {
      time: undefined,
      missed: 0,
    });
  });
  it('stays fast and reports too many misses after a long stop', () => {
    const r = mostRecentScheduleTime(
      cj(undefined),
      parseStandard('* * * * *'),
      base + 30 * 24 * 60 * MIN,
      'UTC',
    );
    assert.equal(r.time, base + 30 * 24 * 60 * MIN);
    assert.ok(r.missed > 100);
  });
});
