/** metav1.LabelSelector → label requirements (LabelSelectorAsSelector): nil selects nothing, {} everything. */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { type LabelRequirement, matchesLabels } from '../../k8s/selectors.js';

const ops: Record<string, LabelRequirement['op']> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/** Requirements, or undefined when the selector selects nothing (absent or with an unknown operator). */
export function selectorRequirements(sel: LabelSelector | undefined): LabelRequirement[] | undefined {
  if (!sel) return undefined;
  const reqs: LabelRequirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({
    key,
    op: '=',
    values: [v],
  }));
  for (const e of sel.matchExpressions ?? []) {
    const op = ops[e.operator];
    if (!op) return undefined;
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return reqs;
}

export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string> | undefined) {
  const reqs = selectorRequirements(sel);
  return reqs !== undefined && matchesLabels(reqs, labels);
}
