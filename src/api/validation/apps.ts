/**
 * apps/v1 validation (pkg/apis/apps/validation, 1.32) with the update rules
 * the registry strategies add (selector immutability of Deployments and
 * ReplicaSets). Runs after defaulting, so replicas, strategies and the pod
 * template's restartPolicy are set unless the client sent odd values.
 *
 * Bad values print as upstream's 1.32 field errors print them: Go's `%#v` of
 * the internal type (`v1.LabelSelector{...}`, `intstr.IntOrString{...}`,
 * `map[string]string{...}`), rendered here from the JSON form.
 */
import type {
  ControllerRevision,
  DaemonSet,
  DaemonSetSpec,
  DaemonSetStatus,
  Deployment,
  DeploymentSpec,
  DeploymentStatus,
  ReplicaSet,
  ReplicaSetSpec,
  ReplicaSetStatus,
  StatefulSet,
  StatefulSetSpec,
  StatefulSetStatus,
} from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
import { FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { goQuote } from '../../k8s/gofmt.js';
import { type LabelRequirement, matchesLabels } from '../../k8s/selectors.js';
import { goErrors } from './govalues.js';
import {
  FieldImmutableErrorMsg,
  IsNegativeErrorMsg,
  validateAnnotations,
  validateLabelName,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import {
  isQualifiedName,
  isValidLabelValue,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  regexError,
} from './names.js';
import { validatePodTemplateSpec } from './pod.js';

type IntOrString = number | string;

// --- Go %#v renderings of the internal types' bad values -------------------

const sortedKeys = (m: Record<string, unknown>) => Object.keys(m).sort();

/** `map[string]string{"a":"b"}`; a nil map prints `map[string]string(nil)`. */
export function goStringMap(m: Readonly<Record<string, string>> | undefined | null): string {
  if (m == null) return 'map[string]string(nil)';
  return `map[string]string{${sortedKeys(m)
    .map((k) => `${goQuote(k)}:${goQuote(m[k]!)}`)
    .join(', ')}}`;
}

const goStrings = (v: readonly string[] | undefined | null) =>
  v == null ? '[]string(nil)' : `[]string{${v.map(goQuote).join(', ')}}`;

function goRequirement(r: LabelSelectorRequirement): string {
  return `v1.LabelSelectorRequirement{Key:${goQuote(r.key ?? '')}, Operator:${goQuote(r.operator ?? '')}, Values:${goStrings(r.values)}}`;
}

/** `v1.LabelSelector{MatchLabels:..., MatchExpressions:...}` (the pointer is dereferenced, as field errors do). */
export function goLabelSelector(s: LabelSelector | undefined | null): string {
  if (s == null) return 'null';
  const exprs =
    s.matchExpressions == null
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${s.matchExpressions.map(goRequirement).join(', ')}}`;
  return `v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}`. */
export function goIntOrString(v: IntOrString | undefined | null): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`;
  return `intstr.IntOrString{Type:0, IntVal:${v ?? 0}, StrVal:""}`;
}

/** An Unsupported value error whose bad value is already rendered Go-style. */
class GoNotSupported extends FieldError {
  constructor(field: string, goText: string, detail: string) {
    super('FieldValueNotSupported', field, goText, detail);
  }
  override body(): string {
    return `Unsupported value: ${String(this.badValue)}: ${this.detail}`;
  }
}

/**
 * A pointer inside a struct: Go prints `(*T)(nil)` or an address; like
 * govalues.ts we print the pointed-to value instead of the address.
 */
const goPtr = (type: string, v: string | undefined) => `(*${type})(${v ?? 'nil'})`;

// --- label selectors ---------------------------------------------------------

const percentFmt = '[0-9]+%';
const percentRe = /^[0-9]+%$/;

/** apimachinery IsValidPercent. */
export function isValidPercent(s: string): string[] {
  return percentRe.test(s)
    ? []
    : [
        regexError(
          "a valid percent string must be a numeric string followed by an ending '%'",
          percentFmt,
          '1%',
          '93%',
        ),
      ];
}

