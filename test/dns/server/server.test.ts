import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import packet from 'dns-packet';
import { UpstreamForwarder } from '../../../src/dns/forward/forwarder.js';
import { DnsMetrics } from '../../../src/dns/metrics.js';
import { DnsServer } from '../../../src/dns/server/server.js';
import type { RecordIndex } from '../../../src/dns/types.js';
import { createLogger } from '../../../src/lib/log.js';
import {
  BIG_COUNT,
  decode,
  ednsOpt,
  type FakeUpstream,
  fakeIndex,
  fakeUpstream,
  query,
  tcpQueries,
  udpQuery,
  udpRaw,
  udpRepliesTo,
} from './helpers.js';

const run = promisify(execFile);

async function dig(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args], {
    timeout: 10000,
  });
  return stdout;
}

const aData = (p: { answers?: unknown[] }) =>
  (p.answers ?? [])
    .filter((a) => (a as { type: string }).type === 'A')
    .map((a) => (a as { data: string }).data);

describe('DnsServer', () => {
  let server: DnsServer;
  let upstream: FakeUpstream;
  let port: number;
  let index: RecordIndex | undefined;
  const metrics = new DnsMetrics();

  before(async () => {
    upstream = await fakeUpstream(async (q) => {
      if (q.name.toLowerCase() === 'slow.example') await new Promise((r) => setTimeout(r, 150));
      if (q.name.toLowerCase() === 'nx.example') return { flags: packet.RECURSION_AVAILABLE | 3 };
      return { answers: [{ name: q.name, type: 'A', ttl: 300, data: '192.0.2.7' }] };
    });
    index = fakeIndex();
    server = new DnsServer({
      address: '127.0.0.1',
      port: 0,
      index: () => index,
      forwarder: new UpstreamForwarder({ upstreams: [upstream.target], timeoutMs: 1000 }),
      metrics,
    });
    ({ port } = await server.start());
  });

  after(async () => {
    await server.stop();
    await upstream.close();
  });

  it('answers an in-zone A query over UDP with qr aa rd and the question echoed in its case', async () => {
    const r = await udpQuery(port, query('WeB.Default.svc.cluster.local'));
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(aData(r), ['10.96.0.5']);
    assert.equal(r.flag_qr, true);
    assert.equal(r.flag_aa, true);
    assert.equal(r.flag_rd, true);
    assert.equal(r.flag_ra, false, 'CoreDNS does not set RA on kubernetes answers');
    assert.equal(r.questions?.[0]?.name, 'WeB.Default.svc.cluster.local');
    assert.equal(r.answers?.[0]?.name, 'WeB.Default.svc.cluster.local');
  });

  it('answers over TCP', async () => {
    const [r] = await tcpQueries(port, [query('web.default.svc.cluster.local')]);
    assert.deepEqual(aData(r!), ['10.96.0.5']);
  });

  it('answers NXDOMAIN with the SOA in authority, and TXT records', async () => {
    const nx = await udpQuery(port, query('nope.default.svc.cluster.local'));
    assert.equal(nx.rcode, 'NXDOMAIN');
    assert.equal(nx.authorities?.[0]?.type, 'SOA');
    const txt = await udpQuery(port, query('txt.cluster.local', 'TXT'));
    assert.deepEqual(
      (txt.answers![0] as { data: Buffer[] }).data.map((b) => b.toString()),
      ['1.1.0'],
    );
  });

  it('echoes EDNS: an OPT with the client buffer size, none without EDNS', async () => {
    const withOpt = await udpQuery(
      port,
      query('web.default.svc.cluster.local', 'A', { additionals: [ednsOpt(1400)] }),
    );
    const opt = withOpt.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize: number } | undefined;
    assert.equal(opt?.udpPayloadSize, 1400);
    const without = await udpQuery(port, query('web.default.svc.cluster.local'));
    assert.equal(without.additionals?.length ?? 0, 0);
  });

  it('truncates a large answer: TC at 512 B without EDNS, more with EDNS 4096, all over TCP', async () => {
    const small = await udpQuery(port, query('big.default.svc.cluster.local'));
    assert.equal(small.flag_tc, true);
    assert.ok(small.size <= 512, `reply of ${small.size} B exceeds 512`);
    assert.ok(aData(small).length > 0 && aData(small).length < BIG_COUNT, 'answer kept as far as it fits');

    const edns = await udpQuery(
      port,
      query('big.default.svc.cluster.local', 'A', { additionals: [ednsOpt(4096)] }),
    );
    assert.equal(edns.flag_tc, false);
    assert.equal(aData(edns).length, BIG_COUNT);

    const [tcp] = await tcpQueries(port, [query('big.default.svc.cluster.local')]);
    assert.equal(tcp!.flag_tc, false);
    assert.equal(aData(tcp!).length, BIG_COUNT);
  });

  it('answers pipelined TCP queries on one connection, fast ones not waiting for slow ones', async () => {
    const qs = [
      query('slow.example'),
      query('web.default.svc.cluster.local'),
      query('ext.default.svc.cluster.local'),
      query('nope.default.svc.cluster.local'),
    ];
    const replies = await tcpQueries(port, qs);
    assert.equal(replies.length, 4);
    assert.deepEqual(new Set(replies.map((r) => r.id)), new Set(qs.map((q) => q.id)));
    assert.equal(replies.at(-1)!.id, qs[0]!.id, 'the slow forwarded query is answered last');
  });

  it('FORMERR for a two-question query, NOTIMP for another opcode, nothing for a response', async () => {
    const two = packet.encode({
      type: 'query',
      id: 4242,
      flags: packet.RECURSION_DESIRED,
      questions: [
        { name: 'a.cluster.local', type: 'A', class: 'IN' },
        { name: 'b.cluster.local', type: 'A', class: 'IN' },
      ],
    });
    const f = decode((await udpRaw(port, two))!);
    assert.equal(f.rcode, 'FORMERR');
    assert.equal(f.id, 4242);
    assert.equal(f.flag_rd, true);
    assert.equal(f.questions?.length, 0);

    const update = packet.encode(query('web.default.svc.cluster.local'));
    update.writeUInt16BE(update.readUInt16BE(2) | (5 << 11), 2);
    assert.equal(decode((await udpRaw(port, update))!).rcode, 'NOTIMP');

    const response = packet.encode({ ...query('web.default.svc.cluster.local'), type: 'response' });
    assert.deepEqual(await udpRepliesTo(port, response), []);
  });

  it('drops garbage and FORMERRs a truncated body while still answering good queries', async () => {
    assert.deepEqual(await udpRepliesTo(port, Buffer.from('hi')), []);
    const cut = packet.encode(query('web.default.svc.cluster.local')).subarray(0, 20);
    assert.equal(decode((await udpRaw(port, cut))!).rcode, 'FORMERR');
    const good = await udpQuery(port, query('web.default.svc.cluster.local'));
    assert.deepEqual(aData(good), ['10.96.0.5']);
  });

  it('REFUSES zone transfers and non-IN classes', async () => {
    const axfr = await udpQuery(port, query('cluster.local', 'AXFR'));
    assert.equal(axfr.rcode, 'REFUSED');
    const [tcpAxfr] = await tcpQueries(port, [query('cluster.local', 'AXFR')]);
    assert.equal(tcpAxfr!.rcode, 'REFUSED');
    const chaos = await udpQuery(port, {
      ...query('version.bind', 'TXT'),
      questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }],
    });
    assert.equal(chaos.rcode, 'REFUSED');
  });

  it('BADVERS for EDNS versions other than 0', async () => {
    const q = query('web.default.svc.cluster.local', 'A', {
      additionals: [{ ...ednsOpt(1232), ednsVersion: 1 } as ReturnType<typeof ednsOpt>],
    });
    const r = await udpQuery(port, q);
    const opt = r.additionals?.find((a) => a.type === 'OPT') as { extendedRcode: number } | undefined;
    assert.equal(opt?.extendedRcode, 1, 'BADVERS (16) = extended 1, header 0');
    assert.equal(r.answers?.length, 0);
  });

  it('forwards out-of-zone names with RA and chases an ExternalName CNAME upstream', async () => {
    const out = await udpQuery(port, query('www.example.com'));
    assert.deepEqual(aData(out), ['192.0.2.7']);
    assert.equal(out.flag_ra, true);
    assert.equal(out.flag_aa, false);
    const nx = await udpQuery(port, query('nx.example'));
    assert.equal(nx.rcode, 'NXDOMAIN');

    const ext = await udpQuery(port, query('ext.default.svc.cluster.local'));
    assert.deepEqual(
      ext.answers?.map((a) => a.type),
      ['CNAME', 'A'],
    );
    assert.equal(ext.flag_aa, true);
    assert.ok(upstream.queries.some((q) => q.name === 'example.org'));
  });

  it('SERVFAIL before the index exists', async () => {
    const saved = index;
    index = undefined;
    try {
      assert.equal((await udpQuery(port, query('web.default.svc.cluster.local'))).rcode, 'SERVFAIL');
      assert.equal((await udpQuery(port, query('www.example.com'))).rcode, 'SERVFAIL');
    } finally {
      index = saved;
    }
  });

  it('answers SERVFAIL, not FORMERR, when answering a valid query fails (a bug is not bad input)', async () => {
    const saved = index;
    const lines: string[] = [];
    let broken = true;
    const buggy = new DnsServer({
      address: '127.0.0.1',
      port: 0,
      index: () => {
        if (broken) throw new TypeError("Cannot read properties of undefined (reading 'records')");
        return saved;
      },
      log: createLogger({ write: (l) => lines.push(l) }),
    });
    const { port: p } = await buggy.start();
    try {
      assert.equal((await udpQuery(p, query('web.default.svc.cluster.local'))).rcode, 'SERVFAIL');
      assert.match(lines.join(''), /Internal error answering a query.*Cannot read properties/);
      broken = false;
      assert.equal((await udpQuery(p, query('web.default.svc.cluster.local'))).rcode, 'NOERROR');
    } finally {
      await buggy.stop();
    }
  });

  it('keeps answering through a burst of random and mutated packets', async () => {
    const base = packet.encode(query('web.default.svc.cluster.local', 'A', { additionals: [ednsOpt(1232)] }));
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      let msg: Buffer;
      if (i % 2) {
        msg = Buffer.from(base);
        for (let k = 0; k < 1 + (rand() % 4); k++) msg[rand() % msg.length] = rand() & 0xff;
      } else {
        msg = Buffer.alloc(rand() % 80);
        for (let k = 0; k < msg.length; k++) msg[k] = rand() & 0xff;
      }
      const r = server.handle(msg, { proto: 'udp', family: 1 });
      if (r instanceof Promise) await r;
      else if (r) assert.ok(r.length >= 12);
    }
    const good = await udpQuery(port, query('web.default.svc.cluster.local'));
    assert.deepEqual(aData(good), ['10.96.0.5']);
  });

  it('counts queries in CoreDNS metrics', async () => {
    const text = await metrics.text();
    assert.match(
      text,
      /coredns_dns_requests_total\{server="dns:\/\/127\.0\.0\.1:\d+",zone="\.",view="",proto="udp",family="1",type="A"\} \d+/,
    );
    assert.match(text, /coredns_dns_responses_total\{[^}]*rcode="NXDOMAIN",plugin="kubernetes"\}/);
    assert.match(text, /coredns_dns_responses_total\{[^}]*rcode="NOERROR",plugin="forward"\}/);
    assert.match(text, /coredns_dns_request_duration_seconds_bucket\{le="0.00025",[^}]*type="A"\}/);
  });

  describe('with dig', () => {
    it('answers A over UDP and TCP', async () => {
      assert.equal((await dig(port, 'web.default.svc.cluster.local', '+short')).trim(), '10.96.0.5');
      assert.equal((await dig(port, '+tcp', 'web.default.svc.cluster.local', '+short')).trim(), '10.96.0.5');
    });

    it('sees TC over UDP without EDNS and gets everything by retrying over TCP', async () => {
      const truncated = await dig(port, '+noedns', '+ignore', 'big.default.svc.cluster.local');
      assert.match(truncated, /flags: qr aa tc rd;/);
      const full = await dig(port, '+noedns', 'big.default.svc.cluster.local', '+short');
      assert.equal(full.trim().split('\n').length, BIG_COUNT);
    });

    it('reports the EDNS buffer and status codes', async () => {
      const edns = await dig(port, '+bufsize=1232', 'web.default.svc.cluster.local');
      assert.match(edns, /EDNS: version: 0, flags:; udp: 1232/);
      assert.match(await dig(port, 'nope.default.svc.cluster.local'), /status: NXDOMAIN/);
      assert.match(await dig(port, 'cluster.local', 'AXFR'), /Transfer failed|REFUSED/);
    });
  });
});

describe('DnsServer without a forwarder', () => {
  it('REFUSES names outside the zone and binds UDP and TCP to one port', async () => {
    const server = new DnsServer({ address: '127.0.0.1', port: 0, index: () => fakeIndex() });
    const { port } = await server.start();
    try {
      assert.equal((await udpQuery(port, query('www.example.com'))).rcode, 'REFUSED');
      const [r] = await tcpQueries(port, [query('www.example.com')]);
      assert.equal(r!.rcode, 'REFUSED');
    } finally {
      await server.stop();
    }
  });

  it('closes idle TCP connections', async () => {
    const server = new DnsServer({
      address: '127.0.0.1',
      port: 0,
      index: () => fakeIndex(),
      tcpIdleTimeoutMs: 100,
    });
    const { port } = await server.start();
    try {
      const { connect } = await import('node:net');
      const sock = connect({ host: '127.0.0.1', port });
      const closed = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 10_000);
        sock.on('close', () => {
          clearTimeout(t);
          resolve(true);
        });
        sock.on('error', () => {});
      });
      assert.equal(closed, true);
    } finally {
      await server.stop();
    }
  });
});
