/**
 * exec and attach over SPDY/3.1, with the real kubectl forced off WebSocket
 * (`KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false`, what it falls back to against
 * servers without WebSocket support): exit codes, stdout and stderr apart,
 * stdin, a terminal with its size, and `kubectl run --rm -i` (attach).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Cluster, kubectlPath, skipReason, startCluster, stopCluster } from './harness.js';

const skip = skipReason();
const SPDY = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('exec and attach over SPDY/3.1', { skip }, () => {
  let c: Cluster;

  before(async () => {
    c = await startCluster();
    c.ok(['run', 'w', '--image=svcnet/netexec']);
    c.ok(['wait', '--for=condition=Ready', 'pod/w', '--timeout=120s']);
  });
  after(() => stopCluster(c));

  it("exec: the upgrade is SPDY; stdout and stderr apart; the exit code is kubectl's", () => {
    const r = c.kubectl(['exec', '-v=6', 'w', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], {
      env: SPDY,
    });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'out\n');
    // client-go's SPDY executor POSTs; its WebSocket one GETs.
    assert.match(
      r.stderr,
      /POST https:\/\/[^ ]+\/api\/v1\/namespaces\/default\/pods\/w\/exec\?[^ ]+ 101 Switching Protocols/,
    );
    assert.match(r.stderr, /^err$/m);
    assert.match(r.stderr, /command terminated with exit code 3/);
  });

  it('exec -i: 512 KiB of stdin arrive whole', () => {
    const data = randomBytes(512 * 1024).toString('base64');
    const r = c.kubectl(['exec', '-i', 'w', '--', 'sh', '-c', 'sha256sum | cut -d" " -f1'], {
      env: SPDY,
      input: data,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), createHash('sha256').update(data).digest('hex'));
  });

  it('exec -it: a terminal of the size kubectl sends', { skip: hasScript ? false : 'no script(1)' }, () => {
    // script(1) gives kubectl a terminal of 33x101; kubectl sends that size on the resize stream.
    // The shell waits for the size to arrive: the command may start before the first resize.
    const cmd = `stty rows 33 cols 101; ${kubectlPath()} exec -it w -- sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do [ "$(stty size)" = "33 101" ] && break; sleep 0.2; done; stty size; tty; exit 7'`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
      env: c.env(SPDY),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 7, r.stdout + r.stderr);
    assert.match(r.stdout, /33 101\r\n/);
    assert.match(r.stdout, /\/dev\/pts\/\d+/);
  });

  it('run --rm -i: attach carries stdin to the container and its exit code back', () => {
    const r = c.kubectl(
      [
        'run',
        'once',
        '--image=busybox',
        '--rm',
        '-i',
        '--restart=Never',
        '--',
        'sh',
        '-c',
        'read x; echo "got $x"; exit 4',
      ],
      { env: SPDY, input: 'hey\n', timeoutMs: 90_000 },
    );
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stdout, /^got hey$/m);
  });
});