/** metav1 ValidateLabelSelector (strict: label values in expressions must be valid). */
export function validateLabelSelector(s: LabelSelector | undefined, path: FieldPath): FieldError[] {
  if (!s) return [];
  const errs = validateLabels(s.matchLabels, path.child('matchLabels'));
  (s.matchExpressions ?? []).forEach((r, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          errs.push(
            fieldErrors.required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"),
          );
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0)
          errs.push(
            fieldErrors.forbidden(
              p.child('values'),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        break;
      default:
        errs.push(
          fieldErrors.invalid(p.child('operator'), r.operator ?? '', 'not a valid selector operator'),
        );
    }
    errs.push(...validateLabelName(r.key ?? '', p.child('key')));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(fieldErrors.invalid(p.child('values').index(j), v, m));
    });
  });
  return errs;
}

/** What metav1.LabelSelectorAsSelector yields: nil selects nothing, empty everything. */
export type PodSelector =
  | { kind: 'nothing' }
  | { kind: 'everything' }
  | { kind: 'match'; reqs: LabelRequirement[] };

const selectorOps: Record<string, LabelRequirement['op']> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/** labels.NewRequirement's checks: a valid key, valid values, and a value count that fits the operator. */
function requirementOK(key: string, op: LabelRequirement['op'], values: readonly string[]): boolean {
  if (isQualifiedName(key).length) return false;
  if ((op === 'in' || op === 'notin') && values.length === 0) return false;
  if ((op === 'exists' || op === '!') && values.length > 0) return false;
  if (op === '=' && values.length !== 1) return false;
  return values.every((v) => isValidLabelValue(v).length === 0);
}

/** metav1.LabelSelectorAsSelector; undefined where upstream returns an error. */
export function labelSelectorAsSelector(s: LabelSelector | undefined | null): PodSelector | undefined {
  if (s == null) return { kind: 'nothing' };
  const labels = s.matchLabels ?? {};
  const exprs = s.matchExpressions ?? [];
  if (Object.keys(labels).length + exprs.length === 0) return { kind: 'everything' };
  const reqs: LabelRequirement[] = [];
  for (const [key, v] of Object.entries(labels)) {
    if (!requirementOK(key, '=', [v])) return undefined;
    reqs.push({ key, op: '=', values: [v] });
  }
  for (const e of exprs) {
    const op = selectorOps[e.operator ?? ''];
    const values = e.values ?? [];
    if (!op || !requirementOK(e.key ?? '', op, values)) return undefined;
    reqs.push({ key: e.key ?? '', op, values: [...values] });
  }
  return { kind: 'match', reqs };
}

export function selectorMatches(
  sel: PodSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (sel.kind === 'nothing') return false;
  if (sel.kind === 'everything') return true;
  return matchesLabels(sel.reqs, labels);
}

// --- shared pieces -----------------------------------------------------------

const nonNegative = (v: number | undefined, path: FieldPath): FieldError[] =>
  (v ?? 0) < 0 ? [fieldErrors.invalid(path, v, IsNegativeErrorMsg)] : [];

const spec = FieldPath.root('spec');
const status = FieldPath.root('status');

/** The selector checks every workload makes: required, valid, and not empty. */
function validateWorkloadSelector(s: LabelSelector | undefined, kind: string): FieldError[] {
  const p = spec.child('selector');
  if (s == null) return [fieldErrors.required(p)];
  const errs = validateLabelSelector(s, p);
  if (Object.keys(s.matchLabels ?? {}).length + (s.matchExpressions?.length ?? 0) === 0)
    errs.push(goErrors.invalid(p, goLabelSelector(s), `empty selector is invalid for ${kind}`));
  return errs;
}

const labelsMismatch = (t: PodTemplateSpec | undefined, path: FieldPath): FieldError =>
  goErrors.invalid(
    path.child('metadata', 'labels'),
    goStringMap(t?.metadata?.labels),
    '`selector` does not match template `labels`',
  );

