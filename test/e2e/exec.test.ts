/**
 * Getting into pods with the real kubectl: exec (stdout, stderr, exit codes,
 * piped stdin, a terminal driven through a pseudo-terminal with a resize),
 * attach, `run --rm -i/-it`, `cp` both ways, and the errors for a missing pod,
 * container, or one that does not run. Streams go kubectl → API server
 * (pods/exec, pods/attach proxy) → agent, over WebSocket.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type IPty, spawn as spawnPty } from 'node-pty';
import { type Cluster, eventually, kubectlPath, skipReason, startCluster, stopCluster } from './harness.js';

const skip = skipReason();

/** kubectl in a pseudo-terminal, as a user at a terminal runs it. */
class Terminal {
  private out = '';
  readonly exit: Promise<number>;
  private readonly pty: IPty;

  constructor(c: Cluster, args: string[]) {
    this.pty = spawnPty(kubectlPath(), args, {
      cols: 100,
      rows: 30,
      env: c.env() as Record<string, string>,
    });
    this.pty.onData((d) => {
      this.out += d;
    });
    this.exit = new Promise((r) => this.pty.onExit((e) => r(e.exitCode)));
  }

  output(): string {
    return this.out;
  }

  /** Waits for the output to match (from `from` on). */
  expect(re: RegExp, from = 0, ms = 30_000): Promise<unknown> {
    return eventually(() => re.test(this.out.slice(from)), ms, `${re} in ${JSON.stringify(this.out)}`);
  }

  type(s: string): number {
    const at = this.out.length;
    this.pty.write(s);
    return at;
  }

  resize(cols: number, rows: number): void {
    this.pty.resize(cols, rows);
  }

  kill(): void {
    try {
      this.pty.kill('SIGKILL');
    } catch {}
  }
}

