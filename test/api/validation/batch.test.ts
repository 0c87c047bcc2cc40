import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CronJob as V1CronJob, Job as V1Job } from 'kubernetes-types/batch/v1.js';
import { setCronJobDefaults, setJobDefaults } from '../../../src/api/defaults/batch.js';
import {
  generateJobSelector,
  validateCronJob,
  validateCronJobUpdate,
  validateJob,
  validateJobStatusUpdate,
  validateJobUpdate,
} from '../../../src/api/validation/batch.js';
import { strings, type Writable } from './messages.js';

type Job = Writable<V1Job>;
type CronJob = Writable<V1CronJob>;

const meta = () => ({ name: 'pi', namespace: 'default', resourceVersion: '7', uid: 'u1', generation: 1 });
const podTemplate = () => ({
  spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
});

function job(): Job {
  const j: V1Job = { metadata: meta(), spec: { template: podTemplate() } };
  setJobDefaults(j);
  return j as Job;
}
function cronJob(): CronJob {
  const cj: V1CronJob = {
    metadata: { ...meta(), name: 'tick' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: podTemplate() } } },
  };
  setCronJobDefaults(cj);
  return cj as CronJob;
}

const GENERATED_LABELS =
  'map[string]string{"batch.kubernetes.io/controller-uid":"u1", "batch.kubernetes.io/job-name":"pi", "controller-uid":"u1", "job-name":"pi"}';

type Case<T> = [string, (o: T) => void, string[]];

function runCases<T>(
  name: string,
  make: () => T,
  validate: (o: T) => readonly { toString(): string }[],
  cases: Case<T>[],
) {
  describe(name, () => {
    for (const [title, mutate, want] of cases)
      it(title, () => {
        const o = make();
        mutate(o);
        assert.deepEqual(strings(validate(o)), want);
      });
  });
}

describe('Job defaults and selector generation', () => {
  it('defaults as upstream: parallelism and completions 1, backoffLimit 6, NonIndexed, not suspended', () => {
    const j = job();
    assert.equal(j.spec!.parallelism, 1);
    assert.equal(j.spec!.completions, 1);
    assert.equal(j.spec!.backoffLimit, 6);
    assert.equal(j.spec!.completionMode, 'NonIndexed');
    assert.equal(j.spec!.suspend, false);
    assert.equal(j.spec!.podReplacementPolicy, 'TerminatingOrFailed');
    assert.equal(j.spec!.template.spec!.terminationGracePeriodSeconds, 30);
  });
  it('leaves completions unset when only parallelism is given; backoffLimitPerIndex lifts backoffLimit', () => {
    const j: V1Job = { spec: { parallelism: 3, backoffLimitPerIndex: 1, template: podTemplate() } };
    setJobDefaults(j);
    assert.equal(j.spec!.completions, undefined);
    assert.equal(j.spec!.backoffLimit, 2147483647);
  });
  it('copies the template labels to a Job without labels', () => {
    const j: V1Job = { spec: { template: { ...podTemplate(), metadata: { labels: { app: 'x' } } } } };
    setJobDefaults(j);
    assert.deepEqual(j.metadata?.labels, { app: 'x' });
  });
  it('generates the selector and the pod labels from the UID and name', () => {
    const j = job();
    generateJobSelector(j as V1Job);
    assert.deepEqual(j.spec!.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } });
    assert.deepEqual(j.spec!.template.metadata?.labels, {
      'batch.kubernetes.io/controller-uid': 'u1',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'u1',
      'job-name': 'pi',
    });
  });
  it('CronJob defaults: Allow, not suspended, history 3 and 1; the job template is not Job-defaulted', () => {
    const cj = cronJob();
    assert.equal(cj.spec!.concurrencyPolicy, 'Allow');
    assert.equal(cj.spec!.suspend, false);
    assert.equal(cj.spec!.successfulJobsHistoryLimit, 3);
    assert.equal(cj.spec!.failedJobsHistoryLimit, 1);
    assert.equal(cj.spec!.jobTemplate.spec!.backoffLimit, undefined);
  });
});

