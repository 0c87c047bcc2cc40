/**
 * kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go): a volume's files
 * live in a timestamped directory `..2006_01_02_15_04_05.<random>`; `..data`
 * is a symlink to the current one, and each top-level name the user sees is
 * a symlink through `..data`. An update writes a new timestamped directory and
 * swaps `..data` with one rename, so a reader sees the old files or the new
 * ones, never a mix; then the old directory goes.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Payload } from './volumes.js';

export const DATA_DIR_NAME = '..data';
const DATA_DIR_TMP_NAME = '..data_tmp';

/** `..2006_01_02_15_04_05.` of a UTC time, the prefix of a timestamped directory. */
export function timestampPrefix(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.`;
}

/** Whether the current data directory holds exactly `payload` (contents and modes). */
function unchanged(dataDir: string, payload: Payload): boolean {
  const found: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dataDir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else found.push(r);
    }
  };
  try {
    walk('');
  } catch {
    return false;
  }
  if (found.length !== payload.size) return false;
  for (const rel of found) {
    const want = payload.get(rel);
    if (!want) return false;
    const file = join(dataDir, rel);
    if ((statSync(file).mode & 0o7777) !== want.mode) return false;
    if (!readFileSync(file).equals(want.data)) return false;
  }
  return true;
}

const topLevel = (payload: Payload): Set<string> => new Set([...payload.keys()].map((p) => p.split('/')[0]!));

/**
 * Makes `dir` hold `payload`; answers whether anything changed. `now` names
 * the new timestamped directory.
 */
export function writeAtomic(dir: string, payload: Payload, now: number = Date.now()): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const dataLink = join(dir, DATA_DIR_NAME);
  let oldTsDir: string | undefined;
  try {
    oldTsDir = readlinkSync(dataLink);
  } catch {}
  if (oldTsDir !== undefined && unchanged(join(dir, oldTsDir), payload)) return false;

  const tsDir = mkdtempSync(join(dir, timestampPrefix(now)));
  chmodSync(tsDir, 0o755);
  for (const [rel, f] of payload) {
    const file = join(tsDir, rel);
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, f.data);
    chmodSync(file, f.mode);
  }
  const tmpLink = join(dir, DATA_DIR_TMP_NAME);
  rmSync(tmpLink, { force: true });
  symlinkSync(basename(tsDir), tmpLink);
  renameSync(tmpLink, dataLink);

  // The user-visible names: one symlink per top-level entry, through ..data.
  const want = topLevel(payload);
  for (const name of want) {
    const link = join(dir, name);
    if (!existsSync(link)) {
      rmSync(link, { force: true }); // a dangling link of an earlier payload
      symlinkSync(join(DATA_DIR_NAME, name), link);
    }
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..') || want.has(name)) continue;
    if (lstatSync(join(dir, name)).isSymbolicLink()) unlinkSync(join(dir, name));
  }
  if (oldTsDir !== undefined && oldTsDir !== basename(tsDir))
    rmSync(join(dir, oldTsDir), { recursive: true, force: true });
  return true;
}
