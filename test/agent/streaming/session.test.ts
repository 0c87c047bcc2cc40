import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import {
  ATTACH_MAX_BEHIND,
  type AttachTarget,
  runAttach,
  runExec,
  type SessionIO,
  type StreamOptions,
  type TerminalSize,
} from '../../../src/agent/streaming/session.js';

const root = mkdtempSync(join(tmpdir(), 'svcnet-session-'));
after(() => rmSync(root, { recursive: true, force: true }));
const target = { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOSTNAME: 'pod-a' }, root, cwd: root };

/** A client's side of a session: stdin to write, output collected, resizes to send. */
function client(withStdin: boolean, transport: { full?: boolean; buffered?: number } = {}) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let resize: ((s: TerminalSize) => void) | undefined;
  const abort = new AbortController();
  const drains: (() => void)[] = [];
  const stdin = withStdin ? new PassThrough() : undefined;
  const io: SessionIO = {
    ...(stdin ? { stdin } : {}),
    stdout: (d) => out.push(d) > 0 && !transport.full,
    stderr: (d) => err.push(d) > 0 && !transport.full,
    onDrain: (l) => {
      drains.push(l);
    },
    get buffered() {
      return transport.buffered ?? 0;
    },
    onResize: (l) => {
      resize = l;
    },
    signal: abort.signal,
  };
  return {
    io,
    stdin,
    abort,
    drains,
    bytes: () => Buffer.concat(out),
    out: () => Buffer.concat(out).toString(),
    err: () => Buffer.concat(err).toString(),
    resize: (s: TerminalSize) => resize?.(s),
  };
}

