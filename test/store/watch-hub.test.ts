import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeErrors } from '../../src/store/errors.js';
import type { KeyValue, WatchEvent, Watcher, WatchHandlers } from '../../src/store/store.js';
import { eventRevision, type HistoryChunk, type HistorySource, WatchHub } from '../../src/store/watch-hub.js';
import { record, settle } from './watch-recorder.js';

/**
 * A store stand-in whose history reads are slow and small (3 revisions per
 * call, answered after a timer), so writes land between replay steps.
 */
class FakeStore implements HistorySource {
  readonly log: WatchEvent[] = [];
  compactRev = 0;
  reads = 0;
  /** History reads in flight (each waits on a timer). */
  reading = 0;
  readonly hub = new WatchHub(this);

  currentRevision(): number {
    return this.log.length;
  }
  compactRevision(): number {
    return this.compactRev;
  }
  async readHistory(prefix: string, after: number, upTo: number): Promise<HistoryChunk> {
    this.reads++;
    this.reading++;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (after < this.compactRev) throw storeErrors.compacted(after, this.compactRev);
      const through = Math.min(upTo, after + 3);
      const events = this.log
        .slice(after, through)
        .filter((e) => e.type === 'put' && e.kv.key.startsWith(prefix));
      return { events, through };
    } finally {
      this.reading--;
    }
  }
  watch(prefix: string, after: number, handlers: WatchHandlers): Watcher {
    return this.hub.watch(prefix, after, handlers);
  }
  /** Commits one put per key, each its own revision, and publishes them together. */
  write(keys: string[]): void {
    const events = keys.map((key): WatchEvent => {
      const rev = this.log.length + 1;
      const kv: KeyValue = { key, value: 'v', createRevision: rev, modRevision: rev };
      this.log.push({ type: 'put', kv });
      return { type: 'put', kv };
    });
    this.hub.publish(events);
  }
  revisionsUnder(prefix: string): number[] {
    return this.log.filter((e) => e.type === 'put' && e.kv.key.startsWith(prefix)).map(eventRevision);
  }
}

/**
 * Lets queued deliveries happen and waits out the fake's history reads: those wait on a timer,
 * which a loaded machine can let expire together with settle()'s own.
 */
async function quiet(f: FakeStore): Promise<void> {
  do {
    await settle();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  } while (f.reading > 0);
}

describe('WatchHub', () => {
  it('replays in small async steps while writes land, without gaps or duplicates', async () => {
    const f = new FakeStore();
    for (let i = 0; i < 20; i++) f.write([`/a/${i}`]);
    const all = record(f, '', 0);
    const some = record(f, '/b/', 5);
    // Keep writing while the replays crawl through history.
    for (let i = 0; i < 30; i++) {
      f.write(i % 3 === 0 ? [`/b/${i}`, `/a/x${i}`] : [`/a/y${i}`]);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const end = f.currentRevision();
    await all.rec.untilRevision(end);
    await quiet(f);
    assert.ok(f.reads > 5, 'the replay took several steps');
    assert.deepEqual(all.rec.revisions, f.revisionsUnder(''));
    assert.deepEqual(
      all.rec.revisions,
      Array.from({ length: end }, (_, i) => i + 1),
    );
    assert.deepEqual(some.rec.revisions, f.revisionsUnder('/b/'));
    all.watcher.close();
    some.watcher.close();
    assert.equal(f.hub.size, 0);
  });

  it('reports Compacted when compaction overtakes a replay, after a gap-free prefix', async () => {
    const f = new FakeStore();
    for (let i = 0; i < 30; i++) f.write([`/a/${i}`]);
    const { rec } = record(f, '', 0);
    await rec.untilRevision(3);
    f.compactRev = 20;
    await rec.untilError();
    assert.equal(rec.errors[0]!.code, 'Compacted');
    const got = rec.revisions;
    assert.deepEqual(
      got,
      Array.from({ length: got.length }, (_, i) => i + 1),
    );
    assert.ok(got.length < 20);
    assert.equal(f.hub.size, 0, 'the failed watcher is gone');
  });

  it('closeAll delivers what was queued, then the error, to live and replaying watchers', async () => {
    const f = new FakeStore();
    f.write(['/a/0']);
    const live = record(f, '', 1);
    const replaying = record(f, '', 0);
    f.write(['/a/1']);
    f.hub.closeAll(storeErrors.closed());
    await quiet(f);
    assert.deepEqual(live.rec.revisions, [2]);
    assert.deepEqual(
      live.rec.errors.map((e) => e.code),
      ['Closed'],
    );
    assert.deepEqual(replaying.rec.revisions, []);
    assert.deepEqual(
      replaying.rec.errors.map((e) => e.code),
      ['Closed'],
    );
    assert.equal(f.hub.size, 0);
  });

  it('coalesces what is published in one tick into one delivery', async () => {
    const f = new FakeStore();
    const { rec } = record(f, '', 0);
    f.write(['/a']);
    f.write(['/b', '/c']);
    await quiet(f);
    assert.deepEqual(
      rec.batches.map((b) => b.map(eventRevision)),
      [[1, 2, 3]],
    );
  });
});
