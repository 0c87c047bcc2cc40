import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import { ContainerLog, truncateBytes } from '../../src/agent/logs.js';
import { startLogServer } from '../../src/agent/logserver.js';
import { tryUpgrade } from './streaming/upgrade.js';

test('ContainerLog: lines, partial lines, tail, since, timestamps, limitBytes', () => {
  let now = Date.UTC(2024, 0, 1, 0, 0, 0, 0);
  const log = new ContainerLog(1 << 20, () => now);
  log.write('stdout', 'one\ntw');
  now += 1500;
  log.write('stdout', 'o\nthree\n');
  now += 1000;
  log.write('stderr', 'partial');
  assert.equal(log.read(), 'one\ntwo\nthree\n');
  assert.equal(log.read({ tailLines: 2 }), 'two\nthree\n');
  assert.equal(log.read({ tailLines: 0 }), '');
  assert.equal(log.read({ sinceMs: Date.UTC(2024, 0, 1, 0, 0, 1) }), 'three\n');
  assert.equal(
    log.read({ timestamps: true, tailLines: 1 }),
    '2024-01-01T00:00:01.5Z three\n',
    'a line is stamped when its first byte arrived',
  );
  assert.equal(log.read({ limitBytes: 5 }), 'one\nt');
  log.close();
  assert.equal(log.read({ tailLines: 1 }), 'partial');
  assert.equal(log.closed, true);
});

test('ContainerLog keeps only the newest maxBytes', () => {
  const log = new ContainerLog(10);
  for (let i = 0; i < 10; i++) log.write('stdout', `${i}abc\n`);
  assert.equal(log.read(), '8abc\n9abc\n');
});

test('truncateBytes never splits a UTF-8 sequence', () => {
  assert.equal(truncateBytes('aé', 2), 'a');
  assert.equal(truncateBytes('aé', 3), 'aé');
});

const TOKEN = 'the-api-servers-token';

const get = (
  port: number,
  path: string,
  onData?: (s: string) => void,
  headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` },
) =>
  new Promise<{ code: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
        onData?.(d);
      });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });

test('log server: containerLogs with options, previous, follow, errors, healthz', async () => {
  const current = new ContainerLog();
  const previous = new ContainerLog();
  previous.write('stdout', 'old run\n');
  previous.close();
  current.write('stdout', 'a\nb\nc\n');
  const server = await startLogServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    lookup: (ns, pod, container, prev) => {
      if (ns !== 'default' || pod !== 'web') return { code: 404, message: `pod "${pod}" does not exist` };
      if (container !== 'app')
        return { code: 400, message: `container ${container} is not valid for pod ${pod}` };
      return prev ? previous : current;
    },
  });
  try {
    assert.deepEqual(await get(server.port, '/healthz'), { code: 200, body: 'ok' });
    assert.deepEqual(await get(server.port, '/containerLogs/default/web/app'), {
      code: 200,
      body: 'a\nb\nc\n',
    });
    assert.deepEqual(await get(server.port, '/containerLogs/default/web/app?tailLines=1'), {
      code: 200,
      body: 'c\n',
    });
    assert.deepEqual(await get(server.port, '/containerLogs/default/web/app?previous=true'), {
      code: 200,
      body: 'old run\n',
    });
    assert.match(
      (await get(server.port, '/containerLogs/default/web/app?timestamps=true&tailLines=1')).body,
      /^\d{4}-\d\d-\d\dT[\d:.]+Z c\n$/,
    );
    assert.equal((await get(server.port, '/containerLogs/default/web/app?limitBytes=3')).body, 'a\nb');
    assert.equal((await get(server.port, '/containerLogs/default/nope/app')).code, 404);
    assert.equal((await get(server.port, '/containerLogs/default/web/app?tailLines=x')).code, 400);
    // follow: the existing lines, then new ones until the instance exits.
    const followed = get(server.port, '/containerLogs/default/web/app?follow=true&tailLines=1', (d) => {
      if (d === 'c\n') {
        current.write('stdout', 'd\n');
        current.close();
      }
    });
    assert.deepEqual(await followed, { code: 200, body: 'c\nd\n' });
  } finally {
    await server.close();
  }
});

test('log server: only the API server token gets in (healthz apart); a browser Origin is refused', async () => {
  const log = new ContainerLog();
  log.write('stdout', 'secret\n');
  const start = (token: string | undefined) =>
    startLogServer({ host: '127.0.0.1', port: 0, token, lookup: () => log });
  const server = await start(TOKEN);
  const path = '/containerLogs/default/web/app';
  try {
    assert.deepEqual(await get(server.port, '/healthz', undefined, {}), { code: 200, body: 'ok' });
    assert.deepEqual(await get(server.port, path, undefined, {}), { code: 401, body: 'Unauthorized\n' });
    for (const wrong of ['Bearer nope', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      assert.equal((await get(server.port, path, undefined, { Authorization: wrong })).code, 401, wrong);
    }
    assert.deepEqual(await get(server.port, path), { code: 200, body: 'secret\n' });
    const fromPage = { Authorization: `Bearer ${TOKEN}`, Origin: 'http://evil.example' };
    assert.equal((await get(server.port, path, undefined, fromPage)).code, 403);
  } finally {
    await server.close();
  }
  // An agent whose kubeconfig has no token serves nobody.
  const open = await start(undefined);
  try {
    assert.equal((await get(open.port, path)).code, 401);
    assert.equal((await get(open.port, '/healthz', undefined, {})).code, 200);
  } finally {
    await open.close();
  }
});

test('log server upgrades: the token and no Origin, as for logs; close() ends upgraded connections', async () => {
  const held: Duplex[] = [];
  const server = await startLogServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    lookup: () => ({ code: 404, message: 'none' }),
    // Upgrades and keeps the connection, as a session in progress does.
    onUpgrade: (_req, sock) => {
      held.push(sock);
      sock.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n');
    },
  });
  const auth = { Authorization: `Bearer ${TOKEN}` };
  let client: Duplex | undefined;
  try {
    const path = '/exec/default/web/app?command=sh&stdout=1';
    assert.deepEqual(await tryUpgrade(server.port, path), { code: 401, body: 'Unauthorized\n' });
    assert.equal((await tryUpgrade(server.port, path, { Authorization: 'Bearer nope' })).code, 401);
    const fromPage = await tryUpgrade(server.port, path, { ...auth, Origin: 'http://evil.example' });
    assert.equal(fromPage.code, 403);
    assert.equal(held.length, 0);
    const ok = await tryUpgrade(server.port, path, auth);
    assert.equal(ok.code, 101);
    client = 'socket' in ok ? ok.socket : undefined;
    assert.equal(held.length, 1);
  } finally {
    const ended = client && new Promise((resolve) => client?.once('close', resolve));
    client?.on('error', () => {});
    // Before: close() waited for the upgraded connection, which never ended.
    await server.close();
    await ended;
  }
});
