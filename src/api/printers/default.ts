/**
 * The apiserver's fallback for kinds without a printer (rest/table.go
 * defaultTableConvertor): the name and the creation time as an RFC 3339 date.
 */
import type { KubeObject } from '../registry/strategy.js';
import { column, DOC, NAME_COLUMN } from './columns.js';
import { parseTime } from './duration.js';
import type { TableConvertor } from './types.js';

/** Go's Time.UTC().Format(time.RFC3339): whole seconds, `Z`; the zero time when unset. */
export function formatRFC3339(ts: string | null | undefined): string {
  const ms = parseTime(ts);
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export const defaultConvertor: TableConvertor = {
  columns: [NAME_COLUMN, column('Created At', 'date', DOC.creationTimestamp)],
  rows(obj: KubeObject): unknown[][] {
    return [[obj.metadata?.name ?? '', formatRFC3339(obj.metadata?.creationTimestamp)]];
  },
};
