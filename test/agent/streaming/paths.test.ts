import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ensurePodRoot, hostPath, podRoot, removePodDir } from '../../../src/agent/podfs.js';
import { mapCommand } from '../../../src/agent/streaming/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'svcnet-podfs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('pod root directory (podfs)', () => {
  it('puts a pod root under the root dir by UID, and container paths inside it', () => {
    const root = podRoot('/var/lib/svcnet', 'u-1');
    assert.equal(root, '/var/lib/svcnet/pods/u-1/root');
    assert.equal(hostPath(root, '/'), root);
    assert.equal(hostPath(root, '/etc/config/key'), `${root}/etc/config/key`);
    assert.equal(hostPath(root, 'tmp/x'), `${root}/tmp/x`);
    // `..` cannot leave the pod's root.
    assert.equal(hostPath(root, '/../../etc/passwd'), `${root}/etc/passwd`);
    assert.throws(() => podRoot('/r', '../x'));
  });

  it('creates the root with a /tmp and removes the pod directory', () => {
    const root = ensurePodRoot(dir, 'u-2');
    mkdirSync(join(root, 'data'));
    assert.equal(hostPath(root, '/tmp').length > 0, true);
    removePodDir(dir, 'u-2');
    assert.throws(() => mkdirSync(join(root, 'x')));
  });

  it('leaves a /tmp the pod replaced with a file as it is (exec still gets its root)', () => {
    const root = ensurePodRoot(dir, 'u-4');
    rmSync(join(root, 'tmp'), { recursive: true });
    writeFileSync(join(root, 'tmp'), 'mine');
    assert.equal(ensurePodRoot(dir, 'u-4'), root);
    assert.equal(readFileSync(join(root, 'tmp'), 'utf8'), 'mine');
  });
});

describe("mapping exec'd commands' paths into the pod root", () => {
  const root = ensurePodRoot(dir, 'u-3');
  mkdirSync(join(root, 'etc', 'config'), { recursive: true });

  it('maps kubectl cp commands (tar both ways, test -d)', () => {
    assert.deepEqual(mapCommand(['tar', 'cf', '-', '/tmp/foo'], root), [
      'tar',
      'cf',
      '-',
      '-C',
      root,
      'tmp/foo',
    ]);
    assert.deepEqual(mapCommand(['tar', '-xmf', '-', '-C', '/data'], root), [
      'tar',
      '-xmf',
      '-',
      '-C',
      `${root}/data`,
    ]);
    assert.deepEqual(mapCommand(['test', '-d', '/tmp'], root), ['test', '-d', `${root}/tmp`]);
  });

  it('maps other absolute arguments only under directories the pod has', () => {
    assert.deepEqual(mapCommand(['cat', '/etc/config/key'], root), ['cat', `${root}/etc/config/key`]);
    assert.deepEqual(mapCommand(['/bin/ls', '/usr/bin', 'rel'], root), ['/bin/ls', '/usr/bin', 'rel']);
    assert.deepEqual(mapCommand(['sh', '-c', 'cat /etc/config/key'], root), [
      'sh',
      '-c',
      'cat /etc/config/key',
    ]);
  });
});