runCases<Job>('validateJob', job, (j) => validateJob(j as V1Job), [
  ['valid', () => {}, []],
  [
    'negative counts',
    (j) => {
      j.spec!.parallelism = -1;
      j.spec!.completions = -2;
      j.spec!.backoffLimit = -3;
      j.spec!.activeDeadlineSeconds = -4;
      j.spec!.ttlSecondsAfterFinished = -5;
    },
    [
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.completions: Invalid value: -2: must be greater than or equal to 0',
      'spec.activeDeadlineSeconds: Invalid value: -4: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -3: must be greater than or equal to 0',
      'spec.ttlSecondsAfterFinished: Invalid value: -5: must be greater than or equal to 0',
    ],
  ],
  [
    'restartPolicy Always',
    (j) => (j.spec!.template.spec!.restartPolicy = 'Always'),
    ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  ],
  [
    'restartPolicy unknown',
    (j) => (j.spec!.template.spec!.restartPolicy = 'Sometimes'),
    [
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
    ],
  ],
  ['restartPolicy OnFailure', (j) => (j.spec!.template.spec!.restartPolicy = 'OnFailure'), []],
  [
    'completionMode unknown',
    (j) => (j.spec!.completionMode = 'Sorted'),
    ['spec.completionMode: Unsupported value: "Sorted": supported values: "NonIndexed", "Indexed"'],
  ],
  [
    'Indexed without completions',
    (j) => {
      j.spec!.completionMode = 'Indexed';
      delete j.spec!.completions;
    },
    ['spec.completions: Required value: when completion mode is Indexed'],
  ],
  [
    'podReplacementPolicy unknown',
    (j) => (j.spec!.podReplacementPolicy = 'Always'),
    [
      'spec.podReplacementPolicy: Unsupported value: "Always": supported values: "Failed", "TerminatingOrFailed"',
    ],
  ],
  [
    'backoffLimitPerIndex on a NonIndexed job',
    (j) => (j.spec!.backoffLimitPerIndex = 1),
    ['spec.backoffLimitPerIndex: Forbidden: requires indexed completion mode'],
  ],
  [
    'podFailurePolicy: a valid rule set',
    (j) => {
      j.spec!.podReplacementPolicy = 'Failed';
      j.spec!.podFailurePolicy = {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [1, 42] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      };
    },
    [],
  ],
  [
    'podFailurePolicy: exit codes and patterns',
    (j) =>
      (j.spec!.podFailurePolicy = {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'x', operator: 'In', values: [0, 3, 3, 2] } },
          { action: 'Restart', onPodConditions: [{ type: 'DisruptionTarget', status: 'Maybe' }] },
          { action: 'Count' },
          { action: 'FailIndex', onExitCodes: { operator: 'Is', values: [] } },
        ],
      }),
    [
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "x": must be one of the container or initContainer names in the pod template',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 3',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[3]: Invalid value: 2: must be ordered',
      'spec.podFailurePolicy.rules[1].action: Unsupported value: "Restart": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[1].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      'spec.podFailurePolicy.rules[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
      'spec.podFailurePolicy.rules[3].action: Forbidden: requires the backoffLimitPerIndex to be set',
      'spec.podFailurePolicy.rules[3].onExitCodes.operator: Unsupported value: "Is": supported values: "In", "NotIn"',
      'spec.podFailurePolicy.rules[3].onExitCodes.values: Required value: at least one value is required',
      'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
    ],
  ],
  [
    'successPolicy on an Indexed Job',
    (j) => {
      j.spec!.completionMode = 'Indexed';
      j.spec!.completions = 5;
      j.spec!.successPolicy = {
        rules: [
          { succeededIndexes: '0,2-3', succeededCount: 2 },
          {},
          { succeededCount: 6 },
          { succeededIndexes: '1', succeededCount: 2 },
          { succeededIndexes: '7' },
        ],
      };
    },
    [
      'spec.successPolicy.rules[1]: Required value: at least one of succeededCount or succeededIndexes must be specified',
      'spec.successPolicy.rules[2].succeededCount: Invalid value: 6: must be less than or equal to 5 (the number of specified completions)',
      'spec.successPolicy.rules[3].succeededCount: Invalid value: 2: must be smaller or equal to the number of indexes specified in succeededIndexes (1)',
      'spec.successPolicy.rules[4].succeededIndexes: Invalid value: "7": error parsing succeededIndexes: 7: must be a number or a range within [0, 5)',
    ],
  ],
  [
    'successPolicy without rules',
    (j) => {
      j.spec!.completionMode = 'Indexed';
      j.spec!.successPolicy = { rules: [] };
    },
    [
      'spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified',
    ],
  ],
  [
    'a user label that conflicts with the generated one',
    (j) => (j.spec!.template.metadata = { labels: { 'batch.kubernetes.io/job-name': 'other' } }),
    [
      `spec.template.metadata.labels[batch.kubernetes.io/job-name]: Invalid value: ${GENERATED_LABELS.replace('"batch.kubernetes.io/job-name":"pi"', '"batch.kubernetes.io/job-name":"other"')}: must be 'pi'`,
    ],
  ],
  [
    'manualSelector: the user selector must match the template',
    (j) => {
      j.spec!.manualSelector = true;
      j.spec!.selector = { matchLabels: { app: 'x' } };
      j.spec!.template.metadata = { labels: { app: 'y' } };
    },
    [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
    ],
  ],
  [
    'manualSelector without a selector',
    (j) => (j.spec!.manualSelector = true),
    ['spec.selector: Required value'],
  ],
  [
    'Indexed pod hostnames must be DNS labels',
    (j) => {
      j.metadata!.name = 'a'.repeat(62);
      j.spec!.completionMode = 'Indexed';
      j.spec!.completions = 10;
    },
    [
      `metadata.name: Invalid value: "${'a'.repeat(62)}": will not able to create pod with invalid DNS label: ${'a'.repeat(62)}-9`,
    ],
  ],
]);