/** ValidatePodTemplateSpecForReplicaSet: used by Deployments and ReplicaSets. */
function validateTemplateForReplicaSet(
  t: PodTemplateSpec | undefined,
  sel: PodSelector,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  // An empty selector is reported on spec.selector; it is not matched here.
  if (sel.kind !== 'everything' && !selectorMatches(sel, t?.metadata?.labels))
    errs.push(labelsMismatch(t, path));
  errs.push(...validatePodTemplateSpec(t ?? {}, path.toString()));
  const restartPolicy = t?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always')
    errs.push(fieldErrors.notSupported(path.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (t?.spec?.activeDeadlineSeconds != null)
    errs.push(
      fieldErrors.forbidden(
        path.child('spec', 'activeDeadlineSeconds'),
        'activeDeadlineSeconds in ReplicaSet is not Supported',
      ),
    );
  return errs;
}

function selectorAndTemplate(
  s: LabelSelector | undefined,
  t: PodTemplateSpec | undefined,
  kind: string,
): FieldError[] {
  const errs = validateWorkloadSelector(s, kind);
  const sel = labelSelectorAsSelector(s);
  if (!sel) errs.push(goErrors.invalid(spec.child('selector'), goLabelSelector(s), 'invalid label selector'));
  else errs.push(...validateTemplateForReplicaSet(t, sel, spec.child('template')));
  return errs;
}

/** The apps/v1 strategies' rule: the selector never changes after create. */
function selectorImmutable(s: LabelSelector | undefined, old: LabelSelector | undefined): FieldError[] {
  return semanticEqual(s, old)
    ? []
    : [goErrors.invalid(spec.child('selector'), goLabelSelector(s), FieldImmutableErrorMsg)];
}

/** Go zero values (absent, null, "", 0, false, empty list or map) compare equal, as apiequality.Semantic does for non-pointers. */
function isZero(v: unknown): boolean {
  if (v == null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isZero);
  return false;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)]))
      if (!semanticEqual(ra[k], rb[k])) return false;
    return true;
  }
  return a === b;
}

/** Exact JSON equality, key order aside: upstream compares a RawExtension's bytes. */
function strictEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => strictEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => strictEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

// --- int-or-percent ------------------------------------------------------------

function percentValue(v: IntOrString | undefined): number | undefined {
  if (typeof v !== 'string' || !percentRe.test(v)) return undefined;
  return Number.parseInt(v.slice(0, -1), 10);
}

/** getIntOrPercentValue: a valid percent's number, else IntOrString.IntValue() (Atoi of a string, 0 if it fails). */
function intOrPercentValue(v: IntOrString | undefined): number {
  const pct = percentValue(v);
  if (pct !== undefined) return pct;
  if (typeof v === 'string') return /^[+-]?\d+$/.test(v) ? Number.parseInt(v, 10) : 0;
  return v ?? 0;
}

/** ValidatePositiveIntOrPercent. */
function validatePositiveIntOrPercent(v: IntOrString | undefined, path: FieldPath): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => goErrors.invalid(path, goIntOrString(v), m));
  return nonNegative(v, path);
}

function notMoreThan100Percent(v: IntOrString | undefined, path: FieldPath): FieldError[] {
  const pct = percentValue(v);
  return pct !== undefined && pct > 100
    ? [goErrors.invalid(path, goIntOrString(v), 'must not be greater than 100%')]
    : [];
}

// --- Deployment -------------------------------------------------------------

function goDeploymentStrategy(s: DeploymentSpec['strategy']): string {
  const ru = s?.rollingUpdate;
  const ruText = ru
    ? `apps.RollingUpdateDeployment{MaxUnavailable:${goIntOrString(ru.maxUnavailable)}, MaxSurge:${goIntOrString(ru.maxSurge)}}`
    : undefined;
  return `apps.DeploymentStrategy{Type:${goQuote(s?.type ?? '')}, RollingUpdate:${goPtr('apps.RollingUpdateDeployment', ruText)}}`;
}

function validateDeploymentStrategy(s: DeploymentSpec['strategy'], path: FieldPath): FieldError[] {
  const type = s?.type ?? '';
  const ru = s?.rollingUpdate;
  if (type === 'Recreate')
    return ru
      ? [
          fieldErrors.forbidden(
            path.child('rollingUpdate'),
            "may not be specified when strategy `type` is 'Recreate'",
          ),
        ]
      : [];
  if (type !== 'RollingUpdate') {
    // The bad value is the whole strategy struct.
    const detail = fieldErrors.notSupported(path, type, ['Recreate', 'RollingUpdate']).detail;
    return [new GoNotSupported(path.toString(), goDeploymentStrategy(s), detail)];
  }
  if (!ru)
    return [fieldErrors.required(path.child('rollingUpdate'), 'this should be defaulted and never be nil')];
  const rp = path.child('rollingUpdate');
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')),
    ...validatePositiveIntOrPercent(ru.maxSurge, rp.child('maxSurge')),
  ];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
    errs.push(
      goErrors.invalid(
        rp.child('maxUnavailable'),
        goIntOrString(ru.maxUnavailable),
        'may not be 0 when `maxSurge` is 0',
      ),
    );
  errs.push(...notMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')));
  return errs;
}

