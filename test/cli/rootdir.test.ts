/** The standalone agent's default root dir: private, and never a symlink or another user's dir. */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensurePrivateDir, UnsafeRootDirError } from '../../src/cli/rootdir.js';

const refused = (why: RegExp) => (e: unknown) => {
  assert.ok(e instanceof UnsafeRootDirError, String(e));
  assert.equal(e.code, 'UNSAFE_ROOT_DIR');
  assert.match(e.message, why);
  return true;
};

describe('ensurePrivateDir', () => {
  let base: string;
  before(() => {
    base = mkdtempSync(join(tmpdir(), 'svcnet-rootdir-'));
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it('creates a missing dir 0700', () => {
    const dir = join(base, 'new');
    ensurePrivateDir(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('keeps an existing own dir, tightening a loose mode', () => {
    const dir = join(base, 'loose');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    ensurePrivateDir(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('refuses a symlink, even to an own directory', () => {
    const target = join(base, 'target');
    mkdirSync(target);
    const link = join(base, 'link');
    symlinkSync(target, link);
    assert.throws(() => ensurePrivateDir(link), refused(/link: it is a symbolic link/));
  });

  it('refuses a file', () => {
    const file = join(base, 'file');
    writeFileSync(file, '');
    assert.throws(() => ensurePrivateDir(file), refused(/it is not a directory/));
  });

  it("refuses another user's dir", () => {
    const dir = join(base, 'theirs');
    mkdirSync(dir);
    const mine = statSync(dir).uid;
    assert.throws(() => ensurePrivateDir(dir, mine + 1), refused(/it is owned by uid \d+, not this user/));
  });
});