describe('kubectl exec, attach, run -it, cp', { skip }, () => {
  let c: Cluster;
  const terminals: Terminal[] = [];
  const local = mkdtempSync(join(tmpdir(), 'svcnet-e2e-cp-'));
  const term = (args: string[]) => {
    const t = new Terminal(c, args);
    terminals.push(t);
    return t;
  };

  before(async () => {
    c = await startCluster();
    c.ok(['run', 'web', '--image=svcnet/netexec', '--restart=Never']);
    c.ok(['run', 'two', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
    c.ok(['wait', '--for=condition=Ready', 'pod/web', 'pod/two', '--timeout=60s']);
  });

  after(() => {
    for (const t of terminals) t.kill();
    stopCluster(c);
    rmSync(local, { recursive: true, force: true });
  });

  it('exec: stdout and stderr apart, the pod hostname, the exit code', () => {
    const r = c.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; echo $HOSTNAME; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\nweb\n');
    assert.match(r.stderr, /^err\n/);
    assert.match(r.stderr, /command terminated with exit code 3/);
    assert.equal(c.ok(['exec', 'two', '--', 'true']), '');
  });

  it('exec -i: piped stdin reaches the command', () => {
    assert.equal(
      c.ok(['exec', '-i', 'web', '--', 'cat'], { input: 'line one\nline two\n' }),
      'line one\nline two\n',
    );
  });

  it("exec: a missing program exits 127 with runc's text", () => {
    const r = c.kubectl(['exec', 'web', '--', 'no-such-program-x']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /exec: "no-such-program-x": executable file not found in \$PATH/);
  });

  it('exec -it: a terminal, its size, a resize', async () => {
    const t = term(['exec', '-it', 'web', '--', 'sh']);
    await t.expect(/[#$] $/m);
    let at = t.type('tty; stty size\r');
    await t.expect(/\/dev\/pts\/\d+\r\n30 100/, at);
    t.resize(120, 40);
    // The resize travels asynchronously: ask until the shell sees it.
    await eventually(
      async () => {
        at = t.type('stty size\r');
        await t.expect(/\r\n\d+ \d+\r\n/, at, 5000);
        return /40 120/.test(t.output().slice(at));
      },
      20_000,
      'the new size',
    );
    t.type('exit 4\r');
    assert.equal(await t.exit, 4);
  });

  it('run --rm -it: attaches to a terminal, exits with the command, deletes the pod', async () => {
    const t = term(['run', 'tty-run', '--rm', '-it', '--restart=Never', '--image=busybox', '--', 'sh']);
    await t.expect(/command prompt/, 0, 60_000);
    t.type('\r');
    await t.expect(/[#$] $/m);
    const at = t.type('tty; echo "host=$HOSTNAME"\r');
    await t.expect(/\/dev\/pts\/\d+\r\nhost=tty-run/, at);
    t.type('exit 5\r');
    assert.equal(await t.exit, 5);
    assert.match(t.output(), /pod "tty-run" deleted/);
    assert.equal(c.kubectl(['get', 'pod', 'tty-run']).code, 1);
  });

  it('run --rm -i: piped stdin, stdinOnce closes it, the exit code comes back', () => {
    const r = c.kubectl(
      [
        'run',
        'pipe-run',
        '-i',
        '--rm',
        '--restart=Never',
        '--image=busybox',
        '--',
        'sh',
        '-c',
        'cat; exit 6',
      ],
      { input: 'through stdin\n' },
    );
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stdout, /through stdin\n/);
    assert.equal(c.kubectl(['get', 'pod', 'pipe-run']).code, 1);
  });

  it('attach: a container with stdin and a terminal, and one without (its output only)', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'shell' },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'shell', image: 'busybox', command: ['sh'], stdin: true, tty: true }],
      },
    };
    c.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    c.ok(['wait', '--for=condition=Ready', 'pod/shell', '--timeout=60s']);
    const t = term(['attach', '-it', 'shell']);
    await t.expect(/command prompt/);
    const at = t.type('echo attached-$((6*7))\r');
    await t.expect(/attached-42/, at);
    t.kill();
    await t.exit;

    const out = term(['attach', 'web']);
    await out.expect(/command prompt/);
    const ip = c.ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}']);
    await eventually(
      async () => {
        await fetch(`http://${ip}:8080/echo?msg=hello`).catch(() => undefined);
        return /GET \/echo\?msg=hello/.test(out.output());
      },
      20_000,
      "netexec's request log through attach",
    );
    out.kill();
  });

  it('cp: a file and a directory into the pod and back', () => {
    mkdirSync(join(local, 'dir', 'sub'), { recursive: true });
    writeFileSync(join(local, 'a.txt'), 'payload 1\n');
    writeFileSync(join(local, 'dir', 'sub', 'b.txt'), 'deep\n');
    c.ok(['cp', join(local, 'a.txt'), 'web:/tmp/a.txt']);
    c.ok(['cp', join(local, 'dir'), 'web:/tmp/dir']);
    assert.equal(c.ok(['exec', 'web', '--', 'cat', '/tmp/a.txt', '/tmp/dir/sub/b.txt']), 'payload 1\ndeep\n');
    // Into a directory that exists: the file keeps its name there.
    c.ok(['cp', join(local, 'a.txt'), 'web:/tmp/dir']);
    const back = join(local, 'back');
    c.ok(['cp', 'web:/tmp/dir', back]);
    c.ok(['cp', 'web:/tmp/a.txt', join(local, 'a-back.txt')]);
    assert.equal(readFileSync(join(back, 'sub', 'b.txt'), 'utf8'), 'deep\n');
    assert.equal(readFileSync(join(back, 'a.txt'), 'utf8'), 'payload 1\n');
    assert.equal(readFileSync(join(local, 'a-back.txt'), 'utf8'), 'payload 1\n');
    // Another pod has a root of its own.
    assert.notEqual(c.kubectl(['exec', 'two', '--', 'test', '-f', '/tmp/a.txt']).code, 0);
  });

  it('errors: unknown pod, unknown container, a container that does not run, no upgrade', () => {
    let r = c.kubectl(['exec', 'nopod', '--', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pods "nopod" not found/);
    r = c.kubectl(['exec', 'web', '-c', 'nope', '--', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /container nope is not valid for pod web/);
    c.ok(['run', 'broken', '--image=no-such-image-x', '--restart=Never']);
    r = c.kubectl(['exec', 'broken', '--', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /container not found \("broken"\)/);
    r = c.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/web/exec?command=true']);
    assert.match(r.stderr, /Upgrade request required/);
  });
});
