/**
 * @kubernetes/client-node 1.4's Exec and Attach against a real `svcnet up`
 * cluster: the WebSocket channel protocol (v5.channel.k8s.io, stdin closed
 * with its close signal) through the API server's pods/exec and pods/attach
 * proxy to the node agent, which accepts the API server's token only. Exec
 * with stdin, stdout and stderr apart and the exit status (the V1Status the
 * library hands its callback); a terminal exec and a resize; attach to a
 * container that reads stdin.
 */
import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Attach, Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { type Cluster, eventually, skipReason, startCluster, stopCluster } from '../e2e/harness.js';

const skip = skipReason();

/** A Writable that keeps what it was given, as text. */
class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

/**
 * Types `line` until the output after it matches `want` (a shell may not be
 * reading yet; a resize travels on a channel of its own).
 */
async function askUntil(keys: Writable, out: Sink, line: string, want: RegExp, answer = want): Promise<void> {
  try {
    await eventually(
      async () => {
        const at = out.text.length;
        keys.write(line);
        await eventually(() => answer.test(out.text.slice(at)), 3000, 'an answer').catch(() => {});
        return want.test(out.text.slice(at));
      },
      30_000,
      String(want),
    );
  } catch (err) {
    throw new Error(`${(err as Error).message} in ${JSON.stringify(out.text.slice(-400))}`);
  }
}

/** A terminal's output: a Sink with a size the library reads, and 'resize' when it changes. */
class TerminalSink extends Sink {
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

type Socket = Awaited<ReturnType<Exec['exec']>>;

/** Resolves when the WebSocket has closed. */
const closed = (ws: Socket): Promise<void> =>
  new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) resolve();
    else ws.once('close', () => resolve());
  });

describe('client-node Exec and Attach', { skip }, () => {
  let c: Cluster;
  let kc: KubeConfig;
  const sockets: Socket[] = [];

  before(async () => {
    c = await startCluster();
    kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    c.ok(['run', 'web', '--image=svcnet/netexec', '--restart=Never']);
    const reader = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'reader' },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'sh', image: 'busybox', command: ['sh'], stdin: true }],
      },
    };
    c.ok(['apply', '-f', '-'], { input: JSON.stringify(reader) });
    c.ok(['wait', '--for=condition=Ready', 'pod/web', 'pod/reader', '--timeout=60s']);
  });

  after(() => {
    for (const ws of sockets) ws.terminate();
    stopCluster(c);
  });

  it('exec: stdin in, stdout and stderr apart, a non-zero exit in the V1Status', async () => {
    const out = new Sink();
    const err = new Sink();
    let status: V1Status | undefined;
    const ws = await new Exec(kc).exec(
      'default',
      'web',
      'web',
      ['sh', '-c', 'cat; echo to-stderr >&2; echo "host=$HOSTNAME"; exit 3'],
      out,
      err,
      Readable.from([Buffer.from('line one\n'), Buffer.from('line two\n')]),
      false,
      (s) => {
        status = s;
      },
    );
    sockets.push(ws);
    await closed(ws);
    assert.equal(ws.protocol, 'v5.channel.k8s.io');
    assert.equal(out.text, 'line one\nline two\nhost=web\n');
    assert.equal(err.text, 'to-stderr\n');
    assert.equal(status?.status, 'Failure');
    assert.equal(status?.reason, 'NonZeroExitCode');
    assert.deepEqual(status?.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
  });

  it('exec: a command that succeeds reports Success', async () => {
    const out = new Sink();
    let status: V1Status | undefined;
    const ws = await new Exec(kc).exec(
      'default',
      'web',
      'web',
      ['echo', 'ok'],
      out,
      null,
      null,
      false,
      (s) => {
        status = s;
      },
    );
    sockets.push(ws);
    await closed(ws);
    assert.equal(out.text, 'ok\n');
    assert.equal(status?.status, 'Success');
  });

  it('exec with a terminal: a pseudo-terminal, the exit status', async () => {
    const term = new TerminalSink(100, 30);
    const keys = new PassThrough();
    let status: V1Status | undefined;
    const ws = await new Exec(kc).exec('default', 'web', 'web', ['sh'], term, null, keys, true, (s) => {
      status = s;
    });
    sockets.push(ws);
    await askUntil(keys, term, 'tty\n', /\/dev\/pts\/\d+/);
    keys.write('exit 4\n');
    await closed(ws);
    assert.equal(status?.reason, 'NonZeroExitCode');
    assert.deepEqual(status?.details?.causes, [{ reason: 'ExitCode', message: '4' }]);
  });

  // client-node sends {"width":…,"height":…}; Go's encoding/json matches keys in any case.
  it('exec with a terminal: the size client-node sends, then a resize', async () => {
    const term = new TerminalSink(100, 30);
    const keys = new PassThrough();
    const ws = await new Exec(kc).exec('default', 'web', 'web', ['sh'], term, null, keys, true);
    sockets.push(ws);
    try {
      const askSize = (want: RegExp) => askUntil(keys, term, 'stty size\n', want, /\d+ \d+/);
      await askSize(/30 100/);
      term.resize(120, 40);
      await askSize(/40 120/);
    } finally {
      keys.write('exit\n');
      await closed(ws);
    }
  });

  it('attach: to a container that reads stdin, its answers on stdout', async () => {
    const out = new Sink();
    const keys = new PassThrough();
    const ws = await new Attach(kc).attach('default', 'reader', 'sh', out, null, keys, false);
    sockets.push(ws);
    try {
      await askUntil(keys, out, 'echo attached-$((6*7))\n', /attached-42/);
    } finally {
      ws.close();
      await closed(ws);
    }
    // Detaching leaves the container running.
    assert.equal(c.ok(['get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}']), 'Running');
  });
});