function validateDeploymentSpec(s: DeploymentSpec | undefined): FieldError[] {
  const errs = nonNegative(s?.replicas, spec.child('replicas'));
  errs.push(...selectorAndTemplate(s?.selector, s?.template, 'deployment'));
  errs.push(...validateDeploymentStrategy(s?.strategy, spec.child('strategy')));
  errs.push(...nonNegative(s?.minReadySeconds, spec.child('minReadySeconds')));
  if (s?.revisionHistoryLimit != null)
    errs.push(...nonNegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  if (s?.progressDeadlineSeconds != null) {
    const p = spec.child('progressDeadlineSeconds');
    errs.push(...nonNegative(s.progressDeadlineSeconds, p));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0))
      errs.push(fieldErrors.invalid(p, s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateDeployment(d: Deployment): FieldError[] {
  const errs = [
    ...validateObjectMeta(d.metadata, true, nameIsDNSSubdomain),
    ...validateDeploymentSpec(d.spec),
  ];
  return withGenericCreateChecks(d.metadata, true, errs);
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(d.metadata, old.metadata),
    ...validateDeploymentSpec(d.spec),
    ...selectorImmutable(d.spec?.selector, old.spec?.selector),
  ];
  return withGenericUpdateChecks(d.metadata, old.metadata, true, errs);
}

/** A collision count may only grow. */
function collisionCountErrors(n: number | undefined, old: number | undefined): FieldError[] {
  if (old == null || (n != null && n >= old)) return [];
  return [fieldErrors.invalid(status.child('collisionCount'), n ?? 0, 'cannot be decremented')];
}

function notAbove(
  field: string,
  v: number | undefined,
  limit: number | undefined,
  what: string,
): FieldError[] {
  return (v ?? 0) > (limit ?? 0)
    ? [fieldErrors.invalid(status.child(field), v, `cannot be greater than ${what}`)]
    : [];
}

function validateDeploymentStatus(st: DeploymentStatus | undefined): FieldError[] {
  const s = st ?? {};
  const errs: FieldError[] = [];
  for (const f of [
    'observedGeneration',
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
  ] as const)
    errs.push(...nonNegative(s[f], status.child(f)));
  if (s.collisionCount != null) errs.push(...nonNegative(s.collisionCount, status.child('collisionCount')));
  errs.push(...notAbove('updatedReplicas', s.updatedReplicas, s.replicas, 'status.replicas'));
  errs.push(...notAbove('readyReplicas', s.readyReplicas, s.replicas, 'status.replicas'));
  errs.push(...notAbove('availableReplicas', s.availableReplicas, s.replicas, 'status.replicas'));
  errs.push(...notAbove('availableReplicas', s.availableReplicas, s.readyReplicas, 'readyReplicas'));
  return errs;
}

export function validateDeploymentStatusUpdate(d: Deployment, old: Deployment): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(d.metadata, old.metadata),
    ...validateDeploymentStatus(d.status),
    ...collisionCountErrors(d.status?.collisionCount, old.status?.collisionCount),
  ];
  return withGenericUpdateChecks(d.metadata, old.metadata, true, errs);
}

// --- ReplicaSet ---------------------------------------------------------------

function validateReplicaSetSpec(s: ReplicaSetSpec | undefined): FieldError[] {
  const errs = [
    ...nonNegative(s?.replicas, spec.child('replicas')),
    ...nonNegative(s?.minReadySeconds, spec.child('minReadySeconds')),
  ];
  // Upstream's ReplicaSet message says "deployment" too.
  errs.push(...selectorAndTemplate(s?.selector, s?.template, 'deployment'));
  return errs;
}

function validateReplicaSetOnly(rs: ReplicaSet): FieldError[] {
  return [...validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain), ...validateReplicaSetSpec(rs.spec)];
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  return withGenericCreateChecks(rs.metadata, true, validateReplicaSetOnly(rs));
}

