import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { assertGoldenIn, testdataDir } from './golden.js';

describe('golden files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcnet-golden-'));
  const saved = process.env.UPDATE_GOLDEN;
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.UPDATE_GOLDEN;
    else process.env.UPDATE_GOLDEN = saved;
  });

  it('testdata sits next to the test source, also for the compiled test in dist/', () => {
    const here = testdataDir(import.meta.url);
    assert.ok(here.endsWith(join('test', 'lib', 'testdata')), here);
    assert.ok(!here.includes(`${join('dist', 'test')}`), here);
    const fromSource = testdataDir(pathToFileURL(join(here, '..', 'x.test.ts')).href);
    assert.equal(fromSource, here);
  });

  it('compares; a difference or a missing file fails; UPDATE_GOLDEN=1 rewrites', () => {
    delete process.env.UPDATE_GOLDEN;
    writeFileSync(join(dir, 'a.golden'), 'one\n');
    assertGoldenIn(dir, 'a', 'one\n');
    assert.throws(() => assertGoldenIn(dir, 'a', 'two\n'), /a\.golden differs/);
    assert.throws(() => assertGoldenIn(dir, 'missing', 'x'), /does not exist; run with UPDATE_GOLDEN=1/);
    process.env.UPDATE_GOLDEN = '1';
    assertGoldenIn(dir, 'a', 'two\n');
    assertGoldenIn(dir, 'missing', 'x');
    assert.equal(readFileSync(join(dir, 'a.golden'), 'utf8'), 'two\n');
    assert.equal(readFileSync(join(dir, 'missing.golden'), 'utf8'), 'x');
    delete process.env.UPDATE_GOLDEN;
    assertGoldenIn(dir, 'a', 'two\n');
    assert.throws(() => assertGoldenIn(dir, '../escape', 'x'), /bad golden name/);
  });
});
