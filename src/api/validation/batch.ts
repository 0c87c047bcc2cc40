/**
 * batch/v1 validation (pkg/apis/batch/validation, 1.32) with the registry
 * strategies' selector generation. Runs after defaulting.
 *
 * Covered: generated selectors and their labels, manualSelector, counts,
 * completionMode, podReplacementPolicy, restartPolicy, the pod template,
 * update immutability (completions, selector, template outside a suspended
 * job that never started, completionMode, podFailurePolicy,
 * backoffLimitPerIndex, successPolicy, managedBy), podFailurePolicy rules,
 * and CronJob schedules, time zones, concurrency policies and history
 * limits. successPolicy's index parse errors are worded by us.
 */
import type {
  CronJob,
  CronJobSpec,
  Job,
  JobSpec,
  JobStatus,
  JobTemplateSpec,
} from 'kubernetes-types/batch/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { isKnownTimeZone, scheduleError } from '../../k8s/cron.js';
import { type FieldError, FieldPath, fieldErrors, omitValue } from '../../k8s/field.js';
import {
  goLabelSelector,
  goStringMap,
  labelSelectorAsSelector,
  selectorMatches,
  semanticEqual,
  validateLabelSelector,
} from './apps.js';
import { goErrors } from './govalues.js';
import {
  FieldImmutableErrorMsg,
  IsNegativeErrorMsg,
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import { isDNS1123Label, nameIsDNSSubdomain } from './names.js';
import { validatePodTemplateSpec } from './pod.js';

/** Labels the API server puts on a Job's pod template (batch.ControllerUidLabel etc.). */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

const MAX_PARALLELISM_INDEXED = 100_000;

const nonNegative = (v: number | undefined | null, p: FieldPath): FieldError[] =>
  v != null && v < 0 ? [fieldErrors.invalid(p, v, IsNegativeErrorMsg)] : [];

/**
 * The job strategy's generateSelector: unless manualSelector is true, the
 * template gets job-name and controller-uid labels (new and legacy names,
 * user values kept so validation can reject conflicts) and the selector
 * selects the controller-uid. Needs metadata.uid, so it runs at validation.
 */
export function generateJobSelector(job: Job): void {
  if (job.spec?.manualSelector === true || !job.spec) return;
  const spec = job.spec;
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.metadata.labels ??= {};
  const labels = spec.template.metadata.labels;
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!Object.hasOwn(labels, k)) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, JOB_CONTROLLER_UID_LABEL])
    if (!Object.hasOwn(labels, k)) labels[k] = uid;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  if (!Object.hasOwn(spec.selector.matchLabels, JOB_CONTROLLER_UID_LABEL))
    spec.selector.matchLabels[JOB_CONTROLLER_UID_LABEL] = uid;
}

/** apivalidation.ValidateHasLabel. */
function hasLabel(meta: ObjectMeta | undefined, path: FieldPath, key: string, want: string): FieldError[] {
  const p = path.child('labels').key(key);
  const labels = meta?.labels ?? {};
  if (!Object.hasOwn(labels, key)) return [fieldErrors.required(p, `must be '${want}'`)];
  return labels[key] === want ? [] : [goErrors.invalid(p, goStringMap(labels), `must be '${want}'`)];
}

