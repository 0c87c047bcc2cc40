/**
 * A fuzz-style run over real sockets: thousands of random and mutated
 * packets over UDP, and garbage over TCP, with correct queries in between
 * that must keep getting correct answers; afterwards the server holds no
 * connections or queries in flight and its heap has not grown without bound.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import packet from 'dns-packet';
import { DnsServer } from '../../src/dns/server/server.js';
import { fakeIndex, query, udpQuery, udpRaw } from './server/helpers.js';

describe('DNS server under random and mutated packets', () => {
  let server: DnsServer;
  let port: number;
  before(async () => {
    const index = fakeIndex();
    server = new DnsServer({ address: '127.0.0.1', port: 0, index: () => index });
    ({ port } = await server.start());
  });
  after(() => server.stop());

  it('keeps answering correct queries and stays bounded', async () => {
    const base = packet.encode(query('web.default.svc.cluster.local'));
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const heapBefore = process.memoryUsage().heapUsed;
    for (let round = 0; round < 40; round++) {
      // 100 bad packets fired without waiting (no answer is expected for most of them)...
      for (let i = 0; i < 100; i++) {
        let msg: Buffer;
        if (i % 2) {
          msg = Buffer.from(base);
          for (let k = 0; k < 1 + (rand() % 6); k++) msg[rand() % msg.length] = rand() & 0xff;
        } else {
          msg = Buffer.alloc(rand() % 600);
          for (let k = 0; k < msg.length; k++) msg[k] = rand() & 0xff;
        }
        void udpRaw(port, msg, 50);
      }
      // ...and garbage over TCP, including a length prefix that promises more than is sent.
      const junk = Buffer.alloc(64 + (rand() % 64));
      for (let k = 0; k < junk.length; k++) junk[k] = rand() & 0xff;
      await new Promise<void>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.end(junk);
        });
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.resume();
      });
      // ...then a correct query still gets the correct answer.
      const good = await udpQuery(port, query('web.default.svc.cluster.local'));
      assert.equal(good.rcode, 'NOERROR');
      assert.deepEqual(
        (good.answers ?? []).map((a) => ('data' in a ? a.data : undefined)),
        ['10.96.0.5'],
      );
    }
    // Nothing left open or in flight, once the server has seen the last closes.
    const state = server as unknown as { inflight: number };
    const open = () => server.tcpStats().open;
    for (const deadline = Date.now() + 5000; open() > 0 || state.inflight > 0; ) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(open(), 0);
    assert.equal(state.inflight, 0);
    // 4,000 packets and 40 connections later the heap has not grown by more than a few MB.
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    assert.ok(grown < 32, `heap grew by ${grown.toFixed(1)} MiB`);
  });
});
