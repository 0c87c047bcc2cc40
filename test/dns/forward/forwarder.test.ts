import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import packet from 'dns-packet';
import { answerTtl } from '../../../src/dns/forward/cache.js';
import { parseUpstream, readResolvConf, UpstreamForwarder } from '../../../src/dns/forward/forwarder.js';
import { DnsMetrics } from '../../../src/dns/metrics.js';
import type { DnsRecord } from '../../../src/dns/types.js';
import { dataOf, deadPort, type FakeUpstream, fakeUpstream, ttlOf } from '../server/helpers.js';

const soa = (ttl: number, minimum: number): DnsRecord => ({
  name: 'example',
  type: 'SOA',
  ttl,
  data: { mname: 'ns.example', rname: 'h.example', serial: 1, refresh: 1, retry: 1, expire: 1, minimum },
});

/** Answers A with two records (TTL 300 and 60), NXDOMAIN for nx.*, SERVFAIL for bad.*. */
function standard(tag: string) {
  return (q: { name: string; type: string }) => {
    if (q.name.startsWith('nx.')) return { flags: 3, authorities: [soa(3600, 30)] };
    if (q.name.startsWith('bad.')) return { flags: 2 };
    return {
      answers: [
        { name: q.name, type: 'A' as const, ttl: 300, data: '192.0.2.1' },
        { name: q.name, type: 'A' as const, ttl: 60, data: tag },
      ],
    };
  };
}

async function withUpstreams<T>(
  handlers: Parameters<typeof fakeUpstream>[0][],
  fn: (ups: FakeUpstream[]) => Promise<T>,
): Promise<T> {
  const ups: FakeUpstream[] = [];
  try {
    for (const h of handlers) ups.push(await fakeUpstream(h));
    return await fn(ups);
  } finally {
    await Promise.all(ups.map((u) => u.close()));
  }
}

describe('UpstreamForwarder', () => {
  it('returns the upstream answer and honours RD', async () => {
    await withUpstreams([standard('192.0.2.2')], async ([up]) => {
      const f = new UpstreamForwarder({ upstreams: [up!.target], cacheSize: 0 });
      const r = await f.forward({ name: 'www.example.com', type: 'A' });
      assert.equal(r.rcode, 'NOERROR');
      assert.deepEqual(r.answers.map(dataOf), ['192.0.2.1', '192.0.2.2']);
      assert.equal(up!.queries[0]!.rd, true);
      await f.forward({ name: 'www.example.com', type: 'A' }, { recursionDesired: false });
      assert.equal(up!.queries[1]!.rd, false);
    });
  });

  it('fails over to the next upstream when one times out or refuses connections', async () => {
    await withUpstreams([() => 'drop', standard('192.0.2.3')], async ([silent, good]) => {
      const dead = await deadPort();
      const f = new UpstreamForwarder({
        upstreams: [`127.0.0.1:${dead}`, silent!.target, good!.target],
        timeoutMs: 200,
      });
      const r = await f.forward({ name: 'www.example.com', type: 'A' });
      assert.equal(r.rcode, 'NOERROR');
      assert.equal(dataOf(r.answers[1]!), '192.0.2.3');
      assert.equal(silent!.queries.length, 1);
    });
  });

  it('SERVFAILs when every upstream fails, and does not cache that', async () => {
    await withUpstreams([() => 'drop'], async ([silent]) => {
      const metrics = new DnsMetrics();
      const f = new UpstreamForwarder({
        upstreams: [silent!.target, `127.0.0.1:${await deadPort()}`],
        timeoutMs: 150,
        metrics,
      });
      const r = await f.forward({ name: 'www.example.com', type: 'A' });
      assert.deepEqual(r, { rcode: 'SERVFAIL', answers: [], authority: [], additional: [] });
      assert.equal(f.cacheSize, 0);
      assert.match(await metrics.text(), /coredns_forward_healthcheck_broken_total 1/);
    });
  });

  it("passes an upstream's own SERVFAIL through without failing over", async () => {
    await withUpstreams([standard('x'), standard('192.0.2.9')], async ([first, second]) => {
      const f = new UpstreamForwarder({ upstreams: [first!.target, second!.target] });
      assert.equal((await f.forward({ name: 'bad.example', type: 'A' })).rcode, 'SERVFAIL');
      assert.equal(second!.queries.length, 0);
    });
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const handler = (q: { name: string }, proto: 'udp' | 'tcp') =>
      proto === 'udp'
        ? { flags: packet.TRUNCATED_RESPONSE }
        : { answers: [{ name: q.name, type: 'A' as const, ttl: 30, data: '192.0.2.44' }] };
    await withUpstreams([handler], async ([up]) => {
      const f = new UpstreamForwarder({ upstreams: [up!.target] });
      const r = await f.forward({ name: 'big.example', type: 'A' });
      assert.equal(dataOf(r.answers[0]!), '192.0.2.44');
      assert.deepEqual(
        up!.queries.map((q) => q.proto),
        ['udp', 'tcp'],
      );
    });
  });

  it('serves from cache with TTLs decremented by age until the smallest TTL expires', async () => {
    await withUpstreams([standard('192.0.2.5')], async ([up]) => {
      let now = 1_000_000;
      const metrics = new DnsMetrics();
      const f = new UpstreamForwarder({ upstreams: [up!.target], now: () => now, metrics });
      await f.forward({ name: 'www.example.com', type: 'A' });
      now += 10_500;
      const hit = await f.forward({ name: 'WWW.Example.COM', type: 'A' });
      assert.equal(up!.queries.length, 1, 'answered from cache, name case-insensitively');
      assert.deepEqual(
        hit.answers.map(ttlOf),
        [50, 50],
        'TTLs capped at the entry TTL (60) and reduced by 10 s',
      );
      now += 50_000;
      await f.forward({ name: 'www.example.com', type: 'A' });
      assert.equal(up!.queries.length, 2, 'expired after 60 s');
      const text = await metrics.text();
      assert.match(text, /coredns_cache_hits_total\{server="",type="success",zones="\.",view=""\} 1/);
      assert.match(text, /coredns_cache_misses_total\{server="",zones="\.",view=""\} 2/);
    });
  });

  it('caches negative answers for the SOA minimum', async () => {
    await withUpstreams([standard('x')], async ([up]) => {
      let now = 0;
      const f = new UpstreamForwarder({ upstreams: [up!.target], now: () => now });
      assert.equal((await f.forward({ name: 'nx.example', type: 'A' })).rcode, 'NXDOMAIN');
      now += 29_000;
      const again = await f.forward({ name: 'nx.example', type: 'A' });
      assert.equal(again.rcode, 'NXDOMAIN');
      assert.equal(ttlOf(again.authority[0]!), 1);
      assert.equal(up!.queries.length, 1);
      now += 1_000;
      await f.forward({ name: 'nx.example', type: 'A' });
      assert.equal(up!.queries.length, 2);
    });
  });

  it('evicts the least recently used entry beyond its capacity', async () => {
    await withUpstreams([standard('192.0.2.6')], async ([up]) => {
      const f = new UpstreamForwarder({ upstreams: [up!.target], cacheSize: 2 });
      for (const n of ['a.example', 'b.example', 'a.example', 'c.example'])
        await f.forward({ name: n, type: 'A' });
      assert.equal(f.cacheSize, 2);
      await f.forward({ name: 'a.example', type: 'A' });
      await f.forward({ name: 'b.example', type: 'A' });
      assert.deepEqual(
        up!.queries.map((q) => q.name),
        ['a.example', 'b.example', 'c.example', 'b.example'],
      );
    });
  });

  it('shares one upstream exchange between concurrent identical questions', async () => {
    await withUpstreams([standard('192.0.2.8')], async ([up]) => {
      const f = new UpstreamForwarder({ upstreams: [up!.target] });
      await Promise.all(Array.from({ length: 5 }, () => f.forward({ name: 'same.example', type: 'A' })));
      assert.equal(up!.queries.length, 1);
    });
  });
});

