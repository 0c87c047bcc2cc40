/**
 * The StoreErrors every backend raises, with one wording (close to etcd's
 * mvcc messages) so callers and tests see the same text from each.
 */
import { type KeyValue, StoreError } from './store.js';

export const storeErrors = {
  keyExists: (key: string) => new StoreError('KeyExists', `key ${JSON.stringify(key)} already exists`),
  keyNotFound: (key: string) => new StoreError('KeyNotFound', `key ${JSON.stringify(key)} not found`),
  conflict: (key: string, expected: number, current: KeyValue) =>
    new StoreError(
      'Conflict',
      `key ${JSON.stringify(key)}: expected modRevision ${expected}, current is ${current.modRevision}`,
      current,
    ),
  compacted: (requested: number, compactRevision: number) =>
    new StoreError(
      'Compacted',
      `required revision ${requested} has been compacted (compact revision ${compactRevision})`,
      undefined,
      compactRevision,
    ),
  futureRevision: (requested: number, current: number) =>
    new StoreError(
      'FutureRevision',
      `required revision ${requested} is a future revision (current revision ${current})`,
    ),
  closed: () => new StoreError('Closed', 'store is closed'),
};
