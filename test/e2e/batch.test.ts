/**
 * batch/v1 driven as a user does with the real kubectl: `create job` and
 * `wait --for=condition=complete`, a failing Job reaching
 * BackoffLimitExceeded, `create cronjob` and `create job --from=cronjob/x`,
 * `get jobs,cronjobs` columns, and deleting a Job removing its pods.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from './harness.js';
import { getJson, type Obj, table } from './kubectl-output.js';

const skip = skipReason();

const podsOfJob = (c: Cluster, job: string): Obj[] =>
  getJson(c, ['pods', '-l', `batch.kubernetes.io/job-name=${job}`]).items;

describe('Jobs and CronJobs with kubectl', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(() => stopCluster(c));

  it('runs a Job to completion: create job, wait --for=condition=complete, get jobs', () => {
    c.ok(['create', 'job', 'pi', '--image=busybox', '--', 'sh', '-c', 'exit 0']);
    const out = c.ok(['wait', '--for=condition=complete', 'job/pi', '--timeout=90s']);
    assert.match(out, /job\.batch\/pi condition met/);
    const job = getJson(c, ['job', 'pi']);
    assert.equal(job.status.succeeded, 1);
    assert.equal(job.status.active ?? 0, 0);
    assert.ok(job.status.startTime && job.status.completionTime);
    const types = job.status.conditions.map((x: Obj) => `${x.type}=${x.status}`);
    assert.deepEqual(types, ['SuccessCriteriaMet=True', 'Complete=True']);
    assert.equal(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], job.metadata.uid);
    // The finished pod keeps running its course but no longer holds the tracking finalizer.
    const pods = podsOfJob(c, 'pi');
    assert.equal(pods.length, 1);
    assert.equal(pods[0].status.phase, 'Succeeded');
    assert.deepEqual(pods[0].metadata.finalizers ?? [], []);

    assert.match(
      c.ok(['describe', 'job', 'pi']),
      /Pods Statuses: +0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed[\s\S]*SuccessfulCreate/,
    );
    const t = table(c.ok(['get', 'jobs']));
    assert.deepEqual(t[0], ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    const row = t.find((r) => r[0] === 'pi');
    assert.deepEqual(row?.slice(0, 3), ['pi', 'Complete', '1/1']);
  });

  it('fails a Job past its backoffLimit with BackoffLimitExceeded', () => {
    c.ok(['apply', '-f', '-'], {
      input: `apiVersion: batch/v1
kind: Job
metadata: {name: boom}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: c, image: busybox, command: [sh, -c, "exit 3"]}
`,
    });
    c.ok(['wait', '--for=condition=failed', 'job/boom', '--timeout=120s']);
    const job = getJson(c, ['job', 'boom']);
    const failed = job.status.conditions.find((x: Obj) => x.type === 'Failed');
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    assert.equal(failed.message, 'Job has reached the specified backoff limit');
    assert.equal(job.status.failed, 2);
    assert.equal(podsOfJob(c, 'boom').length, 2);
    const row = table(c.ok(['get', 'job', 'boom']))[1];
    assert.deepEqual(row?.slice(0, 3), ['boom', 'Failed', '0/1']);
  });

  it('creates a CronJob and a Job from it; get jobs,cronjobs shows both', () => {
    c.ok([
      'create',
      'cronjob',
      'tick',
      '--image=busybox',
      '--schedule=*/5 * * * *',
      '--',
      'sh',
      '-c',
      'exit 0',
    ]);
    const cj = getJson(c, ['cronjob', 'tick']);
    assert.equal(cj.spec.concurrencyPolicy, 'Allow');
    assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
    assert.equal(cj.spec.failedJobsHistoryLimit, 1);
    assert.equal(cj.spec.suspend, false);

    c.ok(['create', 'job', 'tick-now', '--from=cronjob/tick']);
    const job = getJson(c, ['job', 'tick-now']);
    assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(job.metadata.ownerReferences[0].kind, 'CronJob');
    assert.equal(job.metadata.ownerReferences[0].uid, cj.metadata.uid);
    c.ok(['wait', '--for=condition=complete', 'job/tick-now', '--timeout=90s']);

    const out = c.ok(['get', 'jobs,cronjobs']);
    const headers = out
      .split('\n')
      .filter((l) => l.startsWith('NAME'))
      .map((l) => l.trim().split(/ {2,}/));
    assert.deepEqual(headers, [
      ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
      ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
    ]);
    const cjRow = table(out).find((r) => r[0] === 'cronjob.batch/tick');
    assert.deepEqual(cjRow?.slice(0, 6), [
      'cronjob.batch/tick',
      '*/5 * * * *',
      '<none>',
      'False',
      '0',
      '<none>',
    ]);

    const bad = c.kubectl(['create', 'cronjob', 'bad', '--image=busybox', '--schedule=61 * * * *']);
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /spec\.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/,
    );
  });

  it('the CronJob controller starts Jobs on schedule and records them', async () => {
    c.ok(['apply', '-f', '-'], {
      input: `apiVersion: batch/v1
kind: CronJob
metadata: {name: often}
spec:
  schedule: "@every 3s"
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 1
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - {name: c, image: busybox, command: [sh, -c, "exit 0"]}
`,
    });
    const cj = await eventually(
      () => {
        const o = getJson(c, ['cronjob', 'often']);
        return o.status?.lastSuccessfulTime ? o : undefined;
      },
      60_000,
      'a scheduled Job to succeed',
    );
    assert.ok(cj.status.lastScheduleTime);
    const jobs = getJson(c, ['jobs']).items.filter(
      (j: Obj) => j.metadata.ownerReferences?.[0]?.uid === cj.metadata.uid,
    );
    assert.ok(jobs.length >= 1);
    for (const j of jobs) {
      assert.match(j.metadata.name, /^often-\d+$/);
      assert.ok(j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']);
    }
    c.ok(['patch', 'cronjob', 'often', '-p', '{"spec":{"suspend":true}}']);
    const row = table(c.ok(['get', 'cronjob', 'often']))[1]!;
    assert.deepEqual(row.slice(0, 4), ['often', '@every 3s', '<none>', 'True']);
    c.ok(['delete', 'cronjob', 'often']);
    await eventually(
      () =>
        !getJson(c, ['jobs']).items.some(
          (j: Obj) => j.metadata.ownerReferences?.[0]?.uid === cj.metadata.uid,
        ),
      60_000,
      "the CronJob's Jobs deleted with it",
    );
  });

  it('kubectl logs job/NAME reads its pod', () => {
    c.ok(['create', 'job', 'hello', '--image=busybox', '--', 'sh', '-c', 'echo hello from a job']);
    c.ok(['wait', '--for=condition=complete', 'job/hello', '--timeout=90s']);
    assert.equal(c.ok(['logs', 'job/hello']).trim(), 'hello from a job');
  });

  it('serves batch/v1 in discovery and OpenAPI: api-resources, explain', () => {
    const rows = table(c.ok(['api-resources', '--api-group=batch']));
    assert.deepEqual(
      rows.slice(1).map((r) => [r[0], r.at(-3), r.at(-2), r.at(-1)]),
      [
        ['cronjobs', 'batch/v1', 'true', 'CronJob'],
        ['jobs', 'batch/v1', 'true', 'Job'],
      ],
    );
    assert.match(c.ok(['explain', 'cronjob.spec.concurrencyPolicy']), /Forbid/);
    assert.match(c.ok(['explain', 'job.spec.backoffLimit']), /FIELD: *backoffLimit <integer>/);
    const legacy = JSON.parse(c.ok(['get', '--raw', '/apis/batch/v1']));
    assert.deepEqual(
      legacy.resources.map((r: Obj) => [r.name, r.kind, r.shortNames ?? [], r.categories ?? []]),
      [
        ['cronjobs', 'CronJob', ['cj'], ['all']],
        ['cronjobs/status', 'CronJob', [], []],
        ['jobs', 'Job', [], ['all']],
        ['jobs/status', 'Job', [], []],
      ],
    );
    const v2 = JSON.parse(c.ok(['get', '--raw', '/openapi/v2']));
    assert.ok(v2.definitions['io.k8s.api.batch.v1.Job']);
    assert.ok(v2.definitions['io.k8s.api.batch.v1.CronJobSpec']);
    assert.ok(v2.paths['/apis/batch/v1/namespaces/{namespace}/jobs/{name}/status']);
  });

  it('OnFailure restarts the container in its pod, then fails past backoffLimit; TTL 0 deletes it', async () => {
    c.ok(['apply', '--server-side', '-f', '-'], {
      input: `apiVersion: batch/v1
kind: Job
metadata: {name: again, labels: {suite: batch}}
spec:
  backoffLimit: 2
  ttlSecondsAfterFinished: 0
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - {name: c, image: busybox, command: [sh, -c, "exit 1"]}
`,
    });
    // One pod, restarted in place: the Job fails on restarts, then the TTL controller deletes it.
    await eventually(() => c.kubectl(['get', 'job', 'again']).code === 1, 60_000, 'the Job deleted');
    const eventsOf = (name: string): Obj[] =>
      getJson(c, ['events', '--field-selector', `involvedObject.name=${name}`]).items;
    const jobEvents = await eventually(
      () => {
        const e = eventsOf('again');
        return e.some((x) => x.reason === 'BackoffLimitExceeded') ? e : undefined;
      },
      30_000,
      'the BackoffLimitExceeded event',
    );
    const created = (jobEvents ?? []).filter((x) => x.reason === 'SuccessfulCreate');
    assert.equal(created.length, 1);
    assert.equal(created[0].count ?? 1, 1, 'one pod only');
    const pod = /Created pod: (\S+)/.exec(created[0].message)![1]!;
    await eventually(
      () =>
        eventsOf(pod)
          .filter((x) => x.reason === 'Started')
          .reduce((n, x) => n + (x.count ?? 1), 0) >= 2,
      30_000,
      'the container started twice',
    );
    await eventually(() => podsOfJob(c, 'again').length === 0, 60_000, 'its pod deleted');
  });

  it('label selectors over Jobs, delete -l', async () => {
    for (const name of ['l1', 'l2'])
      c.ok(['create', 'job', name, '--image=busybox', '--', 'sh', '-c', 'sleep 300']);
    c.ok(['label', 'job', 'l1', 'l2', 'suite=batch']);
    assert.deepEqual(c.ok(['get', 'jobs', '-l', 'suite=batch', '-o', 'name']).trim().split('\n').sort(), [
      'job.batch/l1',
      'job.batch/l2',
    ]);
    c.ok(['delete', 'jobs', '-l', 'suite=batch']);
    await eventually(() => [...podsOfJob(c, 'l1'), ...podsOfJob(c, 'l2')].length === 0, 60_000, 'pods gone');
  });

  it('deleting a Job deletes its pods', async () => {
    c.ok(['create', 'job', 'sleeper', '--image=busybox', '--', 'sh', '-c', 'sleep 300']);
    await eventually(
      () => podsOfJob(c, 'sleeper').some((p) => p.status?.phase === 'Running'),
      60_000,
      'a running pod',
    );
    c.ok(['delete', 'job', 'sleeper']);
    await eventually(() => podsOfJob(c, 'sleeper').length === 0, 60_000, 'the pods gone');
    assert.equal(c.kubectl(['get', 'job', 'sleeper']).code, 1);
  });

  it('a DELETE without a policy keeps the pods, as batch/v1 does, and warns', async () => {
    c.ok(['create', 'job', 'keeper', '--image=busybox', '--', 'sh', '-c', 'sleep 300']);
    await eventually(() => podsOfJob(c, 'keeper').length === 1, 60_000, 'a pod');
    const r = c.kubectl(['delete', '--raw', '/apis/batch/v1/namespaces/default/jobs/keeper']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /Warning: child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning/,
    );
    // The garbage collector drops the owner reference; the Job controller lets go of its finalizer.
    const pod = await eventually(
      () => {
        const p = podsOfJob(c, 'keeper')[0];
        return p && !p.metadata.ownerReferences && !(p.metadata.finalizers ?? []).length ? p : undefined;
      },
      60_000,
      'the pod orphaned and released',
    );
    assert.equal(pod.metadata.deletionTimestamp, undefined);
    c.ok(['delete', 'pod', pod.metadata.name, '--wait=false']);
  });
});
