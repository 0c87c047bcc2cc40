/**
 * The import boundaries of src/, checked on every `npm test`: which top-level
 * folder may import which. This table is the one place the allowed
 * directions are written down (docs/layers.md explains them).
 *
 * Usage: node dist/tools/check-imports.js [ROOT]   (exit 1 on a crossing)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Folder → the folders it may import from (besides itself). `src/version.ts` is open to all. */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  // Go-like primitives: durations, JSON, logging, errors.
  lib: [],
  // Pure Kubernetes helpers every component shares: IPs, field errors, Status, selectors, quoting.
  k8s: ['lib'],
  store: ['lib', 'k8s'],
  allocators: ['lib', 'k8s'],
  // The one way components reach the API.
  client: ['lib', 'k8s'],
  api: ['lib', 'k8s', 'store', 'allocators'],
  // Components: clients of the API, never its internals, never each other.
  controllers: ['lib', 'k8s', 'client'],
  scheduler: ['lib', 'k8s', 'client'],
  agent: ['lib', 'k8s', 'client'],
  proxy: ['lib', 'k8s', 'client'],
  dns: ['lib', 'k8s', 'client'],
  // The command line assembles everything.
  cli: ['*'],
};

/** Node built-ins the pure library may not use (it computes; it does no I/O). */
const PURE = new Set(['k8s']);
const IO_MODULES =
  /^node:(fs|net|dgram|http|https|http2|child_process|tls|dns|os|worker_threads|cluster)(\/|$)/;

export interface Crossing {
  file: string;
  line: number;
  from: string;
  to: string;
  specifier: string;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The top-level folder of a path under src ('' for files at src's root). */
function area(src: string, file: string): string {
  const parts = relative(src, file).split(sep);
  return parts.length > 1 ? parts[0]! : '';
}

/** Every import in `root`/src that crosses a boundary the table does not allow. */
export function findCrossings(root: string): Crossing[] {
  const src = resolve(root, 'src');
  const crossings: Crossing[] = [];
  for (const file of sourceFiles(src)) {
    const from = area(src, file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const specifier = (m[1] ?? m[2])!;
      const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
      const at = { file: relative(root, file), line, from, specifier };
      if (!specifier.startsWith('.')) {
        if (PURE.has(from) && IO_MODULES.test(specifier)) crossings.push({ ...at, to: specifier });
        continue;
      }
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(src + sep)) {
        crossings.push({ ...at, to: relative(root, target) });
        continue;
      }
      const to = area(src, target);
      if (to === from || to === '' || from === '') continue;
      const allowed = ALLOWED[from];
      if (!allowed) crossings.push({ ...at, to: `${to} (src/${from} is not in the boundary table)` });
      else if (!allowed.includes('*') && !allowed.includes(to)) crossings.push({ ...at, to });
    }
  }
  return crossings;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const crossings = findCrossings(process.argv[2] ?? '.');
  for (const c of crossings)
    console.error(`${c.file}:${c.line}: src/${c.from} may not import ${c.to} ('${c.specifier}')`);
  if (crossings.length) {
    console.error(
      `${crossings.length} import(s) cross a boundary; the allowed directions are in tools/check-imports.ts`,
    );
    process.exit(1);
  }
  console.log('import boundaries: ok');
}
