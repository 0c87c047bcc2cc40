import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Container } from 'kubernetes-types/core/v1.js';
import { execProbe, resolvePort, runProbe, tcpProbe } from '../../src/agent/probecheck.js';

let server: Server;
let port: number;
let lastHeaders: Record<string, string | string[] | undefined> = {};

before(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    // Never answers: only the probe's timeout ends the request.
    if (req.url === '/slow') return;
    const code = req.url === '/fail' ? 503 : req.url === '/redirect' ? 302 : 200;
    res.writeHead(code);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const container = (): Container => ({ name: 'web', ports: [{ name: 'http', containerPort: port }] });
const target = () => ({ podIP: '127.0.0.1', container: container(), env: { GREETING: 'hi' } });
/** A timeout for probes that must succeed: long enough that a loaded machine never hits it. */
const AMPLE = 30_000;

test('httpGet: 2xx/3xx success, other codes fail with kubelet message, headers sent', async () => {
  const ok = await runProbe(
    { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Test', value: 'yes' }] } },
    target(),
    AMPLE,
  );
  assert.equal(ok.result, 'success');
  assert.equal(lastHeaders['x-test'], 'yes');
  assert.equal(lastHeaders['user-agent'], 'kube-probe/1.32');
  assert.equal((await runProbe({ httpGet: { path: '/redirect', port } }, target(), AMPLE)).result, 'success');
  assert.deepEqual(await runProbe({ httpGet: { path: '/fail', port } }, target(), AMPLE), {
    result: 'failure',
    output: 'HTTP probe failed with statuscode: 503',
  });
});

test('httpGet: timeout and connection refused read like Go errors', async () => {
  const slow = await runProbe({ httpGet: { path: '/slow', port } }, target(), 100);
  assert.equal(slow.result, 'failure');
  assert.equal(
    slow.output,
    `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
  );
  const refused = await runProbe({ httpGet: { path: '/', port: 1 } }, target(), AMPLE);
  assert.deepEqual(refused, {
    result: 'failure',
    output: 'Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused',
  });
});

test('tcpSocket', async () => {
  assert.equal((await tcpProbe('127.0.0.1', port, AMPLE)).result, 'success');
  assert.deepEqual(await tcpProbe('127.0.0.1', 1, AMPLE), {
    result: 'failure',
    output: 'dial tcp 127.0.0.1:1: connect: connection refused',
  });
});

test('exec: exit 0 succeeds, output is the failure message, env is the container env', async () => {
  assert.equal((await runProbe({ exec: { command: ['true'] } }, target(), AMPLE)).result, 'success');
  const env = await execProbe(['sh', '-c', 'echo $GREETING; exit 3'], { GREETING: 'hi' }, AMPLE);
  assert.deepEqual(env, { result: 'failure', output: 'hi\n' });
  const missing = await execProbe(['/no/such/binary'], {}, AMPLE);
  assert.equal(missing.output, 'exec: "/no/such/binary": executable file not found in $PATH');
  const slow = await execProbe(['sleep', '5'], {}, 100);
  assert.deepEqual(slow, { result: 'failure', output: 'command "sleep 5" timed out' });
});

test('ports by name; an unknown name is a probe error', async () => {
  assert.equal(resolvePort('http', container()), port);
  assert.equal(resolvePort(8080, container()), 8080);
  await assert.rejects(
    async () => runProbe({ tcpSocket: { port: 'nope' } }, target(), 100),
    /couldn't find port: nope/,
  );
});