/** ValidateGeneratedSelector. */
function validateGeneratedSelector(job: Job): FieldError[] {
  const spec = job.spec;
  if (spec?.manualSelector === true || spec?.selector == null) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  if (!uid) errs.push(fieldErrors.required(FieldPath.root('metadata', 'uid')));
  const tmeta = FieldPath.root('spec', 'template', 'metadata');
  errs.push(...hasLabel(spec.template?.metadata, tmeta, JOB_CONTROLLER_UID_LABEL, uid));
  errs.push(...hasLabel(spec.template?.metadata, tmeta, JOB_NAME_LABEL, name));
  const sel = labelSelectorAsSelector(spec.selector);
  if (sel && !selectorMatches(sel, { [JOB_CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name }))
    errs.push(
      goErrors.invalid(
        FieldPath.root('spec', 'selector'),
        goLabelSelector(spec.selector),
        '`selector` not auto-generated',
      ),
    );
  return errs;
}

const restartPolicies = ['OnFailure', 'Never'];

/** validateJobSpec: everything but the selector. */
function validateJobSpecFields(spec: JobSpec | undefined, p: FieldPath): FieldError[] {
  const s = spec ?? ({} as JobSpec);
  const errs = [
    ...nonNegative(s.parallelism, p.child('parallelism')),
    ...nonNegative(s.completions, p.child('completions')),
    ...nonNegative(s.activeDeadlineSeconds, p.child('activeDeadlineSeconds')),
    ...nonNegative(s.backoffLimit, p.child('backoffLimit')),
    ...nonNegative(s.ttlSecondsAfterFinished, p.child('ttlSecondsAfterFinished')),
  ];
  const indexed = s.completionMode === 'Indexed';
  if (s.completionMode != null) {
    if (s.completionMode !== 'NonIndexed' && !indexed)
      errs.push(
        fieldErrors.notSupported(p.child('completionMode'), s.completionMode, ['NonIndexed', 'Indexed']),
      );
    if (indexed) {
      if (s.completions == null)
        errs.push(fieldErrors.required(p.child('completions'), 'when completion mode is Indexed'));
      if (s.parallelism != null && s.parallelism > MAX_PARALLELISM_INDEXED)
        errs.push(
          fieldErrors.invalid(
            p.child('parallelism'),
            s.parallelism,
            `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`,
          ),
        );
    }
  }
  if (!indexed) {
    if (s.backoffLimitPerIndex != null)
      errs.push(fieldErrors.forbidden(p.child('backoffLimitPerIndex'), 'requires indexed completion mode'));
    if (s.maxFailedIndexes != null)
      errs.push(fieldErrors.forbidden(p.child('maxFailedIndexes'), 'requires indexed completion mode'));
    if (s.successPolicy != null)
      errs.push(
        fieldErrors.invalid(p.child('successPolicy'), s.successPolicy, 'requires indexed completion mode'),
      );
  }
  if (s.backoffLimitPerIndex != null)
    errs.push(...nonNegative(s.backoffLimitPerIndex, p.child('backoffLimitPerIndex')));
  if (indexed && s.successPolicy) errs.push(...validateSuccessPolicy(s, p.child('successPolicy')));
  if (s.podFailurePolicy) errs.push(...validatePodFailurePolicy(s, p.child('podFailurePolicy')));
  if (s.podReplacementPolicy != null) {
    const allowed = s.podFailurePolicy ? ['Failed'] : ['Failed', 'TerminatingOrFailed'];
    if (!allowed.includes(s.podReplacementPolicy))
      errs.push(fieldErrors.notSupported(p.child('podReplacementPolicy'), s.podReplacementPolicy, allowed));
  }
  errs.push(...validatePodTemplateSpec(s.template ?? {}, p.child('template').toString()));
  const rp = s.template?.spec?.restartPolicy ?? '';
  const rpPath = p.child('template', 'spec', 'restartPolicy');
  // Defaulting turns an unset restartPolicy into Always: both read as "not given".
  if (rp === 'Always' || rp === '')
    errs.push(fieldErrors.required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (!restartPolicies.includes(rp)) errs.push(fieldErrors.notSupported(rpPath, rp, restartPolicies));
  else if (s.podFailurePolicy && rp !== 'Never')
    errs.push(
      fieldErrors.invalid(rpPath, rp, 'only "Never" is supported when podFailurePolicy is specified'),
    );
  return errs;
}

const failurePolicyActions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

/** validatePodFailurePolicy: rule count, actions, one requirement per rule, exit codes, condition patterns. */
function validatePodFailurePolicy(s: JobSpec, p: FieldPath): FieldError[] {
  const rules = s.podFailurePolicy?.rules ?? [];
  const errs: FieldError[] = [];
  if (rules.length > 20) errs.push(fieldErrors.tooMany(p.child('rules'), rules.length, 20));
  const containers = new Set(
    [...(s.template?.spec?.initContainers ?? []), ...(s.template?.spec?.containers ?? [])].map((c) => c.name),
  );
  rules.forEach((r, i) => {
    const rp = p.child('rules').index(i);
    if (!failurePolicyActions.includes(r.action))
      errs.push(fieldErrors.notSupported(rp.child('action'), r.action, failurePolicyActions));
    if (r.action === 'FailIndex' && s.backoffLimitPerIndex == null)
      errs.push(fieldErrors.forbidden(rp.child('action'), 'requires the backoffLimitPerIndex to be set'));
    if (r.onExitCodes && r.onPodConditions)
      errs.push(
        fieldErrors.invalid(
          rp,
          omitValue,
          'specifying both OnExitCodes and OnPodConditions is not supported',
        ),
      );
    else if (!r.onExitCodes && !r.onPodConditions)
      errs.push(
        fieldErrors.invalid(rp, omitValue, 'specifying one of OnExitCodes and OnPodConditions is required'),
      );
    const req = r.onExitCodes;
    if (req) {
      const ep = rp.child('onExitCodes');
      if (req.containerName != null && !containers.has(req.containerName))
        errs.push(
          fieldErrors.invalid(
            ep.child('containerName'),
            req.containerName,
            'must be one of the container or initContainer names in the pod template',
          ),
        );
      if (req.operator !== 'In' && req.operator !== 'NotIn')
        errs.push(fieldErrors.notSupported(ep.child('operator'), req.operator, ['In', 'NotIn']));
      const values = req.values ?? [];
      if (values.length === 0)
        errs.push(fieldErrors.required(ep.child('values'), 'at least one value is required'));
      else if (values.length > 255) errs.push(fieldErrors.tooMany(ep.child('values'), values.length, 255));
      values.forEach((v, j) => {
        const vp = ep.child('values').index(j);
        if (req.operator === 'In' && v === 0)
          errs.push(fieldErrors.invalid(vp, v, 'must not be 0 for the In operator'));
        if (j > 0 && values[j - 1] === v) errs.push(fieldErrors.duplicate(vp, v));
        else if (j > 0 && values[j - 1]! > v) errs.push(fieldErrors.invalid(vp, v, 'must be ordered'));
      });
    }
    (r.onPodConditions ?? []).forEach((c, j) => {
      const cp = rp.child('onPodConditions').index(j);
      if (!['True', 'False', 'Unknown'].includes(c.status ?? ''))
        errs.push(fieldErrors.notSupported(cp.child('status'), c.status ?? '', ['False', 'True', 'Unknown']));
    });
  });
  return errs;
}

/** validateSuccessPolicy: rules present, each with a count or indexes, counts within completions. */
function validateSuccessPolicy(s: JobSpec, p: FieldPath): FieldError[] {
  const rules = s.successPolicy?.rules ?? [];
  const rp = p.child('rules');
  if (rules.length === 0)
    return [
      fieldErrors.required(rp, 'at least one rules must be specified when the successPolicy is specified'),
    ];
  const errs: FieldError[] = [];
  if (rules.length > 20) errs.push(fieldErrors.tooMany(rp, rules.length, 20));
  const completions = s.completions ?? 0;
  rules.forEach((r, i) => {
    const path = rp.index(i);
    if (r.succeededCount == null && r.succeededIndexes == null)
      errs.push(
        fieldErrors.required(path, 'at least one of succeededCount or succeededIndexes must be specified'),
      );
    let indexes: number | undefined;
    if (r.succeededIndexes != null) {
      const bad = r.succeededIndexes
        .split(',')
        .find((part) => !/^\d+(-\d+)?$/.test(part) || part.split('-').some((n) => Number(n) >= completions));
      if (bad !== undefined)
        errs.push(
          fieldErrors.invalid(
            path.child('succeededIndexes'),
            r.succeededIndexes,
            `error parsing succeededIndexes: ${bad}: must be a number or a range within [0, ${completions})`,
          ),
        );
      else indexes = parseIndexCount(r.succeededIndexes);
    }
    const c = r.succeededCount;
    if (c != null) {
      const cp = path.child('succeededCount');
      if (c < 1) errs.push(fieldErrors.invalid(cp, c, 'must be greater than or equal to 1'));
      else if (c > completions)
        errs.push(
          fieldErrors.invalid(
            cp,
            c,
            `must be less than or equal to ${completions} (the number of specified completions)`,
          ),
        );
      else if (indexes !== undefined && c > indexes)
        errs.push(
          fieldErrors.invalid(
            cp,
            c,
            `must be smaller or equal to the number of indexes specified in succeededIndexes (${indexes})`,
          ),
        );
    }
  });
  return errs;
}

/** How many indexes "1,3-5" names. */
function parseIndexCount(text: string): number {
  const set = new Set<number>();
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    for (let i = a; i <= (b ?? a); i++) set.add(i);
  }
  return set.size;
}

/** ValidateJobSpec: the fields, a required valid selector, and a template it selects. */
function validateJobSpec(spec: JobSpec | undefined, p: FieldPath): FieldError[] {
  const errs = validateJobSpecFields(spec, p);
  if (spec?.selector == null) errs.push(fieldErrors.required(p.child('selector')));
  else errs.push(...validateLabelSelector(spec.selector, p.child('selector')));
  const sel = spec?.selector == null ? undefined : labelSelectorAsSelector(spec.selector);
  if (sel && !selectorMatches(sel, spec?.template?.metadata?.labels))
    errs.push(
      goErrors.invalid(
        p.child('template', 'metadata', 'labels'),
        goStringMap(spec?.template?.metadata?.labels),
        '`selector` does not match template `labels`',
      ),
    );
  return errs;
}

function validateJobOnly(job: Job): FieldError[] {
  const errs = [
    ...validateObjectMeta(job.metadata, true, nameIsDNSSubdomain),
    ...validateGeneratedSelector(job),
    ...validateJobSpec(job.spec, FieldPath.root('spec')),
  ];
  // Indexed pods get `<job>-<index>` hostnames: the largest must be a DNS label.
  const completions = job.spec?.completions ?? 0;
  if (job.spec?.completionMode === 'Indexed' && completions > 0) {
    const host = `${job.metadata?.name ?? ''}-${completions - 1}`;
    if (isDNS1123Label(host).length)
      errs.push(
        fieldErrors.invalid(
          FieldPath.root('metadata', 'name'),
          job.metadata?.name ?? '',
          `will not able to create pod with invalid DNS label: ${host}`,
        ),
      );
  }
  return errs;
}

/** The job strategy's Validate: generate the selector, then ValidateJob. */
export function validateJob(job: Job): FieldError[] {
  generateJobSelector(job);
  return withGenericCreateChecks(job.metadata, true, validateJobOnly(job));
}

const immutable = (changed: boolean, p: FieldPath, shown: string): FieldError[] =>
  changed ? [goErrors.invalid(p, shown, FieldImmutableErrorMsg)] : [];

/** What a suspended Job that never started may change in its template (mutable scheduling directives). */
function withoutSchedulingDirectives(t: JobSpec['template'] | undefined): unknown {
  const { metadata, spec } = t ?? {};
  const { labels: _l, annotations: _a, ...meta } = metadata ?? {};
  const { nodeSelector: _n, affinity: _af, tolerations: _t, schedulingGates: _g, ...rest } = spec ?? {};
  return { metadata: meta, spec: rest };
}

const pointer = (v: unknown): string => (v == null ? 'null' : JSON.stringify(v));

/** ValidateJobSpecUpdate's immutability rules. */
function jobSpecUpdateErrors(job: Job, old: Job): FieldError[] {
  const s = job.spec ?? ({} as JobSpec);
  const o = old.spec ?? ({} as JobSpec);
  const p = FieldPath.root('spec');
  const errs = [
    ...immutable(
      (s.completions ?? null) !== (o.completions ?? null),
      p.child('completions'),
      pointer(s.completions),
    ),
    ...immutable(!semanticEqual(s.selector, o.selector), p.child('selector'), goLabelSelector(s.selector)),
  ];
  const mutableScheduling = s.suspend === true && o.suspend === true && old.status?.startTime == null;
  const templateChanged = mutableScheduling
    ? !semanticEqual(withoutSchedulingDirectives(s.template), withoutSchedulingDirectives(o.template))
    : !semanticEqual(s.template, o.template);
  // Upstream prints the core.PodTemplateSpec struct with %#v; we print its JSON.
  errs.push(...immutable(templateChanged, p.child('template'), JSON.stringify(s.template ?? {})));
  errs.push(
    ...immutable(
      (s.completionMode ?? null) !== (o.completionMode ?? null),
      p.child('completionMode'),
      pointer(s.completionMode),
    ),
    ...immutable(
      !semanticEqual(s.podFailurePolicy, o.podFailurePolicy),
      p.child('podFailurePolicy'),
      pointer(s.podFailurePolicy),
    ),
    ...immutable(
      (s.backoffLimitPerIndex ?? null) !== (o.backoffLimitPerIndex ?? null),
      p.child('backoffLimitPerIndex'),
      pointer(s.backoffLimitPerIndex),
    ),
    ...immutable((s.managedBy ?? null) !== (o.managedBy ?? null), p.child('managedBy'), pointer(s.managedBy)),
    ...immutable(
      !semanticEqual(s.successPolicy, o.successPolicy),
      p.child('successPolicy'),
      pointer(s.successPolicy),
    ),
  );
  return errs;
}

export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(job.metadata, old.metadata),
    ...validateJobSpec(job.spec, FieldPath.root('spec')),
    ...jobSpecUpdateErrors(job, old),
  ];
  return withGenericUpdateChecks(job.metadata, old.metadata, true, errs);
}

