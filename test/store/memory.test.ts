import { MemoryStore } from '../../src/store/memory.js';
import { runStoreConformance } from './conformance.js';

runStoreConformance('MemoryStore', async () => new MemoryStore());

// Stores need not start at revision 0 (etcd starts at 1); the suite must not care.
runStoreConformance('MemoryStore, used before', async () => {
  const s = new MemoryStore();
  await s.create('/gone', 'x');
  await s.delete('/gone');
  return s;
});
