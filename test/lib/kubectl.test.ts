/**
 * Which kubectl runs: PATH's 1.32, else the checkout's .tools/bin/kubectl,
 * else PATH's of another version; and tests that need one fail under CI
 * instead of skipping. Fake kubectl scripts stand in for the real binaries.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findKubectl, localKubectlPath, onPath } from '../../src/lib/kubectl.js';
import { skipReason } from './kubectl.js';

let dir: string;
const fake = (path: string, gitVersion: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho '{"clientVersion":{"gitVersion":"${gitVersion}"}}'\n`);
  chmodSync(path, 0o755);
};

describe('findKubectl', () => {
  let v132: string;
  let v131: string;
  let broken: string;
  let empty: string;
  let checkout: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'svcnet-kubectl-'));
    v132 = join(dir, 'path132');
    v131 = join(dir, 'path131');
    broken = join(dir, 'broken');
    empty = join(dir, 'empty');
    checkout = join(dir, 'checkout');
    fake(join(v132, 'kubectl'), 'v1.32.4');
    fake(join(v131, 'kubectl'), 'v1.31.2');
    mkdirSync(broken);
    writeFileSync(join(broken, 'kubectl'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(broken, 'kubectl'), 0o755);
    mkdirSync(empty);
    fake(localKubectlPath(checkout), 'v1.32.3');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('PATH is searched in order, like a shell', () => {
    assert.equal(onPath(`${empty}:${v131}:${v132}`), join(v131, 'kubectl'));
    assert.equal(onPath(empty), undefined);
  });

  test("PATH's kubectl 1.32 wins over the checkout's", () => {
    assert.deepEqual(findKubectl({ pathEnv: `${empty}:${v132}`, root: checkout }), {
      path: join(v132, 'kubectl'),
      version: 'v1.32.4',
      local: false,
    });
  });

  test("without one on PATH, the checkout's", () => {
    assert.deepEqual(findKubectl({ pathEnv: empty, root: checkout }), {
      path: localKubectlPath(checkout),
      version: 'v1.32.3',
      local: true,
    });
  });

  test("the checkout's 1.32 wins over PATH's of another version", () => {
    assert.equal(findKubectl({ pathEnv: v131, root: checkout })?.path, localKubectlPath(checkout));
  });

  test("PATH's of another version when the checkout has none", () => {
    assert.equal(findKubectl({ pathEnv: v131, root: join(dir, 'nowhere') })?.version, 'v1.31.2');
  });

  test('a kubectl that does not run does not count', () => {
    assert.equal(findKubectl({ pathEnv: broken, root: checkout })?.path, localKubectlPath(checkout));
    assert.equal(findKubectl({ pathEnv: broken, root: undefined }), undefined);
  });

  test('none at all', () => {
    assert.equal(findKubectl({ pathEnv: empty, root: join(dir, 'nowhere') }), undefined);
  });
});

describe('skipReason', () => {
  test('no reason when kubectl is found', () => {
    assert.equal(
      skipReason({ CI: 'true' }, () => true),
      undefined,
    );
  });

  test('without kubectl, a developer machine skips with the reason', () => {
    assert.match(skipReason({}, () => false) ?? '', /kubectl is not on PATH.*run \.\/setup/);
    assert.match(skipReason({ CI: 'false' }, () => false) ?? '', /kubectl is not on PATH/);
  });

  test('without kubectl, CI fails instead of skipping', () => {
    assert.throws(() => skipReason({ CI: 'true' }, () => false), /CI=true, and kubectl is not on PATH/);
    assert.throws(() => skipReason({ CI: '1' }, () => false), /tests that drive kubectl cannot run/);
  });
});