function validateJobStatus(st: JobStatus | undefined): FieldError[] {
  const p = FieldPath.root('status');
  return [
    ...nonNegative(st?.active ?? 0, p.child('active')),
    ...nonNegative(st?.succeeded ?? 0, p.child('succeeded')),
    ...nonNegative(st?.failed ?? 0, p.child('failed')),
    ...nonNegative(st?.ready, p.child('ready')),
    ...nonNegative(st?.terminating, p.child('terminating')),
  ];
}

export function validateJobStatusUpdate(job: Job, old: Job): FieldError[] {
  const errs = [...validateObjectMetaUpdate(job.metadata, old.metadata), ...validateJobStatus(job.status)];
  return withGenericUpdateChecks(job.metadata, old.metadata, true, errs);
}

// ---- CronJob -------------------------------------------------------------------

const concurrencyPolicies = ['Allow', 'Forbid', 'Replace'];
const timeZonePart = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** validateTimeZone. */
function validateTimeZone(tz: string | undefined, p: FieldPath): FieldError[] {
  if (tz == null) return [];
  if (tz.length === 0) return [fieldErrors.invalid(p, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !timeZonePart.test(part))
      return [fieldErrors.invalid(p, tz, `unknown time zone ${tz}`)];
  }
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === 'local')
    errs.push(
      fieldErrors.invalid(
        p,
        tz,
        'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      ),
    );
  else if (!isKnownTimeZone(tz)) errs.push(fieldErrors.invalid(p, tz, `unknown time zone ${tz}`));
  return errs;
}

