import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { after, describe, it } from 'node:test';
import { builtinRuntime } from '../../../src/agent/images/index.js';
import { nginxTime } from '../../../src/agent/images/nginx.js';
import { type RunningContainer, StartError } from '../../../src/agent/images/types.js';
import { get, makeSpec, refuses } from './helpers.js';

const rt = builtinRuntime();
const running: RunningContainer[] = [];
after(async () => {
  for (const c of running) c.kill('SIGKILL');
  await Promise.all(running.map((c) => c.exited));
});

async function start(over: Parameters<typeof makeSpec>[0]) {
  const spec = makeSpec(over);
  const ctr = await rt.start(spec);
  running.push(ctr);
  return { spec, ctr };
}

const output = (chunks: string[]) => chunks.join('');

/** The pids of process group `pgid`, from /proc. */
function processGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === pgid) pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** Whether the process ignores SIGTERM (signal 15: bit 14 of SigIgn). */
function ignoresSigterm(pid: number): boolean {
  const m = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m !== null && ((BigInt(`0x${m[1]}`) >> 14n) & 1n) === 1n;
}

function post(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method: 'POST', path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end('x');
  });
}

describe('nginx', () => {
  const IP = '127.244.251.1';

  it('answers GET on port 80 with the pod name and logs like nginx', async () => {
    const { spec, ctr } = await start({
      podIP: IP,
      image: 'nginx:1.24',
      podName: 'frontend-abc12',
      namespace: 'shop',
    });
    const r = await get(IP, 80, '/some/path', { 'User-Agent': 'curl/8.5.0' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.server, 'nginx');
    assert.equal(r.headers['content-type'], 'text/html');
    assert.match(r.body, /<title>frontend-abc12<\/title>/);
    assert.match(r.body, /<h1>frontend-abc12<\/h1>/);
    assert.equal(await post(IP, 80), 405);
    const lines = output(spec.out).split('\n');
    assert.equal(lines[0], '/docker-entrypoint.sh: Configuration complete; ready for start up');
    assert.match(
      lines[1],
      /^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/some\/path HTTP\/1\.1" 200 \d+ "-" "curl\/8\.5\.0" "-"$/,
    );
    assert.match(lines[2], /"POST \/ HTTP\/1\.1" 405 /);
    ctr.kill('SIGTERM');
    assert.deepEqual(await ctr.exited, { exitCode: 0, reason: 'Completed' });
    assert.ok(await refuses(IP, 80));
    assert.match(output(spec.err), /\[notice\] 1#1: signal 15 \(SIGTERM\) received, exiting\n/);
  });

  it('formats $time_local', () => {
    assert.equal(nginxTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5))), '02/Jan/2025:03:04:05 +0000');
  });

  it('port 80 in use is a RunContainerError', async () => {
    await start({ podIP: '127.244.251.2', image: 'docker.io/library/nginx' });
    await assert.rejects(
      rt.start(makeSpec({ podIP: '127.244.251.2', image: 'nginx:latest' })),
      (e: unknown) =>
        e instanceof StartError &&
        e.reason === 'RunContainerError' &&
        e.message === 'listen tcp 127.244.251.2:80: bind: address already in use',
    );
  });
});

