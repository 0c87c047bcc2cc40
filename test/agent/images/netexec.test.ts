import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { builtinRuntime } from '../../../src/agent/images/index.js';
import { parseNetexecFlags } from '../../../src/agent/images/netexec.js';
import { type RunningContainer, StartError } from '../../../src/agent/images/types.js';
import { get, makeSpec, refuses, udp } from './helpers.js';

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

describe('parseNetexecFlags', () => {
  const cases: [string[], Partial<ReturnType<typeof parseNetexecFlags>>][] = [
    [[], { httpPort: 8080, udpPort: 8080, sctpPort: -1, delayShutdown: 0 }],
    [['--http-port=9000'], { httpPort: 9000, udpPort: 9000 }],
    [['--http-port', '9000', '--udp-port=9001'], { httpPort: 9000, udpPort: 9001 }],
    [['--udp-port=-1', '--delay-shutdown=5'], { httpPort: 8080, udpPort: -1, delayShutdown: 5 }],
    [['--nope'], { error: 'unknown flag: --nope' }],
    [
      ['--http-port=x'],
      { error: 'invalid argument "x" for "--http-port" flag: strconv.ParseInt: parsing "x": invalid syntax' },
    ],
    [['--http-port'], { error: 'flag needs an argument: --http-port' }],
    [['extra'], { error: 'accepts at most 0 arg(s), received 1' }],
  ];
  for (const [argv, want] of cases) {
    it(argv.join(' ') || '(defaults)', () => {
      const got = parseNetexecFlags(argv) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) assert.equal(got[k], v, k);
    });
  }
});

