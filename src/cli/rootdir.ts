/**
 * The standalone agent's default root dir, `$TMPDIR/svcnet-agent-<node>`:
 * it holds pod filesystems, Secret volumes and process records, and `$TMPDIR`
 * is often shared (/tmp), so the dir is created private (0700) and an
 * existing one is used only if it is a real directory this user owns — never
 * a symlink another user planted to redirect the agent's writes.
 */
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { SvcnetError } from '../lib/errors.js';

export class UnsafeRootDirError extends SvcnetError<'UNSAFE_ROOT_DIR'> {
  constructor(dir: string, why: string) {
    super('UNSAFE_ROOT_DIR', `refusing the agent root dir ${dir}: ${why} (pass --root-dir to use another)`);
  }
}

/** Creates `dir` 0700 if absent; refuses a symlink, a non-directory or another user's dir; tightens a loose mode. */
export function ensurePrivateDir(dir: string, uid = process.getuid?.()): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // lstat: a symlink is judged itself, not what it points at.
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) throw new UnsafeRootDirError(dir, 'it is a symbolic link');
  if (!st.isDirectory()) throw new UnsafeRootDirError(dir, 'it is not a directory');
  if (uid !== undefined && st.uid !== uid)
    throw new UnsafeRootDirError(dir, `it is owned by uid ${st.uid}, not this user (uid ${uid})`);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