/** validateScheduleFormat: parses as cron.ParseStandard; TZ= only where an old object had it. */
function validateSchedule(spec: CronJobSpec, allowTZ: boolean, p: FieldPath): FieldError[] {
  const schedule = spec.schedule ?? '';
  if (!schedule) return [fieldErrors.required(p)];
  const errs: FieldError[] = [];
  const err = scheduleError(schedule);
  if (err !== undefined) errs.push(fieldErrors.invalid(p, schedule, err));
  if (allowTZ && schedule.includes('TZ') && spec.timeZone != null)
    errs.push(
      fieldErrors.invalid(p, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'),
    );
  else if (!allowTZ && schedule.includes('TZ'))
    errs.push(
      fieldErrors.invalid(p, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'),
    );
  return errs;
}

/** ValidateJobTemplateSpec: the job spec without a selector (the Job gets a generated one). */
function validateJobTemplateSpec(t: JobTemplateSpec | undefined, p: FieldPath): FieldError[] {
  const sp = p.child('spec');
  const errs = validateJobSpecFields(t?.spec, sp);
  if (t?.spec?.selector != null)
    errs.push(
      goErrors.invalid(
        sp.child('selector'),
        goLabelSelector(t.spec.selector),
        '`selector` will be auto-generated',
      ),
    );
  if (t?.spec?.manualSelector === true)
    errs.push(fieldErrors.notSupported(sp.child('manualSelector'), true, ['nil', 'false']));
  return errs;
}

function validateCronJobSpec(spec: CronJobSpec | undefined, allowTZ: boolean): FieldError[] {
  const s = spec ?? ({ schedule: '' } as CronJobSpec);
  const p = FieldPath.root('spec');
  const errs = [
    ...validateSchedule(s, allowTZ, p.child('schedule')),
    ...nonNegative(s.startingDeadlineSeconds, p.child('startingDeadlineSeconds')),
  ];
  const cp = s.concurrencyPolicy ?? '';
  if (cp === '') errs.push(fieldErrors.required(p.child('concurrencyPolicy')));
  else if (!concurrencyPolicies.includes(cp))
    errs.push(fieldErrors.notSupported(p.child('concurrencyPolicy'), cp, concurrencyPolicies));
  errs.push(...validateTimeZone(s.timeZone, p.child('timeZone')));
  errs.push(...validateJobTemplateSpec(s.jobTemplate, p.child('jobTemplate')));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, p.child('successfulJobsHistoryLimit')));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, p.child('failedJobsHistoryLimit')));
  return errs;
}

