/**
 * `up --wait`'s pieces: its duration flag, the polling loop, and the node and
 * DNS conditions against stand-ins (a stub client, a real UDP DNS responder).
 * The whole of it against a real cluster is in test/e2e/quickstart.test.ts.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import packet from 'dns-packet';
import type { Node } from 'kubernetes-types/core/v1.js';
import { type Condition, dnsAnswers, nodeReady, parseWait, waitFor } from '../../src/cli/wait.js';
import type { ApiClient } from '../../src/client/types.js';

describe('parseWait', () => {
  test('Go durations, in ms', () => {
    for (const [text, ms] of [
      ['60s', 60_000],
      ['1m30s', 90_000],
      ['2m', 120_000],
      ['500ms', 500],
      ['0', 0],
      ['0s', 0],
    ] as const)
      assert.equal(parseWait(text), ms, text);
  });

  test('bad or negative durations are refused', () => {
    assert.throws(() => parseWait('abc'), /time: invalid duration "abc"/);
    assert.throws(() => parseWait('60'), /missing unit/);
    assert.throws(() => parseWait('-1s'), /must not be negative/);
  });
});

describe('waitFor', () => {
  test('polls until every condition is ready', async () => {
    let calls = 0;
    const slow: Condition = { name: 'slow', check: async () => (++calls < 3 ? 'not yet' : undefined) };
    const ready: Condition = { name: 'ready', check: async () => undefined };
    assert.deepEqual(await waitFor([slow, ready], 60_000, 1), { ready: true, notReady: [] });
    assert.equal(calls, 3);
  });

  test('at the deadline, names what is not ready and why', async () => {
    const never: Condition = { name: 'dns', check: async () => 'no answer' };
    const ready: Condition = { name: 'node', check: async () => undefined };
    assert.deepEqual(await waitFor([ready, never], 0), {
      ready: false,
      notReady: [{ name: 'dns', reason: 'no answer' }],
    });
  });
});

describe('nodeReady', () => {
  const client = (node: Node | Error) =>
    ({
      get: async () => {
        if (node instanceof Error) throw node;
        return node;
      },
    }) as unknown as ApiClient;
  const withReady = (status: string, reason?: string): Node => ({
    metadata: { name: 'vm' },
    status: { conditions: [{ type: 'Ready', status, ...(reason ? { reason } : {}) }] },
  });

  test('Ready=True is ready', async () => {
    assert.equal(await nodeReady(client(withReady('True')), 'vm').check(), undefined);
  });

  test('otherwise, why not', async () => {
    assert.equal(
      await nodeReady(client(withReady('Unknown', 'NodeStatusUnknown')), 'vm').check(),
      'Node vm is not Ready (Ready=Unknown: NodeStatusUnknown)',
    );
    assert.equal(
      await nodeReady(client({ metadata: { name: 'vm' } }), 'vm').check(),
      'Node vm has no Ready condition yet',
    );
    assert.equal(
      await nodeReady(client(new Error('nodes "vm" not found')), 'vm').check(),
      'Node vm: nodes "vm" not found',
    );
  });
});

describe('dnsAnswers', () => {
  let server: Socket;
  let port: number;
  let rcode: 'NOERROR' | 'SERVFAIL' = 'SERVFAIL';
  before(async () => {
    server = createSocket('udp4');
    server.on('message', (msg, rinfo) => {
      const q = packet.decode(msg);
      const question = q.questions![0]!;
      const answers: packet.Answer[] =
        rcode === 'NOERROR' && question.type === 'A'
          ? [{ type: 'A', name: question.name, ttl: 5, class: 'IN', data: '127.96.0.1' }]
          : [];
      const res = packet.encode({
        type: 'response',
        id: q.id,
        flags: packet.AUTHORITATIVE_ANSWER | (rcode === 'SERVFAIL' ? 2 : 0),
        questions: q.questions,
        answers,
      });
      server.send(res, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    port = server.address().port;
  });
  after(() => server.close());

  test('an A answer for kube-dns.kube-system is ready', async () => {
    rcode = 'NOERROR';
    assert.equal(await dnsAnswers('127.0.0.1', port, false).check(), undefined);
  });

  test('SERVFAIL (no index yet), or no record of the asked type, is not', async () => {
    rcode = 'SERVFAIL';
    assert.equal(
      await dnsAnswers('127.0.0.1', port, false).check(),
      `cluster DNS at 127.0.0.1:${port} answers kube-dns.kube-system.svc.cluster.local A with SERVFAIL and 0 answers`,
    );
    rcode = 'NOERROR';
    assert.match(
      (await dnsAnswers('127.0.0.1', port, true).check()) ?? '',
      /AAAA with NOERROR and 0 answers/,
    );
  });
});