describe('netexec over loopback', () => {
  const A = '127.244.250.11';
  const B = '127.244.250.12';

  it('serves agnhost endpoints over HTTP', async () => {
    const { spec } = await start({ podIP: A, hostname: 'pod-a', podName: 'pod-a', env: { B: '2', A: '1' } });
    const cases: { path: string; status: number; body: string | RegExp; headers?: Record<string, string> }[] =
      [
        { path: '/hostname', status: 200, body: 'pod-a' },
        { path: '/hostName', status: 200, body: 'pod-a' },
        { path: '/clientip', status: 200, body: /^127\.\d+\.\d+\.\d+:\d+$/ },
        { path: '/echo?msg=hello%20world', status: 200, body: 'hello world' },
        { path: '/echo?msg=gone&code=404', status: 404, body: 'gone' },
        {
          path: '/echo?msg=x&code=abc',
          status: 200,
          body: `argument 'code' must be an integer or empty, got "abc"\n`,
        },
        { path: '/healthz', status: 200, body: '' },
        { path: '/readyz', status: 200, body: 'ok' },
        {
          path: '/',
          status: 200,
          body: /^NOW: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC m=\+\d+\.\d{9}$/,
        },
        { path: '/anything/else', status: 200, body: /^NOW: / },
        { path: '/header?key=x-test', status: 200, body: 'value-1', headers: { 'X-Test': 'value-1' } },
        {
          path: '/header',
          status: 200,
          body: '{"Connection":["close"],"X-Test":["v"]}',
          headers: { 'X-Test': 'v' },
        },
        {
          path: '/env',
          status: 200,
          body: `A=1\nB=2\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n`,
        },
        {
          path: '/shell?cmd=echo%20$A$B;%20exit%202',
          status: 200,
          body: '{"error":"exit status 2","output":"12\\n"}',
        },
        { path: '/dial?host=x&port=1', status: 400, body: 'request parameter not specified. <nil>\n' },
        {
          path: '/dial?host=x&port=1&request=a&tries=z',
          status: 400,
          body: 'tries parameter is invalid. strconv.Atoi: parsing "z": invalid syntax\n',
        },
        {
          path: '/dial?host=x&port=1&request=a&protocol=icmp',
          status: 400,
          body: 'unsupported protocol. icmp\n',
        },
      ];
    for (const c of cases) {
      const r = await get(A, 8080, c.path, c.headers);
      assert.equal(r.status, c.status, c.path);
      if (typeof c.body === 'string') assert.equal(r.body, c.body, c.path);
      else assert.match(r.body, c.body, c.path);
    }
    const log = spec.err.join('');
    assert.match(log, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Started UDP server on port {2}8080\n/m);
    assert.match(log, /\d\d Started HTTP server on port 8080\n/);
    assert.match(log, /\d\d GET \/echo\?msg=hello world&code=\n/);
    assert.match(log, /\d\d GET \/hostname\n/);
  });

  it('dials another netexec over HTTP and UDP, from its own pod IP', async () => {
    await start({ podIP: B, hostname: 'pod-b', podName: 'pod-b' });
    const http = await get(A, 8080, `/dial?host=${B}&port=8080&request=hostname&protocol=http&tries=3`);
    assert.deepEqual(JSON.parse(http.body), { responses: ['pod-b', 'pod-b', 'pod-b'] });
    const client = await get(A, 8080, `/dial?host=${B}&port=8080&request=clientip`);
    assert.match(JSON.parse(client.body).responses[0], new RegExp(`^${A.replaceAll('.', '\\.')}:\\d+$`));
    const viaUDP = await get(A, 8080, `/dial?host=${B}&port=8080&request=hostname&protocol=udp`);
    assert.deepEqual(JSON.parse(viaUDP.body), { responses: ['pod-b'] });
    const echo = await get(A, 8080, `/dial?host=${B}&port=8080&request=echo%20Hi&protocol=udp&tries=2`);
    assert.deepEqual(JSON.parse(echo.body), { responses: ['hi', 'hi'] });
    const refused = await get(A, 8080, `/dial?host=${B}&port=1&request=hostname&tries=2`);
    assert.equal(refused.status, 200);
    const err = `Get "http://${B}:1/hostname": dial tcp ${B}:1: connect: connection refused`;
    assert.deepEqual(JSON.parse(refused.body), { errors: [err, err] });
    const udpRefused = JSON.parse(
      (await get(A, 8080, `/dial?host=${B}&port=1&request=hostname&protocol=udp`)).body,
    );
    assert.match(
      udpRefused.errors[0],
      /^reading from udp connection failed\. err:'read udp 127\.244\.250\.11:\d+->127\.244\.250\.12:1: read: connection refused'$/,
    );
  });

  it('answers agnhost UDP commands', async () => {
    assert.equal(await udp(B, 8080, 'hostname'), 'pod-b');
    assert.equal(await udp(B, 8080, '  HostName \n'), 'pod-b');
    assert.equal(await udp(B, 8080, 'echo Hello There'), 'hello there');
    assert.match((await udp(B, 8080, 'clientip')) ?? '', /^127\.0\.0\.1:\d+$/);
    assert.equal(await udp(B, 8080, 'bogus', 200), undefined);
  });

  it('toggles readiness', async () => {
    const C = '127.244.250.13';
    await start({ podIP: C });
    assert.equal((await get(C, 8080, '/readyz')).status, 200);
    assert.equal((await get(C, 8080, '/fail-readiness')).status, 200);
    assert.equal((await get(C, 8080, '/readyz')).status, 503);
    assert.equal((await get(C, 8080, '/healthz')).status, 200, 'liveness unaffected');
    assert.equal((await get(C, 8080, '/pass-readiness')).status, 200);
    assert.equal((await get(C, 8080, '/readyz')).status, 200);
  });

  it('/exit ends the container with the code and frees its ports', async () => {
    const D = '127.244.250.14';
    const { ctr } = await start({ podIP: D });
    await get(D, 8080, '/exit?code=3').catch(() => undefined);
    assert.deepEqual(await ctr.exited, { exitCode: 3, reason: 'Error' });
    assert.ok(await refuses(D, 8080));
    assert.equal(await udp(D, 8080, 'hostname', 200), undefined);
  });

  it('/exit with a timeout answers, drains, then exits', async () => {
    const D = '127.244.250.15';
    const { ctr, spec } = await start({ podIP: D });
    const r = await get(D, 8080, '/exit?code=0&timeout=2s');
    assert.equal(r.status, 200);
    assert.deepEqual(await ctr.exited, { exitCode: 0, reason: 'Completed' });
    const log = spec.err.join('');
    assert.match(
      log,
      /Will begin shutdown in 0s, allowing 2s for connections to close, then will exit with 0/,
    );
    assert.match(log, /Graceful shutdown completed with: <nil>/);
  });

  it('SIGTERM stops at once with 0; SIGKILL is 137', async () => {
    const E = '127.244.250.16';
    const a = await start({ podIP: E });
    a.ctr.kill('SIGTERM');
    assert.deepEqual(await a.ctr.exited, { exitCode: 0, reason: 'Completed' });
    assert.ok(await refuses(E, 8080));
    const b = await start({ podIP: E });
    b.ctr.kill('SIGKILL');
    assert.deepEqual(await b.ctr.exited, { exitCode: 137, signal: 'SIGKILL', reason: 'Error' });
    assert.ok(await refuses(E, 8080));
  });

  it('--delay-shutdown keeps serving after SIGTERM with /readyz 503, then exits 0', async (t) => {
    const F = '127.244.250.17';
    const { ctr, spec } = await start({ podIP: F, args: ['--delay-shutdown=1'] });
    // The delay runs on a timer: mocked, its second passes only as the test advances it.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let exited = false;
    void ctr.exited.then(() => {
      exited = true;
    });
    ctr.kill('SIGTERM');
    const r = await get(F, 8080, '/readyz');
    assert.deepEqual([r.status, r.body], [503, 'shutting down']);
    assert.equal((await get(F, 8080, '/hostname')).status, 200);
    t.mock.timers.tick(999);
    await new Promise((r) => setImmediate(r));
    assert.equal(exited, false, 'still serving until the delay is over');
    t.mock.timers.tick(1);
    assert.deepEqual(await ctr.exited, { exitCode: 0, reason: 'Completed' });
    assert.match(spec.err.join(''), /Sleeping 1 seconds before terminating\.\.\./);
  });

  it('SIGKILL cuts a delayed shutdown short', async () => {
    const F = '127.244.250.18';
    const { ctr } = await start({ podIP: F, args: ['--delay-shutdown=30'] });
    ctr.kill('SIGTERM');
    ctr.kill('SIGKILL');
    assert.deepEqual(await ctr.exited, { exitCode: 137, signal: 'SIGKILL', reason: 'Error' });
  });

  it('runs agnhost netexec from upstream manifests, with its flags', async () => {
    const G = '127.244.250.19';
    await start({
      podIP: G,
      image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
      args: ['netexec', '--http-port=9376', '--udp-port=9377'],
    });
    assert.equal((await get(G, 9376, '/hostname')).body, 'web-1');
    assert.equal(await udp(G, 9377, 'hostname'), 'web-1');
    await start({
      podIP: G,
      image: 'agnhost@sha256:abc',
      command: ['/agnhost', 'netexec', '--http-port', '9400'],
    });
    assert.equal((await get(G, 9400, '/hostname')).body, 'web-1');
  });

  it('--udp-port=-1 disables UDP, and healthz says 412 as agnhost does', async () => {
    const H = '127.244.250.20';
    await start({ podIP: H, args: ['--udp-port=-1'] });
    assert.equal((await get(H, 8080, '/healthz')).status, 412);
    assert.equal(await udp(H, 8080, 'hostname', 200), undefined);
  });

  it('a bad flag starts and exits 1 like cobra', async () => {
    const { ctr, spec } = await start({ podIP: '127.244.250.21', args: ['--nope'] });
    assert.deepEqual(await ctr.exited, { exitCode: 1, reason: 'Error', message: 'unknown flag: --nope' });
    assert.equal(spec.err.join(''), 'Error: unknown flag: --nope\n');
  });

  it('a port in use on the pod IP is a RunContainerError naming the address', async () => {
    const I = '127.244.250.22';
    await start({ podIP: I, args: ['--udp-port=9999'] });
    await assert.rejects(
      rt.start(makeSpec({ podIP: I, args: ['--udp-port=9998'] })),
      (err: unknown) =>
        err instanceof StartError &&
        err.reason === 'RunContainerError' &&
        err.message === `listen tcp ${I}:8080: bind: address already in use`,
    );
    // The failed start released its UDP port.
    const again = await start({ podIP: I, args: ['--http-port=8081', '--udp-port=9998'] });
    assert.equal(await udp(I, 9998, 'hostname'), again.spec.hostname);
  });
});
