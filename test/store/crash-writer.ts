/**
 * Child process for the SQLite crash test: opens the store at argv[2] and
 * writes until killed, printing one line per acknowledged write:
 * `put <key> <modRevision>` or `del <key> <revision>`. Keys live under
 * `/crash/<argv[3]>/`. Lines are written synchronously (stdout is a pipe), so
 * every line printed before SIGKILL reaches the parent.
 */
import { writeSync } from 'node:fs';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { KeyValue } from '../../src/store/store.js';

const [path, tag] = process.argv.slice(2);
if (!path || !tag) throw new Error('usage: crash-writer <db path> <tag>');

const store = await SqliteStore.open(path);
const put = (kv: KeyValue) => {
  writeSync(1, `put ${kv.key} ${kv.modRevision}\n`);
  return kv;
};

for (let round = 0; ; round++) {
  // Concurrent creates: one group commit.
  const created = await Promise.all(
    Array.from({ length: 16 }, (_, j) =>
      store.create(`/crash/${tag}/${round}-${j}`, `{"v":"${'x'.repeat(200)}"}`).then(put),
    ),
  );
  // Sequential updates: one commit each.
  for (const kv of created.slice(0, 4)) put(await store.update(kv.key, `{"round":${round}}`, kv.modRevision));
  // Concurrent updates and deletes of the rest.
  await Promise.all([
    ...created.slice(4, 10).map((kv) => store.update(kv.key, 'updated', kv.modRevision).then(put)),
    ...created
      .slice(10, 13)
      .map((kv) =>
        store.delete(kv.key, kv.modRevision).then((d) => writeSync(1, `del ${kv.key} ${d.revision}\n`)),
      ),
  ]);
}