/** The strategy validates the new object in full, then the update rules (repeats are dropped). */
export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  const errs = [
    ...validateReplicaSetOnly(rs),
    ...validateObjectMetaUpdate(rs.metadata, old.metadata),
    ...validateReplicaSetSpec(rs.spec),
    ...selectorImmutable(rs.spec?.selector, old.spec?.selector),
  ];
  return withGenericUpdateChecks(rs.metadata, old.metadata, true, errs);
}

/** A ReplicaSet's status counts; a ReplicationController's are checked alike (upstream's two functions agree). */
export function validateReplicaSetStatus(st: ReplicaSetStatus | undefined): FieldError[] {
  const s = st ?? ({} as ReplicaSetStatus);
  const errs: FieldError[] = [];
  for (const f of [
    'replicas',
    'fullyLabeledReplicas',
    'readyReplicas',
    'availableReplicas',
    'observedGeneration',
  ] as const)
    errs.push(...nonNegative(s[f], status.child(f)));
  errs.push(...notAbove('fullyLabeledReplicas', s.fullyLabeledReplicas, s.replicas, 'status.replicas'));
  errs.push(...notAbove('readyReplicas', s.readyReplicas, s.replicas, 'status.replicas'));
  errs.push(...notAbove('availableReplicas', s.availableReplicas, s.replicas, 'status.replicas'));
  errs.push(...notAbove('availableReplicas', s.availableReplicas, s.readyReplicas, 'readyReplicas'));
  return errs;
}

export function validateReplicaSetStatusUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(rs.metadata, old.metadata),
    ...validateReplicaSetStatus(rs.status),
  ];
  return withGenericUpdateChecks(rs.metadata, old.metadata, true, errs);
}

// --- StatefulSet ----------------------------------------------------------------

type SSUpdateStrategy = StatefulSetSpec['updateStrategy'];
type SSRollingUpdate = NonNullable<NonNullable<SSUpdateStrategy>['rollingUpdate']>;

function goSSRollingUpdate(ru: SSRollingUpdate): string {
  const mu = ru.maxUnavailable == null ? undefined : goIntOrString(ru.maxUnavailable);
  return `apps.RollingUpdateStatefulSetStrategy{Partition:${ru.partition ?? 0}, MaxUnavailable:${goPtr('intstr.IntOrString', mu)}}`;
}

function goSSUpdateStrategy(us: SSUpdateStrategy): string {
  const ru = us?.rollingUpdate ? goSSRollingUpdate(us.rollingUpdate) : undefined;
  return `apps.StatefulSetUpdateStrategy{Type:${goQuote(us?.type ?? '')}, RollingUpdate:${goPtr('apps.RollingUpdateStatefulSetStrategy', ru)}}`;
}

function validateSSRollingUpdate(ru: SSRollingUpdate, path: FieldPath): FieldError[] {
  const errs = nonNegative(ru.partition, path.child('partition'));
  if (ru.maxUnavailable != null) {
    const p = path.child('maxUnavailable');
    errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p));
    if (intOrPercentValue(ru.maxUnavailable) === 0)
      errs.push(goErrors.invalid(p, goIntOrString(ru.maxUnavailable), 'cannot be 0'));
    errs.push(...notMoreThan100Percent(ru.maxUnavailable, p));
  }
  return errs;
}

