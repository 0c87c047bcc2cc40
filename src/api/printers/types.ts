import type { KubeObject } from '../registry/strategy.js';
import type { ColumnDefinition } from './columns.js';

/** meta.k8s.io/v1 TableRowCondition: e.g. a finished pod's row is `Completed`. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/**
 * How one kind prints as meta.k8s.io/v1 Table rows. Like upstream's server
 * (printers/storage uses `Wide: true`), rows always carry every column,
 * priority > 0 ones included; clients hide those unless asked for `-o wide`.
 */
export interface TableConvertor {
  columns: ColumnDefinition[];
  /** The cells of the rows one object prints as (one row for every built-in kind). */
  rows(obj: KubeObject, now: Date): unknown[][];
  /** Conditions for each of the object's rows, where upstream sets any (pods). */
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}
