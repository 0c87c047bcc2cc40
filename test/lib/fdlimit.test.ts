import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDescriptors, parseNoFileLimit, readNoFileLimit } from '../../src/lib/fdlimit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('file descriptor limits', () => {
  it('reads the Max open files line of /proc/PID/limits', () => {
    assert.deepEqual(parseNoFileLimit(LIMITS), { soft: 1024, hard: 524288 });
    assert.deepEqual(
      parseNoFileLimit(LIMITS.replace('1024                 524288', 'unlimited            unlimited')),
      { soft: Number.POSITIVE_INFINITY, hard: Number.POSITIVE_INFINITY },
    );
    assert.equal(parseNoFileLimit('Max cpu time unlimited unlimited seconds\n'), undefined);
  });

  it("counts this process's open descriptors", () => {
    const before = openDescriptors()!;
    const fd = openSync(fileURLToPath(import.meta.url), 'r');
    try {
      assert.equal(openDescriptors(), before + 1);
    } finally {
      closeSync(fd);
    }
    assert.ok(before <= readNoFileLimit()!.soft);
  });

  it('raises a lowered soft limit to the hard one with prlimit on its own pid, as Go programs do at start', () => {
    const child = fileURLToPath(new URL('./fdlimit-child.js', import.meta.url));
    const r = spawnSync('prlimit', ['--nofile=512:1024', process.execPath, child], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, `${r.error ?? ''}${r.stdout}${r.stderr}`);
    const got = JSON.parse(r.stdout);
    // Node itself raised 512 to 1024 at start (node.cc PlatformInit); the child lowered it to 64.
    assert.deepEqual(got, {
      atStart: { soft: 1024, hard: 1024 },
      before: { soft: 64, hard: 1024 },
      after: { soft: 1024, hard: 1024 },
    });
  });
});