function validateSSUpdateStrategy(us: SSUpdateStrategy): FieldError[] {
  const p = spec.child('updateStrategy');
  switch (us?.type ?? '') {
    case '':
      return [fieldErrors.required(p)];
    case 'OnDelete':
      return us?.rollingUpdate
        ? [
            goErrors.invalid(
              p.child('rollingUpdate'),
              goSSRollingUpdate(us.rollingUpdate),
              "only allowed for updateStrategy 'RollingUpdate'",
            ),
          ]
        : [];
    case 'RollingUpdate':
      return us?.rollingUpdate ? validateSSRollingUpdate(us.rollingUpdate, p.child('rollingUpdate')) : [];
    default:
      return [goErrors.invalid(p, goSSUpdateStrategy(us), "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

const retentionPolicies = ['Retain', 'Delete'];

function validateSSTemplate(t: PodTemplateSpec | undefined, sel: PodSelector): FieldError[] {
  const path = spec.child('template');
  const errs: FieldError[] = [];
  if (sel.kind !== 'everything' && !selectorMatches(sel, t?.metadata?.labels))
    errs.push(labelsMismatch(t, path));
  // Upstream checks only the template's labels and annotations here, not its PodSpec.
  errs.push(...validateLabels(t?.metadata?.labels, path.child('labels')));
  errs.push(...validateAnnotations(t?.metadata?.annotations, path.child('annotations')));
  return errs;
}

function validateStatefulSetSpec(s: StatefulSetSpec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const pmp = s?.podManagementPolicy ?? '';
  if (!pmp) errs.push(fieldErrors.required(spec.child('podManagementPolicy')));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel')
    errs.push(
      fieldErrors.invalid(spec.child('podManagementPolicy'), pmp, "must be 'OrderedReady' or 'Parallel'"),
    );
  errs.push(...validateSSUpdateStrategy(s?.updateStrategy));
  const policy = s?.persistentVolumeClaimRetentionPolicy;
  if (policy) {
    const pp = spec.child('persistentVolumeClaimRetentionPolicy');
    for (const f of ['whenDeleted', 'whenScaled'] as const) {
      const v = policy[f] ?? '';
      if (!retentionPolicies.includes(v))
        errs.push(fieldErrors.notSupported(pp.child(f), v, retentionPolicies));
    }
  }
  errs.push(...nonNegative(s?.replicas, spec.child('replicas')));
  errs.push(...nonNegative(s?.minReadySeconds, spec.child('minReadySeconds')));
  if (s?.ordinals) errs.push(...nonNegative(s.ordinals.start, spec.child('ordinals.start')));

  errs.push(...validateWorkloadSelector(s?.selector, 'statefulset'));
  const sel = labelSelectorAsSelector(s?.selector);
  if (!sel) errs.push(goErrors.invalid(spec.child('selector'), goLabelSelector(s?.selector), ''));
  else errs.push(...validateSSTemplate(s?.template, sel));

  const restartPolicy = s?.template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always')
    errs.push(
      fieldErrors.notSupported(spec.child('template', 'spec', 'restartPolicy'), restartPolicy, ['Always']),
    );
  if (s?.template?.spec?.activeDeadlineSeconds != null)
    errs.push(
      fieldErrors.forbidden(
        spec.child('template', 'spec', 'activeDeadlineSeconds'),
        'activeDeadlineSeconds in StatefulSet is not Supported',
      ),
    );
  return errs;
}

export function validateStatefulSet(ss: StatefulSet): FieldError[] {
  const errs = [
    ...validateObjectMeta(ss.metadata, true, nameIsDNSLabel),
    ...validateStatefulSetSpec(ss.spec),
  ];
  return withGenericCreateChecks(ss.metadata, true, errs);
}

/** The spec fields a StatefulSet update may change. */
const mutableSSFields = [
  'replicas',
  'template',
  'updateStrategy',
  'minReadySeconds',
  'ordinals',
  'persistentVolumeClaimRetentionPolicy',
] as const;

export function validateStatefulSetUpdate(ss: StatefulSet, old: StatefulSet): FieldError[] {
  // The name is not re-validated: older servers allowed DNS subdomains.
  const errs = [...validateObjectMetaUpdate(ss.metadata, old.metadata), ...validateStatefulSetSpec(ss.spec)];
  const rest = { ...(ss.spec ?? {}) } as Record<string, unknown>;
  const oldRest = { ...(old.spec ?? {}) } as Record<string, unknown>;
  for (const f of mutableSSFields) {
    delete rest[f];
    delete oldRest[f];
  }
  if (!semanticEqual(rest, oldRest))
    errs.push(
      fieldErrors.forbidden(
        spec,
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  return withGenericUpdateChecks(ss.metadata, old.metadata, true, errs);
}

function validateStatefulSetStatus(st: StatefulSetStatus | undefined): FieldError[] {
  const s = st ?? ({} as StatefulSetStatus);
  const errs: FieldError[] = [];
  for (const f of [
    'replicas',
    'readyReplicas',
    'currentReplicas',
    'updatedReplicas',
    'availableReplicas',
  ] as const)
    errs.push(...nonNegative(s[f], status.child(f)));
  if (s.observedGeneration != null)
    errs.push(...nonNegative(s.observedGeneration, status.child('observedGeneration')));
  if (s.collisionCount != null) errs.push(...nonNegative(s.collisionCount, status.child('collisionCount')));
  errs.push(...notAbove('readyReplicas', s.readyReplicas, s.replicas, 'status.replicas'));
  errs.push(...notAbove('currentReplicas', s.currentReplicas, s.replicas, 'status.replicas'));
  errs.push(...notAbove('updatedReplicas', s.updatedReplicas, s.replicas, 'status.replicas'));
  errs.push(...notAbove('availableReplicas', s.availableReplicas, s.replicas, 'status.replicas'));
  errs.push(...notAbove('availableReplicas', s.availableReplicas, s.readyReplicas, 'status.readyReplicas'));
  return errs;
}

export function validateStatefulSetStatusUpdate(ss: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = [
    ...validateStatefulSetStatus(ss.status),
    ...validateObjectMetaUpdate(ss.metadata, old.metadata),
    ...collisionCountErrors(ss.status?.collisionCount, old.status?.collisionCount),
  ];
  return withGenericUpdateChecks(ss.metadata, old.metadata, true, errs);
}

// --- ControllerRevision ---------------------------------------------------------

/** `runtime.RawExtension{Raw:[]uint8{0x7b, ...}, Object:runtime.Object(nil)}` of the data's compact JSON. */
export function goRawExtension(data: unknown): string {
  const raw = data === undefined ? undefined : Buffer.from(JSON.stringify(data));
  const bytes = raw ? `[]uint8{${[...raw].map((b) => `0x${b.toString(16)}`).join(', ')}}` : '[]uint8(nil)';
  return `runtime.RawExtension{Raw:${bytes}, Object:runtime.Object(nil)}`;
}

function validateControllerRevisionOnly(cr: ControllerRevision): FieldError[] {
  const errs = validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain);
  if (cr.data == null) errs.push(fieldErrors.required(FieldPath.root('data'), 'data is mandatory'));
  errs.push(...nonNegative(cr.revision, FieldPath.root('revision')));
  return errs;
}

export function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  return withGenericCreateChecks(cr.metadata, true, validateControllerRevisionOnly(cr));
}

export function validateControllerRevisionUpdate(
  cr: ControllerRevision,
  old: ControllerRevision,
): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(cr.metadata, old.metadata),
    ...validateControllerRevisionOnly(cr),
  ];
  if (!strictEqual(cr.data ?? null, old.data ?? null))
    errs.push(
      goErrors.invalid(FieldPath.root('data'), goRawExtension(cr.data ?? undefined), FieldImmutableErrorMsg),
    );
  return withGenericUpdateChecks(cr.metadata, old.metadata, true, errs);
}

// --- DaemonSet ------------------------------------------------------------------

/** Upstream's v1 conversion keeps the internal TemplateGeneration in this annotation. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

type DSUpdateStrategy = DaemonSetSpec['updateStrategy'];

function goDSUpdateStrategy(us: DSUpdateStrategy): string {
  const ru = us?.rollingUpdate;
  const ruText = ru
    ? `apps.RollingUpdateDaemonSet{MaxUnavailable:${goIntOrString(ru.maxUnavailable)}, MaxSurge:${goIntOrString(ru.maxSurge)}}`
    : undefined;
  return `apps.DaemonSetUpdateStrategy{Type:${goQuote(us?.type ?? '')}, RollingUpdate:${goPtr('apps.RollingUpdateDaemonSet', ruText)}}`;
}

/** ValidateDaemonSetUpdateStrategy and ValidateRollingUpdateDaemonSet: exactly one of maxUnavailable / maxSurge non-zero. */
function validateDSUpdateStrategy(us: DSUpdateStrategy): FieldError[] {
  const p = spec.child('updateStrategy');
  const type = us?.type ?? '';
  if (type === 'OnDelete') return [];
  if (type !== 'RollingUpdate') {
    const detail = fieldErrors.notSupported(p, type, ['RollingUpdate', 'OnDelete']).detail;
    return [new GoNotSupported(p.toString(), goDSUpdateStrategy(us), detail)];
  }
  const ru = us?.rollingUpdate;
  if (!ru) return [fieldErrors.required(p.child('rollingUpdate'))];
  const rp = p.child('rollingUpdate');
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')),
    ...validatePositiveIntOrPercent(ru.maxSurge, rp.child('maxSurge')),
    ...notMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')),
    ...notMoreThan100Percent(ru.maxSurge, rp.child('maxSurge')),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge)
    errs.push(
      goErrors.invalid(
        rp.child('maxSurge'),
        goIntOrString(ru.maxSurge),
        'may not be set when maxUnavailable is non-zero',
      ),
    );
  else if (!hasUnavailable && !hasSurge)
    errs.push(fieldErrors.required(rp.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
  return errs;
}

const templateGeneration = (ds: DaemonSet): number =>
  Number(ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? 0) || 0;

function validateDaemonSetSpec(ds: DaemonSet): FieldError[] {
  const s: Partial<DaemonSetSpec> = ds.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(s.selector, spec.child('selector')));
  const sel = labelSelectorAsSelector(s.selector);
  // A nil selector converts to Nothing upstream, which matches no labels.
  if (sel && !selectorMatches(sel, s.template?.metadata?.labels))
    errs.push(labelsMismatch(s.template, spec.child('template')));
  if (
    s.selector != null &&
    Object.keys(s.selector.matchLabels ?? {}).length + (s.selector.matchExpressions?.length ?? 0) === 0
  )
    errs.push(
      goErrors.invalid(
        spec.child('selector'),
        goLabelSelector(s.selector),
        'empty selector is invalid for daemonset',
      ),
    );
  errs.push(...validatePodTemplateSpec(s.template ?? {}, spec.child('template').toString()));
  const restartPolicy = s.template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always')
    errs.push(
      fieldErrors.notSupported(spec.child('template', 'spec', 'restartPolicy'), restartPolicy, ['Always']),
    );
  if (s.template?.spec?.activeDeadlineSeconds != null)
    errs.push(
      fieldErrors.forbidden(
        spec.child('template', 'spec', 'activeDeadlineSeconds'),
        'activeDeadlineSeconds in DaemonSet is not Supported',
      ),
    );
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...nonNegative(templateGeneration(ds), spec.child('templateGeneration')));
  errs.push(...validateDSUpdateStrategy(s.updateStrategy));
  if (s.revisionHistoryLimit != null)
    errs.push(...nonNegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  return errs;
}

export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const errs = [...validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain), ...validateDaemonSetSpec(ds)];
  return withGenericCreateChecks(ds.metadata, true, errs);
}