describe('answerTtl', () => {
  const a = (ttl: number): DnsRecord => ({ name: 'x', type: 'A', ttl, data: '192.0.2.1' });
  const cases: [string, Parameters<typeof answerTtl>[0], ReturnType<typeof answerTtl>][] = [
    [
      'smallest answer TTL',
      { rcode: 'NOERROR', answers: [a(30), a(10)], authority: [], additional: [] },
      { ttl: 10, kind: 'success' },
    ],
    [
      'NXDOMAIN: SOA min(ttl, minimum)',
      { rcode: 'NXDOMAIN', answers: [], authority: [soa(600, 60)], additional: [] },
      { ttl: 60, kind: 'denial' },
    ],
    [
      'NODATA: SOA TTL when smaller',
      { rcode: 'NOERROR', answers: [], authority: [soa(20, 60)], additional: [] },
      { ttl: 20, kind: 'denial' },
    ],
    [
      'nothing to take a TTL from: 5 s',
      { rcode: 'NXDOMAIN', answers: [], authority: [], additional: [] },
      { ttl: 5, kind: 'denial' },
    ],
    ['SERVFAIL is not cached', { rcode: 'SERVFAIL', answers: [], authority: [], additional: [] }, undefined],
    [
      'REFUSED is not cached',
      { rcode: 'REFUSED', answers: [a(30)], authority: [], additional: [] },
      undefined,
    ],
  ];
  for (const [what, input, want] of cases) it(what, () => assert.deepEqual(answerTtl(input), want));
});

describe('upstream configuration', () => {
  it('parses HOST:PORT forms', () => {
    const cases: [string, { host: string; port: number }][] = [
      ['127.0.0.1:5353', { host: '127.0.0.1', port: 5353 }],
      ['127.0.0.1', { host: '127.0.0.1', port: 53 }],
      ['[::1]:5353', { host: '::1', port: 5353 }],
      ['::1', { host: '::1', port: 53 }],
    ];
    for (const [s, want] of cases) assert.deepEqual(parseUpstream(s), want);
    assert.throws(() => parseUpstream('127.0.0.1:0'), /invalid upstream/);
  });

  it('reads nameservers from resolv.conf', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcnet-dns-'));
    try {
      const path = join(dir, 'resolv.conf');
      writeFileSync(
        path,
        '# comment\nsearch example.com\nnameserver 10.0.0.2\nnameserver fe80::1%eth0 ; scoped\nnameserver bogus\noptions ndots:5\n',
      );
      assert.deepEqual(readResolvConf(path), ['10.0.0.2:53', '[fe80::1]:53']);
      assert.deepEqual(readResolvConf(join(dir, 'missing')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
