import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PodIPAllocator } from '../../src/agent/ipam.js';
import { PodIPRecords } from '../../src/agent/iprecords.js';

const withDir = (fn: (dir: string) => void) => {
  const dir = mkdtempSync(join(tmpdir(), 'svcnet-iprecords-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test('one file per address, naming its pod; a new store reads them back', () => {
  withDir((dir) => {
    const r = new PodIPRecords(join(dir, 'pod-ips'));
    r.put('127.244.0.2', 'u1', 'default/web-1');
    r.put('fd00::5', 'u2', 'default/web-2');
    assert.deepEqual(readdirSync(join(dir, 'pod-ips')).sort(), ['127.244.0.2', 'fd00::5']);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'pod-ips', '127.244.0.2'), 'utf8')), {
      uid: 'u1',
      pod: 'default/web-1',
    });
    const again = new PodIPRecords(join(dir, 'pod-ips'));
    assert.deepEqual(
      again.load().sort((a, b) => a.ip.localeCompare(b.ip)),
      [
        { ip: '127.244.0.2', uid: 'u1', pod: 'default/web-1' },
        { ip: 'fd00::5', uid: 'u2', pod: 'default/web-2' },
      ],
    );
  });
});

test('remove forgets only the named pod’s record; junk in the directory is skipped', () => {
  withDir((dir) => {
    const r = new PodIPRecords(dir);
    r.put('127.244.0.2', 'u1', 'default/a');
    r.remove('127.244.0.2', 'someone-else');
    assert.equal(r.load().length, 1, 'another pod’s release leaves it');
    r.remove('127.244.0.2', 'u1');
    assert.equal(r.load().length, 0);
    writeFileSync(join(dir, '127.244.0.3'), 'not json');
    writeFileSync(join(dir, '127.244.0.04'), JSON.stringify({ uid: 'u4' }));
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    writeFileSync(join(dir, '127.244.0.5'), JSON.stringify({ pod: 'no uid' }));
    assert.deepEqual(r.load(), []);
  });
});

test('prune keeps what is claimed', () => {
  withDir((dir) => {
    const r = new PodIPRecords(dir);
    r.put('127.244.0.2', 'u1', 'default/a');
    r.put('127.244.0.3', 'gone', 'default/gone');
    r.prune((x) => x.uid === 'u1');
    assert.deepEqual(
      r.load().map((x) => x.uid),
      ['u1'],
    );
  });
});

test('an allocator with records: what it gives and frees is on disk', () => {
  withDir((dir) => {
    const r = new PodIPRecords(dir);
    const a = new PodIPAllocator('127.244.0.0/24', r);
    a.allocate('u1', 'default/a');
    a.claim('u2', '127.244.0.9', 'default/b');
    assert.deepEqual(
      r.load().sort((x, y) => x.ip.localeCompare(y.ip)),
      [
        { ip: '127.244.0.2', uid: 'u1', pod: 'default/a' },
        { ip: '127.244.0.9', uid: 'u2', pod: 'default/b' },
      ],
    );
    a.release('u1');
    assert.deepEqual(
      r.load().map((x) => x.ip),
      ['127.244.0.9'],
    );
  });
});
