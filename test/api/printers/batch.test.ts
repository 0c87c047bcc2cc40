import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { tableConvertorFor } from '../../../src/api/printers/index.js';

const now = new Date('2024-01-01T01:00:00Z');
const jobs = tableConvertorFor('batch', 'Job');
const cronJobs = tableConvertorFor('batch', 'CronJob');

const job = (spec: Job['spec'], status: Job['status'] = {}, deleting = false): Job => ({
  metadata: {
    name: 'pi',
    creationTimestamp: '2024-01-01T00:00:00Z',
    ...(deleting ? { deletionTimestamp: '2024-01-01T00:59:00Z' } : {}),
  },
  spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } }, ...spec } as Job['spec'],
  status,
});
const cond = (type: string) => ({ type, status: 'True' });

describe('Job rows (printJob, 1.32)', () => {
  it('columns: NAME STATUS COMPLETIONS DURATION AGE, then wide ones', () => {
    assert.deepEqual(
      jobs.columns.map((c) => [c.name, c.priority ?? 0]),
      [
        ['Name', 0],
        ['Status', 0],
        ['Completions', 0],
        ['Duration', 0],
        ['Age', 0],
        ['Containers', 1],
        ['Images', 1],
        ['Selector', 1],
      ],
    );
  });
  const cases: [string, Job, unknown[]][] = [
    ['not started', job({ completions: 1, template: {} }), ['Running', '0/1', '']],
    [
      'running for 5m',
      job({ completions: 3, template: {} }, { startTime: '2024-01-01T00:55:00Z', succeeded: 1 }),
      ['Running', '1/3', '5m'],
    ],
    [
      'complete after 90s',
      job(
        { completions: 1, template: {} },
        {
          startTime: '2024-01-01T00:00:00Z',
          completionTime: '2024-01-01T00:01:30Z',
          succeeded: 1,
          conditions: [cond('SuccessCriteriaMet'), cond('Complete')],
        },
      ),
      ['Complete', '1/1', '90s'],
    ],
    ['no completions, parallel', job({ parallelism: 3, template: {} }), ['Running', '0/1 of 3', '']],
    [
      'failed',
      job({ template: {} }, { conditions: [cond('FailureTarget'), cond('Failed')] }),
      ['Failed', '0/1', ''],
    ],
    [
      'failure target',
      job({ template: {} }, { conditions: [cond('FailureTarget')] }),
      ['FailureTarget', '0/1', ''],
    ],
    [
      'success criteria met',
      job({ template: {} }, { conditions: [cond('SuccessCriteriaMet')] }),
      ['SuccessCriteriaMet', '0/1', ''],
    ],
    ['suspended', job({ template: {} }, { conditions: [cond('Suspended')] }), ['Suspended', '0/1', '']],
    [
      'terminating',
      job({ template: {} }, { conditions: [cond('Suspended')] }, true),
      ['Terminating', '0/1', ''],
    ],
  ];
  for (const [title, j, want] of cases)
    it(title, () => assert.deepEqual(jobs.rows(j, now)[0]!.slice(1, 4), want));
  it('age, containers, images and selector', () => {
    const j = job({
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } },
    } as unknown as Job['spec']);
    assert.deepEqual(jobs.rows(j, now)[0]!.slice(4), [
      '60m',
      'pi',
      'perl',
      'batch.kubernetes.io/controller-uid=u1',
    ]);
  });
});

describe('CronJob rows (printCronJob)', () => {
  const cj = (extra: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob => ({
    metadata: { name: 'tick', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...extra,
    } as CronJob['spec'],
    status,
  });
  it('columns', () => {
    assert.deepEqual(
      cronJobs.columns.map((c) => c.name),
      [
        'Name',
        'Schedule',
        'Timezone',
        'Suspend',
        'Active',
        'Last Schedule',
        'Age',
        'Containers',
        'Images',
        'Selector',
      ],
    );
  });
  it('never scheduled, no zone, suspend unset', () => {
    assert.deepEqual(cronJobs.rows(cj(), now)[0], [
      'tick',
      '*/5 * * * *',
      '<none>',
      '<unset>',
      0,
      '<none>',
      '60m',
      'c',
      'busybox',
      '<none>',
    ]);
  });
  it('scheduled, with a zone and active jobs', () => {
    const row = cronJobs.rows(
      cj(
        { timeZone: 'Etc/UTC', suspend: false },
        { active: [{ name: 'a' }, { name: 'b' }], lastScheduleTime: '2024-01-01T00:55:00Z' },
      ),
      now,
    )[0]!;
    assert.deepEqual(row.slice(0, 6), ['tick', '*/5 * * * *', 'Etc/UTC', 'False', 2, '5m']);
  });
});