const piped: StreamOptions = { stdin: true, stdout: true, stderr: true, tty: false };

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('exec sessions (real processes)', () => {
  it('streams stdout and stderr apart, with the environment, in the pod root, and reports the exit code', async () => {
    const c = client(false);
    const st = await runExec(
      target,
      ['sh', '-c', 'echo out; echo err >&2; echo $HOSTNAME; pwd; exit 3'],
      { ...piped, stdin: false },
      c.io,
    );
    assert.equal(c.out(), `out\npod-a\n${root}\n`);
    assert.equal(c.err(), 'err\n');
    assert.equal(st.reason, 'NonZeroExitCode');
    assert.deepEqual(st.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
  });

  it('pipes stdin until the client closes it', async () => {
    const c = client(true);
    const done = runExec(target, ['cat'], piped, c.io);
    c.stdin!.end('hello\n');
    assert.deepEqual(await done, { metadata: {}, status: 'Success' });
    assert.equal(c.out(), 'hello\n');
  });

  it('reports a missing program as runc does, exit code 127', async () => {
    const c = client(false);
    const st = await runExec(target, ['no-such-program-x'], { ...piped, stdin: false }, c.io);
    assert.match(c.err(), /exec: "no-such-program-x": executable file not found in \$PATH/);
    assert.deepEqual(st.details?.causes, [{ reason: 'ExitCode', message: '127' }]);
  });

  it('runs in a terminal with tty: stdin is its keyboard, a resize changes its size', async () => {
    const c = client(true);
    const done = runExec(target, ['sh'], { stdin: true, stdout: true, stderr: false, tty: true }, c.io);
    c.stdin!.write('tty; stty size\n');
    await until(() => /\/dev\/pts\/\d+/.test(c.out()) && /24 80/.test(c.out()), 'tty and 24 80');
    c.resize({ width: 132, height: 43 });
    c.stdin!.write('stty size; exit 7\n');
    const st = await done;
    assert.match(c.out(), /43 132/);
    assert.deepEqual(st.details?.causes, [{ reason: 'ExitCode', message: '7' }]);
  });

  it('a terminal passes bytes through untouched: split and non-UTF-8 sequences both ways', async () => {
    const c = client(true);
    const tty = { stdin: true, stdout: true, stderr: false, tty: true };
    // Raw, no echo: the three bytes typed reach od as sent; printf writes one byte that is no UTF-8.
    const done = runExec(
      target,
      ['sh', '-c', "stty raw -echo; printf '\\377'; head -c 3 | od -An -tx1"],
      tty,
      c.io,
    );
    await until(() => c.bytes().includes(0xff), 'the 0xff byte');
    for (const b of [0xff, 0xc3, 0xa9]) c.stdin!.write(Buffer.from([b]));
    await done;
    assert.equal(c.bytes()[0], 0xff);
    assert.match(c.out(), /ff c3 a9/);
  });

  it('a resize after the terminal is gone is ignored, not thrown', async () => {
    const c = client(false);
    await runExec(target, ['true'], { stdin: false, stdout: true, stderr: false, tty: true }, c.io);
    c.resize({ width: 100, height: 30 });
  });

  it('pauses the command while the transport is full and resumes it on drain', async () => {
    const transport = { full: true };
    const c = client(false, transport);
    const done = runExec(target, ['sh', '-c', 'head -c 4000000 /dev/zero'], { ...piped, stdin: false }, c.io);
    await until(() => c.drains.length > 0, 'a pause');
    const paused = c.bytes().length;
    assert.ok(paused < 4_000_000, `${paused} bytes before the first pause`);
    transport.full = false;
    for (const d of c.drains.splice(0)) d();
    assert.equal((await done).status, 'Success');
    assert.equal(c.bytes().length, 4_000_000);
  });

  it('records the command with the orphan tracker while it runs', async () => {
    const c = client(false);
    const seen: string[] = [];
    const tracker = {
      track: (pid: number) => seen.push(`+${pid}`),
      untrack: (pid: number) => seen.push(`-${pid}`),
    };
    await runExec({ ...target, tracker }, ['true'], { ...piped, stdin: false }, c.io);
    assert.equal(seen.length, 2);
    assert.equal(seen[0]?.slice(1), seen[1]?.slice(1));
    assert.match(seen[0]!, /^\+\d+$/);
  });

  it('kills the command when the client goes away', async () => {
    const c = client(true);
    const done = runExec(target, ['sleep', '600'], piped, c.io);
    c.abort.abort();
    assert.equal((await done).status, 'Success');
  });
});

describe('attach sessions', () => {
  /** A container's streams as the pod worker gives them, over a real `cat`-like sink. */
  function container(stdinOnce: boolean) {
    const listeners = new Set<(s: 'stdout' | 'stderr', d: string) => void>();
    const written: string[] = [];
    let closed = false;
    let exit!: () => void;
    const t: AttachTarget = {
      tty: false,
      stdin: true,
      stdinOnce,
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      write: (d) => written.push(d.toString()) > 0,
      onStdinDrain: (l) => l(),
      closeStdin: () => {
        closed = true;
      },
      resize: () => {},
      exited: new Promise<void>((r) => {
        exit = r;
      }),
    };
    const emit = (s: 'stdout' | 'stderr', d: string) => {
      for (const l of listeners) l(s, d);
    };
    return { t, emit, written, closed: () => closed, exit: () => exit(), listeners };
  }

  it('streams output from now on and feeds stdin; stdinOnce closes the stdin at its end', async () => {
    const k = container(true);
    const c = client(true);
    const done = runAttach(k.t, piped, c.io);
    k.emit('stdout', 'one\n');
    k.emit('stderr', 'two\n');
    c.stdin!.end('typed');
    await until(() => k.closed(), 'stdin closed');
    assert.deepEqual(k.written, ['typed']);
    k.exit();
    assert.equal((await done).status, 'Success');
    assert.equal(c.out(), 'one\n');
    assert.equal(c.err(), 'two\n');
    assert.equal(k.listeners.size, 0);
  });

  it("the client's stdin waits while the container's is full", async () => {
    const k = container(false);
    let drained: (() => void) | undefined;
    k.t.write = (d) => k.written.push(d.toString()) < 0;
    k.t.onStdinDrain = (l) => {
      drained = l;
    };
    const c = client(true);
    const done = runAttach(k.t, piped, c.io);
    c.stdin!.write('one');
    await until(() => drained !== undefined, 'a pause');
    assert.equal(c.stdin!.isPaused(), true);
    drained?.();
    assert.equal(c.stdin!.isPaused(), false);
    c.abort.abort();
    await done;
    assert.deepEqual(k.written, ['one']);
  });

  it('a client that falls too far behind the output is dropped', async () => {
    const k = container(false);
    const c = client(false, { buffered: ATTACH_MAX_BEHIND + 1 });
    const done = runAttach(k.t, { ...piped, stdin: false }, c.io);
    k.emit('stdout', 'x');
    const st = await done;
    assert.equal(st.status, 'Failure');
    assert.match(st.message ?? '', /behind/);
    assert.equal(k.listeners.size, 0);
  });

  it('without stdinOnce a detach leaves the stdin open', async () => {
    const k = container(false);
    const c = client(true);
    const done = runAttach(k.t, piped, c.io);
    c.stdin!.end();
    c.abort.abort();
    await done;
    assert.equal(k.closed(), false);
  });
});