describe('process containers', () => {
  it('busybox sh -c: output to the sinks, the exit code as status', async () => {
    const { ctr, spec } = await start({
      image: 'busybox:1.36',
      command: ['sh', '-c', 'echo hi; echo oops >&2; exit 3'],
    });
    assert.equal(typeof ctr.pid, 'number');
    assert.deepEqual(await ctr.exited, { exitCode: 3, reason: 'Error' });
    assert.equal(output(spec.out), 'hi\n');
    assert.equal(output(spec.err), 'oops\n');
  });

  it('busybox without a command runs sh, which ends at once', async () => {
    const { ctr } = await start({ image: 'busybox' });
    assert.deepEqual(await ctr.exited, { exitCode: 0, reason: 'Completed' });
  });

  it('sees only the container env plus PATH, in a temp dir of its own that goes away', async () => {
    process.env.H5A_HOST_ONLY = 'leak';
    try {
      const { ctr, spec } = await start({
        image: 'busybox',
        command: ['sh', '-c', 'echo "$GREETING|$H5A_HOST_ONLY|$HOSTNAME|$PATH"; pwd'],
      });
      await ctr.exited;
      const [vars, cwd] = output(spec.out).trim().split('\n');
      assert.equal(vars, `hello||web-1|${process.env.PATH}`);
      assert.ok(cwd.startsWith(tmpdir()), cwd);
      assert.ok(!existsSync(cwd), 'temp dir removed');
    } finally {
      delete process.env.H5A_HOST_ONLY;
    }
  });

  it('honours workingDir, and refuses a missing one', async () => {
    const { ctr, spec } = await start({ image: 'busybox', command: ['pwd'], workingDir: '/' });
    await ctr.exited;
    assert.equal(output(spec.out), '/\n');
    await assert.rejects(
      rt.start(makeSpec({ image: 'busybox', command: ['pwd'], workingDir: '/no/such/dir' })),
      (e: unknown) =>
        e instanceof StartError && e.reason === 'RunContainerError' && /\/no\/such\/dir/.test(e.message),
    );
  });

  it('SIGTERM ends the whole process group: 143', { timeout: 30_000 }, async (t) => {
    const { ctr, spec } = await start({
      image: 'busybox',
      command: ['sh', '-c', 'sleep 30 & echo started; wait'],
    });
    while (!output(spec.out).includes('started')) await new Promise((r) => setTimeout(r, 10));
    // No wait for the background sleep: the container ends when its pipes close, i.e. when the
    // whole group is gone, not when the runtime's pipe grace timer (mocked here, never run) fires.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    ctr.kill('SIGTERM');
    assert.deepEqual(await ctr.exited, { exitCode: 143, signal: 'SIGTERM', reason: 'Error' });
  });

  it('SIGKILL ends a process that ignores SIGTERM: 137', async () => {
    const { ctr, spec } = await start({
      image: 'busybox',
      command: ['sh', '-c', 'trap "" TERM; echo ready; sleep 30'],
    });
    while (!output(spec.out).includes('ready')) await new Promise((r) => setTimeout(r, 10));
    // An ignored signal stays ignored across exec, so neither sh nor sleep ends: the kernel says
    // so (SigIgn), rather than a wait that sees nothing happen.
    const group = processGroup(ctr.pid!);
    assert.ok(group.length >= 1, 'the container has processes');
    for (const pid of group) assert.ok(ignoresSigterm(pid), `pid ${pid} does not ignore SIGTERM`);
    let exited = false;
    void ctr.exited.then(() => {
      exited = true;
    });
    ctr.kill('SIGTERM');
    await new Promise((r) => setImmediate(r));
    assert.equal(exited, false);
    ctr.kill('SIGKILL');
    assert.deepEqual(await ctr.exited, { exitCode: 137, signal: 'SIGKILL', reason: 'Error' });
  });

  it('curlimages/curl runs curl with the args', async () => {
    const IP = '127.244.251.3';
    await start({ podIP: IP, image: 'nginx', podName: 'target' });
    const { ctr, spec } = await start({ image: 'curlimages/curl:8.10.1', args: ['-s', `http://${IP}/`] });
    assert.deepEqual(await ctr.exited, { exitCode: 0, reason: 'Completed' });
    assert.match(output(spec.out), /<h1>target<\/h1>/);
    const viaName = await start({
      image: 'curlimages/curl',
      args: ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${IP}/`],
    });
    await viaName.ctr.exited;
    assert.equal(output(viaName.spec.out), '200');
  });

  it('any image with a local command runs it', async () => {
    const { ctr, spec } = await start({ image: 'myapp/api:1.0', command: ['sh', '-c', 'echo $0'], args: [] });
    assert.deepEqual(await ctr.exited, { exitCode: 0, reason: 'Completed' });
    assert.equal(output(spec.out), 'sh\n');
  });
});

describe('images that cannot run', () => {
  const cases: {
    name: string;
    image: string;
    command?: string[];
    args?: string[];
    reason: string;
    message: RegExp;
  }[] = [
    {
      name: 'unknown image without a command',
      image: 'mysql:8.0',
      reason: 'ErrImagePull',
      message:
        /^image "mysql:8\.0" is not built into svcnet and has no command to run locally: use svcnet\/netexec, nginx, busybox or curlimages\/curl/,
    },
    {
      name: 'unknown image whose command is not here',
      image: 'myapp/api:1.0',
      command: ['/app/server'],
      reason: 'ErrImagePull',
      message:
        /^image "myapp\/api:1\.0" is not built into svcnet and its command "\/app\/server" is not a program/,
    },
    {
      name: 'busybox with a program that is not here',
      image: 'busybox',
      command: ['no-such-program-h5a'],
      reason: 'RunContainerError',
      message: /^exec: "no-such-program-h5a": executable file not found in \$PATH/,
    },
    {
      name: 'agnhost subcommand not built in',
      image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
      args: ['porter'],
      reason: 'RunContainerError',
      message: /^agnhost subcommand "porter" is not built into svcnet/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await assert.rejects(
        rt.start(makeSpec({ image: c.image, command: c.command ?? [], args: c.args ?? [] })),
        (e: unknown) => e instanceof StartError && e.reason === c.reason && c.message.test(e.message),
      );
    });
  }
  it('leaves no temp dirs behind', () => {
    assert.deepEqual(
      readdirSync(tmpdir()).filter((d) => d.startsWith('svcnet-web-1-main-')),
      [],
    );
  });
});

describe('pause', () => {
  it('registry.k8s.io/pause idles until SIGTERM, then exits 0', async () => {
    const { ctr } = await start({ image: 'registry.k8s.io/pause:3.10' });
    ctr.kill('SIGTERM');
    assert.deepEqual(await ctr.exited, { exitCode: 0, reason: 'Completed' });
  });
  it('agnhost pause exits 2 on SIGTERM', async () => {
    const { ctr, spec } = await start({ image: 'registry.k8s.io/e2e-test-images/agnhost:2.53' });
    ctr.kill('SIGTERM');
    assert.deepEqual(await ctr.exited, { exitCode: 2, reason: 'Error' });
    assert.equal(output(spec.out), 'Paused\nexiting 2\n');
  });
});
