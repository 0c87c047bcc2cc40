/** Job and CronJob rows: upstream printJob / printCronJob (1.32). */
import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import type { Container } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../registry/strategy.js';
import { AGE_COLUMN, column, DOC, NAME_COLUMN } from './columns.js';
import { humanDuration, parseTime, translateTimestampSince } from './duration.js';
import { formatLabelSelector } from './labels.js';
import type { TableConvertor } from './types.js';

const JOB_SELECTOR_DOC =
  'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';

const wideColumns = [
  column('Containers', 'string', DOC.containers, { priority: 1 }),
  column('Images', 'string', DOC.images, { priority: 1 }),
  column('Selector', 'string', JOB_SELECTOR_DOC, { priority: 1 }),
];

function containerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

const hasCondition = (conds: JobCondition[] | undefined, type: string) =>
  (conds ?? []).some((c) => c.type === type && c.status === 'True');

/** The STATUS column: terminal conditions first, then deletion, suspension and the interim targets. */
export function jobStatusText(job: Job): string {
  const conds = job.status?.conditions;
  if (hasCondition(conds, 'Complete')) return 'Complete';
  if (hasCondition(conds, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(conds, 'Suspended')) return 'Suspended';
  if (hasCondition(conds, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(conds, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function completionsText(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  const spec = job.spec;
  if (spec?.completions != null) return `${succeeded}/${spec.completions}`;
  if (spec?.parallelism != null && spec.parallelism > 1) return `${succeeded}/1 of ${spec.parallelism}`;
  return `${succeeded}/1`;
}

function durationText(job: Job, now: Date): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime) ?? now.getTime();
  return humanDuration(end - start);
}

export const jobConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'Status of the job.'),
    column(
      'Completions',
      'string',
      'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.',
    ),
    column('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    ...wideColumns,
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const job = obj as Job;
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [
      [
        job.metadata?.name ?? '',
        jobStatusText(job),
        completionsText(job),
        durationText(job, now),
        translateTimestampSince(job.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(job.spec?.selector),
      ],
    ];
  },
};

/** printBoolPtr. */
const boolPtr = (v: boolean | undefined) => (v == null ? '<unset>' : v ? 'True' : 'False');

export const cronJobConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column(
      'Timezone',
      'string',
      'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones',
    ),
    column(
      'Suspend',
      'boolean',
      'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.',
    ),
    column('Active', 'integer', 'A list of pointers to currently running jobs.'),
    column(
      'Last Schedule',
      'string',
      'Information when was the last time the job was successfully scheduled.',
    ),
    AGE_COLUMN,
    ...wideColumns,
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const cj = obj as CronJob;
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const [names, images] = containerCells(jobSpec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime;
    return [
      [
        cj.metadata?.name ?? '',
        cj.spec?.schedule ?? '',
        cj.spec?.timeZone ?? '<none>',
        boolPtr(cj.spec?.suspend),
        cj.status?.active?.length ?? 0,
        last ? translateTimestampSince(last, now) : '<none>',
        translateTimestampSince(cj.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(jobSpec?.selector),
      ],
    ];
  },
};
