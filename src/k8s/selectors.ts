/**
 * Label and field selectors as the API accepts them in `labelSelector` and
 * `fieldSelector` (apimachinery `labels.Parse` / `fields.ParseSelector`).
 * Parsing is strict: a malformed selector is a 400, never "match everything".
 */
import { statusErrors } from './status.js';

export type LabelOp = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export type Labels = Readonly<Record<string, string>> | undefined;

const keyPattern =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function bad(why: string): never {
  throw statusErrors.badRequest(`unable to parse requirement: ${why}`);
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function checkKey(key: string): string {
  if (!key) bad("found '', expected: identifier");
  if (!keyPattern.test(key) || key.length > 317) bad(`invalid label key "${key}"`);
  return key;
}

function checkValue(v: string): string {
  if (v.length > 63 || !valuePattern.test(v)) bad(`invalid label value: "${v}"`);
  return v;
}

const NOT = /^!\s*([^\s=!<>(),]+)$/;
const SET = /^([^\s=!<>(),]+)\s+(in|notin)\s*\((.*)\)$/;
const COMPARE = /^([^\s=!<>(),]+)\s*(==|=|!=|>|<)\s*([^\s=!<>(),]*)$/;
const EXISTS = /^([^\s=!<>(),]+)$/;
const compareOps: Record<string, LabelOp> = { '=': '=', '==': '=', '!=': '!=', '>': 'gt', '<': 'lt' };

function parseTerm(term: string): LabelRequirement {
  const not = NOT.exec(term);
  if (not) return { key: checkKey(not[1]!), op: '!', values: [] };
  const set = SET.exec(term);
  if (set) {
    const inner = set[3]!.trim();
    if (inner === '') bad("for 'in', 'notin' operators, values set can't be empty");
    const values = inner.split(',').map((v) => checkValue(v.trim()));
    return { key: checkKey(set[1]!), op: set[2] as 'in' | 'notin', values };
  }
  const cmp = COMPARE.exec(term);
  if (cmp) {
    const op = compareOps[cmp[2]!]!;
    const value = cmp[3]!;
    if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(value)) {
      bad("for 'Gt', 'Lt' operators, the value must be an integer");
    }
    return { key: checkKey(cmp[1]!), op, values: [checkValue(value)] };
  }
  const exists = EXISTS.exec(term);
  if (exists) return { key: checkKey(exists[1]!), op: 'exists', values: [] };
  return bad(`found '${term}', expected: key, !key, key=value, key!=value, key in (...), key notin (...)`);
}

/** Parses a label selector string; '' selects everything. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const s = selector.trim();
  if (s === '') return [];
  return splitTerms(s).map((raw) => {
    const term = raw.trim();
    if (term === '') bad("found '', expected: !, identifier, or 'end of string'");
    return parseTerm(term);
  });
}

export function matchesLabels(reqs: readonly LabelRequirement[], labels: Labels): boolean {
  for (const r of reqs) {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const v = has ? labels![r.key]! : undefined;
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case '=':
        if (v !== r.values[0]) return false;
        break;
      case '!=':
        if (v === r.values[0]) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Parses a field selector (`a=b,c!=d`); '' selects everything. Backslash escapes `,`, `=`, `!` and `\`. */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  const s = selector.trim();
  if (s === '') return [];
  const out: FieldRequirement[] = [];
  // Tokenise honouring escapes.
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + s[i + 1];
      i++;
    } else if (ch === ',') {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  for (const term of terms) {
    const m = term.match(/^((?:\\.|[^=!\\])*)(==|=|!=)(.*)$/);
    if (!m || m[1]!.trim() === '') {
      throw statusErrors.badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    }
    const unescapeText = (x: string) => x.replace(/\\(.)/g, '$1');
    out.push({
      field: unescapeText(m[1]!.trim()),
      op: m[2] === '!=' ? '!=' : '=',
      value: unescapeText(m[3]!),
    });
  }
  return out;
}

/** The fields a kind can be selected by, with how to read each from an object. */
export type FieldGetters = Readonly<Record<string, (obj: never) => string | undefined>>;

/** Rejects fields the kind does not support, with upstream's message. */
export function checkFieldSelector(reqs: readonly FieldRequirement[], getters: FieldGetters): void {
  for (const r of reqs) {
    if (!Object.hasOwn(getters, r.field)) {
      throw statusErrors.badRequest(`field label not supported: ${r.field}`);
    }
  }
}

export function matchesFields(
  reqs: readonly FieldRequirement[],
  getters: FieldGetters,
  obj: unknown,
): boolean {
  for (const r of reqs) {
    const v = (getters[r.field] as (o: unknown) => string | undefined)(obj) ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}

/** The value a field selector requires exactly (e.g. metadata.name=x), if any. */
export function exactField(reqs: readonly FieldRequirement[], field: string): string | undefined {
  return reqs.find((r) => r.field === field && r.op === '=')?.value;
}