/** Job names are `<cronjob>-<minutes since epoch>`, 11 characters more, within 63. */
const MAX_CRONJOB_NAME = 52;

export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = [...validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain)];
  const name = cj.metadata?.name ?? '';
  if (name.length > MAX_CRONJOB_NAME)
    errs.push(
      fieldErrors.invalid(FieldPath.root('metadata', 'name'), name, 'must be no more than 52 characters'),
    );
  errs.push(...validateCronJobSpec(cj.spec, false));
  return withGenericCreateChecks(cj.metadata, true, errs);
}

export function validateCronJobUpdate(cj: CronJob, old: CronJob): FieldError[] {
  const allowTZ = (old.spec?.schedule ?? '').includes('TZ');
  const errs = [
    ...validateObjectMetaUpdate(cj.metadata, old.metadata),
    ...validateCronJobSpec(cj.spec, allowTZ),
    ...immutable(
      !semanticEqual(cj.spec?.jobTemplate?.spec?.selector, old.spec?.jobTemplate?.spec?.selector),
      FieldPath.root('spec', 'jobTemplate', 'spec', 'selector'),
      goLabelSelector(cj.spec?.jobTemplate?.spec?.selector),
    ),
  ];
  return withGenericUpdateChecks(cj.metadata, old.metadata, true, errs);
}

export function validateCronJobStatusUpdate(cj: CronJob, old: CronJob): FieldError[] {
  return withGenericUpdateChecks(
    cj.metadata,
    old.metadata,
    true,
    validateObjectMetaUpdate(cj.metadata, old.metadata),
  );
}