function created(): Job {
  const j = job();
  validateJob(j as V1Job);
  j.metadata!.resourceVersion = '8';
  return j;
}

runCases<Job>('validateJobUpdate', created, (j) => validateJobUpdate(j as V1Job, created() as V1Job), [
  ['unchanged', () => {}, []],
  ['parallelism may change', (j) => (j.spec!.parallelism = 5), []],
  [
    'completions are immutable',
    (j) => (j.spec!.completions = 3),
    ['spec.completions: Invalid value: 3: field is immutable'],
  ],
  [
    'the selector is immutable',
    (j) => (j.spec!.selector!.matchLabels!['batch.kubernetes.io/controller-uid'] = 'u2'),
    [
      `spec.template.metadata.labels: Invalid value: ${GENERATED_LABELS}: \`selector\` does not match template \`labels\``,
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"batch.kubernetes.io/controller-uid":"u2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ],
  ],
  [
    'the template is immutable',
    (j) => (j.spec!.template.spec!.containers[0]!.image = 'nginx'),
    [
      `spec.template: Invalid value: ${JSON.stringify({ ...created().spec!.template, spec: { ...created().spec!.template.spec, containers: [{ ...created().spec!.template.spec!.containers[0], image: 'nginx' }] } })}: field is immutable`,
    ],
  ],
]);

describe('Job template scheduling directives', () => {
  it('may change while the Job is suspended and never started', () => {
    const old = created();
    old.spec!.suspend = true;
    const j = structuredClone(old);
    j.spec!.template.spec!.nodeSelector = { zone: 'a' };
    assert.deepEqual(strings(validateJobUpdate(j as V1Job, old as V1Job)), []);
    j.spec!.template.spec!.containers[0]!.image = 'nginx';
    assert.match(
      strings(validateJobUpdate(j as V1Job, old as V1Job))[0]!,
      /^spec\.template: Invalid value: .*: field is immutable$/,
    );
  });
});

describe('validateJobStatusUpdate', () => {
  it('rejects negative counters', () => {
    const old = created();
    const j = structuredClone(old);
    j.status = { active: -1, succeeded: 1 };
    assert.deepEqual(strings(validateJobStatusUpdate(j as V1Job, old as V1Job)), [
      'status.active: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});

runCases<CronJob>('validateCronJob', cronJob, (cj) => validateCronJob(cj as V1CronJob), [
  ['valid', () => {}, []],
  ['descriptors', (cj) => (cj.spec!.schedule = '@hourly'), []],
  ['names and steps', (cj) => (cj.spec!.schedule = '0/15 9-17 * jan-mar MON-FRI'), []],
  ['schedule required', (cj) => (cj.spec!.schedule = ''), ['spec.schedule: Required value']],
  [
    'four fields',
    (cj) => (cj.spec!.schedule = '* * * *'),
    ['spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'],
  ],
  [
    'minute out of range',
    (cj) => (cj.spec!.schedule = '61 * * * *'),
    ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'],
  ],
  [
    'day of month below minimum',
    (cj) => (cj.spec!.schedule = '0 0 0 * *'),
    ['spec.schedule: Invalid value: "0 0 0 * *": beginning of range (0) below minimum (1): 0'],
  ],
  [
    'not a number',
    (cj) => (cj.spec!.schedule = 'x * * * *'),
    [
      'spec.schedule: Invalid value: "x * * * *": failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax',
    ],
  ],
  [
    'reversed range',
    (cj) => (cj.spec!.schedule = '5-1 * * * *'),
    ['spec.schedule: Invalid value: "5-1 * * * *": beginning of range (5) beyond end of range (1): 5-1'],
  ],
  [
    'unknown descriptor',
    (cj) => (cj.spec!.schedule = '@fortnightly'),
    ['spec.schedule: Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly'],
  ],
  [
    'TZ= in the schedule',
    (cj) => (cj.spec!.schedule = 'TZ=UTC 0 * * * *'),
    [
      'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ],
  ],
  ['a time zone', (cj) => (cj.spec!.timeZone = 'Europe/Berlin'), []],
  [
    'an unknown time zone',
    (cj) => (cj.spec!.timeZone = 'Mars/Olympus'),
    ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
  ],
  [
    'a time zone in the wrong case',
    (cj) => (cj.spec!.timeZone = 'europe/berlin'),
    ['spec.timeZone: Invalid value: "europe/berlin": unknown time zone europe/berlin'],
  ],
  ['a legacy zone alias', (cj) => (cj.spec!.timeZone = 'US/Pacific'), []],
  [
    'Local',
    (cj) => (cj.spec!.timeZone = 'Local'),
    [
      'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
    ],
  ],
  [
    'an empty time zone',
    (cj) => (cj.spec!.timeZone = ''),
    ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'],
  ],
  [
    'concurrencyPolicy unknown',
    (cj) => (cj.spec!.concurrencyPolicy = 'Sometimes'),
    [
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ],
  ],
  [
    'negative deadline and history limits',
    (cj) => {
      cj.spec!.startingDeadlineSeconds = -1;
      cj.spec!.successfulJobsHistoryLimit = -2;
      cj.spec!.failedJobsHistoryLimit = -3;
    },
    [
      'spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.successfulJobsHistoryLimit: Invalid value: -2: must be greater than or equal to 0',
      'spec.failedJobsHistoryLimit: Invalid value: -3: must be greater than or equal to 0',
    ],
  ],
  [
    'a selector in the job template',
    (cj) => (cj.spec!.jobTemplate.spec!.selector = { matchLabels: { a: 'b' } }),
    [
      'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
    ],
  ],
  [
    'manualSelector in the job template',
    (cj) => (cj.spec!.jobTemplate.spec!.manualSelector = true),
    ['spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"'],
  ],
  [
    'restartPolicy of the job template',
    (cj) => (cj.spec!.jobTemplate.spec!.template.spec!.restartPolicy = 'Always'),
    ['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  ],
  [
    'names longer than 52 characters',
    (cj) => (cj.metadata!.name = 'c'.repeat(53)),
    [`metadata.name: Invalid value: "${'c'.repeat(53)}": must be no more than 52 characters`],
  ],
]);

describe('validateCronJobUpdate', () => {
  it('keeps a TZ= schedule an old object had, but not with timeZone too', () => {
    const old = cronJob();
    old.spec!.schedule = 'TZ=UTC 0 * * * *';
    const cj = structuredClone(old);
    assert.deepEqual(strings(validateCronJobUpdate(cj as V1CronJob, old as V1CronJob)), []);
    cj.spec!.timeZone = 'UTC';
    assert.deepEqual(strings(validateCronJobUpdate(cj as V1CronJob, old as V1CronJob)), [
      'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule',
    ]);
  });
});