/** ValidateDaemonSetUpdate plus the strategy's selector immutability. */
export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata);
  const gen = templateGeneration(ds);
  const oldGen = templateGeneration(old);
  const tg = spec.child('templateGeneration');
  const templateUpdated = !semanticEqual(ds.spec?.template, old.spec?.template);
  if (gen < oldGen) errs.push(fieldErrors.invalid(tg, gen, 'must not be decremented'));
  if (gen === oldGen && templateUpdated)
    errs.push(fieldErrors.invalid(tg, gen, 'must be incremented upon template update'));
  else if (gen > oldGen && !templateUpdated)
    errs.push(fieldErrors.invalid(tg, gen, 'must not be incremented without template update'));
  errs.push(...validateDaemonSetSpec(ds));
  errs.push(...selectorImmutable(ds.spec?.selector, old.spec?.selector));
  return withGenericUpdateChecks(ds.metadata, old.metadata, true, errs);
}

function validateDaemonSetStatus(st: DaemonSetStatus | undefined): FieldError[] {
  const s: Partial<DaemonSetStatus> = st ?? {};
  const errs: FieldError[] = [];
  for (const f of [
    'currentNumberScheduled',
    'numberMisscheduled',
    'desiredNumberScheduled',
    'numberReady',
    'observedGeneration',
    'updatedNumberScheduled',
    'numberAvailable',
    'numberUnavailable',
  ] as const)
    errs.push(...nonNegative(s[f], status.child(f)));
  if (s.collisionCount != null) errs.push(...nonNegative(s.collisionCount, status.child('collisionCount')));
  return errs;
}

export function validateDaemonSetStatusUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  const errs = [
    ...validateObjectMetaUpdate(ds.metadata, old.metadata),
    ...validateDaemonSetStatus(ds.status),
    ...collisionCountErrors(ds.status?.collisionCount, old.status?.collisionCount),
  ];
  return withGenericUpdateChecks(ds.metadata, old.metadata, true, errs);
}
