import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findCrossings } from '../../tools/check-imports.js';

/** A throwaway tree with the given files under src/. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'svcnet-imports-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, 'src', path)), { recursive: true });
    writeFileSync(join(root, 'src', path), text);
  }
  return root;
}

describe('import boundaries', () => {
  const roots: string[] = [];
  after(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('the real tree has no crossing', () => {
    assert.deepEqual(findCrossings('.'), []);
  });

  it('reports a component importing API internals, and the API importing a component', () => {
    const root = tree({
      'api/registry/x.ts': "export const x = 1;\nimport { y } from '../../proxy/y.js';\n",
      'proxy/y.ts': "import type { Z } from '../api/registry/x.js';\nexport const y = 2;\n",
      'proxy/ok.ts':
        "import { a } from '../client/a.js';\nimport { b } from '../k8s/b.js';\nimport { v } from '../version.js';\n",
      'client/a.ts': 'export const a = 1;\n',
      'k8s/b.ts': "import { readFileSync } from 'node:fs';\nexport const b = 1;\n",
      'version.ts': 'export const v = 1;\n',
    });
    roots.push(root);
    const found = findCrossings(root).map((c) => `${c.file}:${c.line} ${c.from} -> ${c.to}`);
    assert.deepEqual(found.sort(), [
      'src/api/registry/x.ts:2 api -> proxy',
      'src/k8s/b.ts:1 k8s -> node:fs',
      'src/proxy/y.ts:1 proxy -> api',
    ]);
  });

  it('reports a multi-line import and a folder missing from the table', () => {
    const root = tree({
      'dns/a.ts': "import {\n  one,\n  two,\n} from '../agent/b.js';\n",
      'agent/b.ts': 'export const one = 1, two = 2;\n',
      'newthing/c.ts': "import { one } from '../agent/b.js';\n",
    });
    roots.push(root);
    const found = findCrossings(root).map((c) => `${c.file}:${c.line} ${c.to}`);
    assert.deepEqual(found.sort(), [
      'src/dns/a.ts:1 agent',
      'src/newthing/c.ts:1 agent (src/newthing is not in the boundary table)',
    ]);
  });
});
