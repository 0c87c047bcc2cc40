/**
 * Label maps and selectors as printers show them: apimachinery's
 * labels.FormatLabels and metav1.LabelSelectorAsSelector(...).String().
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

/** Go's sort.Strings: byte-wise, which for label keys (ASCII) is code-unit order. */
export function goSort(values: readonly string[]): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `k1=v1,k2=v2` sorted by key; `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = goSort(Object.keys(labels ?? {}));
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/**
 * LabelSelectorAsSelector(sel).String(): requirements sorted by key, set values
 * sorted; '' for a nil or empty selector; undefined when the selector is
 * invalid (unknown operator, wrong number of values).
 */
export function labelSelectorString(sel: LabelSelector | null | undefined): string | undefined {
  if (!sel) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    reqs.push({ key, text: `${key}=${value}` });
  }
  for (const expr of sel.matchExpressions ?? []) {
    const values = expr.values ?? [];
    const set = `(${goSort(values).join(',')})`;
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return undefined;
        reqs.push({ key: expr.key, text: `${expr.key} ${expr.operator === 'In' ? 'in' : 'notin'} ${set}` });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) return undefined;
        reqs.push({ key: expr.key, text: expr.operator === 'Exists' ? expr.key : `!${expr.key}` });
        break;
      default:
        return undefined;
    }
  }
  // Selector.Add sorts by key; a stable sort keeps matchLabels before expressions on a tie.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: `<none>` when it selects by nothing, `<error>` when invalid. */
export function formatLabelSelector(sel: LabelSelector | null | undefined): string {
  const s = labelSelectorString(sel);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}
